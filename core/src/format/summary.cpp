#include <layerscope/format/summary.h>

#include <fmt/format.h>

#include <algorithm>

namespace layerscope {

SummaryField summaryField(LayerKind kind, SummaryFieldId id)
{
    const bool delta = kind == LayerKind::Delta;
    switch (id) {
    case SummaryFieldId::Magic: return {"magic", 0, 2};
    case SummaryFieldId::Version: return {"format_version", 2, 2};
    case SummaryFieldId::Tenant: return {"tenant_id", 4, 16};
    case SummaryFieldId::Timeline: return {"timeline_id", 20, 16};
    case SummaryFieldId::KeyStart: return {"key_start", 36, Key::kSize};
    case SummaryFieldId::KeyEnd: return {"key_end", 54, Key::kSize};
    case SummaryFieldId::LsnStart: return {delta ? "lsn_start" : "lsn", 72, 8};
    case SummaryFieldId::LsnEnd: return {"lsn_end", 80, delta ? 8u : 0u};
    case SummaryFieldId::IndexStart: return {"index_start_blk", delta ? 88u : 80u, 4};
    case SummaryFieldId::IndexRoot: return {"index_root_blk", delta ? 92u : 84u, 4};
    }
    return {"?", 0, 0};
}

std::size_t Summary::encodedLen() const
{
    return kind == LayerKind::Image ? kImageSummaryLen : kDeltaSummaryLen;
}

std::size_t Summary::indexKeyLen() const
{
    return kind == LayerKind::Image ? Key::kSize : kDeltaIndexKeyLen;
}

Result<Summary> Summary::decode(Bytes block0)
{
    if (block0.size() < 2)
        return makeError(0, "a 2-byte magic", fmt::format("{} bytes of file", block0.size()));
    Summary s;
    s.magic = readBe16(block0.data() + summaryField(LayerKind::Image, SummaryFieldId::Magic).offset);  // same for both kinds
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
    auto at = [&](SummaryFieldId id) { return block0.data() + summaryField(s.kind, id).offset; };
    s.formatVersion = readBe16(at(SummaryFieldId::Version));
    s.tenant = Id128::fromBytes(at(SummaryFieldId::Tenant));
    s.timeline = Id128::fromBytes(at(SummaryFieldId::Timeline));
    s.keyStart = Key::fromBytes(at(SummaryFieldId::KeyStart));
    s.keyEnd = Key::fromBytes(at(SummaryFieldId::KeyEnd));
    s.lsnStart = Lsn{readBe64(at(SummaryFieldId::LsnStart))};
    if (s.kind == LayerKind::Delta)
        s.lsnEnd = Lsn{readBe64(at(SummaryFieldId::LsnEnd))};
    s.indexStartBlk = readBe32(at(SummaryFieldId::IndexStart));
    s.indexRootBlk = readBe32(at(SummaryFieldId::IndexRoot));
    return s;
}

ByteVector Summary::encode() const
{
    ByteVector out(encodedLen(), 0);
    auto put = [&](SummaryFieldId id, Bytes bytes) {
        const SummaryField f = summaryField(kind, id);
        std::copy(bytes.begin(), bytes.begin() + std::ptrdiff_t(f.length), out.begin() + std::ptrdiff_t(f.offset));
    };
    auto be = [](std::uint64_t v, std::size_t len) {
        ByteVector b(len);
        for (std::size_t i = 0; i < len; ++i)
            b[i] = std::uint8_t(v >> (8 * (len - 1 - i)));
        return b;
    };
    put(SummaryFieldId::Magic, be(magic, 2));
    put(SummaryFieldId::Version, be(formatVersion, 2));
    put(SummaryFieldId::Tenant, tenant.bytes);
    put(SummaryFieldId::Timeline, timeline.bytes);
    put(SummaryFieldId::KeyStart, keyStart.bytes);
    put(SummaryFieldId::KeyEnd, keyEnd.bytes);
    put(SummaryFieldId::LsnStart, be(lsnStart.value, 8));
    put(SummaryFieldId::LsnEnd, be(lsnEnd.value, 8));  // length 0 for an image: nothing written
    put(SummaryFieldId::IndexStart, be(indexStartBlk, 4));
    put(SummaryFieldId::IndexRoot, be(indexRootBlk, 4));
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
