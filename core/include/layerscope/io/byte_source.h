#pragma once

#include <layerscope/base/bytes.h>

#include <memory>
#include <string>
#include <utility>

namespace layerscope {

/// Read-only bytes of a layer: a whole file mapped into memory, or a buffer.
/// Implementations own the bytes; spans handed out stay valid while the source lives.
class ByteSource
{
public:
    virtual ~ByteSource() = default;
    virtual Bytes bytes() const = 0;
    /// File path or a label, for error messages.
    virtual const std::string &name() const = 0;
    std::uint64_t size() const { return bytes().size(); }
    /// The data range at or after `offset`: [first, end) may hold non-zero bytes, everything in
    /// [offset, first) is a hole that reads as zeros. {size, size} when only holes remain. The
    /// default (no hole information) returns {offset, size}.
    virtual std::pair<std::uint64_t, std::uint64_t> dataRange(std::uint64_t offset) const;
    /// Hint that [offset, offset + length) will not be read again soon: a mapped file gives
    /// those pages back (the page cache keeps them), bounding resident memory. Never fails.
    virtual void release(std::uint64_t offset, std::uint64_t length) const;
    /// Hint that [offset, offset + length) is about to be read in order (a whole-file pass):
    /// a remote source fetches ahead. Never fails; the default does nothing.
    virtual void willRead(std::uint64_t offset, std::uint64_t length) const;
};

/// A file mapped read-only with mmap. Opening costs the same for any file size. Only regular
/// files and block devices are opened; the file is opened non-blocking, so a FIFO is refused
/// instead of waiting for a writer.
class MappedFile final : public ByteSource
{
public:
    /// Errors (offset 0) name the path and errno text (kind Io), or say what else the path is
    /// (kind NotRegularFile); an empty file maps to an empty span.
    static Result<std::shared_ptr<MappedFile>> open(const std::string &path);
    ~MappedFile() override;
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    Bytes bytes() const override { return {m_data, m_size}; }
    const std::string &name() const override { return m_path; }
    /// Holes found with SEEK_DATA / SEEK_HOLE (sparse files).
    std::pair<std::uint64_t, std::uint64_t> dataRange(std::uint64_t offset) const override;
    /// madvise(MADV_DONTNEED) of the whole pages inside the range.
    void release(std::uint64_t offset, std::uint64_t length) const override;

private:
    MappedFile(std::string path, int fd, const std::uint8_t *data, std::size_t size);
    std::string m_path;
    int m_fd;
    const std::uint8_t *m_data;
    std::size_t m_size;
};

/// Bytes owned by someone else, seen as a source (the caller keeps them alive).
class ViewSource final : public ByteSource
{
public:
    explicit ViewSource(Bytes bytes, std::string name = "<memory>")
        : m_bytes(bytes)
        , m_name(std::move(name))
    {}
    Bytes bytes() const override { return m_bytes; }
    const std::string &name() const override { return m_name; }

private:
    Bytes m_bytes;
    std::string m_name;
};

/// Bytes held in memory (tests, generated layers).
class MemorySource final : public ByteSource
{
public:
    explicit MemorySource(ByteVector data, std::string name = "<memory>")
        : m_data(std::move(data))
        , m_name(std::move(name))
    {}
    Bytes bytes() const override { return m_data; }
    const std::string &name() const override { return m_name; }

private:
    ByteVector m_data;
    std::string m_name;
};

} // namespace layerscope
