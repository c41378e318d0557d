#include "layerscope/timeline.h"

#include "layerscope/btree.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <fmt/format.h>
#include <thread>
#include <tuple>

namespace layerscope {

Result<Timeline> scanTimeline(const std::string &dir)
{
    namespace fs = std::filesystem;
    Timeline t;
    t.dir = dir;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec)
        return makeError(0, "a readable directory of layer files", dir + ": " + ec.message());
    for (const fs::directory_entry &de : it) {
        std::error_code fileEc;
        if (!de.is_regular_file(fileEc))
            continue;
        TimelineLayer l;
        l.fileName = de.path().filename().string();
        l.path = de.path().string();
        l.fileSize = de.file_size(fileEc);
        l.name = LayerName::parse(l.fileName, &l.nameError);
        t.layers.push_back(std::move(l));
    }
    std::sort(t.layers.begin(), t.layers.end(),
              [](const TimelineLayer &a, const TimelineLayer &b) { return a.fileName < b.fileName; });
    return t;
}

Timeline timelineFromIndex(const std::vector<ListedLayer> &listed)
{
    Timeline t;
    mergeIndex(t, listed);
    return t;
}

void mergeIndex(Timeline &timeline, const std::vector<ListedLayer> &listed)
{
    std::map<std::string, std::size_t> byCanonical;
    for (std::size_t i = 0; i < timeline.layers.size(); ++i)
        if (timeline.layers[i].isMapped())
            byCanonical.emplace(timeline.layers[i].name->canonical(), i);
    const bool haveFiles = !timeline.layers.empty();
    for (const ListedLayer &entry : listed) {
        std::string why;
        auto name = LayerName::parse(entry.name, &why);
        auto found = name ? byCanonical.find(name->canonical()) : byCanonical.end();
        if (found == byCanonical.end()) {
            TimelineLayer l;
            l.fileName = entry.name;
            l.onDisk = false;
            l.name = std::move(name);
            l.nameError = why;
            l.listed = true;
            l.listedSize = entry.fileSize;
            l.listedGeneration = entry.generation;
            if (haveFiles)
                l.indexProblems.push_back("listed in the index but not on disk");
            timeline.layers.push_back(std::move(l));
            continue;
        }
        TimelineLayer &l = timeline.layers[found->second];
        byCanonical.erase(found);
        l.listed = true;
        l.listedSize = entry.fileSize;
        l.listedGeneration = entry.generation;
        if (l.fileSize != entry.fileSize)
            l.indexProblems.push_back(fmt::format("{} bytes on disk, {} in the index", l.fileSize, entry.fileSize));
        if (entry.generation && l.name->suffix != LayerName::Suffix::None && l.name->generation != *entry.generation)
            l.indexProblems.push_back(fmt::format("generation {:08x} in the file name, {:08x} in the index",
                                                  l.name->generation, *entry.generation));
    }
    for (const auto &[canonical, i] : byCanonical)
        timeline.layers[i].indexProblems.push_back("on disk but not listed in the index");
    std::sort(timeline.layers.begin(), timeline.layers.end(),
              [](const TimelineLayer &a, const TimelineLayer &b) { return a.fileName < b.fileName; });
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
            l.disagreements.push_back(fmt::format("{}: {} in the name, {} in the summary", field, inName, inSummary));
    };
    differ("kind", n.kind == LayerKind::Image ? "image" : "delta", s.kind == LayerKind::Image ? "image" : "delta");
    differ("key_start", n.keyStart.toHex(), s.keyStart.toHex());
    differ("key_end", n.keyEnd.toHex(), s.keyEnd.toHex());
    differ(n.kind == LayerKind::Image ? "lsn" : "lsn_start", n.lsnStart.toString(), s.lsnStart.toString());
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
    return {n.lsnStart.value, image ? n.lsnStart.value + 1 : n.lsnEnd.value, n.keyStart, n.keyEnd, image};
}

} // namespace

void readSummaries(Timeline &timeline, unsigned threads, const std::function<bool(std::size_t)> &progress)
{
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    threads = std::min<unsigned>(threads, unsigned(std::max<std::size_t>(1, timeline.layers.size())));
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
            if (auto layer = Layer::openFile(l.path)) {
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
            if (!l.isMapped() || key < l.name->keyStart || !(key < l.name->keyEnd) || l.name->lsnStart.value > end - 1)
                continue;
            std::optional<std::size_t> &best = l.name->kind == LayerKind::Image ? image : delta;
            if (!best || !(mapKey(*l.name) < mapKey(*timeline.layers[*best].name)))
                best = i;
        }
        if (!delta && !image) {
            path.why = fmt::format("could not find data for key {} at LSN {}: no layer covers it below LSN {}",
                                   key.toHex(), lsn.toString(), Lsn{end}.toString());
            return path;
        }
        // select_layer: the image wins when it is at least as new as the delta, or exactly at
        // the LSN asked for; otherwise the delta is read down to just above the image.
        std::size_t chosen;
        std::uint64_t floor;
        if (image && delta) {
            const MapKey mi = mapKey(*timeline.layers[*image].name), md = mapKey(*timeline.layers[*delta].name);
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
            path.why = fmt::format("{} is listed in the index but not on disk: its values cannot be read", l.fileName);
            return path;
        }
        auto layer = Layer::openFile(l.path);
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
                path.why = fmt::format("image layer {} covers the key but holds no entry for it: at LSN {} the key "
                                       "does not exist",
                                       l.fileName, Lsn{floor}.toString());
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
            path.why = fmt::format("no progress below LSN {} in {}", Lsn{end}.toString(), l.fileName);
            return path;
        }
        end = floor;
    }
    path.why = "the read path visited more layers than the timeline has";
    return path;
}

} // namespace layerscope

namespace layerscope {

std::vector<TimelineProblem> checkTimeline(const Timeline &t)
{
    std::vector<TimelineProblem> out;
    std::vector<std::size_t> images, deltas;
    for (std::size_t i = 0; i < t.layers.size(); ++i) {
        const TimelineLayer &l = t.layers[i];
        if (!l.name) {
            out.push_back({"timeline-not-layer", Severity::Info, i, "not a layer file name: " + l.nameError});
            continue;
        }
        if (!l.name->tempSuffix.empty())
            out.push_back({"timeline-temp-file", Severity::Info, i,
                           fmt::format("a temporary file ({}): Neon's layer map does not hold it", l.name->tempSuffix)});
        for (const std::string &d : l.disagreements)
            out.push_back({"timeline-name-summary", Severity::Error, i, "the summary contradicts the file name: " + d});
        for (const std::string &p : l.indexProblems)
            out.push_back({"timeline-index", Severity::Error, i, p});
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
            out.push_back({"timeline-image-overlap", Severity::Warning, images[j],
                           fmt::format("overlaps image layer {} at the same LSN {} (keys {} – {})",
                                       t.layers[images[j - 1]].fileName, cur.lsnStart.toString(),
                                       cur.keyStart.toHex(), std::min(prev.keyEnd, cur.keyEnd).toHex())});
    }
    // LSNs no delta covers, between the oldest delta's start and the newest delta's end.
    std::sort(deltas.begin(), deltas.end(), [&](std::size_t a, std::size_t b) {
        return t.layers[a].name->lsnStart.value < t.layers[b].name->lsnStart.value;
    });
    std::uint64_t reach = 0;
    for (std::size_t j = 0; j < deltas.size(); ++j) {
        const LayerName &n = *t.layers[deltas[j]].name;
        if (j > 0 && n.lsnStart.value > reach)
            out.push_back({"timeline-lsn-gap", Severity::Warning, deltas[j],
                           fmt::format("no delta layer covers LSNs {} – {}: WAL of that range is in no layer",
                                       Lsn{reach}.toString(), n.lsnStart.toString())});
        reach = std::max(reach, n.lsnEnd.value);
    }
    return out;
}

} // namespace layerscope
