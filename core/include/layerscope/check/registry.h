#pragma once

// The one table of every check id: its severity, its group, what it means and which bytes a
// problem of it names. The validator, salvage, the timeline and replay checks build their
// problems through `checkInfo("id")`, which refuses at compile time an id the table does not
// hold; `layerctl check --list-checks`, the Problems pane's tooltips, the man page and the
// user guide's table read it. Adding a check is one row here.

#include <layerscope/format/problem.h>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace layerscope {

/// What a check looks at, in the order the table lists them.
enum class CheckGroup : std::uint8_t {
    File,
    Summary,
    Index,
    Entry,
    Blob,
    Value,
    Record,
    Page,
    Timeline,
    Shards,
    Redo
};
const char *checkGroupName(CheckGroup g);

struct CheckInfo
{
    std::string_view id; ///< stable kebab-case id, as reports print it
    Severity severity;   ///< the severity it is reported with
    /// A second severity for a weaker case of the same fault (`meaning` says when), if any.
    std::optional<Severity> weaker;
    CheckGroup group;
    std::string_view meaning; ///< one line: what was found and why it matters to Neon's reader
    std::string_view bytes;   ///< the bytes a problem of this check names (its offset and length)
};

// A table: one row per check, as the documents print it.
// clang-format off
inline constexpr CheckInfo kChecks[] = {
    // File and block 0.
    {"file-size", Severity::Error, {}, CheckGroup::File,
     "shorter than a block or not a multiple of 8192: Neon cannot read the last block",
     "the file's end, or the summary field that points past it"},
    {"summary-magic", Severity::Error, {}, CheckGroup::Summary, "not a layer: nothing can be read",
     "the summary's magic (block 0, bytes 0-3)"},
    {"summary-version", Severity::Error, {}, CheckGroup::Summary, "Neon refuses any format version but 3",
     "the summary's format_version"},
    {"summary-key-range", Severity::Error, {}, CheckGroup::Summary,
     "an empty or reversed key range: Neon's layer map breaks", "the summary's key_range"},
    {"summary-lsn-range", Severity::Error, {}, CheckGroup::Summary,
     "an empty or reversed LSN range: Neon's layer map breaks", "the summary's lsn_range (or image LSN)"},
    {"summary-padding", Severity::Warning, {}, CheckGroup::Summary,
     "bytes after the summary that Neon never writes: damage in block 0", "the first non-zero byte after the summary"},
    {"file-name", Severity::Error, Severity::Warning, CheckGroup::Summary,
     "the name and the summary disagree (error: Neon trusts the name for its layer map); a name "
     "that is no layer name is a warning (Neon would not load the file)",
     "the summary's key range or LSN that the name contradicts"},
    {"empty-layer", Severity::Error, {}, CheckGroup::Summary, "Neon never writes a layer without entries",
     "the index root"},
    {"seed-incompatible", Severity::Info, {}, CheckGroup::Summary,
     "readable, but unknown to SEED-era Neon (a HEAD-only record kind or layout)",
     "the first field SEED-era Neon would not know"},
    // The index.
    {"index-start", Severity::Error, {}, CheckGroup::Index,
     "the index cannot be found: \"btree node beyond file\"", "the summary's index_start_blk"},
    {"index-root", Severity::Error, {}, CheckGroup::Index,
     "the root cannot be found: \"btree node beyond file\"", "the summary's index_root_blk"},
    {"index-root-not-last", Severity::Warning, {}, CheckGroup::Index,
     "Neon writes the root last: appended or moved blocks", "the summary's index_root_blk"},
    {"index-unreachable", Severity::Warning, {}, CheckGroup::Index,
     "index blocks no path reaches: appended, copied or orphaned nodes", "the unreachable blocks"},
    {"node-header", Severity::Error, {}, CheckGroup::Index,
     "a node header that does not describe a node: the tree cannot be walked", "the node's 5-byte header"},
    {"node-marker", Severity::Error, {}, CheckGroup::Index,
     "a node's level or marker byte is not what Neon writes: the tree cannot be walked", "the node's header"},
    {"node-level", Severity::Error, {}, CheckGroup::Index,
     "a child at the wrong level (or a leaf above level 0): the tree cannot be walked as Neon walks it",
     "the child's level byte, with the pointer that led to it"},
    {"node-child-range", Severity::Error, {}, CheckGroup::Index,
     "a child pointer outside the index: \"btree node beyond file\"", "the parent's child pointer"},
    {"node-cycle", Severity::Error, {}, CheckGroup::Index,
     "a child pointer back to a node on its own path: Neon's walk never ends", "the parent's child pointer"},
    {"node-shared", Severity::Error, {}, CheckGroup::Index,
     "two pointers to one node: its entries are read twice", "the second pointer to the node"},
    {"node-depth", Severity::Error, {}, CheckGroup::Index,
     "a tree deeper than any Neon builds: a damaged level", "the pointer that goes too deep"},
    {"node-key-order", Severity::Error, {}, CheckGroup::Index,
     "keys out of order inside a node: searches skip entries", "the key out of order"},
    {"node-separator", Severity::Error, Severity::Warning, CheckGroup::Index,
     "a separator above its child's first key (error: searches skip entries), or one that differs "
     "from it without being above (warning: Neon stores the child's first key)",
     "the separator in the parent, with the child's first key"},
    {"node-padding", Severity::Warning, {}, CheckGroup::Index,
     "bytes after a node's entries that Neon never writes", "the first non-zero byte after the entries"},
    {"node-full", Severity::Info, {}, CheckGroup::Index,
     "a node using all 8192 bytes (Neon's builder stops at 8191); readable", "the node"},
    // Leaf entries.
    {"key-order", Severity::Error, {}, CheckGroup::Entry, "leaf keys out of order: searches skip entries",
     "the entry's key"},
    {"key-range", Severity::Error, {}, CheckGroup::Entry,
     "an entry outside the summary's key range is invisible to Neon's reads", "the entry's key"},
    {"lsn-range", Severity::Error, {}, CheckGroup::Entry,
     "an entry outside the summary's LSN range is invisible to Neon's reads", "the entry's LSN"},
    {"key-class", Severity::Warning, {}, CheckGroup::Entry,
     "a key Neon never writes: of no class, a tablespace other than 0/1663/1664, a field2 outside "
     "Neon's key encoding, a fork above 3, an SLRU page of 32 or more or a segment past the SLRU's last",
     "the entry's key"},
    {"leaf-value", Severity::Error, {}, CheckGroup::Entry, "an entry's value points outside the value area",
     "the leaf value's 5 bytes"},
    {"blob-offset", Severity::Error, {}, CheckGroup::Entry, "an entry's blob begins outside the value area",
     "the leaf value's 5 bytes"},
    {"key-wrong-shard", Severity::Error, {}, CheckGroup::Entry,
     "a key the layer's shard may not hold (Neon's rule: it is another shard's, and not one every "
     "shard keeps) in an image or non-L0 delta: a stray key written to the wrong shard",
     "the entry's key"},
    {"shard-inherited-keys", Severity::Info, {}, CheckGroup::Entry,
     "keys other shards own in an L0 delta, inherited from the parent shard at a split: allowed, "
     "counted",
     "the first such key"},
    // Blobs.
    {"blob-length", Severity::Error, {}, CheckGroup::Blob,
     "a blob length that runs past the values: \"deserialize error\"", "the blob's length header"},
    {"blob-compression", Severity::Error, {}, CheckGroup::Blob,
     "reserved compression bits in a blob header: \"deserialize error\"", "the blob's length header"},
    {"blob-zstd", Severity::Error, {}, CheckGroup::Blob,
     "a zstd blob that does not decompress: \"deserialize error\"", "the blob's payload"},
    {"blob-zstd-magic", Severity::Warning, {}, CheckGroup::Blob,
     "stored plain but holding a zstd frame: a lost compression bit serves compressed bytes as a value",
     "the blob's header, with the zstd magic"},
    {"blob-overlap", Severity::Error, {}, CheckGroup::Blob,
     "two entries share bytes: at least one reads the wrong value", "the later blob's header"},
    {"blob-order", Severity::Error, {}, CheckGroup::Blob,
     "a blob before the previous entry's: a pointer changed and one entry reads the wrong value",
     "the blob's header"},
    {"blob-gap", Severity::Warning, {}, CheckGroup::Blob,
     "Neon packs blobs back to back: a length or pointer changed", "the bytes between two blobs"},
    {"blob-header-canonical", Severity::Info, {}, CheckGroup::Blob,
     "a blob header in a form Neon reads but its writer never produces (counted, one line)",
     "the first such header"},
    {"values-end", Severity::Warning, {}, CheckGroup::Blob,
     "the values end more than a block before the index (a gap no Neon writer leaves) or after it",
     "the summary's index_start_blk, with the last blob's end"},
    {"values-padding", Severity::Warning, {}, CheckGroup::Blob,
     "bytes between the last blob and the index that Neon never writes", "the first non-zero byte"},
    // Values.
    {"value-decode", Severity::Error, {}, CheckGroup::Value,
     "the value cannot be read (\"deserialize error\")", "the byte where decoding failed"},
    {"will-init", Severity::Error, {}, CheckGroup::Value,
     "the BlobRef bit and the value disagree: reconstruction starts at the wrong record",
     "the leaf value's will_init bit"},
    {"sparse-value", Severity::Warning, {}, CheckGroup::Value,
     "a replication origin, v2 relation directory or aux v2 value that is not what Neon writes for "
     "its key (an empty value is a tombstone and fine): Neon's reader fails on it",
     "the blob's header"},
    {"value-size", Severity::Warning, {}, CheckGroup::Value,
     "a relation or SLRU page that is not 8192 bytes (or a size value that is not 4): Postgres cannot "
     "be served it, and Neon's redo wants 8192-byte base images",
     "the blob's header"},
    {"value-key", Severity::Error, {}, CheckGroup::Value,
     "a Neon record applied to the wrong kind of key (a clog record on a relation page...): redo fails",
     "the record's tag"},
    {"record-page", Severity::Error, {}, CheckGroup::Value,
     "a clog, multixact or visibility-map record stored under another page than the one holding its "
     "xids, multixacts, member offsets or heap blocks: redo changes the wrong page",
     "the record's body"},
    {"test-record", Severity::Warning, {}, CheckGroup::Value,
     "NeonWalRecord::Test only exists in Neon's test builds", "the record's tag"},
    {"page-lsn", Severity::Error, {}, CheckGroup::Value,
     "a delta page image newer (pd_lsn) than the LSN it is stored at: no page can be",
     "the image's pd_lsn"},
    // Whole Postgres records.
    {"wal-crc", Severity::Error, {}, CheckGroup::Record,
     "a Postgres record whose xl_crc is not the CRC-32C Postgres computes over it: damaged record "
     "bytes, which Postgres's redo would apply",
     "the record's xl_crc"},
    {"wal-record", Severity::Error, {}, CheckGroup::Record,
     "a Postgres record whose block references and data lengths do not add up as Postgres decodes "
     "them, or whose xl_tot_len alone was damaged",
     "the byte where decoding failed, or xl_tot_len"},
    {"wal-block-key", Severity::Error, {}, CheckGroup::Record,
     "a Postgres record filed under a key that is none of its blocks: the key (or the record) was changed",
     "the record's header"},
    {"wal-lsn", Severity::Error, {}, CheckGroup::Record,
     "a Postgres record stored at an LSN Neon would not file it at (unaligned, before the record "
     "ends, or unlike a copy of it under another block)",
     "the entry's LSN, with xl_prev"},
    {"wal-will-init", Severity::Error, {}, CheckGroup::Record,
     "Postgres.will_init disagrees with the block's WILL_INIT flag or applied image: reconstruction "
     "starts at the wrong record",
     "the block reference's header"},
    // Postgres pages (--pages).
    {"page-header", Severity::Warning, {}, CheckGroup::Page,
     "a Postgres page whose header Postgres would reject (--pages)", "pd_lower, pd_upper, pd_special"},
    {"page-checksum", Severity::Warning, {}, CheckGroup::Page,
     "a Postgres page whose checksum is wrong (--pages)", "pd_checksum"},
    {"page-line-pointer", Severity::Warning, {}, CheckGroup::Page,
     "a line pointer outside the page's tuple space (--pages)", "the page's line pointer array"},
    // A timeline's layers together.
    {"timeline-summary-unreadable", Severity::Error, {}, CheckGroup::Timeline,
     "a layer file on disk that cannot be opened", "the layer (its error names the offset)"},
    {"timeline-name-summary", Severity::Error, {}, CheckGroup::Timeline,
     "a layer's summary contradicts its file name (kind, key range, LSNs)", "the layer"},
    {"timeline-index", Severity::Error, {}, CheckGroup::Timeline,
     "listed in the index but not on disk, on disk but not listed, size or generation different",
     "the layer"},
    {"timeline-image-overlap", Severity::Warning, {}, CheckGroup::Timeline,
     "image layers at one LSN with overlapping key ranges", "the later image layer"},
    {"timeline-lsn-gap", Severity::Warning, Severity::Info, CheckGroup::Timeline,
     "LSNs no delta layer covers between the oldest and newest layer: WAL is lost (an info below "
     "the index's GC cutoff, where GC removes such deltas)",
     "the delta layer after the gap"},
    {"timeline-key-base", Severity::Info, {}, CheckGroup::Timeline,
     "key ranges whose oldest layer is a delta with no image below: their reads end in a will_init "
     "record, in an ancestor timeline, or in \"could not find data\"",
     "the delta layer"},
    {"timeline-key-gap", Severity::Info, {}, CheckGroup::Timeline,
     "key ranges no layer holds at all: reads of them find no data in this timeline", "(the timeline)"},
    {"timeline-temp-file", Severity::Info, {}, CheckGroup::Timeline,
     "a temporary or download file: Neon's layer map does not hold it", "the file"},
    {"timeline-not-layer", Severity::Info, {}, CheckGroup::Timeline, "a file that is not a layer", "the file"},
    // A timeline across the shards of its tenant.
    {"shard-layer-missing", Severity::Error, {}, CheckGroup::Shards,
     "a layer the index lists under another shard (one a split left in the parent shard) is not in "
     "that shard's directory: reads of its keys fail", "the layer, with the shard it is listed under"},
    {"shard-missing", Severity::Error, {}, CheckGroup::Shards,
     "a shard of the tenant's shard count holds no copy of the timeline, or no index of it while the "
     "others have one: its keys cannot be read", "(the missing shard's timeline)"},
    {"shard-ancestry", Severity::Error, {}, CheckGroup::Shards,
     "the shards of one timeline disagree on its ancestor timeline or branch LSN", "(the shard's timeline)"},
    {"shard-lsn-spread", Severity::Info, {}, CheckGroup::Shards,
     "the shards of one timeline are durable to different LSNs (disk_consistent_lsn): normal while "
     "they ingest; the spread is said", "(the shard furthest behind)"},
    // Pages rebuilt from their records (check --redo).
    {"redo-image-differs", Severity::Error, {}, CheckGroup::Redo,
     "an image page differs, masked as Postgres masks pages, from the page its older data rebuilds: "
     "compaction wrote it wrong, or the data below is wrong",
     "the image layer, with the first differing field"},
    {"redo-replay-failed", Severity::Warning, {}, CheckGroup::Redo,
     "the data below an image cannot be replayed (a record kind not built, or one that does not fit)",
     "the image layer"},
    {"redo-unreadable", Severity::Error, {}, CheckGroup::Redo,
     "an image, or the data below it, cannot be read for the comparison", "the layer"},
    {"redo-summary", Severity::Info, {}, CheckGroup::Redo,
     "how many image pages were rebuilt, matched, differed or could not be replayed", "(the timeline)"},
};
// clang-format on

/// Every check, in the table's order.
std::span<const CheckInfo> checkRegistry();
/// The check with this id, or nullptr.
const CheckInfo *findCheck(std::string_view id);

/// The row of a check id, for building its problems; an id the table does not hold does not compile.
consteval const CheckInfo &checkInfo(std::string_view id)
{
    for (const CheckInfo &c : kChecks)
        if (c.id == id)
            return c;
    throw "not a check id: add it to kChecks";
}

/// A check and the severity a problem of it gets: the check's own, or with `weaker` its weaker one.
struct CheckAs
{
    constexpr CheckAs(const CheckInfo &c)
        : info(&c)
        , severity(c.severity)
    {}
    const CheckInfo *info;
    Severity severity;
};
/// `c` at its weaker severity when `yes` (a check without one keeps its own).
constexpr CheckAs weaker(const CheckInfo &c, bool yes = true)
{
    CheckAs as(c);
    if (yes && c.weaker)
        as.severity = *c.weaker;
    return as;
}

/// A problem of check `c` at `offset`/`length`.
Problem makeProblem(CheckAs c, std::string message, FileOffset offset, std::uint64_t length);
/// The same, appended to `out`; the reference is valid until `out` next grows.
Problem &pushProblem(std::vector<Problem> &out,
                     CheckAs c,
                     std::string message,
                     FileOffset offset,
                     std::uint64_t length);

} // namespace layerscope
