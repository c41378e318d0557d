#include <layerscope/dissect/dissect.h>

#include <layerscope/format/blob.h>
#include <layerscope/format/pg_page.h>
#include <layerscope/redo/heap_tuple.h>
#include <layerscope/redo/pg_redo.h>
#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/index/btree.h>
#include <layerscope/index/tree_walk.h>

#include <layerscope/format/value_grammar.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace layerscope {

const Field *Field::innermostAt(FileOffset at) const
{
    if (decompressed)
        return nullptr;
    const bool container = length == 0 && !children.empty();  // an entry: its key, its blob
    if (!container && (at < offset || at >= end()))
        return nullptr;
    for (const Field &c : children)
        if (const Field *f = c.innermostAt(at))
            return f;
    return container ? nullptr : this;
}

std::vector<std::size_t> Field::pathTo(FileOffset at) const
{
    std::vector<std::size_t> path;
    const Field *f = this;
    for (bool descended = true; descended;) {
        descended = false;
        for (std::size_t i = 0; i < f->children.size(); ++i)
            if (f->children[i].innermostAt(at)) {
                path.push_back(i);
                f = &f->children[i];
                descended = true;
                break;
            }
    }
    return path;
}

namespace {

Field leaf(std::string name, FileOffset offset, std::uint64_t length, std::string value)
{
    Field f;
    f.name = std::move(name);
    f.offset = offset;
    f.length = length;
    f.value = std::move(value);
    return f;
}

Field group(std::string name, FileOffset offset, std::uint64_t length, std::string value = {})
{
    return leaf(std::move(name), offset, length, std::move(value));
}

std::string hexShort(Bytes b, std::size_t max = 32)
{
    if (b.size() <= max)
        return toHex(b);
    return toHex(b.first(max)) + fmt::format("… ({} bytes)", b.size());
}

std::string bytesCount(std::uint64_t n)
{
    return n == 1 ? std::string("1 byte") : fmt::format("{} bytes", n);
}

/// The rest of a region that could not be laid out, named with the reason.
Field unparsed(FileOffset at, std::uint64_t length, std::string why)
{
    Field f = leaf("unparsed", at, length, bytesCount(length));
    f.error = std::move(why);
    return f;
}

Field padding(Bytes file, FileOffset at, std::uint64_t length)
{
    const Bytes b = file.subspan(at, length);
    const auto nonZero = std::size_t(std::count_if(b.begin(), b.end(), [](std::uint8_t c) { return c != 0; }));
    Field f = leaf("padding", at, length,
                   nonZero ? fmt::format("{}, {} non-zero", bytesCount(length), nonZero)
                           : fmt::format("{} of zeros", bytesCount(length)));
    return f;
}

std::string describeKeyBytes(Bytes k)
{
    if (k.size() < Key::kSize)
        return toHex(k);
    std::string s = Key::fromBytes(k.data()).describe();
    if (k.size() == kDeltaIndexKeyLen)
        s += " @ " + deltaKeyLsn(k).toString();
    return s;
}

// --- the grammar's dissection sink -----------------------------------------------------------

/// Records one field per primitive into the innermost open group.
class DissectSink
{
public:
    static constexpr bool kBuild = false;
    /// Fields go under `root`; `payload` starts at offset `base` (file or decompressed space).
    DissectSink(Field &root, Bytes payload, FileOffset base, bool decompressed)
        : m_payload(payload), m_base(base), m_decompressed(decompressed)
    {
        m_open.push_back(&root);
    }

    bool u8(Cursor &c, const char *w, std::uint8_t &v) { return prim(c, w, 1, [&] { return c.u8(v, w); }, [&] { return fmt::format("{}", v); }); }
    bool u32(Cursor &c, const char *w, std::uint32_t &v)
    {
        return prim(c, w, 4, [&] { return c.u32(v, w); }, [&] { return tagText(w, v); });
    }
    bool u64(Cursor &c, const char *w, std::uint64_t &v) { return prim(c, w, 8, [&] { return c.u64(v, w); }, [&] { return fmt::format("{}", v); }); }
    bool i64(Cursor &c, const char *w, std::int64_t &v) { return prim(c, w, 8, [&] { return c.i64(v, w); }, [&] { return fmt::format("{}", v); }); }
    bool boolean(Cursor &c, const char *w, bool &v)
    {
        return prim(c, w, 1, [&] { return c.boolean(v, w); }, [&] { return std::string(v ? "true" : "false"); });
    }
    bool option(Cursor &c, const char *w, bool &some)
    {
        const std::string name = fmt::format("{} (Option)", shortName(w));
        return prim(c, name.c_str(), 1, [&] { return c.optionTag(some, w); },
                    [&] { return std::string(some ? "Some" : "None"); });
    }
    bool count(Cursor &c, const char *w, std::size_t size, std::uint64_t &n)
    {
        return prim(c, "count", 8, [&] { return c.count(n, size, w); }, [&] { return fmt::format("{}", n); });
    }
    bool bytes(Cursor &c, const char *w, ByteVector &) { return buffer(c, w, false); }
    bool text(Cursor &c, const char *w, std::string &) { return buffer(c, w, true); }
    void open(const char *name, FileOffset at)
    {
        Field g = group(shortName(name), at, 0);
        g.decompressed = m_decompressed;
        m_open.back()->children.push_back(std::move(g));
        m_open.push_back(&m_open.back()->children.back());
    }
    void close(FileOffset end)
    {
        Field *g = m_open.back();
        g->length = end > g->offset ? end - g->offset : 0;
        m_open.pop_back();
    }
private:
    static std::string shortName(const char *w)
    {
        const char *dot = std::strrchr(w, '.');
        return dot ? dot + 1 : w;
    }
    static std::string tagText(const char *w, std::uint32_t v)
    {
        if (std::strcmp(w, "Value tag") == 0)
            return fmt::format("{} ({})", v, v == grammar::kValueImage ? "Image" : v == grammar::kValueWalRecord ? "WalRecord" : "unknown");
        if (std::strcmp(w, "NeonWalRecord tag") == 0)
            return fmt::format("{} ({})", v, recordTagName(v) ? recordTagName(v) : "unknown");
        return fmt::format("{}", v);
    }
    Field &add(Field f)
    {
        f.decompressed = m_decompressed;
        m_open.back()->children.push_back(std::move(f));
        return m_open.back()->children.back();
    }
    template<class Read, class Show>
    bool prim(Cursor &c, const char *w, std::size_t size, Read read, Show show)
    {
        const FileOffset at = c.offset();
        if (!read()) {
            Field &f = add(leaf(shortName(w), at, std::min<std::uint64_t>(size, c.remaining()), {}));
            f.error = c.error().message();
            return false;
        }
        add(leaf(shortName(w), at, c.offset() - at, show()));
        return true;
    }
    bool buffer(Cursor &c, const char *w, bool utf8)
    {
        const FileOffset at = c.offset();
        Field g = group(shortName(w), at, 0);
        Field &f = add(std::move(g));
        if (!c.skipBuffer(w, utf8)) {
            f.length = std::min<std::uint64_t>(8, c.remaining());
            f.error = c.error().message();
            return false;
        }
        const std::uint64_t n = c.offset() - at - 8;
        const Bytes data = m_payload.subspan(at + 8 - m_base, n);
        f.length = c.offset() - at;
        f.value = utf8 ? fmt::format("\"{}\"", std::string_view(reinterpret_cast<const char *>(data.data()), n))
                       : bytesCount(n);
        Field len = leaf("length", at, 8, fmt::format("{}", n));
        len.decompressed = m_decompressed;
        f.children.push_back(std::move(len));
        if (n > 0) {
            Field d = leaf("data", at + 8, n, utf8 ? std::string() : hexShort(data, 16));
            d.decompressed = m_decompressed;
            f.children.push_back(std::move(d));
        }
        return true;
    }

    Bytes m_payload;
    FileOffset m_base;
    bool m_decompressed;
    std::vector<Field *> m_open;
};

// --- Postgres structures --------------------------------------------------------------------

// A heap tuple's header fields by name, then its data.
Field heapTupleField(std::size_t n, Bytes item, FileOffset at)
{
    using namespace redo::heap;
    std::vector<std::uint8_t> copy(item.begin(), item.end());
    const TupleHeader t(copy);
    Field f = group(fmt::format("tuple {}", n), at, item.size(),
                    fmt::format("xmin {}, xmax {}", t.xmin(), t.xmax()));
    f.children.push_back(leaf("t_xmin", at, 4, fmt::format("{}", t.xmin())));
    f.children.push_back(leaf("t_xmax", at + 4, 4, fmt::format("{}", t.xmax())));
    f.children.push_back(leaf("t_cid", at + 8, 4, fmt::format("{}", t.cid())));
    f.children.push_back(leaf("t_ctid", at + 12, 6, fmt::format("({},{})", t.ctidBlock(), t.ctidOffset())));
    f.children.push_back(leaf("t_infomask2", at + 18, 2,
                              fmt::format("0x{:04x} {}", t.infomask2(), infomask2Names(t.infomask2()))));
    f.children.push_back(leaf("t_infomask", at + 20, 2,
                              fmt::format("0x{:04x} {}", t.infomask(), infomaskNames(t.infomask()))));
    f.children.push_back(leaf("t_hoff", at + 22, 1, fmt::format("{}", t.hoff())));
    if (t.hoff() > kTupleHeaderLen && t.hoff() <= item.size())
        f.children.push_back(leaf("null bitmap", at + kTupleHeaderLen, t.hoff() - kTupleHeaderLen,
                                  bytesCount(t.hoff() - kTupleHeaderLen)));
    if (t.hoff() < item.size() && t.hoff() >= kTupleHeaderLen)
        f.children.push_back(leaf("data", at + t.hoff(), item.size() - t.hoff(), hexShort(item.subspan(t.hoff()))));
    return f;
}

// An index tuple: its TID (or posting list), t_info, and the key.
Field indexTupleField(std::size_t n, Bytes item, FileOffset at)
{
    const std::uint32_t blk = (std::uint32_t(readLe16(item.data())) << 16) | readLe16(item.data() + 2);
    const std::uint16_t off = readLe16(item.data() + 4);
    const std::uint16_t info = readLe16(item.data() + 6);
    const std::size_t size = info & 0x1FFF;
    const bool alt = info & 0x2000;
    const bool posting = alt && (off & 0x2000);
    Field f = group(fmt::format("index tuple {}", n), at, item.size(),
                    posting ? fmt::format("posting list of {} TIDs", off & 0x0FFF)
                            : alt ? fmt::format("pivot, downlink {}", blk)
                                  : fmt::format("TID ({},{})", blk, off));
    f.children.push_back(leaf("t_tid", at, 6, fmt::format("({},{})", blk, off)));
    f.children.push_back(leaf("t_info", at + 6, 2,
                              fmt::format("0x{:04x}: {} bytes{}{}{}", info, size, info & 0x8000 ? ", nulls" : "",
                                          info & 0x4000 ? ", varwidth" : "", alt ? ", alt tid" : "")));
    const std::size_t keyEnd = std::min<std::size_t>(posting ? blk : size, item.size());
    if (keyEnd > 8)
        f.children.push_back(leaf("key", at + 8, keyEnd - 8, hexShort(item.subspan(8, keyEnd - 8))));
    if (posting && keyEnd < item.size())
        f.children.push_back(leaf("posting list", at + keyEnd, item.size() - keyEnd,
                                  fmt::format("{} TIDs", off & 0x0FFF)));
    return f;
}

// A btree page's special space: its siblings, level and flags by name.
Field btreeSpecialField(Bytes page, FileOffset at, std::size_t special)
{
    const std::uint8_t *p = page.data() + special;
    const std::uint16_t flags = readLe16(p + 12);
    static const char *const names[] = {"LEAF", "ROOT", "DELETED", "META", "HALF_DEAD", "SPLIT_END",
                                        "HAS_GARBAGE", "INCOMPLETE_SPLIT", "HAS_FULLXID"};
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
    f.children.push_back(leaf("btpo_flags", at + 12, 2, fmt::format("0x{:04x} {}", flags, flagText)));
    f.children.push_back(leaf("btpo_cycleid", at + 14, 2, fmt::format("{}", readLe16(p + 14))));
    return f;
}

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
        into.detail = fmt::format("not a Postgres page: {} (pages are 8192 bytes)", bytesCount(page.size()));
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
    const std::string values[] = {Lsn{h.lsn}.toString(), fmt::format("0x{:04x}", h.checksum), fmt::format("0x{:04x}", h.flags),
                                  fmt::format("{}", h.lower), fmt::format("{}", h.upper), fmt::format("{}", h.special),
                                  fmt::format("0x{:04x}", h.pageSizeVersion), fmt::format("{}", h.pruneXid)};
    std::size_t i = 0;
    for (const ByteField &f : kPageHeaderFields)
        hdr.children.push_back(leaf(f.name, base + f.offset, f.length, values[i++]));
    add(std::move(hdr));
    const auto lps = linePointers(page, 8192);
    static const char *const flagNames[] = {"unused", "normal", "redirect", "dead"};
    if (!lps.empty()) {
        Field lpg = group("line pointers", base + kPageHeaderLen, lps.size() * kLinePointerLen, fmt::format("{}", lps.size()));
        for (std::size_t k = 0; k < lps.size(); ++k) {
            Field lf = leaf(fmt::format("lp {}", k + 1), base + kPageHeaderLen + k * kLinePointerLen, kLinePointerLen,
                            fmt::format("off {}, len {}, {}", lps[k].offset, lps[k].length, flagNames[lps[k].flags & 3]));
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
        Field items = group("items", base + h.upper, h.special - h.upper, bytesCount(h.special - h.upper));
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
                items.children.push_back(leaf(fmt::format("item {}", k + 1), at, lp.length, bytesCount(lp.length)));
        }
        std::sort(items.children.begin(), items.children.end(),
                  [](const Field &a, const Field &b) { return a.offset < b.offset; });
        // The fields tile the item area: alignment padding and space no line pointer reaches.
        std::vector<Field> tiled;
        FileOffset next = items.offset;
        for (Field &c : items.children) {
            if (c.offset < next)
                continue;  // two line pointers to one item: listed once
            if (c.offset > next)
                tiled.push_back(leaf(c.offset - next < 8 ? "padding" : "unused", next, c.offset - next,
                                     bytesCount(c.offset - next)));
            next = c.end();
            tiled.push_back(std::move(c));
        }
        if (next < items.end())
            tiled.push_back(leaf(items.end() - next < 8 ? "padding" : "unused", next, items.end() - next,
                                 bytesCount(items.end() - next)));
        items.children = std::move(tiled);
        add(std::move(items));
    }
    if (btreePage)
        add(btreeSpecialField(page, base + h.special, h.special));
    else if (h.special < 8192)
        add(leaf("special space", base + h.special, specialSize, bytesCount(specialSize)));
    into.detail = fmt::format("Postgres {}page, LSN {}, {} line pointers",
                              heapPage ? "heap " : btreePage ? "btree " : "", Lsn{h.lsn}.toString(), lps.size());
}

void dissectXLogRecord(Field &into, Bytes rec, FileOffset base, bool decompressed)
{
    // Neon stores the record as it came; only a record whose xl_tot_len is its own length is
    // laid out as an XLogRecord (anything else is shown as bytes, not as nonsense fields).
    const auto h = parseXLogRecordHeader(rec);
    if (!h) {
        into.detail = fmt::format("not an XLogRecord: {}, shorter than its 24-byte header", bytesCount(rec.size()));
        return;
    }
    if (h->totLen != rec.size()) {
        into.detail = fmt::format("not laid out as an XLogRecord: xl_tot_len would be {}, the record holds {}",
                                  h->totLen, bytesCount(rec.size()));
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
    const std::string values[] = {fmt::format("{}", h->totLen), fmt::format("{}", h->xid), Lsn{h->prev}.toString(),
                                  fmt::format("0x{:02x}", h->info), fmt::format("{} ({})", h->rmid, rmgrName(h->rmid)),
                                  "", fmt::format("0x{:08x}", h->crc)};
    const std::uint32_t crc = xlogRecordCrc(rec);
    std::size_t i = 0;
    for (const ByteField &f : kXLogRecordFields) {
        Field lf = leaf(f.name, base + f.offset, f.length, values[i++]);
        if (std::string_view(f.name) == "xl_crc") {
            lf.detail = crc == h->crc ? "matches the record's CRC-32C" : fmt::format("the record's CRC-32C is 0x{:08x}", crc);
            if (crc != h->crc)
                lf.error = "CRC mismatch";
        }
        hdr.children.push_back(std::move(lf));
    }
    into.children.push_back(std::move(hdr));
    std::vector<Field> parts;
    const auto d = decodeXLogRecord(rec, base);
    if (!d) {
        Field body = leaf("record body", base + kXLogRecordHeaderLen, rec.size() - kXLogRecordHeaderLen,
                          bytesCount(rec.size() - kXLogRecordHeaderLen));
        body.error = d.error().message();
        parts.push_back(std::move(body));
    } else {
        for (const XLogBlockRef &b : d->blocks) {
            static const char *const forks[] = {"main", "fsm", "vm", "init"};
            const std::string fork = b.fork() < 4 ? forks[b.fork()] : fmt::format("fork {}", b.fork());
            std::string what = fmt::format("rel {}/{}/{} {} blk {}", b.spcOid, b.dbOid, b.relNumber, fork, b.blockNumber);
            if (b.hasImage)
                what += b.applyImage ? ", full-page image" : ", page image (not applied)";
            if (b.willInit)
                what += ", will init";
            FileOffset at = b.headerAt;
            Field g = group(fmt::format("block #{}", b.id), at, 0, what);
            g.children.push_back(leaf("block id", at, 1, fmt::format("{}", b.id)));
            g.children.push_back(leaf("fork_flags", at + 1, 1,
                                      fmt::format("0x{:02x}: {}{}{}{}{}", b.forkFlags, fork, b.hasImage ? " HAS_IMAGE" : "",
                                                  b.hasData ? " HAS_DATA" : "", b.willInit ? " WILL_INIT" : "",
                                                  b.sameRel ? " SAME_REL" : "")));
            g.children.push_back(leaf("data_length", at + 2, 2, fmt::format("{}", b.dataLength)));
            at += 4;
            if (b.hasImage) {
                g.children.push_back(leaf("bimg_len", at, 2, fmt::format("{}", b.imageLength)));
                g.children.push_back(leaf("hole_offset", at + 2, 2, fmt::format("{}", b.holeOffset)));
                g.children.push_back(leaf("bimg_info", at + 4, 1,
                                          fmt::format("0x{:02x}:{}{}{}", b.imageInfo, b.hasHole ? " HAS_HOLE" : "",
                                                      b.applyImage ? " APPLY" : "", b.compressed ? " COMPRESSED" : "")));
                at += 5;
                if (b.hasHole && b.compressed) {
                    g.children.push_back(leaf("hole_length", at, 2, fmt::format("{}", b.holeLength)));
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
            parts.push_back(leaf("main data header", at, shortHeader ? 2 : 5, fmt::format("{} bytes", d->mainDataLength)));
        }
        for (const XLogBlockRef &b : d->blocks) {
            if (b.hasImage)
                parts.push_back(leaf(fmt::format("block #{} image", b.id), b.imageAt, b.imageLength,
                                     fmt::format("{}{}", bytesCount(b.imageLength),
                                                 b.hasHole ? fmt::format(", hole at {} of {}", b.holeOffset, b.holeLength) : "")));
            if (b.dataLength)
                parts.push_back(leaf(fmt::format("block #{} data", b.id), b.dataAt, b.dataLength, bytesCount(b.dataLength)));
        }
        if (d->mainDataLength)
            parts.push_back(leaf("main data", d->mainDataAt, d->mainDataLength, bytesCount(d->mainDataLength)));
    }
    for (Field &f : parts) {
        f.decompressed = decompressed;
        for (Field &c : f.children)
            c.decompressed = decompressed;
        into.children.push_back(std::move(f));
    }
    into.detail = fmt::format("{}, xid {}{}", kind, h->xid,
                              d ? fmt::format(", {} block{}", d->blocks.size(), d->blocks.size() == 1 ? "" : "s") : "");
}

/// A delta value (Value grammar) laid out into `into`, at `base` (file or decompressed space).
void dissectValue(Field &into, Bytes payload, FileOffset base, bool decompressed)
{
    Cursor c(payload, base);
    DissectSink sink(into, payload, base, decompressed);
    ValueShape shape;
    Value unused;
    const bool ok = grammar::parseValue(c, sink, shape, unused);
    // Inside the buffers the grammar found: a page image, a Postgres WAL record.
    auto visit = [&](auto &self, Field &f) -> void {
        for (Field &child : f.children) {
            if (child.name == "Image" || child.name == "Postgres") {
                for (Field &buf : child.children)
                    if ((buf.name == "Image bytes" || buf.name == "rec") && buf.children.size() == 2) {
                        Field &data = buf.children[1];
                        const Bytes b = payload.subspan(data.offset - base, data.length);
                        if (child.name == "Image")
                            dissectPage(data, b, data.offset, decompressed);
                        else
                            dissectXLogRecord(data, b, data.offset, decompressed);
                    }
            }
            self(self, child);
        }
    };
    visit(visit, into);
    if (ok) {
        into.value = shape.isImage ? fmt::format("Image, {}", bytesCount(shape.imageLen))
                                   : fmt::format("WalRecord {}{}", recordTagName(shape.recordTag),
                                                 shape.willInit ? ", will_init" : "");
    } else {
        into.error = c.error().message();
        into.value = "does not decode as a Value";
        // The field read at the error's offset (a tag with an unknown value) carries it too.
        auto blame = [&](auto &self, Field &f) -> Field * {
            for (Field &ch : f.children)
                if (c.error().offset >= ch.offset && c.error().offset < ch.end())
                    return self(self, ch);
            return &f;
        };
        if (Field *b = blame(blame, into); b != &into && b->error.empty())
            b->error = c.error().message();
        const FileOffset stop = std::max(c.error().offset, base);
        std::uint64_t covered = 0;
        for (const Field &f : into.children)
            covered = std::max(covered, f.end() - base);
        if (covered < payload.size()) {
            Field rest = unparsed(base + covered, payload.size() - covered,
                                  fmt::format("not read after the error at {}", stop));
            rest.decompressed = decompressed;
            into.children.push_back(std::move(rest));
        }
    }
}

} // namespace

DissectContext DissectContext::of(Bytes file, std::optional<LayerKind> kindHint)
{
    DissectContext ctx;
    ctx.file = file;
    if (auto s = Summary::decode(file.first(std::min<std::uint64_t>(file.size(), kBlockSize)))) {
        ctx.summary = *s;
        ctx.kind = s->kind;
        ctx.indexStartBlk = s->indexStartBlk;
        ctx.indexRootBlk = s->indexRootBlk;
    } else {
        // No magic: lay out the rest of the summary as the hinted kind, whose index fields
        // may well be intact.
        if (kindHint)
            ctx.kind = *kindHint;
        const SummaryField start = summaryField(ctx.kind, SummaryFieldId::IndexStart);
        const SummaryField root = summaryField(ctx.kind, SummaryFieldId::IndexRoot);
        if (root.offset + root.length <= file.size()) {
            ctx.indexStartBlk = readBe32(file.data() + start.offset);
            ctx.indexRootBlk = readBe32(file.data() + root.offset);
        }
    }
    ctx.keyLen = ctx.kind == LayerKind::Image ? Key::kSize : kDeltaIndexKeyLen;
    return ctx;
}

Field dissectSummary(const DissectContext &ctx)
{
    const Bytes file = ctx.file;
    const std::uint64_t blockLen = std::min<std::uint64_t>(file.size(), kBlockSize);
    const std::size_t len = ctx.kind == LayerKind::Image ? kImageSummaryLen : kDeltaSummaryLen;
    Field root = group("summary", 0, std::min<std::uint64_t>(len, blockLen));
    const SummaryFieldId ids[] = {SummaryFieldId::Magic,    SummaryFieldId::Version,  SummaryFieldId::Tenant,
                                  SummaryFieldId::Timeline, SummaryFieldId::KeyStart, SummaryFieldId::KeyEnd,
                                  SummaryFieldId::LsnStart, SummaryFieldId::LsnEnd,   SummaryFieldId::IndexStart,
                                  SummaryFieldId::IndexRoot};
    for (SummaryFieldId id : ids) {
        const SummaryField sf = summaryField(ctx.kind, id);
        if (sf.length == 0)
            continue;
        Field f = leaf(sf.name, sf.offset, sf.length, {});
        if (sf.offset + sf.length > file.size()) {
            f.error = fmt::format("beyond the end of the file ({})", bytesCount(file.size()));
            root.children.push_back(std::move(f));
            continue;
        }
        const std::uint8_t *p = file.data() + sf.offset;
        switch (id) {
        case SummaryFieldId::Magic: {
            const std::uint16_t m = readBe16(p);
            f.value = fmt::format("0x{:04X}", m);
            if (m == kImageMagic)
                f.value += " (image)";
            else if (m == kDeltaMagic)
                f.value += " (delta)";
            else
                f.error = fmt::format("expected 0x5A60 (image) or 0x5A61 (delta); laid out as {}",
                                      ctx.kind == LayerKind::Image ? "an image" : "a delta");
            break;
        }
        case SummaryFieldId::Version: f.value = fmt::format("{}", readBe16(p)); break;
        case SummaryFieldId::Tenant:
        case SummaryFieldId::Timeline: f.value = Id128::fromBytes(p).toHex(); break;
        case SummaryFieldId::KeyStart:
        case SummaryFieldId::KeyEnd: {
            const Key k = Key::fromBytes(p);
            f.value = fmt::format("{} ({})", k.toHex(), k.describe());
            break;
        }
        case SummaryFieldId::LsnStart:
        case SummaryFieldId::LsnEnd: f.value = Lsn{readBe64(p)}.toString(); break;
        case SummaryFieldId::IndexStart:
        case SummaryFieldId::IndexRoot: {
            const std::uint32_t v = readBe32(p);
            f.value = fmt::format("{}", v);
            const std::uint64_t blocks = file.size() / kBlockSize;
            if (id == SummaryFieldId::IndexStart && (v < 1 || v >= blocks))
                f.error = fmt::format("outside the file's {} blocks", blocks);
            if (id == SummaryFieldId::IndexRoot && std::uint64_t(readBe32(file.data() + summaryField(ctx.kind, SummaryFieldId::IndexStart).offset)) + v >= blocks)
                f.error = "btree node beyond file";
            break;
        }
        }
        root.children.push_back(std::move(f));
    }
    if (blockLen > len)
        root.children.push_back(padding(file, len, blockLen - len));
    root.length = blockLen;
    root.value = ctx.kind == LayerKind::Image ? "image layer summary" : "delta layer summary";
    if (file.size() < kBlockSize)
        root.error = fmt::format("the file is {}, shorter than the 8192-byte summary block", bytesCount(file.size()));
    return root;
}

Field dissectNode(const DissectContext &ctx, std::uint32_t relBlock)
{
    const FileOffset at = (FileOffset(ctx.indexStartBlk) + relBlock) * kBlockSize;
    Field root = group(fmt::format("node {}", relBlock), at, kBlockSize);
    if (at + kBlockSize > ctx.file.size()) {
        root.length = at < ctx.file.size() ? ctx.file.size() - at : 0;
        root.error = fmt::format("block {} is beyond the end of the file ({}): btree node beyond file",
                                 std::uint64_t(ctx.indexStartBlk) + relBlock, bytesCount(ctx.file.size()));
        return root;
    }
    const Bytes block = ctx.file.subspan(at, kBlockSize);
    Field header = group("header", at, NodeView::kHeaderLen);
    for (const ByteField &f : kNodeHeaderFields) {
        const std::uint64_t v = f.length == 2 ? readBe16(block.data() + f.offset) : block[f.offset];
        header.children.push_back(leaf(f.name, at + f.offset, f.length, fmt::format("{}", v)));
    }
    // The geometry without the internal markers: a bad marker is shown on its value below.
    auto decoded = decodeNodeLayout(block, relBlock, at, ctx.keyLen);
    if (!decoded) {
        // Name the header field at fault, then show the rest as unread.
        const Error &e = decoded.error();
        Field *blame = nullptr;
        for (Field &f : header.children)
            if (e.offset >= f.offset && e.offset < f.end())
                blame = &f;
        if (!blame)
            blame = &header.children.front();
        blame->error = e.message();
        // prefix_len + suffix_len is checked as a sum: either byte may be the damaged one.
        if (blame->name == kNodeHeaderFields[2].name)
            header.children[3].error = e.message();
        root.children.push_back(std::move(header));
        root.children.push_back(unparsed(at + NodeView::kHeaderLen, kBlockSize - NodeView::kHeaderLen,
                                         "the header does not describe a node"));
        root.error = e.message();
        return root;
    }
    const NodeView &n = *decoded;
    header.value = fmt::format("{} entries, level {} ({})", n.count, n.level, n.isLeaf() ? "leaf" : "internal");
    root.value = header.value;
    root.children.push_back(std::move(header));
    if (n.prefixLen)
        root.children.push_back(leaf("prefix", n.prefixOffset(), n.prefixLen, toHex(n.prefix)));
    Field keys = group("keys", n.suffixOffset(0), std::uint64_t(n.count) * n.suffixLen, fmt::format("{} suffixes of {}", n.count, bytesCount(n.suffixLen)));
    for (std::size_t i = 0; i < n.count; ++i) {
        Field k = leaf(fmt::format("key {}", i), n.suffixOffset(i), n.suffixLen, toHex(n.key(i).view()));
        k.detail = describeKeyBytes(n.key(i).view());
        keys.children.push_back(std::move(k));
    }
    if (n.suffixLen)
        root.children.push_back(std::move(keys));
    const bool delta = ctx.kind == LayerKind::Delta;
    Field values = group("values", n.valueOffset(0), std::uint64_t(n.count) * NodeView::kValueLen,
                         n.isLeaf() ? "blob pointers" : "child pointers");
    for (std::size_t i = 0; i < n.count; ++i) {
        const std::uint64_t raw = n.value(i);
        Field v = leaf(fmt::format("value {}", i), n.valueOffset(i), NodeView::kValueLen, toHex(n.rawValue(i)));
        if (!n.isLeaf()) {
            v.detail = fmt::format("child {}", n.child(i));
            v.children.push_back(leaf("marker", n.valueOffset(i), 1, fmt::format("0x{:02x}", n.values[i * 5])));
            v.children.push_back(leaf("child block", n.valueOffset(i) + 1, 4, fmt::format("{}", n.child(i))));
            if (n.values[i * 5] != 0x80)
                v.children.front().error = "expected the internal value marker 0x80";
        } else if (raw > kBtreeMaxLeafValue) {
            v.error = "leaf value above 0x7fffffffff (top bit set)";
        } else {
            v.detail = delta ? fmt::format("blob at {}{}", raw >> 1, raw & 1 ? ", will_init" : "")
                             : fmt::format("blob at {}", raw);
        }
        values.children.push_back(std::move(v));
    }
    root.children.push_back(std::move(values));
    const std::uint64_t used = n.usedBytes();
    if (used < kBlockSize)
        root.children.push_back(padding(ctx.file, at + used, kBlockSize - used));
    return root;
}

Field dissectBlob(const DissectContext &ctx, FileOffset blobAt)
{
    const Bytes file = ctx.file;
    const FileOffset valuesEnd = std::min<FileOffset>(FileOffset(ctx.indexStartBlk) * kBlockSize, file.size());
    Field root = group("blob", blobAt, 0);
    auto h = readBlobHeader(file, blobAt, kBlockSize, valuesEnd);
    if (!h) {
        root.error = h.error().message();
        root.length = blobAt < file.size() ? std::min<std::uint64_t>(4, file.size() - blobAt) : 0;
        if (root.length) {
            root.children.push_back(leaf("header", blobAt, root.length, hexShort(file.subspan(blobAt, root.length))));
            root.children.back().error = root.error;
        }
        return root;
    }
    root.length = h->end() - blobAt;
    Field header = leaf("header", blobAt, h->headerLen,
                        fmt::format("{} stored{}", bytesCount(h->storedLen),
                                    h->compression == Compression::Zstd ? ", zstd" : ""));
    if (h->headerLen == 4)
        header.children.push_back(leaf("length and compression bits", blobAt, 4,
                                       fmt::format("0x{:02x} | {}", h->bits, h->storedLen)));
    root.children.push_back(std::move(header));
    const Bytes stored = storedPayload(file, *h);
    Field payload = group(h->compression == Compression::Zstd ? "zstd frame" : "payload", h->payloadOffset(), h->storedLen,
                          bytesCount(h->storedLen));
    Bytes content = stored;
    ByteVector inflated;
    bool decompressed = false;
    FileOffset base = h->payloadOffset();
    if (h->compression == Compression::Zstd) {
        auto d = decodePayload(file, *h);
        if (!d) {
            payload.error = d.error().message();
            root.children.push_back(std::move(payload));
            return root;
        }
        inflated = std::move(*d);
        content = inflated;
        decompressed = true;
        base = 0;
        payload.value = fmt::format("{} → {} decompressed", bytesCount(h->storedLen), bytesCount(inflated.size()));
    }
    Field value = group(ctx.kind == LayerKind::Image ? "page" : "value", base, content.size());
    value.decompressed = decompressed;
    if (ctx.kind == LayerKind::Image)
        dissectPage(value, content, base, decompressed);
    else
        dissectValue(value, content, base, decompressed);
    if (decompressed)
        payload.children.push_back(std::move(value));
    else
        payload.children = {std::move(value)};
    root.value = payload.children.empty() ? payload.value : payload.children.back().value;
    root.children.push_back(std::move(payload));
    return root;
}

Result<Field> dissectEntry(const DissectContext &ctx, std::uint64_t position)
{
    const BTreeReader tree(ctx.file, ctx.indexStartBlk, ctx.indexRootBlk, ctx.keyLen);
    struct V : TreeVisitor
    {
        std::uint64_t want;
        std::uint64_t seen = 0;
        std::optional<NodeView> leafNode;
        std::size_t index = 0;
        WalkAction enter(const NodeView &n, const WalkLink &)
        {
            // Whole leaves before the wanted position are counted, not walked.
            if (n.isLeaf() && seen + n.count <= want) {
                seen += n.count;
                return WalkAction::Skip;
            }
            return WalkAction::Descend;
        }
        bool entry(const NodeView &n, std::size_t i, Bytes, std::uint64_t)
        {
            if (seen++ < want)
                return true;
            leafNode = n;
            index = i;
            return false;
        }
    } v;
    v.want = position;
    TreeWalk<V> walk(tree, v);
    if (auto s = walk.run(); !s)
        return s.error();
    if (!v.leafNode)
        return makeError(0, fmt::format("entry {}", position), fmt::format("an index of {} entries", v.seen));
    const NodeView &n = *v.leafNode;
    const std::size_t i = v.index;
    const IndexKey key = n.key(i);
    const std::uint64_t raw = n.value(i);
    const bool delta = ctx.kind == LayerKind::Delta;
    Field root = group(fmt::format("entry {}", position), n.suffixOffset(i), 0, describeKeyBytes(key.view()));
    Field in = group(fmt::format("in leaf node {}", n.block), n.suffixOffset(i), 0);
    Field k = leaf("key suffix", n.suffixOffset(i), n.suffixLen, toHex(n.suffix(i)));
    k.detail = n.prefixLen ? fmt::format("key {} (the node's prefix {} at {} ‖ this suffix)", toHex(key.view()),
                                         toHex(n.prefix), n.prefixOffset())
                           : fmt::format("key {}", toHex(key.view()));
    in.children.push_back(std::move(k));
    Field val = leaf("value", n.valueOffset(i), NodeView::kValueLen, toHex(n.rawValue(i)));
    const FileOffset blobAt = delta ? raw >> 1 : raw;
    if (raw > kBtreeMaxLeafValue)
        val.error = "leaf value above 0x7fffffffff (top bit set)";
    else
        val.detail = delta ? fmt::format("blob at {}{}", blobAt, raw & 1 ? ", will_init" : "")
                           : fmt::format("blob at {}", blobAt);
    in.children.push_back(std::move(val));
    root.children.push_back(std::move(in));
    if (raw <= kBtreeMaxLeafValue)
        root.children.push_back(dissectBlob(ctx, blobAt));
    return root;
}

Result<Field> dissectOffset(const DissectContext &ctx, FileOffset at)
{
    if (at >= ctx.file.size())
        return makeError(at, fmt::format("an offset inside the file of {}", bytesCount(ctx.file.size())),
                         fmt::format("{}", at));
    if (at < kBlockSize)
        return dissectSummary(ctx);
    const FileOffset indexAt = FileOffset(ctx.indexStartBlk) * kBlockSize;
    if (ctx.indexStartBlk > 0 && at >= indexAt)
        return dissectNode(ctx, std::uint32_t(at / kBlockSize - ctx.indexStartBlk));
    // The value area: the entry whose blob holds `at` (blobs are in index order).
    const BTreeReader tree(ctx.file, ctx.indexStartBlk, ctx.indexRootBlk, ctx.keyLen);
    const bool delta = ctx.kind == LayerKind::Delta;
    std::optional<std::uint64_t> found;
    std::uint64_t position = 0;
    auto s = forEachEntry(tree, WalkOrder{}, [&](Bytes, std::uint64_t raw) {
        const FileOffset blobAt = delta ? raw >> 1 : raw;
        if (blobAt <= at) {
            auto h = readBlobHeader(ctx.file, blobAt, kBlockSize, indexAt);
            if (h && at < h->end()) {
                found = position;
                return false;
            }
        }
        ++position;
        return true;
    });
    if (!s)
        return s.error();
    if (!found)
        return makeError(at, "a byte of a blob an index entry points at",
                         "a byte of the value area no entry's blob covers");
    return dissectEntry(ctx, *found);
}

void attachProblems(Field &root, const std::vector<Problem> &problems)
{
    auto attach = [](auto &self, Field &f, FileOffset from, FileOffset to, const std::string &text) -> bool {
        if (f.decompressed)
            return false;
        // A group without bytes of its own (an entry: its key, its blob) holds what its children hold.
        const bool container = f.length == 0 && !f.children.empty();
        const bool overlaps = from == to ? (from >= f.offset && from < f.end()) : (from < f.end() && to > f.offset);
        if (!overlaps && !container)
            return false;
        bool inChild = false;
        for (Field &c : f.children)
            inChild = self(self, c, from, to, text) || inChild;
        if (!inChild && !container)
            f.problems.push_back(text);
        return inChild || !container;
    };
    for (const Problem &p : problems)
        attach(attach, root, p.offset, p.offset + p.length, fmt::format("{}[{}]: {}", severityName(p.severity), p.check, p.message));
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
