#include "layerscope/tree_shape.h"

#include "layerscope/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_set>

namespace layerscope {

std::size_t TreeShape::leafForPosition(std::uint64_t position) const
{
    const auto it = std::upper_bound(leaves.begin(), leaves.end(), position,
                                     [this](std::uint64_t pos, std::uint32_t leaf) {
                                         return pos < nodes[leaf].firstEntry;
                                     });
    return it == leaves.begin() ? 0 : std::size_t(it - leaves.begin() - 1);
}

std::int64_t TreeShape::nodeForBlock(std::uint32_t block) const
{
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].block == block)
            return std::int64_t(i);
    return -1;
}

Result<TreeShape> buildTreeShapeFromLeaves(const BTreeReader &tree, const ByteSource &file, Error rootError)
{
    const std::uint64_t blocks = file.size() / kBlockSize;
    if (tree.indexStart() < 2 || tree.indexStart() >= blocks)
        return rootError;
    SalvageScan scan = scanLeaves(file, tree.indexStart(), tree.keyLen());
    // Leaves in key order (by their first key), each once.
    struct Leaf
    {
        std::uint32_t block;
        ByteVector firstKey;
        std::uint16_t count;
    };
    std::vector<Leaf> leaves;
    for (FileOffset at : scan.leafOffsets) {
        const auto rel = std::uint32_t(at / kBlockSize - tree.indexStart());
        auto n = tree.node(rel);
        if (!n || !n->isLeaf())
            continue;
        Leaf l{rel, ByteVector(tree.keyLen()), n->count};
        n->keyInto(0, l.firstKey.data());
        leaves.push_back(std::move(l));
    }
    if (leaves.empty())
        return rootError;
    std::stable_sort(leaves.begin(), leaves.end(), [](const Leaf &a, const Leaf &b) {
        return std::memcmp(a.firstKey.data(), b.firstKey.data(), a.firstKey.size()) < 0;
    });
    TreeShape shape;
    shape.reconstructed = true;
    TreeShape::Node root;
    root.block = tree.root();
    root.level = 1;
    root.count = std::uint16_t(std::min<std::size_t>(leaves.size(), 0xFFFF));
    root.broken = true;
    root.childBegin = 0;
    shape.nodes.push_back(root);
    shape.errors.push_back({0, std::move(rootError)});
    for (const Leaf &l : leaves) {
        if (shape.children.size() == 0xFFFF)
            break;
        TreeShape::Node n;
        n.block = l.block;
        n.depth = 1;
        n.count = l.count;
        n.parent = 0;
        n.firstEntry = shape.totalEntries;
        n.entries = l.count;
        shape.totalEntries += l.count;
        shape.children.push_back(std::uint32_t(shape.nodes.size()));
        shape.leaves.push_back(std::uint32_t(shape.nodes.size()));
        shape.nodes.push_back(n);
    }
    shape.nodes[0].count = std::uint16_t(shape.children.size());
    shape.nodes[0].entries = shape.totalEntries;
    shape.nodesPerLevel = {1, shape.leaves.size()};
    return shape;
}

Result<TreeShape> buildTreeShape(
    const BTreeReader &tree,
    const std::function<bool(std::uint64_t, std::uint64_t)> &progress)
{
    TreeShape shape;
    const std::uint64_t total = tree.indexBlockCount();
    struct Pending
    {
        std::uint32_t node;  // index into shape.nodes
        std::size_t next;    // next child entry to descend into
    };
    std::vector<Pending> stack;
    std::unordered_set<std::uint32_t> seen;
    std::vector<std::uint32_t> childBlocks;  // scratch: child blocks of the node being added

    auto add = [&](std::uint32_t block, std::int32_t parent, int depth) -> Result<std::uint32_t> {
        TreeShape::Node s;
        s.block = block;
        s.depth = std::uint8_t(std::min(depth, 255));
        s.parent = parent;
        s.firstEntry = shape.totalEntries;
        std::optional<Error> failure;
        std::optional<NodeView> n;
        if (depth >= BTreeReader::kMaxDepth)
            failure = makeError((std::uint64_t(tree.indexStart()) + block) * kBlockSize,
                                fmt::format("a tree at most {} levels deep", BTreeReader::kMaxDepth), "a deeper path");
        else if (!seen.insert(block).second)
            failure = makeError((std::uint64_t(tree.indexStart()) + block) * kBlockSize,
                                "a tree (each node reached once)",
                                fmt::format("node {} reached a second time", block));
        else if (auto r = tree.node(block); !r)
            failure = r.error();
        else
            n = *r;
        if (failure) {
            if (parent < 0)
                return *failure;
            s.broken = true;
            shape.errors.push_back({std::uint32_t(shape.nodes.size()), *failure});
        } else {
            s.level = n->level;
            s.count = n->count;
            if (n->isLeaf()) {
                s.entries = n->count;
                shape.totalEntries += n->count;
                shape.leaves.push_back(std::uint32_t(shape.nodes.size()));
            } else {
                s.childBegin = std::uint32_t(shape.children.size());
                for (std::size_t i = 0; i < n->count; ++i)
                    shape.children.push_back(n->child(i));  // block numbers, resolved below
            }
        }
        if (std::size_t(depth) >= shape.nodesPerLevel.size())
            shape.nodesPerLevel.resize(std::size_t(depth) + 1);
        ++shape.nodesPerLevel[std::size_t(depth)];
        shape.nodes.push_back(s);
        if (progress && !progress(shape.nodes.size(), total))
            return makeError(0, "a complete walk", "cancelled", ErrorKind::Cancelled);
        return std::uint32_t(shape.nodes.size() - 1);
    };

    auto root = add(tree.root(), -1, 0);
    if (!root)
        return root.error();
    stack.push_back({*root, 0});
    while (!stack.empty()) {
        Pending &p = stack.back();
        const TreeShape::Node node = shape.nodes[p.node];
        if (node.level == 0 || node.broken || p.next >= node.count) {
            // Subtree complete: its entry count is what the leaves added since it started.
            shape.nodes[p.node].entries = shape.totalEntries - node.firstEntry;
            stack.pop_back();
            continue;
        }
        const std::size_t slot = node.childBegin + p.next++;
        const std::uint32_t parentIndex = p.node;
        auto child = add(shape.children[slot], std::int32_t(parentIndex), node.depth + 1);
        if (!child)
            return child.error();
        shape.children[slot] = *child;
        stack.push_back({*child, 0});
    }
    return shape;
}

} // namespace layerscope
