#pragma once

#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>

#include <layerscope/dissect/dissect.h>
#include <nlohmann/json.hpp>

#include <string>

namespace layerscope::cli {

using Json = nlohmann::ordered_json;

/// Summary object with exactly the fields of the fixtures' first .expect.jsonl line;
/// `levels` is the index's nodes per level, root first.
Json summaryJson(const Layer &layer, const std::vector<std::uint64_t> &levels);
/// Entry object with exactly the fields of the fixtures' entry lines; `withZstd` adds "zstd".
Json entryJson(const Layer &layer, const Entry &entry, const EntryView &view, bool withZstd);
/// Lowercase hex sha256 (OpenSSL).
std::string sha256Hex(Bytes bytes);

/// sha256 with one OpenSSL context kept for every call (one per thread: not thread-safe).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;
    /// Appends the lowercase hex digest of `bytes` to `out`.
    void appendHex(Bytes bytes, std::string &out);

private:
    void *m_ctx;
};

/// Appends the line printJson(entryJson(layer, entry, view, withZstd)) prints, formatted
/// directly into `out` with no JSON tree and no allocation of its own (keys --json and dump
/// --json print a million of them).
void appendEntryLine(std::string &out, const Layer &layer, const Entry &entry,
                     const EntryView &view, bool withZstd, Sha256 &sha);
/// One compact JSON object and a newline.
std::string jsonLine(const Json &object);
/// A dissected field and its children as JSON (name, offset, length, value, detail, error...).
Json fieldJson(const Field &f);
/// jsonLine on stdout.
void printJson(const Json &object);

} // namespace layerscope::cli
