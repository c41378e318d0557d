// layerctl ls and find: a timeline directory's layers, and Neon's read path for key@LSN
// (core/timeline.h).

#include "commands.h"
#include "json.h"

#include <layerscope/inspect.h>
#include <layerscope/table.h>
#include <layerscope/timeline.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace layerscope::cli {

namespace {

/// The layers of index_part.json's layer_metadata (every version that has it: file_size, and
/// generation where the version writes one). Nullopt (reported) when the file is not one.
std::optional<std::vector<ListedLayer>> readIndexPart(const std::string &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        reportError(file, std::strerror(errno));
        return std::nullopt;
    }
    const Json j = Json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("layer_metadata") || !j["layer_metadata"].is_object()) {
        std::fprintf(stderr, "%s: not an index_part.json (expected a JSON object with \"layer_metadata\")\n",
                     file.c_str());
        return std::nullopt;
    }
    std::vector<ListedLayer> out;
    for (const auto &[name, meta] : j["layer_metadata"].items()) {
        ListedLayer l{name, 0, std::nullopt};
        if (meta.is_object()) {
            if (meta.contains("file_size") && meta["file_size"].is_number_unsigned())
                l.fileSize = meta["file_size"].get<std::uint64_t>();
            if (meta.contains("generation") && meta["generation"].is_number_unsigned())
                l.generation = meta["generation"].get<std::uint32_t>();
        }
        out.push_back(std::move(l));
    }
    return out;
}

bool isIndexFile(const std::string &path)
{
    return std::filesystem::is_regular_file(path) && path.size() >= 5 && path.ends_with(".json");
}

/// A directory, an index_part.json, or a directory with `--index` merged.
std::optional<Timeline> openTimeline(const std::string &path, const std::string &index)
{
    if (isIndexFile(path)) {
        auto listed = readIndexPart(path);
        if (!listed)
            return std::nullopt;
        Timeline t = timelineFromIndex(*listed);
        t.dir = path;
        return t;
    }
    auto t = scanTimeline(path);
    if (!t) {
        reportError(path, t.error());
        return std::nullopt;
    }
    if (!index.empty()) {
        auto listed = readIndexPart(index);
        if (!listed)
            return std::nullopt;
        mergeIndex(*t, *listed);
    }
    return std::move(*t);
}

std::string lsnsOf(const LayerName &n)
{
    return n.kind == LayerKind::Image ? n.lsnStart.toString()
                                      : fmt::format("{}–{}", n.lsnStart.toString(), n.lsnEnd.toString());
}

} // namespace

int cmdLs(const std::string &dir, const Options &opt)
{
    auto t = openTimeline(dir, opt.index);
    if (!t)
        return ExitUsage;
    readSummaries(*t);
    std::size_t images = 0, deltas = 0, unnamed = 0, problems = 0;
    std::uint64_t bytes = 0;
    for (const TimelineLayer &l : t->layers) {
        bytes += l.onDisk ? l.fileSize : l.listedSize;
        // Files that are not layers are listed, not counted as problems.
        const bool bad = (l.name && l.onDisk && (!l.summaryError.empty() || !l.disagreements.empty()))
                         || !l.indexProblems.empty();
        problems += bad;
        if (!l.name)
            ++unnamed;
        else
            ++(l.name->kind == LayerKind::Image ? images : deltas);
        if (opt.json) {
            Json j{{"file", l.fileName}, {"size", l.fileSize}};
            if (l.name) {
                j["kind"] = l.name->kind == LayerKind::Image ? "image" : "delta";
                j["key_start"] = l.name->keyStart.toHex();
                j["key_end"] = l.name->keyEnd.toHex();
                j["lsn_start"] = l.name->lsnStart.toString();
                if (l.name->kind == LayerKind::Delta)
                    j["lsn_end"] = l.name->lsnEnd.toString();
                if (l.name->suffix != LayerName::Suffix::None)
                    j["generation"] = fmt::format("{:08x}", l.name->generation);
                if (!l.name->tempSuffix.empty())
                    j["temp"] = l.name->tempSuffix;
            } else {
                j["name_error"] = l.nameError;
            }
            if (!l.summaryError.empty() && l.name)
                j["summary_error"] = l.summaryError;
            if (!l.disagreements.empty())
                j["disagreements"] = l.disagreements;
            if (l.listed) {
                j["listed_size"] = l.listedSize;
                if (l.listedGeneration)
                    j["listed_generation"] = *l.listedGeneration;
            }
            j["on_disk"] = l.onDisk;
            if (!l.indexProblems.empty())
                j["index_problems"] = l.indexProblems;
            printJson(j);
            continue;
        }
        std::string what = !l.name ? "not a layer name: " + l.nameError
                                   : fmt::format("{} {}  {} – {}", l.name->kind == LayerKind::Image ? "image" : "delta",
                                                 lsnsOf(*l.name), l.name->keyStart.describe(), l.name->keyEnd.describe());
        if (l.name && !l.name->tempSuffix.empty())
            what += fmt::format("  [temporary: {}]", l.name->tempSuffix);
        fmt::print("{:>10}  {}  {}\n", humanBytes(l.onDisk ? l.fileSize : l.listedSize), l.fileName, what);
        for (const std::string &p : l.indexProblems)
            fmt::print("            index: {}\n", p);
        if (!l.summaryError.empty() && l.name && l.onDisk)
            fmt::print("            summary unreadable: {}\n", l.summaryError);
        for (const std::string &d : l.disagreements)
            fmt::print("            summary disagrees with the name: {}\n", d);
    }
    if (opt.json)
        printJson(Json{{"total", t->layers.size()}, {"images", images}, {"deltas", deltas}, {"not_layers", unnamed},
                       {"bytes", bytes}, {"problems", problems}});
    else
        fmt::print("{} files: {} image, {} delta, {} not layers; {}; {} with problems\n", t->layers.size(), images,
                   deltas, unnamed, humanBytes(bytes), problems);
    return problems ? ExitProblem : ExitOk;
}

int cmdMap(const std::string &path, const Options &opt)
{
    auto t = openTimeline(path, opt.index);
    if (!t)
        return ExitUsage;
    if (!writeText(opt.svg, mapSvg(*t))) {
        reportError(opt.svg, std::strerror(errno));
        return ExitUsage;
    }
    const MapLayout layout = layoutMap(*t);
    fmt::print("{}: {} layers drawn ({} distinct key boundaries, {} distinct LSNs)\n", opt.svg, layout.order.size(),
               layout.keys.size(), layout.lsns.size());
    return ExitOk;
}

int cmdFind(const std::string &dir, const std::string &keyAt, const Options &opt)
{
    const auto at = keyAt.find('@');
    const auto key = Key::fromHex(keyAt.substr(0, at));
    const auto lsn = at == std::string::npos ? std::nullopt : Lsn::parse(keyAt.substr(at + 1));
    if (!key || !lsn) {
        std::fprintf(stderr, "layerctl find: cannot parse \"%s\": expected KEY@LSN (KEY 36 hex digits, LSN as X/Y "
                             "or 16 hex digits)\n",
                     keyAt.c_str());
        return ExitUsage;
    }
    auto t = openTimeline(dir, opt.index);
    if (!t)
        return ExitUsage;
    const ReadPath path = findReadPath(*t, *key, *lsn);
    Json steps = Json::array();
    if (!opt.json)
        fmt::print("{} ({}) at {}: the layers Neon reads, newest first\n", key->toHex(), key->describe(), lsn->toString());
    std::size_t records = 0;
    bool baseIsImage = false;
    for (std::size_t i = 0; i < path.steps.size(); ++i) {
        const ReadStep &s = path.steps[i];
        const TimelineLayer &l = t->layers[s.layer];
        auto layer = Layer::openFile(l.path);
        Json values = Json::array();
        if (!opt.json)
            fmt::print("{}. {}\n   reads [{}, {}): {} value(s)\n", i + 1, l.fileName, s.lsnFloor.toString(),
                       s.endLsn.toString(), s.values.size());
        for (const Entry &e : s.values) {
            std::string kind = "?";
            std::uint64_t len = 0;
            if (layer)
                if (auto d = inspectEntry(*layer, e)) {
                    kind = d->kind;
                    len = d->payloadLen;
                }
            const bool isImage = kind == "image";
            records += !isImage;
            baseIsImage = isImage;
            const std::string lsnText = l.name->kind == LayerKind::Image ? l.name->lsnStart.toString() : e.lsn.toString();
            if (opt.json)
                values.push_back(Json{{"lsn", lsnText}, {"kind", kind}, {"will_init", isImage || e.willInit},
                                      {"blob_offset", e.blobOffset}, {"len", len}});
            else
                fmt::print("     {:>14}  {:<28} {:>6} bytes  blob at 0x{:x}{}\n", lsnText, kind, len, e.blobOffset,
                           !isImage && e.willInit ? "  will_init" : "");
        }
        if (opt.json)
            steps.push_back(Json{{"layer", l.fileName}, {"lsn_floor", s.lsnFloor.toString()},
                                 {"end_lsn", s.endLsn.toString()}, {"values", values}});
    }
    if (opt.json) {
        Json j{{"key", key->toHex()}, {"lsn", lsn->toString()}, {"complete", path.complete}, {"steps", steps}};
        if (!path.why.empty())
            j["why"] = path.why;
        printJson(j);
    } else if (path.complete) {
        // The base is the oldest value read: an image, or a will_init record (counted above).
        fmt::print("complete: {} record(s) replayed on {}\n", baseIsImage ? records : records - 1,
                   baseIsImage ? "an image" : "a will_init record");
    } else {
        fmt::print("broken: {}\n", path.why);
    }
    return path.complete ? ExitOk : ExitProblem;
}

} // namespace layerscope::cli
