#include "pg_fields.h"

#include "fields.h"

#include <layerscope/format/pg_page.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/redo/heap_tuple.h>
#include <layerscope/redo/pg_redo.h>

#include <fmt/format.h>

#include <cstring>

namespace layerscope {

using namespace dissect_fields;

namespace {

// A heap tuple's header fields by name, then its data.
Field heapTupleField(std::size_t n, Bytes item, FileOffset at)
{
    using namespace redo::heap;
    std::vector<std::uint8_t> copy(item.begin(), item.end());
    const TupleHeader t(copy);
    Field f = group(fmt::format("tuple {}", n),
                    at,
                    item.size(),
                    fmt::format("xmin {}, xmax {}", t.xmin(), t.xmax()));
    f.children.push_back(leaf("t_xmin", at, 4, fmt::format("{}", t.xmin())));
    f.children.push_back(leaf("t_xmax", at + 4, 4, fmt::format("{}", t.xmax())));
    f.children.push_back(leaf("t_cid", at + 8, 4, fmt::format("{}", t.cid())));
    f.children.push_back(
        leaf("t_ctid", at + 12, 6, fmt::format("({},{})", t.ctidBlock(), t.ctidOffset())));
    f.children.push_back(
        leaf("t_infomask2",
             at + 18,
             2,
             fmt::format("0x{:04x} {}", t.infomask2(), infomask2Names(t.infomask2()))));
    f.children.push_back(
        leaf("t_infomask",
             at + 20,
             2,
             fmt::format("0x{:04x} {}", t.infomask(), infomaskNames(t.infomask()))));
    f.children.push_back(leaf("t_hoff", at + 22, 1, fmt::format("{}", t.hoff())));
    if (t.hoff() > kTupleHeaderLen && t.hoff() <= item.size())
        f.children.push_back(leaf("null bitmap",
                                  at + kTupleHeaderLen,
                                  t.hoff() - kTupleHeaderLen,
                                  bytesCount(t.hoff() - kTupleHeaderLen)));
    if (t.hoff() < item.size() && t.hoff() >= kTupleHeaderLen) {
        Field data = leaf("data",
                          at + t.hoff(),
                          item.size() - t.hoff(),
                          hexShort(item.subspan(t.hoff())));
        data.content = true;
        f.children.push_back(std::move(data));
    }
    return f;
}

// An index tuple: its TID (or posting list), t_info, and the key.
Field indexTupleField(std::size_t n, Bytes item, FileOffset at)
{
    const std::uint32_t blk = (std::uint32_t(readLe16(item.data())) << 16)
                              | readLe16(item.data() + 2);
    const std::uint16_t off = readLe16(item.data() + 4);
    const std::uint16_t info = readLe16(item.data() + 6);
    const std::size_t size = info & 0x1FFF;
    const bool alt = info & 0x2000;
    const bool posting = alt && (off & 0x2000);
    Field f = group(fmt::format("index tuple {}", n),
                    at,
                    item.size(),
                    posting ? fmt::format("posting list of {} TIDs", off & 0x0FFF)
                    : alt   ? fmt::format("pivot, downlink {}", blk)
                            : fmt::format("TID ({},{})", blk, off));
    f.children.push_back(leaf("t_tid", at, 6, fmt::format("({},{})", blk, off)));
    f.children.push_back(leaf("t_info",
                              at + 6,
                              2,
                              fmt::format("0x{:04x}: {} bytes{}{}{}",
                                          info,
                                          size,
                                          info & 0x8000 ? ", nulls" : "",
                                          info & 0x4000 ? ", varwidth" : "",
                                          alt ? ", alt tid" : "")));
    const std::size_t keyEnd = std::min<std::size_t>(posting ? blk : size, item.size());
    if (keyEnd > 8) {
        Field key = leaf("key", at + 8, keyEnd - 8, hexShort(item.subspan(8, keyEnd - 8)));
        key.content = true;
        f.children.push_back(std::move(key));
    }
    if (posting && keyEnd < item.size())
        f.children.push_back(leaf("posting list",
                                  at + keyEnd,
                                  item.size() - keyEnd,
                                  fmt::format("{} TIDs", off & 0x0FFF)));
    return f;
}

// A btree page's special space: its siblings, level and flags by name.
Field btreeSpecialField(Bytes page, FileOffset at, std::size_t special)
{
    const std::uint8_t *p = page.data() + special;
    const std::uint16_t flags = readLe16(p + 12);
    static const char *const names[] = {"LEAF",
                                        "ROOT",
                                        "DELETED",
                                        "META",
                                        "HALF_DEAD",
                                        "SPLIT_END",
                                        "HAS_GARBAGE",
                                        "INCOMPLETE_SPLIT",
                                        "HAS_FULLXID"};
    std::string flagText;
    for (int i = 0; i < 9; ++i)
        if (flags & (1 << i)) {
            if (!flagText.empty())
                flagText += '|';
            flagText += names[i];
        }
    Field f = group("btree special space", at, 16, flagText.empty() ? "0" : flagText);
    f.children.push_back(leaf("btpo_prev", at, 4, fmt::format("{}", readLe32(p))));
    f.children.push_back(leaf("btpo_next", at + 4, 4, fmt::format("{}", readLe32(p + 4))));
    f.children.push_back(leaf("btpo_level", at + 8, 4, fmt::format("{}", readLe32(p + 8))));
    f.children.push_back(
        leaf("btpo_flags", at + 12, 2, fmt::format("0x{:04x} {}", flags, flagText)));
    f.children.push_back(leaf("btpo_cycleid", at + 14, 2, fmt::format("{}", readLe16(p + 14))));
    return f;
}

} // namespace

void dissectPage(Field &into, Bytes page, FileOffset base, bool decompressed)
{
    auto mark = [&](auto &self, Field &f) -> void {
        f.decompressed = decompressed;
        for (Field &c : f.children)
            self(self, c);
    };
    auto add = [&](Field f) {
        mark(mark, f);
        into.children.push_back(std::move(f));
    };
    if (page.size() != 8192) {
        into.detail = fmt::format("not a Postgres page: {} (pages are 8192 bytes)",
                                  bytesCount(page.size()));
        return;
    }
    if (isZeroPage(page)) {
        into.detail = "all-zero page (Postgres' new page)";
        return;
    }
    const PageHeader h = *parsePageHeader(page);
    // Only a sane header is laid out; anything else (an SLRU page, a damaged page) is said once.
    if (const auto problems = pageHeaderProblems(h); !problems.empty()) {
        into.detail = fmt::format("not a heap page: {}", problems.front());
        return;
    }
    Field hdr = group("page header", base, kPageHeaderLen);
    const std::string values[] = {Lsn{h.lsn}.toString(),
                                  fmt::format("0x{:04x}", h.checksum),
                                  fmt::format("0x{:04x}", h.flags),
                                  fmt::format("{}", h.lower),
                                  fmt::format("{}", h.upper),
                                  fmt::format("{}", h.special),
                                  fmt::format("0x{:04x}", h.pageSizeVersion),
                                  fmt::format("{}", h.pruneXid)};
    std::size_t i = 0;
    for (const ByteField &f : kPageHeaderFields)
        hdr.children.push_back(leaf(f.name, base + f.offset, f.length, values[i++]));
    add(std::move(hdr));
    const auto lps = linePointers(page, 8192);
    static const char *const flagNames[] = {"unused", "normal", "redirect", "dead"};
    if (!lps.empty()) {
        Field lpg = group("line pointers",
                          base + kPageHeaderLen,
                          lps.size() * kLinePointerLen,
                          fmt::format("{}", lps.size()));
        for (std::size_t k = 0; k < lps.size(); ++k) {
            Field lf = leaf(fmt::format("lp {}", k + 1),
                            base + kPageHeaderLen + k * kLinePointerLen,
                            kLinePointerLen,
                            fmt::format("off {}, len {}, {}",
                                        lps[k].offset,
                                        lps[k].length,
                                        flagNames[lps[k].flags & 3]));
            lpg.children.push_back(std::move(lf));
        }
        add(std::move(lpg));
    }
    const FileOffset freeAt = kPageHeaderLen + lps.size() * kLinePointerLen;
    if (h.upper > freeAt)
        add(leaf("free space", base + freeAt, h.upper - freeAt, bytesCount(h.upper - freeAt)));
    const std::size_t specialSize = 8192 - h.special;
    const bool heapPage = specialSize == 0;
    const bool btreePage = specialSize == 16 && readLe16(page.data() + 8190) < 0xFF80;
    if (h.special > h.upper) {
        Field items = group("items",
                            base + h.upper,
                            h.special - h.upper,
                            bytesCount(h.special - h.upper));
        for (std::size_t k = 0; k < lps.size(); ++k) {
            const LinePointer &lp = lps[k];
            if (!lp.length || lp.offset < h.upper || std::size_t(lp.offset) + lp.length > h.special)
                continue;
            const FileOffset at = base + lp.offset;
            const Bytes item = page.subspan(lp.offset, lp.length);
            if (heapPage && lp.flags == 1 && item.size() >= redo::heap::kTupleHeaderLen)
                items.children.push_back(heapTupleField(k + 1, item, at));
            else if (btreePage && item.size() >= 8)
                items.children.push_back(indexTupleField(k + 1, item, at));
            else
                items.children.push_back(
                    leaf(fmt::format("item {}", k + 1), at, lp.length, bytesCount(lp.length)));
        }
        std::sort(items.children.begin(), items.children.end(), [](const Field &a, const Field &b) {
            return a.offset < b.offset;
        });
        // The fields tile the item area: alignment padding and space no line pointer reaches.
        std::vector<Field> tiled;
        FileOffset next = items.offset;
        for (Field &c : items.children) {
            if (c.offset < next)
                continue; // two line pointers to one item: listed once
            if (c.offset > next)
                tiled.push_back(leaf(c.offset - next < 8 ? "padding" : "unused",
                                     next,
                                     c.offset - next,
                                     bytesCount(c.offset - next)));
            next = c.end();
            tiled.push_back(std::move(c));
        }
        if (next < items.end())
            tiled.push_back(leaf(items.end() - next < 8 ? "padding" : "unused",
                                 next,
                                 items.end() - next,
                                 bytesCount(items.end() - next)));
        items.children = std::move(tiled);
        add(std::move(items));
    }
    if (btreePage)
        add(btreeSpecialField(page, base + h.special, h.special));
    else if (h.special < 8192)
        add(leaf("special space", base + h.special, specialSize, bytesCount(specialSize)));
    into.detail = fmt::format("Postgres {}page, LSN {}, {} line pointers",
                              heapPage    ? "heap "
                              : btreePage ? "btree "
                                          : "",
                              Lsn{h.lsn}.toString(),
                              lps.size());
}

void dissectXLogRecord(Field &into, Bytes rec, FileOffset base, bool decompressed)
{
    // Neon stores the record as it came; only a record whose xl_tot_len is its own length is
    // laid out as an XLogRecord (anything else is shown as bytes, not as nonsense fields).
    const auto h = parseXLogRecordHeader(rec);
    if (!h) {
        into.detail = fmt::format("not an XLogRecord: {}, shorter than its 24-byte header",
                                  bytesCount(rec.size()));
        return;
    }
    if (h->totLen != rec.size()) {
        into.detail = fmt::format(
            "not laid out as an XLogRecord: xl_tot_len would be {}, the record holds {}",
            h->totLen,
            bytesCount(rec.size()));
        return;
    }
    // Postgres's names: pagectl's kinds label most heap records HEAP2 UNKNOWN.
    // The operation by name (its Heap2 prune, vacuum and freeze names differ between versions,
    // so both are given: a layer does not say which Postgres wrote it).
    const std::string name = pgRecordKind(h->rmid, h->info);
    const std::string kind = name.find(" info 0x") != std::string::npos
                                 ? name
                                 : fmt::format("{} (info 0x{:02x})", name, h->info);
    Field hdr = group("XLogRecord header", base, kXLogRecordHeaderLen, kind);
    hdr.decompressed = decompressed;
    const std::string values[] = {fmt::format("{}", h->totLen),
                                  fmt::format("{}", h->xid),
                                  Lsn{h->prev}.toString(),
                                  fmt::format("0x{:02x}", h->info),
                                  fmt::format("{} ({})", h->rmid, rmgrName(h->rmid)),
                                  "",
                                  fmt::format("0x{:08x}", h->crc)};
    const std::uint32_t crc = xlogRecordCrc(rec);
    std::size_t i = 0;
    for (const ByteField &f : kXLogRecordFields) {
        Field lf = leaf(f.name, base + f.offset, f.length, values[i++]);
        if (std::string_view(f.name) == "xl_crc") {
            lf.detail = crc == h->crc ? "matches the record's CRC-32C"
                                      : fmt::format("the record's CRC-32C is 0x{:08x}", crc);
            if (crc != h->crc)
                lf.error = "CRC mismatch";
        }
        hdr.children.push_back(std::move(lf));
    }
    into.children.push_back(std::move(hdr));
    std::vector<Field> parts;
    const auto d = decodeXLogRecord(rec, base);
    if (!d) {
        Field body = leaf("record body",
                          base + kXLogRecordHeaderLen,
                          rec.size() - kXLogRecordHeaderLen,
                          bytesCount(rec.size() - kXLogRecordHeaderLen));
        body.error = d.error().message();
        parts.push_back(std::move(body));
    } else {
        for (const XLogBlockRef &b : d->blocks) {
            static const char *const forks[] = {"main", "fsm", "vm", "init"};
            const std::string fork = b.fork() < 4 ? forks[b.fork()]
                                                  : fmt::format("fork {}", b.fork());
            std::string what = fmt::format(
                "rel {}/{}/{} {} blk {}", b.spcOid, b.dbOid, b.relNumber, fork, b.blockNumber);
            if (b.hasImage)
                what += b.applyImage ? ", full-page image" : ", page image (not applied)";
            if (b.willInit)
                what += ", will init";
            FileOffset at = b.headerAt;
            Field g = group(fmt::format("block #{}", b.id), at, 0, what);
            g.children.push_back(leaf("block id", at, 1, fmt::format("{}", b.id)));
            g.children.push_back(leaf("fork_flags",
                                      at + 1,
                                      1,
                                      fmt::format("0x{:02x}: {}{}{}{}{}",
                                                  b.forkFlags,
                                                  fork,
                                                  b.hasImage ? " HAS_IMAGE" : "",
                                                  b.hasData ? " HAS_DATA" : "",
                                                  b.willInit ? " WILL_INIT" : "",
                                                  b.sameRel ? " SAME_REL" : "")));
            g.children.push_back(leaf("data_length", at + 2, 2, fmt::format("{}", b.dataLength)));
            at += 4;
            if (b.hasImage) {
                g.children.push_back(leaf("bimg_len", at, 2, fmt::format("{}", b.imageLength)));
                g.children.push_back(
                    leaf("hole_offset", at + 2, 2, fmt::format("{}", b.holeOffset)));
                g.children.push_back(leaf("bimg_info",
                                          at + 4,
                                          1,
                                          fmt::format("0x{:02x}:{}{}{}",
                                                      b.imageInfo,
                                                      b.hasHole ? " HAS_HOLE" : "",
                                                      b.applyImage ? " APPLY" : "",
                                                      b.compressed ? " COMPRESSED" : "")));
                at += 5;
                if (b.hasHole && b.compressed) {
                    g.children.push_back(
                        leaf("hole_length", at, 2, fmt::format("{}", b.holeLength)));
                    at += 2;
                }
            }
            if (!b.sameRel) {
                g.children.push_back(leaf("spcOid", at, 4, fmt::format("{}", b.spcOid)));
                g.children.push_back(leaf("dbOid", at + 4, 4, fmt::format("{}", b.dbOid)));
                g.children.push_back(leaf("relNumber", at + 8, 4, fmt::format("{}", b.relNumber)));
                at += 12;
            }
            g.children.push_back(leaf("block number", at, 4, fmt::format("{}", b.blockNumber)));
            g.length = at + 4 - b.headerAt;
            parts.push_back(std::move(g));
        }
        if (d->mainDataHeaderAt) {
            const FileOffset at = *d->mainDataHeaderAt;
            const bool shortHeader = rec[std::size_t(at - base)] == kXlrBlockIdDataShort;
            parts.push_back(leaf("main data header",
                                 at,
                                 shortHeader ? 2 : 5,
                                 fmt::format("{} bytes", d->mainDataLength)));
        }
        for (const XLogBlockRef &b : d->blocks) {
            if (b.hasImage)
                parts.push_back(leaf(fmt::format("block #{} image", b.id),
                                     b.imageAt,
                                     b.imageLength,
                                     fmt::format("{}{}",
                                                 bytesCount(b.imageLength),
                                                 b.hasHole ? fmt::format(", hole at {} of {}",
                                                                         b.holeOffset,
                                                                         b.holeLength)
                                                           : "")));
            if (b.dataLength)
                parts.push_back(leaf(fmt::format("block #{} data", b.id),
                                     b.dataAt,
                                     b.dataLength,
                                     bytesCount(b.dataLength)));
        }
        if (d->mainDataLength)
            parts.push_back(
                leaf("main data", d->mainDataAt, d->mainDataLength, bytesCount(d->mainDataLength)));
    }
    for (Field &f : parts) {
        f.decompressed = decompressed;
        for (Field &c : f.children)
            c.decompressed = decompressed;
        into.children.push_back(std::move(f));
    }
    into.detail = fmt::format("{}, xid {}{}",
                              kind,
                              h->xid,
                              d ? fmt::format(", {} block{}",
                                              d->blocks.size(),
                                              d->blocks.size() == 1 ? "" : "s")
                                : "");
}

Field dissectPgPage(Bytes page, FileOffset base)
{
    Field f = group("page", base, page.size());
    dissectPage(f, page, base, false);
    f.value = std::move(f.detail);
    f.detail.clear();
    return f;
}

} // namespace layerscope
