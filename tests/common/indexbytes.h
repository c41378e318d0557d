#pragma once

// Where a layer's index bytes are, for tests that rewrite them in place: node blocks, their
// keys and leaf values, entries' blobs; and a big-endian write.

#include <layerscope/base/bytes.h>
#include <layerscope/format/layer.h>

namespace testutil {

/// Index node `rel` (relative to index_start_blk).
inline layerscope::FileOffset nodeOffset(const layerscope::Layer &l, std::uint32_t rel)
{
    return (layerscope::FileOffset(l.summary().indexStartBlk) + rel) * layerscope::kBlockSize;
}
inline layerscope::FileOffset rootOffset(const layerscope::Layer &l)
{
    return nodeOffset(l, l.summary().indexRootBlk);
}
/// Key suffix `i` of node `rel`.
inline layerscope::FileOffset keyOffset(const layerscope::Layer &l, std::uint32_t rel, std::size_t i)
{
    const auto n = l.tree().node(rel);
    return n->offset + 5 + n->prefixLen + i * n->suffixLen;
}
/// The 5-byte value `i` of node `rel` (a blob reference or a child pointer).
inline layerscope::FileOffset valueOffset(const layerscope::Layer &l, std::uint32_t rel, std::size_t i)
{
    const auto n = l.tree().node(rel);
    return n->offset + 5 + n->prefixLen + std::size_t(n->count) * n->suffixLen + i * 5;
}
/// Entry `entry`'s blob, in index order.
inline layerscope::FileOffset blobOf(const layerscope::Layer &l, std::size_t entry)
{
    const auto entries = l.entries();
    return (*entries)[entry].blobOffset;
}
/// `v` written big-endian into `bytes` bytes at `at`.
inline void putBe(layerscope::ByteVector &b, layerscope::FileOffset at, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        b[at + std::size_t(i)] = std::uint8_t(v >> (8 * (bytes - 1 - i)));
}

} // namespace testutil
