#include <layerscope/format/xlog_record.h>

#include <layerscope/base/crc32c.h>

#include <fmt/format.h>

#include <cstring>

namespace layerscope {

namespace {

constexpr std::uint16_t kPageSize = 8192;

Status decodeWith(Bytes rec, FileOffset base, int flagsOf, XLogRecordDecoded &d)
{
    d.blocks.clear();
    d.mainDataLength = 0;
    d.mainDataHeaderAt.reset();
    d.origin.reset();
    d.toplevelXid.reset();
    if (!readXLogRecordHeader(rec, d.header))
        return makeError(base, fmt::format("an XLogRecord header ({} bytes)", kXLogRecordHeaderLen),
                         fmt::format("{} bytes", rec.size()));
    d.imageFlagsOf = flagsOf;
    if (d.header.totLen != rec.size())
        return makeError(base, fmt::format("xl_tot_len equal to the record's {} bytes", rec.size()),
                         fmt::format("{}", d.header.totLen));
    const std::uint8_t applyBit = flagsOf >= 15 ? 0x02 : 0x04;
    const std::uint8_t compressedBits = flagsOf >= 15 ? 0x1C : 0x02;
    Cursor r(rec.subspan(kXLogRecordHeaderLen), base + kXLogRecordHeaderLen);
    std::uint64_t payload = 0;  // image, block and main data bytes announced so far
    int lastId = -1;
    const XLogBlockRef *previous = nullptr;
    d.blocks.reserve(kXlrMaxBlockId + 1);  // `previous` and `b` stay valid; no growth per block
    while (r.remaining() > payload) {
        const FileOffset at = r.offset();
        std::uint8_t id = 0;
        if (!r.u8(id, "a block id"))
            return r.error();
        if (id == kXlrBlockIdDataShort || id == kXlrBlockIdDataLong) {
            d.mainDataHeaderAt = at;
            if (id == kXlrBlockIdDataShort) {
                std::uint8_t len = 0;
                if (!r.u8(len, "the main data length"))
                    return r.error();
                d.mainDataLength = len;
            } else if (!r.u32le(d.mainDataLength, "the main data length")) {
                return r.error();
            }
            payload += d.mainDataLength;
            break;  // the main data header is always the last
        }
        if (id == kXlrBlockIdOrigin) {
            std::uint16_t origin = 0;
            if (!r.u16le(origin, "the replication origin"))
                return r.error();
            d.origin = origin;
            continue;
        }
        if (id == kXlrBlockIdToplevelXid) {
            std::uint32_t xid = 0;
            if (!r.u32le(xid, "the top-level xid"))
                return r.error();
            d.toplevelXid = xid;
            continue;
        }
        if (id > kXlrMaxBlockId)
            return makeError(at, "a block id 0..32 or 252..255", fmt::format("{}", id));
        if (int(id) <= lastId)
            return makeError(at, fmt::format("a block id above {} (ids ascend)", lastId), fmt::format("{}", id));
        lastId = id;
        // Filled in place (a block built aside and copied in costs store-forwarding stalls).
        XLogBlockRef &b = d.blocks.emplace_back();
        b.id = id;
        b.headerAt = at;
        if (!r.u8(b.forkFlags, "the block's fork and flags") || !r.u16le(b.dataLength, "the block's data length"))
            return r.error();
        b.hasImage = b.forkFlags & 0x10;
        b.hasData = b.forkFlags & 0x20;
        b.willInit = b.forkFlags & 0x40;
        b.sameRel = b.forkFlags & 0x80;
        if (b.hasData != (b.dataLength != 0))
            return makeError(at + 2, b.hasData ? "a data length above 0 (BKPBLOCK_HAS_DATA is set)"
                                               : "data length 0 (BKPBLOCK_HAS_DATA is clear)",
                             fmt::format("{}", b.dataLength));
        payload += b.dataLength;
        if (b.hasImage) {
            const FileOffset imageHeaderAt = r.offset();
            if (!r.u16le(b.imageLength, "the image length") || !r.u16le(b.holeOffset, "the hole offset")
                || !r.u8(b.imageInfo, "the image flags"))
                return r.error();
            b.hasHole = b.imageInfo & 0x01;
            b.applyImage = b.imageInfo & applyBit;
            b.compressed = b.imageInfo & compressedBits;
            if (b.hasHole && b.compressed) {
                if (!r.u16le(b.holeLength, "the hole length"))
                    return r.error();
            } else if (b.hasHole) {
                b.holeLength = std::uint16_t(kPageSize - b.imageLength);
            }
            if (b.hasHole && (b.holeOffset == 0 || b.holeLength == 0 || b.imageLength == kPageSize))
                return makeError(imageHeaderAt, "a hole with an offset and a length, in an image shorter than a page",
                                 fmt::format("hole offset {} length {}, image length {}", b.holeOffset, b.holeLength,
                                             b.imageLength));
            if (!b.hasHole && b.holeOffset != 0)
                return makeError(imageHeaderAt + 2, "hole offset 0 (no BKPIMAGE_HAS_HOLE)",
                                 fmt::format("{}", b.holeOffset));
            if (b.compressed && b.imageLength == kPageSize)
                return makeError(imageHeaderAt, "a compressed image shorter than a page", "8192 bytes");
            if (!b.hasHole && !b.compressed && b.imageLength != kPageSize)
                return makeError(imageHeaderAt, "an 8192-byte image (no hole, not compressed)",
                                 fmt::format("{} bytes", b.imageLength));
            payload += b.imageLength;
        }
        if (!b.sameRel) {
            if (!r.u32le(b.spcOid, "the tablespace oid") || !r.u32le(b.dbOid, "the database oid")
                || !r.u32le(b.relNumber, "the relation number"))
                return r.error();
        } else if (!previous) {
            return makeError(at + 1, "a relation (BKPBLOCK_SAME_REL on the first block)", "SAME_REL");
        } else {
            b.spcOid = previous->spcOid;
            b.dbOid = previous->dbOid;
            b.relNumber = previous->relNumber;
        }
        if (!r.u32le(b.blockNumber, "the block number"))
            return r.error();
        previous = &b;
    }
    if (r.remaining() != payload)
        return makeError(base, fmt::format("headers and announced data adding up to xl_tot_len {}", rec.size()),
                         fmt::format("{} bytes of headers and {} of data", kXLogRecordHeaderLen + r.position(), payload));
    FileOffset at = r.offset();
    d.headersEnd = at;
    for (XLogBlockRef &b : d.blocks) {
        b.imageAt = at;
        at += b.hasImage ? b.imageLength : 0;
        b.dataAt = at;
        at += b.dataLength;
    }
    d.mainDataAt = at;
    return Ok{};
}

} // namespace

Status decodeXLogRecord(Bytes rec, FileOffset base, XLogRecordDecoded &into, int pgVersion)
{
    if (pgVersion == 14)
        return decodeWith(rec, base, 14, into);
    auto fifteen = decodeWith(rec, base, 15, into);
    if (fifteen || pgVersion >= 15)
        return fifteen;
    if (decodeWith(rec, base, 14, into))
        return Ok{};
    return fifteen;  // neither: 15's reading names the fault
}

Result<XLogRecordDecoded> decodeXLogRecord(Bytes rec, FileOffset base, int pgVersion)
{
    XLogRecordDecoded d;
    if (auto s = decodeXLogRecord(rec, base, d, pgVersion); !s)
        return s.error();
    return d;
}

std::uint32_t xlogRecordCrc(Bytes rec)
{
    const std::uint32_t body = crc32c(0, rec.subspan(kXLogRecordHeaderLen));
    return crc32c(body, rec.first(20));
}

std::uint32_t xlogRecordCrcAsWhole(Bytes rec)
{
    std::uint8_t header[20];
    std::memcpy(header, rec.data(), 20);
    writeLe32(header, std::uint32_t(rec.size()));
    const std::uint32_t body = crc32c(0, rec.subspan(kXLogRecordHeaderLen));
    return crc32c(body, Bytes(header, 20));
}

} // namespace layerscope
