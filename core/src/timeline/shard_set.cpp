#include <layerscope/format/shard.h>
#include <layerscope/timeline/shard_set.h>

#include <fmt/format.h>

#include <algorithm>

namespace layerscope {

std::optional<ShardTimeline> ShardTimeline::of(const Timeline &t)
{
    if (!t.shard)
        return std::nullopt;
    ShardTimeline s;
    s.path = t.dir;
    s.slug = *t.shard;
    s.indexed = t.diskConsistentLsn.has_value();
    s.diskConsistentLsn = t.diskConsistentLsn;
    s.ancestorTimeline = t.ancestorTimeline;
    s.ancestorLsn = t.ancestorLsn;
    return s;
}

namespace {

std::string ancestryText(const ShardTimeline &s)
{
    if (s.ancestorTimeline.empty())
        return "no ancestor";
    return fmt::format("ancestor {} at {}",
                       s.ancestorTimeline,
                       s.ancestorLsn ? s.ancestorLsn->toString() : std::string("no LSN"));
}

} // namespace

std::vector<ShardSetProblem> checkShardSet(std::span<const ShardTimeline> copies)
{
    std::vector<ShardSetProblem> out;
    std::uint8_t count = 0;
    for (const ShardTimeline &c : copies)
        if (const auto s = ShardIdentity::fromSlug(c.slug))
            count = std::max(count, s->count);
    if (count < 2 || copies.empty())
        return out;
    // The tenant's shards now, by number (a split's parents have a lower count).
    std::vector<const ShardTimeline *> shards(count, nullptr);
    for (const ShardTimeline &c : copies)
        if (const auto s = ShardIdentity::fromSlug(c.slug); s && s->count == count)
            shards[s->number] = &c;
    const auto place = parseLayoutPath(copies.front().path);
    const bool anyIndexed = std::any_of(shards.begin(), shards.end(), [](const ShardTimeline *s) {
        return s && s->indexed;
    });
    const ShardTimeline *first = nullptr;
    for (std::uint8_t n = 0; n < count; ++n) {
        const std::string slug = ShardIdentity{n, count}.slug();
        if (!shards[n]) {
            out.emplace_back(checkInfo("shard-missing"),
                             place ? place->timelinePath(slug) : slug,
                             fmt::format("shard {} of {} has no copy of this timeline: the keys "
                                         "it owns cannot be read",
                                         n,
                                         count));
        } else if (anyIndexed && !shards[n]->indexed) {
            out.emplace_back(checkInfo("shard-missing"),
                             shards[n]->path,
                             fmt::format("shard {} of {} has no index_part.json for this "
                                         "timeline; the other shards have one",
                                         n,
                                         count));
        } else if (shards[n]->indexed) {
            if (!first)
                first = shards[n];
            else if (shards[n]->ancestorTimeline != first->ancestorTimeline
                     || shards[n]->ancestorLsn != first->ancestorLsn)
                out.emplace_back(checkInfo("shard-ancestry"),
                                 shards[n]->path,
                                 fmt::format("{} here; shard {} says {}",
                                             ancestryText(*shards[n]),
                                             first->slug,
                                             ancestryText(*first)));
        }
    }
    const ShardTimeline *low = nullptr, *high = nullptr;
    for (const ShardTimeline *s : shards)
        if (s && s->diskConsistentLsn) {
            if (!low || *s->diskConsistentLsn < *low->diskConsistentLsn)
                low = s;
            if (!high || *s->diskConsistentLsn > *high->diskConsistentLsn)
                high = s;
        }
    if (low && *low->diskConsistentLsn != *high->diskConsistentLsn)
        out.emplace_back(checkInfo("shard-lsn-spread"),
                         low->path,
                         fmt::format("disk_consistent_lsn {} here, {} on shard {}: {} bytes of WAL "
                                     "apart",
                                     low->diskConsistentLsn->toString(),
                                     high->diskConsistentLsn->toString(),
                                     high->slug,
                                     high->diskConsistentLsn->value
                                         - low->diskConsistentLsn->value));
    return out;
}

} // namespace layerscope
