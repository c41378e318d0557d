#pragma once

// Neon's tenant manifest (tenants/<tenant shard>/tenant-manifest-<generation>.json). Part of
// layerscope_indexpart (it needs the JSON parser).

#include <layerscope/base/error.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace layerscope {

struct TenantManifest
{
    std::uint64_t version = 0;
    /// The tenant's stripe in pages; absent in manifests written before Neon recorded it.
    std::optional<std::uint32_t> stripeSize;
};

/// Errors: not JSON (the offset), not an object, a version or stripe_size of the wrong type.
Result<TenantManifest> parseTenantManifest(std::string_view json);

} // namespace layerscope
