// Replay figures (docs/performance.md), printed, never asserted:
//   bench_redo replay DELTA [VERSION]    every key's chain replayed from its base in the layer,
//                                        on one thread: records per second (and the value reads
//                                        and checks of consistency images, if any, included)
//   bench_redo split DELTA OUT_DIR N     the layer cut by LSN into N delta layers over the same
//                                        keys (a timeline of N layers), for `layerctl page`
//   bench_redo chain DELTA LENGTH        a KEY@LSN whose read path is a chain of LENGTH records
//                                        above its image or initializing record
#include <layerscope/check/consistency.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/value.h>
#include <layerscope/write/writer.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

using namespace layerscope;

namespace {
Layer open(const std::string &path)
{
    auto l = Layer::openFile(path);
    if (!l) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), l.error().message().c_str());
        std::exit(2);
    }
    return *l;
}

int replay(const std::string &path, int version)
{
    const Layer layer = open(path);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = verifyConsistencyImages(layer, version, 10);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r) {
        std::fprintf(stderr, "%s\n", r.error().message().c_str());
        return 2;
    }
    std::uint64_t records = 0;
    for (const auto &[kind, c] : r->byKind)
        records += c.records;
    fmt::print("{}: {} keys, {} records replayed in {:.3f} s on one thread: {:.2f} M records/s "
               "({} consistency images compared, {} problems)\n",
               path,
               r->keys,
               records,
               s,
               records / s / 1e6,
               r->compared,
               r->problemCount);
    return 0;
}

int split(const std::string &path, const std::string &dir, std::size_t n)
{
    const Layer layer = open(path);
    auto entries = layer.entries();
    if (!entries)
        return 2;
    const Summary &s = layer.summary();
    const std::uint64_t span = s.lsnEnd.value - s.lsnStart.value;
    std::filesystem::create_directories(dir);
    std::size_t written = 0;
    for (std::size_t i = 0; i < n; ++i) {
        Summary part = s;
        part.lsnStart = Lsn{s.lsnStart.value + span * i / n};
        part.lsnEnd = Lsn{s.lsnStart.value + span * (i + 1) / n};
        if (part.lsnEnd.value <= part.lsnStart.value)
            continue;
        MemorySink sink;
        LayerWriter w(part, sink);
        for (const Entry &e : *entries) {
            if (e.lsn.value < part.lsnStart.value || e.lsn.value >= part.lsnEnd.value)
                continue;
            auto v = layer.value(e);
            if (!v || !w.addDelta(e.key, e.lsn, *v))
                return 2;
        }
        auto done = w.finish();
        if (!done)
            return 2;
        const std::string out = (std::filesystem::path(dir) / done->impliedName().canonical())
                                    .string();
        std::FILE *f = std::fopen(out.c_str(), "wb");
        if (!f || std::fwrite(sink.data().data(), 1, sink.data().size(), f) != sink.data().size())
            return 2;
        std::fclose(f);
        ++written;
    }
    fmt::print("{} layers written to {}\n", written, dir);
    return 0;
}

int chain(const std::string &path, std::size_t length)
{
    const Layer layer = open(path);
    auto entries = layer.entries();
    if (!entries)
        return 2;
    // The first relation page (main fork) whose values, from an image or will_init one on, run
    // to `length` records.
    std::size_t run = 0;
    for (std::size_t i = 0; i < entries->size(); ++i) {
        const Entry &e = (*entries)[i];
        if (!e.key.isRelBlock() || e.key.field5() != 0)
            continue;
        if (i == 0 || !(e.key == (*entries)[i - 1].key) || e.willInit)
            run = 0;
        else
            ++run;
        if (run == length) {
            fmt::print("{}@{}\n", e.key.toHex(), e.lsn.toString());
            return 0;
        }
    }
    std::fprintf(stderr, "no chain of %zu records in %s\n", length, path.c_str());
    return 1;
}
} // namespace

int main(int argc, char **argv)
{
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "replay" && (argc == 3 || argc == 4))
        return replay(argv[2], argc == 4 ? std::stoi(argv[3]) : 15);
    if (cmd == "split" && argc == 5)
        return split(argv[2], argv[3], std::stoul(argv[4]));
    if (cmd == "chain" && argc == 4)
        return chain(argv[2], std::stoul(argv[3]));
    std::fprintf(
        stderr,
        "usage: bench_redo replay DELTA [VERSION] | split DELTA OUT_DIR N | chain DELTA LENGTH\n");
    return 2;
}
