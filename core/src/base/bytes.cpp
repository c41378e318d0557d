#include <layerscope/base/bytes.h>

#include <fmt/format.h>

#include <cstring>

namespace layerscope {

void appendBe16(ByteVector &out, std::uint16_t v)
{
    out.push_back(std::uint8_t(v >> 8));
    out.push_back(std::uint8_t(v));
}
void appendBe32(ByteVector &out, std::uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8)
        out.push_back(std::uint8_t(v >> s));
}
void appendBe64(ByteVector &out, std::uint64_t v)
{
    for (int s = 56; s >= 0; s -= 8)
        out.push_back(std::uint8_t(v >> s));
}
void appendBe40(ByteVector &out, std::uint64_t v)
{
    for (int s = 32; s >= 0; s -= 8)
        out.push_back(std::uint8_t(v >> s));
}
void appendBytes(ByteVector &out, Bytes bytes)
{
    out.insert(out.end(), bytes.begin(), bytes.end());
}

namespace {
std::string hexWith(Bytes bytes, bool upper)
{
    std::string s;
    s.reserve(bytes.size() * 2);
    appendHex(s, bytes, upper);
    return s;
}
} // namespace

void appendHex(std::string &out, Bytes bytes, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    const std::size_t at = out.size();
    out.resize(at + 2 * bytes.size());
    char *p = out.data() + at;
    for (std::uint8_t b : bytes) {
        *p++ = digits[b >> 4];
        *p++ = digits[b & 15];
    }
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string toHex(Bytes bytes)
{
    return hexWith(bytes, false);
}
std::string toHexUpper(Bytes bytes)
{
    return hexWith(bytes, true);
}

bool fromHex(std::string_view text, ByteVector &out)
{
    if (text.size() % 2)
        return false;
    out.clear();
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = hexDigit(text[i]);
        const int lo = hexDigit(text[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out.push_back(std::uint8_t(hi << 4 | lo));
    }
    return true;
}

bool Cursor::fail(std::string expected, std::string found)
{
    return failAt(offset(), std::move(expected), std::move(found));
}

bool Cursor::failAt(FileOffset at, std::string expected, std::string found)
{
    if (!m_error)
        m_error = makeError(at, std::move(expected), std::move(found));
    return false;
}

const Error &Cursor::error() const
{
    static const Error none;
    return m_error ? *m_error : none;
}

bool Cursor::needFailed(std::size_t n, const char *what)
{
    if (m_error)
        return false;
    return fail(fmt::format("{} ({} bytes)", what, n), fmt::format("end of value after {} bytes", remaining()));
}

bool Cursor::boolean(bool &v, const char *what)
{
    if (!need(1, what))
        return false;
    const std::uint8_t b = m_data[m_pos];
    if (b > 1)
        return fail(fmt::format("{} (bool 00 or 01)", what), fmt::format("{:02x}", b));
    ++m_pos;
    v = b == 1;
    return true;
}
bool Cursor::optionTag(bool &some, const char *what)
{
    if (!need(1, what))
        return false;
    const std::uint8_t b = m_data[m_pos];
    if (b > 1)
        return fail(fmt::format("{} (Option tag 00 or 01)", what), fmt::format("{:02x}", b));
    ++m_pos;
    some = b == 1;
    return true;
}
bool Cursor::countTooLarge(std::uint64_t n, const char *what)
{
    m_pos -= 8;  // the error is at the count
    return fail(fmt::format("{} count fitting the remaining {} bytes", what, remaining() - 8), fmt::format("{}", n));
}
bool Cursor::byteBuffer(ByteVector &v, const char *what)
{
    std::uint64_t n = 0;
    if (!count(n, 1, what))
        return false;
    v.assign(m_data.begin() + std::ptrdiff_t(m_pos), m_data.begin() + std::ptrdiff_t(m_pos + n));
    m_pos += n;
    return true;
}

namespace {
bool validUtf8(Bytes s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const std::uint8_t c = s[i];
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size())
            return false;
        for (std::size_t k = 1; k <= n; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
            || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}
} // namespace

bool Cursor::skipBuffer(const char *what, bool utf8)
{
    const std::size_t at = m_pos;
    std::uint64_t n = 0;
    if (!count(n, 1, what))
        return false;
    if (utf8 && !validUtf8(m_data.subspan(m_pos, n))) {
        m_pos = at;
        return fail(fmt::format("{} (valid UTF-8)", what), "invalid UTF-8");
    }
    m_pos += n;
    return true;
}

bool Cursor::string(std::string &v, const char *what)
{
    const std::size_t at = m_pos;
    ByteVector b;
    if (!byteBuffer(b, what))
        return false;
    if (!validUtf8(b)) {
        m_pos = at;
        return fail(fmt::format("{} (valid UTF-8)", what), "invalid UTF-8");
    }
    v.assign(b.begin(), b.end());
    return true;
}

} // namespace layerscope
