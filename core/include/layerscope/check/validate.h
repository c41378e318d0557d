#pragma once

#include <layerscope/format/blob.h>
#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>
#include <layerscope/format/problem.h>
#include <layerscope/format/shard.h>
#include <layerscope/format/summary.h>
#include <layerscope/index/leaf_scan.h>
#include <layerscope/io/byte_source.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

struct ValidateOptions
{
    /// The file's name (no directory), checked against the summary when not empty.
    std::string fileName;
    /// Opt-in Postgres page checks on 8 KiB images of relation keys.
    bool pages = false;
    /// The shard of a sharded tenant the layer belongs to (from its path): a key that shard may
    /// not hold (Neon's is_key_disposable) is a key-wrong-shard error naming its owner, except
    /// in an L0 delta (every key; L0s are inherited from the parent shard at a split), where such
    /// keys are counted (shard-inherited-keys, info).
    std::optional<ShardIdentity> shard;
    /// At most this many problems are kept in `problems` (memory bound); counts stay exact.
    /// When more are found, info problems go first, then warnings: an error is never dropped
    /// for a warning or an info problem. Within a severity, repeats go before variety: the
    /// n-th problem of a check is dropped before the first (then second...) of any other, so
    /// every check that found something is listed while the cap allows.
    std::size_t maxProblems = 100000;
    /// Threads for the leaf work (entries, blobs, values); 1 = this thread only. The tree's
    /// structure is walked once on the calling thread; its leaves are then checked in runs of
    /// about `taskEntries` entries on the threads and merged in index order, so the report is
    /// the same, problem for problem and in the same order, whatever the thread count.
    unsigned threads = 1;
    std::uint64_t taskEntries = 4096;
    /// Gets (work done, work total); returns false to cancel.
    std::function<bool(std::uint64_t, std::uint64_t)> progress;
};

/// How many problems one check found at one severity, whether or not all are listed.
struct CheckTally
{
    std::string check;
    Severity severity = Severity::Error;
    std::uint64_t count = 0;
    FileOffset firstOffset = 0;  ///< lowest offset among them
};

struct ValidationReport
{
    std::vector<Problem> problems;  ///< sorted by offset; at most maxProblems (see `truncated`)
    std::vector<CheckTally> tallies;  ///< every check that found something, errors first
    std::uint64_t entriesChecked = 0;
    std::uint64_t nodesChecked = 0;
    /// Exact counts of everything found, listed or not.
    std::uint64_t errors = 0;
    std::uint64_t warnings = 0;
    std::uint64_t infos = 0;
    /// Some problems were found but not kept in `problems` (counts above still include them).
    bool truncated = false;
    bool cancelled = false;
    /// True when Neon's reader could be affected: any error or warning.
    bool clean() const { return errors == 0 && warnings == 0; }
};

/// Checks every invariant of FORMAT.md §12 it can reach and does not stop at the first problem.
/// Work and memory are bounded: cycles, shared children, huge counts and lengths are reported,
/// never followed twice or allocated; holes of a sparse file are skipped, not read; pages the
/// walk has finished with are released (ByteSource::release). Never throws.
ValidationReport validateLayer(const ByteSource &file, const ValidateOptions &options = {});
/// The same over bytes in memory.
ValidationReport validateLayer(Bytes file, const ValidateOptions &options = {});

} // namespace layerscope
