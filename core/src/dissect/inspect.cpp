#include <layerscope/dissect/inspect.h>

#include <fmt/format.h>

namespace layerscope {

Result<EntryDetails> inspectEntry(const Layer &layer, const Entry &entry)
{
    EntryDetails d;
    auto h = layer.blobHeader(entry);
    if (!h)
        return h.error();
    d.header = *h;
    auto p = decodePayload(layer.bytes(), *h);
    if (!p)
        return p.error();
    d.payloadLen = p->size();
    if (layer.kind() == LayerKind::Image) {
        d.kind = "image";
        d.content = std::move(p.value());
        d.value = Value{d.content};
        return d;
    }
    auto v = decodeValue(*p, h->payloadOffset());
    if (!v)
        return v.error();
    d.value = std::move(v.value());
    d.valueWillInit = d.value.willInit();
    if (d.value.isImage()) {
        d.kind = "image";
        d.content = d.value.image();
    } else {
        const NeonWalRecord &rec = d.value.record();
        d.kind = std::string("wal:") + recordName(rec);
        if (const auto *pg = std::get_if<wal::Postgres>(&rec)) {
            d.content = pg->rec;
            d.pgWillInit = pg->willInit;
        } else {
            encodeRecord(rec, d.content);
        }
    }
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
