#include <layerscope/format/shard.h>

#include <fmt/format.h>

#include <algorithm>

namespace layerscope {

namespace {

constexpr std::uint8_t kInitFork = 3; // Postgres's INIT_FORKNUM
constexpr std::uint8_t kAuxKeyPrefix = 0x62;

// Neon's own key predicates, on the raw fields (they define the rule, whatever KeyClass says).
bool isRelBlockKey(const Key &k)
{
    return k.field1() == 0x00 && k.field4() != 0 && k.field6() != 0xFFFFFFFF;
}
/// `k` with its block number (field 6) replaced.
Key blockOf(const Key &k, std::uint32_t block)
{
    return Key::fromFields(k.field1(), k.field2(), k.field3(), k.field4(), k.field5(), block);
}
bool isSlruBlockKey(const Key &k)
{
    return k.field1() == 0x01 && k.field3() == 1 && k.field6() != 0xFFFFFFFF;
}
bool isSlruSegmentSizeKey(const Key &k)
{
    return k.field1() == 0x01 && k.field2() < 3 && k.field3() == 1 && k.field5() == 0
           && k.field6() == 0xFFFFFFFF;
}
bool isSlruDirKey(const Key &k)
{
    return k.field1() == 0x01 && k.field3() == 0 && k.field4() == 0 && k.field5() == 0
           && k.field6() == 0;
}

} // namespace

std::string ShardIdentity::slug() const
{
    return count ? fmt::format("{:02x}{:02x}", number, count) : std::string();
}

std::optional<ShardIdentity> ShardIdentity::fromSlug(std::string_view slug,
                                                     std::uint32_t stripePages)
{
    if (slug.size() != 4)
        return std::nullopt;
    std::uint32_t v = 0;
    for (char c : slug) {
        const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return std::nullopt;
        v = v << 4 | std::uint32_t(d);
    }
    ShardIdentity s{std::uint8_t(v >> 8), std::uint8_t(v), stripePages};
    if (s.count == 0 || s.number >= s.count)
        return std::nullopt;
    return s;
}

std::optional<ShardIdentity> shardOfPath(std::string_view path, std::uint32_t stripePages)
{
    const auto place = parseLayoutPath(path);
    if (!place || place->slug.empty())
        return std::nullopt;
    return ShardIdentity::fromSlug(place->slug, stripePages);
}

namespace {

bool isHexId(std::string_view s)
{
    return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

std::string LayoutPath::tenantPath(std::string_view shardSlug) const
{
    return fmt::format("{}tenants/{}{}{}/", root, tenant, shardSlug.empty() ? "" : "-", shardSlug);
}

std::string LayoutPath::timelinePath(std::string_view shardSlug) const
{
    return fmt::format("{}timelines/{}/", tenantPath(shardSlug), timeline);
}

std::optional<LayoutPath> parseLayoutPath(std::string_view path)
{
    for (std::size_t at = path.find("tenants/"); at != std::string_view::npos;
         at = path.find("tenants/", at + 1)) {
        if (at > 0 && path[at - 1] != '/')
            continue;
        const std::string_view rest = path.substr(at + 8);
        const std::string_view tenantShard = rest.substr(0, rest.find('/'));
        LayoutPath p;
        p.root = std::string(path.substr(0, at));
        if (!isHexId(tenantShard.substr(0, 32)))
            continue;
        p.tenant = std::string(tenantShard.substr(0, 32));
        if (tenantShard.size() != 32) {
            if (tenantShard.size() != 37 || tenantShard[32] != '-'
                || !ShardIdentity::fromSlug(tenantShard.substr(33)))
                continue;
            p.slug = std::string(tenantShard.substr(33));
        }
        std::string_view below = rest.substr(tenantShard.size());
        if (below.starts_with("/timelines/")) {
            below.remove_prefix(11);
            const std::string_view timeline = below.substr(0, below.find('/'));
            if (isHexId(timeline)) {
                p.timeline = std::string(timeline);
                below.remove_prefix(timeline.size());
                if (below.starts_with('/'))
                    p.rest = std::string(below.substr(1));
            }
        }
        return p;
    }
    return std::nullopt;
}

std::uint32_t murmurHash32(std::uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

std::uint32_t hashCombine(std::uint32_t a, std::uint32_t b)
{
    b += 0x9E3779B9u;
    b += a << 6;
    b += a >> 2;
    return a ^ b;
}

bool sameRelationFork(const Key &a, const Key &b)
{
    return a.field1() == 0x00 && b.field1() == 0x00 && a.field2() == b.field2()
           && a.field3() == b.field3() && a.field4() == b.field4() && a.field5() == b.field5();
}

bool keyIsShard0(const Key &key)
{
    return !isRelBlockKey(key) || key.field5() == kInitFork;
}

std::uint8_t keyToShardNumber(std::uint8_t count, std::uint32_t stripePages, const Key &key)
{
    if (count < 2 || keyIsShard0(key) || stripePages == 0)
        return 0;
    std::uint32_t hash = murmurHash32(key.relNumber());
    hash = hashCombine(hash, murmurHash32(key.blockNumber() / stripePages));
    return std::uint8_t(hash % count);
}

bool isKeyGlobal(const Key &key)
{
    if (isSlruBlockKey(key) || isSlruSegmentSizeKey(key) || key.field1() == kAuxKeyPrefix
        || isSlruDirKey(key))
        return false;
    if (isRelBlockKey(key))
        return false;
    // Relation sizes, and every key no rule covers yet: kept by every shard.
    return true;
}

bool isKeyLocal(const ShardIdentity &shard, const Key &key)
{
    if (!shard.sharded() || (keyIsShard0(key) && shard.number == 0))
        return true;
    return keyToShardNumber(shard.count, shard.stripePages, key) == shard.number;
}

bool isKeyDisposable(const ShardIdentity &shard, const Key &key)
{
    return shard.sharded() && !isKeyGlobal(key) && !isKeyLocal(shard, key);
}

KeyRangeOwner keyRangeOwner(std::uint8_t count,
                            std::uint32_t stripePages,
                            const Key &from,
                            const Key &to)
{
    using Kind = KeyRangeOwner::Kind;
    if (count < 2 || stripePages == 0 || !(from < to))
        return {};
    // The range's last key: `to` less one, borrowing from the left.
    Key last = to;
    for (std::size_t i = Key::kSize; i-- > 0;)
        if (last.bytes[i]-- != 0)
            break;
    // Everything from a non-relation key on (field1 above 0) lives on shard 0.
    if (from.field1() != 0x00)
        return {Kind::Shard, 0};
    if (!sameRelationFork(from, last))
        return {Kind::Several, 0};
    if (keyIsShard0(from) && keyIsShard0(last)) {
        if (from.field4() != 0 && from.field6() == 0xFFFFFFFF)
            return {Kind::Every, 0};
        if (from.field4() == 0 || from.field5() == kInitFork)
            return {Kind::Shard, 0};
    }
    // Blocks of one relation fork; its size key (block 0xFFFFFFFF) is every shard's.
    const std::uint32_t firstStripe = from.field6() / stripePages;
    const std::uint32_t lastStripe = std::min(last.field6(), 0xFFFFFFFEu) / stripePages;
    if (lastStripe - firstStripe >= 64)
        return {Kind::Several, 0};
    const std::uint8_t owner = keyToShardNumber(count, stripePages, from);
    for (std::uint32_t s = firstStripe + 1; s <= lastStripe; ++s)
        if (keyToShardNumber(count, stripePages, blockOf(from, s * stripePages)) != owner)
            return {Kind::Several, 0};
    return {Kind::Shard, owner};
}

std::vector<OwnedRange> ownedRanges(std::uint8_t count,
                                    std::uint32_t stripePages,
                                    const Key &from,
                                    const Key &to,
                                    std::size_t maxPieces)
{
    std::vector<OwnedRange> out;
    auto add = [&](const Key &a, const Key &b) {
        const KeyRangeOwner o = keyRangeOwner(count, stripePages, a, b);
        if (!out.empty() && out.back().owner == o)
            out.back().to = b;
        else
            out.push_back({a, b, o});
    };
    // Within one fork's blocks: a piece per stripe, up to the fork's size key or `to`.
    if (count >= 2 && stripePages && from < to && isRelBlockKey(from) && !keyIsShard0(from)) {
        const Key sizeKey = blockOf(from, 0xFFFFFFFF);
        const Key forkEnd = sizeKey < to ? sizeKey : to;
        const std::uint64_t first = from.field6() / stripePages;
        const std::uint64_t last = (std::uint64_t(forkEnd.field6()) - (forkEnd == to ? 1 : 0))
                                   / stripePages;
        if (last - first < maxPieces) {
            Key a = from;
            for (std::uint64_t s = first; s <= last; ++s) {
                const std::uint64_t endBlock = (s + 1) * stripePages;
                const Key b = endBlock < forkEnd.field6() ? blockOf(from, std::uint32_t(endBlock))
                                                          : forkEnd;
                if (a < b)
                    add(a, b);
                a = b;
            }
            if (forkEnd < to)
                add(forkEnd, to);
            return out;
        }
    }
    add(from, to);
    return out;
}

} // namespace layerscope
