#pragma once

// Postgres WAL records applied to one page, offline: what a Postgres WAL-redo process does for
// the block a record is filed under (Neon's pageserver asks Postgres for exactly that): XLOG
// full-page images, Heap, Heap2, Btree and Sequence, in the record formats of Postgres 14 to 17.

#include <layerscope/base/bytes.h>
#include <layerscope/base/error.h>
#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>
#include <layerscope/format/xlog_record.h>

#include <optional>
#include <string>

namespace layerscope {

/// A timeline whose Postgres version is not known: records whose format is the same in 14 to 17
/// are replayed, the others (Heap2 info 0x10 to 0x30: prune, vacuum and freeze before 17, the
/// merged prune-and-freeze records in 17) are refused by name.
inline constexpr int kPgVersionUnknown = 0;
/// The Postgres major versions whose record formats the replay implements.
inline constexpr int kPgVersionFirst = 14, kPgVersionLast = 17;

/// Whether record (rmid, info)'s format differs between the versions replayed.
bool pgRecordFormatDependsOnVersion(std::uint8_t rmid, std::uint8_t info);

/// What applying one record did to its page.
enum class PgRedoAction : std::uint8_t {
    Applied,  ///< the rmgr's redo routine changed the page (the LSN is the record's)
    Restored, ///< the record's full-page image replaced the page
    Skipped,  ///< the page's LSN is at or past the record's: Postgres leaves it (BLK_DONE)
};

/// The Postgres rmgr and operation, "Btree SPLIT_L", "Heap2 PRUNE", "Heap INSERT+INIT"; a Heap2
/// record whose name changed in 17 is named for `pgVersion` ("Heap2 PRUNE|PRUNE_ON_ACCESS" when
/// it is unknown).
std::string pgRecordKind(std::uint8_t rmid, std::uint8_t info, int pgVersion = kPgVersionUnknown);

/// Whether the replay implements this rmgr and operation. Records of other kinds are refused by
/// applyPgRecord, never guessed.
bool pgRecordReplayable(std::uint8_t rmid, std::uint8_t info);

/// The index in `d.blocks` of the block reference that is the page of `key` (a relation block
/// key), or nullopt when the record does not touch that page.
std::optional<std::size_t> pgBlockOfKey(const XLogRecordDecoded &d, const Key &key);

/// Applies record `rec` (whole, decoded with base 0 into `d`) to `page` for its block reference
/// `block`, as the rmgr's redo routine does for that block alone; `lsn` is the LSN the record is
/// filed at (its end, which Postgres stamps on the page). `page` holds 8192 bytes, or is empty
/// when no page exists yet (only an initializing or image-carrying block can start one).
/// `pgVersion` is the major version that wrote the record (14 to 17, or kPgVersionUnknown);
/// another version, or a version-dependent record of an unknown one, is refused. Errors (kind
/// Format, offset 0) say in one sentence what Postgres would stop on, naming the record kind
/// and LSN; `page` may be partly changed then.
Result<PgRedoAction> applyPgRecord(Bytes rec,
                                   const XLogRecordDecoded &d,
                                   std::size_t block,
                                   Lsn lsn,
                                   ByteVector &page,
                                   int pgVersion);

} // namespace layerscope
