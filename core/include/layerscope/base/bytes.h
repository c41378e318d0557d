#pragma once

#include <layerscope/base/error.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace layerscope {

using Bytes = std::span<const std::uint8_t>;
using ByteVector = std::vector<std::uint8_t>;

/// A fixed field of an on-disk structure, by its offset inside that structure. Tables of these
/// are the one definition of a layout: the decoder reads through them and the dissection
/// names bytes with them.
struct ByteField
{
    const char *name;
    std::size_t offset;
    std::size_t length;
};

// Big-endian helpers over raw pointers; callers check bounds first.
inline std::uint16_t readBe16(const std::uint8_t *p)
{
    return std::uint16_t((p[0] << 8) | p[1]);
}
inline std::uint32_t readBe32(const std::uint8_t *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
           | p[3];
}
inline std::uint64_t readBe64(const std::uint8_t *p)
{
    return (std::uint64_t(readBe32(p)) << 32) | readBe32(p + 4);
}
inline std::uint64_t readBe40(const std::uint8_t *p)
{
    return (std::uint64_t(p[0]) << 32) | readBe32(p + 1);
}
inline std::uint16_t readLe16(const std::uint8_t *p)
{
    return std::uint16_t(p[0] | (p[1] << 8));
}
inline std::uint32_t readLe32(const std::uint8_t *p)
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16)
           | (std::uint32_t(p[3]) << 24);
}
inline void writeLe16(std::uint8_t *p, std::uint16_t v)
{
    p[0] = std::uint8_t(v);
    p[1] = std::uint8_t(v >> 8);
}
inline void writeLe32(std::uint8_t *p, std::uint32_t v)
{
    p[0] = std::uint8_t(v);
    p[1] = std::uint8_t(v >> 8);
    p[2] = std::uint8_t(v >> 16);
    p[3] = std::uint8_t(v >> 24);
}

void appendBe16(ByteVector &out, std::uint16_t v);
void appendBe32(ByteVector &out, std::uint32_t v);
void appendBe64(ByteVector &out, std::uint64_t v);
void appendBe40(ByteVector &out, std::uint64_t v);
void appendBytes(ByteVector &out, Bytes bytes);

/// Lowercase hex of the bytes, no separators.
std::string toHex(Bytes bytes);
/// Appends the hex of the bytes to `out` (lowercase, or uppercase with `upper`): no string of
/// its own, for writers of many lines.
void appendHex(std::string &out, Bytes bytes, bool upper = false);
/// Uppercase hex.
std::string toHexUpper(Bytes bytes);
/// The value of one hex digit of either case, or -1.
int hexDigit(char c);
/// Parses hex of either case; false on odd length or a non-hex digit.
bool fromHex(std::string_view text, ByteVector &out);

/// Bounds-checked big-endian reader (bincode "BeSer" layout). Each failure records the
/// absolute offset (base + position) and what was being read; the cursor never reads past end.
class Cursor
{
public:
    Cursor(Bytes data, FileOffset base)
        : m_data(data)
        , m_base(base)
    {}

    // The fixed-width reads are inline (the value scanner runs them per entry); failures go
    // through out-of-line paths.
    bool u8(std::uint8_t &v, const char *what)
    {
        if (!need(1, what))
            return false;
        v = m_data[m_pos++];
        return true;
    }
    bool u16(std::uint16_t &v, const char *what)
    {
        if (!need(2, what))
            return false;
        v = readBe16(&m_data[m_pos]);
        m_pos += 2;
        return true;
    }
    bool u32(std::uint32_t &v, const char *what)
    {
        if (!need(4, what))
            return false;
        v = readBe32(&m_data[m_pos]);
        m_pos += 4;
        return true;
    }
    bool u64(std::uint64_t &v, const char *what)
    {
        if (!need(8, what))
            return false;
        v = readBe64(&m_data[m_pos]);
        m_pos += 8;
        return true;
    }
    /// Little-endian reads, for Postgres's structures (a WAL record inside a value).
    bool u16le(std::uint16_t &v, const char *what)
    {
        if (!need(2, what))
            return false;
        v = readLe16(&m_data[m_pos]);
        m_pos += 2;
        return true;
    }
    bool u32le(std::uint32_t &v, const char *what)
    {
        if (!need(4, what))
            return false;
        v = readLe32(&m_data[m_pos]);
        m_pos += 4;
        return true;
    }
    bool i64(std::int64_t &v, const char *what)
    {
        std::uint64_t u = 0;
        if (!u64(u, what))
            return false;
        v = std::int64_t(u);
        return true;
    }
    bool boolean(bool &v, const char *what);
    /// Option tag: 0 → false, 1 → true.
    bool optionTag(bool &some, const char *what);
    /// u64 length then that many bytes; the length is checked against what remains.
    bool byteBuffer(ByteVector &v, const char *what);
    /// u64 length then UTF-8 bytes.
    bool string(std::string &v, const char *what);
    /// Skips a u64-length byte buffer (or UTF-8 string when `utf8`), checking it.
    bool skipBuffer(const char *what, bool utf8 = false);
    /// u64 element count, checked against remaining / elementSize.
    bool count(std::uint64_t &n, std::size_t elementSize, const char *what)
    {
        if (!u64(n, what))
            return false;
        if (elementSize > 0 && n > remaining() / elementSize) [[unlikely]]
            return countTooLarge(n, what);
        return true;
    }

    std::size_t position() const { return m_pos; }
    std::size_t remaining() const { return m_data.size() - m_pos; }
    /// The `n` bytes just read (a view into the data).
    Bytes last(std::size_t n) const { return m_data.subspan(m_pos - n, n); }
    FileOffset offset() const { return m_base + m_pos; }
    bool failed() const { return m_error.has_value(); }
    /// The first failure; an empty Error before any.
    const Error &error() const;
    /// Records an error at the current position (first error wins).
    bool fail(std::string expected, std::string found);
    /// Same, at an absolute offset read earlier (e.g. the start of a tag).
    bool failAt(FileOffset offset, std::string expected, std::string found);

private:
    bool need(std::size_t n, const char *what)
    {
        if (!m_error && remaining() >= n) [[likely]]
            return true;
        return needFailed(n, what);
    }
    bool needFailed(std::size_t n, const char *what);
    bool countTooLarge(std::uint64_t n, const char *what);
    Bytes m_data;
    FileOffset m_base;
    std::size_t m_pos = 0;
    std::optional<Error> m_error;  ///< set once, at the first failure (a cursor per value: cheap to make)
};

} // namespace layerscope
