#pragma once

// A timeline directory on disk. One in Neon's remote layout (a copy of a bucket:
// tenants/<tenant>[-<shard>]/timelines/<timeline>/) is read as its prefix would be. Part of
// layerscope_indexpart.

#include <layerscope/timeline/index_part.h>

#include <optional>
#include <string>

namespace layerscope {

/// Scans `dir` (scanTimeline) and cross-checks it with `index` when given. In Neon's remote
/// layout the directory is read as its prefix would be: index_part.json files are not layers,
/// the live one (highest generation) is merged when no `index` is given, and the layers it
/// lists under another shard are looked for in that shard's directory (resolveShardLayers).
/// Errors: the directory cannot be read, or the live index cannot be parsed (its file named).
Result<Timeline> openLocalTimeline(const std::string &dir,
                                   const std::optional<IndexPart> &index = {});

} // namespace layerscope
