// Btree records (Postgres 15's nbtree redo, with its deduplication and posting-list rules), one
// block at a time.

#include "record_view.h"

#include <algorithm>
#include <vector>

namespace layerscope::redo {

namespace {
// BTPageOpaqueData at pd_special: prev, next, level (u32), flags, cycle id (u16).
constexpr std::size_t kOpaqueSize = 16;
constexpr std::uint16_t kLeaf = 0x0001, kRoot = 0x0002, kDeleted = 0x0004, kMeta = 0x0008,
                        kHalfDead = 0x0010, kHasGarbage = 0x0040, kIncompleteSplit = 0x0080,
                        kHasFullXid = 0x0100;
constexpr std::uint32_t kPNone = 0;
constexpr std::uint16_t kHikey = 1;
constexpr std::size_t kMaxPostingSize = 2704; // BTMaxItemSize for 8192-byte pages

// Index tuple: t_tid (block hi, block lo, offset: u16 each), t_info (u16).
constexpr std::uint16_t kSizeMask = 0x1FFF, kAltTid = 0x2000;
constexpr std::uint16_t kIsPosting = 0x2000, kOffsetMask = 0x0FFF;

struct Opaque
{
    std::uint8_t *p;
    std::uint32_t prev() const { return readLe32(p); }
    std::uint32_t next() const { return readLe32(p + 4); }
    std::uint16_t flags() const { return readLe16(p + 12); }
    void setPrev(std::uint32_t v) { writeLe32(p, v); }
    void setNext(std::uint32_t v) { writeLe32(p + 4, v); }
    void setLevel(std::uint32_t v) { writeLe32(p + 8, v); }
    void setFlags(std::uint16_t v) { writeLe16(p + 12, v); }
    void setCycle(std::uint16_t v) { writeLe16(p + 14, v); }
    bool rightmost() const { return next() == kPNone; }
    std::uint16_t firstDataKey() const { return rightmost() ? 1 : 2; }
};

Opaque opaque(PageEdit &page)
{
    const auto sp = page.specialSpace();
    if (sp.size() < kOpaqueSize)
        fault(fmt::format("a btree page whose special space has {} bytes, not {}",
                          sp.size(),
                          kOpaqueSize));
    return Opaque{sp.data()};
}

void pageInit(PageEdit &page)
{
    page.init(kOpaqueSize);
}

// XLogInitBufferForRedo, _bt_pageinit and the special space every rebuilt page gets.
PageEdit initBtreePage(const RecordView &r,
                       Target &t,
                       std::uint32_t prev,
                       std::uint32_t next,
                       std::uint32_t level,
                       std::uint16_t flags)
{
    initForRedo(r, t);
    PageEdit page(t.page);
    pageInit(page);
    Opaque o = opaque(page);
    o.setPrev(prev);
    o.setNext(next);
    o.setLevel(level);
    o.setFlags(flags);
    o.setCycle(0);
    return page;
}

// One index tuple, copied out of a page or a record.
struct ITuple
{
    std::vector<std::uint8_t> b;
    explicit ITuple(Bytes bytes)
        : b(bytes.begin(), bytes.end())
    {
        if (b.size() < 8)
            fault(fmt::format("an index tuple of {} bytes", b.size()));
    }
    std::uint16_t info() const { return readLe16(b.data() + 6); }
    void setInfo(std::uint16_t v) { writeLe16(b.data() + 6, v); }
    std::size_t size() const { return info() & kSizeMask; }
    std::uint32_t tidBlock() const
    {
        return (std::uint32_t(readLe16(b.data())) << 16) | readLe16(b.data() + 2);
    }
    std::uint16_t tidOffset() const { return readLe16(b.data() + 4); }
    void setTidBlock(std::uint32_t v)
    {
        writeLe16(b.data(), std::uint16_t(v >> 16));
        writeLe16(b.data() + 2, std::uint16_t(v));
    }
    void setTidOffset(std::uint16_t v) { writeLe16(b.data() + 4, v); }
    bool isPosting() const { return (info() & kAltTid) && (tidOffset() & kIsPosting); }
    std::size_t nPosting() const { return tidOffset() & kOffsetMask; }
    std::size_t postingOffset() const { return tidBlock(); }
    // The posting list's bytes (6 per heap TID), checked against the tuple.
    std::uint8_t *posting(std::size_t n = 0)
    {
        if (postingOffset() + nPosting() * 6 > b.size())
            fault("a posting list beyond its tuple");
        return b.data() + postingOffset() + n * 6;
    }
    Bytes bytes() const { return Bytes(b.data(), b.size()); }
};

// The tuple at `off` of a page, its length its line pointer's.
ITuple tupleAt(PageEdit &page, std::uint16_t off)
{
    return ITuple(page.item(off));
}

// _bt_form_posting: the key of `base` with `htids` (6 bytes each) as its heap TIDs.
ITuple formPosting(const ITuple &base, const std::vector<std::uint8_t> &htids)
{
    const std::size_t n = htids.size() / 6;
    const std::size_t keysize = base.isPosting() ? base.postingOffset() : base.size();
    const std::size_t newsize = n > 1 ? maxAlign(keysize + htids.size()) : keysize;
    if (keysize > base.b.size())
        fault("an index tuple shorter than its key");
    std::vector<std::uint8_t> out(std::max<std::size_t>(maxAlign(newsize), 8), 0);
    std::memcpy(out.data(), base.b.data(), keysize);
    ITuple t(Bytes(out.data(), out.size()));
    t.setInfo(std::uint16_t((t.info() & ~kSizeMask) | newsize));
    if (n > 1) {
        t.setInfo(t.info() | kAltTid);
        t.setTidOffset(std::uint16_t(n | kIsPosting));
        t.setTidBlock(std::uint32_t(keysize));
        std::memcpy(t.b.data() + keysize, htids.data(), htids.size());
    } else {
        t.setInfo(t.info() & ~kAltTid);
        std::memcpy(t.b.data(), htids.data(), 6);
    }
    return t;
}

// _bt_swap_posting: the posting list with `newitem`'s heap TID put in at `postingoff`, and
// `newitem` given the list's last TID.
ITuple swapPosting(ITuple &newitem, ITuple oposting, std::size_t postingoff)
{
    const std::size_t n = oposting.nPosting();
    if (!oposting.isPosting() || postingoff == 0 || postingoff >= n)
        fault(fmt::format("posting list tuple with {} items cannot be split at offset {}",
                          n,
                          postingoff));
    ITuple nposting = oposting;
    std::uint8_t *at = nposting.posting(postingoff);
    std::memmove(at + 6, at, (n - postingoff - 1) * 6);
    std::memcpy(at, newitem.b.data(), 6);
    std::memcpy(newitem.b.data(), oposting.posting(n - 1), 6);
    return nposting;
}

// The index tuples of a record's raw tuple area (MAXALIGNed, as a page stores them).
std::vector<Bytes> splitTuples(Bytes area)
{
    std::vector<Bytes> items;
    std::size_t at = 0;
    while (at < area.size()) {
        if (area.size() - at < 8)
            fault("an index tuple cut short in the record");
        const std::size_t sz = maxAlign(readLe16(area.data() + at + 6) & kSizeMask);
        if (sz == 0 || sz > area.size() - at)
            fault(fmt::format("an index tuple of {} bytes at {} of the record's {}",
                              sz,
                              at,
                              area.size()));
        items.push_back(area.subspan(at, sz));
        at += sz;
    }
    return items;
}

// _bt_restore_page: the items go back in reverse, so the page's layout is the original's.
void restorePage(PageEdit &page, Bytes area)
{
    const auto items = splitTuples(area);
    for (std::size_t i = items.size(); i-- > 0;)
        page.addItem(items[i], std::uint16_t(items.size() - i), false, false);
}

// PageGetTempPageCopySpecial: an empty page with the same special space.
std::vector<std::uint8_t> tempCopySpecial(PageEdit &page)
{
    std::vector<std::uint8_t> temp(kPageSize);
    PageEdit t(temp);
    const auto sp = page.specialSpace();
    t.init(sp.size());
    std::memcpy(temp.data() + kPageSize - sp.size(), sp.data(), sp.size());
    return temp;
}

void clearIncompleteSplit(const RecordView &r, Target &t)
{
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    Opaque o = opaque(page);
    o.setFlags(o.flags() & ~kIncompleteSplit);
    page.setLsn(r.lsn);
}

// _bt_restore_meta: the metapage rebuilt from the xl_btree_metadata in the block's data.
void restoreMeta(const RecordView &r, Target &t)
{
    const Fields md(r.blockData(t.ref), "xl_btree_metadata");
    md.need(25);
    PageEdit page = initBtreePage(r, t, kPNone, kPNone, 0, kMeta);
    std::uint8_t *m = page.data() + 24;
    writeLe32(m, 0x053162); // BTREE_MAGIC
    for (int i = 0; i < 5; ++i)
        writeLe32(m + 4 + 4 * i, md.u32(4 * i)); // version, root, level, fastroot, fastlevel
    writeLe32(m + 24, md.u32(20));               // last_cleanup_num_delpages
    writeLe32(m + 32, 0);
    writeLe32(m + 36, 0xBFF00000); // last_cleanup_num_heap_tuples = -1.0
    m[40] = md.u8(24);             // allequalimage
    page.setLower(24 + 48);
    page.setLsn(r.lsn);
}

// btree_xlog_insert (leaf, upper, meta, posting split)
void insert(const RecordView &r, Target &t, bool leaf, bool meta, bool posting)
{
    if (t.ref.id == 1 && !leaf)
        return clearIncompleteSplit(r, t);
    if (t.ref.id == 2 && meta)
        return restoreMeta(r, t);
    if (t.ref.id != 0)
        fault(fmt::format("an insert record does not change its block {}", t.ref.id));
    const std::uint16_t offnum = Fields(r.mainData(), "xl_btree_insert").u16(0);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields data(r.blockData(t.ref), "the inserted index tuple");
    if (!posting) {
        page.addItem(data.bytes(), offnum, false, false);
    } else {
        const std::uint16_t postingoff = data.u16(0);
        ITuple newitem(data.from(2));
        if (offnum < 2)
            fault("a posting split at the page's first item");
        const auto oposting = page.item(std::uint16_t(offnum - 1));
        const ITuple nposting = swapPosting(newitem, ITuple(oposting), postingoff);
        const std::size_t n = maxAlign(nposting.size());
        if (n > oposting.size() || n > nposting.b.size())
            fault("a posting list that grows in a posting split");
        std::memcpy(oposting.data(), nposting.b.data(), n);
        page.addItem(newitem.bytes(), offnum, false, false);
    }
    page.setLsn(r.lsn);
}

// btree_xlog_split: block 0 the page split (left), 1 the new right page, 2 the right page's
// old right sibling, 3 the child whose split this finishes (upper levels).
void split(const RecordView &r, Target &t, bool newItemOnLeft)
{
    const Fields x(r.mainData(), "xl_btree_split");
    const std::uint32_t level = x.u32(0);
    const std::uint16_t firstRight = x.u16(4), newItemOff = x.u16(6), postingOff = x.u16(8);
    const bool leaf = level == 0;
    const XLogBlockRef *orig = r.block(0), *right = r.block(1), *sib = r.block(2);
    if (!orig || !right)
        fault("a split without its left and right pages (blocks 0 and 1)");
    switch (t.ref.id) {
    case 3:
        if (leaf)
            fault("a leaf split that names a child");
        return clearIncompleteSplit(r, t);
    case 2:
        if (readForRedo(r, t) == BlockAction::NeedsRedo) {
            PageEdit page(t.page);
            opaque(page).setPrev(right->blockNumber);
            page.setLsn(r.lsn);
        }
        return;
    case 1: {
        PageEdit page = initBtreePage(
            r, t, orig->blockNumber, sib ? sib->blockNumber : kPNone, level, leaf ? kLeaf : 0);
        restorePage(page, r.blockData(t.ref));
        page.setLsn(r.lsn);
        return;
    }
    case 0: break;
    default: fault(fmt::format("a split does not change its block {}", t.ref.id));
    }
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields data(r.blockData(t.ref), "the split's left-page data");
    std::size_t at = 0;
    std::vector<std::uint8_t> newitem, nposting;
    std::uint16_t replacePostingOff = 0;
    if (newItemOnLeft || postingOff != 0) {
        ITuple item(data.from(at));
        const std::size_t sz = maxAlign(item.size());
        item.b.resize(sz);
        data.need(at + sz);
        at += sz;
        if (postingOff != 0) {
            if (newItemOff < 2)
                fault("a posting split at the page's first item");
            replacePostingOff = std::uint16_t(newItemOff - 1);
            const ITuple np = swapPosting(item, tupleAt(page, replacePostingOff), postingOff);
            nposting.assign(np.b.begin(), np.b.begin() + std::ptrdiff_t(maxAlign(np.size())));
        }
        newitem = item.b;
    }
    ITuple hikey(data.from(at));
    const std::size_t hikeySize = maxAlign(hikey.size());
    const Bytes hikeyBytes = data.sub(at, hikeySize);
    std::vector<std::uint8_t> left = tempCopySpecial(page);
    PageEdit lp(left);
    std::uint16_t leftOff = kHikey;
    lp.addItem(hikeyBytes, leftOff++, false, false);
    const std::uint16_t first = opaque(page).firstDataKey();
    std::uint16_t off = first;
    for (; off < firstRight; ++off) {
        if (off == replacePostingOff) {
            lp.addItem(nposting, leftOff++, false, false);
            continue;
        }
        if (newItemOnLeft && off == newItemOff)
            lp.addItem(newitem, leftOff++, false, false);
        lp.addItem(page.item(off), leftOff++, false, false);
    }
    if (newItemOnLeft && off == newItemOff)
        lp.addItem(newitem, leftOff++, false, false);
    std::memcpy(page.data(), left.data(), kPageSize);
    Opaque o = opaque(page);
    o.setFlags(std::uint16_t(kIncompleteSplit | (leaf ? kLeaf : 0)));
    o.setNext(right->blockNumber);
    o.setCycle(0);
    page.setLsn(r.lsn);
}

// btree_xlog_dedup: the page's items merged into posting lists by the record's intervals.
void dedup(const RecordView &r, Target &t)
{
    const std::uint16_t nintervals = Fields(r.mainData(), "xl_btree_dedup").u16(0);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields intervals(r.blockData(t.ref), "the deduplication intervals");
    intervals.need(4u * nintervals);
    Opaque o = opaque(page);
    const std::uint16_t minoff = o.firstDataKey(), maxoff = page.maxOffset();
    std::vector<std::uint8_t> fresh = tempCopySpecial(page);
    PageEdit np(fresh);
    if (!o.rightmost())
        np.addItem(page.item(kHikey), kHikey, false, false);

    // The pending posting list (_bt_dedup_start_pending, save_htid, finish_pending).
    std::vector<std::uint8_t> base;
    std::vector<std::uint8_t> htids;
    std::uint16_t baseoff = 0, nitems = 0, done = 0;
    std::size_t basetupsize = 0;
    auto start = [&](std::uint16_t off) {
        ITuple b = tupleAt(page, off);
        base = b.b;
        if (!b.isPosting()) {
            htids.assign(b.b.begin(), b.b.begin() + 6);
            basetupsize = b.size();
        } else {
            const std::uint8_t *p = b.posting();
            htids.assign(p, p + b.nPosting() * 6);
            basetupsize = b.postingOffset();
        }
        nitems = 1;
        baseoff = off;
    };
    auto save = [&](std::uint16_t off) {
        ITuple it = tupleAt(page, off);
        std::vector<std::uint8_t> more;
        if (!it.isPosting())
            more.assign(it.b.begin(), it.b.begin() + 6);
        else
            more.assign(it.posting(), it.posting() + it.nPosting() * 6);
        if (maxAlign(basetupsize + htids.size() + more.size()) > kMaxPostingSize)
            fault("deduplication failed to add heap tid to pending posting list");
        ++nitems;
        htids.insert(htids.end(), more.begin(), more.end());
    };
    auto finish = [&] {
        const std::uint16_t at = std::uint16_t(np.maxOffset() + 1);
        ITuple b(Bytes(base.data(), base.size()));
        if (nitems == 1) {
            np.addItem(Bytes(base.data(), std::min(b.size(), base.size())), at, false, false);
        } else {
            const ITuple fin = formPosting(b, htids);
            np.addItem(Bytes(fin.b.data(), fin.size()), at, false, false);
            ++done;
        }
        nitems = 0;
    };
    for (std::uint16_t off = minoff; off <= maxoff; ++off) {
        if (off == minoff)
            start(off);
        else if (done < nintervals && baseoff == intervals.u16(4u * done)
                 && nitems < intervals.u16(4u * done + 2))
            save(off);
        else {
            finish();
            start(off);
        }
    }
    if (maxoff >= minoff)
        finish();
    if (o.flags() & kHasGarbage) {
        Opaque no = opaque(np);
        no.setFlags(no.flags() & ~kHasGarbage);
    }
    std::memcpy(page.data(), fresh.data(), kPageSize);
    page.setLsn(r.lsn);
}

// btree_xlog_vacuum and btree_xlog_delete: posting lists updated, then items deleted.
void vacuumOrDelete(const RecordView &r, Target &t, bool isDelete)
{
    const Fields x(r.mainData(), isDelete ? "xl_btree_delete" : "xl_btree_vacuum");
    const std::size_t at = isDelete ? 4 : 0;
    // 16 added isCatalogRel to xl_btree_delete: its size tells the versions apart.
    if (isDelete && r.pgVersion != 0 && x.size() != (r.pgVersion >= 16 ? 9u : 8u))
        fault(fmt::format("its main data has {} bytes where Postgres {} writes {}: it is not a "
                          "record of Postgres {}",
                          x.size(),
                          r.pgVersion,
                          r.pgVersion >= 16 ? 9 : 8,
                          r.pgVersion));
    const std::uint16_t ndeleted = x.u16(at), nupdated = x.u16(at + 2);
    if (readForRedo(r, t) != BlockAction::NeedsRedo)
        return;
    PageEdit page(t.page);
    const Fields data(r.blockData(t.ref), "the deleted and updated offsets");
    std::size_t upd = 2u * ndeleted + 2u * nupdated;
    for (std::uint16_t i = 0; i < nupdated; ++i) {
        const std::uint16_t off = data.u16(2u * ndeleted + 2u * i);
        ITuple orig = tupleAt(page, off);
        const std::uint16_t ndel = data.u16(upd);
        if (!orig.isPosting())
            fault(fmt::format("an update of item {}, which is no posting list", off));
        const std::size_t n = orig.nPosting();
        std::vector<std::uint8_t> kept;
        std::size_t d = 0;
        for (std::size_t k = 0; k < n; ++k) {
            if (d < ndel && data.u16(upd + 2 + 2 * d) == k) {
                ++d;
                continue;
            }
            const std::uint8_t *p = orig.posting(k);
            kept.insert(kept.end(), p, p + 6);
        }
        if (d != ndel || kept.empty())
            fault(fmt::format("an update of item {} deletes TIDs it does not have", off));
        // _bt_update_posting: the original key with the TIDs that remain.
        const ITuple updated = formPosting(orig, kept);
        page.indexTupleOverwrite(off, Bytes(updated.b.data(), maxAlign(updated.size())));
        upd += 2 + 2u * ndel;
    }
    if (ndeleted > 0) {
        std::vector<std::uint16_t> offs(ndeleted);
        for (std::uint16_t i = 0; i < ndeleted; ++i)
            offs[i] = data.u16(2u * i);
        page.indexMultiDelete(offs);
    }
    Opaque o = opaque(page);
    o.setFlags(o.flags() & ~kHasGarbage);
    page.setLsn(r.lsn);
}

// The dummy high key of a half-dead leaf: no key, its tid's block the top parent.
void addTopParentHikey(PageEdit &page, std::uint32_t topParent)
{
    std::uint8_t t[8] = {};
    ITuple k(Bytes(t, 8));
    k.setInfo(8 | kAltTid);
    k.setTidBlock(topParent);
    k.setTidOffset(0);
    page.addItem(k.bytes(), kHikey, false, false);
}

// btree_xlog_mark_page_halfdead: block 0 the leaf (rebuilt), block 1 its parent.
void markHalfDead(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_btree_mark_page_halfdead");
    const std::uint16_t poffset = x.u16(0);
    const std::uint32_t leftblk = x.u32(8), rightblk = x.u32(12), topparent = x.u32(16);
    if (t.ref.id == 1) {
        if (readForRedo(r, t) != BlockAction::NeedsRedo)
            return;
        PageEdit page(t.page);
        const std::uint16_t next = std::uint16_t(poffset + 1);
        const std::uint32_t rightsib = tupleAt(page, next).tidBlock();
        const auto item = page.item(poffset);
        ITuple p(item);
        p.setTidBlock(rightsib);
        std::memcpy(item.data(), p.b.data(), 4);
        page.indexTupleDelete(next);
        page.setLsn(r.lsn);
        return;
    }
    if (t.ref.id != 0)
        fault(fmt::format("a half-dead record does not change its block {}", t.ref.id));
    PageEdit page = initBtreePage(r, t, leftblk, rightblk, 0, kHalfDead | kLeaf);
    addTopParentHikey(page, topparent);
    page.setLsn(r.lsn);
}

// btree_xlog_unlink_page: block 0 the deleted page, 1 its left sibling, 2 its right sibling,
// 3 the half-dead leaf above which it was (rebuilt), 4 the metapage (UNLINK_PAGE_META).
void unlink(const RecordView &r, Target &t, bool meta)
{
    const Fields x(r.mainData(), "xl_btree_unlink_page");
    const std::uint32_t leftsib = x.u32(0), rightsib = x.u32(4), level = x.u32(8);
    const std::uint64_t safexid = x.u64(16);
    const std::uint32_t leafleft = x.u32(24), leafright = x.u32(28), leaftop = x.u32(32);
    switch (t.ref.id) {
    case 1:
    case 2:
        if (readForRedo(r, t) == BlockAction::NeedsRedo) {
            PageEdit page(t.page);
            if (t.ref.id == 1)
                opaque(page).setNext(rightsib);
            else
                opaque(page).setPrev(leftsib);
            page.setLsn(r.lsn);
        }
        return;
    case 0: {
        // BTPageSetDeleted: the flags, and the safe XID in the page's contents.
        PageEdit page = initBtreePage(r,
                                      t,
                                      leftsib,
                                      rightsib,
                                      level,
                                      std::uint16_t(kDeleted | kHasFullXid
                                                    | (level == 0 ? kLeaf : 0)));
        page.setLower(24 + 8);
        writeLe32(page.data() + 24, std::uint32_t(safexid));
        writeLe32(page.data() + 28, std::uint32_t(safexid >> 32));
        page.setLsn(r.lsn);
        return;
    }
    case 3: {
        PageEdit page = initBtreePage(r, t, leafleft, leafright, 0, kHalfDead | kLeaf);
        addTopParentHikey(page, leaftop);
        page.setLsn(r.lsn);
        return;
    }
    case 4:
        if (!meta)
            fault("an unlink record without the metapage flag names block 4");
        return restoreMeta(r, t);
    default: fault(fmt::format("an unlink record does not change its block {}", t.ref.id));
    }
}

// btree_xlog_newroot: block 0 the new root, 1 the child whose split it finishes, 2 the metapage.
void newRoot(const RecordView &r, Target &t)
{
    const Fields x(r.mainData(), "xl_btree_newroot");
    const std::uint32_t level = x.u32(4);
    if (t.ref.id == 1)
        return clearIncompleteSplit(r, t);
    if (t.ref.id == 2)
        return restoreMeta(r, t);
    if (t.ref.id != 0)
        fault(fmt::format("a new-root record does not change its block {}", t.ref.id));
    PageEdit page = initBtreePage(
        r, t, kPNone, kPNone, level, std::uint16_t(kRoot | (level == 0 ? kLeaf : 0)));
    if (level > 0)
        restorePage(page, r.blockData(t.ref));
    page.setLsn(r.lsn);
}
} // namespace

void btreeRedo(const RecordView &r, Target &t)
{
    switch (r.info()) {
    case 0x00: return insert(r, t, true, false, false);
    case 0x10: return insert(r, t, false, false, false);
    case 0x20: return insert(r, t, false, true, false);
    case 0x30: return split(r, t, true);
    case 0x40: return split(r, t, false);
    case 0x50: return insert(r, t, true, false, true);
    case 0x60: return dedup(r, t);
    case 0x70: return vacuumOrDelete(r, t, true);
    case 0x80: return unlink(r, t, false);
    case 0x90: return unlink(r, t, true);
    case 0xA0: return newRoot(r, t);
    case 0xB0: return markHalfDead(r, t);
    case 0xC0: return vacuumOrDelete(r, t, false);
    case 0xE0:
        if (t.ref.id != 0)
            fault("a metapage cleanup record names a block other than 0");
        return restoreMeta(r, t);
    default: fault("this Btree record (REUSE_PAGE) changes no page");
    }
}

} // namespace layerscope::redo
