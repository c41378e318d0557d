// layerctl: the command-line twin of Layerscope. Links layerscope_core and Debian-packaged
// libraries only (CLI11, nlohmann-json, OpenSSL), never Qt. Each command family lives in its
// own file and registers its subcommands here.
#include "cli.h"
#include "redact.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>

using namespace layerscope::cli;

int main(int argc, char **argv)
{
    CLI::App app{"Inspect, check, salvage and edit the layer files of Neon's pageserver.",
                 "layerctl"};
    app.set_version_flag("-V,--version", std::string("layerctl ") + LAYERSCOPE_VERSION);
    app.require_subcommand(1, 1);
    app.footer("Exit status: 0 ok, 1 a content problem in a layer, 2 usage or I/O error.\n"
               "Run 'layerctl COMMAND --help' for a command's options and an example.");

    std::string cacheText;
    app.add_option("--cache-size",
                   cacheText,
                   "resident bytes of each remote object (K, M, G; default 256M)")
        ->check(sizeValidator())
        ->option_text("SIZE");
    CommandRun run;
    addLayerCommands(app, run);
    addDiffCommand(app, run);
    addTimelineCommands(app, run);
    addStatsCommand(app, run);
    addDissectCommand(app, run);
    addWriteCommands(app, run);
    addCheckCommands(app, run);
    addSalvageCommand(app, run);
    addEditCommand(app, run);
    addPageCommand(app, run);
    addKeyCommand(app, run);
    addLocateCommand(app, run);
    addRedactFlags(app);

    // Positionals are named by what they are (FILE, DIR...), not by their C++ type.
    for (CLI::App *cmd : app.get_subcommands({}))
        for (CLI::Option *o : cmd->get_options())
            if (o->get_positional())
                o->type_name("");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        // Name the command whose arguments were wrong, and say it in one line.
        const auto used = app.get_subcommands();
        const std::string who = used.empty() ? "layerctl" : "layerctl " + used.front()->get_name();
        std::string why = e.what();
        if (dynamic_cast<const CLI::ExtrasError *>(&e)) {
            const auto colon = why.find(": ");
            const std::string extra = colon == std::string::npos ? why : why.substr(colon + 2);
            why = (extra.rfind("-", 0) == 0 ? "unknown option " : "unexpected argument ") + extra;
        } else if (used.empty() && argc > 1 && argv[1][0] != '-') {
            why = fmt::format("unknown command {}", argv[1]);
        } else if (used.empty()) {
            why = "no command given";
        }
        std::fprintf(stderr, "%s: %s (see '%s --help')\n", who.c_str(), why.c_str(), who.c_str());
        return ExitUsage;
    }
    if (!cacheText.empty())
        remoteOptions().cacheBytes = std::max<std::uint64_t>(*parseSize(cacheText), 1 << 20);
    return finishRemote(run ? run() : int(ExitUsage));
}
