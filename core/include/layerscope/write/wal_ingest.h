#pragma once

// Postgres WAL records filed as Neon's ingest files them under relation block keys: the real
// data behind the delta-layer fixture built from a Postgres 15 cluster (tests/data/pg15).

#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>
#include <layerscope/format/summary.h>
#include <layerscope/format/value.h>

#include <span>
#include <vector>

namespace layerscope {

/// One record as read from a WAL stream: where it starts, the LSN of the byte after it (page
/// headers in between are not part of `rec`), and its bytes.
struct WalRecordInput
{
    Lsn start;
    Lsn end;
    ByteVector rec;
};

/// One delta-layer entry.
struct DeltaEntry
{
    Key key;
    Lsn lsn;
    Value value;
};

/// Reads the records file tests/data/pg15/make-wal.sh writes ("LSWALREC", then per record
/// start LSN, end LSN, length, bytes; big-endian). Errors name the offset of a short or
/// inconsistent record.
Result<std::vector<WalRecordInput>> parseWalRecordsFile(Bytes file);

/// Files the records as Neon's ingest does for relation blocks: every block a record refers to
/// gets the whole record (NeonWalRecord::Postgres, will_init = WILL_INIT or an applied image) at
/// the record's end LSN rounded up to 8, except that an XLOG FPI / FPI_FOR_HINT record's applied,
/// uncompressed image becomes the page itself (hole zero-filled, pd_lsn set to that LSN unless
/// the page is new). Sorted by key, then LSN. Left out: what Neon files under other keys (SLRU
/// pages, relation sizes, directories, checkpoints) and its special handling of visibility-map
/// bits. `pgVersion` (14 to 17, 0 unknown) is whose image flags the records have (decodeXLogRecord).
/// Errors: a record that does not decode (its offset in the stream).
Result<std::vector<DeltaEntry>> fileWalRecords(std::span<const WalRecordInput> records,
                                               int pgVersion = 0);

/// Pages of a stopped cluster's relations, as of one LSN (an image layer's content).
struct PagesInput
{
    Lsn lsn;
    std::vector<std::pair<Key, ByteVector>> pages;  ///< sorted by key
};

/// Reads the pages file tests/data/pg15/pages.py writes ("LSPAGES1", the LSN, then per page
/// spcOid, dbOid, relNumber, fork, block number and 8192 bytes; big-endian). Errors name the
/// offset of a short page.
Result<PagesInput> parsePagesFile(Bytes file);
/// Whether `file` starts like a pages file (its magic), not a records file.
bool isPagesFile(Bytes file);

/// The summary of an image layer of `pages` (not empty): their keys, at their LSN.
Summary pagesImageSummary(const PagesInput &pages);

/// The summary of a delta layer holding `entries` (not empty): the keys from the first to just
/// past the last, the LSNs from the lowest to just past the highest, fixed tenant and timeline.
Summary walDeltaSummary(std::span<const DeltaEntry> entries);

} // namespace layerscope
