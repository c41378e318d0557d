#pragma once

#include <layerscope/base/bytes.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// PageHeaderData, little-endian, in page order.
inline constexpr ByteField kPageHeaderFields[] = {
    {"pd_lsn", 0, 8},      {"pd_checksum", 8, 2}, {"pd_flags", 10, 2},
    {"pd_lower", 12, 2},   {"pd_upper", 14, 2},   {"pd_special", 16, 2},
    {"pd_pagesize_version", 18, 2}, {"pd_prune_xid", 20, 4}};
inline constexpr std::size_t kPageHeaderLen = 24;
inline constexpr std::size_t kLinePointerLen = 4;

/// PostgreSQL page header (24 bytes, little-endian) and line pointers of an 8192-byte page.
struct PageHeader
{
    std::uint64_t lsn = 0;  ///< pd_lsn as (xlogid << 32) | xrecoff
    std::uint16_t checksum = 0;
    std::uint16_t flags = 0;
    std::uint16_t lower = 0;
    std::uint16_t upper = 0;
    std::uint16_t special = 0;
    std::uint16_t pageSizeVersion = 0;
    std::uint32_t pruneXid = 0;

    std::uint32_t pageSize() const { return pageSizeVersion & 0xFF00; }
    std::uint8_t layoutVersion() const { return std::uint8_t(pageSizeVersion & 0xFF); }
    /// (pd_lower - 24) / 4 when pd_lower is sane, else 0.
    std::uint32_t linePointerCount() const { return lower >= 24 ? (lower - 24u) / 4u : 0; }
};

struct LinePointer
{
    std::uint16_t offset = 0;
    std::uint8_t flags = 0;  ///< 0 unused, 1 normal, 2 redirect, 3 dead
    std::uint16_t length = 0;
};

/// Header of an 8192-byte page; nullopt for any other size.
std::optional<PageHeader> parsePageHeader(Bytes page);
/// Line pointers, at most `limit` of them, never past pd_lower or the page.
std::vector<LinePointer> linePointers(Bytes page, std::size_t limit);
/// Postgres pg_checksum_page() for block `blkno` (the stored checksum is ignored).
std::uint16_t pageChecksum(Bytes page, std::uint32_t blkno);
/// True for a page of all zero bytes (Postgres' "new" page).
bool isZeroPage(Bytes page);
/// Problems with the header (empty when sane): lower ≤ upper ≤ special ≤ 8192, size/version.
std::vector<std::string> pageHeaderProblems(const PageHeader &h);

} // namespace layerscope
