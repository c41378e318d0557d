#include <layerscope/index/tree_shape.h>

#include <layerscope/index/leaf_scan.h>
#include <layerscope/index/tree_walk.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>

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
    // Nodes are added in the walk's pre-order; a node that cannot be entered becomes a broken
    // placeholder in its parent's child slot, and the walk goes on with its siblings.
    struct V : TreeVisitor
    {
        TreeShape shape;
        const std::function<bool(std::uint64_t, std::uint64_t)> &progress;
        std::uint64_t total = 0;
        std::vector<std::uint32_t> path;  // node indices of the current path
        bool cancelled = false;
        V(const std::function<bool(std::uint64_t, std::uint64_t)> &p, std::uint64_t t) : progress(p), total(t) {}

        std::uint32_t add(const WalkLink &l)
        {
            TreeShape::Node s;
            s.block = l.block;
            s.depth = std::uint8_t(std::min(l.depth, 255));
            s.parent = path.empty() ? -1 : std::int32_t(path.back());
            s.firstEntry = shape.totalEntries;
            const auto index = std::uint32_t(shape.nodes.size());
            if (!path.empty())
                shape.children[shape.nodes[path.back()].childBegin + l.entry] = index;
            if (std::size_t(l.depth) >= shape.nodesPerLevel.size())
                shape.nodesPerLevel.resize(std::size_t(l.depth) + 1);
            ++shape.nodesPerLevel[std::size_t(l.depth)];
            shape.nodes.push_back(s);
            return index;
        }
        WalkAction enter(const NodeView &n, const WalkLink &l)
        {
            const std::uint32_t index = add(l);
            TreeShape::Node &s = shape.nodes[index];
            s.level = n.level;
            s.count = n.count;
            if (n.isLeaf()) {
                s.entries = n.count;
                shape.totalEntries += n.count;
                shape.leaves.push_back(index);
            } else {
                s.childBegin = std::uint32_t(shape.children.size());
                shape.children.resize(shape.children.size() + n.count, 0);
            }
            if (progress && !progress(shape.nodes.size(), total)) {
                cancelled = true;
                return WalkAction::Stop;
            }
            if (n.isLeaf())
                return WalkAction::Skip;  // entries are counted, not walked
            path.push_back(index);
            return WalkAction::Descend;
        }
        void leave(const NodeView &)
        {
            // Subtree complete: its entry count is what the leaves added since it started.
            TreeShape::Node &s = shape.nodes[path.back()];
            s.entries = shape.totalEntries - s.firstEntry;
            path.pop_back();
        }
        WalkAction fault(WalkFault, const WalkLink &l, const Error &e)
        {
            if (!l.parent)
                return WalkAction::Stop;  // an unreadable root: no shape
            const std::uint32_t index = add(l);
            shape.nodes[index].broken = true;
            shape.errors.push_back({index, e});
            return WalkAction::Skip;
        }
    } v{progress, tree.indexBlockCount()};
    TreeWalk<V> walk(tree, v);
    if (auto s = walk.run(); !s)
        return s.error();
    if (v.cancelled)
        return makeError(0, "a complete walk", "cancelled", ErrorKind::Cancelled);
    return std::move(v.shape);
}

Result<std::vector<std::uint64_t>> nodesPerLevel(const BTreeReader &tree)
{
    struct V : TreeVisitor
    {
        std::vector<std::uint64_t> levels;
        WalkAction enter(const NodeView &n, const WalkLink &l)
        {
            if (levels.size() <= std::size_t(l.depth))
                levels.resize(std::size_t(l.depth) + 1, 0);
            ++levels[std::size_t(l.depth)];
            return n.isLeaf() ? WalkAction::Skip : WalkAction::Descend;
        }
        bool branch(const NodeView &n, std::size_t)
        {
            if (n.level != 1)
                return true;
            // A child of a level-1 node is a leaf: counted here, not read.
            const std::size_t leafDepth = std::size_t(depthOf(n)) + 1;
            if (levels.size() <= leafDepth)
                levels.resize(leafDepth + 1, 0);
            ++levels[leafDepth];
            return false;
        }
        int depthOf(const NodeView &n) const
        {
            // Levels count down to 0 at the leaves: the root's level is the depth - 1.
            return int(rootLevel) - int(n.level);
        }
        std::uint8_t rootLevel = 0;
    } v;
    auto root = tree.node(tree.root());
    if (!root)
        return root.error();
    v.rootLevel = root->level;
    TreeWalk<V> walk(tree, v);
    if (auto s = walk.run(); !s)
        return s.error();
    return std::move(v.levels);
}

} // namespace layerscope
