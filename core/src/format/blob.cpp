#include <layerscope/format/blob.h>

#include <fmt/format.h>
#include <zstd.h>

namespace layerscope {

Result<BlobHeader> readBlobHeader(Bytes file, FileOffset offset, FileOffset regionStart,
                                  FileOffset regionEnd)
{
    regionEnd = std::min<FileOffset>(regionEnd, file.size());
    if (offset < regionStart || offset >= regionEnd)
        return makeError(offset,
                         fmt::format("a blob header inside the value area [{}, {})", regionStart,
                                     regionEnd),
                         "an offset outside it");
    BlobHeader h;
    h.offset = offset;
    const std::uint8_t first = file[offset];
    if (first < 0x80) {
        h.headerLen = 1;
        h.storedLen = first;
    } else {
        if (offset + 4 > regionEnd)
            return makeError(offset, "a 4-byte blob header",
                             fmt::format("only {} bytes before the end of the value area",
                                         regionEnd - offset));
        h.headerLen = 4;
        const std::uint32_t word = readBe32(&file[offset]);
        h.bits = first & 0xF0;
        h.storedLen = word & kMaxBlobLenHead;
        if (h.bits == 0x80)
            h.compression = Compression::None;
        else if (h.bits == 0x90)
            h.compression = Compression::Zstd;
        else
            return makeError(offset, "compression bits 0x80 (plain) or 0x90 (zstd)",
                             fmt::format("0x{:02X} (reserved)", h.bits), ErrorKind::BlobCompression);
    }
    if (h.end() > regionEnd)
        return makeError(offset,
                         fmt::format("a blob ending inside the value area (before {})", regionEnd),
                         fmt::format("length {} ending at {}", h.storedLen, h.end()));
    return h;
}

Bytes storedPayload(Bytes file, const BlobHeader &header)
{
    return file.subspan(header.payloadOffset(), header.storedLen);
}

Result<ByteVector> zstdDecompress(Bytes frame, FileOffset offset, std::uint64_t limit)
{
    ZSTD_DStream *ds = ZSTD_createDStream();
    if (!ds)
        return makeError(offset, "a zstd decoder", "out of memory");
    ByteVector out;
    const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR) {
        ZSTD_freeDStream(ds);
        return makeError(offset, "a zstd frame (magic 28 b5 2f fd)",
                         frame.size() >= 4 ? toHex(frame.first(4)) : "a truncated frame");
    }
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > limit) {
        ZSTD_freeDStream(ds);
        return makeError(offset, fmt::format("a zstd frame of at most {} bytes", limit),
                         fmt::format("declared content size {}", declared), ErrorKind::TooLarge);
    }
    // A declared size is only a claim: reserve no more than a first chunk of it.
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN)
        out.reserve(std::min<std::uint64_t>(declared, 1 << 20));
    ZSTD_inBuffer in{frame.data(), frame.size(), 0};
    std::uint8_t chunk[65536];
    std::size_t ret = 1;
    while (true) {
        ZSTD_outBuffer o{chunk, sizeof chunk, 0};
        ret = ZSTD_decompressStream(ds, &o, &in);
        if (ZSTD_isError(ret)) {
            ZSTD_freeDStream(ds);
            return makeError(offset + in.pos, "a valid zstd frame",
                             fmt::format("zstd error: {}", ZSTD_getErrorName(ret)));
        }
        if (out.size() + o.pos > limit) {
            ZSTD_freeDStream(ds);
            return makeError(offset, fmt::format("at most {} decompressed bytes", limit),
                             "more", ErrorKind::TooLarge);
        }
        out.insert(out.end(), chunk, chunk + o.pos);
        if (ret == 0)
            break;
        if (in.pos == in.size && o.pos < o.size) {
            ZSTD_freeDStream(ds);
            return makeError(offset + frame.size(), "the rest of the zstd frame",
                             "end of the blob");
        }
    }
    ZSTD_freeDStream(ds);
    if (in.pos != in.size)
        return makeError(offset + in.pos, "the end of the blob after the zstd frame",
                         fmt::format("{} trailing bytes", in.size - in.pos));
    return out;
}

ByteVector zstdCompress(Bytes data, int level)
{
    // Streaming compression (as Neon's encoder does): the frame carries no content size.
    ZSTD_CStream *cs = ZSTD_createCStream();
    ZSTD_initCStream(cs, level);
    ByteVector out(ZSTD_compressBound(data.size()) + 64);
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (in.pos < in.size)
        ZSTD_compressStream(cs, &o, &in);
    while (ZSTD_endStream(cs, &o) != 0) {}
    ZSTD_freeCStream(cs);
    out.resize(o.pos);
    return out;
}

Result<Bytes> viewPayload(Bytes file, const BlobHeader &header, ByteVector &scratch)
{
    const Bytes stored = storedPayload(file, header);
    if (header.compression != Compression::Zstd)
        return stored;
    auto d = zstdDecompress(stored, header.payloadOffset(), kMaxDecompressedLen);
    if (!d)
        return d.error();
    scratch = std::move(*d);
    return Bytes(scratch);
}

Result<ByteVector> decodePayload(Bytes file, const BlobHeader &header)
{
    ByteVector scratch;
    auto v = viewPayload(file, header, scratch);
    if (!v)
        return v.error();
    if (header.compression == Compression::Zstd)
        return scratch;
    return ByteVector(v->begin(), v->end());
}

Compression appendBlob(ByteVector &out, Bytes payload, Compression requested)
{
    if (payload.size() < 128) {
        out.push_back(std::uint8_t(payload.size()));
        appendBytes(out, payload);
        return Compression::None;
    }
    if (requested == Compression::Zstd) {
        const ByteVector z = zstdCompress(payload);
        if (z.size() < payload.size()) {
            appendBe32(out, std::uint32_t(z.size()) | 0x9000'0000u);
            appendBytes(out, z);
            return Compression::Zstd;
        }
    }
    appendBe32(out, std::uint32_t(payload.size()) | 0x8000'0000u);
    appendBytes(out, payload);
    return Compression::None;
}

} // namespace layerscope
