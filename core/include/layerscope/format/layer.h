#pragma once

#include <layerscope/base/bytes.h>
#include <layerscope/format/blob.h>
#include <layerscope/format/summary.h>
#include <layerscope/format/value.h>
#include <layerscope/index/btree.h>
#include <layerscope/io/byte_source.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// One leaf entry of a layer's index, interpreted for the layer kind.
struct Entry
{
    IndexKey indexKey;
    Key key;
    Lsn lsn;                  ///< delta only
    std::uint64_t raw = 0;    ///< the 40-bit leaf value
    FileOffset blobOffset = 0;
    bool willInit = false;    ///< delta only (BlobRef bit)
};

/// An opened layer file. Shares ownership of its ByteSource; nothing beyond block 0 is read
/// at open. Cheap to copy. Thread-safe for concurrent reads.
class Layer
{
public:
    /// Errors: file shorter than 8192 bytes, unknown magic, or index_start_blk/root outside the
    /// file (offset of the summary field at fault).
    static Result<Layer> open(std::shared_ptr<const ByteSource> source);
    static Result<Layer> openFile(const std::string &path);
    /// Opens whatever can be read of a damaged file, for a reduced view: the summary as it
    /// decodes (zero-padded when the file is shorter than a block), or, with an unreadable
    /// magic, read with the kind of `fileName` when it is a layer name, else an empty image
    /// summary. Index fields are kept as they are, even when they point beyond the file (tree()
    /// then reports errors). Appends one sentence per thing found wrong to `notes`; never fails.
    static Layer openDamaged(std::shared_ptr<const ByteSource> source, const std::string &fileName,
                             std::vector<std::string> &notes);

    const Summary &summary() const { return m_summary; }
    LayerKind kind() const { return m_summary.kind; }
    Bytes bytes() const { return m_source->bytes(); }
    std::uint64_t fileSize() const { return m_source->size(); }
    const std::string &name() const { return m_source->name(); }
    const std::shared_ptr<const ByteSource> &source() const { return m_source; }

    BTreeReader tree() const;
    /// [8192, index_start_blk·8192) clamped to the file.
    FileOffset valuesStart() const { return kBlockSize; }
    FileOffset valuesEnd() const;

    Entry entry(const IndexKey &key, std::uint64_t raw) const;
    Result<BlobHeader> blobHeader(const Entry &e) const;
    /// Decompressed payload of an entry's blob.
    Result<ByteVector> payload(const Entry &e) const;
    /// Delta: the decoded Value; image: Value{image payload}.
    Result<Value> value(const Entry &e) const;

    /// All entries in index order; stops on the first error. For tools and tests.
    Result<std::vector<Entry>> entries() const;

private:
    Layer(std::shared_ptr<const ByteSource> source, Summary summary)
        : m_source(std::move(source)), m_summary(summary)
    {}
    std::shared_ptr<const ByteSource> m_source;
    Summary m_summary;
};

/// Builds a delta index key (key ‖ lsn BE).
IndexKey deltaIndexKey(const Key &key, Lsn lsn);
IndexKey imageIndexKey(const Key &key);
/// Parses "KEY" or "KEY@LSN" (36 hex; LSN as X/Y or hex; surrounding spaces ignored) into the
/// index key to search from: image layers ignore the LSN, delta layers use LSN 0 when none is
/// given. nullopt on a bad key, or a bad LSN for a delta layer.
std::optional<IndexKey> parseIndexKey(std::string_view text, LayerKind kind);

} // namespace layerscope
