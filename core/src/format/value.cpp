#include <layerscope/format/value.h>

#include <layerscope/format/value_grammar.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace layerscope {

namespace {
const char *const kRecordNames[] = {"Postgres",
                                    "ClearVisibilityMapFlags",
                                    "ClogSetCommitted",
                                    "ClogSetAborted",
                                    "MultixactOffsetCreate",
                                    "MultixactMembersCreate",
                                    "AuxFile",
                                    "TruncateVisibilityMap",
                                    "Test"};
static_assert(std::size(kRecordNames) == kRecordTagCount);

void encodeU32Vec(ByteVector &out, const std::vector<std::uint32_t> &v)
{
    appendBe64(out, v.size());
    for (auto x : v)
        appendBe32(out, x);
}
void encodeBuffer(ByteVector &out, Bytes b)
{
    appendBe64(out, b.size());
    appendBytes(out, b);
}
void encodeString(ByteVector &out, const std::string &s)
{
    encodeBuffer(out, Bytes(reinterpret_cast<const std::uint8_t *>(s.data()), s.size()));
}
template<class... Ts>
struct Overload : Ts...
{
    using Ts::operator()...;
};
template<class... Ts>
Overload(Ts...) -> Overload<Ts...>;
} // namespace

const char *recordName(const NeonWalRecord &rec)
{
    return kRecordNames[rec.index()];
}

const char *recordTagName(RecordTag tag)
{
    return std::uint32_t(tag) < kRecordTagCount ? kRecordNames[std::uint32_t(tag)] : nullptr;
}

bool Value::willInit() const
{
    if (isImage())
        return true;
    if (const auto *pg = std::get_if<wal::Postgres>(&record()))
        return pg->willInit;
    if (const auto *t = std::get_if<wal::Test>(&record()))
        return t->willInit;
    return false;
}

Result<ValueShape> scanValue(Bytes data, FileOffset base)
{
    Cursor c(data, base);
    grammar::ScanSink sink;
    ValueShape shape;
    Value unused;
    if (!grammar::parseValue(c, sink, shape, unused))
        return c.error();
    return shape;
}

Result<Value> decodeValue(Bytes data, FileOffset base)
{
    Cursor c(data, base);
    grammar::DecodeSink sink;
    ValueShape shape;
    Value v;
    if (!grammar::parseValue(c, sink, shape, v))
        return c.error();
    return v;
}

void encodeRecord(const NeonWalRecord &rec, ByteVector &out)
{
    appendBe32(out, std::uint32_t(rec.index()));
    std::visit(Overload{
                   [&](const wal::Postgres &r) {
                       out.push_back(r.willInit ? 1 : 0);
                       encodeBuffer(out, r.rec);
                   },
                   [&](const wal::ClearVisibilityMapFlags &r) {
                       for (const auto &o : {r.newHeapBlkno, r.oldHeapBlkno}) {
                           out.push_back(o ? 1 : 0);
                           if (o)
                               appendBe32(out, *o);
                       }
                       out.push_back(r.flags);
                   },
                   [&](const wal::ClogSetCommitted &r) {
                       encodeU32Vec(out, r.xids);
                       appendBe64(out, std::uint64_t(r.timestamp));
                   },
                   [&](const wal::ClogSetAborted &r) { encodeU32Vec(out, r.xids); },
                   [&](const wal::MultixactOffsetCreate &r) {
                       appendBe32(out, r.mid);
                       appendBe32(out, r.moff);
                   },
                   [&](const wal::MultixactMembersCreate &r) {
                       appendBe32(out, r.moff);
                       appendBe64(out, r.members.size());
                       for (const auto &m : r.members) {
                           appendBe32(out, m.xid);
                           appendBe32(out, m.status);
                       }
                   },
                   [&](const wal::AuxFile &r) {
                       encodeString(out, r.filePath);
                       out.push_back(r.content ? 1 : 0);
                       if (r.content)
                           encodeBuffer(out, *r.content);
                   },
                   [&](const wal::TruncateVisibilityMap &r) {
                       appendBe64(out, r.truncByte);
                       appendBe64(out, r.truncOffs);
                   },
                   [&](const wal::Test &r) {
                       encodeString(out, r.append);
                       out.push_back(r.clear ? 1 : 0);
                       out.push_back(r.willInit ? 1 : 0);
                       out.push_back(r.onlyIf ? 1 : 0);
                       if (r.onlyIf)
                           encodeString(out, *r.onlyIf);
                   },
               },
               rec);
}

void encodeValue(const Value &value, ByteVector &out)
{
    if (value.isImage()) {
        appendBe32(out, 0);
        encodeBuffer(out, value.image());
    } else {
        appendBe32(out, 1);
        encodeRecord(value.record(), out);
    }
}

ByteVector encodeValue(const Value &value)
{
    ByteVector out;
    encodeValue(value, out);
    return out;
}

namespace {
std::string optU32(const std::optional<std::uint32_t> &o)
{
    return o ? fmt::format("Some({})", *o) : "None";
}
std::string u32List(const std::vector<std::uint32_t> &v)
{
    return fmt::format("[{}]", fmt::join(v, ", "));
}
} // namespace

std::string describeRecord(const NeonWalRecord &rec)
{
    return std::visit(
        Overload{
            [](const wal::Postgres &r) {
                auto h = parseXLogRecordHeader(r.rec);
                return fmt::format("Postgres {{ will_init: {}, rec: {} bytes{} }}", r.willInit,
                                   r.rec.size(),
                                   h ? fmt::format(", {} xid {}", pagectlRecordKind(*h), h->xid)
                                     : std::string());
            },
            [](const wal::ClearVisibilityMapFlags &r) {
                return fmt::format("ClearVisibilityMapFlags {{ new_heap_blkno: {}, "
                                   "old_heap_blkno: {}, flags: {} }}",
                                   optU32(r.newHeapBlkno), optU32(r.oldHeapBlkno), r.flags);
            },
            [](const wal::ClogSetCommitted &r) {
                return fmt::format("ClogSetCommitted {{ xids: {}, timestamp: {} }}",
                                   u32List(r.xids), r.timestamp);
            },
            [](const wal::ClogSetAborted &r) {
                return fmt::format("ClogSetAborted {{ xids: {} }}", u32List(r.xids));
            },
            [](const wal::MultixactOffsetCreate &r) {
                return fmt::format("MultixactOffsetCreate {{ mid: {}, moff: {} }}", r.mid, r.moff);
            },
            [](const wal::MultixactMembersCreate &r) {
                std::string m;
                for (const auto &x : r.members)
                    m += fmt::format("{}MultiXactMember {{ xid: {}, status: {} }}",
                                     m.empty() ? "" : ", ", x.xid, x.status);
                return fmt::format("MultixactMembersCreate {{ moff: {}, members: [{}] }}", r.moff,
                                   m);
            },
            [](const wal::AuxFile &r) {
                return fmt::format("AuxFile {{ file_path: \"{}\", content: {} }}", r.filePath,
                                   r.content ? fmt::format("Some({} bytes)", r.content->size())
                                             : std::string("None"));
            },
            [](const wal::TruncateVisibilityMap &r) {
                return fmt::format("TruncateVisibilityMap {{ trunc_byte: {}, trunc_offs: {} }}",
                                   r.truncByte, r.truncOffs);
            },
            [](const wal::Test &r) {
                return fmt::format("Test {{ append: \"{}\", clear: {}, will_init: {}, only_if: {} }}",
                                   r.append, r.clear, r.willInit,
                                   r.onlyIf ? fmt::format("Some(\"{}\")", *r.onlyIf)
                                            : std::string("None"));
            },
        },
        rec);
}

std::string rmgrName(std::uint8_t rmid)
{
    static const char *const names[] = {"XLOG",     "Transaction", "Storage",    "CLOG",
                                        "Database", "Tablespace",  "MultiXact",  "RelMap",
                                        "Standby",  "Heap2",       "Heap",       "Btree",
                                        "Hash",     "Gin",         "Gist",       "Sequence",
                                        "SPGist",   "BRIN",        "CommitTs",   "ReplicationOrigin",
                                        "Generic",  "LogicalMessage"};
    if (rmid < std::size(names))
        return names[rmid];
    if (rmid == 134)
        return "Neon";
    return fmt::format("rmgr {}", rmid);
}

std::string pagectlRecordKind(const XLogRecordHeader &h)
{
    if (h.rmid == 10) {
        switch (h.info & 0x70) {
        case 0x00: return "HEAP INSERT";
        case 0x10: return "HEAP DELETE";
        case 0x20: return "HEAP UPDATE";
        case 0x40: return "HEAP HOT_UPDATE";
        default: return fmt::format("HEAP2 UNKNOWN_0x{:02x}", h.info & 0x70);
        }
    }
    if (h.rmid == 9) {
        switch (h.info & 0x70) {
        case 0x50: return "HEAP2 MULTI_INSERT";
        case 0x40: return "HEAP2 VISIBLE";
        default: return fmt::format("HEAP2 UNKNOWN_0x{:02x}", h.info & 0x70);
        }
    }
    if (h.rmid == 0) {
        switch (h.info & 0xF0) {
        case 0xB0: return "XLOG FPI";
        case 0xA0: return "XLOG FPI_FOR_HINT";
        default: return fmt::format("XLOG UNKNOWN_0x{:02x}", h.info & 0xF0);
        }
    }
    return fmt::format("UNKNOWN_RM_{} INFO_0x{:02x}", h.rmid, h.info & 0xF0);
}

} // namespace layerscope
