#include <layerscope/timeline/timeline.h>

#include <layerscope/format/shard.h>
#include <layerscope/index/btree.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <thread>
#include <tuple>

namespace layerscope {

Result<Layer> openTimelineLayer(const Timeline &timeline, const std::string &path)
{
    return timeline.opener ? timeline.opener(path) : Layer::openFile(path);
}

std::string localFileVersion(const std::filesystem::directory_entry &file)
{
    std::error_code ec;
    const auto mtime = file.last_write_time(ec);
    if (ec)
        return {};
    return std::to_string(
        std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count());
}

TimelineLayer timelineFile(std::string fileName, std::string path, std::uint64_t size,
                           std::string version)
{
    TimelineLayer l;
    l.fileName = std::move(fileName);
    l.path = std::move(path);
    l.fileSize = size;
    l.version = std::move(version);
    l.name = LayerName::parse(l.fileName, &l.nameError);
    return l;
}

Result<Timeline> scanTimeline(const std::string &dir)
{
    namespace fs = std::filesystem;
    Timeline t;
    t.dir = dir;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec)
        return pathError("a readable directory of layer files", dir + ": " + ec.message());
    for (const fs::directory_entry &de : it) {
        std::error_code fileEc;
        if (!de.is_regular_file(fileEc))
            continue;
        t.layers.push_back(timelineFile(de.path().filename().string(),
                                        de.path().string(),
                                        de.file_size(fileEc),
                                        localFileVersion(de)));
    }
    std::sort(t.layers.begin(), t.layers.end(), [](const TimelineLayer &a, const TimelineLayer &b) {
        return a.fileName < b.fileName;
    });
    return t;
}

Timeline timelineFromIndex(const IndexPart &index)
{
    Timeline t;
    mergeIndex(t, index);
    return t;
}

void mergeIndex(Timeline &timeline, const IndexPart &index)
{
    timeline.gcCutoff = index.gcCutoff;
    timeline.pgVersion = index.pgVersion;
    timeline.ancestorTimeline = index.ancestorTimeline;
    timeline.ancestorLsn = index.ancestorLsn;
    timeline.diskConsistentLsn = index.diskConsistentLsn;
    std::map<std::string, std::size_t> byCanonical;
    for (std::size_t i = 0; i < timeline.layers.size(); ++i)
        if (timeline.layers[i].isMapped())
            byCanonical.emplace(timeline.layers[i].name->canonical(), i);
    const bool haveFiles = !timeline.layers.empty();
    for (const ListedLayer &entry : index.layers) {
        std::string why;
        auto name = LayerName::parse(entry.name, &why);
        // A layer of another shard lives in that shard's directory, not in this one.
        const bool elsewhere = timeline.shard && pathSlug(entry.shard) != *timeline.shard;
        auto found = name && !elsewhere ? byCanonical.find(name->canonical()) : byCanonical.end();
        if (found == byCanonical.end()) {
            TimelineLayer l;
            l.fileName = entry.name;
            l.onDisk = false;
            l.name = std::move(name);
            l.nameError = why;
            l.listed = true;
            l.listedSize = entry.fileSize;
            l.listedGeneration = entry.generation;
            if (elsewhere)
                l.otherShard = pathSlug(entry.shard);
            else if (haveFiles)
                l.indexProblems.push_back(fmt::format("listed in the index but not {}", timeline.storedWhere));
            timeline.layers.push_back(std::move(l));
            continue;
        }
        TimelineLayer &l = timeline.layers[found->second];
        byCanonical.erase(found);
        l.listed = true;
        l.listedSize = entry.fileSize;
        l.listedGeneration = entry.generation;
        if (l.fileSize != entry.fileSize)
            l.indexProblems.push_back(
                fmt::format("{} bytes {}, {} in the index", l.fileSize, timeline.storedWhere, entry.fileSize));
        if (entry.generation && l.name->suffix != LayerName::Suffix::None
            && l.name->generation != *entry.generation)
            l.indexProblems.push_back(
                fmt::format("generation {:08x} in the file name, {:08x} in the index",
                            l.name->generation,
                            *entry.generation));
    }
    for (const auto &[canonical, i] : byCanonical)
        timeline.layers[i].indexProblems.push_back(fmt::format("{} but not listed in the index", timeline.storedWhere));
    std::sort(timeline.layers.begin(),
              timeline.layers.end(),
              [](const TimelineLayer &a, const TimelineLayer &b) {
                  return a.fileName < b.fileName;
              });
}

std::string pathSlug(std::string_view indexShard)
{
    return indexShard == "0000" ? std::string() : std::string(indexShard);
}

void resolveShardLayers(Timeline &timeline, const TimelineLister &list)
{
    const auto place = parseLayoutPath(timeline.dir);
    if (!place || place->timeline.empty())
        return;
    std::map<std::string, std::vector<TimelineLayer *>> byShard;
    for (TimelineLayer &l : timeline.layers)
        if (l.otherShard && !l.onDisk)
            byShard[*l.otherShard].push_back(&l);
    for (const auto &[slug, wanted] : byShard) {
        const std::string dir = place->timelinePath(slug);
        const std::string shardName = slug.empty() ? "the unsharded tenant" : "shard " + slug;
        auto files = list(dir);
        // The file Neon reads: the canonical name with the index's generation suffix.
        std::map<std::pair<std::string, std::optional<std::uint32_t>>, const TimelineLayer *> held;
        if (files)
            for (const TimelineLayer &f : *files)
                if (f.isMapped())
                    held.emplace(std::pair(f.name->canonical(),
                                           f.name->suffix == LayerName::Suffix::None
                                               ? std::nullopt
                                               : std::optional(f.name->generation)),
                                 &f);
        for (TimelineLayer *l : wanted) {
            const auto at = l->name ? held.find({l->name->canonical(), l->listedGeneration})
                                    : held.end();
            if (!files) {
                l->shardMissing = fmt::format("listed in the index as {}'s layer; {} cannot be "
                                              "listed: {}",
                                              shardName,
                                              dir,
                                              files.error().message());
            } else if (at == held.end()) {
                l->shardMissing = fmt::format(
                    "listed in the index as {}'s layer (generation {}), but not in {}: reads of "
                    "its keys fail",
                    shardName,
                    l->listedGeneration ? fmt::format("{:08x}", *l->listedGeneration)
                                        : std::string("none"),
                    dir);
            } else {
                l->path = at->second->path;
                l->fileSize = at->second->fileSize;
                l->version = at->second->version;
                l->onDisk = true;
                if (l->fileSize != l->listedSize)
                    l->indexProblems.push_back(fmt::format("{} bytes in {}, {} in the index",
                                                           l->fileSize,
                                                           dir,
                                                           l->listedSize));
            }
        }
    }
}

namespace {

void compareWithName(TimelineLayer &l)
{
    if (!l.name || !l.summary)
        return;
    const LayerName &n = *l.name;
    const Summary &s = *l.summary;
    auto differ = [&](const char *field, const std::string &inName, const std::string &inSummary) {
        if (inName != inSummary)
            l.disagreements.push_back(
                fmt::format("{}: {} in the name, {} in the summary", field, inName, inSummary));
    };
    differ("kind",
           n.kind == LayerKind::Image ? "image" : "delta",
           s.kind == LayerKind::Image ? "image" : "delta");
    differ("key_start", n.keyStart.toHex(), s.keyStart.toHex());
    differ("key_end", n.keyEnd.toHex(), s.keyEnd.toHex());
    differ(n.kind == LayerKind::Image ? "lsn" : "lsn_start",
           n.lsnStart.toString(),
           s.lsnStart.toString());
    if (n.kind == LayerKind::Delta && s.kind == LayerKind::Delta)
        differ("lsn_end", n.lsnEnd.toString(), s.lsnEnd.toString());
}

/// A layer's place in Neon's layer map: its key and LSN ranges (an image at LSN L spans
/// [L, L+1)), ordered as the map inserts them (LSN start first).
struct MapKey
{
    std::uint64_t lsnStart, lsnEnd;
    Key keyStart, keyEnd;
    bool image;
    auto tuple() const { return std::tie(lsnStart, lsnEnd, keyStart, keyEnd, image); }
    bool operator<(const MapKey &o) const { return tuple() < o.tuple(); }
};

MapKey mapKey(const LayerName &n)
{
    const bool image = n.kind == LayerKind::Image;
    return {n.lsnStart.value,
            image ? n.lsnStart.value + 1 : n.lsnEnd.value,
            n.keyStart,
            n.keyEnd,
            image};
}

} // namespace

void readSummaries(Timeline &timeline,
                   unsigned threads,
                   const std::function<bool(std::size_t)> &progress)
{
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    threads = std::min<unsigned>(threads,
                                 unsigned(std::max<std::size_t>(1, timeline.layers.size())));
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    // The pool's threads and the calling thread share the work; only the calling thread reports.
    auto work = [&](bool report) {
        for (std::size_t i; !stop && (i = next++) < timeline.layers.size();) {
            TimelineLayer &l = timeline.layers[i];
            if (!l.onDisk) {
                ++done;
                continue;
            }
            if (auto layer = openTimelineLayer(timeline, l.path)) {
                l.summary = layer->summary();
                compareWithName(l);
            } else {
                l.summaryError = layer.error().message();
            }
            ++done;
            if (report && progress && !progress(done))
                stop = true;
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work, false);
    work(true);
    for (std::thread &t : pool)
        t.join();
    if (progress && !stop)
        progress(done);
}

Result<std::uint64_t> countEntries(const std::string &path)
{
    auto layer = Layer::openFile(path);
    if (!layer)
        return layer.error();
    std::uint64_t entries = 0;
    const Status st = layer->tree().walkNodes([&](const NodeView &n, int) {
        entries += n.isLeaf() ? n.count : 0;
        return true;
    });
    if (!st)
        return st.error();
    return entries;
}

const char *const kKeyAtSyntax
    = "KEY@LSN: KEY as 36 hex digits or as layerctl prints it (e.g. \"rel 1663/16384/2619 blk 7\", "
      "\"slru clog seg 0 blk 3\"), LSN as X/Y or 16 hex digits";

std::optional<KeyAt> parseKeyAt(std::string_view text)
{
    const auto at = text.rfind('@');
    if (at == std::string_view::npos)
        return std::nullopt;
    const auto key = Key::parse(text.substr(0, at));
    const auto lsn = Lsn::parse(text.substr(at + 1));
    if (!key || !lsn)
        return std::nullopt;
    return KeyAt{*key, *lsn};
}

ReadPath findReadPath(const Timeline &timeline, const Key &key, Lsn lsn)
{
    ReadPath path;
    std::uint64_t end = lsn.value + 1;
    for (std::size_t guard = 0; guard <= timeline.layers.size(); ++guard) {
        if (end == 0) {
            path.why = "the chain reached LSN 0 without an image or a will_init record";
            return path;
        }
        // The newest delta and the newest image covering the key among the layers the map
        // holds at end - 1 (a later insertion covers an earlier one).
        std::optional<std::size_t> delta, image;
        for (std::size_t i = 0; i < timeline.layers.size(); ++i) {
            const TimelineLayer &l = timeline.layers[i];
            if (!l.isMapped() || key < l.name->keyStart || !(key < l.name->keyEnd)
                || l.name->lsnStart.value > end - 1)
                continue;
            std::optional<std::size_t> &best = l.name->kind == LayerKind::Image ? image : delta;
            if (!best || !(mapKey(*l.name) < mapKey(*timeline.layers[*best].name)))
                best = i;
        }
        if (!delta && !image) {
            path.why = fmt::format(
                "could not find data for key {} at LSN {}: no layer covers it below LSN {}",
                key.toHex(),
                lsn.toString(),
                Lsn{end}.toString());
            if (!timeline.ancestorTimeline.empty())
                path.why += fmt::format(
                    " in this timeline; Neon goes on in the ancestor timeline {} "
                    "(branched at {}), which is not read here",
                    timeline.ancestorTimeline,
                    timeline.ancestorLsn ? timeline.ancestorLsn->toString() : "?");
            return path;
        }
        // select_layer: the image wins when it is at least as new as the delta, or exactly at
        // the LSN asked for; otherwise the delta is read down to just above the image.
        std::size_t chosen;
        std::uint64_t floor;
        if (image && delta) {
            const MapKey mi = mapKey(*timeline.layers[*image].name),
                         md = mapKey(*timeline.layers[*delta].name);
            if (mi.lsnEnd >= md.lsnEnd || mi.lsnStart + 1 == end) {
                chosen = *image;
                floor = mi.lsnStart;
            } else {
                chosen = *delta;
                floor = std::max(md.lsnStart, mi.lsnStart + 1);
            }
        } else {
            chosen = image ? *image : *delta;
            floor = timeline.layers[chosen].name->lsnStart.value;
        }
        const TimelineLayer &l = timeline.layers[chosen];
        ReadStep step{chosen, Lsn{floor}, Lsn{end}, {}};
        if (!l.onDisk) {
            path.steps.push_back(std::move(step));
            path.why = fmt::format(
                "{} is listed in the index but not {}: its values cannot be read", l.fileName, timeline.storedWhere);
            return path;
        }
        auto layer = openTimelineLayer(timeline, l.path);
        if (!layer) {
            path.steps.push_back(std::move(step));
            path.why = fmt::format("{}: {}", l.fileName, layer.error().message());
            return path;
        }
        bool complete = false;
        if (layer->kind() == LayerKind::Image) {
            const Bytes probe(key.bytes.data(), Key::kSize);
            bool found = false;
            auto raw = layer->tree().get(probe, found);
            if (!raw) {
                path.steps.push_back(std::move(step));
                path.why = fmt::format("{}: {}", l.fileName, raw.error().message());
                return path;
            }
            if (!found) {
                path.steps.push_back(std::move(step));
                path.why = fmt::format(
                    "image layer {} covers the key but holds no entry for it: at LSN {} the key "
                    "does not exist",
                    l.fileName,
                    Lsn{floor}.toString());
                return path;
            }
            step.values.push_back(layer->entry(IndexKey::from(probe), *raw));
            complete = true;
        } else {
            const IndexKey from = deltaIndexKey(key, Lsn{end - 1});
            const Status st = layer->tree().visitBackward(from.view(), [&](Bytes k, std::uint64_t v) {
                const Entry e = layer->entry(IndexKey::from(k), v);
                if (!(e.key == key) || e.lsn.value < floor)
                    return false;
                step.values.push_back(e);
                complete = e.willInit;
                return !complete;
            });
            if (!st) {
                path.steps.push_back(std::move(step));
                path.why = fmt::format("{}: {}", l.fileName, st.error().message());
                return path;
            }
        }
        path.steps.push_back(std::move(step));
        if (complete) {
            path.complete = true;
            return path;
        }
        if (floor >= end) {
            path.why = fmt::format("no progress below LSN {} in {}",
                                   Lsn{end}.toString(),
                                   l.fileName);
            return path;
        }
        end = floor;
    }
    path.why = "the read path visited more layers than the timeline has";
    return path;
}

} // namespace layerscope

namespace layerscope {

namespace {
// Key ranges whose oldest covering layer is a delta layer: no image lies below their WAL, so
// their reads end in a will_init record of that delta, in an ancestor timeline, or fail with
// "could not find data". Key ranges no layer holds at all (the map's blank columns): reads of
// them find nothing here. Works on the map's elementary key intervals; adjacent intervals with
// the same bottom layer (or none) are reported once.
void checkKeyBases(const Timeline &t, std::vector<TimelineProblem> &out)
{
    const MapLayout m = layoutMap(t);
    constexpr std::size_t kNoRun = TimelineProblem::npos - 1; // npos: a run of uncovered keys
    std::size_t runLayer = kNoRun;
    Key runStart, runEnd;
    const auto flush = [&] {
        if (runLayer == kNoRun)
            return;
        const std::string keys = fmt::format("keys {} – {} ({} – {})",
                                             runStart.toHex(),
                                             runEnd.toHex(),
                                             runStart.describe(),
                                             runEnd.describe());
        if (runLayer == TimelineProblem::npos)
            out.push_back({checkInfo("timeline-key-gap"),
                           TimelineProblem::npos,
                           keys
                               + ": no layer holds them: reads of these keys find no data in "
                                 "this timeline (keys that never existed, or an ancestor's)"});
        else
            out.push_back({checkInfo("timeline-key-base"),
                           runLayer,
                           keys
                               + ": the oldest layer holding them is this delta layer, with no "
                                 "image layer below: their reads end in a will_init record here, "
                                 "in an ancestor timeline, or in \"could not find data\""});
        runLayer = kNoRun;
    };
    for (std::size_t k = 0; k + 1 < m.keys.size(); ++k) {
        std::size_t bottom = TimelineProblem::npos;
        for (const std::size_t i : m.order) {
            const LayerName &n = *t.layers[i].name;
            if (n.keyStart > m.keys[k] || n.keyEnd < m.keys[k + 1])
                continue;
            const LayerName *b = bottom == TimelineProblem::npos ? nullptr
                                                                 : &*t.layers[bottom].name;
            // Lower LSN first; at one LSN the image is the base of the delta that starts there.
            if (!b || n.lsnStart < b->lsnStart
                || (n.lsnStart == b->lsnStart && n.kind == LayerKind::Image))
                bottom = i;
        }
        // A run: keys whose bottom is one delta layer, or keys no layer holds (npos).
        const bool reported = bottom == TimelineProblem::npos
                              || t.layers[bottom].name->kind == LayerKind::Delta;
        if (!reported || bottom != runLayer)
            flush();
        if (reported) {
            if (runLayer == kNoRun) {
                runLayer = bottom;
                runStart = m.keys[k];
            }
            runEnd = m.keys[k + 1];
        }
    }
    flush();
}
} // namespace

std::vector<TimelineProblem> checkTimeline(const Timeline &t)
{
    std::vector<TimelineProblem> out;
    std::vector<std::size_t> images, deltas;
    for (std::size_t i = 0; i < t.layers.size(); ++i) {
        const TimelineLayer &l = t.layers[i];
        if (!l.name) {
            out.push_back(
                {checkInfo("timeline-not-layer"), i, "not a layer file name: " + l.nameError});
            continue;
        }
        if (!l.name->tempSuffix.empty())
            out.push_back({checkInfo("timeline-temp-file"),
                           i,
                           fmt::format("a temporary file ({}): Neon's layer map does not hold it",
                                       l.name->tempSuffix)});
        for (const std::string &d : l.disagreements)
            out.push_back({checkInfo("timeline-name-summary"),
                           i,
                           "the summary contradicts the file name: " + d});
        if (l.onDisk && !l.summaryError.empty())
            out.push_back({checkInfo("timeline-summary-unreadable"),
                           i,
                           "the layer cannot be opened: " + l.summaryError});
        for (const std::string &p : l.indexProblems)
            out.push_back({checkInfo("timeline-index"), i, p});
        if (!l.shardMissing.empty())
            out.push_back({checkInfo("shard-layer-missing"), i, l.shardMissing});
        if (l.isMapped())
            (l.name->kind == LayerKind::Image ? images : deltas).push_back(i);
    }
    // Image layers at one LSN whose key ranges overlap: two images of the same pages.
    std::sort(images.begin(), images.end(), [&](std::size_t a, std::size_t b) {
        const LayerName &x = *t.layers[a].name, &y = *t.layers[b].name;
        return std::tie(x.lsnStart.value, x.keyStart) < std::tie(y.lsnStart.value, y.keyStart);
    });
    for (std::size_t j = 1; j < images.size(); ++j) {
        const LayerName &prev = *t.layers[images[j - 1]].name, &cur = *t.layers[images[j]].name;
        if (prev.lsnStart == cur.lsnStart && cur.keyStart < prev.keyEnd)
            out.push_back({checkInfo("timeline-image-overlap"),
                           images[j],
                           fmt::format("overlaps image layer {} at the same LSN {} (keys {} – {})",
                                       t.layers[images[j - 1]].fileName,
                                       cur.lsnStart.toString(),
                                       cur.keyStart.toHex(),
                                       std::min(prev.keyEnd, cur.keyEnd).toHex())});
    }
    // LSNs no delta covers, between the oldest delta's start and the newest delta's end.
    std::sort(deltas.begin(), deltas.end(), [&](std::size_t a, std::size_t b) {
        return t.layers[a].name->lsnStart.value < t.layers[b].name->lsnStart.value;
    });
    std::uint64_t reach = 0;
    for (std::size_t j = 0; j < deltas.size(); ++j) {
        const LayerName &n = *t.layers[deltas[j]].name;
        if (j > 0 && n.lsnStart.value > reach) {
            // Below the GC cutoff, GC removes deltas that newer images make up for, and reads
            // there are refused: a gap is expected. Above it (or when no index says), WAL is lost.
            const bool collected = t.gcCutoff && n.lsnStart <= *t.gcCutoff;
            out.push_back(
                {weaker(checkInfo("timeline-lsn-gap"), collected),
                 deltas[j],
                 collected
                     ? fmt::format("no delta layer covers LSNs {} – {}, below the GC cutoff {}: "
                                   "garbage-collected, reads there are refused",
                                   Lsn{reach}.toString(),
                                   n.lsnStart.toString(),
                                   t.gcCutoff->toString())
                     : fmt::format("no delta layer covers LSNs {} – {}: WAL of that range is in "
                                   "no layer{}",
                                   Lsn{reach}.toString(),
                                   n.lsnStart.toString(),
                                   t.gcCutoff ? fmt::format(" (above the GC cutoff {})",
                                                            t.gcCutoff->toString())
                                              : std::string(" (unless GC removed it: give the "
                                                            "index to know the GC cutoff)"))});
        }
        reach = std::max(reach, n.lsnEnd.value);
    }
    checkKeyBases(t, out);
    return out;
}

} // namespace layerscope

namespace layerscope {

bool isL0(const LayerName &n)
{
    return n.kind == LayerKind::Delta && n.keyStart == Key::min() && n.keyEnd == Key::max();
}

MapLayout layoutMap(const Timeline &t)
{
    MapLayout m;
    for (std::size_t i = 0; i < t.layers.size(); ++i) {
        const TimelineLayer &l = t.layers[i];
        if (!l.isMapped())
            continue;
        m.keys.push_back(l.name->keyStart);
        m.keys.push_back(l.name->keyEnd);
        m.lsns.push_back(l.name->lsnStart.value);
        if (l.name->kind == LayerKind::Delta)
            m.lsns.push_back(l.name->lsnEnd.value);
        m.order.push_back(i);
    }
    std::sort(m.keys.begin(), m.keys.end());
    m.keys.erase(std::unique(m.keys.begin(), m.keys.end()), m.keys.end());
    std::sort(m.lsns.begin(), m.lsns.end());
    m.lsns.erase(std::unique(m.lsns.begin(), m.lsns.end()), m.lsns.end());
    std::stable_sort(m.order.begin(), m.order.end(), [&](std::size_t a, std::size_t b) {
        const LayerName &x = *t.layers[a].name, &y = *t.layers[b].name;
        if ((x.kind == LayerKind::Image) != (y.kind == LayerKind::Image))
            return x.kind != LayerKind::Image;
        return x.lsnStart.value < y.lsnStart.value;
    });
    return m;
}

double MapLayout::u(const Key &key) const
{
    const auto it = std::lower_bound(keys.begin(), keys.end(), key);
    return keys.size() > 1 ? double(it - keys.begin()) / double(keys.size() - 1) : 0.5;
}

double MapLayout::v(std::uint64_t lsn) const
{
    const auto it = std::lower_bound(lsns.begin(), lsns.end(), lsn);
    return lsns.size() > 1 ? double(it - lsns.begin()) / double(lsns.size() - 1) : 0.5;
}

std::string xmlEscape(const std::string &s)
{
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

void shareBoundaries(std::span<MapLayout> layouts)
{
    std::vector<Key> keys;
    std::vector<std::uint64_t> lsns;
    for (const MapLayout &m : layouts) {
        keys.insert(keys.end(), m.keys.begin(), m.keys.end());
        lsns.insert(lsns.end(), m.lsns.begin(), m.lsns.end());
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::sort(lsns.begin(), lsns.end());
    lsns.erase(std::unique(lsns.begin(), lsns.end()), lsns.end());
    for (MapLayout &m : layouts) {
        m.keys = keys;
        m.lsns = lsns;
    }
}

std::string svgOpen(int width, int height)
{
    return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
                       "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"11\">\n"
                       "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
                       width,
                       height);
}

std::string mapPanelSvg(const Timeline &t, const MapLayout &m, const MapBox &box)
{
    const double inset = 8;
    auto x = [&](const Key &k) { return box.keyX(m, k); };
    auto y = [&](std::uint64_t lsn) {
        return box.bottom - inset - m.v(lsn) * (box.bottom - box.top - 2 * inset);
    };
    std::string out = fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n",
        box.left,
        box.top,
        box.right - box.left,
        box.bottom - box.top);
    for (std::size_t i : m.order) {
        const TimelineLayer &l = t.layers[i];
        const LayerName &n = *l.name;
        const std::string dash = l.onDisk ? "" : " stroke-dasharray=\"4 3\"";
        const std::string title = fmt::format("<title>{}</title>", xmlEscape(l.fileName));
        if (n.kind == LayerKind::Image) {
            const double yy = y(n.lsnStart.value);
            out += fmt::format(
                "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#27ae60\" "
                "stroke-width=\"2\"{}>{}</line>\n",
                x(n.keyStart),
                yy,
                x(n.keyEnd),
                yy,
                dash,
                title);
            continue;
        }
        const bool l0 = isL0(n);
        const double x0 = x(n.keyStart), x1 = x(n.keyEnd), y0 = y(n.lsnEnd.value),
                     y1 = y(n.lsnStart.value);
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
            "fill-opacity=\"{}\" stroke=\"{}\"{}>{}</rect>\n",
            x0,
            y0,
            std::max(0.5, x1 - x0),
            std::max(0.5, y1 - y0),
            l0 ? "#e67e22" : "#3498db",
            l.onDisk ? "0.2" : "0",
            l0 ? "#d35400" : "#2980b9",
            dash,
            title);
    }
    // LSN labels spread over the boundaries, as many as the panel's height holds.
    const std::size_t labels = std::max<std::size_t>(2, std::size_t((box.bottom - box.top) / 70));
    for (std::size_t j = 0; j < m.lsns.size(); j += std::max<std::size_t>(1, m.lsns.size() / labels))
        out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                           box.left - 6,
                           y(m.lsns[j]) + 4,
                           Lsn{m.lsns[j]}.toString());
    return out;
}

std::string mapKeyAxisSvg(const MapLayout &m, const MapBox &box, double baseline)
{
    std::string out;
    for (std::size_t j = 0; j < m.keys.size(); j += std::max<std::size_t>(1, m.keys.size() / 6)) {
        const Key &k = m.keys[j];
        const std::string label = k == Key::min() ? "MIN" : k == Key::max() ? "MAX" : k.describe();
        out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                           box.keyX(m, k),
                           baseline,
                           xmlEscape(label));
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">keys ({} "
                       "distinct boundaries) "
                       "→ · LSN ↑ ({} distinct)</text>\n",
                       (box.left + box.right) / 2,
                       baseline + 20,
                       m.keys.size(),
                       m.lsns.size());
    return out;
}

double MapBox::keyX(const MapLayout &m, const Key &k) const
{
    const double inset = 8;
    return left + inset + m.u(k) * (right - left - 2 * inset);
}

std::string mapSvg(const Timeline &t, int width, int height)
{
    const MapLayout m = layoutMap(t);
    const MapBox box{110, 36, width - 12.0, height - 48.0};
    std::size_t images = 0, deltas = 0;
    for (std::size_t i : m.order)
        ++(t.layers[i].name->kind == LayerKind::Image ? images : deltas);
    return svgOpen(width, height)
           + fmt::format("<text x=\"{}\" y=\"20\" font-size=\"14\">{}: {} image and {} delta "
                         "layers (keys across, LSN upwards)</text>\n",
                         box.left,
                         xmlEscape(t.dir),
                         images,
                         deltas)
           + mapPanelSvg(t, m, box) + mapKeyAxisSvg(m, box, box.bottom + 16) + "</svg>\n";
}

} // namespace layerscope
