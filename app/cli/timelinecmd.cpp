// layerctl ls and find: a timeline directory's layers, and Neon's read path for key@LSN
// (core/timeline.h).

#include "cli.h"
#include "json.h"
#include "redact.h"
#include "scrub.h"

#include <layerscope/format/shard.h>
#include <layerscope/report/table.h>
#include <layerscope/timeline/index_part.h>
#include <layerscope/timeline/local_timeline.h>
#include <layerscope/timeline/redo.h>
#include <layerscope/timeline/remote_timeline.h>
#include <layerscope/timeline/shard_set.h>
#include <layerscope/timeline/tenant_shards.h>
#include <layerscope/timeline/timeline.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace layerscope::cli {

bool isIndexFile(const std::string &path)
{
    return std::filesystem::is_regular_file(path) && path.size() >= 5 && path.ends_with(".json");
}

namespace {

/// A timeline in an object store (core's openRemoteTimeline) with this process's sources.
std::optional<Timeline> openRemoteTimeline(const std::string &path, const std::string &index)
{
    auto prefix = parseObjectUrl(path);
    if (!prefix) {
        reportError(displayPath(path), prefix.error());
        return std::nullopt;
    }
    std::optional<IndexPart> listed;
    if (!index.empty()) {
        auto parsed = readIndexPart(index);
        if (!parsed) {
            reportError(index, parsed.error());
            return std::nullopt;
        }
        listed = std::move(*parsed);
    }
    auto t = layerscope::openRemoteTimeline(
        *prefix, remoteOptions(), [](const std::string &url) { return openSource(url); }, listed);
    if (!t) {
        reportError(prefix->display, t.error());
        return std::nullopt;
    }
    return std::move(*t);
}

} // namespace

std::optional<Timeline> openTimeline(const std::string &path, const std::string &index)
{
    if (isTimelinePrefix(path))
        return openRemoteTimeline(path, index);
    const auto readIndex = [](const std::string &file) -> std::optional<IndexPart> {
        auto index = readIndexPart(file);
        if (!index) {
            reportError(file, index.error());
            return std::nullopt;
        }
        return std::move(*index);
    };
    if (isIndexFile(path)) {
        auto index = readIndex(path);
        if (!index)
            return std::nullopt;
        Timeline t = timelineFromIndex(*index);
        t.dir = path;
        return t;
    }
    std::optional<IndexPart> listed;
    if (!index.empty() && !(listed = readIndex(index)))
        return std::nullopt;
    auto t = openLocalTimeline(path, listed);
    if (!t) {
        reportError(path, t.error());
        return std::nullopt;
    }
    return std::move(*t);
}

/// `dir` itself, unless it names a timeline of a sharded tenant without its shard
/// (tenants/<tenant>/timelines/<timeline>, which a sharded tenant does not have): then the copy
/// of the shard that owns `key` (said on stderr).
std::string owningCopy(const std::string &dir, const Key &key, const Options &opt)
{
    const auto place = parseLayoutPath(dir.ends_with('/') ? dir : dir + "/");
    std::error_code ec;
    if (!place || !place->slug.empty() || place->timeline.empty()
        || (!isRemotePath(dir) && std::filesystem::exists(dir, ec)))
        return dir;
    LogLocation loc;
    loc.key = key;
    const auto located = locateTimeline(loc, dir, opt.stripePages, remoteOptions());
    if (!located || parseLayoutPath(located->timeline)->slug.empty())
        return dir;
    std::fprintf(stderr,
                 "layerctl: %s is shard %s's: reading %s\n",
                 key.toHex().c_str(),
                 parseLayoutPath(located->timeline)->slug.c_str(),
                 displayPath(located->timeline).c_str());
    return located->timeline;
}

int cmdFind(const std::string &dir, const std::string &keyAt, const Options &opt)
{
    if (refusedUnderRedact("find", "--page", opt.page, "the page's bytes"))
        return ExitUsage;
    const auto request = parseKeyAt(keyAt);
    if (!request) {
        std::fprintf(stderr,
                     "layerctl find: cannot parse \"%s\": expected %s\n",
                     keyAt.c_str(),
                     kKeyAtSyntax);
        return ExitUsage;
    }
    const auto &[key, lsn] = *request;
    auto t = openTimeline(owningCopy(dir, key, opt), opt.index);
    if (!t)
        return ExitUsage;
    const ReadPath path = findReadPath(*t, key, lsn);
    auto chain = readChain(*t, path);
    const std::optional<Redo> redo = chain && path.complete ? std::optional(
                                         redoChain(key,
                                                   *chain,
                                                   {false, false, replayVersion(opt, *t)}))
                                                            : std::nullopt;
    // The chain is oldest first; the steps list their values newest first.
    std::size_t next = chain ? chain->size() : 0;
    Json steps = Json::array();
    if (!opt.json)
        fmt::print("{} ({}) at {}: the layers Neon reads, newest first\n",
                   key.toHex(),
                   key.describe(),
                   lsn.toString());
    for (std::size_t i = 0; i < path.steps.size(); ++i) {
        const ReadStep &s = path.steps[i];
        const TimelineLayer &l = t->layers[s.layer];
        Json values = Json::array();
        if (!opt.json)
            fmt::print("{}. {}\n   reads [{}, {}): {} value(s)\n",
                       i + 1,
                       l.fileName,
                       s.lsnFloor.toString(),
                       s.endLsn.toString(),
                       s.values.size());
        for (const Entry &e : s.values) {
            const ChainValue *v = chain && next ? &(*chain)[--next] : nullptr;
            const std::string lsnText = l.name->kind == LayerKind::Image
                                            ? l.name->lsnStart.toString()
                                            : e.lsn.toString();
            const std::string what = v ? describeChainValue(v->value) : std::string("?");
            if (opt.json)
                values.push_back(
                    Json{{"lsn", lsnText},
                         {"kind",
                          v ? (v->value.isImage() ? "image" : recordName(v->value.record())) : "?"},
                         {"decoded", what},
                         {"will_init", l.name->kind == LayerKind::Image || e.willInit},
                         {"blob_offset", e.blobOffset},
                         {"stored_len", v ? v->storedLen : 0}});
            else
                fmt::print("     {:>14}  {}  ({} bytes stored, blob at 0x{:x}){}\n",
                           lsnText,
                           what,
                           v ? v->storedLen : 0,
                           e.blobOffset,
                           l.name->kind == LayerKind::Delta && e.willInit ? "  will_init" : "");
        }
        if (opt.json)
            steps.push_back(Json{{"layer", l.fileName},
                                 {"lsn_floor", s.lsnFloor.toString()},
                                 {"end_lsn", s.endLsn.toString()},
                                 {"values", values}});
    }
    static constexpr const char *kOutcome[] = {"reconstructed", "failed", "no_base"};
    if (opt.json) {
        Json j{{"key", key.toHex()},
               {"key_text", key.describe()},
               {"lsn", lsn.toString()},
               {"complete", path.complete},
               {"steps", steps}};
        if (!path.why.empty())
            j["why"] = path.why;
        if (!chain)
            j["chain_error"] = chain.error().message();
        if (redo)
            j["redo"] = Json{{"outcome", kOutcome[int(redo->outcome)]},
                             {"message", redo->message},
                             {"applied", redo->applied},
                             {"postgres_records", redo->postgres},
                             {"page_len", redo->page.size()}};
        printJson(j);
    } else {
        if (path.complete)
            fmt::print("complete: the chain reaches {}\n",
                       chain && !chain->empty() && chain->front().value.isImage()
                           ? "an image"
                           : "a will_init record");
        else
            fmt::print("broken: {}\n", path.why);
        if (!chain)
            fmt::print("cannot read the chain: {}\n", chain.error().message());
        if (redo)
            fmt::print("page: {}\n", redo->message);
    }
    if (!opt.page.empty()) {
        if (!redo || redo->outcome != Redo::Outcome::Reconstructed) {
            std::fprintf(stderr,
                         "layerctl find: no page written to %s: %s\n",
                         opt.page.c_str(),
                         redo ? redo->message.c_str() : "the chain is broken or cannot be read");
            return ExitProblem;
        }
        if (!writeText(opt.page, std::string(redo->page.begin(), redo->page.end()))) {
            reportError(opt.page, std::strerror(errno));
            return ExitUsage;
        }
    }
    const bool neonFails = !chain || (redo && redo->outcome == Redo::Outcome::Failed);
    return path.complete && !neonFails ? ExitOk : ExitProblem;
}

namespace {

std::string lsnsOf(const LayerName &n)
{
    return n.kind == LayerKind::Image
               ? n.lsnStart.toString()
               : fmt::format("{}–{}", n.lsnStart.toString(), n.lsnEnd.toString());
}

} // namespace

namespace {

/// What ls counts, for one timeline copy or summed over several.
struct LsTotals
{
    std::size_t files = 0, images = 0, deltas = 0, unnamed = 0, problems = 0;
    std::uint64_t bytes = 0;

    LsTotals &operator+=(const LsTotals &o)
    {
        files += o.files;
        images += o.images;
        deltas += o.deltas;
        unnamed += o.unnamed;
        problems += o.problems;
        bytes += o.bytes;
        return *this;
    }
    Json json() const
    {
        return {{"total", files},
                {"images", images},
                {"deltas", deltas},
                {"not_layers", unnamed},
                {"bytes", bytes},
                {"problems", problems}};
    }
    std::string text() const
    {
        return fmt::format("{} files: {} image, {} delta, {} not layers; {}; {} with problems",
                           files,
                           images,
                           deltas,
                           unnamed,
                           humanBytes(bytes),
                           problems);
    }
};

/// The timelines a path stands for, and the stripe when timelineCopies already read it.
struct Timelines
{
    std::vector<std::string> paths;
    std::optional<TenantStripe> stripe;
};

/// The timelines `path` stands for: itself, or every shard's copy of the timelines of a tenant
/// (ROOT/tenants/<tenant>[-<shard>]) or of a sharded tenant's timeline named without its shard.
/// nullopt: the error was said on stderr.
std::optional<Timelines> timelinesOf(const std::string &path, const Options &opt)
{
    const auto place = parseLayoutPath(path.ends_with('/') ? path : path + "/");
    if (!place || !place->rest.empty() || (!place->slug.empty() && !place->timeline.empty()))
        return Timelines{{path}, {}};
    if (place->timeline.empty()) {
        auto found = findTimelines(path);
        if (!found)
            return std::nullopt;
        // Each timeline's copies together: the shards of the highest count first, by number.
        auto order = [](const RegionTimeline &t) {
            const auto s = shardOfPath(t.relative).value_or(ShardIdentity{});
            return std::tuple(t.copiesOf, -int(s.count), s.number);
        };
        std::stable_sort(found->begin(), found->end(), [&](const auto &a, const auto &b) {
            return order(a) < order(b);
        });
        std::vector<std::string> paths;
        for (const RegionTimeline &t : *found)
            paths.push_back(t.path.ends_with('/') ? t.path : t.path + "/");
        if (paths.empty()) {
            std::fprintf(stderr,
                         "layerctl: %s: expected timelines/<timeline>/ below the tenant, found "
                         "none\n",
                         displayPath(path).c_str());
            return std::nullopt;
        }
        return Timelines{std::move(paths), {}};
    }
    std::error_code ec;
    if (!isRemotePath(path) && std::filesystem::exists(path, ec))
        return Timelines{{path}, {}};
    auto copies = timelineCopies(path, opt.stripePages, remoteOptions());
    if (!copies) {
        reportError(displayPath(path), copies.error());
        return std::nullopt;
    }
    return Timelines{std::move(copies->paths), std::move(copies->stripe)};
}

/// ls of one timeline; `copy` (when listing several) marks each JSON object with it.
std::optional<LsTotals> lsOne(const std::string &dir, const std::string &copy, const Options &opt)
{
    auto t = openTimeline(dir, opt.index);
    if (!t)
        return std::nullopt;
    readSummaries(*t);
    LsTotals sum;
    sum.files = t->layers.size();
    for (const TimelineLayer &l : t->layers) {
        sum.bytes += l.onDisk ? l.fileSize : l.listedSize;
        // Files that are not layers are listed, not counted as problems.
        const bool bad = (l.name && l.onDisk
                          && (!l.summaryError.empty() || !l.disagreements.empty()))
                         || !l.indexProblems.empty() || !l.shardMissing.empty();
        sum.problems += bad;
        if (!l.name)
            ++sum.unnamed;
        else
            ++(l.name->kind == LayerKind::Image ? sum.images : sum.deltas);
        if (opt.json) {
            Json j{{"file", l.fileName}, {"size", l.fileSize}};
            if (l.name) {
                j["kind"] = l.name->kind == LayerKind::Image ? "image" : "delta";
                j["key_start"] = l.name->keyStart.toHex();
                j["key_end"] = l.name->keyEnd.toHex();
                j["lsn_start"] = l.name->lsnStart.toString();
                if (l.name->kind == LayerKind::Delta)
                    j["lsn_end"] = l.name->lsnEnd.toString();
                if (l.name->suffix != LayerName::Suffix::None)
                    j["generation"] = fmt::format("{:08x}", l.name->generation);
                if (!l.name->tempSuffix.empty())
                    j["temp"] = l.name->tempSuffix;
            } else {
                j["name_error"] = l.nameError;
            }
            if (!l.summaryError.empty() && l.name)
                j["summary_error"] = l.summaryError;
            if (!l.disagreements.empty())
                j["disagreements"] = l.disagreements;
            if (l.otherShard)
                j["shard"] = *l.otherShard;
            if (!l.shardMissing.empty())
                j["shard_missing"] = l.shardMissing;
            if (l.listed) {
                j["listed_size"] = l.listedSize;
                if (l.listedGeneration)
                    j["listed_generation"] = *l.listedGeneration;
            }
            j["on_disk"] = l.onDisk;
            if (!l.indexProblems.empty())
                j["index_problems"] = l.indexProblems;
            if (!copy.empty())
                j["copy"] = copy;
            printJson(j);
            continue;
        }
        std::string what = !l.name
                               ? "not a layer name: " + l.nameError
                               : fmt::format("{} {}  {} – {}",
                                             l.name->kind == LayerKind::Image ? "image" : "delta",
                                             lsnsOf(*l.name),
                                             l.name->keyStart.describe(),
                                             l.name->keyEnd.describe());
        if (l.name && !l.name->tempSuffix.empty())
            what += fmt::format("  [temporary: {}]", l.name->tempSuffix);
        if (l.otherShard)
            what += fmt::format("  [shard {}'s]",
                                l.otherShard->empty() ? "(unsharded)" : *l.otherShard);
        fmt::print("{:>10}  {}  {}\n",
                   humanBytes(l.onDisk ? l.fileSize : l.listedSize),
                   l.fileName,
                   what);
        for (const std::string &p : l.indexProblems)
            fmt::print("            index: {}\n", p);
        if (!l.shardMissing.empty())
            fmt::print("            missing from its shard: {}\n", l.shardMissing);
        if (!l.summaryError.empty() && l.name && l.onDisk)
            fmt::print("            summary unreadable: {}\n", l.summaryError);
        for (const std::string &d : l.disagreements)
            fmt::print("            summary disagrees with the name: {}\n", d);
    }
    if (opt.json) {
        Json total = sum.json();
        if (!copy.empty()) {
            total["copy"] = copy;
            if (t->shard)
                total["shard"] = *t->shard;
        }
        if (t->gcCutoff)
            total["gc_cutoff"] = t->gcCutoff->toString();
        if (!t->ancestorTimeline.empty())
            total["ancestor_timeline"] = t->ancestorTimeline;
        printJson(total);
    } else {
        fmt::print("{}\n", sum.text());
        if (t->gcCutoff)
            fmt::print("index: GC cutoff {}{}\n",
                       t->gcCutoff->toString(),
                       t->ancestorTimeline.empty() ? std::string()
                                                   : ", ancestor timeline " + t->ancestorTimeline);
    }
    return sum;
}

int cmdLs(const std::string &path, const Options &opt)
{
    const auto found = timelinesOf(path, opt);
    if (!found)
        return ExitUsage;
    const std::vector<std::string> &dirs = found->paths;
    if (dirs.size() == 1) {
        const auto sum = lsOne(dirs.front(), {}, opt);
        return !sum ? ExitUsage : sum->problems ? ExitProblem : ExitOk;
    }
    LsTotals all;
    for (const std::string &dir : dirs) {
        if (!opt.json) {
            const auto shard = shardOfPath(dir);
            fmt::print("\n{}{}\n",
                       displayPath(dir),
                       shard ? fmt::format("  (shard {})", shard->slug()) : std::string());
        }
        const auto sum = lsOne(dir, displayPath(dir), opt);
        if (!sum)
            return ExitUsage;
        all += *sum;
    }
    if (opt.json) {
        Json total = all.json();
        total["copies"] = dirs.size();
        printJson(total);
    } else {
        fmt::print("\n{} timeline copies: {}\n", dirs.size(), all.text());
    }
    return all.problems ? ExitProblem : ExitOk;
}

int cmdMap(const std::string &path, const Options &opt)
{
    const auto found = timelinesOf(path, opt);
    if (!found)
        return ExitUsage;
    std::vector<Timeline> copies;
    for (const std::string &dir : found->paths) {
        auto t = openTimeline(dir, opt.index);
        if (!t)
            return ExitUsage;
        copies.push_back(std::move(*t));
    }
    std::string svg;
    if (copies.size() == 1) {
        svg = mapSvg(copies.front());
    } else {
        // One timeline's copies: every copy must be of the same timeline.
        const auto first = parseLayoutPath(copies.front().dir);
        for (const Timeline &t : copies)
            if (const auto p = parseLayoutPath(t.dir);
                !p || !first || p->timeline != first->timeline) {
                std::fprintf(stderr,
                             "layerctl map: %s holds several timelines: name one "
                             "(ROOT/tenants/<tenant>/timelines/<timeline>)\n",
                             displayPath(path).c_str());
                return ExitUsage;
            }
        std::uint8_t count = 0;
        for (const Timeline &t : copies)
            if (const auto s = ShardIdentity::fromSlug(t.shard.value_or("")))
                count = std::max(count, s->count);
        // timelineCopies read it (or took --stripe-size); a tenant's listing did not.
        const TenantStripe stripe = found->stripe ? *found->stripe
                                    : opt.stripePages
                                        ? TenantStripe{opt.stripePages, "--stripe-size", {}}
                                        : readTenantStripe(first->tenantPath(
                                                               ShardIdentity{0, count}.slug()),
                                                           remoteOptions());
        if (!stripe.problem.empty())
            std::fprintf(stderr, "layerctl: %s\n", stripe.problem.c_str());
        svg = shardMapSvg(copies, count, stripe.pages);
        fmt::print("{} shard copies, {} shards, stripe {} pages ({})\n",
                   copies.size(),
                   count,
                   stripe.pages,
                   stripe.from);
    }
    if (!writeText(opt.svg, svg)) {
        reportError(opt.svg, std::strerror(errno));
        return ExitUsage;
    }
    std::vector<MapLayout> layouts;
    for (const Timeline &t : copies)
        layouts.push_back(layoutMap(t));
    shareBoundaries(layouts);
    std::size_t drawn = 0;
    for (const MapLayout &m : layouts)
        drawn += m.order.size();
    fmt::print("{}: {} layers drawn ({} distinct key boundaries, {} distinct LSNs)\n",
               opt.svg,
               drawn,
               layouts.front().keys.size(),
               layouts.front().lsns.size());
    return ExitOk;
}

} // namespace

void addTimelineCommands(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string path, key;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;
    auto *ls = app.add_subcommand(
        "ls", "the layers of a timeline directory, summaries checked against names");
    ls->add_option("PATH",
                   st->path,
                   "timeline directory or prefix, an index_part.json, or a tenant "
                   "(ROOT/tenants/<tenant>[-<shard>]: every shard's timelines) or a sharded "
                   "tenant's timeline named without its shard (every shard's copy)")
        ->required();
    ls->add_option("--index", opt.index, "an index_part.json to cross-check the directory with")
        ->type_name("FILE");
    ls->add_flag("--json", opt.json, "one JSON object per file, then a total");
    ls->footer("Exit status: 0 every summary agrees with its name, 1 one is unreadable or "
               "disagrees, 2 I/O.");
    ls->callback([st, &run] { run = [st] { return cmdLs(st->path, st->opt); }; });

    auto *find = app.add_subcommand(
        "find", "Neon's read path for KEY@LSN over a timeline directory, with its chain");
    find->add_option("PATH", st->path, "timeline directory, or an index_part.json (layer order only)")
        ->required();
    find->add_option("KEY@LSN",
                     st->key,
                     "KEY (36 hex digits, or as layerctl prints it: \"rel 1663/16384/2619 blk 7\", "
                     "\"slru clog seg "
                     "0 blk 3\", ...) @ LSN (X/Y or 16 hex digits)")
        ->required();
    find->add_flag("--json", opt.json, "one JSON object");
    addStripeSizeOption(find,
                        opt.stripePages,
                        "for a sharded tenant's timeline named without its shard: the stripe in "
                        "pages (default: the tenant manifest's)");
    find->add_option("--page", opt.page, "write the page the chain's records reconstruct to FILE")
        ->type_name("FILE");
    find->add_option("--pg-version", opt.pgVersion, "the Postgres major version that wrote the records (default: the index's pg_version)")
        ->check(CLI::Range(14, 17));
    find->add_option("--index",
                     opt.index,
                     "an index_part.json whose layers are merged with the directory's")
        ->type_name("FILE");
    find->footer("Exit status: 0 the chain reaches an image or will_init record, 1 it is broken "
                 "(\"could not find\n"
                 "data for key\"), a value in it cannot be read, Neon would fail applying a "
                 "record, or --page has\n"
                 "no page to write; 2 usage or I/O error.");
    find->callback([st, &run] { run = [st] { return cmdFind(st->path, st->key, st->opt); }; });

    auto *map = app.add_subcommand(
        "map", "the layer map of a timeline (directory or index_part.json) as SVG");
    map->add_option("PATH",
                    st->path,
                    "timeline directory or prefix, an index_part.json, or a sharded tenant's "
                    "timeline named without its shard (its copies stacked, with the key ranges' "
                    "owners)")
        ->required();
    map->add_option("--svg", opt.svg, "the SVG file to write")->required()->type_name("OUT");
    map->add_option("--index",
                    opt.index,
                    "an index_part.json whose layers are merged with the directory's")
        ->type_name("FILE");
    addStripeSizeOption(map,
                        opt.stripePages,
                        "for a sharded tenant's copies: the stripe in pages the owners are "
                        "drawn with (default: the tenant manifest's)");
    map->callback([st, &run] { run = [st] { return cmdMap(st->path, st->opt); }; });
}

} // namespace layerscope::cli
