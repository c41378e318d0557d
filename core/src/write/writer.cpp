#include <layerscope/write/writer.h>

#include <layerscope/format/layer.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace layerscope {

Status MemorySink::append(Bytes bytes)
{
    appendBytes(m_data, bytes);
    return Ok{};
}

Status MemorySink::writeAt(FileOffset offset, Bytes bytes)
{
    if (offset + bytes.size() > m_data.size())
        m_data.resize(offset + bytes.size());
    std::memcpy(m_data.data() + offset, bytes.data(), bytes.size());
    return Ok{};
}

namespace {
Error ioError(const std::string &path, FileOffset offset, const char *what)
{
    return makeError(offset, fmt::format("to {} {}", what, path), std::strerror(errno));
}
std::string dirOf(const std::string &path)
{
    const auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}
} // namespace

Result<std::unique_ptr<AtomicFileSink>> AtomicFileSink::create(const std::string &path)
{
    const std::string temp = path + fmt::format(".{:x}.___temp", ::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ioError(temp, 0, "create");
    return std::unique_ptr<AtomicFileSink>(new AtomicFileSink(path, temp, fd));
}

AtomicFileSink::AtomicFileSink(std::string path, std::string temp, int fd)
    : m_path(std::move(path)), m_temp(std::move(temp)), m_fd(fd)
{}

AtomicFileSink::~AtomicFileSink()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed)
        ::unlink(m_temp.c_str());
}

Status AtomicFileSink::flushBuffer()
{
    const std::uint8_t *p = m_buffer.data();
    std::size_t left = m_buffer.size();
    FileOffset at = m_size - left;
    while (left > 0) {
        const ssize_t n = ::pwrite(m_fd, p, left, off_t(at));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(m_temp, at, "write");
        }
        p += n;
        left -= std::size_t(n);
        at += std::size_t(n);
    }
    m_buffer.clear();
    return Ok{};
}

Status AtomicFileSink::append(Bytes bytes)
{
    appendBytes(m_buffer, bytes);
    m_size += bytes.size();
    if (m_buffer.size() >= (1u << 20))
        return flushBuffer();
    return Ok{};
}

Status AtomicFileSink::writeAt(FileOffset offset, Bytes bytes)
{
    if (auto s = flushBuffer(); !s)
        return s;
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(m_fd, bytes.data() + done, bytes.size() - done,
                                   off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(m_temp, offset + done, "write");
        }
        done += std::size_t(n);
    }
    m_size = std::max<FileOffset>(m_size, offset + bytes.size());
    return Ok{};
}

Status AtomicFileSink::commit()
{
    if (auto s = flushBuffer(); !s)
        return s;
    if (::fsync(m_fd) != 0)
        return ioError(m_temp, 0, "fsync");
    if (::close(m_fd) != 0) {
        m_fd = -1;
        return ioError(m_temp, 0, "close");
    }
    m_fd = -1;
    if (::rename(m_temp.c_str(), m_path.c_str()) != 0)
        return ioError(m_path, 0, "rename the temporary file onto");
    m_committed = true;
    const std::string dir = dirOf(m_path);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        const int rc = ::fsync(dfd);
        ::close(dfd);
        if (rc != 0)
            return ioError(dir, 0, "fsync the directory");
    }
    return Ok{};
}

// ---------------------------------------------------------------------------------------------

LayerWriter::LayerWriter(const Summary &summary, OutputSink &sink)
    : m_summary(summary)
    , m_sink(sink)
    , m_builder(summary.indexKeyLen(),
                [this](const ByteVector &block) { appendBytes(m_index.blocks, block); })
{
    m_summary.magic = summary.kind == LayerKind::Image ? kImageMagic : kDeltaMagic;
    if (summary.kind == LayerKind::Image)
        m_summary.lsnEnd = Lsn{};  // not stored in image summaries
    const ByteVector zeros(kBlockSize, 0);
    if (auto s = m_sink.append(zeros); !s)
        m_failed = true;
}

Status LayerWriter::addBlob(const IndexKey &key, const ByteVector &blob, bool willInit)
{
    if (m_failed)
        return makeError(m_sink.size(), "a writer without earlier errors", "a failed writer");
    const FileOffset offset = m_sink.size();
    const std::uint64_t leaf = m_summary.kind == LayerKind::Delta
                                   ? (offset << 1) | (willInit ? 1 : 0)
                                   : offset;
    if (auto s = m_builder.append(key.view(), leaf); !s) {
        Error e = s.error();
        e.offset = offset;
        return e;
    }
    if (auto s = m_sink.append(blob); !s) {
        m_failed = true;
        return s;
    }
    ++m_entries;
    return Ok{};
}

Status LayerWriter::addImage(const Key &key, Bytes payload, Compression compression)
{
    if (payload.size() > kMaxBlobLenHead)
        return makeError(m_sink.size(), "a blob of at most 0x0FFFFFFF bytes",
                         fmt::format("{} bytes", payload.size()));
    m_scratch.clear();
    appendBlob(m_scratch, payload, compression);
    return addBlob(imageIndexKey(key), m_scratch, true);
}

Status LayerWriter::addDelta(const Key &key, Lsn lsn, const Value &value, Compression compression)
{
    const ByteVector encoded = encodeValue(value);
    if (encoded.size() > kMaxBlobLenHead)
        return makeError(m_sink.size(), "a blob of at most 0x0FFFFFFF bytes",
                         fmt::format("{} bytes", encoded.size()));
    m_scratch.clear();
    appendBlob(m_scratch, encoded, compression);
    return addBlob(deltaIndexKey(key, lsn), m_scratch, value.willInit());
}

Status LayerWriter::addRawBlob(const IndexKey &key, Bytes headerAndPayload, bool willInit)
{
    m_scratch.assign(headerAndPayload.begin(), headerAndPayload.end());
    return addBlob(key, m_scratch, willInit);
}

Result<Summary> LayerWriter::finish()
{
    if (m_failed)
        return makeError(m_sink.size(), "a writer without earlier errors", "a failed writer");
    auto root = m_builder.finish();
    if (!root)
        return root.error();
    const FileOffset end = m_sink.size();
    const std::uint64_t indexStart = (end + kBlockSize - 1) / kBlockSize;
    if (indexStart > 0xFFFFFFFFu)
        return makeError(end, "a value area below 2^32 blocks", "more");
    const ByteVector pad(indexStart * kBlockSize - end, 0);
    if (auto s = m_sink.append(pad); !s)
        return s.error();
    if (auto s = m_sink.append(m_index.blocks); !s)
        return s.error();
    m_summary.indexStartBlk = std::uint32_t(indexStart);
    m_summary.indexRootBlk = *root;
    if (auto s = m_sink.writeAt(0, m_summary.encode()); !s)
        return s.error();
    return m_summary;
}

} // namespace layerscope
