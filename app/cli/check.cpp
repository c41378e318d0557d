#include "cli.h"
#include "redact.h"

#include "json.h"
#include "problemreport.h"
#include "scrub.h"

#include <layerscope/base/hash.h>
#include <layerscope/check/salvage.h>
#include <layerscope/check/validate.h>
#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/format/shard.h>
#include <layerscope/timeline/redo_check.h>
#include <layerscope/timeline/remote_timeline.h>
#include <layerscope/timeline/shard_set.h>
#include <layerscope/timeline/tenant_shards.h>
#include <layerscope/timeline/timeline.h>
#include <layerscope/write/writer.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

namespace layerscope::cli {

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
    std::map<std::string, std::uint32_t> stripes; ///< by tenant shard directory (stripeOf)
    /// The copies of each sharded timeline seen so far, by tenant and timeline id
    /// (checkShards compares them); `whole` when a recursive listing looked for every shard.
    struct Copies
    {
        std::vector<ShardTimeline> seen;
        bool whole = false;
    };
    std::map<std::string, Copies> copies;
    /// Layers already given to the pool: a split parent's layer that several child shards
    /// list is validated once.
    std::set<std::string> queued;
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

/// One problem of a timeline or of a timeline's shards, as text or a JSON line; counted in `c`.
std::string problemLine(const Options &opt,
                        Counts &c,
                        const std::string &where,
                        const std::string &check,
                        Severity severity,
                        const std::string &message)
{
    c.errors += severity == Severity::Error;
    c.warnings += severity == Severity::Warning;
    c.infos += severity == Severity::Info;
    if (opt.quiet)
        return {};
    if (opt.json)
        return jsonLine(Json{{"record", "problem"},
                             {"check", check},
                             {"severity", severityName(severity)},
                             {"message", message},
                             {"file", where}});
    return fmt::format("{}: {}[{}]: {}\n", where, severityName(severity), check, message);
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
            problems.push_back(redoSummary(*redo, version, versionSource));
        }
        for (const TimelineProblem &p : problems) {
            // A layer only listed in the index has no path: its name says which it is.
            const TimelineLayer *layer = p.layer == TimelineProblem::npos ? nullptr
                                                                          : &t->layers[p.layer];
            // One listed under another shard and not found: named below the timeline that
            // lists it.
            const std::string where = !layer ? dir
                                      : layer->otherShard && layer->path.empty()
                                          ? (dir.ends_with('/') ? dir : dir + "/") + layer->fileName
                                      : layer->path.empty() ? layer->fileName
                                                            : layer->path;
            out += problemLine(opt, c, where, p.check, p.severity, p.message);
        }
        if (opt.json && !opt.quiet) {
            Json total{{"record", "timeline"},
                       {"timeline", dir},
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
    std::lock_guard lock(run.mutex);
    if (auto copy = ShardTimeline::of(*t))
        if (const auto place = parseLayoutPath(t->dir))
            run.copies[place->tenant + "/" + place->timeline].seen.push_back(std::move(*copy));
    for (const TimelineLayer &l : t->layers)
        if (l.isMapped() && l.onDisk && run.queued.insert(l.path).second)
            layers.push_back({l.path, l.fileSize, l.version});
    return layers;
}

/// The copies of each sharded timeline seen, compared (checkShardSet): problems printed and
/// counted; the copies are forgotten. Compared: timelines a recursive listing of whole tenants
/// found, and those of which several copies were named (one named alone says nothing of its
/// tenant's other shards).
void checkShards(CheckRun &run)
{
    Counts c;
    std::string out;
    for (const auto &[id, copies] : run.copies)
        if (copies.whole || copies.seen.size() >= 2)
            for (const ShardSetProblem &p : checkShardSet(copies.seen))
                out += problemLine(run.opt, c, displayPath(p.where), p.check, p.severity, p.message);
    run.copies.clear();
    run.printer.emit(out);
    run.add(c, ExitOk, false);
}

/// The stripe of the sharded tenant `path` is in, in pages: --stripe-size; else the tenant
/// manifest's, on disk or in the bucket (read once per tenant shard for the run); else Neon's
/// default.
std::uint32_t stripeOf(CheckRun &run, const std::string &path)
{
    if (run.opt.stripePages)
        return run.opt.stripePages;
    const auto place = parseLayoutPath(path);
    if (!place)
        return kDefaultStripePages;
    const std::string tenantDir = place->tenantPath(place->slug);
    std::lock_guard lock(run.mutex);
    const auto [it, added] = run.stripes.try_emplace(tenantDir, 0);
    if (added) {
        const TenantStripe stripe = readTenantStripe(tenantDir, remoteOptions());
        if (!stripe.problem.empty())
            std::fprintf(stderr, "layerctl: %s\n", stripe.problem.c_str());
        it->second = stripe.pages;
    }
    return it->second;
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
            run.printer.emit(
                jsonLine(Json{{"record", "unreadable"}, {"file", file}, {"unreadable", message}}));
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
    vo.shard = shardOfPath(job.path);
    if (vo.shard)
        vo.shard->stripePages = stripeOf(run, job.path);
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
            Json o{{"record", "problem"}};
            o.update(problemJson(p));
            o["file"] = file;
            out += jsonLine(o);
        }
        Json checks = Json::array();
        for (const CheckTally &t : r.tallies)
            checks.push_back(Json{{"check", t.check},
                                  {"severity", severityName(t.severity)},
                                  {"count", t.count},
                                  {"first_offset", t.firstOffset}});
        out += jsonLine(Json{{"record", "layer"},
                             {"file", file},
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
    if (refusedUnderRedact("check", "--evidence", opt.evidence, "the bytes at fault"))
        return ExitUsage;
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
                    if (!opt.shardCount || inShard(t.copiesOf, opt.shardIndex, opt.shardCount))
                        share.push_back(&t);
                if (opt.list) {
                    for (const RegionTimeline *t : share)
                        printJson(Json{{"record", "listing"},
                                       {"timeline", t->path},
                                       {"relative", t->relative},
                                       {"copies_of", t->copiesOf},
                                       {"layers", t->layers},
                                       {"bytes", t->bytes}});
                    continue;
                }
                // A root naming no tenant shard listed every shard of its tenants.
                const auto root = parseLayoutPath(a.ends_with('/') ? a : a + "/");
                if (!root || root->slug.empty())
                    for (const RegionTimeline *t : share)
                        if (const auto p = parseLayoutPath(t->relative))
                            run.copies[p->tenant + "/" + p->timeline].whole = true;
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
    // Each sharded timeline's copies, compared once every shard named has been read.
    checkShards(run);
    run.progress.end();
    if (opt.json && !opt.quiet && !opt.list) {
        Json total{{"record", "total"},
                   {"total", true},
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

/// Completes `opt` from the options CLI11 keeps as text (--max-problems, --shard K/N, --jobs)
/// and checks how they combine; the usage error, or empty when they are sound.
std::string completeOptions(Options &opt,
                            const std::string &maxText,
                            const std::string &shardText,
                            const std::string &jobsText)
{
    if (!maxText.empty())
        opt.maxProblems = *parseSize(maxText);
    if (!shardText.empty()) {
        unsigned long long k = 0, n = 0;
        char tail = 0;
        if (std::sscanf(shardText.c_str(), "%llu/%llu%c", &k, &n, &tail) != 2 || n == 0 || k == 0
            || k > n)
            return fmt::format("--shard: expected K/N with 1 <= K <= N, found \"{}\"", shardText);
        if (!opt.recursive)
            return "--shard goes with --recursive";
        opt.shardIndex = k;
        opt.shardCount = n;
    }
    if (opt.list && !opt.recursive)
        return "--list goes with --recursive";
    const auto jobs = jobsText.empty() ? std::nullopt : parseSize(jobsText);
    if (jobs && *jobs > 1024)
        return fmt::format("--jobs: at most 1024, found {}", *jobs);
    opt.jobs = jobs            ? unsigned(*jobs)
               : opt.recursive ? std::max(1u, std::thread::hardware_concurrency())
                               : 1u;
    return {};
}

} // namespace

namespace {

/// What `check`'s options are parsed into (CLI11 keeps some as text until the callback).
struct CheckState
{
    Options opt;
    std::vector<std::string> files;
    std::string maxText, shardText, jobsText, listFormat;
};

/// The options of a region scrub: --recursive, --shard, --jobs, --resume, --list.
void addRegionOptions(CLI::App *check, CheckState &st)
{
    check->add_flag("--recursive",
                    st.opt.recursive,
                    "each PATH is a region: every tenants/*/timelines/*/ below it (a local tree or "
                    "an s3:// prefix), timeline by timeline");
    check
        ->add_option("--shard", st.shardText, "with --recursive: only share K of N of the timelines")
        ->option_text("K/N");
    check
        ->add_option("--jobs",
                     st.jobsText,
                     "layers checked at once, each report printed whole as it finishes "
                     "(default: one per core with --recursive, else 1: reports in order)")
        ->check(countValidator())
        ->option_text("N");
    check
        ->add_option("--resume",
                     st.opt.resume,
                     "record each layer and timeline checked in FILE, and skip those it already "
                     "holds with the same size and ETag (or mtime): a killed run goes on")
        ->option_text("FILE");
    check->add_flag("--list",
                    st.opt.list,
                    "with --recursive: list the timelines (JSON lines: path, layers, bytes) and "
                    "read nothing");
}

} // namespace

void addCheckCommands(CLI::App &app, CommandRun &run)
{
    auto st = std::make_shared<CheckState>();
    Options &opt = st->opt;
    auto *check = app.add_subcommand("check",
                                     "validate every invariant; list each problem with its offset");
    check->add_option(
        "FILE",
        st->files,
        "layer files, timeline directories (every layer, plus the timeline's checks) or an "
        "index_part.json (the timeline's checks on the layers it lists)");
    check
        ->add_option("--list-checks",
                     st->listFormat,
                     "print every check this version runs (id, severity, group, meaning) and "
                     "read nothing; FORMAT is text (default), json, markdown or man")
        ->expected(0, 1)
        ->option_text("[FORMAT]");
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
    addStripeSizeOption(check,
                        opt.stripePages,
                        "sharded tenants: the stripe in 8 KiB pages (default: the tenant "
                        "manifest's, else 2048, Neon's since April 2025)");
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
    addRegionOptions(check, *st);
    addQuiet(check, opt);
    check->footer(fmt::format(
        "Exit status: 0 clean (info allowed), 1 errors or warnings, 2 a file cannot be read.\n"
        "Examples:\n  layerctl check --evidence /tmp/evidence {}\n"
        "  layerctl check --recursive --json --resume scrub.state s3://bucket/ > report.jsonl",
        kExampleLayer));
    check->callback([st, check, &run] {
        if (check->count("--list-checks")) {
            const auto list = checkList(st->listFormat.empty() ? (st->opt.json ? "json" : "text")
                                                               : st->listFormat);
            if (!list)
                return usageError(
                    run,
                    "check",
                    fmt::format("--list-checks: expected text, json, markdown or man, "
                                "found \"{}\"",
                                st->listFormat));
            run = [text = *list] {
                std::fwrite(text.data(), 1, text.size(), stdout);
                return int(ExitOk);
            };
            return;
        }
        if (st->files.empty())
            return usageError(run, "check", "FILE is required (or --list-checks)");
        if (const std::string why = completeOptions(st->opt,
                                                    st->maxText,
                                                    st->shardText,
                                                    st->jobsText);
            !why.empty())
            return usageError(run, "check", why);
        run = [st] { return cmdCheck(st->files, st->opt); };
    });
}

} // namespace layerscope::cli
