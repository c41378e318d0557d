#pragma once

// A heap tuple's header (HeapTupleHeaderData, 23 bytes, little-endian) and its infomask bits,
// by name: what redo writes and what the page view shows.

#include <layerscope/base/bytes.h>

#include <cstdint>
#include <span>
#include <string>

namespace layerscope::redo::heap {

inline constexpr std::size_t kTupleHeaderLen = 23; ///< SizeofHeapTupleHeader

// t_infomask
inline constexpr std::uint16_t kHasNull = 0x0001;
inline constexpr std::uint16_t kHasVarwidth = 0x0002;
inline constexpr std::uint16_t kHasExternal = 0x0004;
inline constexpr std::uint16_t kHasOidOld = 0x0008;
inline constexpr std::uint16_t kXmaxKeyshrLock = 0x0010;
inline constexpr std::uint16_t kComboCid = 0x0020;
inline constexpr std::uint16_t kXmaxExclLock = 0x0040;
inline constexpr std::uint16_t kXmaxLockOnly = 0x0080;
inline constexpr std::uint16_t kXminCommitted = 0x0100;
inline constexpr std::uint16_t kXminInvalid = 0x0200;
inline constexpr std::uint16_t kXmaxCommitted = 0x0400;
inline constexpr std::uint16_t kXmaxInvalid = 0x0800;
inline constexpr std::uint16_t kXmaxIsMulti = 0x1000;
inline constexpr std::uint16_t kUpdated = 0x2000;
inline constexpr std::uint16_t kMovedOff = 0x4000;
inline constexpr std::uint16_t kMovedIn = 0x8000;
inline constexpr std::uint16_t kMoved = kMovedOff | kMovedIn;
inline constexpr std::uint16_t kXmaxBits = kXmaxCommitted | kXmaxInvalid | kXmaxIsMulti
                                           | kXmaxKeyshrLock | kXmaxExclLock | kXmaxLockOnly;
inline constexpr std::uint16_t kXactMask = 0xFFF0;
inline constexpr std::uint16_t kXminFrozen = kXminCommitted | kXminInvalid;
// t_infomask2
inline constexpr std::uint16_t kNattsMask = 0x07FF;
inline constexpr std::uint16_t kKeysUpdated = 0x2000;
inline constexpr std::uint16_t kHotUpdated = 0x4000;
inline constexpr std::uint16_t kOnlyTuple = 0x8000;

inline constexpr std::uint16_t kSpecTokenOffset = 0xFFFE;

/// A view of a tuple's header in a page; the span must hold at least 23 bytes (throws
/// RedoFault otherwise). Does not own the bytes.
class TupleHeader
{
public:
    explicit TupleHeader(std::span<std::uint8_t> tuple);

    std::uint32_t xmin() const { return readLe32(m_p); }
    std::uint32_t xmax() const { return readLe32(m_p + 4); }
    std::uint32_t cid() const { return readLe32(m_p + 8); } ///< t_cid or t_xvac
    std::uint32_t ctidBlock() const
    {
        return (std::uint32_t(readLe16(m_p + 12)) << 16) | readLe16(m_p + 14);
    }
    std::uint16_t ctidOffset() const { return readLe16(m_p + 16); }
    std::uint16_t infomask2() const { return readLe16(m_p + 18); }
    std::uint16_t infomask() const { return readLe16(m_p + 20); }
    std::uint8_t hoff() const { return m_p[22]; }

    void setXmin(std::uint32_t x) { writeLe32(m_p, x); }
    void setXmax(std::uint32_t x) { writeLe32(m_p + 4, x); }
    void setCid(std::uint32_t c) { writeLe32(m_p + 8, c); }
    void setCtid(std::uint32_t block, std::uint16_t offset)
    {
        writeLe16(m_p + 12, std::uint16_t(block >> 16));
        writeLe16(m_p + 14, std::uint16_t(block));
        writeLe16(m_p + 16, offset);
    }
    void setInfomask2(std::uint16_t m) { writeLe16(m_p + 18, m); }
    void setInfomask(std::uint16_t m) { writeLe16(m_p + 20, m); }
    void setHoff(std::uint8_t h) { m_p[22] = h; }

private:
    std::uint8_t *m_p;
};

/// t_infomask's bits by name, "XMIN_COMMITTED|XMAX_INVALID" ("0" for none).
std::string infomaskNames(std::uint16_t infomask);
/// t_infomask2's flags by name and the attribute count, "HOT_UPDATED, 3 attributes".
std::string infomask2Names(std::uint16_t infomask2);

} // namespace layerscope::redo::heap
