#include <layerscope/redo/pg_redo.h>

#include <layerscope/format/value.h>
#include <layerscope/redo/block_image.h>

#include "record_view.h"

#include <fmt/format.h>

namespace layerscope {

namespace redo {

BlockAction readForRedo(const RecordView &r, Target &t, bool zeroOnMissing)
{
    if (t.ref.willInit)
        fault("block with WILL_INIT flag in WAL record must be zeroed by redo routine");
    if (t.ref.applyImage) {
        if (auto st = restoreBlockImage(r.rec, t.ref, r.d.imageFlagsOf, t.page); !st)
            fault(fmt::format("its image does not restore: {}", st.error().message()));
        PageEdit page(t.page);
        if (!page.isNew())
            page.setLsn(r.lsn);
        return t.action = BlockAction::Restored;
    }
    if (t.page.empty()) {
        if (!zeroOnMissing)
            fault("there is no page to apply it to: nothing before it in the chain made one "
                  "(an image, or a record that initializes the page)");
        t.page.assign(kPageSize, 0);
    }
    if (t.page.size() != kPageSize)
        fault(fmt::format("the page has {} bytes, not {}", t.page.size(), kPageSize));
    if (r.lsn <= PageEdit(t.page).lsn())
        return t.action = BlockAction::Done;
    return t.action = BlockAction::NeedsRedo;
}

void initForRedo(const RecordView &r, Target &t)
{
    (void) r;
    if (!t.ref.willInit)
        fault("block to be initialized in redo routine must be marked with WILL_INIT flag in "
              "the WAL record");
    t.page.assign(kPageSize, 0);
    t.action = BlockAction::NeedsRedo;
}

namespace {
constexpr std::uint8_t kRmXlog = 0, kRmHeap2 = 9, kRmHeap = 10, kRmBtree = 11, kRmSeq = 15;

// XLOG FPI and FPI_FOR_HINT: the image, applied.
void xlogRedo(const RecordView &r, Target &t)
{
    const std::uint8_t info = r.info();
    if (info != 0xA0 && info != 0xB0)
        fault("this XLOG record changes no page");
    if (!t.ref.hasImage) {
        if (info == 0xB0)
            fault("XLOG_FPI record did not contain a full-page image");
        t.action = BlockAction::Done;
        return;
    }
    if (readForRedo(r, t) != BlockAction::Restored)
        fault("unexpected XLogReadBufferForRedo result when restoring backup block (its image "
              "does not have BKPIMAGE_APPLY)");
}

// seq_redo: the page rebuilt with the sequence's tuple, from the main data after its
// RelFileNode.
void seqRedo(const RecordView &r, Target &t)
{
    if (r.info() != 0x00)
        fault("seq_redo: unknown op code");
    initForRedo(r, t);
    const Fields x(r.mainData(), "xl_seq_rec");
    const Bytes tuple = x.from(12);
    PageEdit page(t.page);
    page.init(4);
    writeLe32(page.specialSpace().data(), 0x1717); // SEQ_MAGIC
    page.addItem(tuple, 1, false, false);
    page.setLsn(r.lsn);
}

const char *opName(std::uint8_t rmid, std::uint8_t info, int pgVersion)
{
    static const char *const heap[] = {
        "INSERT", "DELETE", "UPDATE", "TRUNCATE", "HOT_UPDATE", "CONFIRM", "LOCK", "INPLACE"};
    static const char *const heap2[] = {"REWRITE",
                                        "PRUNE",
                                        "VACUUM",
                                        "FREEZE_PAGE",
                                        "VISIBLE",
                                        "MULTI_INSERT",
                                        "LOCK_UPDATED",
                                        "NEW_CID"};
    static const char *const heap2v17[] = {"REWRITE",
                                           "PRUNE_ON_ACCESS",
                                           "PRUNE_VACUUM_SCAN",
                                           "PRUNE_VACUUM_CLEANUP"};
    static const char *const heap2unknown[] = {"REWRITE",
                                               "PRUNE|PRUNE_ON_ACCESS",
                                               "VACUUM|PRUNE_VACUUM_SCAN",
                                               "FREEZE_PAGE|PRUNE_VACUUM_CLEANUP"};
    static const char *const btree[] = {"INSERT_LEAF",
                                        "INSERT_UPPER",
                                        "INSERT_META",
                                        "SPLIT_L",
                                        "SPLIT_R",
                                        "INSERT_POST",
                                        "DEDUP",
                                        "DELETE",
                                        "UNLINK_PAGE",
                                        "UNLINK_PAGE_META",
                                        "NEWROOT",
                                        "MARK_PAGE_HALFDEAD",
                                        "VACUUM",
                                        "REUSE_PAGE",
                                        "META_CLEANUP",
                                        nullptr};
    static const char *const xlog[] = {"CHECKPOINT_SHUTDOWN",
                                       "CHECKPOINT_ONLINE",
                                       "NOOP",
                                       "NEXTOID",
                                       "SWITCH",
                                       "BACKUP_END",
                                       "PARAMETER_CHANGE",
                                       "RESTORE_POINT",
                                       "FPW_CHANGE",
                                       "END_OF_RECOVERY",
                                       "FPI_FOR_HINT",
                                       "FPI",
                                       nullptr,
                                       "OVERWRITE_CONTRECORD",
                                       nullptr,
                                       nullptr};
    const std::uint8_t op = info >> 4;
    switch (rmid) {
    case kRmHeap: return heap[op & 7];
    case kRmHeap2:
        if ((op & 7) >= 4 || (op & 7) == 0)
            return heap2[op & 7];
        return pgVersion >= 17                  ? heap2v17[op & 7]
               : pgVersion == kPgVersionUnknown ? heap2unknown[op & 7]
                                                : heap2[op & 7];
    case kRmBtree: return btree[op];
    case kRmXlog: return xlog[op];
    case kRmSeq: return op == 0 ? "LOG" : nullptr;
    default: return nullptr;
    }
}
} // namespace
} // namespace redo

bool pgRecordFormatDependsOnVersion(std::uint8_t rmid, std::uint8_t info)
{
    const std::uint8_t op = info & 0x70;
    return rmid == redo::kRmHeap2 && op >= 0x10 && op <= 0x30;
}

std::string pgRecordKind(std::uint8_t rmid, std::uint8_t info, int pgVersion)
{
    const char *op = redo::opName(rmid, info & 0xF0, pgVersion);
    const bool init = (rmid == 9 || rmid == 10) && (info & 0x80);
    if (!op)
        return fmt::format("{} info 0x{:02X}", rmgrName(rmid), info & 0xF0);
    return fmt::format("{} {}{}", rmgrName(rmid), op, init ? "+INIT" : "");
}

bool pgRecordReplayable(std::uint8_t rmid, std::uint8_t info)
{
    const std::uint8_t op = info & 0xF0;
    switch (rmid) {
    case redo::kRmXlog: return op == 0xA0 || op == 0xB0;
    case redo::kRmHeap: return (op & 0x70) != 0x30;
    case redo::kRmHeap2: return (op & 0x70) >= 0x10 && (op & 0x70) <= 0x60;
    case redo::kRmBtree: return op <= 0xC0 || op == 0xE0;
    case redo::kRmSeq: return op == 0x00;
    default: return false;
    }
}

std::optional<std::size_t> pgBlockOfKey(const XLogRecordDecoded &d, const Key &key)
{
    if (!key.isRelBlock())
        return std::nullopt;
    for (std::size_t i = 0; i < d.blocks.size(); ++i) {
        const XLogBlockRef &b = d.blocks[i];
        if (b.isBlockOf(key))
            return i;
    }
    return std::nullopt;
}

Result<PgRedoAction> applyPgRecord(Bytes rec,
                                   const XLogRecordDecoded &d,
                                   std::size_t block,
                                   Lsn lsn,
                                   ByteVector &page,
                                   int pgVersion)
{
    auto stop = [&](const std::string &why) {
        const std::string kind = pgRecordKind(d.header.rmid, d.header.info, pgVersion);
        return makeError(0,
                         fmt::format("a {} record that Postgres's redo applies", kind),
                         fmt::format("{} at {}: {}", kind, lsn.toString(), why));
    };
    if (pgVersion != kPgVersionUnknown
        && (pgVersion < kPgVersionFirst || pgVersion > kPgVersionLast))
        return stop(fmt::format("records of Postgres {} are not replayed (those of {} to {} are): "
                                "their formats differ",
                                pgVersion,
                                kPgVersionFirst,
                                kPgVersionLast));
    if (pgVersion == kPgVersionUnknown
        && pgRecordFormatDependsOnVersion(d.header.rmid, d.header.info))
        return stop(
            "its format differs between Postgres versions (prune, vacuum and freeze records "
            "before 17, prune-and-freeze records in 17) and the timeline's version is not "
            "known: name it with --pg-version, or read the timeline with its "
            "index_part.json (pg_version)");
    if (!pgRecordReplayable(d.header.rmid, d.header.info))
        return stop(fmt::format("replay of this record kind (rmgr {}, info 0x{:02X}) is not built",
                                d.header.rmid,
                                d.header.info));
    if (block >= d.blocks.size())
        return stop(fmt::format("it has no block reference #{}", block));
    redo::RecordView view{rec, d, lsn.value, pgVersion};
    redo::Target target{d.blocks[block], page};
    try {
        switch (d.header.rmid) {
        case redo::kRmXlog: redo::xlogRedo(view, target); break;
        case redo::kRmHeap: redo::heapRedo(view, target); break;
        case redo::kRmHeap2: redo::heap2Redo(view, target); break;
        case redo::kRmBtree: redo::btreeRedo(view, target); break;
        case redo::kRmSeq: redo::seqRedo(view, target); break;
        default: break;
        }
    } catch (const redo::RedoFault &f) {
        return stop(fmt::format("block {} ({}): {}",
                                d.blocks[block].id,
                                fmt::format("blk {}", d.blocks[block].blockNumber),
                                f.what));
    }
    switch (target.action) {
    case redo::BlockAction::NeedsRedo: return PgRedoAction::Applied;
    case redo::BlockAction::Restored: return PgRedoAction::Restored;
    case redo::BlockAction::Done: break;
    }
    return PgRedoAction::Skipped;
}

} // namespace layerscope
