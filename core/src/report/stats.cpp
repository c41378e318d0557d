#include <layerscope/report/stats.h>

#include <layerscope/base/ordered_pool.h>
#include <layerscope/format/blob.h>
#include <layerscope/format/value.h>
#include <layerscope/index/tree_walk.h>

#include <algorithm>
#include <bit>
#include <optional>
#include <thread>
#include <fmt/format.h>

namespace layerscope {

namespace {

/// The NeonWalRecord tag of Postgres records (the variant's index, as on disk).

std::size_t logBucket(std::uint64_t n, std::size_t buckets)
{
    return std::min<std::size_t>(n ? std::size_t(std::bit_width(n) - 1) : 0, buckets - 1);
}

template<class T, class U>
void addMap(std::map<std::string, T> &to, const std::map<std::string, U> &from)
{
    for (const auto &[k, v] : from) {
        if constexpr (std::is_same_v<T, ByteCount>)
            to[k].add(v);
        else
            to[k] += v;
    }
}

/// Counts each node's fill and prefix savings as the walk enters it and gathers the leaves,
/// whose entries the tasks read.
struct StructureVisitor : TreeVisitor
{
    LayerStats &stats;
    std::vector<NodeView> &leaves;

    WalkAction enter(const NodeView &node, const WalkLink &)
    {
        if (stats.levels.size() <= node.level)
            stats.levels.resize(std::size_t(node.level) + 1);
        LevelStats &l = stats.levels[node.level];
        ++l.nodes;
        l.usedBytes += node.usedBytes();
        l.entries += node.count;
        if (node.count > 1)
            stats.prefixSavedBytes += std::uint64_t(node.prefixLen) * (node.count - 1u);
        if (!node.isLeaf())
            return WalkAction::Descend;
        leaves.push_back(node);
        return WalkAction::Skip;
    }
};

/// Consecutive leaves counted as one unit of work. A key's versions never straddle two tasks,
/// so each task closes its own keys.
struct Task
{
    std::size_t firstLeaf = 0, endLeaf = 0;
};

/// What one task counted: the entry-level part of LayerStats, with record kinds and resource
/// managers by number until the merge names them.
struct TaskCounts
{
    LayerStats stats;
    std::array<std::uint64_t, kRecordTagCount + 1> recordTags{};  ///< the last: unknown tags
    std::array<std::uint64_t, 256> rmids{};
    std::uint64_t entries = 0;
    FileOffset lastOffset = 0;
    ByteVector scratch;  ///< decompressed payloads
};

std::vector<Task> groupLeaves(const std::vector<NodeView> &leaves, bool delta)
{
    constexpr std::uint64_t kTaskEntries = 16384;
    std::vector<Task> tasks;
    std::array<std::uint8_t, 256> last{}, first{};
    for (std::size_t l = 0; l < leaves.size();) {
        Task t{l, l};
        std::uint64_t entries = 0;
        while (t.endLeaf < leaves.size()) {
            const NodeView &next = leaves[t.endLeaf];
            if (entries >= kTaskEntries) {
                // Only a key that goes on in the next leaf keeps the task open.
                if (!delta || next.keyLen() < Key::kSize || next.count == 0)
                    break;
                const NodeView &prev = leaves[t.endLeaf - 1];
                prev.keyInto(prev.count - 1u, last.data());
                next.keyInto(0, first.data());
                if (!std::equal(first.begin(), first.begin() + Key::kSize, last.begin()))
                    break;
            }
            entries += next.count;
            ++t.endLeaf;
        }
        tasks.push_back(t);
        l = t.endLeaf;
    }
    return tasks;
}

} // namespace

std::string keyCategory(const Key &key)
{
    switch (key.keyClass()) {
    case KeyClass::RelBlock:
        switch (key.forkNumber()) {
        case 0: return "relation main";
        case 1: return "relation fsm";
        case 2: return "relation vm";
        case 3: return "relation init";
        default: return "relation fork " + std::to_string(key.forkNumber());
        }
    case KeyClass::RelSize: return "rel size";
    case KeyClass::SlruBlock:
        switch (key.slruKind()) {
        case 0: return "slru clog";
        case 1: return "slru multixact members";
        case 2: return "slru multixact offsets";
        default: return "slru other";
        }
    case KeyClass::SlruSegSize: return "slru segment size";
    case KeyClass::SlruDir: return "slru dir";
    case KeyClass::DbDir: return "dbdir";
    case KeyClass::RelDir:
    case KeyClass::RelDirV2: return "reldir";
    case KeyClass::RelMap: return "relmap";
    case KeyClass::TwoPhaseDir:
    case KeyClass::TwoPhaseFile: return "twophase";
    case KeyClass::Checkpoint: return "checkpoint";
    case KeyClass::ControlFile: return "control file";
    case KeyClass::AuxFilesV1: return "aux v1";
    case KeyClass::AuxV2: return "aux v2";
    case KeyClass::ReplOrigin: return "repl origin";
    case KeyClass::Metadata: return "metadata";
    case KeyClass::Max:
    case KeyClass::Unknown: break;
    }
    return "other";
}

Result<LayerStats> computeStats(const Layer &layer, const StatsOptions &options)
{
    LayerStats s;
    s.layers = 1;
    s.chainThreshold = options.chainThreshold;
    s.fileBytes = layer.fileSize();
    s.summaryBytes = std::min<std::uint64_t>(8192, s.fileBytes);
    const FileOffset indexStart = std::min<std::uint64_t>(std::uint64_t(layer.summary().indexStartBlk) * 8192, s.fileBytes);
    s.valueAreaBytes = indexStart > 8192 ? indexStart - 8192 : 0;
    s.indexBytes = s.fileBytes - indexStart;

    const bool delta = layer.kind() == LayerKind::Delta;
    std::vector<NodeView> leaves;
    StructureVisitor structure{{}, s, leaves};
    const BTreeReader tree = layer.tree();  // the walk keeps a reference to it
    TreeWalk walk(tree, structure);
    if (const Status walked = walk.run(); !walked)
        return walked.error();
    const std::vector<Task> tasks = groupLeaves(leaves, delta);

    auto count = [&](std::size_t i, TaskCounts &c) {
        LayerStats &t = c.stats;
        t = LayerStats{};
        t.chainThreshold = options.chainThreshold;
        c.recordTags.fill(0);
        c.rmids.fill(0);
        c.entries = 0;
        std::optional<Key> lastKey;
        std::uint64_t versions = 0, run = 0;
        auto closeKey = [&] {
            if (!lastKey)
                return;
            ++t.keys;
            if (delta) {
                ++t.versionsPerKey[logBucket(versions, t.versionsPerKey.size())];
                if (run > t.chainThreshold)
                    ++t.longChains;
            }
        };
        // The group of the last key and relation, looked up again only when they change.
        ByteCount *category = nullptr, *relation = nullptr;
        Key categoryOf, relationOf;
        auto onEntry = [&](Bytes key, std::uint64_t value) {
            const Entry e = layer.entry(IndexKey::from(key), value);
            ++c.entries;
            c.lastOffset = e.blobOffset;
            if (!lastKey || !(*lastKey == e.key)) {
                closeKey();
                lastKey = e.key;
                versions = run = 0;
            }
            ++versions;
            // The value's shape is read in place (scanValue); only zstd blobs are copied (to
            // decompress them).
            const auto header = layer.blobHeader(e);
            if (!header) {
                ++t.unreadableValues;
                return true;
            }
            const auto payloadBytes = viewPayload(layer.bytes(), *header, c.scratch);
            if (!payloadBytes) {
                ++t.unreadableValues;
                return true;
            }
            ValueShape shape{true, payloadBytes->size(), RecordTag::Postgres, true, *payloadBytes};
            if (delta) {
                auto scanned = scanValue(*payloadBytes, header->payloadOffset());
                if (!scanned) {
                    ++t.unreadableValues;
                    return true;
                }
                shape = *scanned;
            }
            const std::uint64_t stored = header->headerLen + header->storedLen;
            const std::uint64_t payload = payloadBytes->size();
            t.total.add(stored, payload);
            const KeyClass cls = e.key.keyClass();
            // The category depends on the class and on fields 2 and 5 only (tablespace or SLRU
            // kind, fork): compared raw, as a cache key, before the name is made.
            if (!category || cls != categoryOf.keyClass() || e.key.field2() != categoryOf.field2()
                || e.key.field5() != categoryOf.field5()) {
                category = &t.categories[keyCategory(e.key)];
                categoryOf = e.key;
            }
            category->add(stored, payload);
            if (cls == KeyClass::RelBlock || cls == KeyClass::RelSize) {
                if (!relation || e.key.spcOid() != relationOf.spcOid()
                    || e.key.dbOid() != relationOf.dbOid() || e.key.relNumber() != relationOf.relNumber()) {
                    relation = &t.relations[fmt::format("{}/{}/{}", e.key.spcOid(), e.key.dbOid(),
                                                        e.key.relNumber())];
                    relationOf = e.key;
                }
                relation->add(stored, payload);
            }
            ++t.blobSizes[logBucket(stored, t.blobSizes.size())];
            (header->compression == Compression::Zstd ? t.zstd : t.plain).add(stored, payload);
            if (shape.isImage) {
                t.images.add(stored, payload);
            } else {
                t.walRecords.add(stored, payload);
                ++c.recordTags[std::min<std::uint32_t>(std::uint32_t(shape.recordTag),
                                                       kRecordTagCount)];
                if (shape.recordTag == RecordTag::Postgres)
                    if (auto h = parseXLogRecordHeader(shape.content))
                        ++c.rmids[h->rmid];
            }
            // The run of records a read at the top replays: reset at each will_init value.
            if (delta) {
                if (shape.willInit)
                    run = 0;
                else
                    ++run;
            }
            return true;
        };
        for (std::size_t l = tasks[i].firstLeaf; l < tasks[i].endLeaf; ++l)
            forEachLeafEntry(leaves[l], 0, false,
                             [&](std::size_t, Bytes key, std::uint64_t value) { return onEntry(key, value); });
        closeKey();
    };
    std::uint64_t done = 0;
    const bool finished = runOrdered<TaskCounts>(
        tasks.size(), options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency()),
        count, [&](std::size_t, TaskCounts &c) {
            mergeStats(s, c.stats);
            for (std::uint32_t tag = 0; tag <= kRecordTagCount; ++tag)
                if (c.recordTags[tag]) {
                    const char *kind = recordTagName(RecordTag(tag));
                    s.recordKinds[kind ? kind : "unknown"] += c.recordTags[tag];
                }
            for (std::size_t rmid = 0; rmid < c.rmids.size(); ++rmid)
                if (c.rmids[rmid])
                    s.rmgrs[rmgrName(std::uint8_t(rmid))] += c.rmids[rmid];
            done += c.entries;
            return !options.progress || options.progress(done, c.lastOffset);
        });
    if (!finished)
        return makeError(0, "the statistics to finish", "cancelled");
    return s;
}

void mergeStats(LayerStats &total, const LayerStats &one)
{
    total.layers += one.layers;
    total.fileBytes += one.fileBytes;
    total.summaryBytes += one.summaryBytes;
    total.valueAreaBytes += one.valueAreaBytes;
    total.indexBytes += one.indexBytes;
    total.total.add(one.total);
    addMap(total.categories, one.categories);
    addMap(total.relations, one.relations);
    for (std::size_t i = 0; i < total.blobSizes.size(); ++i)
        total.blobSizes[i] += one.blobSizes[i];
    total.images.add(one.images);
    total.walRecords.add(one.walRecords);
    addMap(total.recordKinds, one.recordKinds);
    addMap(total.rmgrs, one.rmgrs);
    total.zstd.add(one.zstd);
    total.plain.add(one.plain);
    if (total.levels.size() < one.levels.size())
        total.levels.resize(one.levels.size());
    for (std::size_t i = 0; i < one.levels.size(); ++i) {
        total.levels[i].nodes += one.levels[i].nodes;
        total.levels[i].usedBytes += one.levels[i].usedBytes;
        total.levels[i].entries += one.levels[i].entries;
    }
    total.prefixSavedBytes += one.prefixSavedBytes;
    for (std::size_t i = 0; i < total.versionsPerKey.size(); ++i)
        total.versionsPerKey[i] += one.versionsPerKey[i];
    total.keys += one.keys;
    total.longChains += one.longChains;
    total.chainThreshold = one.chainThreshold;
    total.unreadableValues += one.unreadableValues;
}

void finishStats(LayerStats &stats)
{
    if (stats.relations.size() <= LayerStats::kTopRelations)
        return;
    std::vector<std::pair<std::string, ByteCount>> all(stats.relations.begin(), stats.relations.end());
    std::partial_sort(all.begin(), all.begin() + LayerStats::kTopRelations, all.end(), [](const auto &a, const auto &b) {
        return a.second.storedBytes != b.second.storedBytes ? a.second.storedBytes > b.second.storedBytes : a.first < b.first;
    });
    all.resize(LayerStats::kTopRelations);
    stats.relations = {all.begin(), all.end()};
}

} // namespace layerscope

namespace layerscope {

namespace {

double percentOf(std::uint64_t part, std::uint64_t whole)
{
    return whole ? 100.0 * double(part) / double(whole) : 0.0;
}

/// Groups by stored bytes, largest first (name breaks ties): one row each.
Table countsTable(std::string id, std::string title, std::string what, const std::map<std::string, ByteCount> &groups,
                  std::uint64_t whole)
{
    Table t{std::move(id), std::move(title), {std::move(what), "Entries", "Stored", "Payload", "Share of stored"}, {},
            ChartKind::Bars, 0, 2};
    std::vector<std::pair<std::string, ByteCount>> sorted(groups.begin(), groups.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto &a, const auto &b) { return a.second.storedBytes > b.second.storedBytes; });
    for (const auto &[name, c] : sorted)
        t.rows.push_back({textCell(name), countCell(c.entries), bytesCell(c.storedBytes), bytesCell(c.payloadBytes),
                          percentCell(percentOf(c.storedBytes, whole))});
    return t;
}

Table histogramTable(std::string id, std::string title, std::string of, std::string what, const std::uint64_t *buckets,
                     std::size_t n, bool bytes)
{
    // Charted by the bucket's lower bound (short labels); the table also gives the range.
    Table t{std::move(id), std::move(title), {"Bucket", of + " from", of + (bytes ? " below" : " to"), std::move(what)},
            {}, ChartKind::Histogram, 1, 3};
    std::size_t first = n, last = 0;
    for (std::size_t b = 0; b < n; ++b)
        if (buckets[b]) {
            first = std::min(first, b);
            last = b;
        }
    // Every bucket between the first and the last one used, so the histogram's gaps show.
    for (std::size_t b = first; b <= last && first < n; ++b) {
        const std::uint64_t from = 1ull << b, below = 2ull << b;
        if (bytes) {
            t.rows.push_back({textCell(fmt::format("[{}, {})", humanBytes(from), humanBytes(below))), bytesCell(from),
                              bytesCell(below), countCell(buckets[b])});
        } else {
            const std::uint64_t to = below - 1;
            t.rows.push_back({textCell(from == to ? fmt::format("{}", from) : fmt::format("{}–{}", from, to)),
                              countCell(from), countCell(to), countCell(buckets[b])});
        }
    }
    return t;
}

} // namespace

std::vector<Table> statsTables(const LayerStats &s)
{
    std::vector<Table> out;
    const double ratio = s.zstd.storedBytes ? double(s.zstd.payloadBytes) / double(s.zstd.storedBytes) : 0.0;
    Table overview{"overview", "Overview", {"Measure", "Value"}, {}, ChartKind::None, 0, 1};
    overview.rows = {
        {textCell("Layers"), countCell(s.layers)},
        {textCell("File size"), bytesCell(s.fileBytes)},
        {textCell("Entries"), countCell(s.total.entries)},
        {textCell("Distinct keys"), countCell(s.keys)},
        {textCell("Values as stored"), bytesCell(s.total.storedBytes)},
        {textCell("Values decompressed"), bytesCell(s.total.payloadBytes)},
        {textCell("Unreadable values"), countCell(s.unreadableValues)},
        {textCell("zstd ratio (decompressed / stored)"), s.zstd.entries ? ratioCell(ratio) : textCell("no zstd blobs")},
        {textCell("Index share of the file"), percentCell(percentOf(s.indexBytes, s.fileBytes))},
        {textCell("Saved by key prefix compression"), bytesCell(s.prefixSavedBytes)},
    };
    if (s.walRecords.entries)
        overview.rows.push_back({textCell(fmt::format("Keys replaying more than {} records", s.chainThreshold)),
                                 countCell(s.longChains)});
    out.push_back(std::move(overview));

    Table file{"file", "Where the file's bytes go", {"Part", "Bytes", "Share of file"}, {}, ChartKind::Pie, 0, 1};
    for (const auto &[name, n] : {std::pair{"summary block", s.summaryBytes}, std::pair{"values", s.valueAreaBytes},
                                  std::pair{"index", s.indexBytes}})
        file.rows.push_back({textCell(name), bytesCell(n), percentCell(percentOf(n, s.fileBytes))});
    out.push_back(std::move(file));

    out.push_back(countsTable("categories", "Bytes by key category", "Category", s.categories, s.total.storedBytes));
    if (!s.relations.empty())
        out.push_back(countsTable("relations", fmt::format("Top {} relations by bytes", LayerStats::kTopRelations),
                                  "Relation (spc/db/rel)", s.relations, s.total.storedBytes));
    Table values = countsTable("values", "Images and WAL records", "Value",
                               {{"images", s.images}, {"WAL records", s.walRecords}}, s.total.storedBytes);
    values.chart = ChartKind::Pie;
    out.push_back(std::move(values));
    auto countsOnly = [&](std::string id, std::string title, std::string what, const std::map<std::string, std::uint64_t> &m) {
        Table t{std::move(id), std::move(title), {std::move(what), "Records", "Share"}, {}, ChartKind::Bars, 0, 1};
        std::vector<std::pair<std::string, std::uint64_t>> sorted(m.begin(), m.end());
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
        for (const auto &[name, n] : sorted)
            t.rows.push_back({textCell(name), countCell(n), percentCell(percentOf(n, s.walRecords.entries))});
        if (!t.rows.empty())
            out.push_back(std::move(t));
    };
    countsOnly("record_kinds", "WAL records by kind", "Record kind", s.recordKinds);
    countsOnly("rmgrs", "Postgres records by resource manager", "Resource manager", s.rmgrs);

    Table compression{"compression", "Compression", {"Storage", "Blobs", "Stored", "Decompressed", "Ratio"}, {},
                      ChartKind::Pie, 0, 2};
    for (const auto &[name, c] : {std::pair{"zstd", s.zstd}, std::pair{"plain", s.plain}})
        compression.rows.push_back({textCell(name), countCell(c.entries), bytesCell(c.storedBytes),
                                    bytesCell(c.payloadBytes),
                                    c.storedBytes ? ratioCell(double(c.payloadBytes) / double(c.storedBytes))
                                                  : textCell("–")});
    out.push_back(std::move(compression));

    Table sizes = histogramTable("blob_sizes", "Blob sizes as stored (header + payload)", "Size", "Blobs", s.blobSizes.data(),
                                 s.blobSizes.size(), true);
    if (!sizes.rows.empty())
        out.push_back(std::move(sizes));

    Table levels{"index_levels", "B-tree index by level (root first)", {"Level", "Nodes", "Entries", "Used bytes", "Fill"},
                 {}, ChartKind::Bars, 0, 4};
    for (std::size_t l = s.levels.size(); l-- > 0;)
        levels.rows.push_back({textCell(l == 0 ? "0 (leaves)" : fmt::format("{}", l)), countCell(s.levels[l].nodes),
                               countCell(s.levels[l].entries), bytesCell(s.levels[l].usedBytes),
                               percentCell(100.0 * s.levels[l].fill())});
    if (!levels.rows.empty())
        out.push_back(std::move(levels));

    if (s.walRecords.entries) {
        Table versions = histogramTable("versions_per_key", "Versions (LSNs) per key", "Versions", "Keys", s.versionsPerKey.data(),
                                        s.versionsPerKey.size(), false);
        if (!versions.rows.empty())
            out.push_back(std::move(versions));
    }
    return out;
}

Table layersTable(const std::vector<std::pair<std::string, LayerStats>> &layers)
{
    Table t{"layers", "Layers", {"File", "Entries", "Keys", "File size", "Index share"}, {}, ChartKind::Bars, 0, 3};
    for (const auto &[name, s] : layers)
        t.rows.push_back({textCell(name), countCell(s.total.entries), countCell(s.keys), bytesCell(s.fileBytes),
                          percentCell(percentOf(s.indexBytes, s.fileBytes))});
    return t;
}

} // namespace layerscope
