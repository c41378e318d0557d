#pragma once

#include <layerscope/format/blob.h>
#include <layerscope/format/summary.h>
#include <layerscope/format/value.h>
#include <layerscope/index/btree.h>

#include <cstdio>
#include <memory>
#include <string>

namespace layerscope {

/// Where a writer puts its bytes: a growing buffer or a file.
class OutputSink
{
public:
    virtual ~OutputSink() = default;
    virtual Status append(Bytes bytes) = 0;
    virtual Status writeAt(FileOffset offset, Bytes bytes) = 0;
    virtual FileOffset size() const = 0;
};

class MemorySink final : public OutputSink
{
public:
    Status append(Bytes bytes) override;
    Status writeAt(FileOffset offset, Bytes bytes) override;
    FileOffset size() const override { return m_data.size(); }
    ByteVector &data() { return m_data; }

private:
    ByteVector m_data;
};

/// Writes `path + ".___temp"`-style temp file; commit() fsyncs, renames over `path` and
/// fsyncs the directory. Destroying an uncommitted sink removes the temp file.
class AtomicFileSink final : public OutputSink
{
public:
    static Result<std::unique_ptr<AtomicFileSink>> create(const std::string &path);
    ~AtomicFileSink() override;
    Status append(Bytes bytes) override;
    Status writeAt(FileOffset offset, Bytes bytes) override;
    FileOffset size() const override { return m_size; }
    Status commit();
    const std::string &tempPath() const { return m_temp; }

private:
    AtomicFileSink(std::string path, std::string temp, int fd);
    Status flushBuffer();
    std::string m_path;
    std::string m_temp;
    int m_fd;
    FileOffset m_size = 0;
    ByteVector m_buffer;
    bool m_committed = false;
};

/// Streams a layer: blobs first (from block 1), then the index, then the summary in block 0.
/// Entries must come in strictly increasing index-key order. Not thread-safe.
class LayerWriter
{
public:
    /// `summary` supplies kind, ids, key range and LSNs; index fields are filled by finish().
    LayerWriter(const Summary &summary, OutputSink &sink);

    /// Image entry; `compression` as for appendBlob.
    Status addImage(const Key &key, Bytes payload, Compression compression = Compression::None);
    /// Delta entry; will_init is taken from the value.
    Status addDelta(const Key &key, Lsn lsn, const Value &value,
                    Compression compression = Compression::None);
    /// Copies a blob verbatim (header + payload) with the given index key and leaf bit.
    Status addRawBlob(const IndexKey &key, Bytes headerAndPayload, bool willInit);

    /// Pads the value area, writes the index and the summary. Returns the final summary.
    Result<Summary> finish();
    std::uint64_t entryCount() const { return m_entries; }

private:
    Status addBlob(const IndexKey &key, const ByteVector &blob, bool willInit);
    Summary m_summary;
    OutputSink &m_sink;
    struct PendingIndex
    {
        ByteVector blocks;
    } m_index;
    BTreeBuilder m_builder;
    ByteVector m_scratch;
    std::uint64_t m_entries = 0;
    bool m_failed = false;
};

} // namespace layerscope
