#include <layerscope/redo/page_mask.h>

#include <layerscope/format/pg_page.h>
#include <layerscope/redo/heap_tuple.h>
#include <layerscope/redo/page_edit.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace layerscope {

using namespace redo;

PageMask pageMaskForRmgr(std::uint8_t rmid)
{
    switch (rmid) {
    case 9:
    case 10: return PageMask::Heap;
    case 11: return PageMask::Btree;
    case 15: return PageMask::Sequence;
    default: return PageMask::None;
    }
}

PageMask pageMaskForPage(Bytes page)
{
    const auto h = parsePageHeader(page);
    if (!h || h->special > kPageSize || h->special < kPageHeaderSize)
        return PageMask::None;
    const std::size_t specialSize = kPageSize - h->special;
    if (specialSize == 0)
        return PageMask::Heap;
    if (specialSize == 8 && readLe32(page.data() + h->special) == 0x1717)
        return PageMask::Sequence;
    if (specialSize == 16) {
        // hash, GiST and SP-GiST keep a page id in the special space's last two bytes
        const std::uint16_t pageId = readLe16(page.data() + kPageSize - 2);
        if (pageId >= 0xFF80 && pageId <= 0xFF84)
            return PageMask::None;
        return PageMask::Btree;
    }
    return PageMask::None;
}

const char *pageMaskName(PageMask m)
{
    switch (m) {
    case PageMask::Heap: return "heap";
    case PageMask::Btree: return "btree";
    case PageMask::Sequence: return "sequence";
    case PageMask::None: break;
    }
    return "none";
}

namespace {
void maskLsnAndChecksum(PageEdit &p)
{
    p.setLsn(0);
    writeLe16(p.data() + 8, 0);
}

void maskHintBits(PageEdit &p)
{
    p.setPruneXid(0);
    p.setFlags(p.flags() & ~(kPdPageFull | kPdHasFreeLines | kPdAllVisible));
}

Status maskUnusedSpace(PageEdit &p)
{
    const int lower = p.lower(), upper = p.upper(), special = p.special();
    if (lower > upper || special < upper || lower < int(kPageHeaderSize) || special > int(kPageSize))
        return makeError(12,
                         "pd_lower <= pd_upper <= pd_special <= 8192",
                         fmt::format("invalid page pd_lower {} pd_upper {} pd_special {}",
                                     lower,
                                     upper,
                                     special));
    std::memset(p.data() + lower, 0, std::size_t(upper - lower));
    return Ok{};
}

void maskLpFlags(PageEdit &p)
{
    for (std::uint16_t off = 1; off <= p.maxOffset(); ++off) {
        ItemId id = p.itemId(off);
        if (id.used()) {
            id.state = LpState::Unused;
            p.setItemId(off, id);
        }
    }
}

void maskHeapItems(PageEdit &p, std::uint32_t blkno)
{
    using namespace heap;
    for (std::uint16_t off = 1; off <= p.maxOffset(); ++off) {
        const ItemId id = p.itemId(off);
        std::uint8_t *item = p.data() + id.off;
        if (id.state == LpState::Normal && std::size_t(id.off) + kTupleHeaderLen <= kPageSize) {
            TupleHeader h(std::span<std::uint8_t>(item, kTupleHeaderLen));
            std::uint16_t m = h.infomask();
            if ((m & kXminFrozen) != kXminFrozen)
                m &= std::uint16_t(~kXactMask);
            else
                m &= std::uint16_t(~(kXmaxInvalid | kXmaxCommitted));
            h.setInfomask(m);
            h.setCid(0);
            if (h.ctidOffset() == kSpecTokenOffset)
                h.setCtid(blkno, off);
        }
        if (id.hasStorage()) {
            const std::size_t pad = maxAlign(id.len) - id.len;
            if (pad && std::size_t(id.off) + id.len + pad <= kPageSize)
                std::memset(item + id.len, 0, pad);
        }
    }
}
} // namespace

Status maskPage(PageMask mask, std::span<std::uint8_t> page, std::uint32_t blkno)
{
    if (page.size() != kPageSize)
        return makeError(0, "an 8192-byte page", fmt::format("{} bytes", page.size()));
    if (mask == PageMask::None)
        return Ok{};
    try {
        PageEdit p(page);
        maskLsnAndChecksum(p);
        if (mask != PageMask::Sequence)
            maskHintBits(p);
        if (auto st = maskUnusedSpace(p); !st)
            return st;
        if (mask == PageMask::Heap)
            maskHeapItems(p, blkno);
        if (mask == PageMask::Btree) {
            const auto sp = p.specialSpace();
            if (sp.size() < 16)
                return makeError(16,
                                 "a btree special space of 16 bytes",
                                 fmt::format("{} bytes", sp.size()));
            std::uint16_t flags = readLe16(sp.data() + 12);
            if (flags & 0x0001) // BTP_LEAF
                maskLpFlags(p);
            flags &= std::uint16_t(~(0x0040 | 0x0020)); // BTP_HAS_GARBAGE, BTP_SPLIT_END
            writeLe16(sp.data() + 12, flags);
            writeLe16(sp.data() + 14, 0); // btpo_cycleid
        }
    } catch (const RedoFault &f) {
        return makeError(0, "a page whose line pointers lie in it", f.what);
    }
    return Ok{};
}

std::string firstPageDifference(Bytes a, Bytes b, std::size_t *at)
{
    const std::size_t n = std::min(a.size(), b.size());
    if (a.size() == b.size() && std::memcmp(a.data(), b.data(), n) == 0)
        return {};
    std::size_t i = 0;
    while (i < n && a[i] == b[i])
        ++i;
    if (i == n && a.size() == b.size())
        return {};
    if (at)
        *at = i;
    if (i >= n)
        return fmt::format("length ({} and {} bytes)", a.size(), b.size());
    for (const ByteField &f : kPageHeaderFields)
        if (i >= f.offset && i < f.offset + f.length)
            return std::string(f.name);
    const auto h = parsePageHeader(a);
    if (h && i < h->lower && i >= kPageHeaderSize)
        return fmt::format("line pointer {}", (i - kPageHeaderSize) / kItemIdSize + 1);
    if (h && i >= h->special && h->special >= kPageHeaderSize)
        return fmt::format("special space byte {}", i - h->special);
    if (h) {
        const auto lps = linePointers(a, 2048);
        for (std::size_t k = 0; k < lps.size(); ++k) {
            const LinePointer &lp = lps[k];
            if (lp.length && i >= lp.offset && i < std::size_t(lp.offset) + lp.length) {
                const std::size_t rel = i - lp.offset;
                static const std::pair<std::size_t, const char *> heapFields[] = {{0, "t_xmin"},
                                                                                  {4, "t_xmax"},
                                                                                  {8, "t_cid"},
                                                                                  {12, "t_ctid"},
                                                                                  {18,
                                                                                   "t_infomask2"},
                                                                                  {20, "t_infomask"},
                                                                                  {22, "t_hoff"},
                                                                                  {23, "data"}};
                const char *field = "data";
                if (h->special == kPageSize)
                    for (const auto &[from, name] : heapFields)
                        if (rel >= from)
                            field = name;
                return fmt::format("item {} at byte {} of {} ({})", k + 1, rel, lp.length, field);
            }
        }
    }
    return fmt::format("byte {}", i);
}

} // namespace layerscope
