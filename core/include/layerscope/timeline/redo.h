#pragma once

#include <layerscope/format/value.h>
#include <layerscope/timeline/timeline.h>

#include <string>
#include <vector>

namespace layerscope {

/// True for the record kinds Neon's pageserver applies itself (every kind but Postgres, which
/// needs a Postgres WAL-redo process).
bool appliesInNeon(const NeonWalRecord &rec);

/// Applies one record to the page of `key` as Neon does at `lsn` (ClearVisibilityMapFlags,
/// TruncateVisibilityMap, ClogSetCommitted/Aborted, MultixactOffsetCreate/MembersCreate; AuxFile
/// is a no-op; Test as Neon's test builds apply it). Returns an empty string on success, or why
/// Neon would stop: a failed assertion (the record names another fork, SLRU, segment or block than
/// the key), a key that is no relation or SLRU block, a byte beyond the page (a panic in Neon), a
/// Postgres record. `page` may be partly changed when it fails.
std::string applyNeonRecord(const Key &key, Lsn lsn, const NeonWalRecord &rec, ByteVector &page);

/// One value of a read path's chain, with where it was read.
struct ChainValue
{
    std::size_t layer = 0; ///< index into Timeline::layers
    Entry entry;
    Lsn lsn;                     ///< the record's LSN; an image layer's LSN for its images
    std::uint64_t storedLen = 0; ///< blob payload bytes as stored (compressed when compressed)
    Value value;
};

/// Reads the values a read path lists, oldest first (the base image or will_init record
/// first). Fails on the first value that cannot be read, naming the file and its offset.
Result<std::vector<ChainValue>> readChain(const Timeline &timeline, const ReadPath &path);

/// What replaying a chain gives.
struct Redo
{
    enum class Outcome {
        Reconstructed, ///< `page` is the page Neon returns at the LSN
        NeedsPostgres, ///< the chain holds Postgres WAL records: only Postgres can apply them
        Failed,        ///< Neon would fail (or panic) applying record `failedAt`
        NoBase,        ///< the chain has no image and no will_init record (a broken path)
    };
    Outcome outcome = Outcome::NoBase;
    /// Reconstructed: the page. Otherwise the base image, or empty without one.
    ByteVector page;
    std::size_t applied = 0;  ///< records applied on the base
    std::size_t postgres = 0; ///< Postgres records in the chain
    std::size_t failedAt = 0; ///< index into the chain (Failed)
    std::string message;      ///< one sentence for people, always set
};

/// Replays `chain` (oldest first) for `key` as Neon's WAL-redo manager does: the oldest value
/// must be an image (a will_init Postgres record needs Postgres), then every record in LSN order.
Redo redoChain(const Key &key, const std::vector<ChainValue> &chain);

/// A decoded one-line header for a chain value: "image, 8192 bytes", a Neon record as
/// describeRecord prints it, or a Postgres record's kind and XLogRecord fields.
std::string describeChainValue(const Value &value);

} // namespace layerscope
