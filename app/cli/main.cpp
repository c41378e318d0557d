// layerctl: the command-line twin of Layerscope. Links layerscope_core and Debian-packaged
// libraries only (CLI11, nlohmann-json, OpenSSL), never Qt.
#include "commands.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <limits>
#include <string>

using namespace layerscope::cli;

namespace {

constexpr const char *kExampleLayer
    = "000000067F00000005000040000000000000-030000000000000000000000000000000003__0000000005000010-"
      "0000000005000050";

/// "64K", "1G", "1000": bytes, with K/M/G (1024-based) suffixes; nullopt on garbage or overflow.
std::optional<std::uint64_t> parseSize(std::string text)
{
    if (text.empty())
        return std::nullopt;
    std::uint64_t mult = 1;
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
    case 'K': mult = 1ull << 10; break;
    case 'M': mult = 1ull << 20; break;
    case 'G': mult = 1ull << 30; break;
    default: break;
    }
    if (mult != 1)
        text.pop_back();
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text)
        if (__builtin_mul_overflow(v, 10u, &v)
            || __builtin_add_overflow(v, std::uint64_t(c - '0'), &v))
            return std::nullopt;
    if (__builtin_mul_overflow(v, mult, &v))
        return std::nullopt;
    return v;
}

/// A CLI11 validator for sizes (the value itself is parsed again by the caller).
CLI::Validator sizeValidator()
{
    return CLI::Validator(
        [](std::string &s) {
            return parseSize(s)
                       ? std::string()
                       : "expected a number of bytes with an optional K, M or G suffix, below 2^64";
        },
        "SIZE");
}

void addQuiet(CLI::App *cmd, Options &opt)
{
    cmd->add_flag("-q,--quiet", opt.quiet, "print nothing but errors (the exit status tells)");
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"Inspect, check, salvage and edit the layer files of Neon's pageserver.",
                 "layerctl"};
    app.set_version_flag("-V,--version", std::string("layerctl ") + LAYERSCOPE_VERSION);
    app.require_subcommand(1, 1);
    app.footer("Exit status: 0 ok, 1 a content problem in a layer, 2 usage or I/O error.\n"
               "Run 'layerctl COMMAND --help' for a command's options and an example.");
    Options opt;
    std::string file, file2, key, lsn, sizeText, entriesText, valueSizeText, maxText;
    std::vector<std::string> files;

    auto *summary = app.add_subcommand("summary", "the summary block and the index shape");
    summary->add_option("FILE", file, "layer file")->required();
    summary->add_flag("--json",
                      opt.json,
                      "one JSON object: the fields of the fixtures' .expect.jsonl first line");
    summary->footer(fmt::format("Example:\n  layerctl summary --json {}", kExampleLayer));

    auto *keys = app.add_subcommand("keys", "index entries, in index order");
    keys->add_option("FILE", file, "layer file")->required();
    keys->add_option("--from", opt.from, "start at this key: KEY (36 hex digits) or KEY@LSN")
        ->option_text("KEY[@LSN]");
    keys->add_option("--limit", opt.limit, "print at most N entries")
        ->check(CLI::NonNegativeNumber)
        ->option_text("N");
    keys->add_flag("--json", opt.json, "one JSON object per entry");
    keys->footer(fmt::format(
        "Example:\n  layerctl keys --from 000000067F00000005000040000000000001@0/5000018 "
        "--limit 3 {}",
        kExampleLayer));

    auto *tree = app.add_subcommand("tree", "every B-tree node of the index");
    tree->add_option("FILE", file, "layer file")->required();
    auto *neon = tree->add_flag("--neon",
                                opt.neon,
                                "exactly what Neon's DiskBtreeReader::dump prints");
    tree->add_flag("--json", opt.json, "one JSON object per node")->excludes(neon);
    tree->footer(fmt::format("Example:\n  layerctl tree --neon {}", kExampleLayer));

    auto *diff = app.add_subcommand(
        "diff", "compare two layers: summary fields, then entries by key (and LSN)");
    diff->add_option("A", file, "first layer")->required();
    diff->add_option("B", file2, "second layer")->required();
    diff->add_option("--limit", opt.limit, "list at most N differences (all are counted)")
        ->check(CLI::NonNegativeNumber)
        ->option_text("N");
    auto *diffJson = diff->add_flag(
        "--json",
        opt.json,
        "one JSON object per difference, then one per summary field, then a total");
    diff->add_flag("--csv",
                   opt.csvOut,
                   "CSV: a header, one row per difference, then one per summary field")
        ->excludes(diffJson);
    diff->footer(fmt::format(
        "Values are compared by content (decompressed payload, and will_init for deltas): a page\n"
        "stored plainly and the same page stored with zstd are equal. An image against a delta\n"
        "compares keys only.\n"
        "Exit status: 0 same content, 1 differences, 2 error.\n"
        "Example:\n  layerctl diff {} rewritten.layer",
        kExampleLayer));

    auto *ls = app.add_subcommand(
        "ls", "the layers of a timeline directory, summaries checked against names");
    ls->add_option("PATH", file, "timeline directory, or an index_part.json")->required();
    ls->add_option("--index", opt.index, "an index_part.json to cross-check the directory with")
        ->type_name("FILE");
    ls->add_flag("--json", opt.json, "one JSON object per file, then a total");
    ls->footer("Exit status: 0 every summary agrees with its name, 1 one is unreadable or "
               "disagrees, 2 I/O.");
    auto *find = app.add_subcommand(
        "find", "Neon's read path for KEY@LSN over a timeline directory, with its chain");
    find->add_option("PATH", file, "timeline directory, or an index_part.json (layer order only)")
        ->required();
    find->add_option("KEY@LSN",
                     key,
                     "KEY (36 hex digits, or as layerctl prints it: \"rel 1663/16384/2619 blk 7\", "
                     "\"slru clog seg "
                     "0 blk 3\", ...) @ LSN (X/Y or 16 hex digits)")
        ->required();
    find->add_flag("--json", opt.json, "one JSON object");
    find->add_option("--page", opt.page, "write the page Neon's own records reconstruct to FILE")
        ->type_name("FILE");
    find->add_option("--index",
                     opt.index,
                     "an index_part.json whose layers are merged with the directory's")
        ->type_name("FILE");
    find->footer("Exit status: 0 the chain reaches an image or will_init record, 1 it is broken "
                 "(\"could not find\n"
                 "data for key\"), a value in it cannot be read, Neon would fail applying a "
                 "record, or --page has\n"
                 "no page to write; 2 usage or I/O error.");
    auto *map = app.add_subcommand(
        "map", "the layer map of a timeline (directory or index_part.json) as SVG");
    map->add_option("PATH", file, "timeline directory, or an index_part.json")->required();
    map->add_option("--svg", opt.svg, "the SVG file to write")->required()->type_name("OUT");
    map->add_option("--index",
                    opt.index,
                    "an index_part.json whose layers are merged with the directory's")
        ->type_name("FILE");
    auto *stats = app.add_subcommand(
        "stats", "where the bytes go: key categories, relations, blob sizes, compression, index");
    stats->add_option("PATH", file, "layer file, or a directory of layers")->required();
    stats->add_flag("--json",
                    opt.json,
                    "one JSON object (per layer for a directory, then the total)");
    stats
        ->add_option("--csv",
                     opt.csv,
                     "also write every table as DIR/<table>.csv (a directory adds layers.csv)")
        ->type_name("DIR");
    stats->footer(fmt::format("Exit status: 1 when a layer cannot be read in full.\n"
                              "Example:\n  layerctl stats {}",
                              kExampleLayer));

    DissectSelection sel;
    std::string nodeText, entryText, offsetText;
    auto *dissect = app.add_subcommand("dissect",
                                       "one part of the file as a tree of fields with their bytes");
    dissect->add_option("FILE", file, "layer file (damaged ones too)")->required();
    auto *selSummary = dissect->add_flag("--summary", sel.summary, "the summary block");
    auto *selNode = dissect
                        ->add_option("--node",
                                     nodeText,
                                     "the index node at BLOCK (relative to index_start_blk)")
                        ->option_text("BLOCK");
    auto *selEntry = dissect
                         ->add_option("--entry",
                                      entryText,
                                      "leaf entry N (0-based, in key order): key, "
                                      "value pointer, blob, decoded value")
                         ->option_text("N");
    auto *selOffset = dissect
                          ->add_option("--offset",
                                       offsetText,
                                       "the part holding byte BYTE (decimal or 0x hex)")
                          ->option_text("BYTE");
    selSummary->excludes(selNode, selEntry, selOffset);
    selNode->excludes(selEntry, selOffset);
    selEntry->excludes(selOffset);
    dissect->add_flag("--problems",
                      sel.problems,
                      "validate the file and show each problem at its fields");
    dissect->add_flag("--json",
                      opt.json,
                      "one JSON object: {name, offset, length, value, children[]}");
    dissect->footer(fmt::format("Exit status: 1 when a field cannot be read (it says why).\n"
                                "Example:\n  layerctl dissect --node 0 {}",
                                kExampleLayer));

    auto *blob = app.add_subcommand("blob", "one entry's blob: header, hex dump and decoded value");
    blob->add_option("FILE", file, "layer file")->required();
    blob->add_option("KEY",
                     key,
                     "KEY (36 hex digits) or KEY@LSN; a delta key alone means its newest entry")
        ->required();
    blob->add_option("LSN", lsn, "the LSN as a separate argument (alias of KEY@LSN)");
    blob->add_flag("--json", opt.json, "one JSON object");
    blob->footer(
        fmt::format("Example:\n  layerctl blob {} 000000067F00000005000040000000000001@0/5000028",
                    kExampleLayer));

    auto *dump = app.add_subcommand("dump",
                                    "everything: summary, B-tree, entries with decoded values");
    dump->add_option("FILE", file, "layer file")->required();
    auto *dumpJson = dump->add_flag("--json", opt.json, "same as --format json");
    dump->add_option("--format",
                     opt.format,
                     "text; json (the fixtures' .expect.jsonl form); pagectl (what 'pagectl layer "
                     "dump-layer' "
                     "prints)")
        ->check(CLI::IsMember({"text", "json", "pagectl"}))
        ->excludes(dumpJson)
        ->option_text("text|json|pagectl");
    dump->footer(fmt::format("Example:\n  layerctl dump --format pagectl {}", kExampleLayer));

    auto *rewrite = app.add_subcommand("rewrite",
                                       "re-encode every entry through the writer into a new file");
    rewrite->add_option("IN", file, "layer file")->required();
    rewrite->add_option("OUT", file2, "new layer file")->required();
    rewrite
        ->add_option(
            "--compression",
            opt.compression,
            "none or zstd (default: copy every blob verbatim: byte-identical for Neon's files)")
        ->check(CLI::IsMember({"none", "zstd"}))
        ->option_text("none|zstd");
    addQuiet(rewrite, opt);
    rewrite->footer(
        fmt::format("Example:\n  layerctl rewrite --compression zstd {} /tmp/copy", kExampleLayer));

    auto *demo = app.add_subcommand("demo", "write a small realistic set of image and delta layers");
    demo->add_option("DIR", file, "directory (created if missing)")->required();
    demo->footer("Example:\n  layerctl demo /tmp/layers");

    auto *synth = app.add_subcommand("synth", "write one large realistic layer (benchmarks, tests)");
    synth->add_option("OUT", file, "file, or a directory to get the canonical layer name")
        ->required();
    synth->add_option("--kind", opt.kind, "image or delta")
        ->required()
        ->check(CLI::IsMember({"image", "delta"}))
        ->option_text("image|delta REQUIRED");
    auto *size = synth->add_option("--size", sizeText, "target size: bytes with K, M or G")
                     ->check(sizeValidator())
                     ->option_text("SIZE");
    auto *entries = synth->add_option("--entries", entriesText, "number of entries")
                        ->check(sizeValidator())
                        ->option_text("N");
    size->excludes(entries);
    synth
        ->add_option("--value-size",
                     valueSizeText,
                     "image payload or average WAL record size, bytes")
        ->check(sizeValidator())
        ->option_text("SIZE");
    synth->add_option("--compression", opt.compression, "none or zstd")
        ->check(CLI::IsMember({"none", "zstd"}))
        ->option_text("none|zstd");
    synth->footer("Example:\n  layerctl synth --kind delta --size 1G /tmp/big/");

    auto *check = app.add_subcommand("check",
                                     "validate every invariant; list each problem with its offset");
    check
        ->add_option(
            "FILE",
            files,
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
                     maxText,
                     "list at most N problems (counts stay exact; default 100000)")
        ->check(sizeValidator())
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
    addQuiet(check, opt);
    check->footer(fmt::format(
        "Exit status: 0 clean (info allowed), 1 errors or warnings, 2 a file cannot be read.\n"
        "Example:\n  layerctl check --evidence /tmp/evidence {}",
        kExampleLayer));

    auto *salvage = app.add_subcommand("salvage",
                                       "write a new layer from every entry that can be trusted");
    salvage->add_option("IN", file, "damaged layer file")->required();
    salvage->add_option("OUT", file2, "new layer file, or a directory to get the canonical name")
        ->required();
    addQuiet(salvage, opt);
    salvage->footer(fmt::format(
        "Exit status: 0 nothing was dropped or repaired, 1 something was, 2 nothing written.\n"
        "Example:\n  layerctl salvage {} /tmp/salvaged/",
        kExampleLayer));

    auto *edit = app.add_subcommand("rewrite-summary",
                                    "edit the summary safely (backups: FILE.orig, FILE.bak.1..5)");
    edit->add_option("FILE", file, "layer file (a symlink is followed)")->required();
    edit->add_option("--tenant-id,--new-tenant-id", opt.tenant, "new tenant id (32 hex digits)")
        ->option_text("ID");
    edit->add_option("--timeline-id,--new-timeline-id",
                     opt.timeline,
                     "new timeline id (32 hex digits)")
        ->option_text("ID");
    edit->add_option("--key-start", opt.keyStart, "new key range start (36 hex digits)")
        ->option_text("KEY");
    edit->add_option("--key-end", opt.keyEnd, "new key range end (36 hex digits)")
        ->option_text("KEY");
    edit->add_option("--lsn", opt.lsn, "new image LSN (X/Y or 16 hex digits)")->option_text("LSN");
    edit->add_option("--lsn-start", opt.lsnStart, "new delta LSN range start")->option_text("LSN");
    edit->add_option("--lsn-end", opt.lsnEnd, "new delta LSN range end")->option_text("LSN");
    edit->add_flag("--in-place",
                   opt.inPlace,
                   "rewrite block 0 in place (old block saved to FILE.block0.bak first)");
    edit->add_flag("--no-backup", opt.noBackup, "keep no FILE.orig / FILE.bak.N");
    edit->add_option("--keep-backups",
                     opt.keepBackups,
                     "keep FILE.bak.1 … FILE.bak.N, newest first (default 5; "
                     "FILE.orig is always kept)")
        ->check(CLI::Range(0, 100))
        ->option_text("N");
    edit->add_flag("--dry-run", opt.dryRun, "print the bytes that would change, write nothing");
    edit->add_flag("--force",
                   opt.force,
                   "write even when Neon could no longer read every entry, or the file is "
                   "read-only");
    addQuiet(edit, opt);
    edit->footer(fmt::format(
        "Example:\n  layerctl rewrite-summary --new-tenant-id 11111111111111111111111111111111 "
        "--dry-run {}",
        kExampleLayer));

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

    if (!sizeText.empty())
        opt.size = *parseSize(sizeText);
    if (!entriesText.empty())
        opt.entries = *parseSize(entriesText);
    if (!maxText.empty()) {
        opt.maxProblems = *parseSize(maxText);
        if (opt.maxProblems == 0) {
            std::fprintf(stderr, "layerctl check: --max-problems needs a positive number\n");
            return ExitUsage;
        }
    }
    if (!valueSizeText.empty()) {
        const std::uint64_t v = *parseSize(valueSizeText);
        if (v == 0 || v > 0x0FFFFFFF) {
            std::fprintf(
                stderr, "layerctl synth: --value-size needs a number of bytes from 1 to 256M - 1\n");
            return ExitUsage;
        }
        opt.valueSize = std::uint32_t(v);
    }

    if (summary->parsed())
        return cmdSummary(file, opt);
    if (keys->parsed())
        return cmdKeys(file, opt);
    if (tree->parsed())
        return cmdTree(file, opt);
    if (blob->parsed())
        return cmdBlob(file, key, lsn, opt);
    if (stats->parsed())
        return cmdStats(file, opt);
    if (ls->parsed())
        return cmdLs(file, opt);
    if (map->parsed())
        return cmdMap(file, opt);
    if (find->parsed())
        return cmdFind(file, key, opt);
    if (diff->parsed())
        return cmdDiff(file, file2, opt);
    if (dissect->parsed()) {
        auto number =
            [&](const std::string &text, const char *what, std::optional<std::uint64_t> &out) {
                if (text.empty())
                    return true;
                try {
                    std::size_t used = 0;
                    const bool hex = text.size() > 2 && text[0] == '0'
                                     && (text[1] == 'x' || text[1] == 'X');
                    const std::uint64_t v = std::stoull(hex ? text.substr(2) : text,
                                                        &used,
                                                        hex ? 16 : 10);
                    used += hex ? 2 : 0;
                    if (used == text.size() && text[0] != '-') {
                        out = v;
                        return true;
                    }
                } catch (const std::exception &) {
                }
                std::fprintf(
                    stderr,
                    "layerctl dissect: %s: expected a number (decimal or 0x hex), found \"%s\"\n",
                    what,
                    text.c_str());
                return false;
            };
        if (!number(nodeText, "--node", sel.node) || !number(entryText, "--entry", sel.entry)
            || !number(offsetText, "--offset", sel.offset))
            return ExitUsage;
        if (!sel.summary && !sel.node && !sel.entry && !sel.offset) {
            std::fprintf(stderr,
                         "layerctl dissect: give one of --summary, --node BLOCK, --entry N, "
                         "--offset BYTE\n");
            return ExitUsage;
        }
        if (sel.node && *sel.node > 0xFFFFFFFFull) {
            std::fprintf(stderr, "layerctl dissect: --node: a block number below 2^32\n");
            return ExitUsage;
        }
        return cmdDissect(file, sel, opt);
    }
    if (dump->parsed())
        return cmdDump(file, opt);
    if (rewrite->parsed())
        return cmdRewrite(file, file2, opt);
    if (demo->parsed())
        return cmdDemo(file, opt);
    if (synth->parsed()) {
        if (!opt.size && !opt.entries) {
            std::fprintf(
                stderr, "layerctl synth: give --size or --entries (see 'layerctl synth --help')\n");
            return ExitUsage;
        }
        return cmdSynth(file, opt);
    }
    if (check->parsed())
        return cmdCheck(files, opt);
    if (salvage->parsed())
        return cmdSalvage(file, file2, opt);
    if (edit->parsed())
        return cmdRewriteSummary(file, opt);
    return ExitUsage;
}
