#pragma once

// The replay proven against Postgres itself: a delta layer of records written with
// wal_consistency_checking carries, in every record, the image of every page the record
// touches as it is after the record. Each key's records are replayed from the key's own base
// (an image or an initializing record in the layer) and every such image is compared with the
// replayed page, both masked as Postgres masks them for its own check.

#include <layerscope/format/key.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/lsn.h>
#include <layerscope/redo/pg_redo.h>

#include <map>
#include <string>
#include <vector>

namespace layerscope {

/// What the comparison found for one record kind ("Btree SPLIT_L", "Heap INSERT+INIT").
struct ConsistencyCount
{
    std::uint64_t records = 0;  ///< records of the kind replayed
    std::uint64_t compared = 0; ///< of them, blocks compared with the record's own image
    std::uint64_t matched = 0;
    std::uint64_t restored = 0; ///< blocks whose image was applied (nothing to compare)
    std::uint64_t skipped = 0;  ///< blocks the replay left (page LSN at or past the record)
    std::uint64_t noImage = 0;  ///< blocks without an image (written without the checking)
};

/// A page that differs from the image its record carries, or a record that could not be
/// replayed.
struct ConsistencyProblem
{
    Key key;
    Lsn lsn;
    FileOffset blobOffset = 0; ///< the record's blob in the layer
    std::string kind;
    std::string message; ///< the first differing field, or why the replay stopped
};

struct ConsistencyReport
{
    std::map<std::string, ConsistencyCount> byKind;
    std::uint64_t keys = 0;
    std::uint64_t keysWithoutBase = 0; ///< keys whose oldest value in the layer starts no page
    std::uint64_t compared = 0, matched = 0;
    std::vector<ConsistencyProblem> problems; ///< at most `maxProblems`, in key order
    std::uint64_t problemCount = 0;
};

/// Replays every key of `delta` whose oldest value in the layer is an image or an initializing
/// record, and compares each consistency image (a block image without BKPIMAGE_APPLY) with
/// the replayed page under the record's rmgr mask. Records of a key without a base are not
/// replayed (counted in keysWithoutBase). Errors: the layer's index or a value cannot be read.
/// `pgVersion` is the major version that wrote the records (14 to 17).
Result<ConsistencyReport> verifyConsistencyImages(const Layer &delta,
                                                  int pgVersion,
                                                  std::size_t maxProblems = 100);

} // namespace layerscope
