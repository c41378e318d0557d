#include <layerscope/format/shard.h>
#include <layerscope/timeline/local_timeline.h>

#include <algorithm>

namespace layerscope {

Result<Timeline> openLocalTimeline(const std::string &dir, const std::optional<IndexPart> &index)
{
    auto t = scanTimeline(dir);
    if (!t)
        return t.error();
    const auto place = parseLayoutPath(dir.ends_with('/') ? dir : dir + "/");
    if (!place || place->timeline.empty()) {
        if (index)
            mergeIndex(*t, *index);
        return t;
    }
    t->shard = place->slug;
    // The index files are the prefix's, not layers; the live one is the highest generation's.
    const TimelineLayer *live = nullptr;
    std::uint64_t liveOrder = 0;
    for (const TimelineLayer &l : t->layers)
        if (const auto order = indexPartOrder(l.fileName); order && (!live || *order >= liveOrder)) {
            live = &l;
            liveOrder = *order;
        }
    std::optional<IndexPart> listed = index;
    if (!listed && live) {
        auto parsed = readIndexPart(live->path);
        if (!parsed) {
            Error e = parsed.error();
            e.found += " (in " + live->path + ")";
            return e;
        }
        listed = std::move(*parsed);
    }
    std::erase_if(t->layers,
                  [](const TimelineLayer &l) { return indexPartOrder(l.fileName).has_value(); });
    if (listed) {
        mergeIndex(*t, *listed);
        resolveShardLayers(*t,
                           [](const std::string &shardDir) -> Result<std::vector<TimelineLayer>> {
                               auto files = scanTimeline(shardDir);
                               if (!files)
                                   return files.error();
                               return std::move(files->layers);
                           });
    }
    return t;
}

} // namespace layerscope
