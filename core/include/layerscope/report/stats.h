#pragma once

#include <layerscope/format/layer.h>
#include <layerscope/report/table.h>

#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace layerscope {

/// Entries and bytes of one group. `storedBytes` counts blob headers and payloads as on disk;
/// `payloadBytes` the payloads after decompression.
struct ByteCount
{
    std::uint64_t entries = 0;
    std::uint64_t storedBytes = 0;
    std::uint64_t payloadBytes = 0;
    void add(std::uint64_t stored, std::uint64_t payload)
    {
        ++entries;
        storedBytes += stored;
        payloadBytes += payload;
    }
    void add(const ByteCount &o)
    {
        entries += o.entries;
        storedBytes += o.storedBytes;
        payloadBytes += o.payloadBytes;
    }
};

/// One B-tree level (0 = leaves): nodes, bytes they use of their 8 KiB, entries.
struct LevelStats
{
    std::uint64_t nodes = 0;
    std::uint64_t usedBytes = 0;
    std::uint64_t entries = 0;
    double fill() const { return nodes ? double(usedBytes) / double(nodes * 8192) : 0.0; }
};

/// Where a layer's bytes go (one layer, or several summed with mergeStats).
struct LayerStats
{
    static constexpr std::size_t kSizeBuckets = 40;
    static constexpr std::size_t kTopRelations = 20;

    std::uint64_t layers = 0;
    std::uint64_t fileBytes = 0;
    std::uint64_t summaryBytes = 0;  ///< block 0
    std::uint64_t valueAreaBytes = 0;  ///< [8192, index start): blobs and padding
    std::uint64_t indexBytes = 0;      ///< index start to the end of the file
    ByteCount total;
    /// By key category: "relation main", "relation fsm", "relation vm", "relation init",
    /// "rel size", "slru clog", "slru multixact members", "slru multixact offsets", "slru
    /// segment size", "slru dir", "dbdir", "reldir", "relmap", "twophase", "checkpoint",
    /// "control file", "aux v1", "aux v2", "repl origin", "metadata", "other".
    std::map<std::string, ByteCount> categories;
    /// Relations ("spc/db/rel") by stored bytes; all of them while counting, the top
    /// kTopRelations after finishStats.
    std::map<std::string, ByteCount> relations;
    /// Blob sizes as stored (header + payload): bucket b counts sizes in [2^b, 2^(b+1)).
    std::array<std::uint64_t, kSizeBuckets> blobSizes{};
    ByteCount images;
    ByteCount walRecords;
    /// NeonWalRecord variant names, and Postgres resource managers of "Postgres" records.
    std::map<std::string, std::uint64_t> recordKinds;
    std::map<std::string, std::uint64_t> rmgrs;
    ByteCount zstd;   ///< blobs stored with zstd
    ByteCount plain;  ///< blobs stored as they are
    std::vector<LevelStats> levels;  ///< index 0 = leaves
    std::uint64_t prefixSavedBytes = 0;  ///< key bytes the per-node prefix saves
    /// Deltas: how many versions (LSNs) each key has; bucket b counts keys with [2^b, 2^(b+1)).
    std::array<std::uint64_t, 24> versionsPerKey{};
    std::uint64_t keys = 0;  ///< distinct keys
    /// Deltas: keys with a run of more than `chainThreshold` records after their last
    /// will_init value (what a read at the top LSN replays).
    std::uint64_t longChains = 0;
    std::uint32_t chainThreshold = 0;
    std::uint64_t unreadableValues = 0;  ///< blobs that could not be read (counted, not sized)
};

struct StatsOptions
{
    std::uint32_t chainThreshold = 16;
    /// Threads reading the entries (0: one per core). The report does not depend on it.
    unsigned threads = 0;
    /// Gets entries done and the blob offset reached (blobs lie in key order, so `at` over
    /// the index start approximates the share done), on the calling thread after each run of
    /// about 16,384 entries; returns false to cancel (error "cancelled").
    std::function<bool(std::uint64_t entries, FileOffset at)> progress;
};

/// The key category name of `key` (one of LayerStats::categories' names).
std::string keyCategory(const Key &key);

/// Walks the index once, then reads every blob (decompressing zstd ones, scanning each value)
/// on `options.threads` threads. Errors: the index cannot be walked (offset at fault), or the
/// progress callback cancelled; unreadable blobs are counted.
Result<LayerStats> computeStats(const Layer &layer, const StatsOptions &options = {});
/// Adds `one` to `total` (directories); call finishStats on the total afterwards.
void mergeStats(LayerStats &total, const LayerStats &one);
/// Keeps the kTopRelations largest relations.
void finishStats(LayerStats &stats);

/// The report as tables, in reading order: "overview", "file", "categories", "relations",
/// "values", "record_kinds", "rmgrs", "compression", "blob_sizes", "index_levels",
/// "versions_per_key" (tables with nothing to show are left out). Groups are sorted by stored
/// bytes, largest first. The CLI prints and exports these; the GUI charts them.
std::vector<Table> statsTables(const LayerStats &stats);
/// One row per layer of a directory: file, entries, keys, file bytes, index share.
Table layersTable(const std::vector<std::pair<std::string, LayerStats>> &layers);

} // namespace layerscope
