#include "cli.h"

#include "json.h"
#include "scrub.h"

#include <layerscope/base/hash.h>
#include <layerscope/check/salvage.h>
#include <layerscope/check/validate.h>
#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/timeline/redo_check.h>
#include <layerscope/timeline/remote_timeline.h>
#include <layerscope/timeline/timeline.h>
#include <layerscope/write/writer.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

namespace layerscope::cli {

namespace {

Json problemJson(const Problem &p)
{
    Json o{{"check", p.check},
           {"severity", severityName(p.severity)},
           {"message", p.message},
           {"offset", p.offset},
           {"length", p.length}};
    if (!p.related.empty()) {
        Json rel = Json::array();
        for (const auto &r : p.related)
            rel.push_back(Json{{"offset", r.offset}, {"length", r.length}, {"what", r.what}});
        o["related"] = std::move(rel);
    }
    if (p.block)
        o["block"] = *p.block;
    if (p.entry)
        o["entry"] = *p.entry;
    if (p.key)
        o["key"] = p.key->toHex();
    if (p.lsn)
        o["lsn"] = p.lsn->toString();
    return o;
}

/// Severity colours for a terminal (--color=auto: only when stdout is one).
struct Palette
{
    bool on = false;
    std::string severity(Severity s) const
    {
        if (!on)
            return severityName(s);
        const char *c = s == Severity::Error     ? "\033[1;31m"
                        : s == Severity::Warning ? "\033[1;33m"
                                                 : "\033[36m";
        return fmt::format("{}{}\033[0m", c, severityName(s));
    }
};

std::string problemLine(const std::string &file, const Problem &p, const Palette &pal = {})
{
    return fmt::format(
        "{}:{}: {}[{}]: {}", file, p.offset, pal.severity(p.severity), p.check, p.message);
}

void print(const std::string &line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

/// Text report: problems in offset order; of a check found more than kGroupAfter times at one
/// severity, the first kGroupAfter are listed and one line counts the rest (--json lists all).
std::string groupedText(const std::string &file, const ValidationReport &r, const Palette &pal)
{
    std::string out;
    auto print = [&out](const std::string &line) {
        out += line;
        out += '\n';
    };
    constexpr std::uint64_t kGroupAfter = 5;
    std::map<std::pair<std::string, Severity>, std::uint64_t> shown;
    std::map<std::pair<std::string, Severity>, const CheckTally *> tally;
    for (const CheckTally &t : r.tallies)
        tally[{t.check, t.severity}] = &t;
    for (const Problem &p : r.problems) {
        const auto key = std::make_pair(p.check, p.severity);
        const std::uint64_t n = ++shown[key];
        const CheckTally &t = *tally[key];
        if (n <= kGroupAfter || t.count <= kGroupAfter + 1)
            print(problemLine(file, p, pal));
        else if (n == kGroupAfter + 1)
            print(fmt::format(
                "{}:{}: {}[{}]: … and {} more like this ({} × {} in all, first at offset {}; "
                "--json lists each)",
                file,
                p.offset,
                pal.severity(p.severity),
                p.check,
                t.count - kGroupAfter,
                p.check,
                t.count,
                t.firstOffset));
    }
    // Checks whose problems were all left out of the list (see --max-problems).
    for (const CheckTally &t : r.tallies)
        if (!shown.count({t.check, t.severity}))
            print(fmt::format("{}:{}: {}[{}]: {} × {} (not listed: over --max-problems)",
                              file,
                              t.firstOffset,
                              pal.severity(t.severity),
                              t.check,
                              t.check,
                              t.count));
    print(fmt::format("{}: {} error(s), {} warning(s), {} info, {} entries checked{}",
                      file,
                      r.errors,
                      r.warnings,
                      r.infos,
                      r.entriesChecked,
                      r.truncated ? fmt::format(" ({} of {} problems listed)",
                                                r.problems.size(),
                                                r.errors + r.warnings + r.infos)
                                  : std::string()));
    return out;
}

bool writeEvidence(const std::string &dir,
                   const std::string &file,
                   Bytes bytes,
                   const ValidationReport &r)
{
    const std::string name = baseName(file);
    const std::string base = (std::filesystem::path(dir) / name).string();
    const std::string sha = sha256Hex(bytes);
    std::string text = fmt::format("file: {}\nsize: {} bytes\nsha256: {}\nlayerctl: {}\n"
                                   "errors: {}, warnings: {}, info: {}, entries checked: {}\n\n",
                                   file,
                                   bytes.size(),
                                   sha,
                                   LAYERSCOPE_VERSION,
                                   r.errors,
                                   r.warnings,
                                   r.infos,
                                   r.entriesChecked);
    for (const Problem &p : r.problems)
        text += problemLine(file, p) + "\n";
    // Summary: decoded when it decodes, and block 0's first bytes in hex either way.
    text += "\n--- summary (block 0, first 128 bytes) ---\n";
    text += hexDump(bytes.first(std::min<std::size_t>(128, bytes.size())), 0);
    if (auto s = Summary::decode(bytes.first(std::min<std::size_t>(bytes.size(), kBlockSize)))) {
        text += fmt::format("kind {}, version {}, tenant {}, timeline {}\nkeys {}..{}\nlsn {}..{}\n"
                            "index_start_blk {}, index_root_blk {}\n",
                            s->kind == LayerKind::Image ? "image" : "delta",
                            s->formatVersion,
                            s->tenant.toHex(),
                            s->timeline.toHex(),
                            s->keyStart.toHex(),
                            s->keyEnd.toHex(),
                            s->lsnStart.toString(),
                            s->lsnEnd.toString(),
                            s->indexStartBlk,
                            s->indexRootBlk);
    }
    // Every block at fault, with one line of context around the bytes.
    std::set<std::uint64_t> blocks;
    for (const Problem &p : r.problems) {
        if (p.severity == Severity::Info)
            continue;
        const std::uint64_t first = p.offset / kBlockSize;
        const std::uint64_t last = (p.offset + std::max<std::uint64_t>(p.length, 1) - 1)
                                   / kBlockSize;
        for (std::uint64_t b = first; b <= std::min(last, first + 3); ++b)
            blocks.insert(b);
        if (blocks.size() > 256)
            break;
    }
    for (std::uint64_t b : blocks) {
        const FileOffset off = b * kBlockSize;
        if (off >= bytes.size())
            continue;
        const Bytes blk = bytes.subspan(off,
                                        std::min<std::uint64_t>(kBlockSize, bytes.size() - off));
        if (!writeText(fmt::format("{}.block-{}.hex", base, b),
                       fmt::format("block {} (offset {}) of {}\n", b, off, file)
                           + hexDump(blk, off)))
            return false;
        text += fmt::format("\nblock {} at offset {}: {}.block-{}.hex\n", b, off, name, b);
    }
    return writeText(base + ".report.txt", text)
           && writeText(base + ".sha256", sha + "  " + name + "\n");
}

} // namespace

namespace {

/// One `check` run: its options, where its output goes, what it has counted so far, and the
/// resume file. Shared by the pool's threads (counts under `mutex`).
struct CheckRun
{
    explicit CheckRun(const Options &o, bool colour, bool progressLine)
        : opt(o)
        , pal{colour}
        , progress(progressLine)
    {}
    const Options &opt;
    const Palette pal;
    Progress progress;
    Printer printer{progress};
    std::unique_ptr<ScrubState> state;
    RemoteOptions layerOptions; ///< remote layers checked in parallel: a share of the cache

    std::mutex mutex;
    Counts counts;
    std::size_t files = 0, resumed = 0;
    int rc = ExitOk;

    void add(const Counts &c, int code, bool layer, bool wasResumed = false)
    {
        std::lock_guard lock(mutex);
        counts += c;
        files += layer && !wasResumed;
        resumed += wasResumed;
        rc = std::max(rc, code);
        if (c.errors || c.warnings)
            rc = std::max(rc, int(ExitProblem));
    }
    /// A record could not be appended (errno): said once per record, and the run exits 2.
    void resumeWriteFailed()
    {
        reportError(opt.resume, fmt::format("cannot write the resume file: {}", std::strerror(errno)));
        add({}, ExitUsage, false);
    }
};

/// A hex FNV-1a of what a timeline's checks read: its layers' names, sizes and versions and
/// what the index says of each. A resumed run skips the timeline's checks only when it is
/// unchanged.
std::string timelineFingerprint(const Timeline &t)
{
    std::uint64_t h = kFnv1aOffset;
    auto mix = [&h](const std::string &s) { h = fnv1a(std::string_view("\0", 1), fnv1a(s, h)); };
    for (const TimelineLayer &l : t.layers)
        mix(fmt::format("{}|{}|{}|{}|{}|{}|{}",
                        l.fileName,
                        l.onDisk,
                        l.fileSize,
                        l.version,
                        l.listed,
                        l.listedSize,
                        l.listedGeneration ? std::to_string(*l.listedGeneration) : "-"));
    return fmt::format("{:016x}", h);
}

/// A directory, index_part.json or s3:// prefix: the timeline-level problems are printed and
/// counted (unless the resume file has this timeline unchanged), and its layer files (not temp
/// files, not other files) are returned to be validated.
std::vector<LayerJob> timelineLayers(CheckRun &run, const std::string &dir)
{
    const Options &opt = run.opt;
    auto t = openTimeline(dir, opt.index);
    if (!t) {
        run.add({}, ExitUsage, false);
        return {};
    }
    const std::string fingerprint = timelineFingerprint(*t);
    const auto recorded = run.state ? run.state->timeline(dir, fingerprint) : std::nullopt;
    if (recorded) {
        run.add(*recorded, ExitOk, false);
    } else {
        readSummaries(*t, opt.threads);
        Counts c;
        std::string out;
        std::vector<TimelineProblem> problems = checkTimeline(*t);
        std::optional<RedoCheckReport> redo;
        if (opt.redo) {
            std::string versionSource;
            const int version = replayVersion(opt, *t, &versionSource);
            redo = checkRedo(*t, version, opt.threads);
            problems.insert(problems.end(), redo->problems.begin(), redo->problems.end());
            problems.push_back(
                {"redo-summary", Severity::Info, TimelineProblem::npos,
                 fmt::format("{} page(s) of {} image layer(s) rebuilt from the data below them "
                             "(Postgres {}): {} match, {} differ; {} with nothing below, {} not "
                             "compared (FSM, non-relation keys), {} could not be replayed",
                             redo->compared, redo->imageLayers,
                             version ? fmt::format("{} records, {}", version, versionSource)
                                     : std::string("version unknown"),
                             redo->matched,
                             redo->compared - redo->matched, redo->nothingBelow, redo->notCompared,
                             std::count_if(redo->problems.begin(), redo->problems.end(),
                                           [](const TimelineProblem &p) {
                                               return p.check == "redo-replay-failed";
                                           }))});
        }
        for (const TimelineProblem &p : problems) {
            // A layer only listed in the index has no path: its name says which it is.
            const TimelineLayer *layer = p.layer == TimelineProblem::npos ? nullptr
                                                                          : &t->layers[p.layer];
            const std::string where = !layer                ? dir
                                      : layer->path.empty() ? layer->fileName
                                                            : layer->path;
            c.errors += p.severity == Severity::Error;
            c.warnings += p.severity == Severity::Warning;
            c.infos += p.severity == Severity::Info;
            if (opt.quiet)
                continue;
            if (opt.json)
                out += jsonLine(Json{{"check", p.check},
                                     {"severity", severityName(p.severity)},
                                     {"message", p.message},
                                     {"file", where}});
            else
                out += fmt::format("{}: {}[{}]: {}\n",
                                   where,
                                   severityName(p.severity),
                                   p.check,
                                   p.message);
        }
        if (opt.json && !opt.quiet) {
            Json total{{"timeline", dir},
                       {"layers", t->layers.size()},
                       {"errors", c.errors},
                       {"warnings", c.warnings}};
            if (redo)
                total["redo"] = Json{{"image_layers", redo->imageLayers},
                                     {"pages", redo->pages},
                                     {"compared", redo->compared},
                                     {"matched", redo->matched},
                                     {"nothing_below", redo->nothingBelow},
                                     {"not_compared", redo->notCompared}};
            out += jsonLine(total);
        }
        run.printer.emit(out);
        run.add(c, ExitOk, false);
        if (run.state && !run.state->recordTimeline(dir, fingerprint, c))
            run.resumeWriteFailed();
    }
    std::vector<LayerJob> layers;
    for (const TimelineLayer &l : t->layers)
        if (l.isMapped() && l.onDisk)
            layers.push_back({l.path, l.fileSize, l.version});
    return layers;
}

/// Validates one layer (a path or URL) and prints its report whole; counts it, records it in
/// the resume file and moves the progress line. Runs on the pool's threads.
void checkLayer(CheckRun &run, const LayerJob &job)
{
    const Options &opt = run.opt;
    const std::string file = displayPath(job.path);
    if (const auto recorded = run.state ? run.state->layer(job) : std::nullopt) {
        run.add(*recorded, ExitOk, true, true);
        run.progress.finished(job.size, true);
        return;
    }
    auto unreadable = [&](const std::string &message) {
        if (opt.json && !opt.quiet)
            run.printer.emit(jsonLine(Json{{"file", file}, {"unreadable", message}}));
        run.add({}, ExitUsage, true);
        run.progress.finished(job.size);
    };
    auto mapped = openSource(job.path, true, &run.layerOptions);
    if (!mapped) {
        reportError(file, mapped.error().message());
        return unreadable(mapped.error().message());
    }
    ValidateOptions vo;
    vo.fileName = baseName(file);
    vo.pages = opt.pages;
    vo.maxProblems = std::size_t(opt.maxProblems);
    vo.threads = opt.threads ? opt.threads
                             : std::max(1u, std::thread::hardware_concurrency() / opt.jobs);
    const ValidationReport r = validateLayer(**mapped, vo);
    // Bytes a remote read could not fetch were read as zeros: the report is void (the error is
    // printed once, by finishRemote) and the layer is left for a resumed run.
    if (const auto *remote = dynamic_cast<const RemoteSource *>(mapped->get()))
        if (const auto failure = remote->failure())
            return unreadable(failure->message());
    std::string out;
    if (opt.quiet) {
        // Nothing printed: the exit code says it.
    } else if (opt.json) {
        for (const Problem &p : r.problems) {
            Json o = problemJson(p);
            o["file"] = file;
            out += jsonLine(o);
        }
        Json checks = Json::array();
        for (const CheckTally &t : r.tallies)
            checks.push_back(Json{{"check", t.check},
                                  {"severity", severityName(t.severity)},
                                  {"count", t.count},
                                  {"first_offset", t.firstOffset}});
        out += jsonLine(Json{{"file", file},
                             {"errors", r.errors},
                             {"warnings", r.warnings},
                             {"infos", r.infos},
                             {"listed", r.problems.size()},
                             {"truncated", r.truncated},
                             {"checks", std::move(checks)},
                             {"entries_checked", r.entriesChecked}});
    } else {
        out = groupedText(file, r, run.pal);
    }
    run.printer.emit(out);
    int code = ExitOk;
    if (!opt.evidence.empty() && !writeEvidence(opt.evidence, file, (*mapped)->bytes(), r)) {
        reportError(opt.evidence, "cannot write the evidence files");
        code = ExitUsage;
    }
    const Counts counts{r.errors, r.warnings, r.infos};
    run.add(counts, code, true);
    if (run.state && !run.state->recordLayer(job, counts))
        run.resumeWriteFailed();
    run.progress.finished(job.size);
}

/// A timeline of a region: where it is, its path below the region's root (what --shard
/// hashes) and its layers with their bytes.
struct RegionTimeline
{
    std::string path, relative;
    std::uint64_t layers = 0, bytes = 0;
};

/// Timelines below `root` in Neon's layout (`tenants/*/timelines/*/`): directories of a local
/// tree or prefixes of an s3:// one, in path order. Nullopt, the reason printed, when `root`
/// cannot be listed.
std::optional<std::vector<RegionTimeline>> findTimelines(const std::string &root)
{
    std::map<std::string, RegionTimeline> found; // by relative path
    auto add = [&found](const std::string &path, const std::string &relative,
                        const std::string &name, std::uint64_t size) {
        RegionTimeline &t = found[relative];
        t.path = path;
        t.relative = relative;
        // What the scrub will validate: layers Neon's layer map would hold (not temp files).
        const auto layer = LayerName::parse(name);
        if (layer && layer->tempSuffix.empty()) {
            ++t.layers;
            t.bytes += size;
        }
    };
    if (isRemotePath(root)) {
        auto url = parseObjectUrl(root.ends_with('/') ? root : root + "/");
        if (!url) {
            reportError(displayPath(root), url.error());
            return std::nullopt;
        }
        // One listing of everything below tenants/ (no delimiter: every S3-compatible store
        // lists keys, not all return common prefixes): tenants/T/timelines/TL/NAME.
        auto all = listObjects(url->withKey(url->key + "tenants/"), remoteOptions());
        if (!all) {
            reportError(url->display, all.error());
            return std::nullopt;
        }
        for (const ObjectInfo &o : *all) {
            const std::string rel = o.key.substr(url->key.size());
            std::vector<std::string_view> parts;
            for (std::size_t at = 0, slash; parts.size() < 4; at = slash + 1) {
                slash = rel.find('/', at);
                if (slash == std::string::npos)
                    break;
                parts.push_back(std::string_view(rel).substr(at, slash - at));
            }
            if (parts.size() < 4 || parts[1].empty() || parts[2] != "timelines" || parts[3].empty())
                continue;
            const std::size_t cut = 4 + parts[0].size() + parts[1].size() + parts[2].size()
                                    + parts[3].size();
            const std::string timeline = rel.substr(0, cut);
            add(url->withKey(url->key + timeline).display, timeline, rel.substr(cut), o.size);
        }
    } else {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (!fs::is_directory(fs::path(root) / "tenants", ec)) {
            reportError(root, "expected a directory with tenants/<tenant>/timelines/<timeline>/ below "
                              "it (Neon's remote layout)");
            return std::nullopt;
        }
        for (const auto &tenant : fs::directory_iterator(fs::path(root) / "tenants", ec))
            for (const auto &tl : fs::directory_iterator(tenant.path() / "timelines", ec)) {
                if (!tl.is_directory())
                    continue;
                const std::string relative = fs::relative(tl.path(), root).generic_string() + "/";
                add(tl.path().string(), relative, {}, 0);
                for (const auto &f : fs::directory_iterator(tl.path(), ec))
                    if (f.is_regular_file())
                        add(tl.path().string(), relative, f.path().filename().string(), f.file_size(ec));
            }
    }
    std::vector<RegionTimeline> out;
    for (auto &[relative, t] : found)
        out.push_back(std::move(t));
    return out;
}

/// --shard K/N: whether the timeline at `relative` is in share K (FNV-1a of the path, so
/// that every run and every machine splits a region the same way).
bool inShard(const std::string &relative, std::uint64_t k, std::uint64_t n)
{
    return fnv1a(relative) % n == k - 1;
}

/// A file named alone: its size and modification time identify it for --resume (a URL named
/// alone is always checked).
LayerJob fileJob(const std::string &path)
{
    std::error_code ec;
    const std::filesystem::directory_entry file(path, ec);
    if (isRemotePath(path) || ec || !file.is_regular_file(ec))
        return {path, 0, {}};
    return {path, file.file_size(ec), localFileVersion(file)};
}

int cmdCheck(const std::vector<std::string> &args, const Options &opt)
{
    if (!opt.evidence.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(opt.evidence, ec);
        if (ec) {
            reportError(opt.evidence,
                        fmt::format("cannot create the evidence directory: {}", ec.message()));
            return ExitUsage;
        }
    }
    CheckRun run(opt,
                 opt.color == Color::Always || (opt.color == Color::Auto && ::isatty(STDOUT_FILENO)),
                 !opt.list && ::isatty(STDERR_FILENO));
    if (!opt.resume.empty()) {
        auto state = ScrubState::open(opt.resume);
        if (!state) {
            reportError(opt.resume, state.error().message());
            return ExitUsage;
        }
        run.state = std::move(state.value());
    }
    // Layers checked side by side share the cache, each keeping enough for its streaming GETs
    // (each keeps its own connections too: one per layer measured slower against s3rver).
    run.layerOptions = remoteOptions();
    run.layerOptions.cacheBytes = std::max<std::uint64_t>(remoteOptions().cacheBytes / opt.jobs,
                                                          128ull << 20);
    {
        LayerPool pool(opt.jobs, [&run](const LayerJob &job) { checkLayer(run, job); });
        if (opt.recursive) {
            // Timeline by timeline: its checks, then its layers into the pool, so that the next
            // timeline is listed while the layers of this one are read.
            for (const std::string &a : args) {
                const auto timelines = findTimelines(a);
                if (!timelines) {
                    run.add({}, ExitUsage, false);
                    continue;
                }
                std::vector<const RegionTimeline *> share;
                for (const RegionTimeline &t : *timelines)
                    if (!opt.shardCount || inShard(t.relative, opt.shardIndex, opt.shardCount))
                        share.push_back(&t);
                if (opt.list) {
                    for (const RegionTimeline *t : share)
                        printJson(Json{{"timeline", t->path},
                                       {"relative", t->relative},
                                       {"layers", t->layers},
                                       {"bytes", t->bytes}});
                    continue;
                }
                for (const RegionTimeline *t : share)
                    run.progress.expect(t->layers, t->bytes);
                for (const RegionTimeline *t : share)
                    for (LayerJob &job : timelineLayers(run, t->path))
                        pool.add(std::move(job));
            }
        } else {
            // Several layers at once: each timeline's layers go to the pool as soon as its checks
            // are done. One at a time: the timelines' checks first, then every layer, in order.
            std::vector<LayerJob> later;
            auto add = [&](LayerJob job) {
                run.progress.expect(1, job.size);
                if (opt.jobs > 1)
                    pool.add(std::move(job));
                else
                    later.push_back(std::move(job));
            };
            for (const std::string &a : args) {
                std::error_code ec;
                if (std::filesystem::is_directory(a, ec) || isIndexFile(a) || isTimelinePrefix(a)) {
                    for (LayerJob &job : timelineLayers(run, a))
                        add(std::move(job));
                } else {
                    add(fileJob(a));
                }
            }
            for (LayerJob &job : later)
                pool.add(std::move(job));
        }
    }
    run.progress.end();
    if (opt.json && !opt.quiet && !opt.list) {
        Json total{{"total", true},
                   {"files", run.files},
                   {"errors", run.counts.errors},
                   {"warnings", run.counts.warnings},
                   {"infos", run.counts.infos}};
        if (run.state)
            total["resumed"] = run.resumed;
        printJson(total);
    }
    std::fflush(stdout);
    return run.rc;
}

int cmdSalvage(const std::string &in, const std::string &outArg, const Options &opt)
{
    auto mapped = openSource(in, true);
    if (!mapped) {
        reportError(displayPath(in), mapped.error().message());
        return ExitUsage;
    }
    // OUT may be a directory: the output then gets the canonical name of its summary.
    const SalvageResult r = salvageToPath(**mapped, baseName(in), outArg);
    if (!r.written) {
        reportError(in, "nothing written: " + r.error.message());
        return ExitUsage;
    }
    if (!r.pathNote.empty())
        reportError(outArg, r.pathNote);
    const std::string &out = r.path;
    const std::string implied = r.summary.impliedName().canonical();
    if (!opt.quiet) {
        for (const SalvageNote &n : r.dropped)
            print(fmt::format("{}:{}: dropped: {}", in, n.offset, n.what));
        for (const SalvageNote &n : r.repairs)
            print(fmt::format("{}:{}: repaired: {}", in, n.offset, n.what));
        print(fmt::format("{}: kept {} of {} entries ({} leaves found), dropped {}, repaired {}, "
                          "{} duplicate(s) merged",
                          out,
                          r.kept,
                          r.entriesFound,
                          r.leavesFound,
                          r.dropped.size(),
                          r.repairs.size(),
                          r.duplicates));
    }
    // The output must check clean; say so if it does not (a bug in salvage, never hidden).
    ValidateOptions vo;
    vo.fileName = baseName(out);
    if (auto written = MappedFile::open(out)) {
        const ValidationReport check = validateLayer(**written, vo);
        if (!check.clean()) {
            for (const Problem &p : check.problems)
                if (p.severity != Severity::Info)
                    print(problemLine(out, p));
            reportError(out, "the salvaged layer does not check clean");
            return ExitProblem;
        }
    }
    if (vo.fileName != implied && LayerName::parse(vo.fileName))
        std::fprintf(stderr,
                     "layerctl: note: %s names another layer; its summary implies %s\n",
                     out.c_str(),
                     implied.c_str());
    return r.lossless() ? ExitOk : ExitProblem;
}

} // namespace

void addCheckCommands(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::vector<std::string> files;
        std::string in, out, maxText, shardText, jobsText;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;
    auto *check = app.add_subcommand("check",
                                     "validate every invariant; list each problem with its offset");
    check
        ->add_option(
            "FILE",
            st->files,
            "layer files, timeline directories (every layer, plus the timeline's checks) or an "
            "index_part.json (the timeline's checks on the layers it lists)")
        ->required();
    check->add_flag("--json",
                    opt.json,
                    "one JSON object per problem (with its file), one per file, then one total");
    check
        ->add_option("--index",
                     opt.index,
                     "an index_part.json to cross-check the timeline directories with")
        ->type_name("FILE");
    check->add_flag("--pages",
                    opt.pages,
                    "also check 8 KiB relation pages (header, checksum, line pointers)");
    check->add_flag("--redo",
                    opt.redo,
                    "timelines: rebuild every image page that has older data below it (the "
                    "records replayed) and compare, masked as Postgres masks pages");
    check->add_option("--pg-version", opt.pgVersion,
                      "with --redo: the Postgres major version that wrote the records (default: the index's)")
        ->check(CLI::Range(14, 17));
    check
        ->add_option("--evidence",
                     opt.evidence,
                     "write the report, summary, hex of every block at fault and the "
                     "sha256 to DIR")
        ->option_text("DIR");
    check
        ->add_option("--max-problems",
                     st->maxText,
                     "list at most N problems (counts stay exact; default 100000)")
        ->check(countValidator())
        ->option_text("N");
    check->add_option("--threads", opt.threads, "threads for the blob checks (default: all cores)")
        ->check(CLI::Range(1, 64))
        ->option_text("N");
    check
        ->add_option("--color", opt.color, "severity colours: auto (on a terminal), always or never")
        ->transform(CLI::CheckedTransformer(std::map<std::string, Color>{{"auto", Color::Auto},
                                                                         {"always", Color::Always},
                                                                         {"never", Color::Never}}))
        ->option_text("auto|always|never");
    check->add_flag("--recursive",
                    opt.recursive,
                    "each PATH is a region: every tenants/*/timelines/*/ below it (a local tree or "
                    "an s3:// prefix), timeline by timeline");
    check->add_option("--shard", st->shardText, "with --recursive: only share K of N of the timelines")
        ->option_text("K/N");
    check
        ->add_option("--jobs",
                     st->jobsText,
                     "layers checked at once, each report printed whole as it finishes "
                     "(default: one per core with --recursive, else 1: reports in order)")
        ->check(countValidator())
        ->option_text("N");
    check
        ->add_option("--resume",
                     opt.resume,
                     "record each layer and timeline checked in FILE, and skip those it already "
                     "holds with the same size and ETag (or mtime): a killed run goes on")
        ->option_text("FILE");
    check->add_flag("--list",
                    opt.list,
                    "with --recursive: list the timelines (JSON lines: path, layers, bytes) and "
                    "read nothing");
    addQuiet(check, opt);
    check->footer(fmt::format(
        "Exit status: 0 clean (info allowed), 1 errors or warnings, 2 a file cannot be read.\n"
        "Examples:\n  layerctl check --evidence /tmp/evidence {}\n"
        "  layerctl check --recursive --json --resume scrub.state s3://bucket/ > report.jsonl",
        kExampleLayer));
    check->callback([st, &run] {
        if (!st->maxText.empty())
            st->opt.maxProblems = *parseSize(st->maxText);
        if (!st->shardText.empty()) {
            unsigned long long k = 0, n = 0;
            char tail = 0;
            if (std::sscanf(st->shardText.c_str(), "%llu/%llu%c", &k, &n, &tail) != 2 || n == 0
                || k == 0 || k > n)
                return usageError(run, "check",
                                  fmt::format("--shard: expected K/N with 1 <= K <= N, found \"{}\"",
                                              st->shardText));
            if (!st->opt.recursive)
                return usageError(run, "check", "--shard goes with --recursive");
            st->opt.shardIndex = k;
            st->opt.shardCount = n;
        }
        if (st->opt.list && !st->opt.recursive)
            return usageError(run, "check", "--list goes with --recursive");
        const auto jobs = st->jobsText.empty() ? std::nullopt : parseSize(st->jobsText);
        if (jobs && *jobs > 1024)
            return usageError(run, "check", fmt::format("--jobs: at most 1024, found {}", *jobs));
        st->opt.jobs = jobs ? unsigned(*jobs)
                       : st->opt.recursive ? std::max(1u, std::thread::hardware_concurrency())
                                           : 1u;
        run = [st] { return cmdCheck(st->files, st->opt); };
    });

    auto *salvage = app.add_subcommand("salvage",
                                       "write a new layer from every entry that can be trusted");
    salvage->add_option("IN", st->in, "damaged layer file")->required();
    salvage->add_option("OUT", st->out, "new layer file, or a directory to get the canonical name")
        ->required();
    addQuiet(salvage, opt);
    salvage->footer(fmt::format(
        "Exit status: 0 nothing was dropped or repaired, 1 something was, 2 nothing written.\n"
        "Example:\n  layerctl salvage {} /tmp/salvaged/",
        kExampleLayer));
    salvage->callback([st, &run] { run = [st] { return cmdSalvage(st->in, st->out, st->opt); }; });
}

} // namespace layerscope::cli
