// layerctl dissect: one part of a layer as a field tree (core/dissect.h), in text or JSON.

#include "cli.h"
#include "json.h"
#include "redact.h"

#include <layerscope/check/validate.h>
#include <layerscope/dissect/dissect.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include <cstdio>
#include <filesystem>

namespace layerscope::cli {

namespace {

/// The value a report shows: a content field's is its size under --redact.
std::string shownValue(const Field &f)
{
    return f.content && redacting() ? fmt::format("[redacted: {} bytes]", f.length) : f.value;
}

} // namespace

Json fieldJson(const Field &f)
{
    Json j{{"name", f.name}, {"offset", f.offset}, {"length", f.length}, {"value", shownValue(f)}};
    if (!f.detail.empty())
        j["detail"] = f.detail;
    if (!f.error.empty())
        j["error"] = f.error;
    if (f.decompressed)
        j["decompressed"] = true;
    if (!f.problems.empty())
        j["problems"] = f.problems;
    Json children = Json::array();
    for (const Field &c : f.children)
        children.push_back(fieldJson(c));
    j["children"] = std::move(children);
    return j;
}

void printField(const Field &f, int depth)
{
    const std::string pad(std::size_t(depth) * 2, ' ');
    const std::string where = f.decompressed ? fmt::format("[+{} in the decompressed payload, {} B]", f.offset, f.length)
                                             : fmt::format("[0x{:x} ({}), {} B]", f.offset, f.offset, f.length);
    const std::string value = shownValue(f);
    fmt::print("{}{}{}{}{}  {}\n",
               pad,
               f.name,
               value.empty() ? "" : ": ",
               value,
               f.detail.empty() ? "" : fmt::format(" ({})", f.detail),
               where);
    if (!f.error.empty())
        fmt::print("{}  ! {}\n", pad, f.error);
    for (const std::string &p : f.problems)
        fmt::print("{}  > {}\n", pad, p);
    for (const Field &c : f.children)
        printField(c, depth + 1);
}

namespace {

bool anyError(const Field &f)
{
    if (!f.error.empty())
        return true;
    for (const Field &c : f.children)
        if (anyError(c))
            return true;
    return false;
}

} // namespace

namespace {

/// dissect: which part of the file (exactly one of summary, node, entry, offset).
struct DissectSelection
{
    bool summary = false;
    std::optional<std::uint64_t> node, entry, offset;
    bool problems = false; ///< validate and attach the problems to the fields
};

/// Decimal or 0x hex, unsigned, the whole text; nullopt otherwise.
std::optional<std::uint64_t> parseNumber(const std::string &text)
{
    try {
        std::size_t used = 0;
        const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
        const std::uint64_t v = std::stoull(hex ? text.substr(2) : text, &used, hex ? 16 : 10);
        used += hex ? 2 : 0;
        if (used == text.size() && text[0] != '-')
            return v;
    } catch (const std::exception &) {
    }
    return std::nullopt;
}

int cmdDissect(const std::string &file, const DissectSelection &what, const Options &opt)
{
    auto mapped = openSource(file, what.problems);
    if (!mapped) {
        reportError(displayPath(file), mapped.error());
        return ExitUsage;
    }
    const ByteSource &src = **mapped;
    // A damaged summary still leaves the file name to say which kind of layer this is.
    std::optional<LayerKind> hint;
    if (auto name = LayerName::parse(std::filesystem::path(file).filename().string()))
        hint = name->kind;
    const DissectContext ctx = DissectContext::of(src.bytes(), hint);
    Result<Field> field = makeError(0, "a part of the file to dissect", "none");
    if (what.summary)
        field = dissectSummary(ctx);
    else if (what.node)
        field = dissectNode(ctx, std::uint32_t(*what.node));
    else if (what.entry)
        field = dissectEntry(ctx, *what.entry);
    else if (what.offset)
        field = dissectOffset(ctx, *what.offset);
    if (!field) {
        reportError(file, field.error());
        return ExitProblem;
    }
    if (what.problems) {
        ValidateOptions vo;
        vo.fileName = std::filesystem::path(file).filename().string();
        vo.threads = opt.threads ? opt.threads : 1;
        attachProblems(*field, validateLayer(src, vo).problems);
    }
    if (opt.json)
        printJson(fieldJson(*field));
    else
        printField(*field, 0);
    return anyError(*field) ? ExitProblem : ExitOk;
}

} // namespace

void addDissectCommand(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        DissectSelection sel;
        std::string file, nodeText, entryText, offsetText;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;
    DissectSelection &sel = st->sel;
    auto *dissect = app.add_subcommand("dissect",
                                       "one part of the file as a tree of fields with their bytes");
    dissect->add_option("FILE", st->file, "layer file (damaged ones too)")->required();
    auto *selSummary = dissect->add_flag("--summary", sel.summary, "the summary block");
    auto *selNode = dissect
                        ->add_option("--node",
                                     st->nodeText,
                                     "the index node at BLOCK (relative to index_start_blk)")
                        ->option_text("BLOCK");
    auto *selEntry = dissect
                         ->add_option("--entry",
                                      st->entryText,
                                      "leaf entry N (0-based, in key order): key, "
                                      "value pointer, blob, decoded value")
                         ->option_text("N");
    auto *selOffset = dissect
                          ->add_option("--offset",
                                       st->offsetText,
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
    dissect->callback([st, &run] {
        DissectSelection &s = st->sel;
        for (auto [text, what, out] :
             {std::tuple{&st->nodeText, "--node", &s.node},
              std::tuple{&st->entryText, "--entry", &s.entry},
              std::tuple{&st->offsetText, "--offset", &s.offset}}) {
            if (text->empty())
                continue;
            *out = parseNumber(*text);
            if (!*out)
                return usageError(run,
                                  "dissect",
                                  fmt::format("{}: expected a number (decimal or 0x hex), found \"{}\"",
                                              what,
                                              *text));
        }
        if (!s.summary && !s.node && !s.entry && !s.offset)
            return usageError(run, "dissect", "give one of --summary, --node BLOCK, --entry N, --offset BYTE");
        if (s.node && *s.node > 0xFFFFFFFFull)
            return usageError(run, "dissect", "--node: a block number below 2^32");
        run = [st] { return cmdDissect(st->file, st->sel, st->opt); };
    });
}

} // namespace layerscope::cli
