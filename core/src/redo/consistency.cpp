#include <layerscope/redo/consistency.h>

#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/redo/block_image.h>
#include <layerscope/redo/page_mask.h>
#include <layerscope/redo/pg_redo.h>

#include <fmt/format.h>

namespace layerscope {

Result<ConsistencyReport> verifyConsistencyImages(const Layer &delta, std::size_t maxProblems)
{
    auto entries = delta.entries();
    if (!entries)
        return entries.error();
    ConsistencyReport rep;
    auto problem = [&](const Entry &e, std::string kind, std::string message) {
        ++rep.problemCount;
        if (rep.problems.size() < maxProblems)
            rep.problems.push_back({e.key, e.lsn, e.blobOffset, std::move(kind), std::move(message)});
    };
    ByteVector page, mine, theirs;
    XLogRecordDecoded d;
    bool live = false;      // the current key's page exists and is trusted
    bool baseless = false;  // the current key was counted without a base
    std::optional<Key> current;
    for (const Entry &e : *entries) {
        if (!current || !(e.key == *current)) {
            current = e.key;
            ++rep.keys;
            page.clear();
            live = baseless = false;
        }
        auto value = delta.value(e);
        if (!value)
            return value.error();
        if (value->isImage()) {
            page = value->image();
            live = true;
            continue;
        }
        const auto *pg = std::get_if<wal::Postgres>(&value->record());
        if (!pg)
            continue;
        if (!live && !pg->willInit) {
            if (!baseless && page.empty())
                ++rep.keysWithoutBase;
            baseless = true;
            continue;
        }
        if (!decodeXLogRecord(pg->rec, 0, d))
            continue;  // the layer's own check reports records that do not decode
        const std::string kind = pgRecordKind(d.header.rmid, d.header.info);
        ConsistencyCount &count = rep.byKind[kind];
        ++count.records;
        const auto block = pgBlockOfKey(d, e.key);
        if (!block) {
            problem(e, kind, "the record touches no block of its key's page");
            live = false;
            continue;
        }
        if (!live)
            page.clear();
        auto applied = applyPgRecord(pg->rec, d, *block, e.lsn, page);
        if (!applied) {
            problem(e, kind, applied.error().found);
            live = false;
            continue;
        }
        live = true;
        const XLogBlockRef &b = d.blocks[*block];
        if (*applied == PgRedoAction::Restored) {
            ++count.restored;
            continue;
        }
        if (*applied == PgRedoAction::Skipped) {
            ++count.skipped;
            continue;
        }
        if (!b.hasImage) {
            ++count.noImage;
            continue;
        }
        if (auto st = redo::restoreBlockImage(pg->rec, b, d.imageFlagsOf, theirs); !st) {
            problem(e, kind, fmt::format("its image does not restore: {}", st.error().message()));
            continue;
        }
        mine = page;
        const PageMask mask = pageMaskForRmgr(d.header.rmid);
        const auto m1 = maskPage(mask, mine, b.blockNumber);
        const auto m2 = maskPage(mask, theirs, b.blockNumber);
        ++count.compared;
        ++rep.compared;
        if (!m1 || !m2) {
            problem(e, kind, fmt::format("the page cannot be masked: {}",
                                         (m1 ? m2 : m1).error().message()));
            continue;
        }
        std::size_t at = 0;
        const std::string field = firstPageDifference(mine, theirs, &at);
        if (field.empty()) {
            ++count.matched;
            ++rep.matched;
        } else {
            problem(e, kind,
                    fmt::format("the replayed page differs from Postgres's image at {} (byte {}: "
                                "0x{:02x} replayed, 0x{:02x} in the image)",
                                field, at, mine[at], theirs[at]));
        }
    }
    return rep;
}

} // namespace layerscope
