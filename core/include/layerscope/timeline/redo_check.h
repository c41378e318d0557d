#pragma once

// Catching an image that compaction wrote wrong: every page of an image layer that has older
// data below it in the timeline is rebuilt from that data (the read path at the image's LSN, the
// chain replayed) and compared with the image, both masked as Postgres masks pages for its own
// consistency checking.

#include <layerscope/timeline/redo.h>
#include <layerscope/timeline/timeline.h>

#include <functional>
#include <vector>

namespace layerscope {

struct RedoCheckReport
{
    std::uint64_t imageLayers = 0; ///< image layers visited
    std::uint64_t pages = 0;       ///< relation pages in them
    std::uint64_t compared = 0;    ///< pages rebuilt from older data and compared
    std::uint64_t matched = 0;
    std::uint64_t nothingBelow = 0; ///< pages with no older data (nothing to compare with)
    std::uint64_t notCompared = 0; ///< free-space-map pages (never WAL-logged) and non-relation keys
    /// "redo-image-differs" (error: key, LSN, both layers, first differing field),
    /// "redo-replay-failed" (warning: the chain below cannot be replayed; why),
    /// "redo-unreadable" (error: the image layer or a value cannot be read).
    std::vector<TimelineProblem> problems;
};

/// Checks every mapped image layer of `timeline` (readSummaries not needed: names suffice).
/// `pgVersion` is whose record formats the chain's Postgres records have. Runs of pages are
/// checked on `threads` threads (0: one per core) and merged in page order: the report is the
/// same for any thread count. `progress` gets pages done and returns false to stop (the report
/// then covers what was done). Layers are opened through the timeline's opener, each once.
RedoCheckReport checkRedo(const Timeline &timeline,
                          int pgVersion = kPgVersionUnknown,
                          unsigned threads = 0,
                          const std::function<bool(std::uint64_t pages)> &progress = {});

/// The report's counts as one "redo-summary" problem (info). `versionSource` says where
/// `pgVersion` came from ("--pg-version", "the index's pg_version"...).
TimelineProblem redoSummary(const RedoCheckReport &report,
                            int pgVersion,
                            const std::string &versionSource);

} // namespace layerscope
