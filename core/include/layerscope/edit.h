#pragma once

#include "layerscope/bytes.h"
#include "layerscope/summary.h"

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

/// Identity of a file on disk, to refuse writing over a file that changed since it was read.
struct FileIdentity
{
    std::uint64_t size = 0;
    std::uint64_t inode = 0;
    std::int64_t mtimeNs = 0;
    bool operator==(const FileIdentity &) const = default;
};
Result<FileIdentity> identifyFile(const std::string &path);

enum class WriteStage { TempWritten, TempSynced, Renamed, Done };

struct SafeWriteOptions
{
    /// false: write a complete new file beside the original, fsync, rename over it, fsync the
    /// directory. true: rewrite the summary bytes of block 0 in place (like pagectl), after
    /// saving the old block 0 to NAME.block0.bak.
    bool inPlace = false;
    /// Keep NAME.bak (a hard link to the original; no copy) — or NAME.block0.bak in place.
    bool backup = true;
    /// Refuse when the file on disk is no longer this one.
    std::optional<FileIdentity> expected;
    /// Test hook, called after each stage (a test can stop the process there).
    std::function<void(WriteStage)> stageHook;
};

/// Writes `summary` into block 0 of `path` safely. Only the summary bytes change; every other
/// byte of the file is kept. On any failure (ENOSPC, EACCES, EROFS, a changed file...) the
/// original is untouched and the error names the path and the system's reason.
Status writeSummarySafely(const std::string &path, const Summary &summary,
                          const SafeWriteOptions &options = {});

/// Byte offsets where `a` and `b` differ (the encoded summaries, for previews).
std::vector<std::size_t> changedBytes(const ByteVector &a, const ByteVector &b);

} // namespace layerscope
