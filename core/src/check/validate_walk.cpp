#include "validator.h"

namespace layerscope {

void Validator::checkNode(const NodeView &n, int depth)
{
    // Padding after the used part.
    const Bytes block = m_file.subspan(n.offset, kBlockSize);
    const std::size_t used = n.usedBytes();
    const auto nz = std::find_if(block.begin() + std::ptrdiff_t(used), block.end(),
                                 [](std::uint8_t b) { return b != 0; });
    if (nz != block.end()) {
        auto &p = add(checkInfo("node-padding"),
                      fmt::format("node {} has non-zero bytes after its {} used bytes",
                                  n.block,
                                  used),
                      n.offset + FileOffset(nz - block.begin()),
                      1);
        p.block = n.block;
    }
    if (used == kBlockSize) {
        auto &p = add(checkInfo("node-full"),
                      fmt::format("node {} uses all 8192 bytes (Neon's builder stops at 8191)",
                                  n.block),
                      n.offset,
                      5);
        p.block = n.block;
    }
    // Keys strictly increasing within the node (a leaf's, with its entries, on its task).
    if (!n.isLeaf()) {
        std::vector<Problem> found;
        checkKeyOrderInNode(n, found);
        for (Problem &p : found)
            m_list.add(std::move(p));
    }
    if (n.isLeaf()) {
        if (m_leafDepth < 0)
            m_leafDepth = depth;
        else if (m_leafDepth != depth) {
            auto &p = add(checkInfo("node-level"),
                          fmt::format("leaf {} is at depth {}, other leaves at depth {}",
                                      n.block,
                                      depth,
                                      m_leafDepth),
                          n.offset + 2,
                          1);
            p.block = n.block;
        }
    }
}

void Validator::checkKeyOrderInNode(const NodeView &n, std::vector<Problem> &out) const
{
    // Keys share the prefix: comparing suffixes is comparing keys.
    for (std::size_t i = 1; i < n.count; ++i) {
        const Bytes prev = n.suffix(i - 1), cur = n.suffix(i);
        if (n.suffixLen > 0 && std::memcmp(prev.data(), cur.data(), n.suffixLen) < 0)
            continue;
        const IndexKey pk = n.key(i - 1), ck = n.key(i);
        auto &p = pushProblem(out,
                              checkInfo("node-key-order"),
                              fmt::format("node {}: key {} ({}) is not above key {} ({})",
                                          n.block,
                                          i,
                                          toHex(ck.view()),
                                          i - 1,
                                          toHex(pk.view())),
                              n.suffixOffset(i),
                              n.suffixLen);
        p.block = n.block;
        if (ck.len >= Key::kSize)
            p.key = Key::fromBytes(ck.bytes.data());
    }
}

WalkAction Validator::enterNode(const NodeView &n, const WalkLink &link)
{
    ++m_report.nodesChecked;
    if ((++m_done & 63) == 0 && !progress())
        return WalkAction::Stop;
    const NodeView *parent = link.parent;
    const int depth = link.depth;
    const std::size_t i = link.entry;
    // Level: one below the parent. When the first child already disagrees, the parent's
    // level byte is the likely fault; later children are compared with their first sibling.
    if (parent) {
        int &expected = m_childLevel[std::size_t(depth - 1)];
        if (i == 0 && n.level + 1 != parent->level) {
            auto &p = add(checkInfo("node-level"),
                          fmt::format("node {} has level {}, but its first child {} has level {}",
                                      parent->block,
                                      parent->level,
                                      n.block,
                                      n.level),
                          parent->offset + kNodeHeaderFields[1].offset,
                          1);
            p.block = parent->block;
            p.related.push_back({n.offset + kNodeHeaderFields[1].offset, 1, "child's level"});
            expected = n.level;
        } else if (i == 0) {
            expected = n.level;
        } else if (n.level != expected) {
            auto &p = add(checkInfo("node-level"),
                          fmt::format("node {} has level {}, its siblings have level {}",
                                      n.block,
                                      n.level,
                                      expected),
                          n.offset + kNodeHeaderFields[1].offset,
                          1);
            p.block = n.block;
        }
        if (n.level >= parent->level)
            return WalkAction::Skip;  // following it could not end
    }
    // Bounds from the parent: the separator equals the child's first key (Neon), never above
    // it; the next separator (or the parent's own bound) is above the child's last key.
    KeyBound &bound = m_bounds[std::size_t(depth)];
    bound.has = false;
    std::uint8_t first[256], last[256];
    n.keyInto(0, first);
    n.keyInto(n.count - 1u, last);
    const Bytes firstKey(first, m_keyLen), lastKey(last, m_keyLen);
    if (parent) {
        std::uint8_t lower[256];
        parent->keyInto(i, lower);
        const Bytes lowerKey(lower, m_keyLen);
        if (const int c = std::memcmp(first, lower, m_keyLen); c != 0) {
            const bool above = c < 0;
            auto &p = add(
                weaker(checkInfo("node-separator"), !above),
                above ? fmt::format("node {}'s first key {} is below its separator {} in node {}: "
                                    "searches skip those entries",
                                    n.block,
                                    toHex(firstKey),
                                    toHex(lowerKey),
                                    parent->block)
                      : fmt::format("separator {} in node {} differs from node {}'s first key {} "
                                    "(Neon stores the first key)",
                                    toHex(lowerKey),
                                    parent->block,
                                    n.block,
                                    toHex(firstKey)),
                parent->suffixOffset(i),
                parent->suffixLen);
            p.block = parent->block;
            p.related.push_back({n.prefixOffset(), n.keyLen(), "child's first key"});
        }
        const KeyBound &outer = m_bounds[std::size_t(depth - 1)];
        if (i + 1 < parent->count) {
            parent->keyInto(i + 1, bound.key.data());
            bound.has = true;
        } else if (outer.has) {
            bound.key = outer.key;
            bound.has = true;
        }
        if (bound.has && std::memcmp(last, bound.key.data(), m_keyLen) >= 0) {
            auto &p = add(
                checkInfo("node-separator"),
                fmt::format("node {}'s last key {} is not below the next separator {} in node {}",
                            n.block,
                            toHex(lastKey),
                            toHex(Bytes(bound.key.data(), m_keyLen)),
                            parent->block),
                n.suffixOffset(n.count - 1u),
                n.suffixLen);
            p.block = n.block;
        }
    }
    checkNode(n, depth);
    return WalkAction::Descend;
}

WalkAction Validator::walkFault(WalkFault why, const WalkLink &link, const Error &error)
{
    const NodeView *parent = link.parent;
    const FileOffset ptrAt = parent ? link.pointerAt() : fieldAt(SummaryFieldId::IndexRoot);
    const std::uint64_t ptrLen = parent ? NodeView::kValueLen : fieldLen(SummaryFieldId::IndexRoot);
    const FileOffset target = (FileOffset(m_s.indexStartBlk) + link.block) * kBlockSize;
    Problem *p = nullptr;
    switch (why) {
    case WalkFault::BeyondIndex:
        p = &add(
            checkInfo("node-child-range"),
            fmt::format("child pointer {} is beyond the {} index blocks: btree node beyond file",
                        link.block,
                        m_indexBlocks),
            ptrAt,
            ptrLen);
        break;
    case WalkFault::Cycle:
    case WalkFault::Shared:
        p = &add(why == WalkFault::Cycle ? checkInfo("node-cycle") : checkInfo("node-shared"),
                 why == WalkFault::Cycle
                     ? fmt::format("node {} points back at its ancestor {} (a cycle)",
                                   parent ? parent->block : 0,
                                   link.block)
                     : fmt::format("node {} is reached a second time (shared child)", link.block),
                 ptrAt,
                 ptrLen);
        p->related.push_back({target, kBlockSize, "node reached twice"});
        break;
    case WalkFault::TooDeep:
        p = &add(checkInfo("node-depth"),
                 fmt::format("path deeper than {} levels", BTreeReader::kMaxDepth),
                 ptrAt,
                 ptrLen);
        break;
    case WalkFault::Unreadable: {
        ++m_report.nodesChecked;
        ++m_done;
        const CheckInfo &check = error.kind == ErrorKind::NodeMarker ? checkInfo("node-marker")
                                                                     : checkInfo("node-header");
        auto &q = add(check,
                      fmt::format("node {}: expected {}, found {}",
                                  link.block,
                                  error.expected,
                                  error.found),
                      error.offset,
                      NodeView::kHeaderLen);
        q.block = link.block;
        return WalkAction::Skip;
    }
    }
    if (parent)
        p->block = parent->block;
    return WalkAction::Skip;
}

void Validator::walkTree()
{
    // The structural walk: every node once, with the level, separator and reachability
    // checks; a leaf is recorded for checkLeaves() instead of walked entry by entry here.
    struct V : TreeVisitor
    {
        Validator &v;
        explicit V(Validator &val) : v(val) {}
        WalkAction enter(const NodeView &n, const WalkLink &l)
        {
            const WalkAction a = v.enterNode(n, l);
            if (a != WalkAction::Descend || !n.isLeaf())
                return a;
            v.m_leaves.push_back({n, v.m_nextPosition});
            v.m_nextPosition += n.count;
            return WalkAction::Skip;
        }
        WalkAction fault(WalkFault why, const WalkLink &l, const Error &e) { return v.walkFault(why, l, e); }
    } visitor{*this};
    const BTreeReader tree(m_file, m_s.indexStartBlk, m_s.indexRootBlk, m_keyLen);
    TreeWalk<V> walk(tree, visitor);
    (void)walk.run();
    m_marks = walk.marks();
}

} // namespace layerscope
