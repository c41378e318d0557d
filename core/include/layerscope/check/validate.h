#pragma once

#include <layerscope/format/blob.h>
#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>
#include <layerscope/format/problem.h>
#include <layerscope/format/summary.h>
#include <layerscope/index/leaf_scan.h>
#include <layerscope/io/byte_source.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

struct ValidateOptions
{
    /// The file's name (no directory), checked against the summary when not empty.
    std::string fileName;
    /// Opt-in Postgres page checks on 8 KiB images of relation keys.
    bool pages = false;
    /// At most this many problems are kept in `problems` (memory bound); counts stay exact.
    /// When more are found, info problems go first, then warnings: an error is never dropped
    /// for a warning or an info problem. Within a severity, repeats go before variety: the
    /// n-th problem of a check is dropped before the first (then second...) of any other, so
    /// every check that found something is listed while the cap allows.
    std::size_t maxProblems = 100000;
    /// Threads for the leaf work (entries, blobs, values); 1 = this thread only. The tree's
    /// structure is walked once on the calling thread; its leaves are then checked in runs of
    /// about `taskEntries` entries on the threads and merged in index order, so the report is
    /// the same, problem for problem and in the same order, whatever the thread count.
    unsigned threads = 1;
    std::uint64_t taskEntries = 4096;
    /// Gets (work done, work total); returns false to cancel.
    std::function<bool(std::uint64_t, std::uint64_t)> progress;
};

/// How many problems one check found at one severity, whether or not all are listed.
struct CheckTally
{
    std::string check;
    Severity severity = Severity::Error;
    std::uint64_t count = 0;
    FileOffset firstOffset = 0;  ///< lowest offset among them
};

struct ValidationReport
{
    std::vector<Problem> problems;  ///< sorted by offset; at most maxProblems (see `truncated`)
    std::vector<CheckTally> tallies;  ///< every check that found something, errors first
    std::uint64_t entriesChecked = 0;
    std::uint64_t nodesChecked = 0;
    /// Exact counts of everything found, listed or not.
    std::uint64_t errors = 0;
    std::uint64_t warnings = 0;
    std::uint64_t infos = 0;
    /// Some problems were found but not kept in `problems` (counts above still include them).
    bool truncated = false;
    bool cancelled = false;
    /// True when Neon's reader could be affected: any error or warning.
    bool clean() const { return errors == 0 && warnings == 0; }
};

/// Checks every invariant of FORMAT.md §12 it can reach and does not stop at the first problem.
/// Work and memory are bounded: cycles, shared children, huge counts and lengths are reported,
/// never followed twice or allocated; holes of a sparse file are skipped, not read; pages the
/// walk has finished with are released (ByteSource::release). Never throws.
ValidationReport validateLayer(const ByteSource &file, const ValidateOptions &options = {});
/// The same over bytes in memory.
ValidationReport validateLayer(Bytes file, const ValidateOptions &options = {});

/// One leaf entry as the blob checks see it.
struct EntryRef
{
    std::uint64_t position = 0;  ///< in index order
    Key key;
    Lsn lsn;                     ///< delta only
    std::uint32_t block = 0;     ///< leaf, relative to index_start_blk
    FileOffset blobAt = 0;
    bool willInit = false;       ///< the BlobRef bit (delta)
    FileOffset valueAt = 0;      ///< the leaf value's 5 bytes
    FileOffset keyAt = 0;        ///< the index key's suffix in its leaf (0: not known)
    std::uint64_t keyLen = 0;    ///< the suffix's length
};

/// A whole Postgres record that touches more than one block: Neon files a copy of it under each
/// block's key, every copy at the same LSN. xl_prev and xl_crc tell one record from another.
struct RecordCopy
{
    std::uint64_t prev = 0;  ///< xl_prev
    std::uint32_t crc = 0;   ///< xl_crc
};

/// What the blob checks learned about an entry.
struct BlobFacts
{
    std::optional<BlobHeader> header;   ///< when the header reads
    std::optional<bool> valueWillInit;  ///< when the value decodes (delta)
    std::optional<RecordCopy> copy;     ///< when the value is a whole record of 2+ blocks
};

/// Checks an entry's blob: header and compression bits, zstd frame, value grammar and
/// will_init bit (delta), value size for page and size keys, and with `pages` the Postgres
/// page. Appends what it finds to `out` (tagged with the entry). Memory is bounded: an image
/// page is never decompressed past 8 KiB, other values past kMaxDecompressedLen, and values
/// over 8 MiB are decompressed one at a time in the process. Thread-safe. The one definition
/// of "this entry's value can be trusted" (validator and salvage).
BlobFacts checkEntryBlob(Bytes file, const Summary &summary, FileOffset valuesEnd,
                         const EntryRef &entry, bool pages, std::vector<Problem> &out);



} // namespace layerscope
