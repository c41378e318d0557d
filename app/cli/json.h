#pragma once

#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>

#include <nlohmann/json.hpp>

#include <string>

namespace layerscope::cli {

using Json = nlohmann::ordered_json;

/// Summary object with exactly the fields of the fixtures' first .expect.jsonl line;
/// `levels` is the index's nodes per level, root first.
Json summaryJson(const Layer &layer, const std::vector<std::uint64_t> &levels);
/// Entry object with exactly the fields of the fixtures' entry lines; `withZstd` adds "zstd".
Json entryJson(const Layer &layer, const Entry &entry, const EntryDetails &details, bool withZstd);
/// Lowercase hex sha256 (OpenSSL).
std::string sha256Hex(Bytes bytes);
/// One compact JSON object and a newline.
std::string jsonLine(const Json &object);
/// jsonLine on stdout.
void printJson(const Json &object);

} // namespace layerscope::cli
