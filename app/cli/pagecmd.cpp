// layerctl page: the page of KEY@LSN rebuilt offline from a timeline's layers: Neon's read
// path, then every record of the chain replayed on its base (Postgres records as Postgres's redo
// routines apply them), and the page's fields; with --history each record and the bytes it
// changed.
#include "cli.h"
#include "json.h"
#include "redact.h"

#include <layerscope/dissect/dissect.h>
#include <layerscope/timeline/redo.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace layerscope::cli {

namespace {

const char *actionName(RedoStep::Action a)
{
    switch (a) {
    case RedoStep::Action::Base: return "base";
    case RedoStep::Action::Applied: return "applied";
    case RedoStep::Action::Restored: return "image restored";
    case RedoStep::Action::Skipped: return "skipped (page LSN at or past it)";
    }
    return "?";
}

std::string rangesText(const std::vector<std::pair<std::uint32_t, std::uint32_t>> &ranges)
{
    if (ranges.empty())
        return "no bytes changed";
    std::string out;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        total += ranges[i].second - ranges[i].first;
        if (i < 6)
            out += fmt::format("{}{}..{}", i ? ", " : "", ranges[i].first, ranges[i].second);
    }
    if (ranges.size() > 6)
        out += fmt::format(", +{} more", ranges.size() - 6);
    return fmt::format("{} bytes: {}", total, out);
}

int cmdPage(const std::string &path, const std::string &keyAt, const Options &opt)
{
    if (refusedUnderRedact("page", "--out", opt.out, "the page's bytes"))
        return ExitUsage;
    const auto request = parseKeyAt(keyAt);
    if (!request) {
        std::fprintf(stderr,
                     "layerctl page: cannot parse \"%s\": expected %s\n",
                     keyAt.c_str(),
                     kKeyAtSyntax);
        return ExitUsage;
    }
    const auto &[key, lsn] = *request;
    auto t = openTimeline(path, opt.index);
    if (!t)
        return ExitUsage;
    const ReadPath readPath = findReadPath(*t, key, lsn);
    if (!readPath.complete) {
        std::fprintf(stderr,
                     "layerctl page: %s at %s: the read path is broken: %s\n",
                     key.toHex().c_str(),
                     lsn.toString().c_str(),
                     readPath.why.c_str());
        return ExitProblem;
    }
    auto chain = readChain(*t, readPath);
    if (!chain) {
        std::fprintf(stderr,
                     "layerctl page: %s at %s: the chain cannot be read: %s\n",
                     key.toHex().c_str(),
                     lsn.toString().c_str(),
                     chain.error().message().c_str());
        return ExitProblem;
    }
    std::string versionSource;
    const int version = replayVersion(opt, *t, &versionSource);
    const Redo redo = redoChain(key, *chain, {opt.history, false, version});
    const bool ok = redo.outcome == Redo::Outcome::Reconstructed;
    const Field page = dissectPgPage(redo.page);
    const auto layerOf = [&](std::size_t step) {
        return t->layers[(*chain)[redo.steps[step].index].layer].fileName;
    };
    if (opt.json) {
        static constexpr const char *kOutcome[] = {"reconstructed", "failed", "no_base"};
        Json j{{"key", key.toHex()},
               {"key_text", key.describe()},
               {"lsn", lsn.toString()},
               {"pg_version", version},
               {"pg_version_from", versionSource},
               {"outcome", kOutcome[int(redo.outcome)]},
               {"message", redo.message},
               {"chain_length", chain->size()},
               {"applied", redo.applied},
               {"postgres_records", redo.postgres}};
        if (!ok)
            j["failed_at_lsn"] = (*chain)[redo.failedAt].lsn.toString();
        if (!redo.page.empty())
            j["page"] = fieldJson(page);
        if (opt.history) {
            Json steps = Json::array();
            for (std::size_t i = 0; i < redo.steps.size(); ++i) {
                const RedoStep &s = redo.steps[i];
                Json changed = Json::array();
                for (const auto &[a, b] : s.changed)
                    changed.push_back(Json::array({a, b}));
                steps.push_back(Json{{"lsn", s.lsn.toString()},
                                     {"kind", s.kind},
                                     {"action", actionName(s.action)},
                                     {"layer", layerOf(i)},
                                     {"changed", changed}});
            }
            j["history"] = std::move(steps);
        }
        printJson(j);
    } else {
        fmt::print("{} ({}) at {}: {}\n", key.toHex(), key.describe(), lsn.toString(), redo.message);
        fmt::print("Postgres version: {}\n",
                   version ? fmt::format("{} ({})", version, versionSource)
                           : std::string("unknown (no --pg-version, no index_part.json with "
                                         "pg_version): records whose format differs between "
                                         "versions are not replayed"));
        if (opt.history) {
            fmt::print("history, oldest first ({} value(s)):\n", redo.steps.size());
            for (std::size_t i = 0; i < redo.steps.size(); ++i) {
                const RedoStep &s = redo.steps[i];
                fmt::print("  {:>14}  {:<24} {:<8} {}\n",
                           s.lsn.toString(),
                           s.kind,
                           actionName(s.action),
                           rangesText(s.changed));
            }
            if (!ok)
                fmt::print("  {:>14}  stops here\n", (*chain)[redo.failedAt].lsn.toString());
        }
        if (!redo.page.empty()) {
            if (!ok)
                fmt::print("the page before the record that cannot be applied:\n");
            printField(page, 0);
        }
    }
    if (!ok)
        std::fprintf(stderr, "layerctl page: %s\n", redo.message.c_str());
    if (!opt.out.empty()) {
        if (!ok) {
            std::fprintf(stderr, "layerctl page: no page written to %s\n", opt.out.c_str());
            return ExitProblem;
        }
        if (!writeText(opt.out, std::string(redo.page.begin(), redo.page.end()))) {
            reportError(opt.out, std::strerror(errno));
            return ExitUsage;
        }
    }
    return ok ? ExitOk : ExitProblem;
}

} // namespace

void addPageCommand(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string path, key;
    };
    auto st = std::make_shared<State>();
    auto *page = app.add_subcommand(
        "page", "the page of KEY@LSN rebuilt offline: the read path, every record replayed");
    page->add_option("PATH",
                     st->path,
                     "timeline directory, index_part.json, or s3:// prefix of a timeline")
        ->required();
    page->add_option("KEY@LSN",
                     st->key,
                     "KEY (36 hex digits, or \"rel 1663/5/16396 blk 0\") @ LSN (X/Y or 16 hex "
                     "digits)")
        ->required();
    page->add_flag(
        "--history",
        st->opt.history,
        "every value of the chain, oldest first: its LSN, kind and the bytes it changed");
    page->add_option("--out", st->opt.out, "write the page's 8192 bytes to FILE")->type_name("FILE");
    page->add_flag("--json", st->opt.json, "one JSON object: the page's fields, the history");
    page->add_option(
            "--pg-version",
            st->opt.pgVersion,
            "the Postgres major version that wrote the records, 14 to 17 (default: the index's "
            "pg_version)")
        ->check(CLI::Range(14, 17));
    page->add_option("--index",
                     st->opt.index,
                     "an index_part.json whose layers are merged with the directory's")
        ->type_name("FILE");
    page->footer("Exit status: 0 the page is rebuilt, 1 the read path is broken or a record "
                 "cannot be applied\n(the record, its rmgr and info and its LSN are named), 2 "
                 "usage or I/O error.\nExample: layerctl page TIMELINE_DIR 'rel 1663/5/16396 blk "
                 "0@0/27F53E8' --history");
    page->callback([st, &run] { run = [st] { return cmdPage(st->path, st->key, st->opt); }; });
}

} // namespace layerscope::cli
