#include <layerscope/timeline/redo_check.h>

#include <layerscope/base/ordered_pool.h>
#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/redo/page_mask.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

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
// What a run of pages found.
struct PageRun
{
    std::uint64_t compared = 0, matched = 0, nothingBelow = 0, notCompared = 0;
    std::vector<TimelineProblem> problems;
};

// One page of an image layer against the data below it.
void checkPage(const Timeline &below,
               const Layer &image,
               const Entry &e,
               Lsn at,
               std::size_t li,
               int pgVersion,
               PageRun &out)
{
    auto problem = [&](CheckAs check, std::string message) {
        out.problems.push_back({check, li, std::move(message)});
    };
    if (!e.key.isRelBlock() || e.key.forkNumber() == 1) {
        ++out.notCompared;
        return;
    }
    const ReadPath path = findReadPath(below, e.key, at);
    if (path.steps.empty() || !path.complete) {
        ++out.nothingBelow;
        return;
    }
    auto chain = readChain(below, path);
    auto value = image.value(e);
    if (!chain || !value || !value->isImage()) {
        problem(checkInfo("redo-unreadable"),
                fmt::format("{} ({}) at {}: {}",
                            e.key.toHex(),
                            e.key.describe(),
                            at.toString(),
                            !chain   ? chain.error().message()
                            : !value ? value.error().message()
                                     : std::string("the image layer holds no page for it")));
        return;
    }
    Redo redo = redoChain(e.key, *chain, {false, false, pgVersion});
    if (redo.outcome != Redo::Outcome::Reconstructed) {
        problem(checkInfo("redo-replay-failed"),
                fmt::format("{} ({}) at {}: the data below the image cannot be replayed: {}",
                            e.key.toHex(),
                            e.key.describe(),
                            at.toString(),
                            redo.message));
        return;
    }
    ByteVector &mine = redo.page;
    ByteVector theirs = std::move(std::get<ByteVector>(value->v));
    if (mine.size() != 8192 || theirs.size() != 8192) {
        ++out.notCompared;
        return;
    }
    ++out.compared;
    const PageMask mask = maskFor(*chain, theirs);
    const auto blk = e.key.blockNumber();
    const auto m1 = maskPage(mask, mine, blk), m2 = maskPage(mask, theirs, blk);
    std::size_t byte = 0;
    const std::string field = (m1 && m2) ? firstPageDifference(theirs, mine, &byte)
                                         : std::string("the page header (it cannot be masked)");
    if (field.empty()) {
        ++out.matched;
        return;
    }
    const ChainValue &newest = chain->back();
    problem(checkInfo("redo-image-differs"),
            fmt::format("{} ({}) at {}: the image differs from the page its older data rebuilds "
                        "({} records replayed up to {} in {}) at {} (byte {}: 0x{:02x} in the "
                        "image, 0x{:02x} replayed; {} mask)",
                        e.key.toHex(),
                        e.key.describe(),
                        at.toString(),
                        redo.applied,
                        newest.lsn.toString(),
                        below.layers[newest.layer].fileName,
                        field,
                        byte,
                        theirs[byte],
                        mine[byte],
                        pageMaskName(mask)));
}
} // namespace

RedoCheckReport checkRedo(const Timeline &timeline,
                          int pgVersion,
                          unsigned threads,
                          const std::function<bool(std::uint64_t pages)> &progress)
{
    RedoCheckReport rep;
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
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
    auto problem = [&](CheckAs check, std::size_t layer, std::string message) {
        rep.problems.push_back({check, layer, std::move(message)});
    };
    for (std::size_t li = 0; li < timeline.layers.size(); ++li) {
        const TimelineLayer &il = timeline.layers[li];
        if (!il.isMapped() || il.name->kind != LayerKind::Image || !il.onDisk)
            continue;
        ++rep.imageLayers;
        auto image = below.opener(il.path);
        if (!image) {
            problem(checkInfo("redo-unreadable"), li, image.error().message());
            continue;
        }
        auto entries = image->entries();
        if (!entries) {
            problem(checkInfo("redo-unreadable"), li, entries.error().message());
            continue;
        }
        // The read path below this image: the timeline without it, at its LSN.
        Timeline others = below;
        others.layers[li].name.reset();
        others.layers[li].nameError = "left out: the image being checked";
        const Lsn at = il.name->lsnStart;
        // Pages are independent: runs of them on every core, merged in page order, so the
        // report is the same for any thread count.
        constexpr std::size_t kRun = 64;
        const std::size_t runs = (entries->size() + kRun - 1) / kRun;
        bool stopped = false;
        runOrdered<PageRun>(
            runs,
            threads,
            [&](std::size_t run, PageRun &out) {
                out = PageRun{};
                const std::size_t end = std::min(entries->size(), (run + 1) * kRun);
                for (std::size_t i = run * kRun; i < end; ++i)
                    checkPage(others, *image, (*entries)[i], at, li, pgVersion, out);
            },
            [&](std::size_t run, PageRun &r) {
                const std::size_t end = std::min(entries->size(), (run + 1) * kRun);
                rep.pages += end - run * kRun;
                rep.compared += r.compared;
                rep.matched += r.matched;
                rep.nothingBelow += r.nothingBelow;
                rep.notCompared += r.notCompared;
                for (TimelineProblem &p : r.problems)
                    rep.problems.push_back(std::move(p));
                if (progress && !progress(rep.pages))
                    stopped = true;
                // Memory stays bounded: the layers' pages read so far are given back every
                // 4,096 pages (the kernel's cache keeps them; a later read maps them again).
                if (run % 64 == 63) {
                    std::lock_guard lock(*mutex);
                    for (const auto &[path, layer] : *cache)
                        layer.source()->release(0, layer.fileSize());
                }
                return !stopped;
            });
        if (stopped)
            return rep;
    }
    return rep;
}

TimelineProblem redoSummary(const RedoCheckReport &report,
                            int pgVersion,
                            const std::string &versionSource)
{
    const auto failed = std::count_if(report.problems.begin(),
                                      report.problems.end(),
                                      [](const TimelineProblem &p) {
                                          return p.check == checkInfo("redo-replay-failed").id;
                                      });
    return {checkInfo("redo-summary"),
            TimelineProblem::npos,
            fmt::format("{} page(s) of {} image layer(s) rebuilt from the data below them "
                        "(Postgres {}): {} match, {} differ; {} with nothing below, {} not "
                        "compared (FSM, non-relation keys), {} could not be replayed",
                        report.compared,
                        report.imageLayers,
                        pgVersion ? fmt::format("{} records, {}", pgVersion, versionSource)
                                  : std::string("version unknown"),
                        report.matched,
                        report.compared - report.matched,
                        report.nothingBelow,
                        report.notCompared,
                        failed)};
}

} // namespace layerscope
