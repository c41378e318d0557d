#pragma once

#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>
#include <layerscope/format/summary.h>
#include <layerscope/io/byte_source.h>
#include <layerscope/write/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// One entry salvage left out or changed, or one summary field it re-derived.
struct SalvageNote
{
    std::string what;     ///< a sentence: what was wrong and what salvage did
    FileOffset offset = 0;  ///< in the input: the bytes at fault
    std::optional<Key> key;
    std::optional<Lsn> lsn;
};

struct SalvageResult
{
    bool written = false;  ///< a complete layer went to the sink
    Error error;           ///< why nothing was written (when !written)
    Summary summary;       ///< the output's summary
    std::uint64_t leavesFound = 0;
    std::uint64_t entriesFound = 0;  ///< distinct index keys in those leaves
    std::uint64_t kept = 0;
    std::uint64_t duplicates = 0;    ///< identical entries found in more than one leaf
    std::vector<SalvageNote> dropped;  ///< entries not written, each with the reason
    std::vector<SalvageNote> repairs;  ///< entries or summary fields written re-derived
    /// Nothing was dropped or re-derived: the output holds exactly what the input held.
    bool lossless() const { return written && dropped.empty() && repairs.empty(); }
    /// salvageToPath: the file written, and why it is not the canonical name when it is not.
    std::string path;
    std::string pathNote;
};

/// Writes a new layer to `out` from every entry of `in` that can be trusted, whatever state
/// the index and summary are in. Leaves are found by scanning the index region
/// (scanLeaves); each entry's blob passes the validator's own blob checks (checkEntryBlob) or
/// the entry is dropped; blobs must be packed in key order as Neon writes them (an entry whose
/// pointer or length header contradicts its neighbours is dropped). Re-derived, and noted:
/// will_init from the decoded value; the summary's key and LSN ranges from the file name when
/// the two disagree (`fileName` is the input's base name; may be empty), else from the entries
/// when the summary's are unusable; the layer kind from the name when the magic is damaged.
/// The output is built to check clean. Does not commit `out`; the caller does.
SalvageResult salvageLayer(const ByteSource &in, const std::string &fileName, OutputSink &out);

/// salvageLayer into a file, written atomically: `out` is a file path, or an existing directory
/// where the file gets the canonical name of its summary (when that name is taken, the file
/// stays at a temporary name beside it and `pathNote` says so). Errors creating or committing
/// the file come back as `error` with `written` false.
SalvageResult salvageToPath(const ByteSource &in, const std::string &fileName, const std::string &out);

} // namespace layerscope
