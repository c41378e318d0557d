#include "problemreport.h"

#include "cli.h"

#include <layerscope/check/registry.h>
#include <layerscope/format/summary.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

namespace layerscope::cli {

Json problemJson(const Problem &p)
{
    Json o{{"check", p.check},
           {"severity", severityName(p.severity)},
           {"message", p.message},
           {"offset", p.offset},
           {"length", p.length}};
    if (!p.related.empty()) {
        Json rel = Json::array();
        for (const auto &r : p.related)
            rel.push_back(Json{{"offset", r.offset}, {"length", r.length}, {"what", r.what}});
        o["related"] = std::move(rel);
    }
    if (p.block)
        o["block"] = *p.block;
    if (p.entry)
        o["entry"] = *p.entry;
    if (p.key)
        o["key"] = p.key->toHex();
    if (p.lsn)
        o["lsn"] = p.lsn->toString();
    return o;
}

std::string problemLine(const std::string &file, const Problem &p, const Palette &pal)
{
    return fmt::format(
        "{}:{}: {}[{}]: {}", file, p.offset, pal.severity(p.severity), p.check, p.message);
}

void printLine(const std::string &line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

std::string groupedText(const std::string &file, const ValidationReport &r, const Palette &pal)
{
    std::string out;
    auto print = [&out](const std::string &line) {
        out += line;
        out += '\n';
    };
    constexpr std::uint64_t kGroupAfter = 5;
    std::map<std::pair<std::string, Severity>, std::uint64_t> shown;
    std::map<std::pair<std::string, Severity>, const CheckTally *> tally;
    for (const CheckTally &t : r.tallies)
        tally[{t.check, t.severity}] = &t;
    for (const Problem &p : r.problems) {
        const auto key = std::make_pair(p.check, p.severity);
        const std::uint64_t n = ++shown[key];
        const CheckTally &t = *tally[key];
        if (n <= kGroupAfter || t.count <= kGroupAfter + 1)
            print(problemLine(file, p, pal));
        else if (n == kGroupAfter + 1)
            print(fmt::format(
                "{}:{}: {}[{}]: … and {} more like this ({} × {} in all, first at offset {}; "
                "--json lists each)",
                file,
                p.offset,
                pal.severity(p.severity),
                p.check,
                t.count - kGroupAfter,
                p.check,
                t.count,
                t.firstOffset));
    }
    // Checks whose problems were all left out of the list (see --max-problems).
    for (const CheckTally &t : r.tallies)
        if (!shown.count({t.check, t.severity}))
            print(fmt::format("{}:{}: {}[{}]: {} × {} (not listed: over --max-problems)",
                              file,
                              t.firstOffset,
                              pal.severity(t.severity),
                              t.check,
                              t.check,
                              t.count));
    print(fmt::format("{}: {} error(s), {} warning(s), {} info, {} entries checked{}",
                      file,
                      r.errors,
                      r.warnings,
                      r.infos,
                      r.entriesChecked,
                      r.truncated ? fmt::format(" ({} of {} problems listed)",
                                                r.problems.size(),
                                                r.errors + r.warnings + r.infos)
                                  : std::string()));
    return out;
}

bool writeEvidence(const std::string &dir,
                   const std::string &file,
                   Bytes bytes,
                   const ValidationReport &r)
{
    const std::string name = baseName(file);
    const std::string base = (std::filesystem::path(dir) / name).string();
    const std::string sha = sha256Hex(bytes);
    std::string text = fmt::format("file: {}\nsize: {} bytes\nsha256: {}\nlayerctl: {}\n"
                                   "errors: {}, warnings: {}, info: {}, entries checked: {}\n\n",
                                   file,
                                   bytes.size(),
                                   sha,
                                   LAYERSCOPE_VERSION,
                                   r.errors,
                                   r.warnings,
                                   r.infos,
                                   r.entriesChecked);
    for (const Problem &p : r.problems)
        text += problemLine(file, p) + "\n";
    // Summary: decoded when it decodes, and block 0's first bytes in hex either way.
    text += "\n--- summary (block 0, first 128 bytes) ---\n";
    text += hexDump(bytes.first(std::min<std::size_t>(128, bytes.size())), 0);
    if (auto s = Summary::decode(bytes.first(std::min<std::size_t>(bytes.size(), kBlockSize)))) {
        text += fmt::format("kind {}, version {}, tenant {}, timeline {}\nkeys {}..{}\nlsn {}..{}\n"
                            "index_start_blk {}, index_root_blk {}\n",
                            s->kind == LayerKind::Image ? "image" : "delta",
                            s->formatVersion,
                            s->tenant.toHex(),
                            s->timeline.toHex(),
                            s->keyStart.toHex(),
                            s->keyEnd.toHex(),
                            s->lsnStart.toString(),
                            s->lsnEnd.toString(),
                            s->indexStartBlk,
                            s->indexRootBlk);
    }
    // Every block at fault, with one line of context around the bytes.
    std::set<std::uint64_t> blocks;
    for (const Problem &p : r.problems) {
        if (p.severity == Severity::Info)
            continue;
        const std::uint64_t first = p.offset / kBlockSize;
        const std::uint64_t last = (p.offset + std::max<std::uint64_t>(p.length, 1) - 1)
                                   / kBlockSize;
        for (std::uint64_t b = first; b <= std::min(last, first + 3); ++b)
            blocks.insert(b);
        if (blocks.size() > 256)
            break;
    }
    for (std::uint64_t b : blocks) {
        const FileOffset off = b * kBlockSize;
        if (off >= bytes.size())
            continue;
        const Bytes blk = bytes.subspan(off,
                                        std::min<std::uint64_t>(kBlockSize, bytes.size() - off));
        if (!writeText(fmt::format("{}.block-{}.hex", base, b),
                       fmt::format("block {} (offset {}) of {}\n", b, off, file)
                           + hexDump(blk, off)))
            return false;
        text += fmt::format("\nblock {} at offset {}: {}.block-{}.hex\n", b, off, name, b);
    }
    return writeText(base + ".report.txt", text)
           && writeText(base + ".sha256", sha + "  " + name + "\n");
}

namespace {

std::string severities(const CheckInfo &c)
{
    return c.weaker ? fmt::format("{}, or {}", severityName(c.severity), severityName(*c.weaker))
                    : std::string(severityName(c.severity));
}

/// Roff text: a leading dot or quote would start a request, a backslash an escape.
std::string roff(std::string_view s)
{
    std::string out;
    for (char ch : s) {
        if (ch == '\\')
            out += "\\e";
        else if (ch == '-')
            out += "\\-";
        else
            out += ch;
    }
    return out;
}

} // namespace

std::optional<std::string> checkList(const std::string &format)
{
    std::string out;
    if (format == "markdown")
        out += "| check | severity | group | what it means | the bytes it names "
               "|\n|---|---|---|---|---|\n";
    std::size_t width = 0;
    for (const CheckInfo &c : checkRegistry())
        width = std::max(width, c.id.size());
    for (const CheckInfo &c : checkRegistry()) {
        if (format == "text")
            out += fmt::format("{:<{}}  {:<16}  {:<8}  {}\n",
                               c.id,
                               width,
                               severities(c),
                               checkGroupName(c.group),
                               c.meaning);
        else if (format == "json")
            out += jsonLine(
                Json{{"check", c.id},
                     {"severity", severityName(c.severity)},
                     {"weaker_severity", c.weaker ? Json(severityName(*c.weaker)) : Json()},
                     {"group", checkGroupName(c.group)},
                     {"meaning", c.meaning},
                     {"bytes", c.bytes}});
        else if (format == "markdown")
            out += fmt::format("| `{}` | {} | {} | {} | {} |\n",
                               c.id,
                               severities(c),
                               checkGroupName(c.group),
                               c.meaning,
                               c.bytes);
        else if (format == "man")
            out += fmt::format(".TP\n.B {}\n{} ({}): {}.\nNames {}.\n",
                               roff(c.id),
                               severities(c),
                               checkGroupName(c.group),
                               roff(c.meaning),
                               roff(c.bytes));
        else
            return std::nullopt;
    }
    return out;
}

} // namespace layerscope::cli
