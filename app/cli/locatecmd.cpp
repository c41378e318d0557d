#include "cli.h"
#include "json.h"
#include "shards.h"

#include <layerscope/format/log_line.h>
#include <layerscope/format/shard.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

namespace layerscope::cli {

namespace {

struct LocateOptions
{
    std::string line;
    std::string root;
    Options opt;
};

std::string joined(const std::vector<std::string> &parts, const char *sep)
{
    std::string out;
    for (const std::string &p : parts)
        out += (out.empty() ? "" : sep) + p;
    return out;
}

/// The timeline directory or prefix the line's read happened in, below `rootArg` (a region
/// root, a tenant, a tenant shard or a timeline); empty, with the reason printed, when it
/// cannot be named.
std::string timelineOf(const LogLocation &loc, const std::string &rootArg, std::uint32_t stripe)
{
    const std::string root = rootArg.ends_with('/') ? rootArg : rootArg + "/";
    LayoutPath place;
    if (const auto named = parseLayoutPath(root))
        place = *named;
    else
        place.root = root;
    if (place.tenant.empty())
        place.tenant = loc.tenant;
    else if (!loc.tenant.empty() && loc.tenant != place.tenant)
        std::fprintf(stderr,
                     "layerctl locate: note: the line names tenant %s, %s is tenant %s's\n",
                     loc.tenant.c_str(),
                     rootArg.c_str(),
                     place.tenant.c_str());
    if (place.timeline.empty())
        place.timeline = loc.timeline;
    if (place.tenant.empty() || place.timeline.empty()) {
        std::fprintf(stderr,
                     "layerctl locate: found %s; missing %s: name the timeline's directory or "
                     "prefix as ROOT\n",
                     loc.found().c_str(),
                     place.tenant.empty() ? "the tenant id (tenant_id=…)"
                                          : "the timeline id (timeline_id=…)");
        return {};
    }
    if (!place.slug.empty())
        return place.timelinePath(place.slug); // the shard ROOT names
    const auto owner = owningShard(place.root, place.tenant, *loc.key, stripe);
    if (!owner) {
        std::fprintf(stderr,
                     "layerctl locate: %s: no tenants/%s[-<shard>]/ there\n",
                     displayPath(place.root).c_str(),
                     place.tenant.c_str());
        return {};
    }
    std::string slug = owner->slug;
    if (loc.shardSlug && !loc.shardSlug->empty()) {
        slug = *loc.shardSlug; // where the line's read happened
        if (slug != owner->slug)
            std::fprintf(
                stderr,
                "layerctl locate: note: the line names shard %s; by Neon's rule (stripe %u "
                "pages) the key is shard %s's\n",
                slug.c_str(),
                owner->stripePages,
                owner->slug.c_str());
    } else if (loc.shardNumber && !slug.empty()) {
        slug = ShardIdentity{*loc.shardNumber, ShardIdentity::fromSlug(slug)->count}.slug();
    }
    return place.timelinePath(slug);
}

int cmdLocate(const LocateOptions &o)
{
    const LogLocation loc = parseLogLine(o.line);
    if (const auto missing = loc.missingForRead(); !missing.empty()) {
        std::fprintf(stderr,
                     "layerctl locate: found %s; missing %s\n",
                     loc.found().c_str(),
                     joined(missing, " and ").c_str());
        return ExitUsage;
    }
    const std::string keyAt = loc.key->toHex() + "@" + loc.lsn->toString();
    if (o.root.empty()) {
        if (o.opt.json)
            printJson(Json{{"found", loc.found()},
                           {"tenant", loc.tenant},
                           {"timeline", loc.timeline},
                           {"shard", loc.shardSlug.value_or("")},
                           {"key", loc.key->toHex()},
                           {"key_text", loc.key->describe()},
                           {"lsn", loc.lsn->toString()},
                           {"key_at", keyAt}});
        else
            fmt::print("found: {}\nread it with: layerctl locate LINE ROOT, or layerctl find "
                       "TIMELINE {}\n",
                       loc.found(),
                       keyAt);
        return ExitOk;
    }
    const std::string timeline = timelineOf(loc, o.root, o.opt.stripePages);
    if (timeline.empty())
        return ExitUsage;
    if (!o.opt.json)
        fmt::print("found: {}\ntimeline: {}\n\n", loc.found(), displayPath(timeline));
    return cmdFind(timeline, keyAt, o.opt);
}

} // namespace

void addLocateCommand(CLI::App &app, CommandRun &run)
{
    auto o = std::make_shared<LocateOptions>();
    auto *cmd = app.add_subcommand(
        "locate",
        "read a pageserver or compute log line (tenant, shard, timeline, key or rel=… blkno=…, "
        "LSN) and follow that key's read path in the right shard's timeline");
    cmd->add_option("LINE", o->line, "the log line, pasted whole (quoted)")->required();
    cmd->add_option("ROOT",
                    o->root,
                    "where the layers are: a region root holding tenants/ (a directory or s3:// "
                    "prefix), a tenant, a tenant shard, or a timeline; without it the line's "
                    "fields are printed");
    cmd->add_option("--stripe-size",
                    o->opt.stripePages,
                    "stripe in 8 KiB pages for the owning shard (default: the tenant manifest's)")
        ->check(CLI::Range(1u, 0xFFFFFFFFu))
        ->option_text("PAGES");
    cmd->add_option(
        "--pg-version",
        o->opt.pgVersion,
        "the Postgres major version that wrote the records (default: the index's pg_version)");
    cmd->add_flag("--json", o->opt.json, "find's JSON object (without ROOT: the fields found)");
    cmd->footer("Exit status: 0 the chain reaches an image or will_init record (without ROOT: the "
                "line names a key and an LSN), 1 it is broken, 2 the line lacks the key or LSN, "
                "or the timeline cannot be found.\nExample:\n  layerctl locate \"$(grep 'could not "
                "find data' pageserver.log | tail -1)\" s3://bucket/pageserver/v1/");
    cmd->callback([o, &run] { run = [o] { return cmdLocate(*o); }; });
}

} // namespace layerscope::cli
