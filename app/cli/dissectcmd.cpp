// layerctl dissect: one part of a layer as a field tree (core/dissect.h), in text or JSON.

#include "commands.h"
#include "json.h"

#include <layerscope/dissect.h>
#include <layerscope/validate.h>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

namespace layerscope::cli {

namespace {

Json fieldJson(const Field &f)
{
    Json j{{"name", f.name}, {"offset", f.offset}, {"length", f.length}, {"value", f.value}};
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
    fmt::print("{}{}{}{}{}  {}\n", pad, f.name, f.value.empty() ? "" : ": ", f.value,
               f.detail.empty() ? "" : fmt::format(" ({})", f.detail), where);
    if (!f.error.empty())
        fmt::print("{}  ! {}\n", pad, f.error);
    for (const std::string &p : f.problems)
        fmt::print("{}  > {}\n", pad, p);
    for (const Field &c : f.children)
        printField(c, depth + 1);
}

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

int cmdDissect(const std::string &file, const DissectSelection &what, const Options &opt)
{
    auto mapped = MappedFile::open(file);
    if (!mapped) {
        reportError(file, mapped.error());
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

} // namespace layerscope::cli
