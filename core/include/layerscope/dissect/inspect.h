#pragma once

#include <layerscope/format/layer.h>
#include <layerscope/index/tree_shape.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace layerscope {

/// Everything the tools show about one entry, derived from its blob.
struct EntryDetails
{
    BlobHeader header;
    /// Payload length after decompression (for deltas: the serialized Value).
    std::uint64_t payloadLen = 0;
    /// "image" or "wal:<NeonWalRecord variant>".
    std::string kind;
    /// Image bytes; the Postgres record's `rec`; or the serialized record for other variants.
    ByteVector content;
    bool valueWillInit = true;
    std::optional<bool> pgWillInit;
    /// Decoded value (delta layers; image layers hold Value{image}).
    Value value;
};

/// What EntryDetails says about an entry, found without copying: views into the layer's
/// bytes, or into the caller's scratch buffer for a zstd blob. Valid while both live.
struct EntryView
{
    BlobHeader header;
    /// The payload after decompression (for deltas: the serialized Value).
    Bytes payload;
    /// "image" or "wal:<NeonWalRecord variant>" (static storage).
    std::string_view kind;
    /// As EntryDetails::content.
    Bytes content;
    bool valueWillInit = true;
    std::optional<bool> pgWillInit;
};

/// Reads and decompresses (into `scratch`, overwritten) an entry's blob and scans its value.
/// For the hot paths that visit every entry. Errors carry the offset at fault.
Result<EntryView> viewEntry(const Layer &layer, const Entry &entry, ByteVector &scratch);

/// Reads, decompresses and decodes an entry's blob, owning a copy of everything. Errors carry
/// the offset at fault.
Result<EntryDetails> inspectEntry(const Layer &layer, const Entry &entry);

/// Classic 16-bytes-per-line hex dump with absolute offsets and an ASCII column.
std::string hexDump(Bytes bytes, FileOffset base);

} // namespace layerscope
