#pragma once

// One timeline across the shards of a sharded tenant: the copies each shard keeps under
// tenants/<tenant>-<shard>/timelines/<timeline>/, compared with each other.

#include <layerscope/check/registry.h>
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

} // namespace layerscope
