#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace layerscope {

/// Absolute byte offset inside a layer file.
using FileOffset = std::uint64_t;
/// Block number (8192-byte blocks). Absolute unless a name says "relative".
using BlockNumber = std::uint64_t;

inline constexpr std::uint64_t kBlockSize = 8192;

/// What kind of failure an Error is, so that callers never match message text.
enum class ErrorKind : std::uint8_t {
    Format,            ///< bytes that do not decode as expected (the default)
    BlobCompression,   ///< a blob header with reserved compression bits
    NodeMarker,        ///< an internal B-tree value without its 0x80 marker
    NodeHeader,        ///< a B-tree node header that cannot describe a node
    TooLarge,          ///< a length or size over the bound the reader allows
    Io,                ///< the operating system refused (open, read, write, rename...)
    NotRegularFile,    ///< a FIFO, socket, directory or other non-file
    Cancelled,         ///< the caller's progress callback asked to stop
};

/// A decode or I/O failure: where it happened, what was expected and what was found.
struct Error
{
    FileOffset offset = 0;
    std::string expected;
    std::string found;
    ErrorKind kind = ErrorKind::Format;
    /// The failure is about the path as a whole (missing, a directory, not readable), not
    /// about a byte in it: the message names no offset.
    bool pathLevel = false;

    /// "at offset N: expected X, found Y" (without the file name); "expected X, found Y" for
    /// a path-level error.
    std::string message() const;
};

Error makeError(FileOffset offset, std::string expected, std::string found,
                ErrorKind kind = ErrorKind::Format);
/// A path-level error (kind Io unless told): what the path should have been, what it is.
Error pathError(std::string expected, std::string found, ErrorKind kind = ErrorKind::Io);

/// A value or an Error. Never throws; callers check ok() before value().
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() & { return std::get<0>(m_v); }
    const T &value() const & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    T *operator->() { return &std::get<0>(m_v); }
    const T *operator->() const { return &std::get<0>(m_v); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    const Error &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

/// Result without a value.
struct Ok
{};
using Status = Result<Ok>;

} // namespace layerscope
