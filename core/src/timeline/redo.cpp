#include <layerscope/timeline/redo.h>

#include <layerscope/format/xlog_record.h>

#include <fmt/format.h>

#include <algorithm>

namespace layerscope {

namespace {
// PostgreSQL constants for 8192-byte pages (FORMAT.md Appendix A; Neon's pg_constants).
constexpr std::size_t kPageHeaderLen = 24;                      // MAXALIGN(SizeOfPageHeaderData)
constexpr std::uint32_t kHeapBlocksPerVmPage = (8192 - 24) * 4; // 2 bits per heap block
constexpr std::uint32_t kClogXactsPerPage = 8192 * 4;           // 2 bits per transaction
constexpr std::uint32_t kSlruPagesPerSegment = 32;
constexpr std::uint32_t kMultixactOffsetsPerPage = 8192 / 4;
constexpr std::uint32_t kMembersPerGroup = 4;
constexpr std::uint32_t kMemberGroupSize = 4 * kMembersPerGroup + 4; // xids, then flag bytes
constexpr std::uint32_t kMemberGroupsPerPage = 8192 / kMemberGroupSize;
constexpr std::uint32_t kMembersPerPage = kMemberGroupsPerPage * kMembersPerGroup;
constexpr std::uint8_t kClogCommitted = 1;
constexpr std::uint8_t kClogAborted = 2;
constexpr std::uint8_t kVmFork = 2;

const char *slruKindName(std::uint32_t kind)
{
    switch (kind) {
    case 0: return "Clog";
    case 1: return "MultiXactMembers";
    case 2: return "MultiXactOffsets";
    default: return "?";
    }
}

// "byte N of the page is beyond its M bytes" when [at, at + len) does not fit.
std::string beyond(const ByteVector &page, std::size_t at, std::size_t len)
{
    if (at + len <= page.size())
        return {};
    return fmt::format("byte {} of the page is beyond its {} bytes (Neon panics on this slice)",
                       at + len - 1,
                       page.size());
}

// Neon's Key::to_rel_block with its assertion that the key is a visibility-map block.
std::string vmBlock(const Key &key, const char *record, std::uint32_t &blkno)
{
    if (key.field1() != 0x00)
        return fmt::format("{} on a key that is no relation block: unexpected value kind 0x{:02x}",
                           record,
                           key.field1());
    if (key.forkNumber() != kVmFork)
        return fmt::format(
            "{} on a block of fork {}, not the visibility map (Neon asserts the fork)",
            record,
            key.forkNumber());
    blkno = key.blockNumber();
    return {};
}

// Neon's Key::to_slru_block with its assertion on the SLRU kind.
std::string slruBlock(const Key &key,
                      const char *record,
                      std::uint32_t wantKind,
                      std::uint32_t &segno,
                      std::uint32_t &blkno)
{
    if (key.field1() != 0x01)
        return fmt::format("{} on a key that is no SLRU block: unexpected value kind 0x{:02x}",
                           record,
                           key.field1());
    if (key.slruKind() > 2)
        return fmt::format("{} on a key of unrecognized SLRU kind 0x{:02x}", record, key.slruKind());
    if (key.slruKind() != wantKind)
        return fmt::format("{} on a {} page, not {} (Neon asserts the SLRU)",
                           record,
                           slruKindName(key.slruKind()),
                           slruKindName(wantKind));
    segno = key.slruSegment();
    blkno = key.blockNumber();
    return {};
}

// The check every SLRU record makes: the page it names is the key's.
std::string samePage(const char *record,
                     const char *what,
                     std::uint64_t id,
                     std::uint32_t pageno,
                     std::uint32_t segno,
                     std::uint32_t blkno)
{
    const std::uint32_t wantSeg = pageno / kSlruPagesPerSegment,
                        wantBlk = pageno % kSlruPagesPerSegment;
    if (wantSeg == segno && wantBlk == blkno)
        return {};
    return fmt::format(
        "{} for {} {} belongs to segment {} block {}, but the key is segment {} block "
        "{} (Neon asserts this)",
        record,
        what,
        id,
        wantSeg,
        wantBlk,
        segno,
        blkno);
}

std::string clearVmFlags(const Key &key,
                         Lsn lsn,
                         const wal::ClearVisibilityMapFlags &r,
                         ByteVector &page)
{
    std::uint32_t blkno = 0;
    if (auto e = vmBlock(key, "ClearVisibilityMapFlags", blkno); !e.empty())
        return e;
    for (const auto &heap : {r.newHeapBlkno, r.oldHeapBlkno}) {
        if (!heap)
            continue;
        const std::uint32_t mapBlock = *heap / kHeapBlocksPerVmPage;
        const std::uint32_t mapByte = (*heap % kHeapBlocksPerVmPage) / 4;
        const std::uint32_t mapOffset = (*heap % 4) * 2;
        if (mapBlock != blkno)
            return fmt::format("ClearVisibilityMapFlags for heap block {} belongs to map block {}, "
                               "but the key is block {} (Neon asserts this)",
                               *heap,
                               mapBlock,
                               blkno);
        if (auto e = beyond(page, kPageHeaderLen + mapByte, 1); !e.empty())
            return e;
        page[kPageHeaderLen + mapByte] &= std::uint8_t(~(unsigned(r.flags) << mapOffset));
        // Neon sets the page LSN unless the page is new (pd_upper, bytes 14..15, is zero).
        if (page[14] != 0 || page[15] != 0) {
            writeLe32(&page[0], std::uint32_t(lsn.value >> 32));
            writeLe32(&page[4], std::uint32_t(lsn.value));
        }
    }
    return {};
}

std::string truncateVm(const Key &key, const wal::TruncateVisibilityMap &r, ByteVector &page)
{
    std::uint32_t blkno = 0;
    if (auto e = vmBlock(key, "TruncateVisibilityMap", blkno); !e.empty())
        return e;
    const std::size_t mapLen = page.size() > kPageHeaderLen ? page.size() - kPageHeaderLen : 0;
    if (r.truncByte >= mapLen)
        return beyond(page,
                      kPageHeaderLen + std::size_t(std::min<std::uint64_t>(r.truncByte, mapLen + 1)),
                      1);
    const auto at = kPageHeaderLen + std::size_t(r.truncByte);
    std::fill(page.begin() + std::ptrdiff_t(at + 1), page.end(), std::uint8_t(0));
    // Rust's u8 shift without overflow checks uses the low 3 bits of the amount.
    page[at] &= std::uint8_t((1u << (r.truncOffs & 7)) - 1);
    return {};
}

std::string clogSet(const Key &key,
                    const std::vector<std::uint32_t> &xids,
                    std::uint8_t status,
                    const char *record,
                    ByteVector &page)
{
    std::uint32_t segno = 0, blkno = 0;
    if (auto e = slruBlock(key, record, 0, segno, blkno); !e.empty())
        return e;
    for (const std::uint32_t xid : xids) {
        if (auto e = samePage(record, "XID", xid, xid / kClogXactsPerPage, segno, blkno); !e.empty())
            return e;
        const std::size_t byte = (xid % kClogXactsPerPage) / 4;
        const unsigned shift = (xid % 4) * 2;
        if (auto e = beyond(page, byte, 1); !e.empty())
            return e;
        page[byte] = std::uint8_t((page[byte] & ~(3u << shift)) | (unsigned(status) << shift));
    }
    return {};
}

std::string multixactOffset(const Key &key, const wal::MultixactOffsetCreate &r, ByteVector &page)
{
    std::uint32_t segno = 0, blkno = 0;
    if (auto e = slruBlock(key, "MultixactOffsetCreate", 2, segno, blkno); !e.empty())
        return e;
    if (auto e = samePage("MultixactOffsetCreate",
                          "multixact",
                          r.mid,
                          r.mid / kMultixactOffsetsPerPage,
                          segno,
                          blkno);
        !e.empty())
        return e;
    const std::size_t at = (r.mid % kMultixactOffsetsPerPage) * 4;
    if (auto e = beyond(page, at, 4); !e.empty())
        return e;
    writeLe32(&page[at], r.moff);
    return {};
}

std::string multixactMembers(const Key &key, const wal::MultixactMembersCreate &r, ByteVector &page)
{
    std::uint32_t segno = 0, blkno = 0;
    if (auto e = slruBlock(key, "MultixactMembersCreate", 1, segno, blkno); !e.empty())
        return e;
    for (std::size_t i = 0; i < r.members.size(); ++i) {
        const std::uint32_t offset = r.moff
                                     + std::uint32_t(i); // wraps, as in Neon's release builds
        if (auto e = samePage("MultixactMembersCreate",
                              "member offset",
                              offset,
                              offset / kMembersPerPage,
                              segno,
                              blkno);
            !e.empty())
            return e;
        const std::size_t flagsAt = (offset / kMembersPerGroup) % kMemberGroupsPerPage
                                    * kMemberGroupSize;
        const unsigned shift = (offset % kMembersPerGroup) * 8;
        const std::size_t memberAt = flagsAt + 4 + (offset % kMembersPerGroup) * 4;
        if (auto e = beyond(page, std::max(flagsAt, memberAt), 4); !e.empty())
            return e;
        std::uint32_t flags = readLe32(&page[flagsAt]);
        flags &= ~(0xFFu << shift);
        flags |= r.members[i].status << shift;
        writeLe32(&page[flagsAt], flags);
        writeLe32(&page[memberAt], r.members[i].xid);
    }
    return {};
}

std::string testRecord(const wal::Test &r, ByteVector &page)
{
    if (r.willInit && (!r.clear || !page.empty()))
        return "Test record with will_init must clear and come first (Neon asserts this)";
    if (r.clear)
        page.clear();
    if (r.onlyIf && !std::equal(page.begin(), page.end(), r.onlyIf->begin(), r.onlyIf->end()))
        return "Test record: the current image does not match the expected image, cannot append";
    page.insert(page.end(), r.append.begin(), r.append.end());
    return {};
}
} // namespace

bool appliesInNeon(const NeonWalRecord &rec)
{
    return !std::holds_alternative<wal::Postgres>(rec);
}

std::string applyNeonRecord(const Key &key, Lsn lsn, const NeonWalRecord &rec, ByteVector &page)
{
    if (const auto *r = std::get_if<wal::ClearVisibilityMapFlags>(&rec))
        return clearVmFlags(key, lsn, *r, page);
    if (const auto *r = std::get_if<wal::TruncateVisibilityMap>(&rec))
        return truncateVm(key, *r, page);
    if (const auto *r = std::get_if<wal::ClogSetCommitted>(&rec)) {
        if (auto e = clogSet(key, r->xids, kClogCommitted, "ClogSetCommitted", page); !e.empty())
            return e;
        // The commit timestamp follows the page (8 bytes BE), replacing an earlier one.
        if (page.size() == 8192 + 8)
            page.resize(8192);
        if (page.size() == 8192)
            appendBe64(page, std::uint64_t(r->timestamp));
        return {};
    }
    if (const auto *r = std::get_if<wal::ClogSetAborted>(&rec))
        return clogSet(key, r->xids, kClogAborted, "ClogSetAborted", page);
    if (const auto *r = std::get_if<wal::MultixactOffsetCreate>(&rec))
        return multixactOffset(key, *r, page);
    if (const auto *r = std::get_if<wal::MultixactMembersCreate>(&rec))
        return multixactMembers(key, *r, page);
    if (std::holds_alternative<wal::AuxFile>(rec))
        return {}; // a no-op in Neon (with a warning): aux files v2 never create these
    if (const auto *r = std::get_if<wal::Test>(&rec))
        return testRecord(*r, page);
    return "a Postgres WAL record: only Postgres can apply it";
}

Result<std::vector<ChainValue>> readChain(const Timeline &timeline, const ReadPath &path)
{
    std::vector<ChainValue> chain;
    for (const ReadStep &step : path.steps) {
        const TimelineLayer &l = timeline.layers.at(step.layer);
        if (step.values.empty())
            continue;
        auto layer = openTimelineLayer(timeline, l.path);
        if (!layer)
            return makeError(layer.error().offset,
                             layer.error().expected,
                             fmt::format("{} in {}", layer.error().found, l.fileName),
                             layer.error().kind);
        for (const Entry &e : step.values) {
            auto header = layer->blobHeader(e);
            auto value = layer->value(e);
            if (!header || !value) {
                const Error &err = header ? value.error() : header.error();
                return makeError(err.offset,
                                 err.expected,
                                 fmt::format("{} in {}", err.found, l.fileName),
                                 err.kind);
            }
            const bool image = l.name->kind == LayerKind::Image;
            chain.push_back(ChainValue{step.layer,
                                       e,
                                       image ? l.name->lsnStart : e.lsn,
                                       header->storedLen,
                                       std::move(value.value())});
        }
    }
    std::reverse(chain.begin(), chain.end());
    return chain;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> changedRanges(const ByteVector &before,
                                                                   const ByteVector &after)
{
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    const std::size_t n = after.size(), common = std::min(before.size(), after.size());
    std::size_t i = 0;
    while (i < common) {
        if (before[i] == after[i]) {
            ++i;
            continue;
        }
        const std::size_t from = i;
        while (i < common && before[i] != after[i])
            ++i;
        out.emplace_back(std::uint32_t(from), std::uint32_t(i));
    }
    if (n > common) {  // bytes appended (a commit timestamp after a clog page, a new page)
        if (!out.empty() && out.back().second == common)
            out.back().second = std::uint32_t(n);
        else
            out.emplace_back(std::uint32_t(common), std::uint32_t(n));
    }
    return out;
}

namespace {
std::string valueKind(const Value &v, int pgVersion)
{
    if (v.isImage())
        return "image";
    if (const auto *pg = std::get_if<wal::Postgres>(&v.record())) {
        XLogRecordHeader h;
        if (readXLogRecordHeader(pg->rec, h))
            return pgRecordKind(h.rmid, h.info, pgVersion);
        return "Postgres record (shorter than its header)";
    }
    return recordName(v.record());
}

// A Postgres record applied to the key's page. Empty on success, else why it cannot be.
std::string applyPostgres(const Key &key, Lsn lsn, const wal::Postgres &pg, int pgVersion,
                          ByteVector &page, PgRedoAction &action)
{
    // One decoded record per thread, reused: a chain's records allocate nothing to decode.
    thread_local XLogRecordDecoded decoded;
    if (auto st = decodeXLogRecord(pg.rec, 0, decoded, pgVersion); !st)
        return pgVersion ? fmt::format("the Postgres record does not decode with the image flags "
                                       "of Postgres {} ({}): it is not a record of Postgres {}",
                                       pgVersion, st.error().message(), pgVersion)
                         : fmt::format("the Postgres record does not decode ({})",
                                       st.error().message());
    const auto block = pgBlockOfKey(decoded, key);
    if (!block)
        return fmt::format("the {} record touches no block of this key's page",
                           pgRecordKind(decoded.header.rmid, decoded.header.info, pgVersion));
    auto applied = applyPgRecord(pg.rec, decoded, *block, lsn, page, pgVersion);
    if (!applied)
        return applied.error().found;
    action = *applied;
    return {};
}
} // namespace

Redo redoChain(const Key &key, const std::vector<ChainValue> &chain, const RedoOptions &options)
{
    Redo r;
    for (const ChainValue &v : chain)
        r.postgres += !v.value.isImage() && !appliesInNeon(v.value.record());
    if (chain.empty() || !chain.front().value.willInit()) {
        r.message = "no image and no will_init record at the bottom of the chain: there is nothing "
                    "to apply the records to (Neon: could not find data for key)";
        return r;
    }
    const bool imageBase = chain.front().value.isImage();
    if (imageBase)
        r.page = chain.front().value.image();
    if (options.history && imageBase) {
        RedoStep base{0, chain.front().lsn, RedoStep::Action::Base, "image", {}, {}};
        base.changed = changedRanges({}, r.page);
        if (options.keepPages)
            base.page = r.page;
        r.steps.push_back(std::move(base));
    }
    ByteVector before;  // with history only: the page before the step, to diff
    for (std::size_t i = imageBase ? 1 : 0; i < chain.size(); ++i) {
        const ChainValue &v = chain[i];
        if (options.history)
            before = r.page;
        RedoStep::Action action = i == 0 ? RedoStep::Action::Base : RedoStep::Action::Applied;
        std::string e;
        if (v.value.isImage()) {
            e = "an image above the chain's base (a read path stops at an image)";
        } else if (const auto *pg = std::get_if<wal::Postgres>(&v.value.record())) {
            PgRedoAction a = PgRedoAction::Applied;
            e = applyPostgres(key, v.lsn, *pg, options.pgVersion, r.page, a);
            if (e.empty() && i > 0)
                action = a == PgRedoAction::Restored  ? RedoStep::Action::Restored
                         : a == PgRedoAction::Skipped ? RedoStep::Action::Skipped
                                                      : RedoStep::Action::Applied;
        } else {
            e = applyNeonRecord(key, v.lsn, v.value.record(), r.page);
        }
        if (!e.empty()) {
            r.outcome = Redo::Outcome::Failed;
            r.failedAt = i;
            if (options.history) {
                r.page = std::move(before);
            } else {
                // The page before the failing record, replayed again (a rare path: the
                // records before it applied once already).
                const std::vector<ChainValue> head(chain.begin(), chain.begin() + std::ptrdiff_t(i));
                r.page = i ? redoChain(key, head, options).page : ByteVector{};
            }
            r.message = fmt::format("the record at {} (its blob at byte {} of its layer) cannot be "
                                    "applied: {}",
                                    v.lsn.toString(), v.entry.blobOffset, e);
            return r;
        }
        if (i > 0)
            ++r.applied;
        if (options.history) {
            RedoStep step{i, v.lsn, action, valueKind(v.value, options.pgVersion), changedRanges(before, r.page), {}};
            if (options.keepPages)
                step.page = r.page;
            r.steps.push_back(std::move(step));
        }
    }
    r.outcome = Redo::Outcome::Reconstructed;
    const char *base = imageBase ? "image" : "initializing record";
    if (!r.applied)
        r.message = fmt::format("the {} at {} is the page, {} bytes", base,
                                chain.front().lsn.toString(), r.page.size());
    else if (!r.postgres)
        r.message = fmt::format("reconstructed: {} Neon record(s) applied on the {} at {}, {} bytes",
                                r.applied, base, chain.front().lsn.toString(), r.page.size());
    else
        r.message = fmt::format("reconstructed: {} record(s) applied on the {} at {} ({} of them "
                                "Postgres records, replayed as Postgres {} redoes them), {} bytes",
                                r.applied, base, chain.front().lsn.toString(),
                                r.postgres - (imageBase ? 0 : 1),
                                options.pgVersion == kPgVersionUnknown
                                    ? std::string("(version unknown)")
                                    : std::to_string(options.pgVersion),
                                r.page.size());
    return r;
}

std::string describeChainValue(const Value &value)
{
    if (value.isImage())
        return fmt::format("image, {} bytes", value.image().size());
    return describeRecord(value.record());
}

} // namespace layerscope
