#include <layerscope/format/shard.h>

#include <fmt/format.h>

namespace layerscope {

namespace {

constexpr std::uint8_t kInitFork = 3; // Postgres's INIT_FORKNUM
constexpr std::uint8_t kAuxKeyPrefix = 0x62;

// Neon's own key predicates, on the raw fields (they define the rule, whatever KeyClass says).
bool isRelBlockKey(const Key &k)
{
    return k.field1() == 0x00 && k.field4() != 0 && k.field6() != 0xFFFFFFFF;
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
    // ".../tenants/<32 hex digits>-<4 hex digits>/..."
    for (std::size_t at = path.find("tenants/"); at != std::string_view::npos;
         at = path.find("tenants/", at + 1)) {
        if (at > 0 && path[at - 1] != '/')
            continue;
        const std::string_view rest = path.substr(at + 8);
        const std::string_view tenant = rest.substr(0, rest.find('/'));
        if (tenant.size() == 32 + 1 + 4 && tenant[32] == '-')
            return ShardIdentity::fromSlug(tenant.substr(33), stripePages);
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

} // namespace layerscope
