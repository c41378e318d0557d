#include <layerscope/base/crc32c.h>

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace layerscope {

namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli

constexpr std::array<std::uint32_t, 256> makeTable()
{
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto kTable = makeTable();

#if defined(__x86_64__)
/// The raw (not inverted) CRC state over `n` bytes at `p`, one dependency chain.
__attribute__((target("sse4.2"))) std::uint64_t crcRun(std::uint64_t c, const std::uint8_t *p, std::size_t n)
{
    for (; n >= 8; n -= 8, p += 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
    }
    auto c32 = std::uint32_t(c);
    if (n >= 4) {
        std::uint32_t word;
        std::memcpy(&word, p, 4);
        c32 = _mm_crc32_u32(c32, word);
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        std::uint16_t half;
        std::memcpy(&half, p, 2);
        c32 = _mm_crc32_u16(c32, half);
        p += 2;
        n -= 2;
    }
    if (n > 0)
        c32 = _mm_crc32_u8(c32, *p);
    return c32;
}

// The instruction has a latency of 3 cycles and a throughput of 1: three independent runs over
// three consecutive lanes of kLane bytes go three times as fast as one. The raw CRC is linear,
// so crc(s, A ‖ B) = shift(crc(s, A)) ^ crc(0, B), where shift appends kLane zero bytes; shift is
// a 32×32 bit matrix, applied as four byte tables built from the instruction itself.
constexpr std::size_t kLane = 64;

struct LaneShift
{
    std::array<std::array<std::uint32_t, 256>, 4> table{};
    LaneShift()
    {
        const std::uint8_t zeros[kLane] = {};
        for (int k = 0; k < 4; ++k)
            for (std::uint32_t b = 0; b < 256; ++b)
                table[std::size_t(k)][b] = std::uint32_t(crcRun(std::uint64_t(b) << (8 * k), zeros, kLane));
    }
    std::uint32_t operator()(std::uint32_t c) const
    {
        return table[0][c & 0xFF] ^ table[1][(c >> 8) & 0xFF] ^ table[2][(c >> 16) & 0xFF] ^ table[3][c >> 24];
    }
};

__attribute__((target("sse4.2"))) std::uint32_t crc32cHardware(std::uint32_t crc, Bytes bytes)
{
    static const LaneShift shift;
    std::uint64_t c = ~crc;
    const std::uint8_t *p = bytes.data();
    std::size_t n = bytes.size();
    for (; n >= 3 * kLane; n -= 3 * kLane, p += 3 * kLane) {
        std::uint64_t a = c, b = 0, d = 0;
        for (std::size_t i = 0; i < kLane; i += 8) {
            std::uint64_t x, y, z;
            std::memcpy(&x, p + i, 8);
            std::memcpy(&y, p + kLane + i, 8);
            std::memcpy(&z, p + 2 * kLane + i, 8);
            a = _mm_crc32_u64(a, x);
            b = _mm_crc32_u64(b, y);
            d = _mm_crc32_u64(d, z);
        }
        c = shift(shift(std::uint32_t(a)) ^ std::uint32_t(b)) ^ std::uint32_t(d);
    }
    return ~std::uint32_t(crcRun(c, p, n));
}
#endif

} // namespace

std::uint32_t crc32cPortable(std::uint32_t crc, Bytes bytes)
{
    std::uint32_t c = ~crc;
    for (std::uint8_t b : bytes)
        c = kTable[(c ^ b) & 0xFF] ^ (c >> 8);
    return ~c;
}

std::uint32_t crc32c(std::uint32_t crc, Bytes bytes)
{
#if defined(__x86_64__)
    static const bool hardware = __builtin_cpu_supports("sse4.2");
    if (hardware)
        return crc32cHardware(crc, bytes);
#endif
    return crc32cPortable(crc, bytes);
}

} // namespace layerscope
