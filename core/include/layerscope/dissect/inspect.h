#pragma once

#include <layerscope/format/layer.h>
#include <layerscope/index/tree_shape.h>

#include <functional>
#include <optional>
#include <string>
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

/// Reads, decompresses and decodes an entry's blob. Errors carry the offset at fault.
Result<EntryDetails> inspectEntry(const Layer &layer, const Entry &entry);

/// Classic 16-bytes-per-line hex dump with absolute offsets and an ASCII column.
std::string hexDump(Bytes bytes, FileOffset base);

} // namespace layerscope
