// Heap and Heap2 records (Postgres 15's heapam redo), one block at a time.

#include "record_view.h"

#include <layerscope/redo/heap_tuple.h>

#include <array>
#include <vector>

namespace layerscope::redo {

namespace {
using namespace heap;

constexpr std::uint8_t kInitPage = 0x80;  // XLOG_HEAP_INIT_PAGE
constexpr std::size_t kHeapHeaderLen = 5; // xl_heap_header: infomask2, infomask, hoff
constexpr std::size_t kMaxHeapTupleSize = 8192 - 24 - 4; // BLCKSZ - MAXALIGN(header + lp)

// TransactionIdPrecedes: modulo 2^32 for normal xids, plain order for the special ones.
bool xidPrecedes(std::uint32_t a, std::uint32_t b)
{
    if (a < 3 || b < 3)
        return a < b;
    return std::int32_t(a - b) < 0;
}

void setPrunable(PageEdit &page, std::uint32_t xid)
{
    if (page.pruneXid() == 0 || xidPrecedes(xid, page.pruneXid()))
        page.setPruneXid(xid);
}

// fix_infomask_from_infobits, with the bits every xmax-changing record clears first.
void setXmaxBits(TupleHeader &t, std::uint8_t infobits)
{
    std::uint16_t m = t.infomask();
    std::uint16_t m2 = t.infomask2();
    m &= std::uint16_t(~(kXmaxBits | kMoved));
    m2 &= std::uint16_t(~kKeysUpdated);
    if (infobits & 0x01)
        m |= kXmaxIsMulti;
    if (infobits & 0x02)
        m |= kXmaxLockOnly;
    if (infobits & 0x04)
        m |= kXmaxExclLock;
    if (infobits & 0x08)
        m |= kXmaxKeyshrLock;
    if (infobits & 0x10)
        m2 |= kKeysUpdated;
    t.setInfomask(m);
    t.setInfomask2(m2);
}

// A tuple rebuilt from an xl_heap_header and its data: the 23-byte header zeroed, then the
// bitmap and data the record carries.
struct NewTuple
{
    NewTuple() { std::memset(buf.data(), 0, kTupleHeaderLen); }
    std::array<std::uint8_t, kMaxHeapTupleSize> buf; // the header zeroed, the rest appended
    std::size_t len = kTupleHeaderLen;
    void append(Bytes b)
    {
        if (b.size() > buf.size() - len)
            fault(fmt::format("a tuple of more than {} bytes", kMaxHeapTupleSize));
        std::memcpy(buf.data() + len, b.data(), b.size());
        len += b.size();
    }
    TupleHeader header() { return TupleHeader(std::span<std::uint8_t>(buf.data(), len)); }
    Bytes bytes() const { return Bytes(buf.data(), len); }
};

void finishNewTuple(NewTuple &t,
                    std::uint16_t infomask2,
                    std::uint16_t infomask,
                    std::uint8_t hoff,
                    std::uint32_t xmin,
                    std::uint32_t blk,
                    std::uint16_t off)
{
    TupleHeader h = t.header();
    h.setInfomask2(infomask2);
    h.setInfomask(infomask);
    h.setHoff(hoff);
    h.setXmin(xmin);
    h.setCid(0); // HeapTupleHeaderSetCmin(FirstCommandId): t_cid, without HEAP_COMBOCID
    h.setInfomask(std::uint16_t(h.infomask() & ~kComboCid));
    h.setCtid(blk, off);
}

// heap_xlog_insert
void insert(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_heap_insert");
    const std::uint16_t offnum = x.u16(0);
    const std::uint8_t flags = x.u8(2);
    if (r.d.header.info & kInitPage) {
        initForRedo(r, t);
        PageEdit(t.page).init(0);
    } else if (readForRedo(r, t) != BlockAction::NeedsRedo) {
        return;
    }
    PageEdit page(t.page);
    if (page.maxOffset() + 1 < offnum)
        fault("invalid max offset number");
    const Fields data(r.blockData(t.ref), "the inserted tuple");
    if (data.size() <= kHeapHeaderLen)
        fault("an inserted tuple without data");
    NewTuple tup;
    tup.append(data.from(kHeapHeaderLen));
    finishNewTuple(tup, data.u16(0), data.u16(2), data.u8(4), r.xid(), t.ref.blockNumber, offnum);
    page.addItem(tup.bytes(), offnum, true, true);
    page.setLsn(r.lsn);
    if (flags & 0x01) // XLH_INSERT_ALL_VISIBLE_CLEARED
        page.setFlags(page.flags() & ~kPdAllVisible);
}

// heap_xlog_multi_insert
void multiInsert(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_heap_multi_insert");
    const std::uint8_t flags = x.u8(0);
    const std::uint16_t ntuples = x.u16(2);
    const bool isInit = r.d.header.info & kInitPage;
    if (!isInit)
        x.need(4 + 2u * ntuples);
    if (isInit) {
        initForRedo(r, t);
        PageEdit(t.page).init(0);
    } else if (readForRedo(r, t) != BlockAction::NeedsRedo) {
        return;
    }
    PageEdit page(t.page);
    const Fields data(r.blockData(t.ref), "the inserted tuples");
    std::size_t at = 0;
    for (std::uint16_t i = 0; i < ntuples; ++i) {
        std::uint16_t offnum = isInit ? std::uint16_t(1 + i) : x.u16(4 + 2u * i);
        if (page.maxOffset() + 1 < offnum)
            fault("invalid max offset number");
        at = (at + 1) & ~std::size_t(1); // SHORTALIGN (block data starts MAXALIGNed)
        const std::uint16_t datalen = data.u16(at);
        NewTuple tup;
        tup.append(data.sub(at + 7, datalen));
        finishNewTuple(tup,
                       data.u16(at + 2),
                       data.u16(at + 4),
                       data.u8(at + 6),
                       r.xid(),
                       t.ref.blockNumber,
                       offnum);
        at += 7 + datalen;
        page.addItem(tup.bytes(), offnum, true, true);
    }
    if (at != data.size())
        fault("total tuple length mismatch");
    page.setLsn(r.lsn);
    if (flags & 0x01)
        page.setFlags(page.flags() & ~kPdAllVisible);
    if (flags & 0x20) // XLH_INSERT_ALL_FROZEN_SET
        page.setFlags(page.flags() | kPdAllVisible);
}

// heap_xlog_delete
void remove(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_heap_delete");
    const std::uint32_t xmax = x.u32(0);
    const std::uint16_t offnum = x.u16(4);
    const std::uint8_t infobits = x.u8(6), flags = x.u8(7);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    TupleHeader h(page.normalItem(offnum));
    setXmaxBits(h, infobits);
    h.setInfomask2(std::uint16_t(h.infomask2() & ~kHotUpdated));
    if (!(flags & 0x08)) // XLH_DELETE_IS_SUPER
        h.setXmax(xmax);
    else
        h.setXmin(0);
    h.setCid(0);
    h.setInfomask(std::uint16_t(h.infomask() & ~kComboCid));
    setPrunable(page, r.xid());
    if (flags & 0x01)
        page.setFlags(page.flags() & ~kPdAllVisible);
    if (flags & 0x10) // XLH_DELETE_IS_PARTITION_MOVE
        h.setCtid(0xFFFFFFFF, 0xFFFD);
    else
        h.setCtid(t.ref.blockNumber, offnum);
    page.setLsn(r.lsn);
}

// heap_xlog_update: block 0 is the new tuple's page, block 1 the old one's when they differ.
// Only the target block's half is replayed; a same-page update replays both halves.
void update(const RecordView &r, Target &t, bool hot)
{
    const Fields x(r.mainData(), "xl_heap_update");
    const std::uint32_t oldXmax = x.u32(0);
    const std::uint16_t oldOff = x.u16(4);
    const std::uint8_t oldInfobits = x.u8(6), flags = x.u8(7);
    const std::uint32_t newXmax = x.u32(8);
    const std::uint16_t newOff = x.u16(12);
    const XLogBlockRef *newRef = r.block(0);
    const XLogBlockRef *oldRef = r.block(1);
    if (!newRef)
        fault("an update without block 0 (the new tuple's page)");
    const bool samePage = !oldRef;
    const bool targetOld = t.ref.id == 1 || samePage;
    const bool targetNew = t.ref.id == 0;
    const std::uint32_t newBlk = newRef->blockNumber;

    BlockAction action = BlockAction::Done;
    std::vector<std::uint8_t> oldTuple; // the old tuple as it is after its half, same page only
    if (targetOld) {
        action = readForRedo(r, t);
        if (action == BlockAction::NeedsRedo) {
            PageEdit page(t.page);
            const auto item = page.normalItem(oldOff);
            TupleHeader h(item);
            setXmaxBits(h, oldInfobits);
            const std::uint16_t m2 = h.infomask2();
            h.setInfomask2(hot ? std::uint16_t(m2 | kHotUpdated) : std::uint16_t(m2 & ~kHotUpdated));
            h.setXmax(oldXmax);
            h.setCid(0);
            h.setInfomask(std::uint16_t(h.infomask() & ~kComboCid));
            h.setCtid(newBlk, newOff);
            setPrunable(page, r.xid());
            if (flags & 0x01) // XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED
                page.setFlags(page.flags() & ~kPdAllVisible);
            page.setLsn(r.lsn);
            if (samePage)
                oldTuple.assign(item.begin(), item.end());
        }
    }
    if (!targetNew)
        return;
    if (!samePage) {
        if (r.d.header.info & kInitPage) {
            initForRedo(r, t);
            PageEdit(t.page).init(0);
            action = BlockAction::NeedsRedo;
        } else {
            action = readForRedo(r, t);
        }
    }
    if (action != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    if (page.maxOffset() + 1 < newOff)
        fault("invalid max offset number");
    const Fields data(r.blockData(*newRef), "the new tuple");
    std::size_t at = 0;
    std::uint16_t prefix = 0, suffix = 0;
    if (flags & 0x20) { // XLH_UPDATE_PREFIX_FROM_OLD
        prefix = data.u16(at);
        at += 2;
    }
    if (flags & 0x40) { // XLH_UPDATE_SUFFIX_FROM_OLD
        suffix = data.u16(at);
        at += 2;
    }
    if ((prefix || suffix) && !samePage)
        fault("an update that takes a prefix or suffix from an old tuple on another page");
    const std::uint16_t infomask2 = data.u16(at), infomask = data.u16(at + 2);
    const std::uint8_t hoff = data.u8(at + 4);
    at += kHeapHeaderLen;
    const Bytes rest = data.from(at);
    if (prefix + suffix > 0) {
        if (oldTuple.size() < kTupleHeaderLen)
            fault("the old tuple is gone");
        const std::size_t oldHoff = oldTuple[22];
        if (oldHoff + prefix > oldTuple.size() || suffix > oldTuple.size())
            fault("a prefix or suffix longer than the old tuple");
    }
    NewTuple tup;
    if (prefix > 0) {
        if (hoff < kTupleHeaderLen || std::size_t(hoff - kTupleHeaderLen) > rest.size())
            fault(fmt::format("a tuple header of {} bytes", hoff));
        const std::size_t bitmap = hoff - kTupleHeaderLen;
        tup.append(rest.first(bitmap));
        tup.append(Bytes(oldTuple.data() + oldTuple[22], prefix));
        tup.append(rest.subspan(bitmap));
    } else {
        tup.append(rest);
    }
    if (suffix > 0)
        tup.append(Bytes(oldTuple.data() + oldTuple.size() - suffix, suffix));
    finishNewTuple(tup, infomask2, infomask, hoff, r.xid(), newBlk, newOff);
    tup.header().setXmax(newXmax);
    page.addItem(tup.bytes(), newOff, true, true);
    if (flags & 0x02) // XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED
        page.setFlags(page.flags() & ~kPdAllVisible);
    page.setLsn(r.lsn);
}

// heap_xlog_confirm
void confirm(const RecordView &r, Target &t)
{
    const std::uint16_t offnum = Fields(r.mainData(), "xl_heap_confirm").u16(0);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    TupleHeader(page.normalItem(offnum)).setCtid(t.ref.blockNumber, offnum);
    page.setLsn(r.lsn);
}

// heap_xlog_lock and heap_xlog_lock_updated
void lock(const RecordView &r, Target &t, bool updated)
{
    const Fields x(r.mainData(), updated ? "xl_heap_lock_updated" : "xl_heap_lock");
    const std::uint32_t xmax = x.u32(0);
    const std::uint16_t offnum = x.u16(4);
    const std::uint8_t infobits = x.u8(6);
    x.need(8);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    TupleHeader h(page.normalItem(offnum));
    setXmaxBits(h, infobits);
    if (!updated) {
        const std::uint16_t m = h.infomask();
        const bool lockedOnly = (m & kXmaxLockOnly)
                                || (m & (kXmaxIsMulti | kXmaxExclLock | kXmaxKeyshrLock))
                                       == kXmaxExclLock;
        if (lockedOnly) {
            h.setInfomask2(std::uint16_t(h.infomask2() & ~kHotUpdated));
            h.setCtid(t.ref.blockNumber, offnum);
        }
    }
    h.setXmax(xmax);
    if (!updated) {
        h.setCid(0);
        h.setInfomask(std::uint16_t(h.infomask() & ~kComboCid));
    }
    page.setLsn(r.lsn);
}

// heap_xlog_inplace
void inplace(const RecordView &r, Target &t)
{
    const std::uint16_t offnum = Fields(r.mainData(), "xl_heap_inplace").u16(0);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const auto item = page.normalItem(offnum);
    TupleHeader h(item);
    const Bytes data = r.blockData(t.ref);
    if (h.hoff() > item.size() || item.size() - h.hoff() != data.size())
        fault(fmt::format("wrong tuple length: {} bytes for a tuple of {}",
                          data.size(),
                          item.size() - std::min<std::size_t>(h.hoff(), item.size())));
    std::memcpy(item.data() + h.hoff(), data.data(), data.size());
    page.setLsn(r.lsn);
}

// A line pointer a prune or vacuum record names: one the page has, or a fault.
std::uint16_t existingLinePointer(const PageEdit &page, std::uint16_t off, const char *what)
{
    if (off == 0 || off > page.maxOffset())
        fault(
            fmt::format("{} line pointer {} is beyond the page's {}", what, off, page.maxOffset()));
    return off;
}

// heap_xlog_prune
void prune(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_heap_prune");
    const std::uint16_t nredirected = x.u16(4), ndead = x.u16(6);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields offs(r.blockData(t.ref), "the pruned offsets");
    if (offs.size() % 2 || offs.size() / 2 < 2u * nredirected + ndead)
        fault("pruned offsets shorter than their counts");
    const std::size_t n = offs.size() / 2;
    std::size_t i = 0;
    auto checked = [&](std::uint16_t off) { return existingLinePointer(page, off, "pruned"); };
    for (std::uint16_t k = 0; k < nredirected; ++k, i += 2)
        page.setItemId(checked(offs.u16(2 * i)),
                       ItemId{checked(offs.u16(2 * i + 2)), LpState::Redirect, 0});
    for (std::uint16_t k = 0; k < ndead; ++k, ++i)
        page.setItemId(checked(offs.u16(2 * i)), ItemId{0, LpState::Dead, 0});
    for (; i < n; ++i)
        page.setItemId(checked(offs.u16(2 * i)), ItemId{});
    page.repairFragmentation();
    page.setLsn(r.lsn);
}

// heap_xlog_vacuum
void vacuum(const RecordView &r, Target &t)
{
    const std::uint16_t nunused = Fields(r.mainData(), "xl_heap_vacuum").u16(0);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields offs(r.blockData(t.ref), "the vacuumed offsets");
    for (std::uint16_t i = 0; i < nunused; ++i) {
        page.setItemId(existingLinePointer(page, offs.u16(2u * i), "vacuumed"), ItemId{});
    }
    page.truncateLinePointerArray();
    page.setLsn(r.lsn);
}

// heap_execute_freeze_tuple: a tuple's xmax, xvac and infomasks as the freeze plan says.
void executeFreeze(PageEdit &page,
                   std::uint16_t offnum,
                   std::uint32_t xmax,
                   std::uint16_t infomask2,
                   std::uint16_t infomask,
                   std::uint8_t frzflags)
{
    TupleHeader h(page.item(offnum));
    h.setXmax(xmax);
    if (frzflags & 0x02) // XLH_FREEZE_XVAC
        h.setCid(2);     // FrozenTransactionId in t_xvac
    if (frzflags & 0x04) // XLH_INVALID_XVAC
        h.setCid(0);
    h.setInfomask(infomask);
    h.setInfomask2(infomask2);
}

// Freeze plans at `at` (16's xl_heap_freeze_plan, 17's xlhp_freeze_plan: xmax, infomask2,
// infomask, frzflags, ntuples; 12 bytes each), and the offsets of every plan's tuples, in plan
// order, at `offsetAt`.
void executeFreezePlans(
    PageEdit &page, const Fields &data, std::size_t at, std::size_t nplans, std::size_t offsetAt)
{
    for (std::size_t p = 0; p < nplans; ++p, at += 12) {
        for (std::uint16_t i = 0, n = data.u16(at + 10); i < n; ++i, offsetAt += 2)
            executeFreeze(page,
                          data.u16(offsetAt),
                          data.u32(at),
                          data.u16(at + 4),
                          data.u16(at + 6),
                          data.u8(at + 8));
    }
}

// heap_xlog_freeze_page: one xl_heap_freeze_tuple per tuple up to 15, deduplicated plans in 16.
void freezePage(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_heap_freeze_page");
    const std::uint16_t n = x.u16(4); // ntuples (15), nplans (16)
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields data(r.blockData(t.ref), "the freeze plans");
    if (r.pgVersion >= 16) {
        executeFreezePlans(page, data, 0, n, 12u * n);
    } else {
        for (std::uint16_t i = 0; i < n; ++i) {
            const std::size_t at = 12u * i; // sizeof(xl_heap_freeze_tuple)
            executeFreeze(page,
                          data.u16(at + 4),
                          data.u32(at),
                          data.u16(at + 6),
                          data.u16(at + 8),
                          data.u8(at + 10));
        }
    }
    page.setLsn(r.lsn);
}

// Postgres 17's heap_xlog_prune_freeze (PRUNE_ON_ACCESS, PRUNE_VACUUM_SCAN and _CLEANUP): the
// flags say which sub-records the block data holds (freeze plans, redirections, dead and now
// unused items); without a cleanup lock only the line pointer array is truncated.
void pruneFreeze(const RecordView &r, Target &t)
{
    // xl_heap_prune in 17: a reason byte, then the flags.
    const std::uint8_t flags = Fields(r.mainData(), "xl_heap_prune").u8(1);
    constexpr std::uint8_t kCleanupLock = 1 << 2, kFreezePlans = 1 << 4, kRedirections = 1 << 5,
                           kDead = 1 << 6, kUnused = 1 << 7;
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields data(r.blockData(t.ref), "the prune and freeze sub-records");
    std::size_t at = 0, nplans = 0, plansAt = 0;
    if (flags & kFreezePlans) {
        nplans = data.u16(0);
        plansAt = 4; // offsetof(xlhp_freeze_plans, plans)
        at = plansAt + 12 * nplans;
    }
    auto items = [&](std::uint8_t flag, std::size_t per) -> std::pair<std::size_t, std::size_t> {
        if (!(flags & flag))
            return {0, 0};
        const std::size_t n = data.u16(at), from = at + 2;
        at = from + 2 * per * n;
        data.need(at);
        return {n, from};
    };
    const auto [nredirected, redirectedAt] = items(kRedirections, 2);
    const auto [ndead, deadAt] = items(kDead, 1);
    const auto [nunused, unusedAt] = items(kUnused, 1);
    auto checked = [&](std::uint16_t off) { return existingLinePointer(page, off, "pruned"); };
    if (nredirected || ndead || nunused) {
        for (std::size_t k = 0; k < nredirected; ++k)
            page.setItemId(checked(data.u16(redirectedAt + 4 * k)),
                           ItemId{checked(data.u16(redirectedAt + 4 * k + 2)),
                                  LpState::Redirect,
                                  0});
        for (std::size_t k = 0; k < ndead; ++k)
            page.setItemId(checked(data.u16(deadAt + 2 * k)), ItemId{0, LpState::Dead, 0});
        for (std::size_t k = 0; k < nunused; ++k)
            page.setItemId(checked(data.u16(unusedAt + 2 * k)), ItemId{});
        if (flags & kCleanupLock)
            page.repairFragmentation();
        else
            page.truncateLinePointerArray();
    }
    std::size_t frozen = 0;
    for (std::size_t p = 0; p < nplans; ++p)
        frozen += data.u16(plansAt + 12 * p + 10);
    if (at + 2 * frozen != data.size())
        fault(fmt::format("the prune and freeze sub-records take {} bytes of the block's {}",
                          at + 2 * frozen,
                          data.size()));
    executeFreezePlans(page, data, plansAt, nplans, at); // the offsets follow the items
    page.setLsn(r.lsn);
}

// heap_xlog_visible: block 0 is the visibility-map page, block 1 the heap page.
void visible(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_heap_visible");
    const std::uint8_t flags = x.u8(4);
    if (t.ref.id == 1) {
        if (readForRedo(r, t) == BlockAction::NeedsRedo) {
            PageEdit page(t.page);
            page.setFlags(page.flags() | kPdAllVisible);
            page.setLsn(r.lsn); // XLogHintBitIsNeeded: Neon's clusters checksum their pages
        }
        return;
    }
    const XLogBlockRef *heapRef = r.block(1);
    if (!heapRef)
        fault("a visibility record without its heap block (block 1)");
    if (readForRedo(r, t, true) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    if (page.isNew())
        page.init(0);
    if (r.lsn <= page.lsn())
        return;
    constexpr std::uint32_t kHeapBlocksPerPage = (8192 - 24) * 4;
    const std::uint32_t heapBlk = heapRef->blockNumber;
    const std::size_t mapByte = 24 + (heapBlk % kHeapBlocksPerPage) / 4;
    const unsigned shift = (heapBlk % 4) * 2;
    std::uint8_t &map = page.data()[mapByte];
    if ((flags & 3) != ((map >> shift) & 3)) {
        map = std::uint8_t(map | ((flags & 3) << shift));
        page.setLsn(r.lsn);
    }
}
} // namespace

void heapRedo(const RecordView &r, Target &t)
{
    switch (r.info() & 0x70) {
    case 0x00: return insert(r, t);
    case 0x10: return remove(r, t);
    case 0x20: return update(r, t, false);
    case 0x40: return update(r, t, true);
    case 0x50: return confirm(r, t);
    case 0x60: return lock(r, t, false);
    case 0x70: return inplace(r, t);
    default: fault("Heap TRUNCATE changes no page");
    }
}

void heap2Redo(const RecordView &r, Target &t)
{
    const std::uint8_t op = r.info() & 0x70;
    if (op >= 0x10 && op <= 0x30) {
        // The formats of these differ between versions, and so do their main data's sizes:
        // a record read as another version's is refused here, never replayed wrong.
        std::size_t want = 0;
        if (r.pgVersion >= 17) {
            const std::uint8_t flags = Fields(r.mainData(), "xl_heap_prune").u8(1);
            want = 2 + ((flags & (1 << 3)) ? 4 : 0); // XLHP_HAS_CONFLICT_HORIZON: its xid
        } else {
            static constexpr std::size_t sizes[2][3] = {{8, 2, 6}, {9, 2, 7}}; // <= 15, 16
            want = sizes[r.pgVersion >= 16][op / 0x10 - 1];
        }
        if (r.mainData().size() != want)
            fault(fmt::format("its main data has {} bytes where Postgres {} writes {}: it is not "
                              "a record of Postgres {}",
                              r.mainData().size(),
                              r.pgVersion,
                              want,
                              r.pgVersion));
    }
    if (r.pgVersion >= 17 && op >= 0x10 && op <= 0x30)
        return pruneFreeze(r, t);
    switch (op) {
    case 0x10: return prune(r, t);
    case 0x20: return vacuum(r, t);
    case 0x30: return freezePage(r, t);
    case 0x40: return visible(r, t);
    case 0x50: return multiInsert(r, t);
    case 0x60: return lock(r, t, true);
    default: fault("this Heap2 record (REWRITE, NEW_CID) changes no page");
    }
}

} // namespace layerscope::redo
