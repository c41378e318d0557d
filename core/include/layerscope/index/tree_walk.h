#pragma once

// The one descent of the B-tree index. Every reader of the index — point lookups, key
// listings, the validator, the tree shape, the GUI's table — walks it through TreeWalk, so the
// rules for depth, cycles, shared children and blocks beyond the file live here only.

#include <layerscope/index/btree.h>

#include <array>
#include <cstring>
#include <optional>
#include <vector>

namespace layerscope {

/// Why a node could not be entered.
enum class WalkFault : std::uint8_t {
    BeyondIndex,  ///< the pointer names a block past the end of the file
    Cycle,        ///< the node is an ancestor on the current path
    Shared,       ///< the node was already walked through another pointer
    TooDeep,      ///< the path is longer than BTreeReader::kMaxDepth
    Unreadable,   ///< the block does not decode as a node (header, marker)
};

/// Short name of a fault ("cycle", "shared child", ...).
const char *walkFaultName(WalkFault fault);

struct WalkLink;
/// The error a walk reports for a fault at `link`: at the parent's pointer, or at the target
/// block's offset `target` for the root.
Error walkFaultError(WalkFault fault, const WalkLink &link, FileOffset target);

/// What a visitor wants after seeing a node.
enum class WalkAction : std::uint8_t { Descend, Skip, Stop };

/// How a node is reached: through entry `entry` of `parent`, or from the summary (root).
struct WalkLink
{
    const NodeView *parent = nullptr;  ///< null for the root; valid during the call only
    std::size_t entry = 0;
    std::uint32_t block = 0;           ///< relative to index_start_blk
    int depth = 0;                     ///< 0 = root
    /// The bytes of the pointer: the parent's 5-byte value, or nothing for the root (the
    /// caller knows where the summary keeps it).
    FileOffset pointerAt() const { return parent ? parent->valueOffset(entry) : 0; }
};

/// Per-walk state of every index block: unseen, on the current path, or done. Small walks
/// (point lookups) use a short list; it becomes a flat array once a walk touches many blocks.
class BlockMarks
{
public:
    enum State : std::uint8_t { Unseen = 0, Done = 1, OnPath = 2 };
    explicit BlockMarks(std::uint64_t blocks) : m_blocks(blocks) {}
    State get(std::uint32_t block) const
    {
        if (!m_flat.empty())
            return State(m_flat[block]);
        for (const auto &[b, s] : m_few)
            if (b == block)
                return s;
        return Unseen;
    }
    void set(std::uint32_t block, State s)
    {
        if (!m_flat.empty()) {
            m_flat[block] = s;
            return;
        }
        for (auto &[b, old] : m_few)
            if (b == block) {
                old = s;
                return;
            }
        if (m_few.size() < kFew) {
            m_few.push_back({block, s});
            return;
        }
        m_flat.assign(m_blocks, Unseen);
        for (const auto &[b, old] : m_few)
            m_flat[b] = old;
        m_few.clear();
        m_flat[block] = s;
    }

private:
    static constexpr std::size_t kFew = 32;
    std::uint64_t m_blocks;
    std::vector<std::pair<std::uint32_t, State>> m_few;
    std::vector<std::uint8_t> m_flat;
};

/// Calls f(i, key, value) for the entries of leaf `n`: ascending from entry `from`, or with
/// `backward` descending from entry `from` - 1. The key (prefix ‖ suffix) is materialised into
/// one buffer: the prefix once, then each suffix over the previous one, with a fixed-width
/// copy where the block has room. f returns false to stop; the result says whether it ran to
/// the end. The one key-assembly loop: the walk and the validator's leaf work use it.
template<class F>
bool forEachLeafEntry(const NodeView &n, std::size_t from, bool backward, F &&f)
{
    // Everything read per entry is in locals: the key bytes written could alias any memory.
    std::array<std::uint8_t, 256 + 32> buf;
    std::memcpy(buf.data(), n.prefix.data(), n.prefixLen);
    std::uint8_t *const suffixAt = buf.data() + n.prefixLen;
    const std::uint8_t *const suffixes = n.suffixes.data();
    const std::uint8_t *const values = n.values.data();
    const std::size_t sl = n.suffixLen, keyLen = n.keyLen(), count = n.count;
    // A 32-byte copy (two vector moves) is safe while 32 bytes remain in the block from suffix
    // i on; only the last entries of a full node need the exact length.
    const std::size_t roomy = sl <= 32 ? (kBlockSize - 32 - NodeView::kHeaderLen - n.prefixLen) / (sl ? sl : 1) + 1 : 0;
    auto one = [&](std::size_t i) {
        if (i < roomy)
            std::memcpy(suffixAt, suffixes + i * sl, 32);
        else
            std::memcpy(suffixAt, suffixes + i * sl, sl);
        return f(i, Bytes(buf.data(), keyLen), readBe40(values + i * NodeView::kValueLen));
    };
    if (!backward) {
        for (std::size_t i = from; i < count; ++i)
            if (!one(i))
                return false;
    } else {
        for (std::size_t i = from; i-- > 0;)
            if (!one(i))
                return false;
    }
    return true;
}

/// Where a walk starts and in which direction it goes. With `from`, each node is entered at
/// Neon's search position for that key (forward: entries ≥ key; backward: entries ≤ key, and a
/// node with nothing ≤ key ends the walk, as in Neon's reader); without it, every entry.
struct WalkOrder
{
    bool backward = false;
    std::optional<Bytes> from;
};

/// The base of every visitor: each hook does nothing and lets the walk go on, except
/// fault(), which stops the walk with the fault's error. A visitor hides the hooks it needs;
/// TreeWalk calls them statically (no virtual call per entry).
struct TreeVisitor
{
    /// A node was read; Skip leaves its subtree out, Stop ends the walk with Ok.
    WalkAction enter(const NodeView &, const WalkLink &) { return WalkAction::Descend; }
    /// Internal entry `i` of `node` is about to be followed; false skips that child.
    bool branch(const NodeView &, std::size_t) { return true; }
    /// Leaf entry `i` with its key (prefix ‖ suffix, valid during the call) and its 40-bit
    /// value. False ends the walk.
    bool entry(const NodeView &, std::size_t, Bytes, std::uint64_t) { return true; }
    /// The node's subtree is complete.
    void leave(const NodeView &) {}
    /// The node at `link` cannot be entered; Skip goes on with its siblings, Stop (default)
    /// ends the walk and returns `error`.
    WalkAction fault(WalkFault, const WalkLink &, const Error &) { return WalkAction::Stop; }
};

/// Every leaf entry in key order (or descending with `order.backward`): f(key, value) returns
/// false to stop. The key view is valid during the call only.
template<class F>
Status forEachEntry(const BTreeReader &tree, const WalkOrder &order, F &&f);

/// A leaf entry's place: relative leaf block and entry index in it.
struct EntrySlot
{
    std::uint32_t leaf = 0;
    std::size_t index = 0;
};
/// The first leaf entry with a key ≥ `key` along Neon's search path, or nullopt when no entry
/// is at or above it. Errors: the faults of the walk.
Result<std::optional<EntrySlot>> seekEntry(const BTreeReader &tree, Bytes key);

/// One walk over the index of `tree` (which does not own the bytes; neither does the walk).
/// Bounded: depth ≤ kMaxDepth, every block entered at most once. No allocation per entry; the
/// leaf's key prefix is written once and each entry's suffix copied after it.
template<class Visitor>
class TreeWalk
{
public:
    TreeWalk(const BTreeReader &tree, Visitor &visitor)
        : m_tree(tree), m_v(visitor), m_marks(tree.indexBlockCount())
    {}
    /// The walk keeps a reference: a temporary reader (`layer.tree()`) would dangle.
    TreeWalk(BTreeReader &&, Visitor &) = delete;

    /// Walks from the root. Returns the error of a fault the visitor stopped on.
    Status run(const WalkOrder &order = {}) { return runFrom(WalkLink{nullptr, 0, m_tree.root(), 0}, order); }

    /// Walks the subtree at `start` (its parent, if any, must outlive the call).
    Status runFrom(const WalkLink &start, const WalkOrder &order = {})
    {
        m_order = order;
        m_depth = 0;
        switch (enter(start)) {
        case Entered::Stop: return m_stopError ? Status(std::move(*m_stopError)) : Status(Ok{});
        case Entered::No: return Ok{};
        case Entered::Yes: break;
        }
        while (m_depth > 0) {
            Frame &f = m_stack[std::size_t(m_depth - 1)];
            if (f.node.isLeaf()) {
                if (!walkLeaf(f))
                    return Ok{};
                leave();
                continue;
            }
            const bool more = m_order.backward ? f.next > 0 : f.next < f.node.count;
            if (!more) {
                leave();
                continue;
            }
            const std::size_t i = m_order.backward ? --f.next : f.next++;
            if (!m_v.branch(f.node, i))
                continue;
            const WalkLink link{&f.node, i, f.node.child(i), m_depth};
            if (enter(link) == Entered::Stop)
                return m_stopError ? Status(std::move(*m_stopError)) : Status(Ok{});
        }
        return Ok{};
    }

    /// What this walk did to each block (Done after a node's subtree or a failed decode).
    const BlockMarks &marks() const { return m_marks; }

private:
    struct Frame
    {
        NodeView node;
        std::size_t next = 0;  ///< forward: next entry; backward: entries left
    };
    enum class Entered { Yes, No, Stop };

    Entered fault(WalkFault why, const WalkLink &link, Error error)
    {
        if (m_v.fault(why, link, error) == WalkAction::Skip)
            return Entered::No;
        m_stopError = std::move(error);
        return Entered::Stop;
    }

    Entered enter(const WalkLink &link)
    {
        const std::uint64_t blocks = m_tree.indexBlockCount();
        const FileOffset at = (std::uint64_t(m_tree.indexStart()) + link.block) * kBlockSize;
        if (link.block >= blocks)
            return fault(WalkFault::BeyondIndex, link, walkFaultError(WalkFault::BeyondIndex, link, at));
        if (const auto s = m_marks.get(link.block); s != BlockMarks::Unseen) {
            const WalkFault why = s == BlockMarks::OnPath ? WalkFault::Cycle : WalkFault::Shared;
            return fault(why, link, walkFaultError(why, link, at));
        }
        if (link.depth >= BTreeReader::kMaxDepth)
            return fault(WalkFault::TooDeep, link, walkFaultError(WalkFault::TooDeep, link, at));
        auto n = m_tree.node(link.block);
        if (!n) {
            m_marks.set(link.block, BlockMarks::Done);
            return fault(WalkFault::Unreadable, link, n.error());
        }
        m_marks.set(link.block, BlockMarks::OnPath);
        switch (m_v.enter(*n, link)) {
        case WalkAction::Stop: return Entered::Stop;
        case WalkAction::Skip: m_marks.set(link.block, BlockMarks::Done); return Entered::No;
        case WalkAction::Descend: break;
        }
        Frame &f = m_stack[std::size_t(m_depth++)];
        f.node = *n;
        f.next = m_order.backward ? n->count : 0;
        if (m_order.from) {
            bool found = false;
            std::size_t idx = n->search(*m_order.from, found);
            if (!m_order.backward) {
                if (!found && !n->isLeaf() && idx > 0)
                    --idx;
                f.next = idx;
            } else {
                if (!found) {
                    if (idx == 0) {
                        m_stopError.reset();
                        return Entered::Stop;  // nothing ≤ key: Neon's visit ends here
                    }
                    --idx;
                }
                f.next = idx + 1;
            }
        }
        return Entered::Yes;
    }

    void leave()
    {
        const Frame &f = m_stack[std::size_t(--m_depth)];
        m_marks.set(f.node.block, BlockMarks::Done);
        m_v.leave(f.node);
    }

    // The hot loop: every entry of one leaf.
    bool walkLeaf(Frame &f)
    {
        const NodeView &n = f.node;
        const bool done = forEachLeafEntry(n, f.next, m_order.backward, [&](std::size_t i, Bytes key, std::uint64_t value) {
            return m_v.entry(n, i, key, value);
        });
        f.next = m_order.backward ? 0 : n.count;
        return done;
    }

    const BTreeReader &m_tree;
    Visitor &m_v;
    BlockMarks m_marks;
    WalkOrder m_order;
    std::array<Frame, BTreeReader::kMaxDepth> m_stack{};
    int m_depth = 0;
    std::optional<Error> m_stopError;
};

template<class F>
Status forEachEntry(const BTreeReader &tree, const WalkOrder &order, F &&f)
{
    struct V : TreeVisitor
    {
        F &f;
        explicit V(F &fn) : f(fn) {}
        bool entry(const NodeView &, std::size_t, Bytes key, std::uint64_t value) { return f(key, value); }
    } v{f};
    TreeWalk<V> walk(tree, v);
    return walk.run(order);
}

} // namespace layerscope
