#include <layerscope/redo/block_image.h>

#include <fmt/format.h>
#include <zstd.h>

#include <array>
#include <cstring>

namespace layerscope::redo {

bool pglzDecompress(Bytes in, std::span<std::uint8_t> out)
{
    std::size_t sp = 0, dp = 0;
    while (sp < in.size() && dp < out.size()) {
        std::uint8_t ctrl = in[sp++];
        for (int bit = 0; bit < 8 && sp < in.size() && dp < out.size(); ++bit, ctrl >>= 1) {
            if (ctrl & 1) {
                if (sp + 2 > in.size())
                    return false;
                std::size_t len = (in[sp] & 0x0F) + 3;
                const std::size_t off = (std::size_t(in[sp] & 0xF0) << 4) | in[sp + 1];
                sp += 2;
                if (len == 18) {
                    if (sp >= in.size())
                        return false;
                    len += in[sp++];
                }
                if (off == 0 || off > dp || len > out.size() - dp)
                    return false;
                for (std::size_t i = 0; i < len; ++i, ++dp)
                    out[dp] = out[dp - off];
            } else {
                out[dp++] = in[sp++];
            }
        }
    }
    return sp == in.size() && dp == out.size();
}

bool lz4Decompress(Bytes in, std::span<std::uint8_t> out)
{
    std::size_t sp = 0, dp = 0;
    auto extend = [&](std::size_t &len) {
        if (len != 15)
            return true;
        for (;;) {
            if (sp >= in.size())
                return false;
            const std::uint8_t b = in[sp++];
            len += b;
            if (b != 255)
                return true;
        }
    };
    while (sp < in.size()) {
        const std::uint8_t token = in[sp++];
        std::size_t lit = token >> 4;
        if (!extend(lit) || lit > in.size() - sp || lit > out.size() - dp)
            return false;
        std::memcpy(out.data() + dp, in.data() + sp, lit);
        sp += lit;
        dp += lit;
        if (sp == in.size())
            break; // the last sequence has literals only
        if (sp + 2 > in.size())
            return false;
        const std::size_t off = readLe16(in.data() + sp);
        sp += 2;
        std::size_t len = token & 0x0F;
        if (!extend(len))
            return false;
        len += 4;
        if (off == 0 || off > dp || len > out.size() - dp)
            return false;
        for (std::size_t i = 0; i < len; ++i, ++dp)
            out[dp] = out[dp - off];
    }
    return dp == out.size();
}

Status restoreBlockImage(Bytes rec, const XLogBlockRef &b, int imageFlagsOf, ByteVector &page)
{
    if (!b.hasImage)
        return makeError(b.headerAt, "a block image (BKPBLOCK_HAS_IMAGE)", "a block without one");
    if (b.imageAt + b.imageLength > rec.size())
        return makeError(b.imageAt,
                         fmt::format("{} bytes of image", b.imageLength),
                         fmt::format("{} bytes left in the record", rec.size() - b.imageAt));
    const Bytes image = rec.subspan(b.imageAt, b.imageLength);
    const std::size_t hole = b.hasHole ? b.holeLength : 0;
    if (b.holeOffset + hole > kBlockSize)
        return makeError(b.headerAt,
                         "a hole inside the page",
                         fmt::format("offset {} length {}", b.holeOffset, hole));
    std::array<std::uint8_t, kBlockSize> tmp;
    const std::span<std::uint8_t> want(tmp.data(), kBlockSize - hole);
    Bytes flat = image;
    if (b.compressed) {
        const bool pg14 = imageFlagsOf == 14;
        const std::uint8_t info = b.imageInfo;
        bool ok = false;
        const char *method = "";
        if (pg14 ? (info & 0x02) : (info & 0x04)) {
            method = "pglz";
            ok = pglzDecompress(image, want);
        } else if (info & 0x08) {
            method = "LZ4";
            ok = lz4Decompress(image, want);
        } else if (info & 0x10) {
            method = "zstd";
            const std::size_t n = ZSTD_decompress(want.data(),
                                                  want.size(),
                                                  image.data(),
                                                  image.size());
            ok = !ZSTD_isError(n) && n == want.size();
        } else {
            return makeError(b.imageAt,
                             "a known compression method (pglz, LZ4 or zstd)",
                             fmt::format("image flags 0x{:02x}", info));
        }
        if (!ok)
            return makeError(b.imageAt,
                             fmt::format("a {} stream of {} bytes", method, want.size()),
                             "one that does not decompress to that");
        flat = Bytes(want.data(), want.size());
    } else if (image.size() != want.size()) {
        return makeError(b.imageAt,
                         fmt::format("{} bytes of image", want.size()),
                         fmt::format("{}", image.size()));
    }
    page.assign(kBlockSize, 0);
    std::memcpy(page.data(), flat.data(), b.holeOffset);
    std::memcpy(page.data() + b.holeOffset + hole,
                flat.data() + b.holeOffset,
                kBlockSize - b.holeOffset - hole);
    return Ok{};
}

} // namespace layerscope::redo
