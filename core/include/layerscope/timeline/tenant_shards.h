#pragma once

// A sharded tenant where it is stored (a directory tree or an s3:// region in Neon's remote
// layout): its shards, its stripe from the tenant manifest, the shard that owns a key, and the
// timeline a log line points into. Part of layerscope_remote.

#include <layerscope/format/log_line.h>
#include <layerscope/io/remote.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// A tenant shard's stripe and where it came from.
struct TenantStripe
{
    std::uint32_t pages = 0;
    /// "tenant-manifest-00000002.json", "tenant-manifest-00000002.json (no stripe_size: Neon's
    /// original 32768)" or "Neon's default (no tenant manifest)".
    std::string from;
    /// Why the manifest could not be read (listing, fetch, not JSON); its default used.
    std::string problem;
};

/// The stripe_size of the newest tenant manifest (tenant-manifest-<generation>.json; the one
/// without a generation is the oldest) of the tenant shard at `tenantDir` (a directory or
/// s3:// prefix ending in '/'). A manifest without one means 32768 pages, as Neon reads it; no
/// manifest, or one that cannot be read (said in `problem`), Neon's default. Blocks on the
/// network for a remote tenant.
TenantStripe readTenantStripe(const std::string &tenantDir, const RemoteOptions &options);

/// The tenant shard slugs of `tenant` below `root` (a directory or s3:// prefix ending in '/',
/// holding tenants/): "" for an unsharded tenant's directory. Error: a remote listing failed.
Result<std::vector<std::string>> tenantShardSlugs(const std::string &root,
                                                  const std::string &tenant,
                                                  const RemoteOptions &options);

/// One timeline's copies across a tenant's shards.
struct TimelineCopies
{
    /// Each copy's directory or prefix (ending in '/'): the shards of the highest count first,
    /// by number, then those of split parents still holding the timeline.
    std::vector<std::string> paths;
    std::vector<std::string> slugs; ///< the copies' shards, as paths have them ("" unsharded)
    std::uint8_t count = 0;         ///< the highest shard count among them (0: unsharded)
    TenantStripe stripe;            ///< `stripePages` if given, else the tenant manifest's
};

/// The copies of the timeline `path` names (a directory or s3:// prefix in Neon's layout with a
/// timeline id; its shard, if any, is ignored): every tenant shard whose timelines/ holds it.
/// One listing of tenants/ and one of each shard's timelines/ remotely. Errors: a listing
/// failed, `path` names no timeline, or no shard holds it (saying where it looked).
Result<TimelineCopies> timelineCopies(const std::string &path,
                                      std::uint32_t stripePages,
                                      const RemoteOptions &options);

/// Where a log line's read happened, and what was noticed on the way.
struct LocatedTimeline
{
    std::string timeline;           ///< the timeline's directory or prefix, ending in '/'
    std::vector<std::string> notes; ///< e.g. the line's shard is not the key's owner
};

/// The timeline below `root` (a region root holding tenants/, a tenant, a tenant shard, or a
/// timeline; a directory or s3:// prefix) that `loc` (with a key) points into: the shard
/// `root` names, else the one the line names, else the key's owner among the tenant's shards
/// of the highest count (stripe: `stripePages`, else the manifest's). Errors say what the line
/// and `root` lack (the tenant or timeline id) or that the tenant has no directory there.
Result<LocatedTimeline> locateTimeline(const LogLocation &loc,
                                       const std::string &root,
                                       std::uint32_t stripePages,
                                       const RemoteOptions &options);

} // namespace layerscope
