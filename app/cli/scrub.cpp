#include "scrub.h"

#include "cli.h"
#include "json.h"

#include <layerscope/base/hash.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/format/shard.h>
#include <layerscope/io/remote.h>

#include <layerscope/report/table.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace layerscope::cli {

namespace {

std::string layerKey(const std::string &path, std::uint64_t size, const std::string &version)
{
    return fmt::format("{}\n{}\n{}", path, size, version);
}

Counts countsOf(const Json &o)
{
    Counts c;
    c.errors = o.value("errors", std::size_t(0));
    c.warnings = o.value("warnings", std::size_t(0));
    c.infos = o.value("infos", std::size_t(0));
    return c;
}

Json countsJson(Json o, const Counts &c)
{
    o["errors"] = c.errors;
    o["warnings"] = c.warnings;
    o["infos"] = c.infos;
    return o;
}

} // namespace

Result<std::unique_ptr<ScrubState>> ScrubState::open(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return pathError("a resume file that can be created and written",
                         fmt::format("{}: {}", path, std::strerror(errno)));
    std::unique_ptr<ScrubState> state(new ScrubState(fd, path));
    std::string text;
    char buf[1 << 16];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
        if (n < 0)
            return pathError("a readable resume file",
                             fmt::format("{}: {}", path, std::strerror(errno)));
        text.append(buf, std::size_t(n));
    }
    // A run killed while writing leaves a last line without its newline: cut it off, so that
    // the next record starts on a line of its own.
    const std::size_t complete = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
    if (complete != text.size() && ::ftruncate(fd, off_t(complete)) != 0)
        return pathError("a writable resume file",
                         fmt::format("{}: {}", path, std::strerror(errno)));
    if (::lseek(fd, off_t(complete), SEEK_SET) < 0)
        return pathError("a seekable resume file",
                         fmt::format("{}: {}", path, std::strerror(errno)));
    std::size_t lineNo = 0;
    for (std::size_t at = 0; at < complete; ++lineNo) {
        const std::size_t start = at;
        const std::size_t end = text.find('\n', at);
        const Json o = Json::parse(text.begin() + std::ptrdiff_t(at),
                                   text.begin() + std::ptrdiff_t(end),
                                   nullptr,
                                   false);
        at = end + 1;
        if (o.is_object() && o.contains("layer") && o["layer"].is_string())
            state->m_layers[layerKey(o["layer"].get<std::string>(),
                                     o.value("size", std::uint64_t(0)),
                                     o.value("version", std::string()))]
                = countsOf(o);
        else if (o.is_object() && o.contains("timeline") && o["timeline"].is_string())
            state->m_timelines[o["timeline"].get<std::string>() + '\n'
                               + o.value("fingerprint", std::string())]
                = countsOf(o);
        else
            return pathError("a resume file written by layerctl check --resume (JSON lines)",
                             fmt::format("{}: line {} (at byte {}) is not one of its records",
                                         path,
                                         lineNo + 1,
                                         start));
    }
    return state;
}

ScrubState::ScrubState(int fd, std::string path)
    : m_fd(fd)
    , m_path(std::move(path))
{}

ScrubState::~ScrubState()
{
    ::close(m_fd);
}

std::optional<Counts> ScrubState::layer(const LayerJob &job) const
{
    if (job.version.empty())
        return std::nullopt;
    std::lock_guard lock(m_mutex);
    const auto it = m_layers.find(layerKey(job.path, job.size, job.version));
    return it == m_layers.end() ? std::nullopt : std::optional(it->second);
}

std::optional<Counts> ScrubState::timeline(const std::string &path,
                                           const std::string &fingerprint) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_timelines.find(path + '\n' + fingerprint);
    return it == m_timelines.end() ? std::nullopt : std::optional(it->second);
}

bool ScrubState::recordLayer(const LayerJob &job, const Counts &counts)
{
    if (job.version.empty())
        return true;
    std::lock_guard lock(m_mutex);
    m_layers[layerKey(job.path, job.size, job.version)] = counts;
    return append(
        jsonLine(countsJson(Json{{"layer", job.path}, {"size", job.size}, {"version", job.version}},
                            counts)));
}

bool ScrubState::recordTimeline(const std::string &path,
                                const std::string &fingerprint,
                                const Counts &counts)
{
    std::lock_guard lock(m_mutex);
    m_timelines[path + '\n' + fingerprint] = counts;
    return append(
        jsonLine(countsJson(Json{{"timeline", path}, {"fingerprint", fingerprint}}, counts)));
}

bool ScrubState::append(const std::string &line)
{
    for (std::size_t done = 0; done < line.size();) {
        const ssize_t n = ::write(m_fd, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += std::size_t(n);
    }
    return ::fdatasync(m_fd) == 0;
}

Progress::Progress(bool on)
    : m_on(on)
    , m_start(std::chrono::steady_clock::now())
{}

void Progress::expect(std::uint64_t layers, std::uint64_t bytes)
{
    std::lock_guard lock(m_mutex);
    m_layers += layers;
    m_bytes += bytes;
}

void Progress::finished(std::uint64_t bytes, bool resumed)
{
    {
        std::lock_guard lock(m_mutex);
        ++m_doneLayers;
        m_doneBytes += bytes;
        if (resumed)
            m_resumedBytes += bytes;
    }
    draw();
}

void Progress::clear()
{
    if (!m_on)
        return;
    std::lock_guard lock(m_mutex);
    if (m_drawn)
        std::fputs("\r\033[K", stderr);
    m_drawn = false;
}

void Progress::end()
{
    if (!m_on)
        return;
    draw(true);
    std::fputc('\n', stderr);
}

void Progress::draw(bool force)
{
    if (!m_on)
        return;
    std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (!force && m_drawn && now - m_lastDraw < std::chrono::milliseconds(200))
        return;
    m_lastDraw = now;
    // The rate counts what this run read, not what an earlier run left checked.
    const double seconds = std::chrono::duration<double>(now - m_start).count();
    const double rate = seconds > 0 ? double(m_doneBytes - m_resumedBytes) / seconds : 0;
    const std::uint64_t left = m_bytes > m_doneBytes ? m_bytes - m_doneBytes : 0;
    std::string eta = "--:--";
    if (rate > 0) {
        const auto s = std::uint64_t(double(left) / rate);
        eta = s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                        : fmt::format("{}:{:02}", s / 60, s % 60);
    }
    std::fputs(fmt::format("\r\033[Kcheck: {}/{} layers, {} of {}, {}/s, ETA {}",
                           m_doneLayers,
                           m_layers,
                           humanBytes(m_doneBytes),
                           humanBytes(m_bytes),
                           humanBytes(std::uint64_t(rate)),
                           eta)
                   .c_str(),
               stderr);
    std::fflush(stderr);
    m_drawn = true;
}

void Printer::emit(const std::string &text)
{
    if (text.empty())
        return;
    std::lock_guard lock(m_mutex);
    m_progress.clear();
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    m_progress.draw(true);
}

LayerPool::LayerPool(unsigned jobs, Work work)
    : m_work(std::move(work))
    , m_limit(4 * std::size_t(std::max(1u, jobs)))
{
    for (unsigned i = 0; i < std::max(1u, jobs); ++i)
        m_threads.emplace_back([this] { run(); });
}

LayerPool::~LayerPool()
{
    finish();
}

void LayerPool::add(LayerJob job)
{
    {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [this] { return m_queue.size() < m_limit; });
        m_queue.push_back(std::move(job));
    }
    m_ready.notify_one();
}

void LayerPool::finish()
{
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
    }
    m_ready.notify_all();
    for (std::thread &t : m_threads)
        t.join();
    m_threads.clear();
}

void LayerPool::run()
{
    for (;;) {
        LayerJob job;
        {
            std::unique_lock lock(m_mutex);
            m_ready.wait(lock, [this] { return m_closing || !m_queue.empty(); });
            if (m_queue.empty())
                return;
            job = std::move(m_queue.front());
            m_queue.pop_front();
        }
        m_space.notify_one();
        m_work(job);
    }
}

std::optional<std::vector<RegionTimeline>> findTimelines(const std::string &root)
{
    // A root inside the layout (a tenant, a tenant shard, a timeline) narrows the region to
    // it; every shard of a tenant named without one.
    const auto place = parseLayoutPath(root.ends_with('/') ? root : root + "/");
    const std::string regionRoot = place ? place->root : root;
    auto wanted = [&place](const LayoutPath &p) {
        return !place
               || (p.tenant == place->tenant && (place->slug.empty() || p.slug == place->slug)
                   && (place->timeline.empty() || p.timeline == place->timeline));
    };
    std::map<std::string, RegionTimeline> found; // by relative path
    auto add = [&](const std::string &path,
                   const std::string &relative,
                   const std::string &name,
                   std::uint64_t size) {
        const auto p = parseLayoutPath(relative);
        if (!p || !wanted(*p))
            return;
        RegionTimeline &t = found[relative];
        t.path = path;
        t.relative = relative;
        t.copiesOf = fmt::format("tenants/{}/timelines/{}/", p->tenant, p->timeline);
        // What the scrub will validate: layers Neon's layer map would hold (not temp files).
        const auto layer = LayerName::parse(name);
        if (layer && layer->tempSuffix.empty()) {
            ++t.layers;
            t.bytes += size;
        }
    };
    if (isRemotePath(regionRoot)) {
        auto url = parseObjectUrl(regionRoot.ends_with('/') ? regionRoot : regionRoot + "/");
        if (!url) {
            reportError(displayPath(root), url.error());
            return std::nullopt;
        }
        // One listing of everything below tenants/ (no delimiter: every S3-compatible store
        // lists keys, not all return common prefixes): tenants/T/timelines/TL/NAME. A tenant
        // named lists its shards' keys only.
        const std::string below = place ? "tenants/" + place->tenant : "tenants/";
        auto all = listObjects(url->withKey(url->key + below), remoteOptions());
        if (!all) {
            reportError(url->display, all.error());
            return std::nullopt;
        }
        for (const ObjectInfo &o : *all) {
            const std::string rel = o.key.substr(url->key.size());
            const auto p = parseLayoutPath(rel);
            if (!p || p->timeline.empty() || p->rest.empty()
                || p->rest.find('/') != std::string::npos)
                continue;
            const std::string timeline = rel.substr(0, rel.size() - p->rest.size());
            add(url->withKey(url->key + timeline).display, timeline, p->rest, o.size);
        }
    } else {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (!fs::is_directory(fs::path(regionRoot) / "tenants", ec)) {
            reportError(root,
                        "expected a directory with tenants/<tenant>/timelines/<timeline>/ below "
                        "it (Neon's remote layout)");
            return std::nullopt;
        }
        for (const auto &tenant : fs::directory_iterator(fs::path(regionRoot) / "tenants", ec))
            for (const auto &tl : fs::directory_iterator(tenant.path() / "timelines", ec)) {
                if (!tl.is_directory())
                    continue;
                const std::string relative = fs::relative(tl.path(), regionRoot).generic_string()
                                             + "/";
                add(tl.path().string(), relative, {}, 0);
                for (const auto &f : fs::directory_iterator(tl.path(), ec))
                    if (f.is_regular_file())
                        add(tl.path().string(),
                            relative,
                            f.path().filename().string(),
                            f.file_size(ec));
            }
    }
    std::vector<RegionTimeline> out;
    for (auto &[relative, t] : found)
        out.push_back(std::move(t));
    return out;
}

bool inShard(const std::string &copiesOf, std::uint64_t k, std::uint64_t n)
{
    return fnv1a(copiesOf) % n == k - 1;
}

} // namespace layerscope::cli
