#pragma once

// A timeline where it lives: the objects under an S3 prefix in Neon's remote layout
// (<layer name>-<generation> and index_part.json-<generation>). Part of layerscope_remote.

#include <layerscope/io/remote.h>
#include <layerscope/timeline/timeline.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace layerscope {

/// How a remote timeline opens its objects (the CLI shares one cache per process; the GUI
/// keeps its own).
using RemoteOpener = std::function<Result<std::shared_ptr<const ByteSource>>(const std::string &url)>;

/// True for an s3:// URL ending in '/' (a prefix).
bool isTimelinePrefix(std::string_view text);

/// The objects directly under `prefix` as a timeline's layers (messages say "in the bucket"),
/// cross-checked with `index` when given, else with the prefix's index_part.json of the
/// highest generation (fetched whole; none is fine); layers the index lists under another
/// shard are looked for under that shard's prefix (one listing each). Layers are opened
/// through `open`.
/// Errors: the listing or the live index cannot be read or parsed (URL and reason).
Result<Timeline> openRemoteTimeline(const ObjectUrl &prefix, const RemoteOptions &options,
                                    RemoteOpener open, const std::optional<IndexPart> &index = {});

} // namespace layerscope
