#pragma once

#include <layerscope/base/bytes.h>
#include <layerscope/format/key.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/format/lsn.h>

#include <cstdint>

namespace layerscope {

inline constexpr std::uint16_t kImageMagic = 0x5A60;
inline constexpr std::uint16_t kDeltaMagic = 0x5A61;
inline constexpr std::uint16_t kFormatVersion = 3;
inline constexpr std::size_t kImageSummaryLen = 88;
inline constexpr std::size_t kDeltaSummaryLen = 96;

/// The fields of the summary, in on-disk order.
enum class SummaryFieldId : std::uint8_t {
    Magic, Version, Tenant, Timeline, KeyStart, KeyEnd, LsnStart, LsnEnd, IndexStart, IndexRoot
};

/// Where one summary field lies in block 0. The one definition of the summary layout: the
/// decoder, encoder, editor and validator all place fields through it.
struct SummaryField
{
    const char *name;   ///< "key_start", "index_root_blk", ...
    FileOffset offset;
    std::size_t length;  ///< 0: the field does not exist for this kind (an image's LSN end)
};
SummaryField summaryField(LayerKind kind, SummaryFieldId id);

/// The summary in block 0 (FORMAT.md §4).
struct Summary
{
    LayerKind kind = LayerKind::Image;
    std::uint16_t magic = kImageMagic;
    std::uint16_t formatVersion = kFormatVersion;
    TenantId tenant;
    TimelineId timeline;
    Key keyStart;
    Key keyEnd;
    Lsn lsnStart;  ///< image: the LSN
    Lsn lsnEnd;    ///< delta only
    std::uint32_t indexStartBlk = 0;
    std::uint32_t indexRootBlk = 0;  ///< relative to indexStartBlk

    std::size_t encodedLen() const;
    /// Index key width: 18 (image) or 26 (delta).
    std::size_t indexKeyLen() const;
    /// Decodes from the start of block 0. Unknown magic or fewer bytes than the summary needs
    /// are errors (offset 0 or the end of the input). Field values are not checked here.
    static Result<Summary> decode(Bytes block0);
    /// The 88 or 96 summary bytes.
    ByteVector encode() const;
    /// The canonical layer file name the summary implies.
    LayerName impliedName() const;

    bool operator==(const Summary &) const = default;
};

} // namespace layerscope
