#include <layerscope/base/bytes.h>
#include <layerscope/format/shard.h>
#include <layerscope/timeline/index_part.h>
#include <layerscope/timeline/remote_timeline.h>

#include <algorithm>

namespace layerscope {

bool isTimelinePrefix(std::string_view text)
{
    return text.substr(0, 5) == "s3://" && text.ends_with('/');
}

namespace {

/// The objects directly under `prefix` as layer files, in name order; the live index (the
/// index_part.json of the highest generation) in `live` when asked for.
Result<std::vector<TimelineLayer>> listPrefix(const ObjectUrl &prefix,
                                              const RemoteOptions &options,
                                              std::optional<ObjectInfo> *live = nullptr)
{
    std::vector<std::string> subPrefixes;
    auto objects = listObjects(prefix, options, &subPrefixes);
    if (!objects)
        return objects.error();
    std::vector<TimelineLayer> layers;
    std::uint64_t liveOrder = 0;
    for (const ObjectInfo &o : *objects) {
        const std::string name = o.key.substr(std::min(o.key.size(), prefix.key.size()));
        if (const auto order = indexPartOrder(name)) {
            if (live && (!*live || *order >= liveOrder)) {
                *live = o;
                liveOrder = *order;
            }
            continue;
        }
        layers.push_back(timelineFile(name, prefix.withKey(o.key).display, o.size, o.etag));
    }
    std::sort(layers.begin(), layers.end(), [](const TimelineLayer &a, const TimelineLayer &b) {
        return a.fileName < b.fileName;
    });
    return layers;
}

} // namespace

Result<Timeline> openRemoteTimeline(const ObjectUrl &prefix,
                                    const RemoteOptions &options,
                                    RemoteOpener open,
                                    const std::optional<IndexPart> &index)
{
    std::optional<ObjectInfo> live;
    auto layers = listPrefix(prefix, options, &live);
    if (!layers)
        return layers.error();
    Timeline t;
    t.dir = prefix.display;
    t.storedWhere = "in the bucket";
    t.layers = std::move(*layers);
    if (const auto place = parseLayoutPath(prefix.display); place && !place->timeline.empty())
        t.shard = place->slug;
    std::optional<IndexPart> listed = index;
    if (!listed && live) {
        const ObjectUrl url = prefix.withKey(live->key);
        auto bytes = fetchObject(url, options);
        if (!bytes)
            return bytes.error();
        auto parsed = parseIndexPart(
            std::string_view(reinterpret_cast<const char *>(bytes->data()), bytes->size()));
        if (!parsed) {
            Error e = parsed.error();
            e.found += " (in " + url.display + ")";
            return e;
        }
        listed = std::move(*parsed);
    }
    if (listed) {
        mergeIndex(t, *listed);
        resolveShardLayers(t, [&](const std::string &dir) -> Result<std::vector<TimelineLayer>> {
            auto url = parseObjectUrl(dir);
            if (!url)
                return url.error();
            return listPrefix(*url, options);
        });
    }
    t.opener = [open = std::move(open)](const std::string &url) -> Result<Layer> {
        auto source = open(url);
        if (!source)
            return source.error();
        return Layer::open(std::move(source.value()));
    };
    return t;
}

} // namespace layerscope
