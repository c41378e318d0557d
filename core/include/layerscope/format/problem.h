#pragma once

// A finding about a layer's bytes: the vocabulary the validator, salvage, the dissection and
// the timeline checks share (below all of them, so none of them needs the validator for it).

#include <layerscope/base/error.h>
#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

enum class Severity : std::uint8_t { Error, Warning, Info };
const char *severityName(Severity s);

/// Bytes elsewhere that a problem conflicts with (a summary field, the blob of an entry...).
struct RelatedRange
{
    FileOffset offset = 0;
    std::uint64_t length = 0;
    std::string what;
};

/// One finding: a stable kebab-case check id, where the bytes at fault are, and what it
/// concerns (node block relative to index_start_blk, entry position, key, LSN).
struct Problem
{
    std::string check;
    Severity severity = Severity::Error;
    std::string message;
    FileOffset offset = 0;
    std::uint64_t length = 0;
    std::vector<RelatedRange> related;
    std::optional<std::uint32_t> block;
    std::optional<std::uint64_t> entry;
    std::optional<Key> key;
    std::optional<Lsn> lsn;
};

} // namespace layerscope
