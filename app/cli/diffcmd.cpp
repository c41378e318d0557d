// layerctl diff: two layers compared by summary field and by entry (core/diff.h).

#include "cli.h"
#include "json.h"

#include <layerscope/report/diff.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

namespace layerscope::cli {

namespace {

std::string where(const Layer &layer, const Entry &e)
{
    return layer.kind() == LayerKind::Delta ? fmt::format("{} @{}", e.key.describe(), e.lsn.toString())
                                            : e.key.describe();
}

Json differenceJson(const Layer &a, const Layer &b, const EntryDifference &d)
{
    const Entry &e = d.a ? *d.a : *d.b;
    const Layer &layer = d.a ? a : b;
    Json j{{"kind", differenceKindName(d.kind)}, {"key", e.key.toHex()}};
    if (layer.kind() == LayerKind::Delta)
        j["lsn"] = e.lsn.toString();
    j["describe"] = e.key.describe();
    if (d.a)
        j["a_blob_offset"] = d.a->blobOffset;
    if (d.b)
        j["b_blob_offset"] = d.b->blobOffset;
    if (!d.detail.empty())
        j["detail"] = d.detail;
    return j;
}

} // namespace

namespace {

int cmdDiff(const std::string &fileA, const std::string &fileB, const Options &opt)
{
    std::optional<Layer> a, b;
    if (openLayer(fileA, a, true) != ExitOk || openLayer(fileB, b, true) != ExitOk)
        return ExitUsage;
    std::int64_t listed = 0;
    char failed = 0;
    const bool delta = a->kind() == LayerKind::Delta || b->kind() == LayerKind::Delta;
    if (opt.csvOut) {
        std::vector<TableCell> header;
        for (const std::string &c : differenceColumns())
            header.push_back(textCell(c));
        fmt::print("{}", csvLine(header));
    }
    auto report = diffLayers(*a, *b, [&](const EntryDifference &d) {
        if (opt.limit >= 0 && listed >= opt.limit)
            return false;
        ++listed;
        if (opt.json) {
            printJson(differenceJson(*a, *b, d));
            return true;
        }
        if (opt.csvOut) {
            fmt::print("{}", csvLine(differenceCells(d, delta)));
            return true;
        }
        switch (d.kind) {
        case EntryDifference::Kind::OnlyInA:
            fmt::print("- {}  only in A (blob at 0x{:x})\n", where(*a, *d.a), d.a->blobOffset);
            break;
        case EntryDifference::Kind::OnlyInB:
            fmt::print("+ {}  only in B (blob at 0x{:x})\n", where(*b, *d.b), d.b->blobOffset);
            break;
        case EntryDifference::Kind::Changed:
            fmt::print("~ {}  {} (A blob at 0x{:x}, B blob at 0x{:x})\n", where(*a, *d.a), d.detail,
                       d.a->blobOffset, d.b->blobOffset);
            break;
        }
        return true;
    }, {}, &failed);
    if (!report) {
        reportError(failed == 'B' ? fileB : fileA, report.error());
        return ExitUsage;
    }
    if (opt.csvOut) {
        // Summary fields as rows of their own kind: the field in "Key described", A → B in "Detail".
        for (const auto &[kind, list] : {std::pair{"summary", &report->summary}, std::pair{"layout", &report->layout}})
            for (const SummaryDifference &s : *list)
                fmt::print("{}", csvLine({textCell(kind), textCell(""), textCell(""), textCell(s.field), textCell(""),
                                          textCell(""), textCell(s.a + " → " + s.b)}));
    } else if (opt.json) {
        for (const SummaryDifference &s : report->summary)
            printJson(Json{{"kind", "summary"}, {"field", s.field}, {"a", s.a}, {"b", s.b}});
        for (const SummaryDifference &s : report->layout)
            printJson(Json{{"kind", "layout"}, {"field", s.field}, {"a", s.a}, {"b", s.b}});
        printJson(Json{{"kind", "total"},
                       {"same", report->same()},
                       {"keys_only", report->keysOnly},
                       {"summary_fields", report->summary.size()},
                       {"only_in_a", report->onlyInA},
                       {"only_in_b", report->onlyInB},
                       {"changed", report->changed},
                       {"equal", report->equal}});
    } else {
        for (const SummaryDifference &s : report->summary)
            fmt::print("summary {}: {}  →  {}\n", s.field, s.a, s.b);
        for (const SummaryDifference &s : report->layout)
            fmt::print("layout {}: {}  →  {} (where the index lies; not a difference in content)\n", s.field, s.a, s.b);
        fmt::print("{}: {} summary field(s) differ; entries: {} only in A, {} only in B, {} changed, {} equal{}\n",
                   report->same() ? "same content" : "different", report->summary.size(), report->onlyInA,
                   report->onlyInB, report->changed, report->equal,
                   report->keysOnly ? " (an image against a delta: keys compared, not values)" : "");
    }
    return report->same() ? ExitOk : ExitProblem;
}

} // namespace

void addDiffCommand(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string a, b;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;
    auto *diff = app.add_subcommand(
        "diff", "compare two layers: summary fields, then entries by key (and LSN)");
    diff->add_option("A", st->a, "first layer")->required();
    diff->add_option("B", st->b, "second layer")->required();
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
    diff->callback([st, &run] { run = [st] { return cmdDiff(st->a, st->b, st->opt); }; });
}

} // namespace layerscope::cli
