#include <layerscope/redo/page_edit.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace layerscope::redo {

void fault(std::string what)
{
    throw RedoFault{std::move(what)};
}

PageEdit::PageEdit(std::span<std::uint8_t> page)
    : m_p(page.data())
{
    if (page.size() != kPageSize)
        fault(fmt::format("a page of {} bytes, not {}", page.size(), kPageSize));
}

std::uint64_t PageEdit::lsn() const
{
    return (std::uint64_t(readLe32(m_p)) << 32) | readLe32(m_p + 4);
}

void PageEdit::setLsn(std::uint64_t lsn)
{
    writeLe32(m_p, std::uint32_t(lsn >> 32));
    writeLe32(m_p + 4, std::uint32_t(lsn));
}

void PageEdit::init(std::size_t specialSize)
{
    specialSize = maxAlign(specialSize);
    std::memset(m_p, 0, kPageSize);
    setLower(std::uint16_t(kPageHeaderSize));
    setUpper(std::uint16_t(kPageSize - specialSize));
    writeLe16(m_p + 16, std::uint16_t(kPageSize - specialSize));
    writeLe16(m_p + 18, std::uint16_t(kPageSize | 4)); // size and layout version 4
}

std::uint16_t PageEdit::maxOffset() const
{
    const std::uint16_t lo = lower();
    return lo <= kPageHeaderSize ? 0 : std::uint16_t((lo - kPageHeaderSize) / kItemIdSize);
}

void PageEdit::outsidePage(std::uint16_t offnum)
{
    fault(fmt::format("line pointer {} lies outside the page", offnum));
}

std::span<std::uint8_t> PageEdit::item(std::uint16_t offnum)
{
    const ItemId id = itemId(offnum);
    if (std::size_t(id.off) + id.len > kPageSize || id.off < kPageHeaderSize)
        fault(
            fmt::format("item {} at {} of {} bytes lies outside the page", offnum, id.off, id.len));
    return {m_p + id.off, id.len};
}

std::span<std::uint8_t> PageEdit::normalItem(std::uint16_t offnum)
{
    if (offnum == 0 || offnum > maxOffset() || itemId(offnum).state != LpState::Normal)
        fault(fmt::format("invalid lp: no normal line pointer {} (the page has {})",
                          offnum,
                          maxOffset()));
    return item(offnum);
}

std::span<std::uint8_t> PageEdit::specialSpace()
{
    const std::uint16_t sp = special();
    if (sp > kPageSize || sp < kPageHeaderSize)
        fault(fmt::format("pd_special {} lies outside the page", sp));
    return {m_p + sp, kPageSize - sp};
}

void PageEdit::checkBounds(const char *what) const
{
    if (lower() < kPageHeaderSize || lower() > upper() || upper() > special()
        || special() > kPageSize || special() != maxAlign(special()))
        fault(fmt::format("{}: corrupted page pointers: lower = {}, upper = {}, special = {}",
                          what,
                          lower(),
                          upper(),
                          special()));
}

std::uint16_t PageEdit::addItem(Bytes item, std::uint16_t offnum, bool overwrite, bool isHeap)
{
    checkBounds("failed to add item");
    const std::uint16_t limit = std::uint16_t(maxOffset() + 1);
    bool shuffle = false;
    if (offnum != 0) {
        if (overwrite) {
            if (offnum < limit) {
                const ItemId id = itemId(offnum);
                if (id.used() || id.hasStorage())
                    fault(fmt::format("failed to add item: line pointer {} is in use", offnum));
            }
        } else if (offnum < limit) {
            shuffle = true;
        }
    } else if (flags() & kPdHasFreeLines) {
        for (offnum = 1; offnum < limit; ++offnum) {
            const ItemId id = itemId(offnum);
            if (!id.used() && !id.hasStorage())
                break;
        }
        if (offnum >= limit)
            setFlags(flags() & ~kPdHasFreeLines);
    } else {
        offnum = limit;
    }
    if (offnum > limit)
        fault(fmt::format("failed to add item at offset {}: the page has {} line pointers",
                          offnum,
                          limit - 1));
    if (isHeap && offnum > kMaxHeapTuplesPerPage)
        fault(fmt::format("failed to add tuple at offset {}: more than {} on a heap page",
                          offnum,
                          kMaxHeapTuplesPerPage));
    const int newLower = (offnum == limit || shuffle) ? lower() + int(kItemIdSize) : lower();
    const std::size_t aligned = maxAlign(item.size());
    const int newUpper = int(upper()) - int(aligned);
    if (newLower > newUpper || item.size() > 0x7FFF)
        fault(fmt::format("failed to add an item of {} bytes: {} bytes free",
                          item.size(),
                          std::max(0, int(upper()) - int(lower()))));
    std::uint8_t *lp = m_p + kPageHeaderSize + (offnum - 1u) * kItemIdSize;
    if (shuffle)
        std::memmove(lp + kItemIdSize, lp, (limit - offnum) * kItemIdSize);
    setItemId(offnum, ItemId{std::uint16_t(newUpper), LpState::Normal, std::uint16_t(item.size())});
    std::memcpy(m_p + newUpper, item.data(), item.size());
    setLower(std::uint16_t(newLower));
    setUpper(std::uint16_t(newUpper));
    return offnum;
}

namespace {
struct Compact
{
    std::uint16_t index; // line pointer index (0-based) to update
    std::uint16_t itemOff;
    std::uint16_t alignedLen;
};

// compactify_tuples: the items are placed from pd_special down in the order given, each moved
// with its MAXALIGNed length (padding included); the result does not depend on Postgres's
// choice between its sorted and unsorted paths.
void compactify(PageEdit &page, const std::vector<Compact> &items)
{
    // Only the item area moves: it is copied aside (callers checked that every item lies in
    // [pd_upper, pd_special)).
    std::array<std::uint8_t, kPageSize> scratch;
    const std::size_t from = page.upper();
    std::memcpy(scratch.data() + from, page.data() + from, kPageSize - from);
    std::size_t upper = page.special();
    for (const Compact &c : items) {
        if (c.alignedLen > upper || c.itemOff < from
            || std::size_t(c.itemOff) + c.alignedLen > kPageSize)
            fault("corrupted item lengths while compacting the page");
        upper -= c.alignedLen;
        std::memcpy(page.data() + upper, scratch.data() + c.itemOff, c.alignedLen);
        ItemId id = page.itemId(std::uint16_t(c.index + 1));
        id.off = std::uint16_t(upper);
        page.setItemId(std::uint16_t(c.index + 1), id);
    }
    page.setUpper(std::uint16_t(upper));
}
} // namespace

void PageEdit::repairFragmentation()
{
    checkBounds("PageRepairFragmentation");
    const std::uint16_t nline = maxOffset();
    std::vector<Compact> items;
    items.reserve(nline);
    std::size_t total = 0;
    int unused = 0;
    std::uint16_t finalUsed = 0;
    for (std::uint16_t i = 1; i <= nline; ++i) {
        ItemId id = itemId(i);
        if (id.used()) {
            if (id.hasStorage()) {
                if (id.off < upper() || id.off >= special())
                    fault(fmt::format("corrupted line pointer {}: offset {}", i, id.off));
                items.push_back({std::uint16_t(i - 1), id.off, std::uint16_t(maxAlign(id.len))});
                total += maxAlign(id.len);
            }
            finalUsed = i;
        } else {
            setItemId(i, ItemId{});
            ++unused;
        }
    }
    if (items.empty())
        setUpper(special());
    else {
        if (total > std::size_t(special() - lower()))
            fault(fmt::format("corrupted item lengths: total {}, available space {}",
                              total,
                              special() - lower()));
        compactify(*this, items);
    }
    if (finalUsed != nline) {
        const int atEnd = nline - finalUsed;
        unused -= atEnd;
        setLower(std::uint16_t(lower() - kItemIdSize * atEnd));
    }
    setFlags(unused > 0 ? flags() | kPdHasFreeLines : flags() & ~kPdHasFreeLines);
}

void PageEdit::truncateLinePointerArray()
{
    bool countDone = false, setHint = false;
    int atEnd = 0;
    for (int i = maxOffset(); i >= 1; --i) {
        const ItemId id = itemId(std::uint16_t(i));
        if (!countDone && i > 1) {
            if (!id.used())
                ++atEnd;
            else
                countDone = true;
        } else if (!id.used()) {
            setHint = true;
            break;
        }
    }
    if (atEnd > 0)
        setLower(std::uint16_t(lower() - kItemIdSize * atEnd));
    setFlags(setHint ? flags() | kPdHasFreeLines : flags() & ~kPdHasFreeLines);
}

void PageEdit::checkIndexItem(std::uint16_t offnum, ItemId id) const
{
    if (id.off < upper() || std::size_t(id.off) + id.len > special() || id.off != maxAlign(id.off))
        fault(fmt::format("corrupted line pointer {}: offset = {}, size = {}",
                          offnum,
                          id.off,
                          id.len));
}

void PageEdit::indexTupleDelete(std::uint16_t offnum)
{
    checkBounds("PageIndexTupleDelete");
    const std::uint16_t nline = maxOffset();
    if (offnum == 0 || offnum > nline)
        fault(fmt::format("invalid index offnum: {}", offnum));
    const ItemId tup = itemId(offnum);
    const std::size_t offset = tup.off;
    checkIndexItem(offnum, tup);
    const std::size_t size = maxAlign(tup.len);
    std::uint8_t *lp = m_p + kPageHeaderSize + (offnum - 1u) * kItemIdSize;
    const std::size_t after = lower() - (kPageHeaderSize + std::size_t(offnum) * kItemIdSize);
    std::memmove(lp, lp + kItemIdSize, after);
    if (offset > upper())
        std::memmove(m_p + upper() + size, m_p + upper(), offset - upper());
    setUpper(std::uint16_t(upper() + size));
    setLower(std::uint16_t(lower() - kItemIdSize));
    if (lower() > kPageHeaderSize) { // !PageIsEmpty
        for (std::uint16_t i = 1; i <= nline - 1; ++i) {
            ItemId id = itemId(i);
            if (id.off <= offset) {
                id.off = std::uint16_t(id.off + size);
                setItemId(i, id);
            }
        }
    }
}

void PageEdit::indexMultiDelete(std::span<const std::uint16_t> offnums)
{
    if (offnums.size() <= 2) {
        for (std::size_t i = offnums.size(); i-- > 0;)
            indexTupleDelete(offnums[i]);
        return;
    }
    checkBounds("PageIndexMultiDelete");
    const std::uint16_t nline = maxOffset();
    std::vector<Compact> items;
    std::vector<ItemId> kept;
    std::size_t next = 0, total = 0;
    for (std::uint16_t off = 1; off <= nline; ++off) {
        const ItemId id = itemId(off);
        checkIndexItem(off, id);
        if (next < offnums.size() && off == offnums[next]) {
            ++next;
        } else {
            items.push_back({std::uint16_t(kept.size()), id.off, std::uint16_t(maxAlign(id.len))});
            total += maxAlign(id.len);
            kept.push_back(id);
        }
    }
    if (next != offnums.size())
        fault("incorrect index offsets supplied");
    if (total > std::size_t(special() - lower()))
        fault(fmt::format("corrupted item lengths: total {}, available space {}",
                          total,
                          special() - lower()));
    for (std::size_t i = 0; i < kept.size(); ++i)
        setItemId(std::uint16_t(i + 1), kept[i]);
    setLower(std::uint16_t(kPageHeaderSize + kept.size() * kItemIdSize));
    if (kept.empty())
        setUpper(special());
    else
        compactify(*this, items);
}

void PageEdit::indexTupleOverwrite(std::uint16_t offnum, Bytes item)
{
    checkBounds("PageIndexTupleOverwrite");
    const std::uint16_t count = maxOffset();
    if (offnum == 0 || offnum > count)
        fault(fmt::format("invalid index offnum: {}", offnum));
    ItemId tup = itemId(offnum);
    const std::size_t offset = tup.off;
    checkIndexItem(offnum, tup);
    const int oldSize = int(maxAlign(tup.len));
    const int newSize = int(maxAlign(item.size()));
    if (newSize > oldSize + (upper() - lower()))
        fault(fmt::format("failed to overwrite item {}: {} bytes do not fit", offnum, item.size()));
    const int diff = oldSize - newSize;
    if (diff != 0) {
        std::memmove(m_p + upper() + diff, m_p + upper(), offset - upper());
        setUpper(std::uint16_t(upper() + diff));
        for (std::uint16_t i = 1; i <= count; ++i) {
            ItemId id = itemId(i);
            if (id.hasStorage() && id.off <= offset) {
                id.off = std::uint16_t(id.off + diff);
                setItemId(i, id);
            }
        }
    }
    tup = itemId(offnum);
    tup.off = std::uint16_t(int(offset) + diff);
    tup.len = std::uint16_t(item.size());
    setItemId(offnum, tup);
    std::memcpy(m_p + tup.off, item.data(), item.size());
}

} // namespace layerscope::redo
