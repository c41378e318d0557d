#pragma once

#include <layerscope/index/btree.h>
#include <layerscope/io/byte_source.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace layerscope {

/// The index's node structure without its keys: enough to lay out a node graph, map a table
/// row to its leaf, and find any node's subtree range. About 40 bytes per node.
struct TreeShape
{
    struct Node
    {
        std::uint32_t block = 0;       ///< relative to index_start_blk
        std::uint8_t level = 0;
        std::uint8_t depth = 0;        ///< 0 = root
        std::uint16_t count = 0;       ///< entries in the node
        std::int32_t parent = -1;      ///< index into nodes, -1 for the root
        std::uint32_t childBegin = 0;  ///< index into children (internal nodes)
        std::uint64_t firstEntry = 0;  ///< position of the subtree's first leaf entry
        std::uint64_t entries = 0;     ///< leaf entries in the subtree
        bool broken = false;           ///< could not be read or followed (see errors)
    };
    struct NodeError
    {
        std::uint32_t node;  ///< index into nodes (a broken placeholder)
        Error error;
    };
    std::vector<Node> nodes;              ///< pre-order (root first)
    std::vector<std::uint32_t> children;  ///< node indices; node i's are [childBegin, +count)
    std::vector<std::uint32_t> leaves;    ///< node indices of the leaves, in key order
    std::vector<std::uint64_t> nodesPerLevel;  ///< root first
    std::uint64_t totalEntries = 0;
    /// Nodes that could not be read or followed (cycles, shared children, bad headers, out of
    /// range); each stands in the tree as a broken placeholder with no entries.
    std::vector<NodeError> errors;
    /// Built from leaves found by scanning the index region because the root could not be
    /// read (buildTreeShapeFromLeaves): the root is a broken placeholder over those leaves.
    bool reconstructed = false;
    int depth() const { return int(nodesPerLevel.size()); }

    /// Index into `leaves` of the leaf holding entry `position` (< totalEntries).
    std::size_t leafForPosition(std::uint64_t position) const;
    /// Node index for a relative block, or -1.
    std::int64_t nodeForBlock(std::uint32_t block) const;
};

/// Walks every node once. `progress` gets (nodes visited, index blocks in the file) and
/// returns false to cancel, which yields the error "cancelled". A node that cannot be read or
/// followed (cycle, shared child, bad header, beyond the file, too deep) becomes a broken
/// placeholder recorded in `errors`, and the walk goes on; an unreadable root is an error.
Result<TreeShape> buildTreeShape(
    const BTreeReader &tree,
    const std::function<bool(std::uint64_t done, std::uint64_t total)> &progress = {});

/// Nodes per level (root first) from the internal nodes alone: leaves are counted from their
/// parents' child pointers and never read, so a remote layer's summary costs the index's top
/// levels, not its leaves. Errors: the first fault of the walk (offset at fault).
Result<std::vector<std::uint64_t>> nodesPerLevel(const BTreeReader &tree);

/// For an index whose root cannot be read (a truncated file): a shape whose root is a broken
/// placeholder (block = the summary's root, its error in `errors`) over every leaf found by
/// scanning the index region of `file` (scanLeaves), in key order, so that the entries that
/// can be read are shown. An error when no leaf is found.
Result<TreeShape> buildTreeShapeFromLeaves(const BTreeReader &tree, const ByteSource &file, Error rootError);

} // namespace layerscope
