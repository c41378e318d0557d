// layerctl stats: where a layer's bytes go (core/stats.h), for a file or a directory.

#include "commands.h"
#include "json.h"

#include <layerscope/stats.h>

#include <fmt/format.h>

#include <filesystem>

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

std::string bytes(std::uint64_t n)
{
    if (n >= (1ull << 30))
        return fmt::format("{:.2f} GiB", double(n) / double(1ull << 30));
    if (n >= (1ull << 20))
        return fmt::format("{:.2f} MiB", double(n) / double(1ull << 20));
    if (n >= (1ull << 10))
        return fmt::format("{:.1f} KiB", double(n) / 1024.0);
    return fmt::format("{} B", n);
}

void printCount(const std::string &name, const ByteCount &c, std::uint64_t whole)
{
    fmt::print("  {:<26} {:>12} entries {:>12} stored {:>12} payload {:5.1f}%\n", name, c.entries, bytes(c.storedBytes),
               bytes(c.payloadBytes), share(c.storedBytes, whole));
}

void printStats(const std::string &title, const LayerStats &s)
{
    fmt::print("{}: {} layer(s), {}\n", title, s.layers, bytes(s.fileBytes));
    fmt::print("  summary {} ({:.1f}%), values {} ({:.1f}%), index {} ({:.1f}%)\n", bytes(s.summaryBytes),
               share(s.summaryBytes, s.fileBytes), bytes(s.valueAreaBytes), share(s.valueAreaBytes, s.fileBytes),
               bytes(s.indexBytes), share(s.indexBytes, s.fileBytes));
    fmt::print("  {} entries, {} keys, {} stored, {} after decompression{}\n", s.total.entries, s.keys,
               bytes(s.total.storedBytes), bytes(s.total.payloadBytes),
               s.unreadableValues ? fmt::format(", {} unreadable", s.unreadableValues) : "");
    fmt::print("By key category (share of stored bytes):\n");
    std::vector<std::pair<std::string, ByteCount>> cats(s.categories.begin(), s.categories.end());
    std::sort(cats.begin(), cats.end(), [](const auto &a, const auto &b) { return a.second.storedBytes > b.second.storedBytes; });
    for (const auto &[k, v] : cats)
        printCount(k, v, s.total.storedBytes);
    if (!s.relations.empty()) {
        fmt::print("Top relations:\n");
        std::vector<std::pair<std::string, ByteCount>> rels(s.relations.begin(), s.relations.end());
        std::sort(rels.begin(), rels.end(), [](const auto &a, const auto &b) { return a.second.storedBytes > b.second.storedBytes; });
        for (const auto &[k, v] : rels)
            printCount(k, v, s.total.storedBytes);
    }
    fmt::print("Blob sizes (stored):\n");
    for (std::size_t b = 0; b < s.blobSizes.size(); ++b)
        if (s.blobSizes[b])
            fmt::print("  [{}, {}) {:>12}\n", bytes(1ull << b), bytes(2ull << b), s.blobSizes[b]);
    fmt::print("Values:\n");
    printCount("images", s.images, s.total.storedBytes);
    printCount("WAL records", s.walRecords, s.total.storedBytes);
    for (const auto &[k, v] : s.recordKinds)
        fmt::print("    {:<24} {:>12}\n", k, v);
    for (const auto &[k, v] : s.rmgrs)
        fmt::print("    Postgres {:<15} {:>12}\n", k, v);
    fmt::print("Compression: {} zstd blobs, {} stored for {} ({:.2f}x); {} plain blobs\n", s.zstd.entries,
               bytes(s.zstd.storedBytes), bytes(s.zstd.payloadBytes),
               s.zstd.storedBytes ? double(s.zstd.payloadBytes) / double(s.zstd.storedBytes) : 0.0, s.plain.entries);
    fmt::print("Index: {:.2f}% of the file, prefix compression saves {}\n", share(s.indexBytes, s.fileBytes),
               bytes(s.prefixSavedBytes));
    for (std::size_t l = s.levels.size(); l-- > 0;)
        fmt::print("  level {}: {} nodes, {} entries, {:.1f}% full\n", l, s.levels[l].nodes, s.levels[l].entries,
                   100.0 * s.levels[l].fill());
    if (s.walRecords.entries) {
        fmt::print("Versions per key:\n");
        for (std::size_t b = 0; b < s.versionsPerKey.size(); ++b)
            if (s.versionsPerKey[b])
                fmt::print("  {}–{} {:>12} keys\n", 1ull << b, (2ull << b) - 1, s.versionsPerKey[b]);
        fmt::print("Keys replaying more than {} records after their last will_init: {}\n", s.chainThreshold, s.longChains);
    }
}

} // namespace

int cmdStats(const std::string &path, const Options &opt)
{
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
    int rc = ExitOk;
    for (const std::string &f : files) {
        std::optional<Layer> layer;
        if (int r = openLayer(f, layer)) {
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
                           s->total.entries, bytes(s->fileBytes), share(s->indexBytes, s->fileBytes));
            }
        }
        mergeStats(total, *s);
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
    return rc;
}

} // namespace layerscope::cli
