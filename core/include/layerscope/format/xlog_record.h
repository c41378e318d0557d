#pragma once

// A Postgres WAL record (XLogRecord) as Neon stores it whole in NeonWalRecord::Postgres:
// the fixed header, then block references and the main-data header, then the images and data
// they announce (Postgres's xlogrecord.h, versions 14 to 17).

#include <layerscope/base/bytes.h>
#include <layerscope/format/key.h>
#include <layerscope/format/value.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace layerscope {

inline constexpr std::uint8_t kXlrMaxBlockId = 32;
inline constexpr std::uint8_t kXlrBlockIdDataShort = 255;
inline constexpr std::uint8_t kXlrBlockIdDataLong = 254;
inline constexpr std::uint8_t kXlrBlockIdOrigin = 253;
inline constexpr std::uint8_t kXlrBlockIdToplevelXid = 252;

/// One block reference: the page a record touches, and what it carries for it.
struct XLogBlockRef
{
    std::uint8_t id = 0;
    std::uint8_t forkFlags = 0;  ///< fork number (low 4 bits) and the BKPBLOCK_* flags
    std::uint16_t dataLength = 0;
    bool hasImage = false;   ///< BKPBLOCK_HAS_IMAGE (0x10)
    bool hasData = false;    ///< BKPBLOCK_HAS_DATA (0x20)
    bool willInit = false;   ///< BKPBLOCK_WILL_INIT (0x40): redo starts from an empty page
    bool sameRel = false;    ///< BKPBLOCK_SAME_REL (0x80): the relation of the block before
    std::uint16_t imageLength = 0;  ///< bytes of the (maybe compressed) image in the record
    std::uint16_t holeOffset = 0;
    std::uint16_t holeLength = 0;
    std::uint8_t imageInfo = 0;     ///< bimg_info
    bool hasHole = false;
    bool applyImage = false;  ///< BKPIMAGE_APPLY: redo restores the image
    bool compressed = false;
    std::uint32_t spcOid = 0, dbOid = 0, relNumber = 0;  ///< also set for SAME_REL blocks
    std::uint32_t blockNumber = 0;
    FileOffset headerAt = 0;  ///< absolute offsets: the block header, its image, its data
    FileOffset imageAt = 0;
    FileOffset dataAt = 0;
    std::uint8_t fork() const { return forkFlags & 0x0F; }
    /// Whether this is the block relation key `key` names (a RelBlock key).
    bool isBlockOf(const Key &key) const
    {
        return spcOid == key.spcOid() && dbOid == key.dbOid() && relNumber == key.relNumber()
               && fork() == key.forkNumber() && blockNumber == key.blockNumber();
    }
    bool operator==(const XLogBlockRef &) const = default;
};

/// A decoded record: the header, its block references and main data.
struct XLogRecordDecoded
{
    XLogRecordHeader header;
    std::vector<XLogBlockRef> blocks;
    std::uint32_t mainDataLength = 0;
    FileOffset mainDataAt = 0;
    std::optional<FileOffset> mainDataHeaderAt;  ///< its block id byte (255 or 254), when present
    std::optional<std::uint16_t> origin;
    std::optional<std::uint32_t> toplevelXid;
    FileOffset headersEnd = 0;  ///< where the block images and data begin
    /// Whose image flags decoded the record: 15 (Postgres 15 to 17: 0x02 apply, 0x04/0x08/0x10
    /// compressed) or 14 (0x02 compressed, 0x04 apply). Only records with a hole in a
    /// compressed image or with compression tell them apart; 15 is tried first.
    int imageFlagsOf = 15;
    bool operator==(const XLogRecordDecoded &) const = default;
};

/// Decodes the block references and main-data header with Postgres's own rules (block ids
/// ascending and at most 32, data and image lengths consistent with their flags, a relation
/// before any SAME_REL block) and checks that headers and payloads add up to xl_tot_len exactly.
/// `base` is the absolute offset of rec[0]; errors name the offset at fault. Never reads past
/// `rec`. `pgVersion` (14 to 17) picks the image flags of that version; 0 (unknown) tries 15's,
/// then 14's.
Result<XLogRecordDecoded> decodeXLogRecord(Bytes rec, FileOffset base, int pgVersion = 0);
/// The same, into `into`, whose block list keeps its capacity from one record to the next (a
/// caller decoding many records allocates nothing). On an error `into` holds a partial decode.
Status decodeXLogRecord(Bytes rec, FileOffset base, XLogRecordDecoded &into, int pgVersion = 0);

/// The CRC Postgres stores in xl_crc: CRC-32C of the record after its 24-byte header, then of
/// the header up to xl_crc. `rec` must hold at least the header.
std::uint32_t xlogRecordCrc(Bytes rec);
/// The CRC the record would store were its xl_tot_len its size (`rec.size()`): a record whose
/// length field was damaged still matches its xl_crc this way. `rec` must hold the header.
std::uint32_t xlogRecordCrcAsWhole(Bytes rec);

} // namespace layerscope
