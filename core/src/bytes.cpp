#include "layerscope/bytes.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace layerscope {

std::string Error::message() const
{
    if (found.empty())
        return fmt::format("at offset {}: expected {}", offset, expected);
    return fmt::format("at offset {}: expected {}, found {}", offset, expected, found);
}

Error makeError(FileOffset offset, std::string expected, std::string found, ErrorKind kind)
{
    return Error{offset, std::move(expected), std::move(found), kind};
}

std::pair<std::uint64_t, std::uint64_t> ByteSource::dataRange(std::uint64_t offset) const
{
    return {std::min(offset, size()), size()};
}

void ByteSource::release(std::uint64_t, std::uint64_t) const {}

namespace {
const char *fileTypeName(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    return "not a regular file";
}
} // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string &path)
{
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked right after.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return makeError(0, "a readable file", fmt::format("{} ({})", path, std::strerror(errno)),
                         ErrorKind::Io);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return makeError(0, "a readable file", fmt::format("{} ({})", path, std::strerror(err)),
                         ErrorKind::Io);
    }
    std::uint64_t size64 = std::uint64_t(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        if (::ioctl(fd, BLKGETSIZE64, &size64) != 0) {
            const int err = errno;
            ::close(fd);
            return makeError(0, "a readable block device",
                             fmt::format("{} ({})", path, std::strerror(err)), ErrorKind::Io);
        }
    } else if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(0, "a regular file or a block device",
                         fmt::format("{} ({})", path, fileTypeName(st.st_mode)),
                         ErrorKind::NotRegularFile);
    }
    const auto size = std::size_t(size64);
    const std::uint8_t *data = nullptr;
    if (size > 0) {
        void *p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            return makeError(0, "a mappable file", fmt::format("{} ({})", path, std::strerror(err)),
                             ErrorKind::Io);
        }
        data = static_cast<const std::uint8_t *>(p);
    }
    return std::shared_ptr<MappedFile>(new MappedFile(path, fd, data, size));
}

MappedFile::MappedFile(std::string path, int fd, const std::uint8_t *data, std::size_t size)
    : m_path(std::move(path)), m_fd(fd), m_data(data), m_size(size)
{}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<std::uint8_t *>(m_data), m_size);
    ::close(m_fd);
}

std::pair<std::uint64_t, std::uint64_t> MappedFile::dataRange(std::uint64_t offset) const
{
    if (offset >= m_size)
        return {m_size, m_size};
    const off_t data = ::lseek(m_fd, off_t(offset), SEEK_DATA);
    if (data < 0)
        // ENXIO: only a hole remains; any other error: no hole information, read everything.
        return errno == ENXIO ? std::pair{std::uint64_t(m_size), std::uint64_t(m_size)}
                              : std::pair{offset, std::uint64_t(m_size)};
    const off_t hole = ::lseek(m_fd, data, SEEK_HOLE);
    const std::uint64_t end = hole < 0 ? m_size : std::min<std::uint64_t>(std::uint64_t(hole), m_size);
    return {std::min<std::uint64_t>(std::uint64_t(data), m_size), end};
}

void MappedFile::release(std::uint64_t offset, std::uint64_t length) const
{
    static const std::uint64_t page = std::uint64_t(::sysconf(_SC_PAGESIZE));
    const std::uint64_t end = std::min<std::uint64_t>(offset + length, m_size);
    const std::uint64_t first = (offset + page - 1) / page * page;
    const std::uint64_t last = end / page * page;
    if (m_data && last > first)
        ::madvise(const_cast<std::uint8_t *>(m_data) + first, last - first, MADV_DONTNEED);
}

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
std::string hexWith(Bytes bytes, const char *digits)
{
    std::string s(bytes.size() * 2, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        s[2 * i] = digits[bytes[i] >> 4];
        s[2 * i + 1] = digits[bytes[i] & 15];
    }
    return s;
}
} // namespace

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
    return hexWith(bytes, "0123456789abcdef");
}
std::string toHexUpper(Bytes bytes)
{
    return hexWith(bytes, "0123456789ABCDEF");
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
    if (!m_failed) {
        m_failed = true;
        m_error = makeError(at, std::move(expected), std::move(found));
    }
    return false;
}

bool Cursor::needFailed(std::size_t n, const char *what)
{
    if (m_failed)
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
