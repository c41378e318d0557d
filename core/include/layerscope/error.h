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

/// A decode or I/O failure: where it happened, what was expected and what was found.
struct Error
{
    FileOffset offset = 0;
    std::string expected;
    std::string found;

    /// "at offset N: expected X, found Y" (without the file name).
    std::string message() const;
};

Error makeError(FileOffset offset, std::string expected, std::string found);

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
