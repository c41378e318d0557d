#include <layerscope/timeline/redo_check.h>

#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/redo/page_mask.h>

#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>

namespace layerscope {

namespace {
// The mask for a rebuilt page: the rmgr of the chain's newest Postgres record, else the page's
// own layout.
PageMask maskFor(const std::vector<ChainValue> &chain, Bytes page)
{
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (it->value.isImage())
            continue;
        if (const auto *pg = std::get_if<wal::Postgres>(&it->value.record())) {
            XLogRecordHeader h;
            if (readXLogRecordHeader(pg->rec, h) && h.rmid != 0)
                return pageMaskForRmgr(h.rmid);
        }
    }
    return pageMaskForPage(page);
}
} // namespace

RedoCheckReport checkRedo(const Timeline &timeline, int pgVersion,
                          const std::function<bool(std::uint64_t pages)> &progress)
{
    RedoCheckReport rep;
    // Each layer opened once, however many keys read it.
    Timeline below = timeline;
    auto cache = std::make_shared<std::map<std::string, Layer>>();
    auto mutex = std::make_shared<std::mutex>();
    below.opener = [cache, mutex, &timeline](const std::string &path) -> Result<Layer> {
        std::lock_guard lock(*mutex);
        if (auto it = cache->find(path); it != cache->end())
            return it->second;
        auto l = openTimelineLayer(timeline, path);
        if (l)
            cache->emplace(path, *l);
        return l;
    };
    auto problem = [&](std::string check, Severity sev, std::size_t layer, std::string message) {
        rep.problems.push_back({std::move(check), sev, layer, std::move(message)});
    };
    for (std::size_t li = 0; li < timeline.layers.size(); ++li) {
        const TimelineLayer &il = timeline.layers[li];
        if (!il.isMapped() || il.name->kind != LayerKind::Image || !il.onDisk)
            continue;
        ++rep.imageLayers;
        auto image = below.opener(il.path);
        if (!image) {
            problem("redo-unreadable", Severity::Error, li, image.error().message());
            continue;
        }
        auto entries = image->entries();
        if (!entries) {
            problem("redo-unreadable", Severity::Error, li, entries.error().message());
            continue;
        }
        // The read path below this image: the timeline without it, at its LSN.
        Timeline others = below;
        others.layers[li].name.reset();
        others.layers[li].nameError = "left out: the image being checked";
        const Lsn at = il.name->lsnStart;
        for (const Entry &e : *entries) {
            ++rep.pages;
            if (progress && !progress(rep.pages))
                return rep;
            if (!e.key.isRelBlock() || e.key.field5() == 1) {
                ++rep.notCompared;
                continue;
            }
            const ReadPath path = findReadPath(others, e.key, at);
            if (path.steps.empty() || !path.complete) {
                ++rep.nothingBelow;
                continue;
            }
            auto chain = readChain(others, path);
            auto value = image->value(e);
            if (!chain || !value || !value->isImage()) {
                problem("redo-unreadable", Severity::Error, li,
                        fmt::format("{} ({}) at {}: {}", e.key.toHex(), e.key.describe(), at.toString(),
                                    !chain ? chain.error().message()
                                    : !value ? value.error().message()
                                             : std::string("the image layer holds no page for it")));
                continue;
            }
            const Redo redo = redoChain(e.key, *chain, {false, false, pgVersion});
            if (redo.outcome != Redo::Outcome::Reconstructed) {
                problem("redo-replay-failed", Severity::Warning, li,
                        fmt::format("{} ({}) at {}: the data below the image cannot be replayed: {}",
                                    e.key.toHex(), e.key.describe(), at.toString(), redo.message));
                continue;
            }
            ByteVector mine = redo.page, theirs = value->image();
            if (mine.size() != 8192 || theirs.size() != 8192) {
                ++rep.notCompared;
                continue;
            }
            ++rep.compared;
            const PageMask mask = maskFor(*chain, theirs);
            const auto blk = e.key.field6();
            const auto m1 = maskPage(mask, mine, blk), m2 = maskPage(mask, theirs, blk);
            std::size_t byte = 0;
            const std::string field = (m1 && m2) ? firstPageDifference(theirs, mine, &byte)
                                                 : std::string("the page header (it cannot be masked)");
            if (field.empty()) {
                ++rep.matched;
                continue;
            }
            const ChainValue &newest = chain->back();
            problem("redo-image-differs", Severity::Error, li,
                    fmt::format("{} ({}) at {}: the image differs from the page its older data "
                                "rebuilds ({} records replayed up to {} in {}) at {} (byte {}: 0x{:02x} "
                                "in the image, 0x{:02x} replayed; {} mask)",
                                e.key.toHex(), e.key.describe(), at.toString(), redo.applied,
                                newest.lsn.toString(), timeline.layers[newest.layer].fileName, field,
                                byte, theirs[byte], mine[byte], pageMaskName(mask)));
        }
    }
    return rep;
}

} // namespace layerscope
