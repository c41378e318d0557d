#include <layerscope/index/leaf_scan.h>

#include <layerscope/index/btree.h>

#include <algorithm>

namespace layerscope {

namespace {
/// Adds a leaf's entries. Inside a known index region every leaf counts, damaged or not (the
/// caller judges each entry); elsewhere (`strict`) only one that looks as Neon wrote it:
/// increasing keys, values in range, zero padding.
bool addLeafIfPlausible(
    Bytes file, const NodeView &n, std::size_t keyLen, bool strict, SalvageScan &out)
{
    ByteVector prev(keyLen), cur(keyLen);
    for (std::size_t i = 0; i < n.count && strict; ++i) {
        n.keyInto(i, cur.data());
        if ((i > 0
             && !std::lexicographical_compare(prev.begin(), prev.end(), cur.begin(), cur.end()))
            || n.value(i) > kBtreeMaxLeafValue)
            return false;
        std::swap(prev, cur);
    }
    const Bytes block = file.subspan(n.offset, kBlockSize);
    if (strict
        && !std::all_of(block.begin() + std::ptrdiff_t(n.usedBytes()),
                        block.end(),
                        [](std::uint8_t c) { return c == 0; }))
        return false;
    ++out.leavesFound;
    out.leafOffsets.push_back(n.offset);
    for (std::size_t i = 0; i < n.count; ++i) {
        SalvagedEntry e;
        e.indexKey.resize(keyLen);
        n.keyInto(i, e.indexKey.data());
        e.value = n.value(i);
        e.leafOffset = n.offset;
        out.entries.push_back(std::move(e));
    }
    return true;
}
} // namespace

SalvageScan scanLeaves(const ByteSource &src, std::uint64_t firstBlock, std::size_t keyLen)
{
    SalvageScan out;
    const Bytes file = src.bytes();
    const std::uint64_t blocks = file.size() / kBlockSize;
    std::uint64_t b = std::max<std::uint64_t>(firstBlock, 1);
    while (b < blocks) {
        // Skip holes: a leaf is never all zeros.
        const auto [data, dataEnd] = src.dataRange(b * kBlockSize);
        const std::uint64_t from = std::max(b, data / kBlockSize);
        const std::uint64_t to = std::min(blocks, (dataEnd + kBlockSize - 1) / kBlockSize);
        if (from >= blocks)
            break;
        for (b = from; b < std::max(to, from + 1) && b < blocks; ++b) {
            const FileOffset off = b * kBlockSize;
            auto n = decodeNode(file.subspan(off, kBlockSize),
                                std::uint32_t(b - firstBlock),
                                off,
                                keyLen);
            if (!(n && !n->isLeaf())
                && !(n && addLeafIfPlausible(file, *n, keyLen, firstBlock < 2, out)))
                out.unreadable.push_back(off);
            if ((b & 511) == 511)
                src.release((b - 511) * kBlockSize, 512 * kBlockSize);
        }
    }
    src.release(0, file.size());
    std::stable_sort(out.entries.begin(),
                     out.entries.end(),
                     [](const SalvagedEntry &a, const SalvagedEntry &b) {
                         return std::lexicographical_compare(a.indexKey.begin(),
                                                             a.indexKey.end(),
                                                             b.indexKey.begin(),
                                                             b.indexKey.end());
                     });
    const auto before = out.entries.size();
    out.entries.erase(std::unique(out.entries.begin(),
                                  out.entries.end(),
                                  [](const SalvagedEntry &a, const SalvagedEntry &b) {
                                      return a.indexKey == b.indexKey && a.value == b.value;
                                  }),
                      out.entries.end());
    out.duplicates = before - out.entries.size();
    return out;
}

} // namespace layerscope
