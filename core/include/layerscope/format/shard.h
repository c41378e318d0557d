#pragma once

// Which shard of a sharded tenant holds a key, by Neon's own rule (libs/pageserver_api's
// shard.rs, taken as facts): relation blocks are spread over the shards by relation and stripe
// of blocks (Postgres's murmurhash32 and hash_combine); every other key, and the blocks of init
// forks, live on shard 0; relation sizes and the keys no shard rule covers are kept by every
// shard; SLRU, aux-file and SLRU-directory keys only by shard 0.

#include <layerscope/format/key.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace layerscope {

/// Neon's default stripe, in 8 KiB pages: 16 MiB since April 2025 (storage controller #11168).
inline constexpr std::uint32_t kDefaultStripePages = 2048;
/// The default before: 256 MiB. Tenants sharded then keep it (their manifest says so).
inline constexpr std::uint32_t kLegacyStripePages = 32768;

/// A shard of a tenant: its number, the tenant's shard count (0 or 1: unsharded) and stripe.
struct ShardIdentity
{
    std::uint8_t number = 0;
    std::uint8_t count = 0;
    std::uint32_t stripePages = kDefaultStripePages;
    bool sharded() const { return count >= 2; }
    /// The tenant-shard suffix Neon writes in paths: "0104" (number 1 of 4); empty unsharded.
    std::string slug() const;
    /// "0104" (as a path holds it after the tenant id and a '-'); nullopt for anything else, or
    /// a number not below the count.
    static std::optional<ShardIdentity> fromSlug(std::string_view slug,
                                                 std::uint32_t stripePages = kDefaultStripePages);
};

/// The shard a path names in Neon's remote layout (`tenants/<tenant id>-<slug>/...`), with
/// this stripe; nullopt for an unsharded tenant or a path outside the layout.
std::optional<ShardIdentity> shardOfPath(std::string_view path,
                                         std::uint32_t stripePages = kDefaultStripePages);

/// Where a path sits in Neon's remote layout, `ROOT/tenants/<tenant>[-<slug>]/timelines/<timeline>/`,
/// for a directory, a file or an object URL below a tenant (a path ending at the tenant, or at
/// its `timelines/`, has an empty timeline).
struct LayoutPath
{
    std::string root;     ///< what comes before "tenants/" (a directory or URL, with its '/')
    std::string tenant;   ///< 32 hex digits
    std::string slug;     ///< "0104"; empty for an unsharded tenant (and for a bare tenant id)
    std::string timeline; ///< 32 hex digits, or empty
    std::string rest;     ///< what follows the timeline's '/' (a file name), or empty

    /// ROOT/tenants/<tenant>[-<slug>]/timelines/<timeline>/ of the tenant shard `slug`.
    std::string timelinePath(std::string_view slug) const;
    /// ROOT/tenants/<tenant>[-<slug>]/ of the tenant shard `slug`.
    std::string tenantPath(std::string_view slug) const;
};
/// nullopt for a path with no `tenants/<32 hex digits>` in it.
std::optional<LayoutPath> parseLayoutPath(std::string_view path);

/// Postgres's murmurhash32 (hashfn.h), as Neon uses it.
std::uint32_t murmurHash32(std::uint32_t h);
/// Postgres's hash_combine (hashfn.h).
std::uint32_t hashCombine(std::uint32_t a, std::uint32_t b);

/// Whether `key` always lives on shard 0: everything but relation blocks, and the blocks of
/// init forks (Neon's key_is_shard0).
bool keyIsShard0(const Key &key);
/// The shard that owns `key` among `count` shards with this stripe (Neon's key_to_shard_number):
/// 0 when unsharded or for shard-0 keys, else the relation and block stripe hashed. A stripe of
/// 0 pages, which Neon refuses to configure, gives 0.
std::uint8_t keyToShardNumber(std::uint8_t count, std::uint32_t stripePages, const Key &key);
/// Whether two keys are of one relation fork (fields 1-5 equal; the block may differ).
bool sameRelationFork(const Key &a, const Key &b);

/// Who holds the keys of a range, by Neon's rule.
struct KeyRangeOwner
{
    enum class Kind {
        Shard,   ///< every key of the range is `shard`'s (or kept by every shard)
        Every,   ///< relation sizes only: every shard keeps them
        Several, ///< the range spans stripes or relations owned by different shards
    };
    Kind kind = Kind::Shard;
    std::uint8_t shard = 0;
    bool operator==(const KeyRangeOwner &) const = default;
};

/// Who owns the keys in [from, to) among `count` shards with this stripe: one shard when the
/// range stays within one relation fork and its blocks hash to one shard (a stripe, or up to 64
/// stripes that all land on one), shard 0 for a range of keys that are not relation blocks;
/// Several otherwise. Unsharded (count < 2): shard 0.
KeyRangeOwner keyRangeOwner(std::uint8_t count,
                            std::uint32_t stripePages,
                            const Key &from,
                            const Key &to);

/// A stretch of keys and who owns it.
struct OwnedRange
{
    Key from, to; ///< [from, to)
    KeyRangeOwner owner;
};

/// [from, to) cut at stripe boundaries where the owner changes, when the range lies in one
/// relation fork and spans at most `maxPieces` stripes; else the range whole with
/// keyRangeOwner's answer. Adjacent pieces of one owner are merged.
std::vector<OwnedRange> ownedRanges(std::uint8_t count,
                                    std::uint32_t stripePages,
                                    const Key &from,
                                    const Key &to,
                                    std::size_t maxPieces = 64);

/// Whether every shard keeps `key` (relation sizes, and keys no rule covers), not one.
bool isKeyGlobal(const Key &key);
/// Whether `shard` must hold `key` itself (Neon's is_key_local).
bool isKeyLocal(const ShardIdentity &shard, const Key &key);
/// Whether `shard` may drop `key`, found in its layers: neither global nor its own (Neon's
/// is_key_disposable); never for an unsharded tenant.
bool isKeyDisposable(const ShardIdentity &shard, const Key &key);

} // namespace layerscope
