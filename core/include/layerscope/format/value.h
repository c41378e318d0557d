#pragma once

#include <layerscope/base/bytes.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace layerscope {

/// NeonWalRecord variants (FORMAT.md §6.3); tag = index in the variant.
namespace wal {
struct Postgres
{
    bool willInit = false;
    ByteVector rec;
    bool operator==(const Postgres &) const = default;
};
struct ClearVisibilityMapFlags
{
    std::optional<std::uint32_t> newHeapBlkno;
    std::optional<std::uint32_t> oldHeapBlkno;
    std::uint8_t flags = 0;
    bool operator==(const ClearVisibilityMapFlags &) const = default;
};
struct ClogSetCommitted
{
    std::vector<std::uint32_t> xids;
    std::int64_t timestamp = 0;
    bool operator==(const ClogSetCommitted &) const = default;
};
struct ClogSetAborted
{
    std::vector<std::uint32_t> xids;
    bool operator==(const ClogSetAborted &) const = default;
};
struct MultixactOffsetCreate
{
    std::uint32_t mid = 0;
    std::uint32_t moff = 0;
    bool operator==(const MultixactOffsetCreate &) const = default;
};
struct MultixactMember
{
    std::uint32_t xid = 0;
    std::uint32_t status = 0;
    bool operator==(const MultixactMember &) const = default;
};
struct MultixactMembersCreate
{
    std::uint32_t moff = 0;
    std::vector<MultixactMember> members;
    bool operator==(const MultixactMembersCreate &) const = default;
};
struct AuxFile
{
    std::string filePath;
    std::optional<ByteVector> content;
    bool operator==(const AuxFile &) const = default;
};
/// [HEAD] tag 7.
struct TruncateVisibilityMap
{
    std::uint64_t truncByte = 0;
    std::uint64_t truncOffs = 0;
    bool operator==(const TruncateVisibilityMap &) const = default;
};
/// [HEAD] tag 8, test builds only.
struct Test
{
    std::string append;
    bool clear = false;
    bool willInit = false;
    std::optional<std::string> onlyIf;
    bool operator==(const Test &) const = default;
};
} // namespace wal

using NeonWalRecord = std::variant<wal::Postgres, wal::ClearVisibilityMapFlags,
                                   wal::ClogSetCommitted, wal::ClogSetAborted,
                                   wal::MultixactOffsetCreate, wal::MultixactMembersCreate,
                                   wal::AuxFile, wal::TruncateVisibilityMap, wal::Test>;

/// A NeonWalRecord's tag on disk: the index of its variant in NeonWalRecord.
enum class RecordTag : std::uint32_t {
    Postgres,
    ClearVisibilityMapFlags,
    ClogSetCommitted,
    ClogSetAborted,
    MultixactOffsetCreate,
    MultixactMembersCreate,
    AuxFile,
    TruncateVisibilityMap, ///< [HEAD]
    Test,                  ///< [HEAD], test builds only
};
/// Number of NeonWalRecord variants this reader knows (tags 0..8).
inline constexpr std::uint32_t kRecordTagCount = 9;
static_assert(std::variant_size_v<NeonWalRecord> == kRecordTagCount);

/// The tag of `rec`'s variant.
inline RecordTag recordTag(const NeonWalRecord &rec)
{
    return RecordTag(rec.index());
}
/// Variant name as Neon spells it ("Postgres", "ClogSetCommitted", ...).
const char *recordName(const NeonWalRecord &rec);
/// Variant name for a NeonWalRecord tag, or nullptr for an unknown tag.
const char *recordTagName(RecordTag tag);

/// A delta-layer value: an image or a WAL record.
struct Value
{
    std::variant<ByteVector, NeonWalRecord> v;

    bool isImage() const { return v.index() == 0; }
    const ByteVector &image() const { return std::get<0>(v); }
    const NeonWalRecord &record() const { return std::get<1>(v); }
    /// Neon's Value::will_init().
    bool willInit() const;
    bool operator==(const Value &) const = default;
};

/// What validation needs to know about a value, found without allocating.
struct ValueShape
{
    bool isImage = false;
    std::uint64_t imageLen = 0;  ///< image values
    RecordTag recordTag = RecordTag::Postgres; ///< WalRecord values: the NeonWalRecord tag
    bool willInit = false;
    /// The image's bytes or the Postgres record's `rec`, in place (a view into the scanned
    /// data); empty for other records.
    Bytes content;
};
/// Checks that `data` fully decodes as a Value (same rules and error offsets as decodeValue)
/// without copying anything.
Result<ValueShape> scanValue(Bytes data, FileOffset base);

/// Full decode (trailing bytes are an error). `base` is the absolute offset of data[0].
Result<Value> decodeValue(Bytes data, FileOffset base);
void encodeValue(const Value &value, ByteVector &out);
ByteVector encodeValue(const Value &value);
void encodeRecord(const NeonWalRecord &rec, ByteVector &out);

/// Rust-debug-like one-line description of a record (pagectl style).
std::string describeRecord(const NeonWalRecord &rec);

/// XLogRecord's fixed header, little-endian, in record order (2 bytes of padding after xl_rmid).
inline constexpr ByteField kXLogRecordFields[] = {
    {"xl_tot_len", 0, 4}, {"xl_xid", 4, 4}, {"xl_prev", 8, 8}, {"xl_info", 16, 1},
    {"xl_rmid", 17, 1},   {"padding", 18, 2}, {"xl_crc", 20, 4}};
inline constexpr std::size_t kXLogRecordHeaderLen = 24;

/// XLogRecord header (little-endian, first 24 bytes of a Postgres record).
struct XLogRecordHeader
{
    std::uint32_t totLen = 0;
    std::uint32_t xid = 0;
    std::uint64_t prev = 0;
    std::uint8_t info = 0;
    std::uint8_t rmid = 0;
    std::uint32_t crc = 0;
    bool operator==(const XLogRecordHeader &) const = default;
};
/// Reads the header into `h`; false (and `h` untouched) when `rec` is shorter. Inline, and
/// into its destination: the checks read a header per record, and a header copied through a
/// returned temporary costs a store-forwarding stall.
inline bool readXLogRecordHeader(Bytes rec, XLogRecordHeader &h)
{
    if (rec.size() < kXLogRecordHeaderLen)
        return false;
    const auto &[totF, xidF, prevF, infoF, rmidF, padF, crcF] = kXLogRecordFields;
    (void)padF;
    const std::uint8_t *p = rec.data();
    h.totLen = readLe32(p + totF.offset);
    h.xid = readLe32(p + xidF.offset);
    h.prev = std::uint64_t(readLe32(p + prevF.offset)) | (std::uint64_t(readLe32(p + prevF.offset + 4)) << 32);
    h.info = p[infoF.offset];
    h.rmid = p[rmidF.offset];
    h.crc = readLe32(p + crcF.offset);
    return true;
}
/// The header, or nothing when `rec` is shorter.
inline std::optional<XLogRecordHeader> parseXLogRecordHeader(Bytes rec)
{
    XLogRecordHeader h;
    if (!readXLogRecordHeader(rec, h))
        return std::nullopt;
    return h;
}
/// Resource manager name (Postgres rmgrlist order) or "rmgr N".
std::string rmgrName(std::uint8_t rmid);
/// pagectl's record kind: "HEAP INSERT", "XLOG FPI", "UNKNOWN_RM_11 INFO_0x00", ...
std::string pagectlRecordKind(const XLogRecordHeader &h);

} // namespace layerscope
