#include "cli.h"
#include "json.h"

#include <layerscope/format/log_line.h>
#include <layerscope/timeline/tenant_shards.h>

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
    const auto located = locateTimeline(loc, o.root, o.opt.stripePages, remoteOptions());
    if (!located) {
        std::fprintf(stderr, "layerctl locate: %s\n", located.error().message().c_str());
        return ExitUsage;
    }
    for (const std::string &note : located->notes)
        std::fprintf(stderr, "layerctl locate: note: %s\n", note.c_str());
    if (!o.opt.json)
        fmt::print("found: {}\ntimeline: {}\n\n", loc.found(), displayPath(located->timeline));
    return cmdFind(located->timeline, keyAt, o.opt);
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
    addStripeSizeOption(cmd,
                        o->opt.stripePages,
                        "stripe in 8 KiB pages for the owning shard (default: the tenant "
                        "manifest's)");
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
