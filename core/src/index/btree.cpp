#include <layerscope/index/btree.h>

#include <layerscope/index/tree_walk.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace layerscope {

IndexKey IndexKey::from(Bytes b)
{
    IndexKey k;
    k.len = std::uint8_t(std::min(b.size(), kMaxIndexKeyLen));
    std::memcpy(k.bytes.data(), b.data(), k.len);
    return k;
}

auto IndexKey::operator<=>(const IndexKey &o) const
{
    return std::lexicographical_compare_three_way(bytes.begin(), bytes.begin() + len,
                                                  o.bytes.begin(), o.bytes.begin() + o.len);
}

bool IndexKey::operator==(const IndexKey &o) const
{
    return len == o.len && std::equal(bytes.begin(), bytes.begin() + len, o.bytes.begin());
}

IndexKey NodeView::key(std::size_t i) const
{
    IndexKey k;
    k.len = std::uint8_t(std::min<std::size_t>(prefixLen + suffixLen, kMaxIndexKeyLen));
    std::memcpy(k.bytes.data(), prefix.data(), prefixLen);
    std::memcpy(k.bytes.data() + prefixLen, suffixes.data() + i * suffixLen,
                k.len - prefixLen);
    return k;
}

void NodeView::keyInto(std::size_t i, std::uint8_t *out) const
{
    std::memcpy(out, prefix.data(), prefixLen);
    std::memcpy(out + prefixLen, suffixes.data() + i * suffixLen, suffixLen);
}

namespace {
// Compares prefix ‖ suffix with `key` without building the full key.
int compareKey(const NodeView &n, std::size_t i, Bytes key)
{
    const std::size_t p = std::min<std::size_t>(n.prefixLen, key.size());
    if (int c = std::memcmp(n.prefix.data(), key.data(), p); c != 0 || p < n.prefixLen)
        return c != 0 ? c : 1;
    const Bytes rest = key.subspan(p);
    const Bytes suf = n.suffix(i);
    const std::size_t m = std::min(rest.size(), suf.size());
    if (int c = m ? std::memcmp(suf.data(), rest.data(), m) : 0; c != 0)
        return c;
    return suf.size() < rest.size() ? -1 : (suf.size() > rest.size() ? 1 : 0);
}
} // namespace

std::size_t NodeView::search(Bytes key, bool &found) const
{
    std::size_t size = count, low = 0, high = count;
    found = false;
    while (low < high) {
        const std::size_t mid = low + size / 2;
        const int c = compareKey(*this, mid, key);
        if (c < 0)
            low = mid + 1;
        else if (c > 0)
            high = mid;
        else {
            found = true;
            return mid;
        }
        size = high - low;
    }
    return low;
}

Result<NodeView> decodeNodeLayout(Bytes block, std::uint32_t relBlock, FileOffset offset,
                                  std::size_t keyLen)
{
    if (block.size() < kBlockSize)
        return makeError(offset, "a full 8192-byte B-tree node",
                         fmt::format("{} bytes before the end of the file", block.size()));
    NodeView n;
    n.block = relBlock;
    n.offset = offset;
    const auto &[countF, levelF, prefixF, suffixF] = kNodeHeaderFields;
    n.count = readBe16(block.data() + countF.offset);
    n.level = block[levelF.offset];
    n.prefixLen = block[prefixF.offset];
    n.suffixLen = block[suffixF.offset];
    if (n.count == 0)
        return makeError(offset, "a node with at least one entry", "num_children 0",
                         ErrorKind::NodeHeader);
    if (std::size_t(n.prefixLen) + n.suffixLen != keyLen)
        return makeError(offset + prefixF.offset,
                         fmt::format("prefix_len + suffix_len = {} (index key width)", keyLen),
                         fmt::format("{} + {}", n.prefixLen, n.suffixLen), ErrorKind::NodeHeader);
    if (n.usedBytes() > kBlockSize)
        return makeError(offset,
                         fmt::format("{} entries of {} bytes fitting in 8192 bytes", n.count,
                                     n.suffixLen + 5),
                         fmt::format("{} bytes", n.usedBytes()), ErrorKind::NodeHeader);
    n.prefix = block.subspan(NodeView::kHeaderLen, n.prefixLen);
    n.suffixes = block.subspan(NodeView::kHeaderLen + n.prefixLen, std::size_t(n.count) * n.suffixLen);
    n.values = block.subspan(n.valueOffset(0) - offset, std::size_t(n.count) * NodeView::kValueLen);
    return n;
}

Result<NodeView> decodeNode(Bytes block, std::uint32_t relBlock, FileOffset offset,
                            std::size_t keyLen)
{
    auto layout = decodeNodeLayout(block, relBlock, offset, keyLen);
    if (!layout)
        return layout;
    const NodeView &n = *layout;
    if (n.level > 0) {
        for (std::size_t i = 0; i < n.count; ++i)
            if (n.values[i * NodeView::kValueLen] != 0x80)
                return makeError(n.valueOffset(i),
                                 "internal value marker 0x80",
                                 fmt::format("0x{:02x} in entry {}", n.values[i * 5], i),
                                 ErrorKind::NodeMarker);
    }
    return n;
}

std::uint64_t BTreeReader::indexBlockCount() const
{
    const std::uint64_t blocks = m_file.size() / kBlockSize;
    return blocks > m_start ? blocks - m_start : 0;
}

Result<NodeView> BTreeReader::node(std::uint32_t relBlock) const
{
    const std::uint64_t abs = std::uint64_t(m_start) + relBlock;
    const FileOffset off = abs * kBlockSize;
    if (off + kBlockSize > m_file.size())
        return makeError(off,
                         fmt::format("B-tree node {} (block {}) inside the file of {} bytes",
                                     relBlock, abs, m_file.size()),
                         "a node beyond the end of the file");
    return decodeNode(m_file.subspan(off, kBlockSize), relBlock, off, m_keyLen);
}

Status BTreeReader::visitForward(Bytes from, const Visitor &v) const
{
    return forEachEntry(*this, WalkOrder{false, from}, v);
}

Status BTreeReader::visitBackward(Bytes from, const Visitor &v) const
{
    return forEachEntry(*this, WalkOrder{true, from}, v);
}

Result<std::uint64_t> BTreeReader::get(Bytes key, bool &found) const
{
    found = false;
    std::uint64_t value = 0;
    auto s = forEachEntry(*this, WalkOrder{false, key}, [&](Bytes k, std::uint64_t v) {
        if (std::equal(key.begin(), key.end(), k.begin(), k.end())) {
            found = true;
            value = v;
        }
        return false;
    });
    if (!s)
        return s.error();
    return value;
}

Status BTreeReader::walkNodes(const std::function<bool(const NodeView &, int)> &visitFn) const
{
    struct V : TreeVisitor
    {
        const std::function<bool(const NodeView &, int)> &fn;
        explicit V(const std::function<bool(const NodeView &, int)> &f) : fn(f) {}
        WalkAction enter(const NodeView &n, const WalkLink &l)
        {
            if (!fn(n, l.depth))
                return WalkAction::Stop;
            return n.isLeaf() ? WalkAction::Skip : WalkAction::Descend;  // nodes only
        }
    } v{visitFn};
    TreeWalk<V> walk(*this, v);
    return walk.run();
}

Result<std::string> BTreeReader::dumpNeon() const
{
    // Neon's printer keeps a stack of pending siblings; each contributes its node's tag (the hex
    // of its parent's prefix) to the "path" printed with a node. Here the same stack is the
    // walk's path: an ancestor counts while it has entries after the one being followed.
    struct V : TreeVisitor
    {
        std::string out;
        struct Level
        {
            std::string tag;    // hex of the parent's prefix
            bool pending = false;
        };
        std::vector<Level> path;
        WalkAction enter(const NodeView &n, const WalkLink &l)
        {
            std::string tag = l.parent ? toHex(l.parent->prefix) : std::string();
            std::string p;
            for (const Level &a : path)
                if (a.pending)
                    p += a.tag;
            out += fmt::format("{:{}}blk #{}: path {}{}: prefix {}, suffix_len {}\n", "", l.depth * 2, n.block, p,
                               tag, toHex(n.prefix), n.suffixLen);
            path.push_back({std::move(tag), false});
            return WalkAction::Descend;
        }
        void line(const NodeView &n, std::size_t i)
        {
            const std::size_t depth = path.size() - 1;
            path.back().pending = i + 1 < n.count;
            out += fmt::format("{:{}}{}: {}\n", "", depth * 2 + 2, toHex(n.suffix(i)), toHex(n.rawValue(i)));
        }
        bool branch(const NodeView &n, std::size_t i)
        {
            line(n, i);
            return true;
        }
        bool entry(const NodeView &n, std::size_t i, Bytes, std::uint64_t)
        {
            line(n, i);
            return true;
        }
        void leave(const NodeView &) { path.pop_back(); }
    } v;
    TreeWalk<V> walk(*this, v);
    if (auto s = walk.run(); !s)
        return s.error();
    return std::move(v.out);
}

// ---------------------------------------------------------------------------------------------

BTreeBuilder::BTreeBuilder(std::size_t keyLen, Emit emit)
    : m_keyLen(keyLen), m_emit(std::move(emit))
{
    m_stack.push_back(Node{});
}

bool BTreeBuilder::Node::push(Bytes key, const std::uint8_t *value)
{
    if (count > 0) {
        if (!std::equal(prefix.begin(), prefix.end(), key.begin()))
            return false;
    } else {
        suffixLen = key.size();
    }
    if (size + suffixLen + 5 >= kBlockSize)
        return false;
    ++count;
    suffixes.insert(suffixes.end(), key.begin() + std::ptrdiff_t(prefix.size()), key.end());
    values.insert(values.end(), value, value + 5);
    size += suffixLen + 5;
    return true;
}

bool BTreeBuilder::Node::compress()
{
    if (count == 0)
        return false;
    const std::uint8_t *first = suffixes.data();
    const std::uint8_t *last = suffixes.data() + suffixes.size() - suffixLen;
    std::size_t c = 0;
    while (c < suffixLen && first[c] == last[c])
        ++c;
    if (c == 0)
        return false;
    prefix.insert(prefix.end(), first, first + c);
    ByteVector next;
    next.reserve(std::size_t(count) * (suffixLen - c));
    for (std::size_t off = 0; off < suffixes.size(); off += suffixLen)
        next.insert(next.end(), suffixes.begin() + std::ptrdiff_t(off + c),
                    suffixes.begin() + std::ptrdiff_t(off + suffixLen));
    suffixes = std::move(next);
    suffixLen -= c;
    size = size - c * count + c;
    return true;
}

ByteVector BTreeBuilder::Node::pack() const
{
    ByteVector b;
    b.reserve(kBlockSize);
    appendBe16(b, count);
    b.push_back(level);
    b.push_back(std::uint8_t(prefix.size()));
    b.push_back(std::uint8_t(suffixLen));
    appendBytes(b, prefix);
    appendBytes(b, suffixes);
    appendBytes(b, values);
    b.resize(kBlockSize, 0);
    return b;
}

ByteVector BTreeBuilder::Node::firstKey() const
{
    ByteVector k = prefix;
    k.insert(k.end(), suffixes.begin(), suffixes.begin() + std::ptrdiff_t(suffixLen));
    return k;
}

void BTreeBuilder::add(Bytes key, const std::uint8_t *value)
{
    Node &last = m_stack.back();
    const std::uint8_t level = last.level;
    if (last.push(key, value))
        return;
    if (last.compress() && last.push(key, value))
        return;
    flush();
    Node fresh;
    fresh.level = level;
    fresh.push(key, value);
    m_stack.push_back(std::move(fresh));
}

void BTreeBuilder::flush()
{
    Node last = std::move(m_stack.back());
    m_stack.pop_back();
    m_emit(last.pack());
    const std::uint32_t blk = m_emitted++;
    if (m_stack.empty()) {
        Node root;
        root.level = std::uint8_t(last.level + 1);
        m_stack.push_back(std::move(root));
    }
    const std::uint8_t down[5] = {0x80, std::uint8_t(blk >> 24), std::uint8_t(blk >> 16),
                                  std::uint8_t(blk >> 8), std::uint8_t(blk)};
    const ByteVector first = last.firstKey();
    add(first, down);
}

Status BTreeBuilder::append(Bytes key, std::uint64_t value)
{
    if (key.size() != m_keyLen)
        return makeError(0, fmt::format("a {}-byte index key", m_keyLen),
                         fmt::format("{} bytes", key.size()));
    if (value > kBtreeMaxLeafValue)
        return makeError(0, fmt::format("a leaf value ≤ 0x{:x}", kBtreeMaxLeafValue),
                         fmt::format("0x{:x} (append overflow)", value));
    if (m_any && !std::lexicographical_compare(m_lastKey.begin(), m_lastKey.end(), key.begin(),
                                               key.end()))
        return makeError(0, fmt::format("a key above {}", toHex(m_lastKey)),
                         fmt::format("{} (unsorted input)", toHex(key)));
    m_lastKey.assign(key.begin(), key.end());
    m_any = true;
    std::uint8_t v[5];
    for (int i = 0; i < 5; ++i)
        v[i] = std::uint8_t(value >> (32 - 8 * i));
    add(key, v);
    return Ok{};
}

Result<std::uint32_t> BTreeBuilder::finish()
{
    if (!m_any)
        return makeError(0, "at least one entry", "an empty index");
    while (m_stack.size() > 1)
        flush();
    m_emit(m_stack.front().pack());
    return m_emitted++;
}

} // namespace layerscope
