#pragma once

// Where a pageserver (or compute) log line points: the tenant, shard and timeline of its
// tracing spans, the key (or relation and block) and the LSN of the request or error, in any
// of the formats Neon logs them (text spans, JSON fields, HTTP routes, the compute's smgr
// errors, "could not find data for key ...", walredo errors).

#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace layerscope {

struct LogLocation
{
    std::string tenant;                   ///< 32 hex digits, or empty
    std::optional<std::string> shardSlug; ///< "0104"; "" for an unsharded tenant ("0000")
    /// From "(shard ShardNumber(1))" or the compute's "[shard 1": a number without the count.
    std::optional<std::uint8_t> shardNumber;
    std::string timeline; ///< 32 hex digits, or empty
    std::optional<Key> key;
    std::string keyFrom; ///< which part of the line gave the key ("key=", "rel= blkno=", ...)
    std::optional<Lsn> lsn;
    std::string lsnFrom; ///< which part gave the LSN ("req_lsn=", "request LSN", ...)
    std::string layer;   ///< a layer file name in the line, if any

    /// "tenant 3aa8…, shard 0104, timeline 0f2a…, key … (rel …), LSN 0/16B5A50 (req_lsn=)":
    /// what was found, in one line ("nothing Layerscope can place" when nothing).
    std::string found() const;
    /// What a read needs and the line does not say, each in words ("the key (key=, rel=…
    /// blkno=…, or 36 hex digits)", "the LSN (…)"); empty when the key and LSN are there.
    std::vector<std::string> missingForRead() const;
};

/// Reads what it can from `line`; never fails (what is not found stays empty). The request's
/// LSN is preferred to others on the line (req_lsn=, request LSN, requested at, then lsn=,
/// at LSN, reconstruct page image at LSN, HWM LSN, "@ LSN"); the key of a layer name is not
/// taken for the key.
LogLocation parseLogLine(std::string_view line);

} // namespace layerscope
