#include <layerscope/index/tree_walk.h>

#include <fmt/format.h>

namespace layerscope {

const char *walkFaultName(WalkFault fault)
{
    switch (fault) {
    case WalkFault::BeyondIndex: return "beyond the file";
    case WalkFault::Cycle: return "cycle";
    case WalkFault::Shared: return "shared child";
    case WalkFault::TooDeep: return "too deep";
    case WalkFault::Unreadable: return "unreadable";
    }
    return "?";
}

Error walkFaultError(WalkFault fault, const WalkLink &link, FileOffset target)
{
    // The bytes at fault are the pointer, when there is one; the summary's is not known here.
    const FileOffset at = link.parent ? link.pointerAt() : target;
    const std::string via = link.parent ? fmt::format("entry {} of node {}", link.entry, link.parent->block)
                                        : std::string("the summary's index_root_blk");
    switch (fault) {
    case WalkFault::BeyondIndex:
        return makeError(at, fmt::format("B-tree node {} inside the file", link.block),
                         fmt::format("{} points beyond the end of the file: btree node beyond file", via));
    case WalkFault::Cycle:
        return makeError(at, "a tree (each node reached once)",
                         fmt::format("{} points back at its ancestor node {} (a cycle)", via, link.block));
    case WalkFault::Shared:
        return makeError(at, "a tree (each node reached once)",
                         fmt::format("{} points at node {}, reached a second time (shared child)", via,
                                     link.block));
    case WalkFault::TooDeep:
        return makeError(at, fmt::format("a tree at most {} levels deep", BTreeReader::kMaxDepth),
                         fmt::format("a deeper path through {}", via));
    case WalkFault::Unreadable: break;
    }
    return makeError(at, "a B-tree node", "an unreadable block");
}

Result<std::optional<EntrySlot>> seekEntry(const BTreeReader &tree, Bytes key)
{
    struct V : TreeVisitor
    {
        std::optional<EntrySlot> slot;
        bool entry(const NodeView &n, std::size_t i, Bytes, std::uint64_t)
        {
            slot = EntrySlot{n.block, i};
            return false;
        }
    } v;
    TreeWalk<V> walk(tree, v);
    if (auto s = walk.run(WalkOrder{false, key}); !s)
        return s.error();
    return v.slot;
}

} // namespace layerscope
