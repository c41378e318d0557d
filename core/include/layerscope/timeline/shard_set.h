#pragma once

// One timeline across the shards of a sharded tenant: the copies each shard keeps under
// tenants/<tenant>-<shard>/timelines/<timeline>/, compared with each other.

#include <layerscope/check/registry.h>
#include <layerscope/format/shard.h>
#include <layerscope/timeline/timeline.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace layerscope {

/// What one tenant shard's copy of a timeline says of it (from its merged index).
struct ShardTimeline
{
    std::string path;     ///< the copy's directory or prefix
    std::string slug;     ///< its tenant shard ("0104"; "" for an unsharded tenant)
    bool indexed = false; ///< an index was merged: the fields below are its
    std::optional<Lsn> diskConsistentLsn;
    std::string ancestorTimeline;
    std::optional<Lsn> ancestorLsn;

    /// The copy `t` is (its dir in Neon's layout); nullopt for a timeline outside the layout.
    static std::optional<ShardTimeline> of(const Timeline &t);
};

/// A problem of a timeline across shards: `where` is a copy's path (or the path a missing
/// shard's copy would have).
struct ShardSetProblem
{
    ShardSetProblem(CheckAs c, std::string where, std::string message)
        : check(c.info->id)
        , severity(c.severity)
        , where(std::move(where))
        , message(std::move(message))
    {}
    std::string check;
    Severity severity;
    std::string where;
    std::string message;
};

/// Compares the copies of one timeline (same tenant, same timeline id; any order). The shards
/// of the highest shard count are the tenant's (copies of lower counts are split parents,
/// kept while children read their layers): every one of them must be there, indexed when any
/// is (shard-missing), and agree on ancestry (shard-ancestry); differing disk_consistent_lsn is
/// said once (shard-lsn-spread). Nothing for an unsharded tenant.
std::vector<ShardSetProblem> checkShardSet(std::span<const ShardTimeline> copies);

/// The colour a shard is drawn in ("#rrggbb"), the same in every map and pane.
std::string shardColour(std::uint8_t number);

/// A stretch of a map's key axis (unit coordinates, as MapLayout::u) and who owns its keys.
struct OwnerSpan
{
    double u0 = 0, u1 = 0;
    OwnedRange range;
};

/// Who owns the keys between each pair of `m`'s key boundaries (ownedRanges: split at stripes
/// where the owner changes, each stripe as wide as its share of the stretch's blocks), for
/// `count` shards of `stripePages` pages.
std::vector<OwnerSpan> ownerSpans(const MapLayout &m, std::uint8_t count, std::uint32_t stripePages);

/// "shard 0104", "every shard (relation sizes)" or "several shards (...)".
std::string describeOwner(const KeyRangeOwner &owner, std::uint8_t count);

/// One timeline's copies across a tenant's shards (in the order given, each titled by its
/// Timeline::shard) as one SVG: a panel per copy, stacked on shared key and LSN axes so the
/// same key range is at the same x in each, and under them a strip saying which shard owns
/// each key range by Neon's rule (`count` shards of `stripePages` pages; keyRangeOwner):
/// the shard's colour, grey where every shard keeps the keys, hatched where a range spans
/// stripes of several shards.
std::string shardMapSvg(std::span<const Timeline> copies,
                        std::uint8_t count,
                        std::uint32_t stripePages,
                        int width = 1600,
                        int panelHeight = 240);

} // namespace layerscope
