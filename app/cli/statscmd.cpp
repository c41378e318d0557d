// layerctl stats: where a layer's bytes go (core/stats.h), for a file or a directory.

#include "cli.h"
#include "json.h"

#include <layerscope/report/stats.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace layerscope::cli {

namespace {

double share(std::uint64_t part, std::uint64_t whole)
{
    return whole ? 100.0 * double(part) / double(whole) : 0.0;
}

Json countJson(const ByteCount &c)
{
    return Json{{"entries", c.entries}, {"stored_bytes", c.storedBytes}, {"payload_bytes", c.payloadBytes}};
}

Json statsJson(const LayerStats &s)
{
    Json j{{"layers", s.layers},
           {"file_bytes", s.fileBytes},
           {"summary_bytes", s.summaryBytes},
           {"value_area_bytes", s.valueAreaBytes},
           {"index_bytes", s.indexBytes},
           {"total", countJson(s.total)},
           {"keys", s.keys},
           {"unreadable_values", s.unreadableValues}};
    Json cats = Json::object();
    for (const auto &[k, v] : s.categories)
        cats[k] = countJson(v);
    j["categories"] = cats;
    Json rels = Json::array();
    std::vector<std::pair<std::string, ByteCount>> sorted(s.relations.begin(), s.relations.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second.storedBytes > b.second.storedBytes; });
    for (const auto &[k, v] : sorted) {
        Json r = countJson(v);
        r["relation"] = k;
        rels.push_back(r);
    }
    j["top_relations"] = rels;
    Json sizes = Json::array();
    for (std::size_t b = 0; b < s.blobSizes.size(); ++b)
        if (s.blobSizes[b])
            sizes.push_back(Json{{"from", 1ull << b}, {"to", 2ull << b}, {"blobs", s.blobSizes[b]}});
    j["blob_sizes"] = sizes;
    j["images"] = countJson(s.images);
    j["wal_records"] = countJson(s.walRecords);
    j["record_kinds"] = s.recordKinds;
    j["rmgrs"] = s.rmgrs;
    j["zstd"] = countJson(s.zstd);
    j["plain"] = countJson(s.plain);
    Json levels = Json::array();
    for (std::size_t l = 0; l < s.levels.size(); ++l)
        levels.push_back(Json{{"level", l}, {"nodes", s.levels[l].nodes}, {"entries", s.levels[l].entries},
                              {"used_bytes", s.levels[l].usedBytes}, {"fill", s.levels[l].fill()}});
    j["index_levels"] = levels;
    j["prefix_saved_bytes"] = s.prefixSavedBytes;
    Json versions = Json::array();
    for (std::size_t b = 0; b < s.versionsPerKey.size(); ++b)
        if (s.versionsPerKey[b])
            versions.push_back(Json{{"from", 1ull << b}, {"to", (2ull << b) - 1}, {"keys", s.versionsPerKey[b]}});
    j["versions_per_key"] = versions;
    j["chain_threshold"] = s.chainThreshold;
    j["keys_with_long_chains"] = s.longChains;
    return j;
}

void printStats(const std::string &title, const LayerStats &s)
{
    fmt::print("{}: {} layer(s), {}\n", title, s.layers, humanBytes(s.fileBytes));
    for (const Table &t : statsTables(s))
        fmt::print("{}:\n{}", t.title, tableText(t));
}

/// Creates DIR when missing and proves a file can be created in it, before any layer is read;
/// false (with the reason on stderr) when not.
bool csvDirWritable(const std::string &dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        reportError(dir, fmt::format("cannot create the CSV directory: {}", ec.message()));
        return false;
    }
    const std::string probe = (std::filesystem::path(dir) / ".layerctl-write-test").string();
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
        reportError(dir, fmt::format("cannot write CSV files there: {}", std::strerror(errno)));
        return false;
    }
    if (fd >= 0) {
        ::close(fd);
        ::unlink(probe.c_str());
    }
    return true;
}

/// Writes each table to DIR/<id>.csv; false (with the reason on stderr) when one cannot be.
bool writeCsv(const std::string &dir, const std::vector<Table> &tables)
{
    for (const Table &t : tables) {
        const std::string path = (std::filesystem::path(dir) / (t.id + ".csv")).string();
        if (!writeText(path, tableCsv(t))) {
            reportError(path, std::strerror(errno));
            return false;
        }
    }
    return true;
}

} // namespace

namespace {

int cmdStats(const std::string &path, const Options &opt)
{
    if (!opt.csv.empty() && !csvDirWritable(opt.csv))
        return ExitUsage;
    std::vector<std::string> files;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        for (const auto &de : std::filesystem::directory_iterator(path, ec))
            if (de.is_regular_file())
                files.push_back(de.path().string());
        std::sort(files.begin(), files.end());
        if (ec) {
            reportError(path, ec.message());
            return ExitUsage;
        }
    } else {
        files.push_back(path);
    }
    LayerStats total;
    std::vector<std::pair<std::string, LayerStats>> perLayer;
    int rc = ExitOk;
    for (const std::string &f : files) {
        std::optional<Layer> layer;
        if (int r = openLayer(f, layer, true)) {
            rc = std::max(rc, r);
            continue;
        }
        auto s = computeStats(*layer);
        if (!s) {
            reportError(f, s.error());
            rc = std::max(rc, int(ExitProblem));
            continue;
        }
        if (s->unreadableValues)
            rc = std::max(rc, int(ExitProblem));
        finishStats(*s);
        if (files.size() > 1) {
            if (opt.json) {
                Json j = statsJson(*s);
                j["file"] = std::filesystem::path(f).filename().string();
                printJson(j);
            } else {
                fmt::print("{}: {} entries, {}, {:.1f}% index\n", std::filesystem::path(f).filename().string(),
                           s->total.entries, humanBytes(s->fileBytes), share(s->indexBytes, s->fileBytes));
            }
        }
        mergeStats(total, *s);
        perLayer.emplace_back(std::filesystem::path(f).filename().string(), std::move(*s));
    }
    finishStats(total);
    if (total.layers == 0)
        return rc ? rc : ExitUsage;
    if (opt.json) {
        Json j = statsJson(total);
        j["file"] = files.size() > 1 ? "(total)" : std::filesystem::path(files[0]).filename().string();
        printJson(j);
    } else {
        printStats(files.size() > 1 ? path + " (total)" : path, total);
    }
    if (!opt.csv.empty()) {
        std::vector<Table> tables = statsTables(total);
        if (files.size() > 1)
            tables.push_back(layersTable(perLayer));
        if (!writeCsv(opt.csv, tables))
            return ExitUsage;
    }
    return rc;
}

} // namespace

void addStatsCommand(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string path;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;
    auto *stats = app.add_subcommand(
        "stats", "where the bytes go: key categories, relations, blob sizes, compression, index");
    stats->add_option("PATH", st->path, "layer file, or a directory of layers")->required();
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
    stats->callback([st, &run] { run = [st] { return cmdStats(st->path, st->opt); }; });
}

} // namespace layerscope::cli
