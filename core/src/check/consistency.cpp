#include <layerscope/check/consistency.h>

#include <layerscope/dissect/inspect.h>
#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/redo/block_image.h>
#include <layerscope/redo/page_mask.h>
#include <layerscope/redo/pg_redo.h>

#include <fmt/format.h>

namespace layerscope {

Result<ConsistencyReport> verifyConsistencyImages(const Layer &delta,
                                                  int pgVersion,
                                                  std::size_t maxProblems)
{
    auto entries = delta.entries();
    if (!entries)
        return entries.error();
    ConsistencyReport rep;
    auto problem = [&](const Entry &e, std::string kind, std::string message) {
        ++rep.problemCount;
        if (rep.problems.size() < maxProblems)
            rep.problems.push_back(
                {e.key, e.lsn, e.blobOffset, std::move(kind), std::move(message)});
    };
    ByteVector page, mine, theirs, scratch;
    struct PgView
    {
        bool willInit;
        Bytes rec;
    };
    std::vector<ConsistencyCount> counts(32 * 32);
    std::vector<std::uint8_t> slotInfo(32 * 32), slotRmid(32 * 32);
    XLogRecordDecoded d;
    bool live = false;     // the current key's page exists and is trusted
    bool baseless = false; // the current key was counted without a base
    std::optional<Key> current;
    for (const Entry &e : *entries) {
        if (!current || !(e.key == *current)) {
            current = e.key;
            ++rep.keys;
            page.clear();
            live = baseless = false;
        }
        auto view = viewEntry(delta, e, scratch);
        if (!view)
            return view.error();
        if (view->kind == "image") {
            page.assign(view->content.begin(), view->content.end());
            live = true;
            continue;
        }
        if (!view->pgWillInit)
            continue; // one of Neon's own records: nothing Postgres checked
        const PgView pgv{*view->pgWillInit, view->content};
        const PgView *pg = &pgv;
        if (!live && !pg->willInit) {
            if (!baseless && page.empty())
                ++rep.keysWithoutBase;
            baseless = true;
            continue;
        }
        if (auto st = decodeXLogRecord(pg->rec, 0, d, pgVersion); !st) {
            // Its image flags are not this version's: a layer read as another version's.
            XLogRecordHeader h;
            readXLogRecordHeader(pg->rec, h);
            problem(e, pgRecordKind(h.rmid, h.info, pgVersion),
                    fmt::format("it does not decode with the image flags of Postgres {} ({}): it "
                                "is not a record of Postgres {}",
                                pgVersion, st.error().message(), pgVersion));
            live = false;
            continue;
        }
        // Counted by rmgr, operation and the heap's init bit; named once, at the end.
        const std::size_t slot = std::size_t(d.header.rmid & 31) * 32 + (d.header.info >> 4) * 2
                                 + ((d.header.info & 0x80) != 0);
        ConsistencyCount &count = counts[slot];
        slotRmid[slot] = d.header.rmid;
        slotInfo[slot] = d.header.info & 0xF0;
        const auto kindName = [&] { return pgRecordKind(d.header.rmid, d.header.info, pgVersion); };
        ++count.records;
        const auto block = pgBlockOfKey(d, e.key);
        if (!block) {
            problem(e, kindName(), "the record touches no block of its key's page");
            live = false;
            continue;
        }
        if (!live)
            page.clear();
        auto applied = applyPgRecord(pg->rec, d, *block, e.lsn, page, pgVersion);
        if (!applied) {
            problem(e, kindName(), applied.error().found);
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
            problem(e,
                    kindName(),
                    fmt::format("its image does not restore: {}", st.error().message()));
            continue;
        }
        mine = page;
        const PageMask mask = pageMaskForRmgr(d.header.rmid);
        const auto m1 = maskPage(mask, mine, b.blockNumber);
        const auto m2 = maskPage(mask, theirs, b.blockNumber);
        ++count.compared;
        ++rep.compared;
        if (!m1 || !m2) {
            problem(e,
                    kindName(),
                    fmt::format("the page cannot be masked: {}", (m1 ? m2 : m1).error().message()));
            continue;
        }
        std::size_t at = 0;
        const std::string field = firstPageDifference(mine, theirs, &at);
        if (field.empty()) {
            ++count.matched;
            ++rep.matched;
        } else {
            problem(e,
                    kindName(),
                    fmt::format("the replayed page differs from Postgres's image at {} (byte {}: "
                                "0x{:02x} replayed, 0x{:02x} in the image)",
                                field,
                                at,
                                mine[at],
                                theirs[at]));
        }
    }
    for (std::size_t slot = 0; slot < counts.size(); ++slot)
        if (counts[slot].records)
            rep.byKind[pgRecordKind(slotRmid[slot], slotInfo[slot], pgVersion)] = counts[slot];
    return rep;
}

} // namespace layerscope
