#pragma once

// Postgres's masking for WAL consistency checking: what two copies of a page may differ in
// without either being wrong (LSN, checksum, hint bits, unused space, and each access method's
// own rules), and where two masked pages first differ, named by field.

#include <layerscope/base/bytes.h>
#include <layerscope/base/error.h>

#include <cstdint>
#include <span>
#include <string>

namespace layerscope {

/// Which rm_mask applies.
enum class PageMask : std::uint8_t {
    None,     ///< rmgrs without a mask (XLOG): pages compare byte for byte
    Heap,     ///< heap_mask (Heap and Heap2 records, and the visibility-map pages they touch)
    Btree,    ///< btree_mask
    Sequence, ///< seq_mask
};

/// The mask Postgres's consistency check uses for a record of rmgr `rmid`.
PageMask pageMaskForRmgr(std::uint8_t rmid);
/// The mask for a page judged by its own layout (for a page with no record to tell): a btree
/// special space (16 bytes and no other access method's page id), a sequence's (4 bytes and
/// its magic), none (heap); None when the header is not a page's.
PageMask pageMaskForPage(Bytes page);
const char *pageMaskName(PageMask m);

/// Masks an 8192-byte page in place as the rm_mask routine does. Errors (offset into the page):
/// pointers Postgres's mask would refuse ("invalid page pd_lower ...").
Status maskPage(PageMask mask, std::span<std::uint8_t> page, std::uint32_t blkno);

/// Where two pages of 8192 bytes first differ, as a field: "pd_lower", "line pointer 3",
/// "item 3 at byte 40 of 112 (t_infomask)", "special space byte 4"; empty when equal.
/// `at` is set to the first differing byte.
std::string firstPageDifference(Bytes a, Bytes b, std::size_t *at = nullptr);

} // namespace layerscope
