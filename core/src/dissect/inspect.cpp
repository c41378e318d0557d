#include <layerscope/dissect/inspect.h>

#include <fmt/format.h>

#include <array>

namespace layerscope {

namespace {
/// "wal:<variant>" for each NeonWalRecord tag.
const std::array<std::string, kRecordTagCount> &walKinds()
{
    static const auto kinds = [] {
        std::array<std::string, kRecordTagCount> k;
        for (std::uint32_t t = 0; t < kRecordTagCount; ++t)
            k[t] = std::string("wal:") + recordTagName(RecordTag(t));
        return k;
    }();
    return kinds;
}
} // namespace

Result<EntryView> viewEntry(const Layer &layer, const Entry &entry, ByteVector &scratch)
{
    EntryView d;
    auto h = layer.blobHeader(entry);
    if (!h)
        return h.error();
    d.header = *h;
    auto p = viewPayload(layer.bytes(), *h, scratch);
    if (!p)
        return p.error();
    d.payload = *p;
    if (layer.kind() == LayerKind::Image) {
        d.kind = "image";
        d.content = d.payload;
        return d;
    }
    auto v = scanValue(d.payload, h->payloadOffset());
    if (!v)
        return v.error();
    d.valueWillInit = v->willInit;
    if (v->isImage) {
        d.kind = "image";
        d.content = v->content;
        return d;
    }
    d.kind = walKinds()[std::size_t(v->recordTag)];
    if (v->recordTag == RecordTag::Postgres) {
        d.content = v->content;
        d.pgWillInit = v->willInit;
    } else {
        // The record as encodeRecord writes it: the value after its 4-byte tag (the encoding
        // is canonical, and the scan consumed all of it).
        d.content = d.payload.subspan(4);
    }
    return d;
}

Result<EntryDetails> inspectEntry(const Layer &layer, const Entry &entry)
{
    ByteVector scratch;
    auto view = viewEntry(layer, entry, scratch);
    if (!view)
        return view.error();
    EntryDetails d;
    d.header = view->header;
    d.payloadLen = view->payload.size();
    d.kind = view->kind;
    d.content.assign(view->content.begin(), view->content.end());
    d.valueWillInit = view->valueWillInit;
    d.pgWillInit = view->pgWillInit;
    if (layer.kind() == LayerKind::Image) {
        d.value = Value{d.content};
        return d;
    }
    auto v = decodeValue(view->payload, view->header.payloadOffset());
    if (!v)
        return v.error();
    d.value = std::move(*v);
    return d;
}

std::string hexDump(Bytes bytes, FileOffset base)
{
    std::string out;
    for (std::size_t line = 0; line < bytes.size(); line += 16) {
        out += fmt::format("{:08x}  ", base + line);
        std::string ascii;
        for (std::size_t i = 0; i < 16; ++i) {
            if (line + i < bytes.size()) {
                const std::uint8_t c = bytes[line + i];
                out += fmt::format("{:02x} ", c);
                ascii += (c >= 0x20 && c < 0x7f) ? char(c) : '.';
            } else {
                out += "   ";
            }
            if (i == 7)
                out += ' ';
        }
        out += fmt::format(" |{}|\n", ascii);
    }
    return out;
}

} // namespace layerscope
