#pragma once

// A Postgres page being changed by redo: the page-level primitives Postgres's buffer-page code
// provides (PageInit, PageAddItem, PageRepairFragmentation, the index-page deletes and the
// overwrite), written from its documented page layout, with every offset checked against the
// 8192 bytes. Postgres would PANIC where these throw RedoFault.

#include <layerscope/base/bytes.h>

#include <cstdint>
#include <span>
#include <string>

namespace layerscope::redo {

inline constexpr std::size_t kPageSize = 8192;
inline constexpr std::size_t kPageHeaderSize = 24; ///< SizeOfPageHeaderData (MAXALIGNed)
inline constexpr std::size_t kItemIdSize = 4;
inline constexpr std::uint16_t kMaxHeapTuplesPerPage = 291;

/// Line pointer states (lp_flags).
enum class LpState : std::uint8_t { Unused = 0, Normal = 1, Redirect = 2, Dead = 3 };

/// pd_flags bits.
inline constexpr std::uint16_t kPdHasFreeLines = 0x0001;
inline constexpr std::uint16_t kPdPageFull = 0x0002;
inline constexpr std::uint16_t kPdAllVisible = 0x0004;

/// Why a record cannot be applied: what Postgres would stop on. Thrown by the primitives and
/// by the record decoders inside redo/, caught where a record is applied; it never leaves
/// redo/'s public functions.
struct RedoFault
{
    std::string what;
};
[[noreturn]] void fault(std::string what);

constexpr std::size_t maxAlign(std::size_t n)
{
    return (n + 7) & ~std::size_t(7);
}

/// One line pointer, decoded (lp_off 15 bits, lp_flags 2, lp_len 15).
struct ItemId
{
    std::uint16_t off = 0;
    LpState state = LpState::Unused;
    std::uint16_t len = 0;
    bool used() const { return state != LpState::Unused; }
    bool hasStorage() const { return len != 0; }
};

/// A view of one 8192-byte page that redo changes in place. Does not own the bytes.
class PageEdit
{
public:
    explicit PageEdit(std::span<std::uint8_t> page);

    std::uint8_t *data() { return m_p; }
    const std::uint8_t *data() const { return m_p; }

    std::uint64_t lsn() const;
    void setLsn(std::uint64_t lsn);
    std::uint16_t flags() const { return readLe16(m_p + 10); }
    void setFlags(std::uint16_t f) { writeLe16(m_p + 10, f); }
    std::uint16_t lower() const { return readLe16(m_p + 12); }
    std::uint16_t upper() const { return readLe16(m_p + 14); }
    std::uint16_t special() const { return readLe16(m_p + 16); }
    void setLower(std::uint16_t v) { writeLe16(m_p + 12, v); }
    void setUpper(std::uint16_t v) { writeLe16(m_p + 14, v); }
    std::uint32_t pruneXid() const { return readLe32(m_p + 20); }
    void setPruneXid(std::uint32_t x) { writeLe32(m_p + 20, x); }
    /// PageIsNew: pd_upper is zero.
    bool isNew() const { return upper() == 0; }

    /// PageInit: zeroes the page and lays out an empty one with `specialSize` bytes of special
    /// space (MAXALIGNed).
    void init(std::size_t specialSize);
    /// PageGetMaxOffsetNumber (0 when pd_lower is below the header).
    std::uint16_t maxOffset() const;
    /// Line pointer `offnum` (1-based); throws when it lies outside the page.
    ItemId itemId(std::uint16_t offnum) const
    {
        if (offnum == 0 || kPageHeaderSize + std::size_t(offnum) * kItemIdSize > kPageSize)
            outsidePage(offnum);
        const std::uint32_t w = readLe32(m_p + kPageHeaderSize + (offnum - 1u) * kItemIdSize);
        return ItemId{std::uint16_t(w & 0x7FFF), LpState((w >> 15) & 3), std::uint16_t(w >> 17)};
    }
    void setItemId(std::uint16_t offnum, ItemId id)
    {
        if (offnum == 0 || kPageHeaderSize + std::size_t(offnum) * kItemIdSize > kPageSize)
            outsidePage(offnum);
        const std::uint32_t w = std::uint32_t(id.off & 0x7FFF) | (std::uint32_t(id.state) << 15)
                                | (std::uint32_t(id.len & 0x7FFF) << 17);
        writeLe32(m_p + kPageHeaderSize + (offnum - 1u) * kItemIdSize, w);
    }
    /// The item's bytes, checked to lie in the page; throws otherwise.
    std::span<std::uint8_t> item(std::uint16_t offnum);
    /// The normal line pointer `offnum`'s item: "invalid lp" when there is none (heap redo).
    std::span<std::uint8_t> normalItem(std::uint16_t offnum);
    /// The special space (pd_special to the page's end).
    std::span<std::uint8_t> specialSpace();

    /// PageAddItemExtended at `offnum` (0: the first free slot or the end). `overwrite` is
    /// PAI_OVERWRITE, `isHeap` PAI_IS_HEAP. Returns the offset used; throws when Postgres's
    /// redo would fail ("failed to add").
    std::uint16_t addItem(Bytes item, std::uint16_t offnum, bool overwrite, bool isHeap);
    /// PageRepairFragmentation: compacts the items with storage toward the special space in line
    /// pointer order, truncates trailing unused pointers and sets PD_HAS_FREE_LINES.
    void repairFragmentation();
    /// PageTruncateLinePointerArray.
    void truncateLinePointerArray();
    /// PageIndexTupleDelete: removes one item and its pointer, moving the bytes below it up.
    void indexTupleDelete(std::uint16_t offnum);
    /// PageIndexMultiDelete: removes the items at `offnums` (ascending) and compacts.
    void indexMultiDelete(std::span<const std::uint16_t> offnums);
    /// PageIndexTupleOverwrite: replaces an item's bytes, moving the bytes below it.
    void indexTupleOverwrite(std::uint16_t offnum, Bytes item);

private:
    [[noreturn]] static void outsidePage(std::uint16_t offnum);
    void checkBounds(const char *what) const;
    /// An index item's storage lies in [pd_upper, pd_special), MAXALIGNed; a fault otherwise.
    void checkIndexItem(std::uint16_t offnum, ItemId id) const;
    std::uint8_t *m_p;
};

} // namespace layerscope::redo
