#pragma once

// What `check` needs to scrub a region: layers validated N at a time with each one's report
// printed whole as it finishes, a resume file so that a killed run goes on where it stopped,
// and a progress line on a terminal.

#include <layerscope/base/error.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace layerscope::cli {

/// One layer to validate: its path or URL as listed, and what identifies its content (size and
/// TimelineLayer::version; a file given alone has an empty version and is never resumed).
struct LayerJob
{
    std::string path;
    std::uint64_t size = 0;
    std::string version;
};

/// Problems counted for one layer or one timeline.
struct Counts
{
    std::size_t errors = 0, warnings = 0, infos = 0;
    Counts &operator+=(const Counts &o)
    {
        errors += o.errors;
        warnings += o.warnings;
        infos += o.infos;
        return *this;
    }
};

/// The resume file of `check --resume FILE`: JSON lines, one per layer and one per timeline
/// checked, each written and fdatasync'ed as it finishes. A torn last line (a run killed while
/// writing it) is cut off on open. A record matches only the same path with the same size and
/// version (layers) or the same fingerprint (timelines): replaced content is checked again.
/// Thread-safe; owns its file descriptor.
class ScrubState
{
public:
    /// Opens `path`, creating it. Errors name the path (cannot create, read or write it).
    static Result<std::unique_ptr<ScrubState>> open(const std::string &path);
    ~ScrubState();
    ScrubState(const ScrubState &) = delete;
    ScrubState &operator=(const ScrubState &) = delete;

    std::optional<Counts> layer(const LayerJob &job) const;
    std::optional<Counts> timeline(const std::string &path, const std::string &fingerprint) const;
    /// Appends a record; false when it cannot be written (the run must stop: errno says why).
    bool recordLayer(const LayerJob &job, const Counts &counts);
    bool recordTimeline(const std::string &path,
                        const std::string &fingerprint,
                        const Counts &counts);

private:
    ScrubState(int fd, std::string path);
    bool append(const std::string &line);

    int m_fd = -1;
    std::string m_path;
    mutable std::mutex m_mutex;
    std::map<std::string, Counts> m_layers, m_timelines;
};

/// Layers, bytes, rate and time left on one line of stderr, redrawn in place; only when
/// stderr is a terminal (otherwise every call does nothing). Thread-safe.
class Progress
{
public:
    explicit Progress(bool on);
    bool on() const { return m_on; }
    /// More work found (known ahead for a region from its listing).
    void expect(std::uint64_t layers, std::uint64_t bytes);
    /// One layer finished (or skipped as already checked: `resumed`).
    void finished(std::uint64_t bytes, bool resumed = false);
    /// Erases the line (before other output on the same terminal) / draws it again.
    void clear();
    void draw(bool force = false);
    /// The last line, left on the terminal.
    void end();

private:
    const bool m_on;
    std::mutex m_mutex;
    std::uint64_t m_layers = 0, m_bytes = 0, m_doneLayers = 0, m_doneBytes = 0;
    std::uint64_t m_resumedBytes = 0;
    std::chrono::steady_clock::time_point m_start, m_lastDraw;
    bool m_drawn = false;
};

/// Everything a check prints goes through one Printer so that each report stays whole while
/// layers finish on several threads, and the progress line is kept below the output.
class Printer
{
public:
    explicit Printer(Progress &progress)
        : m_progress(progress)
    {}
    /// Writes `text` (whole lines) to stdout and flushes it.
    void emit(const std::string &text);

private:
    Progress &m_progress;
    std::mutex m_mutex;
};

/// `jobs` threads taking layers in the order added and running `work` on each; `work` must be
/// thread-safe. add() waits while 4 × jobs layers are queued, so that whoever finds the layers
/// (a region's timelines) stays just ahead of the checks. finish() (or the destructor) waits
/// for every layer added.
class LayerPool
{
public:
    using Work = std::function<void(const LayerJob &)>;
    LayerPool(unsigned jobs, Work work);
    ~LayerPool();
    LayerPool(const LayerPool &) = delete;
    LayerPool &operator=(const LayerPool &) = delete;

    void add(LayerJob job);
    void finish();

private:
    void run();

    Work m_work;
    std::mutex m_mutex;
    std::condition_variable m_ready, m_space;
    std::deque<LayerJob> m_queue;
    std::size_t m_limit;
    bool m_closing = false;
    std::vector<std::thread> m_threads;
};

/// A timeline of a region: where it is, its path below the region's root (what --shard
/// hashes) and its layers with their bytes.
struct RegionTimeline
{
    std::string path, relative;
    /// tenants/<tenant>/timelines/<timeline>/ without the tenant shard: the same for every
    /// shard's copy of one timeline, which --shard and the Dask driver keep together.
    std::string copiesOf;
    std::uint64_t layers = 0, bytes = 0;
};

/// Timelines below `root` in Neon's layout (`tenants/*/timelines/*/`): directories of a local
/// tree or prefixes of an s3:// one (one listing for the whole region), in path order. A root
/// inside the layout narrows the region: `ROOT/tenants/<tenant>` is every shard of the tenant,
/// `.../<tenant>-<shard>` one shard, `.../timelines/<timeline>` one timeline (relative paths stay
/// relative to ROOT). Nullopt, the reason printed, when `root` cannot be listed.
std::optional<std::vector<RegionTimeline>> findTimelines(const std::string &root);
/// --shard K/N: whether the timeline whose copies are `copiesOf` is in share K (FNV-1a of the
/// path, so that every run and every machine splits a region the same way, and a sharded
/// tenant's copies of a timeline stay in one share).
bool inShard(const std::string &copiesOf, std::uint64_t k, std::uint64_t n);

} // namespace layerscope::cli
