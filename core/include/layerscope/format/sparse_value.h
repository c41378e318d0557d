#pragma once

// What the image value of a key outside the relation-block and SLRU-block space holds, as Neon
// writes it at HEAD (pgdatadir_mapping.rs, aux_file.rs, key.rs, taken as facts): relation and
// SLRU segment sizes, replication origins, the v2 relation directory, aux files (v2), and the
// empty value with which the sparse keyspace deletes a key (a tombstone).

#include <layerscope/base/bytes.h>
#include <layerscope/format/key.h>

#include <optional>
#include <string>
#include <vector>

namespace layerscope {

struct SparseValue
{
    /// "relation size: 1,024 blocks", "replication origin 3: remote LSN 0/16B5A50", "relation
    /// 1663/5/16384 exists", "aux files: 2", "tombstone: the key is deleted"...
    std::string meaning;
    bool tombstone = false;
    /// The files of an aux v2 value: path and content size (the content is the caller's to show).
    std::vector<std::pair<std::string, std::uint64_t>> auxFiles;
    /// How the value differs from what Neon writes for this key (empty when it does not).
    std::string error;
};

/// The value's meaning for a key of these classes; nullopt for keys whose values are pages
/// (relation and SLRU blocks) or whose encoding is not decoded here (v1 directories, control
/// file, checkpoint, two-phase files).
std::optional<SparseValue> decodeSparseValue(const Key &key, Bytes value);

} // namespace layerscope
