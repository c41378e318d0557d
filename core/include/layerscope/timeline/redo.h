#pragma once

#include <layerscope/format/value.h>
#include <layerscope/redo/pg_redo.h>
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

/// One value of a chain as replay applied it.
struct RedoStep
{
    enum class Action : std::uint8_t {
        Base,      ///< the image (or initializing record) the page starts from
        Applied,   ///< a record changed the page
        Restored,  ///< a Postgres record's full-page image replaced the page
        Skipped,   ///< a Postgres record left the page: its LSN was at or past the record's
    };
    std::size_t index = 0;  ///< into the chain
    Lsn lsn;
    Action action = Action::Applied;
    std::string kind;  ///< "image", "Heap INSERT", "ClogSetCommitted", ...
    /// The byte ranges [begin, end) of the page this step changed (all of it for a base).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> changed;
    ByteVector page;  ///< the page after this step (RedoOptions::keepPages only)
};

struct RedoOptions
{
    bool history = false;    ///< fill Redo::steps (kinds and changed ranges)
    bool keepPages = false;  ///< with history: each step's page too (8 KiB a step)
    /// The Postgres major version that wrote the records (14 to 17, or kPgVersionUnknown: then
    /// records whose format differs between versions stop the replay, named).
    int pgVersion = kPgVersionUnknown;
};

/// What replaying a chain gives.
struct Redo
{
    enum class Outcome {
        Reconstructed, ///< `page` is the page at the chain's last LSN
        Failed,        ///< record `failedAt` cannot be applied (Neon's redo would fail too)
        NoBase,        ///< the chain has no image and no will_init record (a broken path)
    };
    Outcome outcome = Outcome::NoBase;
    /// Reconstructed: the page. Failed: the page as it was before record `failedAt`.
    ByteVector page;
    std::size_t applied = 0;  ///< records applied on the base
    std::size_t postgres = 0; ///< Postgres records in the chain
    std::size_t failedAt = 0; ///< index into the chain (Failed)
    std::string message;      ///< one sentence for people, always set
    std::vector<RedoStep> steps;  ///< with RedoOptions::history
};

/// Replays `chain` (oldest first) for `key` as Neon's WAL-redo manager does with a Postgres
/// WAL-redo process: from the oldest value (an image, or a will_init record on an empty page),
/// every record in LSN order, Neon's own records as Neon applies them and Postgres's as
/// Postgres's redo routines do for this one block (applyPgRecord). A record kind the replay
/// does not implement stops it (Failed), naming the record, its rmgr and info and its LSN.
Redo redoChain(const Key &key, const std::vector<ChainValue> &chain, const RedoOptions &options = {});

/// The byte ranges [begin, end) in which `after` differs from `before` (all of `after` when
/// their sizes differ).
std::vector<std::pair<std::uint32_t, std::uint32_t>> changedRanges(const ByteVector &before,
                                                                   const ByteVector &after);

/// A decoded one-line header for a chain value: "image, 8192 bytes", a Neon record as
/// describeRecord prints it, or a Postgres record's kind and XLogRecord fields.
std::string describeChainValue(const Value &value);

} // namespace layerscope
