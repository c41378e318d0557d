#pragma once

#include "layerscope/bytes.h"
#include "layerscope/key.h"
#include "layerscope/lsn.h"

#include <cstdint>
#include <functional>
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

struct ValidateOptions
{
    /// The file's name (no directory), checked against the summary when not empty.
    std::string fileName;
    /// Opt-in Postgres page checks on 8 KiB images of relation keys.
    bool pages = false;
    /// Stop collecting after this many problems (the walk still finishes; `truncated` is set).
    std::size_t maxProblems = 100000;
    /// Threads for the per-entry blob and value checks (1 = this thread only).
    unsigned threads = 1;
    /// Gets (work done, work total); returns false to cancel.
    std::function<bool(std::uint64_t, std::uint64_t)> progress;
};

struct ValidationReport
{
    std::vector<Problem> problems;  ///< sorted by offset
    std::uint64_t entriesChecked = 0;
    std::uint64_t nodesChecked = 0;
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t infos = 0;
    bool truncated = false;
    bool cancelled = false;
};

/// Checks every invariant of FORMAT.md §12 it can reach and does not stop at the first problem.
/// Work and memory are bounded by the file size (cycles, shared children, huge counts and
/// lengths are reported, never followed twice or allocated). Never throws.
ValidationReport validateLayer(Bytes file, const ValidateOptions &options = {});

/// Entries found by scanning every block of the index region for leaf nodes, whatever the
/// internal nodes say (used when the tree is broken).
struct SalvagedEntry
{
    std::vector<std::uint8_t> indexKey;
    std::uint64_t value = 0;
    FileOffset leafOffset = 0;
};
struct SalvageScan
{
    std::vector<SalvagedEntry> entries;  ///< sorted by key, duplicates removed
    std::uint64_t leavesFound = 0;
    std::uint64_t duplicates = 0;
};
/// Scans the index region [index_start_blk, end) — or, if the summary's index_start_blk is
/// unusable, every block after block 0 — for plausible leaf nodes of `keyLen`-byte keys.
SalvageScan scanLeaves(Bytes file, std::uint64_t firstBlock, std::size_t keyLen);

} // namespace layerscope
