// Core performance figures for one layer: open → summary + first page, index walk against a
// plain sequential read of the index bytes, validation against reading the whole file, and
// the anonymous memory validation keeps; diff of the layer against a second mapping of itself
// (every value compared) and space statistics (every value read and decoded) against the walk. Prints one block per file; never asserts.
#include <layerscope/check/validate.h>
#include <layerscope/format/layer.h>
#include <layerscope/index/tree_shape.h>
#include <layerscope/index/tree_walk.h>
#include <layerscope/report/diff.h>
#include <layerscope/report/stats.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace layerscope;
using Clock = std::chrono::steady_clock;

namespace {
double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

/// Reads [from, to) of the file with read() in 1 MiB chunks, like cat.
double readTime(const char *path, std::uint64_t from, std::uint64_t to)
{
    const int fd = ::open(path, O_RDONLY);
    std::vector<char> buf(1 << 20);
    ::lseek(fd, off_t(from), SEEK_SET);
    const auto t0 = Clock::now();
    std::uint64_t left = to - from;
    while (left > 0) {
        const ssize_t n = ::read(fd, buf.data(), std::min<std::uint64_t>(left, buf.size()));
        if (n <= 0)
            break;
        left -= std::uint64_t(n);
    }
    const auto t1 = Clock::now();
    ::close(fd);
    return seconds(t0, t1);
}

long statusKb(const char *field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::stol(line.substr(std::strlen(field)));
    return -1;
}

template<typename F>
double best(int runs, F f)
{
    double b = 1e9;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        f();
        b = std::min(b, seconds(t0, Clock::now()));
    }
    return b;
}
} // namespace

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const char *path = argv[i];
        readTime(path, 0, ~0ull);  // warm the page cache
        std::uint64_t firstPageEntries = 0;
        const double open = best(20, [&] {
            auto l = Layer::openFile(path);
            firstPageEntries = 0;
            const ByteVector zero(l->summary().indexKeyLen(), 0);
            (void)l->tree().visitForward(zero, [&](Bytes, std::uint64_t) { return ++firstPageEntries < 50; });
        });
        auto opened = Layer::openFile(path);
        if (!opened) {
            std::fprintf(stderr, "%s: %s\n", path, opened.error().message().c_str());
            return 2;
        }
        auto &layer = opened;
        const std::uint64_t indexFrom = std::uint64_t(layer->summary().indexStartBlk) * kBlockSize;
        std::uint64_t entries = 0;
        const ByteVector zero(layer->summary().indexKeyLen(), 0);
        // The engine's walk (TreeWalk): every entry with its key materialised; the checksum
        // keeps the compiler from dropping the key bytes.
        std::uint64_t checksum = 0;
        const double walk = best(5, [&] {
            entries = 0;
            (void)forEachEntry(layer->tree(), WalkOrder{}, [&](Bytes key, std::uint64_t v) {
                checksum += key[key.size() - 1] + v;
                ++entries;
                return true;
            });
        });
        const double walkFn = best(3, [&] {
            (void)layer->tree().visitForward(zero, [&](Bytes, std::uint64_t) { return true; });
        });
        const double indexRead = best(3, [&] { readTime(path, indexFrom, layer->fileSize()); });
        const double cat = best(3, [&] { readTime(path, 0, layer->fileSize()); });
        ValidationReport report;
        const long anonBefore = statusKb("RssAnon:");
        const unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
        const double validate = best(2, [&] {
            ValidateOptions o;
            o.threads = threads;
            report = validateLayer(layer->bytes(), o);
        });
        const long anonAfter = statusKb("RssAnon:");
        std::printf("%s\n", path);
        std::printf("  size %.1f MiB, %s, %llu entries, index %.1f MiB\n", double(layer->fileSize()) / (1 << 20),
                    layer->kind() == LayerKind::Image ? "image" : "delta", static_cast<unsigned long long>(entries),
                    double(layer->fileSize() - indexFrom) / (1 << 20));
        std::printf("  open → summary + first page      %8.3f ms\n", open * 1e3);
        std::printf("  index walk                       %8.1f ms  %.2f ns/entry (goal ≤ 5; Neon's visit 6.5), %.1f M entries/s; "
                    "through std::function %.1f ms; sequential read of the index %.1f ms [%llu]\n",
                    walk * 1e3, walk * 1e9 / double(entries ? entries : 1), double(entries) / walk / 1e6, walkFn * 1e3,
                    indexRead * 1e3, static_cast<unsigned long long>(checksum % 10));
        std::printf("  validation (%u threads)           %8.1f ms  vs cat %.1f ms; ratio %.2f (goal ≤ 1.5); %zu errors %zu warnings\n",
                    threads, validate * 1e3, cat * 1e3, validate / cat, report.errors, report.warnings);
        std::printf("  anonymous memory kept by validation %ld KiB (%.2f bytes/entry)\n", anonAfter - anonBefore,
                    entries ? double(anonAfter - anonBefore) * 1024 / double(entries) : 0.0);

        // Diff against the same file through two fresh mappings each run (every value is read
        // on both sides and compared), and the floor for any reader over mappings: memcmp of
        // two fresh mappings of the file, 8 KiB at a time.
        DiffReport diffReport;
        const long diffAnonBefore = statusKb("RssAnon:");
        const double diff = best(2, [&] {
            auto a = Layer::openFile(path);
            auto b = Layer::openFile(path);
            if (auto r = diffLayers(*a, *b, {}))
                diffReport = *r;
        });
        const long diffAnonAfter = statusKb("RssAnon:");
        int sink = 0;
        const double touchBoth = best(2, [&] {
            auto a = Layer::openFile(path);
            auto b = Layer::openFile(path);
            const Bytes x = a->bytes(), y = b->bytes();
            for (std::size_t o = 0; o < x.size(); o += 8192)
                sink += std::memcmp(x.data() + o, y.data() + o, std::min<std::size_t>(8192, x.size() - o)) != 0;
        });
        std::printf("  diff against itself              %8.1f ms  %.1f M entries/s, %llu equal; memcmp of both mappings "
                    "%.1f ms (diff at %.2fx its speed, goal ≥ 0.5); read() of both %.1f ms; index walks of both %.1f ms; "
                    "anonymous memory +%ld KiB [%d]\n",
                    diff * 1e3, double(entries) / diff / 1e6, static_cast<unsigned long long>(diffReport.equal),
                    touchBoth * 1e3, touchBoth / diff, 2 * cat * 1e3, 2 * walk * 1e3, diffAnonAfter - diffAnonBefore, sink);
        LayerStats stats;
        const double statsTime = best(2, [&] {
            auto fresh = Layer::openFile(path);  // a fresh mapping: every blob is read anew
            auto r = computeStats(*fresh);
            if (r)
                stats = *r;
        });
        std::printf("  stats                            %8.1f ms  %.1f M entries/s, %.0f MiB/s of values; vs read() %.1f ms; "
                    "ratio %.2f\n",
                    statsTime * 1e3, double(stats.total.entries) / statsTime / 1e6,
                    double(stats.total.storedBytes) / statsTime / (1 << 20), cat * 1e3, statsTime / cat);
    }
    return 0;
}
