// `salvage`: a new layer from every entry of a damaged one that can be trusted.

#include "cli.h"
#include "problemreport.h"

#include <layerscope/check/salvage.h>
#include <layerscope/check/validate.h>
#include <layerscope/format/layer_name.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace layerscope::cli {

namespace {

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
            printLine(fmt::format("{}:{}: dropped: {}", in, n.offset, n.what));
        for (const SalvageNote &n : r.repairs)
            printLine(fmt::format("{}:{}: repaired: {}", in, n.offset, n.what));
        printLine(
            fmt::format("{}: kept {} of {} entries ({} leaves found), dropped {}, repaired {}, "
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
                    printLine(problemLine(out, p));
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

void addSalvageCommand(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string in, out;
    };
    auto st = std::make_shared<State>();
    auto *salvage = app.add_subcommand("salvage",
                                       "write a new layer from every entry that can be trusted");
    salvage->add_option("IN", st->in, "damaged layer file")->required();
    salvage->add_option("OUT", st->out, "new layer file, or a directory to get the canonical name")
        ->required();
    addQuiet(salvage, st->opt);
    salvage->footer(fmt::format(
        "Exit status: 0 nothing was dropped or repaired, 1 something was, 2 nothing written.\n"
        "Example:\n  layerctl salvage {} /tmp/salvaged/",
        kExampleLayer));
    salvage->callback([st, &run] { run = [st] { return cmdSalvage(st->in, st->out, st->opt); }; });
}

} // namespace layerscope::cli
