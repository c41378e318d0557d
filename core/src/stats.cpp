#include "layerscope/stats.h"

#include "layerscope/inspect.h"
#include "layerscope/tree_walk.h"

#include <algorithm>
#include <bit>
#include <fmt/format.h>

namespace layerscope {

namespace {

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

/// Counts each node's fill and prefix savings as the walk enters it; hands leaf entries on.
template<class OnEntry>
struct StatsVisitor : TreeVisitor
{
    LayerStats &stats;
    OnEntry &onEntry;

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
        return WalkAction::Descend;
    }
    bool entry(const NodeView &, std::size_t, Bytes key, std::uint64_t value) { return onEntry(key, value); }
};

} // namespace

std::string keyCategory(const Key &key)
{
    switch (key.keyClass()) {
    case KeyClass::RelBlock:
        switch (key.field5()) {
        case 0: return "relation main";
        case 1: return "relation fsm";
        case 2: return "relation vm";
        case 3: return "relation init";
        default: return "relation fork " + std::to_string(key.field5());
        }
    case KeyClass::RelSize: return "rel size";
    case KeyClass::SlruBlock:
        switch (key.field2()) {
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

    const BTreeReader tree = layer.tree();
    const bool delta = layer.kind() == LayerKind::Delta;
    std::optional<Key> lastKey;
    std::uint64_t versions = 0, run = 0;
    auto closeKey = [&] {
        if (!lastKey)
            return;
        ++s.keys;
        if (delta) {
            ++s.versionsPerKey[logBucket(versions, s.versionsPerKey.size())];
            if (run > s.chainThreshold)
                ++s.longChains;
        }
    };
    std::uint64_t done = 0;
    bool cancelled = false;
    auto onEntry = [&](Bytes key, std::uint64_t value) {
        const Entry e = layer.entry(IndexKey::from(key), value);
        if (!lastKey || !(*lastKey == e.key)) {
            closeKey();
            lastKey = e.key;
            versions = run = 0;
        }
        ++versions;
        auto d = inspectEntry(layer, e);
        if (!d) {
            ++s.unreadableValues;
            return true;
        }
        const std::uint64_t stored = d->header.headerLen + d->header.storedLen;
        const std::uint64_t payload = d->payloadLen;
        s.total.add(stored, payload);
        s.categories[keyCategory(e.key)].add(stored, payload);
        if (e.key.keyClass() == KeyClass::RelBlock || e.key.keyClass() == KeyClass::RelSize)
            s.relations[fmt::format("{}/{}/{}", e.key.field2(), e.key.field3(), e.key.field4())].add(stored, payload);
        ++s.blobSizes[logBucket(stored, s.blobSizes.size())];
        (d->header.compression == Compression::Zstd ? s.zstd : s.plain).add(stored, payload);
        if (d->value.isImage()) {
            s.images.add(stored, payload);
        } else {
            s.walRecords.add(stored, payload);
            const NeonWalRecord &rec = d->value.record();
            ++s.recordKinds[recordName(rec)];
            if (const auto *pg = std::get_if<wal::Postgres>(&rec))
                if (auto h = parseXLogRecordHeader(pg->rec))
                    ++s.rmgrs[rmgrName(h->rmid)];
        }
        // The run of records a read at the top replays: reset at each will_init value.
        if (delta) {
            if (d->value.willInit())
                run = 0;
            else
                ++run;
        }
        if (options.progress && (++done & 0x3FFF) == 0 && !options.progress(done)) {
            cancelled = true;
            return false;
        }
        return true;
    };
    // One walk: the nodes' fill on the way down, every entry at the leaves.
    StatsVisitor<decltype(onEntry)> visitor{{}, s, onEntry};
    TreeWalk walk(tree, visitor);
    const Status walked = walk.run();
    closeKey();
    if (cancelled)
        return makeError(0, "the statistics to finish", "cancelled");
    if (!walked)
        return walked.error();
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
