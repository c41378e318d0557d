#pragma once

#include <layerscope/format/layer.h>
#include <layerscope/report/table.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// One summary field that differs (names and renderings from the summary dissection).
struct SummaryDifference
{
    std::string field;
    std::string a;
    std::string b;
};

/// One entry that is not the same in both layers.
struct EntryDifference
{
    enum class Kind { OnlyInA, OnlyInB, Changed };
    Kind kind = Kind::Changed;
    std::optional<Entry> a;  ///< set for OnlyInA and Changed
    std::optional<Entry> b;  ///< set for OnlyInB and Changed
    /// Changed: what differs ("payload: 8192 vs 8192 bytes, first difference at byte 1234",
    /// "will_init: true vs false", "A: <error>").
    std::string detail;
};

const char *differenceKindName(EntryDifference::Kind kind);

/// The columns of a difference as a table row: kind, key (hex), LSN, key described, blob
/// offsets in A and B, detail.
std::vector<std::string> differenceColumns();
/// One difference as cells under differenceColumns() (LSN empty for image layers; offsets
/// empty where the entry is absent).
std::vector<TableCell> differenceCells(const EntryDifference &difference, bool delta);

struct DiffReport
{
    /// Summary fields that describe the content (ids, key range, LSNs, magic, version).
    std::vector<SummaryDifference> summary;
    /// Where the index lies (index_start_blk, index_root_blk): a rewrite moves it without
    /// changing what Neon reads, so these never make two layers different.
    std::vector<SummaryDifference> layout;
    std::uint64_t onlyInA = 0;
    std::uint64_t onlyInB = 0;
    std::uint64_t changed = 0;
    std::uint64_t equal = 0;
    /// An image against a delta: entries matched by key only (values not compared).
    bool keysOnly = false;
    bool same() const { return summary.empty() && onlyInA == 0 && onlyInB == 0 && changed == 0; }
};

struct DiffOptions
{
    /// Compare keys only (set automatically when the kinds differ).
    bool keysOnly = false;
    /// Gets the entries compared so far and the blob offset reached in A (in B once A is
    /// done); returns false to cancel (error "cancelled").
    std::function<bool(std::uint64_t entries, FileOffset at)> progress;
};

/// A run of bytes [begin, end) where two values differ.
struct ByteRange
{
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// The runs where `a` and `b` differ, in order; the bytes past the end of the shorter one are
/// one run. At most `maxRuns` are listed: the last one then reaches to the end of the longer.
std::vector<ByteRange> differingRuns(Bytes a, Bytes b, std::size_t maxRuns = 4096);

/// Compares two layers: summaries field by field, then entries by index key (key, and LSN for
/// deltas) in one merge walk over both indexes, each streamed on its own thread in bounded
/// batches (memory does not grow with the layers). Values are compared by content: the
/// decompressed payload and, for deltas, the will_init bit, so zstd and plain storage of the
/// same bytes are equal. `onDifference` gets each difference in key order and returns false to
/// stop listing (counting goes on). Errors: an index that cannot be walked (offset at fault;
/// `*failedLayer` is then 'A' or 'B'); the diff stops there, listing nothing beyond it.
Result<DiffReport> diffLayers(const Layer &a, const Layer &b,
                              const std::function<bool(const EntryDifference &)> &onDifference,
                              const DiffOptions &options = {}, char *failedLayer = nullptr);

} // namespace layerscope
