#include <layerscope/format/pg_page.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace layerscope {

std::optional<PageHeader> parsePageHeader(Bytes page)
{
    if (page.size() != 8192)
        return std::nullopt;
    const auto &[lsnF, checksumF, flagsF, lowerF, upperF, specialF, sizeF, pruneF] = kPageHeaderFields;
    const std::uint8_t *p = page.data();
    PageHeader h;
    h.lsn = (std::uint64_t(readLe32(p + lsnF.offset)) << 32) | readLe32(p + lsnF.offset + 4);
    h.checksum = readLe16(p + checksumF.offset);
    h.flags = readLe16(p + flagsF.offset);
    h.lower = readLe16(p + lowerF.offset);
    h.upper = readLe16(p + upperF.offset);
    h.special = readLe16(p + specialF.offset);
    h.pageSizeVersion = readLe16(p + sizeF.offset);
    h.pruneXid = readLe32(p + pruneF.offset);
    return h;
}

std::vector<LinePointer> linePointers(Bytes page, std::size_t limit)
{
    std::vector<LinePointer> out;
    const auto h = parsePageHeader(page);
    if (!h)
        return out;
    const std::size_t n = std::min<std::size_t>({h->linePointerCount(), limit, (8192 - kPageHeaderLen) / kLinePointerLen});
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t v = readLe32(page.data() + kPageHeaderLen + kLinePointerLen * i);
        out.push_back({std::uint16_t(v & 0x7FFF), std::uint8_t((v >> 15) & 3),
                       std::uint16_t(v >> 17)});
    }
    return out;
}

namespace {
constexpr std::uint32_t kFnvPrime = 16777619;
constexpr std::uint32_t kChecksumBaseOffsets[32] = {
    0x5B1F36E9, 0xB8525960, 0x02AB50AA, 0x1DE66D2A, 0x79FF467A, 0x9BB9F8A3, 0x217E7CD2, 0x83E13D2C,
    0xF8D4474F, 0xE39EB970, 0x42C6AE16, 0x993216FA, 0x7B093B5D, 0x98DAFF3C, 0xF718902A, 0x0B1C9CDB,
    0xE58F764B, 0x187636BC, 0x5D7B3BB1, 0xE73DE7DE, 0x92BEC979, 0xCCA6C0B2, 0x304A0979, 0x85AA43D4,
    0x783125BB, 0x6CA8EAA2, 0xE407EAC6, 0x4B5CFC3E, 0x9FBF8C76, 0x15CA20BE, 0xF2CA9FD3, 0x959BD756};
} // namespace

std::uint16_t pageChecksum(Bytes page, std::uint32_t blkno)
{
    std::uint8_t copy[8192];
    std::memcpy(copy, page.data(), 8192);
    copy[8] = copy[9] = 0;
    std::uint32_t sums[32];
    std::memcpy(sums, kChecksumBaseOffsets, sizeof sums);
    auto mix = [](std::uint32_t &sum, std::uint32_t value) {
        const std::uint32_t tmp = sum ^ value;
        sum = tmp * kFnvPrime ^ (tmp >> 17);
    };
    for (std::size_t i = 0; i < 8192 / (4 * 32); ++i)
        for (std::size_t j = 0; j < 32; ++j) {
            std::uint32_t w;
            std::memcpy(&w, copy + (i * 32 + j) * 4, 4);
            mix(sums[j], w);
        }
    for (int round = 0; round < 2; ++round)
        for (auto &s : sums)
            mix(s, 0);
    std::uint32_t result = 0;
    for (std::uint32_t s : sums)
        result ^= s;
    result ^= blkno;
    return std::uint16_t((result % 65535) + 1);
}

bool isZeroPage(Bytes page)
{
    return std::all_of(page.begin(), page.end(), [](std::uint8_t b) { return b == 0; });
}

std::vector<std::string> pageHeaderProblems(const PageHeader &h)
{
    std::vector<std::string> out;
    if (h.lower < 24)
        out.push_back(fmt::format("pd_lower {} is inside the 24-byte header", h.lower));
    if (h.lower > h.upper)
        out.push_back(fmt::format("pd_lower {} > pd_upper {}", h.lower, h.upper));
    if (h.upper > h.special)
        out.push_back(fmt::format("pd_upper {} > pd_special {}", h.upper, h.special));
    if (h.special > 8192)
        out.push_back(fmt::format("pd_special {} > 8192", h.special));
    if (h.pageSize() != 8192 || h.layoutVersion() != 4)
        out.push_back(fmt::format("pd_pagesize_version 0x{:04x}, expected 0x2004",
                                  h.pageSizeVersion));
    return out;
}

} // namespace layerscope
