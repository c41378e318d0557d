#pragma once

#include <layerscope/base/bytes.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace layerscope {

inline constexpr std::size_t kBtreeValueSize = 5;
inline constexpr std::uint64_t kBtreeMaxLeafValue = 0x7F'FFFF'FFFF;
inline constexpr std::size_t kMaxIndexKeyLen = 26;

/// A full index key (18 or 26 bytes used).
struct IndexKey
{
    std::array<std::uint8_t, kMaxIndexKeyLen> bytes{};
    std::uint8_t len = 0;
    Bytes view() const { return {bytes.data(), len}; }
    static IndexKey from(Bytes b);
    auto operator<=>(const IndexKey &o) const;
    bool operator==(const IndexKey &o) const;
};

/// The node header, in block order (FORMAT.md §7.1): num_children (BE u16), level,
/// prefix_len, suffix_len.
inline constexpr ByteField kNodeHeaderFields[] = {
    {"num_children", 0, 2}, {"level", 2, 1}, {"prefix_len", 3, 1}, {"suffix_len", 4, 1}};

/// One B-tree node decoded from its 8192-byte block; views point into the file bytes.
/// The block is: header (5 bytes), prefix, count suffixes, count 5-byte values, zero padding.
struct NodeView
{
    static constexpr std::size_t kHeaderLen = 5;
    static constexpr std::size_t kValueLen = kBtreeValueSize;

    std::uint32_t block = 0;  ///< relative to index_start_blk
    FileOffset offset = 0;    ///< absolute offset of the block
    std::uint16_t count = 0;
    std::uint8_t level = 0;
    std::uint8_t prefixLen = 0;
    std::uint8_t suffixLen = 0;
    Bytes prefix;
    Bytes suffixes;
    Bytes values;

    bool isLeaf() const { return level == 0; }
    Bytes suffix(std::size_t i) const { return suffixes.subspan(i * suffixLen, suffixLen); }
    /// Key i (prefix ‖ suffix); keys wider than kMaxIndexKeyLen are cut (use keyInto).
    IndexKey key(std::size_t i) const;
    /// Writes prefix ‖ suffix i into `out` (prefixLen + suffixLen bytes).
    void keyInto(std::size_t i, std::uint8_t *out) const;
    /// 40-bit value of entry i.
    std::uint64_t value(std::size_t i) const { return readBe40(values.data() + i * 5); }
    Bytes rawValue(std::size_t i) const { return values.subspan(i * 5, 5); }
    /// Child block (relative) of an internal entry; the 0x80 marker is checked by decodeNode.
    std::uint32_t child(std::size_t i) const { return readBe32(values.data() + i * 5 + 1); }
    std::size_t usedBytes() const
    {
        return kHeaderLen + prefixLen + std::size_t(count) * (suffixLen + kValueLen);
    }
    /// Absolute offsets of the parts of the node.
    FileOffset prefixOffset() const { return offset + kHeaderLen; }
    FileOffset suffixOffset(std::size_t i) const
    {
        return offset + kHeaderLen + prefixLen + i * suffixLen;
    }
    FileOffset valueOffset(std::size_t i) const
    {
        return offset + kHeaderLen + prefixLen + std::size_t(count) * suffixLen + i * kValueLen;
    }
    std::size_t keyLen() const { return std::size_t(prefixLen) + suffixLen; }
    /// Neon's binary search: index of an exact match (found = true) or the insertion point.
    std::size_t search(Bytes key, bool &found) const;
};

/// The node's geometry from its header (every check of decodeNode but the internal markers),
/// for showing a node whose pointers are damaged.
Result<NodeView> decodeNodeLayout(Bytes block, std::uint32_t relBlock, FileOffset offset,
                                  std::size_t keyLen);
/// Decodes a node; `keyLen` is the index key width. Errors: empty node, prefix + suffix ≠
/// keyLen, entries not fitting in the block, internal value without the 0x80 marker.
Result<NodeView> decodeNode(Bytes block, std::uint32_t relBlock, FileOffset offset,
                            std::size_t keyLen);

/// Reads the index of one layer. Does not own the bytes. Every walk goes through TreeWalk
/// (tree_walk.h): depth ≤ 16, each block entered at most once (cycles are errors, never loops).
class BTreeReader
{
public:
    BTreeReader(Bytes file, std::uint32_t indexStartBlk, std::uint32_t rootBlk, std::size_t keyLen)
        : m_file(file), m_start(indexStartBlk), m_root(rootBlk), m_keyLen(keyLen)
    {}

    static constexpr int kMaxDepth = 16;

    std::uint32_t root() const { return m_root; }
    std::uint32_t indexStart() const { return m_start; }
    std::size_t keyLen() const { return m_keyLen; }
    /// Number of index blocks present in the file.
    std::uint64_t indexBlockCount() const;
    /// Node at a block relative to index_start_blk; error if past the end of the file.
    Result<NodeView> node(std::uint32_t relBlock) const;

    /// Visitor gets (key, leaf value); the key view is valid during the call only.
    /// Returns false to stop.
    using Visitor = std::function<bool(Bytes key, std::uint64_t value)>;
    /// Neon's forward visit: every leaf entry with key ≥ `from`, ascending.
    Status visitForward(Bytes from, const Visitor &visit) const;
    /// Neon's backward visit: every leaf entry with key ≤ `from`, descending.
    Status visitBackward(Bytes from, const Visitor &visit) const;
    /// Point lookup; found = false when absent.
    Result<std::uint64_t> get(Bytes key, bool &found) const;

    /// Pre-order walk over nodes with their depth; stops early when `visit` returns false.
    Status walkNodes(const std::function<bool(const NodeView &, int depth)> &visit) const;

    /// Neon's DiskBtreeReader::dump() text, byte for byte.
    Result<std::string> dumpNeon() const;

private:
    Bytes m_file;
    std::uint32_t m_start;
    std::uint32_t m_root;
    std::size_t m_keyLen;
};

/// Bulk builder producing blocks byte-identical to Neon's DiskBtreeBuilder (FORMAT.md §7.4).
class BTreeBuilder
{
public:
    /// Blocks are handed to `emit` in emission order as complete 8192-byte nodes.
    using Emit = std::function<void(const ByteVector &block)>;
    BTreeBuilder(std::size_t keyLen, Emit emit);

    /// Errors: value > kBtreeMaxLeafValue, key ≤ the previous key, wrong key length.
    Status append(Bytes key, std::uint64_t value);
    /// Emits the remaining nodes; returns the root's block number. Error if nothing appended.
    Result<std::uint32_t> finish();
    std::uint32_t blocksEmitted() const { return m_emitted; }

private:
    struct Node
    {
        std::uint8_t level = 0;
        ByteVector prefix;
        std::size_t suffixLen = 0;
        std::uint16_t count = 0;
        ByteVector suffixes;
        ByteVector values;
        std::size_t size = 5;
        bool push(Bytes key, const std::uint8_t *value);
        bool compress();
        ByteVector pack() const;
        ByteVector firstKey() const;
    };
    void add(Bytes key, const std::uint8_t *value);
    void flush();

    std::size_t m_keyLen;
    Emit m_emit;
    std::vector<Node> m_stack;
    ByteVector m_lastKey;
    bool m_any = false;
    std::uint32_t m_emitted = 0;
};

} // namespace layerscope
