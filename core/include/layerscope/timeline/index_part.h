#pragma once

// Reading Neon's remote index, index_part.json. Built as its own library
// (layerscope_indexpart): it is the one part of core that needs a JSON parser (nlohmann-json),
// so core proper keeps to fmt and zstd.

#include <layerscope/timeline/timeline.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace layerscope {

/// Parses index_part.json text of any version Neon has written (1 to 15): layer_metadata
/// entries ({file_size, generation, shard}; generation and shard are absent in old versions
/// and for unsharded layers), and the timeline metadata, either the version 7+ object
/// ("metadata_bytes" or "metadata") or the older byte array of the binary TimelineMetadata.
/// Errors name the byte offset of a JSON syntax error, or the field that is missing or of the
/// wrong type. File sizes are exact 64-bit integers.
Result<IndexPart> parseIndexPart(std::string_view json);

/// "index_part.json" (0) or "index_part.json-<8 hex>" (generation + 1): the order in which
/// indexes supersede each other; nullopt for any other name.
std::optional<std::uint64_t> indexPartOrder(std::string_view name);

/// Reads and parses `path`; errors name what was expected (the file name is the caller's).
Result<IndexPart> readIndexPart(const std::string &path);

} // namespace layerscope
