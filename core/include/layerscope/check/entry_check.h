#pragma once

// The checks of one leaf entry's blob and value, shared by the validator and salvage: the one
// definition of "this entry's value can be trusted".

#include <layerscope/format/blob.h>
#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>
#include <layerscope/format/problem.h>
#include <layerscope/format/summary.h>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace layerscope {

/// One leaf entry as the blob checks see it.
struct EntryRef
{
    std::uint64_t position = 0; ///< in index order
    Key key;
    Lsn lsn;                 ///< delta only
    std::uint32_t block = 0; ///< leaf, relative to index_start_blk
    FileOffset blobAt = 0;
    bool willInit = false;    ///< the BlobRef bit (delta)
    FileOffset valueAt = 0;   ///< the leaf value's 5 bytes
    FileOffset keyAt = 0;     ///< the index key's suffix in its leaf (0: not known)
    std::uint64_t keyLen = 0; ///< the suffix's length
};

/// A whole Postgres record that touches more than one block: Neon files a copy of it under each
/// block's key, every copy at the same LSN. xl_prev and xl_crc tell one record from another.
struct RecordCopy
{
    std::uint64_t prev = 0; ///< xl_prev
    std::uint32_t crc = 0;  ///< xl_crc
};

/// What the blob checks learned about an entry.
struct BlobFacts
{
    std::optional<BlobHeader> header;  ///< when the header reads
    std::optional<bool> valueWillInit; ///< when the value decodes (delta)
    std::optional<RecordCopy> copy;    ///< when the value is a whole record of 2+ blocks
};

/// Checks an entry's blob: header and compression bits, zstd frame, value grammar and
/// will_init bit (delta), value size for page and size keys, and with `pages` the Postgres
/// page. Appends what it finds to `out` (tagged with the entry). Memory is bounded: an image
/// page is never decompressed past 8 KiB, other values past kMaxDecompressedLen, and values
/// over 8 MiB are decompressed one at a time in the process. Thread-safe. The one definition
/// of "this entry's value can be trusted" (validator and salvage).
BlobFacts checkEntryBlob(Bytes file,
                         const Summary &summary,
                         FileOffset valuesEnd,
                         const EntryRef &entry,
                         bool pages,
                         std::vector<Problem> &out);

/// Tags `p` with the entry it concerns (its LSN only in a delta); returns `p`.
Problem &tagEntry(Problem &p, const EntryRef &entry, bool delta);
/// Where an entry's LSN is stored: the last 8 bytes of its index key, as far as they lie in the
/// leaf's suffix; the leaf value when the suffix is not known.
std::pair<FileOffset, std::uint64_t> lsnBytes(const EntryRef &entry);

} // namespace layerscope
