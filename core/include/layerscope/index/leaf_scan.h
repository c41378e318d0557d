#pragma once

// Leaves found without the tree: every block of an index region read as a node, for a layer
// whose internal nodes cannot be trusted (salvage, the tree shape of a broken index).

#include <layerscope/base/bytes.h>
#include <layerscope/io/byte_source.h>

#include <cstdint>
#include <vector>

namespace layerscope {

/// Entries found by scanning every block of the index region for leaf nodes, whatever the
/// internal nodes say (used when the tree is broken).
struct SalvagedEntry
{
    std::vector<std::uint8_t> indexKey;
    std::uint64_t value = 0;
    FileOffset leafOffset = 0;
};
struct SalvageScan
{
    std::vector<SalvagedEntry> entries; ///< sorted by key; identical entries (key and value) once
    std::uint64_t leavesFound = 0;
    std::uint64_t duplicates = 0;
    /// Blocks of the scanned region that are neither an internal node nor a plausible leaf
    /// (whatever entries they held are lost), absolute offsets.
    std::vector<FileOffset> unreadable;
    /// Absolute offsets of the leaves whose entries were taken, in file order.
    std::vector<FileOffset> leafOffsets;
};
/// Scans the index region [index_start_blk, end) for leaf nodes of `keyLen`-byte keys, keeping
/// every entry of every leaf that decodes (damaged ones too: the caller judges entries). With
/// firstBlock < 2 (the summary's index_start_blk is unusable) every block after block 0 is
/// scanned and only leaves that look as Neon wrote them count.
/// Holes of a sparse file are skipped; scanned blocks are released.
SalvageScan scanLeaves(const ByteSource &file, std::uint64_t firstBlock, std::size_t keyLen);

} // namespace layerscope
