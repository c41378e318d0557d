#include <layerscope/base/bytes.h>
#include <layerscope/timeline/index_part.h>
#include <layerscope/timeline/remote_timeline.h>

#include <algorithm>

namespace layerscope {

std::optional<std::uint64_t> indexPartOrder(std::string_view name)
{
    constexpr std::string_view base = "index_part.json";
    if (name == base)
        return 0;
    if (name.size() != base.size() + 9 || name.substr(0, base.size()) != base
        || name[base.size()] != '-')
        return std::nullopt;
    std::uint64_t g = 0;
    for (char c : name.substr(base.size() + 1)) {
        const int d = hexDigit(c);
        if (d < 0)
            return std::nullopt;
        g = g * 16 + std::uint64_t(d);
    }
    return g + 1;
}

bool isTimelinePrefix(std::string_view text)
{
    return text.substr(0, 5) == "s3://" && text.ends_with('/');
}

Result<Timeline> openRemoteTimeline(const ObjectUrl &prefix, const RemoteOptions &options,
                                    RemoteOpener open, const std::optional<IndexPart> &index)
{
    std::vector<std::string> subPrefixes;
    auto objects = listObjects(prefix, options, &subPrefixes);
    if (!objects)
        return objects.error();
    Timeline t;
    t.dir = prefix.display;
    t.storedWhere = "in the bucket";
    const ObjectInfo *live = nullptr;
    std::uint64_t liveOrder = 0;
    for (const ObjectInfo &o : *objects) {
        const std::string name = o.key.substr(std::min(o.key.size(), prefix.key.size()));
        if (const auto order = indexPartOrder(name)) {
            if (!live || *order >= liveOrder) {
                live = &o;
                liveOrder = *order;
            }
            continue;
        }
        t.layers.push_back(timelineFile(name, prefix.withKey(o.key).display, o.size, o.etag));
    }
    std::sort(t.layers.begin(), t.layers.end(), [](const TimelineLayer &a, const TimelineLayer &b) {
        return a.fileName < b.fileName;
    });
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
    if (listed)
        mergeIndex(t, *listed);
    t.opener = [open = std::move(open)](const std::string &url) -> Result<Layer> {
        auto source = open(url);
        if (!source)
            return source.error();
        return Layer::open(std::move(source.value()));
    };
    return t;
}

} // namespace layerscope
