#pragma once

// Private to redo/: one decoded Postgres record as the rmgr redo routines read it, and the
// buffer logic every routine shares (XLogReadBufferForRedo / XLogInitBufferForRedo for the
// one block being rebuilt).

#include <layerscope/format/xlog_record.h>
#include <layerscope/redo/page_edit.h>

#include <fmt/format.h>

#include <cstring>

namespace layerscope::redo {

/// What became of the block.
enum class BlockAction : std::uint8_t {
    NeedsRedo, ///< the routine changes the page
    Restored,  ///< the record's image was applied
    Done,      ///< the page's LSN is at or past the record: nothing to do
};

struct RecordView
{
    Bytes rec;
    const XLogRecordDecoded &d;
    std::uint64_t lsn;
    int pgVersion; ///< 14 to 17, or 0 (unknown: version-dependent records are refused before)

    std::uint8_t info() const { return d.header.info & 0xF0; }
    std::uint32_t xid() const { return d.header.xid; }
    Bytes mainData() const
    {
        return d.mainDataLength ? rec.subspan(d.mainDataAt, d.mainDataLength) : Bytes{};
    }
    /// The block reference with this id, or null.
    const XLogBlockRef *block(std::uint8_t id) const
    {
        for (const XLogBlockRef &b : d.blocks)
            if (b.id == id)
                return &b;
        return nullptr;
    }
    Bytes blockData(const XLogBlockRef &b) const
    {
        return b.hasData ? rec.subspan(b.dataAt, b.dataLength) : Bytes{};
    }
};

/// Bounds-checked little-endian reads of a record's structs (main data, block data). A struct
/// shorter than its fields is a fault naming what was read.
class Fields
{
public:
    Fields(Bytes b, const char *what)
        : m_b(b)
        , m_what(what)
    {}
    std::size_t size() const { return m_b.size(); }
    Bytes bytes() const { return m_b; }
    void need(std::size_t n) const
    {
        if (m_b.size() < n)
            fault(fmt::format("{}: {} bytes, fewer than the {} it needs", m_what, m_b.size(), n));
    }
    std::uint8_t u8(std::size_t at) const
    {
        need(at + 1);
        return m_b[at];
    }
    std::uint16_t u16(std::size_t at) const
    {
        need(at + 2);
        return readLe16(m_b.data() + at);
    }
    std::uint32_t u32(std::size_t at) const
    {
        need(at + 4);
        return readLe32(m_b.data() + at);
    }
    std::uint64_t u64(std::size_t at) const
    {
        return std::uint64_t(u32(at)) | (std::uint64_t(u32(at + 4)) << 32);
    }
    Bytes sub(std::size_t at, std::size_t n) const
    {
        need(at + n);
        return m_b.subspan(at, n);
    }
    Bytes from(std::size_t at) const
    {
        need(at);
        return m_b.subspan(at);
    }

private:
    Bytes m_b;
    const char *m_what;
};

/// The page being rebuilt for one block of the record: 8192 bytes, or empty when the chain has
/// not produced one yet.
struct Target
{
    const XLogBlockRef &ref;
    ByteVector &page;
    BlockAction action = BlockAction::Done;
};

/// XLogReadBufferForRedo(Extended) for the target block: applies the record's image when it
/// says so, or decides by the page's LSN. A block marked WILL_INIT must be read with `init`.
/// `zeroOnMissing` reads a page the chain does not have as zeros (RBM_ZERO_ON_ERROR).
BlockAction readForRedo(const RecordView &r, Target &t, bool zeroOnMissing = false);
/// XLogInitBufferForRedo: the target block starts from zeros (it must be marked WILL_INIT).
void initForRedo(const RecordView &r, Target &t);

// The rmgr routines: each rebuilds the one target block of the record, as the rmgr's redo
// routine does for that block alone.
void heapRedo(const RecordView &r, Target &t);
void heap2Redo(const RecordView &r, Target &t);
void btreeRedo(const RecordView &r, Target &t);

} // namespace layerscope::redo
