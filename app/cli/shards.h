#pragma once

// A sharded tenant where it is stored: its shards, its stripe (from the tenant manifest), and
// the shard that owns a key.

#include <layerscope/format/key.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope::cli {

/// The stripe_size of the newest tenant manifest (tenant-manifest-<generation>.json) of the
/// tenant shard at `tenantDir` (a directory or s3:// prefix ending in '/'); Neon's original
/// 32768 pages for a manifest without one (Neon reads it so); Neon's default without a
/// manifest. A manifest that is not JSON, or cannot be fetched, is said on stderr.
std::uint32_t manifestStripe(const std::string &tenantDir);

/// The tenant shard slugs of `tenant` below `root` (a directory or s3:// prefix ending in '/',
/// holding tenants/): "" for an unsharded tenant's directory; empty when there is none.
std::vector<std::string> tenantShards(const std::string &root, const std::string &tenant);

struct OwningShard
{
    std::string slug; ///< "" when the tenant is not sharded
    std::uint32_t stripePages = 0;
};
/// The shard of `tenant` below `root` that owns `key`: of the highest shard count found (a
/// split's parents have lower ones), by Neon's rule with `stripePages` (0: the manifest's).
/// nullopt when the tenant has no directory there.
std::optional<OwningShard> owningShard(const std::string &root,
                                       const std::string &tenant,
                                       const Key &key,
                                       std::uint32_t stripePages);

} // namespace layerscope::cli
