#pragma once

// The Value / NeonWalRecord grammar (FORMAT.md §6), written once. Every reader of delta
// values — decodeValue (builds a Value), scanValue (checks and measures, allocates nothing)
// and the dissection (records a field per primitive) — instantiates parseValue with its sink.
//
// A sink reads each primitive through the Cursor and may store it:
//   bool u8/u32/u64/i64/boolean(Cursor &, const char *what, T &out)
//   bool option(Cursor &, const char *what, bool &some)       // Option tag byte
//   bool count(Cursor &, const char *what, std::size_t elementSize, std::uint64_t &n)
//   bool bytes(Cursor &, const char *what, ByteVector &out)   // u64 length + bytes
//   bool text(Cursor &, const char *what, std::string &out)   // u64 length + UTF-8
//   void open(const char *name, FileOffset at); void close(FileOffset end)   // groups
//   static constexpr bool kBuild   // whether the grammar assembles a Value
// Errors are the cursor's (first error wins); the grammar stops at the first one.

#include <layerscope/base/bytes.h>
#include <layerscope/format/value.h>

#include <fmt/format.h>

namespace layerscope::grammar {

inline constexpr std::uint32_t kValueImage = 0;
inline constexpr std::uint32_t kValueWalRecord = 1;

template<class S, class T>
bool list(Cursor &c, S &s, const char *what, std::size_t elementSize, std::vector<T> &out,
          auto readOne)
{
    s.open(what, c.offset());
    std::uint64_t n = 0;
    bool ok = s.count(c, what, elementSize, n);
    if constexpr (S::kBuild)
        if (ok)
            out.reserve(n);
    for (std::uint64_t i = 0; ok && i < n; ++i) {
        T x{};
        ok = readOne(x);
        if constexpr (S::kBuild)
            if (ok)
                out.push_back(x);
    }
    s.close(c.offset());
    return ok;
}

template<class S>
bool optionalU32(Cursor &c, S &s, const char *what, std::optional<std::uint32_t> &out)
{
    bool some = false;
    if (!s.option(c, what, some))
        return false;
    if (!some)
        return true;
    std::uint32_t v = 0;
    if (!s.u32(c, what, v))
        return false;
    out = v;
    return true;
}

/// Fills `rec` (when S::kBuild) and shape.recordTag / shape.willInit.
template<class S>
bool parseRecord(Cursor &c, S &s, ValueShape &shape, NeonWalRecord &rec)
{
    const FileOffset tagAt = c.offset();
    std::uint32_t tag = 0;
    if (!s.u32(c, "NeonWalRecord tag", tag))
        return false;
    shape.recordTag = RecordTag(tag);
    const char *name = recordTagName(shape.recordTag);
    if (!name) {
        c.failAt(tagAt, fmt::format("NeonWalRecord tag 0..{}", kRecordTagCount - 1), fmt::format("{}", tag));
        return false;
    }
    s.open(name, c.offset());
    bool ok = false;
    switch (shape.recordTag) {
    case RecordTag::Postgres: {
        wal::Postgres r;
        ok = s.boolean(c, "Postgres.will_init", r.willInit);
        const std::size_t before = c.position();
        ok = ok && s.bytes(c, "Postgres.rec", r.rec);
        if (ok)
            shape.content = c.last(c.position() - before - 8);
        shape.willInit = r.willInit;
        if constexpr (S::kBuild)
            rec = std::move(r);
        break;
    }
    case RecordTag::ClearVisibilityMapFlags: {
        wal::ClearVisibilityMapFlags r;
        ok = optionalU32(c, s, "new_heap_blkno", r.newHeapBlkno) && optionalU32(c, s, "old_heap_blkno", r.oldHeapBlkno)
             && s.u8(c, "flags", r.flags);
        if constexpr (S::kBuild)
            rec = r;
        break;
    }
    case RecordTag::ClogSetCommitted:
    case RecordTag::ClogSetAborted: {
        const bool committed = shape.recordTag == RecordTag::ClogSetCommitted;
        std::vector<std::uint32_t> xids;
        ok = list(c,
                  s,
                  committed ? "ClogSetCommitted.xids" : "ClogSetAborted.xids",
                  4,
                  xids,
                  [&](std::uint32_t &x) { return s.u32(c, "xid", x); });
        if (committed) {
            wal::ClogSetCommitted r;
            ok = ok && s.i64(c, "timestamp", r.timestamp);
            if constexpr (S::kBuild) {
                r.xids = std::move(xids);
                rec = std::move(r);
            }
        } else if constexpr (S::kBuild) {
            rec = wal::ClogSetAborted{std::move(xids)};
        }
        break;
    }
    case RecordTag::MultixactOffsetCreate: {
        wal::MultixactOffsetCreate r;
        ok = s.u32(c, "mid", r.mid) && s.u32(c, "moff", r.moff);
        if constexpr (S::kBuild)
            rec = r;
        break;
    }
    case RecordTag::MultixactMembersCreate: {
        wal::MultixactMembersCreate r;
        ok = s.u32(c, "moff", r.moff)
             && list(c, s, "members", 8, r.members, [&](wal::MultixactMember &m) {
                    return s.u32(c, "member xid", m.xid) && s.u32(c, "member status", m.status);
                });
        if constexpr (S::kBuild)
            rec = std::move(r);
        break;
    }
    case RecordTag::AuxFile: {
        wal::AuxFile r;
        bool some = false;
        ok = s.text(c, "AuxFile.file_path", r.filePath) && s.option(c, "AuxFile.content", some);
        if (ok && some) {
            ByteVector b;
            ok = s.bytes(c, "AuxFile.content", b);
            r.content = std::move(b);
        }
        if constexpr (S::kBuild)
            rec = std::move(r);
        break;
    }
    case RecordTag::TruncateVisibilityMap: {
        wal::TruncateVisibilityMap r;
        ok = s.u64(c, "trunc_byte", r.truncByte) && s.u64(c, "trunc_offs", r.truncOffs);
        if constexpr (S::kBuild)
            rec = r;
        break;
    }
    case RecordTag::Test: {
        wal::Test r;
        bool some = false;
        ok = s.text(c, "Test.append", r.append) && s.boolean(c, "Test.clear", r.clear)
             && s.boolean(c, "Test.will_init", r.willInit) && s.option(c, "Test.only_if", some);
        if (ok && some) {
            std::string t;
            ok = s.text(c, "Test.only_if", t);
            r.onlyIf = std::move(t);
        }
        shape.willInit = r.willInit;
        if constexpr (S::kBuild)
            rec = std::move(r);
        break;
    }
    }
    s.close(c.offset());
    return ok;
}

/// The whole value; trailing bytes are an error. Fills `out` when S::kBuild.
template<class S>
bool parseValue(Cursor &c, S &s, ValueShape &shape, Value &out)
{
    const FileOffset at = c.offset();
    std::uint32_t tag = 0;
    if (!s.u32(c, "Value tag", tag))
        return false;
    if (tag == kValueImage) {
        s.open("Image", c.offset());
        ByteVector img;
        const std::size_t before = c.position();
        const bool ok = s.bytes(c, "Image bytes", img);
        s.close(c.offset());
        if (!ok)
            return false;
        shape.isImage = true;
        shape.willInit = true;
        shape.imageLen = c.position() - before - 8;
        shape.content = c.last(shape.imageLen);
        if constexpr (S::kBuild)
            out.v = std::move(img);
    } else if (tag == kValueWalRecord) {
        s.open("WalRecord", c.offset());
        NeonWalRecord rec;
        const bool ok = parseRecord(c, s, shape, rec);
        s.close(c.offset());
        if (!ok)
            return false;
        if constexpr (S::kBuild)
            out.v = std::move(rec);
    } else {
        c.failAt(at, "Value tag 0 (Image) or 1 (WalRecord)", fmt::format("{}", tag));
        return false;
    }
    if (c.remaining() != 0) {
        c.fail("the end of the value", fmt::format("{} trailing bytes", c.remaining()));
        return false;
    }
    return true;
}

/// Builds values.
struct DecodeSink
{
    static constexpr bool kBuild = true;
    bool u8(Cursor &c, const char *w, std::uint8_t &v) { return c.u8(v, w); }
    bool u32(Cursor &c, const char *w, std::uint32_t &v) { return c.u32(v, w); }
    bool u64(Cursor &c, const char *w, std::uint64_t &v) { return c.u64(v, w); }
    bool i64(Cursor &c, const char *w, std::int64_t &v) { return c.i64(v, w); }
    bool boolean(Cursor &c, const char *w, bool &v) { return c.boolean(v, w); }
    bool option(Cursor &c, const char *w, bool &some) { return c.optionTag(some, w); }
    bool count(Cursor &c, const char *w, std::size_t size, std::uint64_t &n) { return c.count(n, size, w); }
    bool bytes(Cursor &c, const char *w, ByteVector &v) { return c.byteBuffer(v, w); }
    bool text(Cursor &c, const char *w, std::string &v) { return c.string(v, w); }
    void open(const char *, FileOffset) {}
    void close(FileOffset) {}
};

/// Checks and measures: buffers are skipped, nothing is stored.
struct ScanSink : DecodeSink
{
    static constexpr bool kBuild = false;
    bool bytes(Cursor &c, const char *w, ByteVector &) { return c.skipBuffer(w); }
    bool text(Cursor &c, const char *w, std::string &) { return c.skipBuffer(w, true); }
};

} // namespace layerscope::grammar
