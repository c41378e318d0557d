#pragma once

#include <layerscope/base/bytes.h>
#include <layerscope/format/summary.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// Requested summary changes; unset fields keep their value.
struct SummaryEdit
{
    std::optional<TenantId> tenant;
    std::optional<TimelineId> timeline;
    std::optional<Key> keyStart;
    std::optional<Key> keyEnd;
    std::optional<Lsn> lsnStart;  ///< image: the LSN
    std::optional<Lsn> lsnEnd;    ///< delta only
    std::optional<std::uint32_t> indexStartBlk;  ///< "advanced": changes where the index is read
    std::optional<std::uint32_t> indexRootBlk;
};

/// The edited summary, or an error saying which field is invalid (start ≥ end, LSN order, an
/// LSN end on an image layer). Offsets name the summary field.
Result<Summary> applyEdit(const Summary &current, const SummaryEdit &edit);

/// Reasons an edited summary would make the file unreadable or lose data for Neon: entries
/// outside the new key or LSN range, index fields not pointing at a readable root. Empty when
/// safe. Reads the index of `file` (bounded like the validator).
std::vector<std::string> editRisks(Bytes file, const Summary &edited);

/// Identity of a file on disk, recorded when it is read and compared before any write: a file
/// that was modified or replaced since is never written over.
struct FileIdentity
{
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
    std::uint64_t block0Hash = 0;  ///< FNV-1a of the first 8192 bytes (change detection, not security)
    bool operator==(const FileIdentity &) const = default;
    /// "size, inode and block 0" — what differs from `other`, for messages.
    std::string differences(const FileIdentity &other) const;
};
/// The identity of the file at `path` (symlinks followed). Errors name the path.
Result<FileIdentity> identifyFile(const std::string &path);

/// Points where a safe write can be interrupted: the test seam `stageHook` is called at each.
enum class WriteStage {
    BackupWritten,  ///< in place: the old block 0 is saved and synced, the file not yet touched
    TempWritten,    ///< the new bytes are written (temp file, or block 0 in place), not synced
    TempSynced,     ///< ... and synced
    BeforeSwap,     ///< replace: the last moment before the new file takes the original's place
    Swapped,        ///< replace: the new file is in place; backups not yet named
    Done,
};

struct SafeWriteOptions
{
    /// false: write a complete new file beside the original, fsync, swap it in, fsync the
    /// directory. true: rewrite the summary bytes of block 0 in place (like pagectl), after
    /// saving the old block 0 (synced) to NAME.block0.bak.
    bool inPlace = false;
    /// Keep backups: NAME.orig (a hard link to the file as it was before the first edit, never
    /// replaced) and NAME.bak.1 … NAME.bak.<keepBackups> (the file before each later write,
    /// newest first). In place: NAME.block0.orig and NAME.block0.bak.
    bool backup = true;
    unsigned keepBackups = 5;
    /// Refuse when the file on disk is no longer this one (size, inode, device, mtime, block 0).
    std::optional<FileIdentity> expected;
    /// Edit a file whose mode allows no writing (refused otherwise).
    bool allowReadOnly = false;
    /// Gets (bytes copied, bytes to copy) while the new file is written; false cancels (the
    /// original is untouched and the temp file removed). Called on the writing thread.
    std::function<bool(std::uint64_t, std::uint64_t)> progress;
    /// Test seam: called at each stage; returning false makes the write fail right there as if
    /// the system had refused (I/O error injection). Tools never set it.
    std::function<bool(WriteStage)> stageHook;
};

/// What a successful write did.
struct WriteReport
{
    std::string path;      ///< the file written (a symlink's target; the link is kept)
    std::string original;  ///< NAME.orig / NAME.block0.orig: the state before the first edit
    std::string backup;    ///< NAME.bak.1 / NAME.block0.bak: the state before this write
    bool exchanged = false;  ///< swapped in with RENAME_EXCHANGE and verified
    std::string note;        ///< anything the user should know (fallback used, backup trouble)
};

/// Writes `summary` into block 0 of `path` safely; only the summary bytes change. The original
/// is held open from the identity check to the end: backups are made from what was read, and
/// the new file is swapped in with renameat2(RENAME_EXCHANGE) and the swapped-out inode checked
/// (a file replaced meanwhile is put back and the write refused); without RENAME_EXCHANGE the
/// file is checked just before a plain rename (said in `note`). Refuses FIFOs and other
/// non-files, read-only files (unless allowReadOnly) and changed files. On failure the error
/// says exactly what state the file is in ("the original is unchanged", "block 0 was restored",
/// ...) and names the path and the system's reason. Blocking; call it off the GUI thread.
Result<WriteReport> writeSummarySafely(const std::string &path, const Summary &summary,
                                       const SafeWriteOptions &options = {});

/// Byte offsets where `a` and `b` differ (the encoded summaries, for previews).
std::vector<std::size_t> changedBytes(const ByteVector &a, const ByteVector &b);

} // namespace layerscope
