#include "layerscope/summary.h"

#include <fmt/format.h>

namespace layerscope {

std::size_t Summary::encodedLen() const
{
    return kind == LayerKind::Image ? kImageSummaryLen : kDeltaSummaryLen;
}

std::size_t Summary::indexKeyLen() const
{
    return kind == LayerKind::Image ? 18 : 26;
}

Result<Summary> Summary::decode(Bytes block0)
{
    if (block0.size() < 2)
        return makeError(0, "a 2-byte magic", fmt::format("{} bytes of file", block0.size()));
    Summary s;
    s.magic = readBe16(block0.data());
    if (s.magic == kImageMagic)
        s.kind = LayerKind::Image;
    else if (s.magic == kDeltaMagic)
        s.kind = LayerKind::Delta;
    else
        return makeError(0, "layer magic 0x5A60 (image) or 0x5A61 (delta)",
                         fmt::format("0x{:04X}", s.magic));
    if (block0.size() < s.encodedLen())
        return makeError(block0.size(), fmt::format("a {}-byte summary", s.encodedLen()),
                         fmt::format("end of file after {} bytes", block0.size()));
    const std::uint8_t *p = block0.data();
    s.formatVersion = readBe16(p + 2);
    s.tenant = Id128::fromBytes(p + 4);
    s.timeline = Id128::fromBytes(p + 20);
    s.keyStart = Key::fromBytes(p + 36);
    s.keyEnd = Key::fromBytes(p + 54);
    s.lsnStart = Lsn{readBe64(p + 72)};
    std::size_t at = 80;
    if (s.kind == LayerKind::Delta) {
        s.lsnEnd = Lsn{readBe64(p + 80)};
        at = 88;
    }
    s.indexStartBlk = readBe32(p + at);
    s.indexRootBlk = readBe32(p + at + 4);
    return s;
}

ByteVector Summary::encode() const
{
    ByteVector out;
    out.reserve(kDeltaSummaryLen);
    appendBe16(out, magic);
    appendBe16(out, formatVersion);
    appendBytes(out, tenant.bytes);
    appendBytes(out, timeline.bytes);
    appendBytes(out, keyStart.bytes);
    appendBytes(out, keyEnd.bytes);
    appendBe64(out, lsnStart.value);
    if (kind == LayerKind::Delta)
        appendBe64(out, lsnEnd.value);
    appendBe32(out, indexStartBlk);
    appendBe32(out, indexRootBlk);
    return out;
}

LayerName Summary::impliedName() const
{
    LayerName n;
    n.kind = kind;
    n.keyStart = keyStart;
    n.keyEnd = keyEnd;
    n.lsnStart = lsnStart;
    n.lsnEnd = kind == LayerKind::Delta ? lsnEnd : Lsn{};
    return n;
}

} // namespace layerscope
