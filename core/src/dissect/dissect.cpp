#include <layerscope/dissect/dissect.h>

#include "fields.h"
#include "pg_fields.h"

#include <layerscope/format/blob.h>
#include <layerscope/format/pg_page.h>
#include <layerscope/format/sparse_value.h>
#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/index/btree.h>
#include <layerscope/index/tree_walk.h>
#include <layerscope/redo/heap_tuple.h>
#include <layerscope/redo/pg_redo.h>

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

using namespace dissect_fields;

namespace {

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
            return fmt::format("{} ({})",
                               v,
                               recordTagName(RecordTag(v)) ? recordTagName(RecordTag(v))
                                                           : "unknown");
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
            d.content = !utf8;
            f.children.push_back(std::move(d));
        }
        return true;
    }

    Bytes m_payload;
    FileOffset m_base;
    bool m_decompressed;
    std::vector<Field *> m_open;
};

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

Field dissectBlob(const DissectContext &ctx, FileOffset blobAt, const std::optional<Key> &key)
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
    const auto sparse = key && ctx.kind == LayerKind::Image ? decodeSparseValue(*key, content)
                                                            : std::nullopt;
    Field value = group(ctx.kind == LayerKind::Image && !sparse ? "page" : "value",
                        base,
                        content.size());
    value.decompressed = decompressed;
    if (sparse) {
        value.value = sparse->error.empty() ? sparse->meaning : sparse->error;
        value.error = sparse->error;
        value.content = !sparse->tombstone;
        std::uint64_t at = 1;
        for (const auto &[path, size] : sparse->auxFiles) {
            Field file = group(fmt::format("aux file {}", path),
                               base + at,
                               8 + path.size() + size,
                               bytesCount(size));
            file.decompressed = decompressed;
            Field data = leaf("content", base + at + 8 + path.size(), size, bytesCount(size));
            data.decompressed = decompressed;
            data.content = true;
            file.children.push_back(std::move(data));
            value.children.push_back(std::move(file));
            at += 8 + path.size() + size;
        }
    } else if (ctx.kind == LayerKind::Image) {
        dissectPage(value, content, base, decompressed);
    } else {
        dissectValue(value, content, base, decompressed);
    }
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
        root.children.push_back(dissectBlob(ctx,
                                            blobAt,
                                            key.view().size() >= Key::kSize
                                                ? std::optional(Key::fromBytes(key.view().data()))
                                                : std::nullopt));
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

} // namespace layerscope
