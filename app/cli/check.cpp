#include "cli.h"

#include "json.h"

#include <layerscope/check/salvage.h>
#include <layerscope/check/validate.h>
#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/timeline/remote_timeline.h>
#include <layerscope/timeline/timeline.h>
#include <layerscope/write/writer.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include <algorithm>
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
void printGrouped(const std::string &file, const ValidationReport &r, const Palette &pal)
{
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

/// Problems counted over a whole `check` run (its JSON total line); `files` counts the layer
/// files validated.
struct CheckTotals
{
    std::size_t files = 0, errors = 0, warnings = 0, infos = 0;
};

/// A directory or index_part.json argument: the timeline-level problems are printed (and counted
/// in `rc`), and its layer files on disk (not temp files, not other files) are returned to be
/// validated one by one.

std::vector<std::string> scrubTimeline(const std::string &dir,
                                       const Options &opt,
                                       int &rc,
                                       CheckTotals &totals)
{
    auto t = openTimeline(dir, opt.index);
    if (!t) {
        rc = ExitUsage;
        return {};
    }
    readSummaries(*t, opt.threads);
    std::size_t errors = 0, warnings = 0;
    for (const TimelineProblem &p : checkTimeline(*t)) {
        // A layer only listed in the index has no path: its name says which it is.
        const TimelineLayer *layer = p.layer == TimelineProblem::npos ? nullptr
                                                                      : &t->layers[p.layer];
        const std::string where = !layer                ? dir
                                  : layer->path.empty() ? layer->fileName
                                                        : layer->path;
        errors += p.severity == Severity::Error;
        warnings += p.severity == Severity::Warning;
        totals.infos += p.severity == Severity::Info;
        if (opt.quiet)
            continue;
        if (opt.json)
            printJson(Json{{"check", p.check},
                           {"severity", severityName(p.severity)},
                           {"message", p.message},
                           {"file", where}});
        else
            fmt::print("{}: {}[{}]: {}\n", where, severityName(p.severity), p.check, p.message);
    }
    if (opt.json && !opt.quiet)
        printJson(Json{{"timeline", dir},
                       {"layers", t->layers.size()},
                       {"errors", errors},
                       {"warnings", warnings}});
    totals.errors += errors;
    totals.warnings += warnings;
    if ((errors || warnings) && rc == ExitOk)
        rc = ExitProblem;
    std::vector<std::string> layers;
    for (const TimelineLayer &l : t->layers)
        if (l.isMapped() && l.onDisk)
            layers.push_back(l.path);
    return layers;
}

} // namespace

namespace {

/// Validates one layer (a path or URL) and prints its report; counts into `totals` and `rc`.
void checkFile(const std::string &given, const Options &opt, const Palette &pal,
               CheckTotals &totals, int &rc)
{
    const std::string file = displayPath(given);
    auto mapped = openSource(given, true);
    if (!mapped) {
        reportError(file, mapped.error().message());
        rc = ExitUsage;
        return;
    }
    ValidateOptions vo;
    vo.fileName = baseName(file);
    vo.pages = opt.pages;
    vo.maxProblems = std::size_t(opt.maxProblems);
    vo.threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    const ValidationReport r = validateLayer(**mapped, vo);
    ++totals.files;
    totals.errors += r.errors;
    totals.warnings += r.warnings;
    totals.infos += r.infos;
    if (opt.quiet) {
        // Nothing printed: the exit code says it.
    } else if (opt.json) {
        for (const Problem &p : r.problems) {
            Json o = problemJson(p);
            o["file"] = file;
            printJson(o);
        }
        Json checks = Json::array();
        for (const CheckTally &t : r.tallies)
            checks.push_back(Json{{"check", t.check},
                                  {"severity", severityName(t.severity)},
                                  {"count", t.count},
                                  {"first_offset", t.firstOffset}});
        printJson(Json{{"file", file},
                       {"errors", r.errors},
                       {"warnings", r.warnings},
                       {"infos", r.infos},
                       {"listed", r.problems.size()},
                       {"truncated", r.truncated},
                       {"checks", std::move(checks)},
                       {"entries_checked", r.entriesChecked}});
    } else {
        printGrouped(file, r, pal);
    }
    if (!opt.evidence.empty() && !writeEvidence(opt.evidence, file, (*mapped)->bytes(), r)) {
        reportError(opt.evidence, "cannot write the evidence files");
        rc = ExitUsage;
    }
    if (!r.clean() && rc == ExitOk)
        rc = ExitProblem;

}

/// Timelines below `root` in Neon's layout (`tenants/*/timelines/*/`): directories of a local
/// tree or prefixes of an s3:// one, in name order, each with its path relative to `root`
/// (what --shard hashes). Nullopt, the reason printed, when `root` cannot be listed.
std::optional<std::vector<std::pair<std::string, std::string>>> findTimelines(const std::string &root)
{
    std::vector<std::pair<std::string, std::string>> out;
    if (isRemotePath(root)) {
        auto url = parseObjectUrl(root.ends_with('/') ? root : root + "/");
        if (!url) {
            reportError(displayPath(root), url.error());
            return std::nullopt;
        }
        // One listing of everything below tenants/ (no delimiter: every S3-compatible store
        // lists keys, not all return common prefixes); the timelines are the key prefixes of
        // the form tenants/T/timelines/TL/.
        auto all = listObjects(url->withKey(url->key + "tenants/"), remoteOptions());
        if (!all) {
            reportError(url->display, all.error());
            return std::nullopt;
        }
        std::set<std::string> seen;
        for (const ObjectInfo &o : *all) {
            const std::string rel = o.key.substr(url->key.size()); // tenants/T/timelines/TL/name
            std::size_t cut = 0;
            for (int slash = 0; slash < 4 && cut != std::string::npos; ++slash)
                cut = rel.find('/', cut == 0 && slash == 0 ? 0 : cut + 1);
            if (cut == std::string::npos || rel.compare(rel.find('/', 8) + 1, 10, "timelines/") != 0)
                continue;
            const std::string timeline = rel.substr(0, cut + 1);
            if (seen.insert(timeline).second)
                out.emplace_back(url->withKey(url->key + timeline).display, timeline);
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
            for (const auto &tl : fs::directory_iterator(tenant.path() / "timelines", ec))
                if (tl.is_directory())
                    out.emplace_back(tl.path().string(),
                                     fs::relative(tl.path(), root).generic_string() + "/");
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// --shard K/N: whether the timeline at `relative` is in share K (FNV-1a of the path, so
/// that every run and every machine splits a region the same way).
bool inShard(const std::string &relative, std::uint64_t k, std::uint64_t n)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : relative) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h % n == k - 1;
}

int cmdCheck(const std::vector<std::string> &args, const Options &opt)
{
    int rc = ExitOk;
    CheckTotals totals;
    if (!opt.evidence.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(opt.evidence, ec);
        if (ec) {
            reportError(opt.evidence,
                        fmt::format("cannot create the evidence directory: {}", ec.message()));
            return ExitUsage;
        }
    }
    const Palette pal{opt.color == Color::Always
                      || (opt.color == Color::Auto && ::isatty(STDOUT_FILENO))};
    if (opt.recursive) {
        // Timeline by timeline: its checks, then its layers, streamed as each is done.
        for (const std::string &a : args) {
            const auto timelines = findTimelines(a);
            if (!timelines) {
                rc = ExitUsage;
                continue;
            }
            for (const auto &[path, relative] : *timelines)
                if (!opt.shardCount || inShard(relative, opt.shardIndex, opt.shardCount))
                    for (const std::string &f : scrubTimeline(path, opt, rc, totals))
                        checkFile(f, opt, pal, totals, rc);
        }
    } else {
        // The timelines' checks first, then every layer.
        std::vector<std::string> files;
        for (const std::string &a : args) {
            std::error_code ec;
            if (std::filesystem::is_directory(a, ec) || isIndexFile(a) || isTimelinePrefix(a)) {
                for (std::string &f : scrubTimeline(a, opt, rc, totals))
                    files.push_back(std::move(f));
            } else {
                files.push_back(a);
            }
        }
        for (const std::string &given : files)
            checkFile(given, opt, pal, totals, rc);
    }
    if (opt.json && !opt.quiet)
        printJson(Json{{"total", true},
                       {"files", totals.files},
                       {"errors", totals.errors},
                       {"warnings", totals.warnings},
                       {"infos", totals.infos}});
    std::fflush(stdout);
    return rc;
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
        std::string in, out, maxText, shardText;
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
    addQuiet(check, opt);
    check->footer(fmt::format(
        "Exit status: 0 clean (info allowed), 1 errors or warnings, 2 a file cannot be read.\n"
        "Example:\n  layerctl check --evidence /tmp/evidence {}",
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
