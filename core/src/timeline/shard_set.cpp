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

std::string shardColour(std::uint8_t number)
{
    static constexpr const char *kColours[] = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    return kColours[number % std::size(kColours)];
}

std::string describeOwner(const KeyRangeOwner &o, std::uint8_t count)
{
    switch (o.kind) {
    case KeyRangeOwner::Kind::Shard:
        return "shard " + (count >= 2 ? ShardIdentity{o.shard, count}.slug() : std::string("0"));
    case KeyRangeOwner::Kind::Every: return "every shard (relation sizes)";
    case KeyRangeOwner::Kind::Several: return "several shards (stripes of different owners)";
    }
    return {};
}

std::vector<OwnerSpan> ownerSpans(const MapLayout &m, std::uint8_t count, std::uint32_t stripePages)
{
    std::vector<OwnerSpan> out;
    for (std::size_t j = 0; j + 1 < m.keys.size(); ++j) {
        // Stripes inside a stretch take its width in proportion to their blocks.
        const auto pieces = ownedRanges(count, stripePages, m.keys[j], m.keys[j + 1]);
        auto weight = [](const OwnedRange &r) {
            return sameRelationFork(r.from, r.to) ? double(r.to.field6() - r.from.field6()) : 1.0;
        };
        double total = 0;
        for (const OwnedRange &r : pieces)
            total += weight(r);
        const double u0 = m.u(m.keys[j]), width = m.u(m.keys[j + 1]) - u0;
        double at = u0;
        for (const OwnedRange &r : pieces) {
            const double w = width * weight(r) / total;
            out.push_back({at, at + w, r});
            at += w;
        }
    }
    return out;
}

namespace {

std::string ownerFill(const KeyRangeOwner &o)
{
    switch (o.kind) {
    case KeyRangeOwner::Kind::Shard: return shardColour(o.shard);
    case KeyRangeOwner::Kind::Every: return "#555";
    case KeyRangeOwner::Kind::Several: return "url(#several)";
    }
    return {};
}

} // namespace

std::string shardMapSvg(std::span<const Timeline> copies,
                        std::uint8_t count,
                        std::uint32_t stripePages,
                        int width,
                        int panelHeight)
{
    std::vector<MapLayout> layouts;
    for (const Timeline &t : copies)
        layouts.push_back(layoutMap(t));
    shareBoundaries(layouts);
    const MapLayout shared = layouts.empty() ? MapLayout{} : layouts.front();
    const double left = 110, right = width - 12.0, titleGap = 22, top = 40, stripHeight = 16;
    const double panelsBottom = top + double(copies.size()) * (panelHeight + titleGap);
    const int height = int(panelsBottom + stripHeight + 90);
    std::string out = svgOpen(width, height);
    out += "<defs><pattern id=\"several\" width=\"6\" height=\"6\" "
           "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
           "<rect width=\"3\" height=\"6\" fill=\"#bbb\"/></pattern></defs>\n";
    out += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"14\">{} shard copies of one "
                       "timeline ({} shards, stripe {} pages; keys across, LSN upwards)</text>\n",
                       left,
                       copies.size(),
                       count,
                       stripePages);
    MapBox box{left, 0, right, 0};
    for (std::size_t c = 0; c < copies.size(); ++c) {
        const Timeline &t = copies[c];
        box.top = top + double(c) * (panelHeight + titleGap) + titleGap;
        box.bottom = box.top + panelHeight;
        const auto shard = ShardIdentity::fromSlug(t.shard.value_or(""));
        out += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\" fill=\"{}\">shard "
                           "{}</text><text x=\"{}\" y=\"{}\" fill=\"#555\">{} layers · "
                           "{}</text>\n",
                           left,
                           box.top - 6,
                           shard ? shardColour(shard->number) : "#000",
                           xmlEscape(t.shard && !t.shard->empty() ? *t.shard : "(unsharded)"),
                           left + 90,
                           box.top - 6,
                           layouts[c].order.size(),
                           xmlEscape(t.dir));
        out += mapPanelSvg(t, layouts[c], box);
    }
    // Who owns each stretch between two key boundaries.
    const double stripTop = panelsBottom + 8;
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">owner</text>\n",
                       left - 6,
                       stripTop + 12);
    // MapBox::keyX's mapping of unit u: the box inset by 8 pixels.
    const double origin = box.left + 8, inner = box.right - box.left - 16;
    for (const OwnerSpan &span : ownerSpans(shared, count, stripePages)) {
        const double x0 = origin + span.u0 * inner, w = (span.u1 - span.u0) * inner;
        out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
                           "fill=\"{}\"><title>{} – {}: {}</title></rect>\n",
                           x0,
                           stripTop,
                           std::max(0.5, w),
                           stripHeight,
                           ownerFill(span.range.owner),
                           xmlEscape(span.range.from.describe()),
                           xmlEscape(span.range.to.describe()),
                           describeOwner(span.range.owner, count));
    }
    out += mapKeyAxisSvg(shared, box, stripTop + stripHeight + 16);
    // The legend: each shard's colour, then the two shared fills.
    double lx = left;
    const double ly = stripTop + stripHeight + 56;
    auto legend = [&](const std::string &fill, const std::string &label) {
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                           "<text x=\"{}\" y=\"{}\">{}</text>\n",
                           lx,
                           ly - 10,
                           fill,
                           lx + 16,
                           ly,
                           xmlEscape(label));
        lx += 30 + 7.0 * double(label.size());
    };
    for (std::uint8_t n = 0; n < std::max<std::uint8_t>(count, 1); ++n)
        legend(shardColour(n), "shard " + (count >= 2 ? ShardIdentity{n, count}.slug() : "0"));
    legend("#555", "every shard");
    legend("url(#several)", "several shards");
    return out + "</svg>\n";
}

} // namespace layerscope
