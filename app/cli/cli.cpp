// What every command family shares: opening a layer, reporting errors, sizes and counts.
#include "cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <deque>
#include <mutex>
#include <filesystem>
#include <fstream>

namespace layerscope::cli {

const char *const kExampleLayer
    = "000000067F00000005000040000000000000-030000000000000000000000000000000003__0000000005000010-"
      "0000000005000050";

bool writeText(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return bool(out.flush());
}

namespace {

/// Remote failures of this process (URL and error), in the order they happened.
struct Failures
{
    std::mutex m;
    std::vector<std::pair<std::string, Error>> all;
};

Failures &failures()
{
    static auto *f = new Failures; // never destroyed: fetch threads may report until the end
    return *f;
}

/// The last few remote objects opened, so that a timeline's summary pass, its read path and
/// the validation of its layers fetch each object's bytes once; bounded, so that a timeline of
/// thousands of objects does not keep thousands of caches and connections.
struct Recent
{
    std::mutex m;
    std::deque<std::pair<std::string, std::shared_ptr<RemoteSource>>> sources;
};

Recent &recent()
{
    static Recent r;
    return r;
}

std::shared_ptr<RemoteSource> recentRemote(const std::string &url,
                                           std::shared_ptr<RemoteSource> add = nullptr)
{
    Recent &r = recent();
    std::lock_guard lock(r.m);
    for (auto &[u, source] : r.sources)
        if (u == url)
            return source;
    if (add) {
        r.sources.emplace_back(url, add);
        if (r.sources.size() > 8)
            r.sources.pop_front();
    }
    return add;
}

} // namespace

RemoteOptions &remoteOptions()
{
    static RemoteOptions options = [] {
        RemoteOptions o = RemoteOptions::fromEnvironment();
        o.onFailure = [](const std::string &url, const Error &e) {
            std::lock_guard lock(failures().m);
            failures().all.emplace_back(url, e);
        };
        return o;
    }();
    return options;
}

Result<std::shared_ptr<const ByteSource>> openSource(const std::string &path,
                                                     bool wholeFile,
                                                     const RemoteOptions *options)
{
    if (!isRemotePath(path)) {
        auto mapped = MappedFile::open(path);
        if (!mapped)
            return mapped.error();
        return std::shared_ptr<const ByteSource>(std::move(mapped.value()));
    }
    std::shared_ptr<RemoteSource> source = options ? nullptr : recentRemote(path);
    if (options) {
        auto remote = RemoteSource::open(path, *options);
        if (!remote)
            return remote.error();
        source = std::move(remote.value());
    } else if (!source) {
        auto remote = RemoteSource::open(path, remoteOptions());
        if (!remote)
            return remote.error();
        source = recentRemote(path, *remote);
    }
    if (wholeFile)
        source->willRead(0, source->size());
    return std::shared_ptr<const ByteSource>(std::move(source));
}

int finishRemote(int rc)
{
    { // Close the objects first: their fetch threads end before anything is judged.
        std::deque<std::pair<std::string, std::shared_ptr<RemoteSource>>> closing;
        {
            std::lock_guard lock(recent().m);
            closing.swap(recent().sources);
        }
    }
    std::lock_guard lock(failures().m);
    if (failures().all.empty())
        return rc;
    std::fflush(stdout);
    for (const auto &[url, error] : failures().all)
        reportError(url, fmt::format("{} — the command's result is void; nothing it printed "
                                     "about this object can be trusted",
                                     error.message()));
    return ExitUsage;
}

bool refuseRemote(const std::string &command, const std::string &path)
{
    if (!isRemotePath(path))
        return false;
    std::fprintf(stderr,
                 "layerctl %s: %s is a remote object: download it first and edit the local copy\n",
                 command.c_str(),
                 parseObjectUrl(path) ? parseObjectUrl(path)->display.c_str() : "the URL");
    return true;
}

int openLayer(const std::string &file, std::optional<Layer> &out, bool wholeFile)
{
    auto mapped = openSource(file, wholeFile);
    if (!mapped) {
        reportError(displayPath(file), mapped.error());
        return ExitUsage;
    }
    auto layer = Layer::open(std::move(mapped.value()));
    if (!layer) {
        reportError(displayPath(file), layer.error());
        return ExitProblem;
    }
    out.emplace(std::move(layer.value()));
    return ExitOk;
}

std::string displayPath(const std::string &path)
{
    if (!isRemotePath(path))
        return path;
    auto url = parseObjectUrl(path);
    return url ? url->display : path.substr(0, path.find_first_of("?@"));
}

void reportError(const std::string &file, const std::string &message)
{
    std::fprintf(stderr, "layerctl: %s: %s\n", file.c_str(), message.c_str());
}

void reportError(const std::string &file, const Error &e)
{
    reportError(file, e.message());
}

std::string baseName(const std::string &path)
{
    return std::filesystem::path(path).filename().string();
}

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

CLI::Validator countValidator()
{
    return CLI::Validator(
        [](std::string &s) -> std::string {
            const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
            const auto v = digits ? parseSize(s) : std::nullopt;
            if (v && *v > 0)
                return {};
            return fmt::format("expected a whole number from 1 to 18446744073709551615, found \"{}\"",
                               s);
        },
        "N");
}

void addQuiet(CLI::App *cmd, Options &opt)
{
    cmd->add_flag("-q,--quiet", opt.quiet, "print nothing but errors (the exit status tells)");
}

void usageError(CommandRun &run, const std::string &command, const std::string &message)
{
    std::fprintf(stderr, "layerctl %s: %s\n", command.c_str(), message.c_str());
    run = [] { return int(ExitUsage); };
}

int replayVersion(const Options &opt, const Timeline &t, std::string *source)
{
    if (opt.pgVersion) {
        if (source)
            *source = "--pg-version";
        return opt.pgVersion;
    }
    if (t.pgVersion) {
        if (source)
            *source = "index_part.json";
        return int(*t.pgVersion);
    }
    if (source)
        *source = "unknown";
    return 0;
}

void addStripeSizeOption(CLI::App *cmd, std::uint32_t &pages, const std::string &help)
{
    cmd->add_option("--stripe-size", pages, help)
        ->check(CLI::Range(1u, 0xFFFFFFFFu))
        ->option_text("PAGES");
}

} // namespace layerscope::cli
