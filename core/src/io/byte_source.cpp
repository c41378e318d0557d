#include <layerscope/io/byte_source.h>

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

std::pair<std::uint64_t, std::uint64_t> ByteSource::dataRange(std::uint64_t offset) const
{
    return {std::min(offset, size()), size()};
}

void ByteSource::release(std::uint64_t, std::uint64_t) const {}

void ByteSource::willRead(std::uint64_t, std::uint64_t) const {}

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
        return pathError("a readable file", fmt::format("{} ({})", path, std::strerror(errno)),
                         ErrorKind::Io);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return pathError("a readable file", fmt::format("{} ({})", path, std::strerror(err)),
                         ErrorKind::Io);
    }
    std::uint64_t size64 = std::uint64_t(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        if (::ioctl(fd, BLKGETSIZE64, &size64) != 0) {
            const int err = errno;
            ::close(fd);
            return pathError("a readable block device",
                             fmt::format("{} ({})", path, std::strerror(err)), ErrorKind::Io);
        }
    } else if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return pathError("a regular file or a block device",
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
            return pathError("a mappable file", fmt::format("{} ({})", path, std::strerror(err)),
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

} // namespace layerscope
