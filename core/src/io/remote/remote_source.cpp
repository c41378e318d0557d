// RemoteSource: an object's bytes as one span, pages fetched when first touched.
//
// The span is an anonymous mapping registered with userfaultfd (missing mode). A touch of a
// page that is not there stops the touching thread in the kernel and queues a fault event;
// the handler thread turns it into a fetch job, a fetcher thread GETs the aligned run of
// blocks and copies it in with UFFDIO_COPY, which wakes the thread. Eviction is
// MADV_DONTNEED: the next touch faults again. A failure zero-fills the pages (the reader must
// wake up) and is kept in failure() for the caller to check.

#include "http.h"

#include <layerscope/io/remote.h>

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <mutex>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace layerscope {

namespace {

constexpr std::uint64_t kFetchBlock = 64 << 10;  ///< the unit of fetching and caching
constexpr std::uint64_t kMaxRun = 16;            ///< blocks per demand or read-ahead GET (1 MiB)
constexpr std::uint64_t kStreamRun = 128;        ///< blocks per streaming GET (8 MiB)
const std::uint64_t kPage = std::uint64_t(::sysconf(_SC_PAGESIZE));

long envNumber(const char *name, long fallback)
{
    const char *v = std::getenv(name);
    if (!v || !*v)
        return fallback;
    char *end = nullptr;
    const long n = std::strtol(v, &end, 10);
    return end && *end == 0 && n >= 0 ? n : fallback;
}

/// A userfaultfd: the syscall (root, or vm.unprivileged_userfaultfd), else /dev/userfaultfd
/// (its group), else user-mode faults only (then a kernel copy out of a missing page fails
/// instead of waiting: every read path here touches pages from user space first).
int openUserfaultfd(std::string &why)
{
    int fd = int(::syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
    if (fd < 0) {
        const int dev = ::open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
        if (dev >= 0) {
            fd = ::ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
            ::close(dev);
        }
    }
    if (fd < 0)
        fd = int(::syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY));
    if (fd < 0) {
        why = fmt::format("userfaultfd is not available ({})", std::strerror(errno));
        return -1;
    }
    uffdio_api api{};
    api.api = UFFD_API;
    if (::ioctl(fd, UFFDIO_API, &api) != 0) {
        why = fmt::format("userfaultfd API handshake failed ({})", std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

RemoteOptions RemoteOptions::interactive()
{
    RemoteOptions o;
    o.stallTimeoutMs = 5000;
    o.connectTimeoutMs = 5000;
    o.attempts = 3;
    return fromEnvironment(o);
}

RemoteOptions RemoteOptions::fromEnvironment(RemoteOptions defaults)
{
    RemoteOptions o = std::move(defaults);
    o.connectTimeoutMs = envNumber("LAYERSCOPE_REMOTE_CONNECT_TIMEOUT_MS", o.connectTimeoutMs);
    o.stallTimeoutMs = envNumber("LAYERSCOPE_REMOTE_STALL_TIMEOUT_MS", o.stallTimeoutMs);
    o.attempts = int(envNumber("LAYERSCOPE_REMOTE_ATTEMPTS", o.attempts));
    o.backoffMs = envNumber("LAYERSCOPE_REMOTE_BACKOFF_MS", o.backoffMs);
    return o;
}

struct RemoteSource::Impl
{
    enum class State : std::uint8_t { Missing, InFlight, Resident, Zero };
    struct Job
    {
        std::uint64_t first, end; ///< blocks [first, end)
        bool marker;              ///< hold back the first page: touching it asks for more
    };
    struct Held
    {
        ByteVector page;
        std::uint64_t next; ///< the block after the job it belongs to
    };

    ObjectUrl url;
    RemoteOptions options;
    remote::Pin pin;
    std::uint64_t size = 0;
    std::uint8_t *base = nullptr;
    std::uint64_t mapLen = 0;
    int uffd = -1;
    int stopFd = -1;
    std::uint64_t blocks = 0;

    mutable std::mutex m;
    std::condition_variable cv;
    std::vector<State> state;
    std::vector<bool> waitedOn; ///< a reader touched the block while its GET was in flight
    std::vector<bool> released; ///< resident, and a pass said it is done with it: evicted first
    std::uint64_t releasedBytes = 0;
    std::deque<Job> queue;
    std::deque<std::uint64_t> fetchOrder; ///< resident blocks, oldest fetched first
    std::uint64_t residentBytes = 0;
    std::unordered_map<std::uint64_t, Held> held; ///< page index → its bytes
    std::optional<Error> failure;
    std::uint64_t demandNext = ~0ull; ///< the block after the last demand run
    std::uint64_t demandRun = 1;
    // willRead: the range still to stream, block-wise.
    std::uint64_t streamNext = 0, streamEnd = 0;
    bool stopping = false;

    std::atomic<std::uint64_t> requests{0}, bytesFetched{0}, retries{0};
    std::thread handler;
    std::vector<std::thread> fetchers;

    std::uint64_t blockBytes(std::uint64_t b) const
    {
        return std::min(kFetchBlock, size - b * kFetchBlock);
    }

    /// Copies `len` bytes (page multiple) at `off` into the mapping; pages already there are
    /// skipped. Wakes the threads waiting on them.
    void copyIn(std::uint64_t off, const std::uint8_t *src, std::uint64_t len)
    {
        std::uint64_t done = 0;
        while (done < len) {
            uffdio_copy c{};
            c.dst = reinterpret_cast<std::uint64_t>(base + off + done);
            c.src = reinterpret_cast<std::uint64_t>(src + done);
            c.len = len - done;
            if (::ioctl(uffd, UFFDIO_COPY, &c) == 0) {
                done = len;
            } else if (errno == EEXIST) {
                done += c.copy > 0 ? std::uint64_t(c.copy) : 0;
                done += kPage; // that page is there already
                wake(off + done - kPage, kPage);
            } else if (errno == EAGAIN && c.copy > 0) {
                done += std::uint64_t(c.copy);
            } else {
                return; // the mapping is going away
            }
        }
    }

    void zeroIn(std::uint64_t off, std::uint64_t len)
    {
        for (std::uint64_t p = 0; p < len; p += kPage) {
            uffdio_zeropage z{};
            z.range.start = reinterpret_cast<std::uint64_t>(base + off + p);
            z.range.len = kPage;
            if (::ioctl(uffd, UFFDIO_ZEROPAGE, &z) != 0 && errno == EEXIST)
                wake(off + p, kPage);
        }
    }

    void wake(std::uint64_t off, std::uint64_t len)
    {
        uffdio_range r{reinterpret_cast<std::uint64_t>(base + off), len};
        ::ioctl(uffd, UFFDIO_WAKE, &r);
    }

    /// Queues [first, first + want) cut at the first block that is not missing. Lock held.
    /// Returns the block after the queued run (first when nothing was queued).
    std::uint64_t queueRun(std::uint64_t first, std::uint64_t want, bool marker, bool front)
    {
        std::uint64_t end = first;
        while (end < blocks && end < first + want && state[end] == State::Missing)
            state[end++] = State::InFlight;
        if (end > first) {
            const Job j{first, end, marker && end - first > 1};
            if (front)
                queue.push_front(j);
            else
                queue.push_back(j);
            cv.notify_one();
        }
        return end;
    }

    /// willRead's stream: more runs while the cache has room for them. Lock held.
    void feedStream()
    {
        while (streamNext < streamEnd
               && residentBytes - releasedBytes + inFlightBytes() < options.cacheBytes / 2) {
            while (streamNext < streamEnd && state[streamNext] != State::Missing)
                ++streamNext;
            if (streamNext >= streamEnd)
                break;
            streamNext = queueRun(streamNext, std::min(kStreamRun, streamEnd - streamNext), false,
                                  false);
        }
    }

    std::uint64_t inFlightBytes() const
    {
        std::uint64_t n = 0;
        for (const Job &j : queue)
            n += (j.end - j.first) * kFetchBlock;
        return n;
    }

    /// Evicts the oldest fetched blocks until the cache fits. Lock held.
    void evict()
    {
        while (residentBytes > options.cacheBytes && !fetchOrder.empty()) {
            const std::uint64_t b = fetchOrder.front();
            fetchOrder.pop_front();
            if (state[b] != State::Resident)
                continue;
            dropBlock(b);
        }
    }

    void dropBlock(std::uint64_t b)
    {
        if (released[b]) {
            released[b] = false;
            releasedBytes -= blockBytes(b);
        }
        state[b] = State::Missing;
        residentBytes -= blockBytes(b);
        const std::uint64_t off = b * kFetchBlock;
        const std::uint64_t len = std::min(kFetchBlock, mapLen - off);
        for (std::uint64_t p = off / kPage; p < (off + len) / kPage; ++p)
            held.erase(p);
        ::madvise(base + off, len, MADV_DONTNEED);
    }

    void onFault(std::uint64_t off)
    {
        const std::uint64_t page = off / kPage;
        const std::uint64_t b = off / kFetchBlock;
        std::unique_lock lock(m);
        if (auto h = held.find(page); h != held.end()) {
            // The read-ahead marker: the reader reached this run, so fetch the next one.
            Held mine = std::move(h->second);
            held.erase(h);
            const std::uint64_t next = mine.next;
            if (!failure)
                queueRun(next, kMaxRun, true, false);
            lock.unlock();
            copyIn(page * kPage, mine.page.data(), kPage);
            return;
        }
        if (failure) {
            lock.unlock();
            zeroIn(page * kPage, kPage);
            return;
        }
        switch (state[b]) {
        case State::Resident:
        case State::Zero:
            lock.unlock();
            wake(page * kPage, kPage);
            return;
        case State::InFlight:
            waitedOn[b] = true; // its copy wakes the reader; it must not be held back
            return;
        case State::Missing:
            break;
        }
        const bool sequential = b == demandNext;
        demandRun = sequential ? std::min(demandRun * 2, kMaxRun) : 1;
        const std::uint64_t end = queueRun(b, demandRun, false, true);
        demandNext = end;
        if (sequential) // read ahead one run, with a marker to ask for the one after
            queueRun(end, demandRun, true, false);
    }

    void handlerLoop()
    {
        pollfd fds[2] = {{uffd, POLLIN, 0}, {stopFd, POLLIN, 0}};
        for (;;) {
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                return;
            }
            if (fds[1].revents)
                return;
            uffd_msg msg{};
            const ssize_t n = ::read(uffd, &msg, sizeof msg);
            if (n != ssize_t(sizeof msg) || msg.event != UFFD_EVENT_PAGEFAULT)
                continue;
            const std::uint64_t addr = msg.arg.pagefault.address & ~(kPage - 1);
            onFault(addr - reinterpret_cast<std::uint64_t>(base));
        }
    }

    void fetcherLoop()
    {
        remote::Http http(options);
        ByteVector buffer;
        for (;;) {
            Job job{};
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return stopping || !queue.empty(); });
                if (stopping)
                    return;
                job = queue.front();
                queue.pop_front();
            }
            const std::uint64_t off = job.first * kFetchBlock;
            const std::uint64_t len = std::min(job.end * kFetchBlock, size) - off;
            const std::uint64_t padded = std::min((len + kPage - 1) / kPage * kPage, mapLen - off);
            bool failed = false;
            {
                std::unique_lock lock(m);
                failed = failure.has_value();
            }
            Result<remote::Response> r = failed ? Result<remote::Response>(Error{})
                                                : http.get(url, off, len, pin, &requests,
                                                           &bytesFetched, &retries);
            if (r) {
                ByteVector &body = r->body;
                body.resize(padded, 0);
                std::uint64_t skip = 0;
                if (job.marker) {
                    std::lock_guard lock(m);
                    if (waitedOn[job.first]) { // the reader is there already: read on now
                        queueRun(job.end, kMaxRun, true, false);
                    } else {
                        held[off / kPage] = Held{ByteVector(body.begin(), body.begin() + std::ptrdiff_t(kPage)),
                                                 job.end};
                        skip = kPage;
                    }
                }
                copyIn(off + skip, body.data() + skip, padded - skip);
                std::lock_guard lock(m);
                for (std::uint64_t b = job.first; b < job.end; ++b) {
                    waitedOn[b] = false;
                    state[b] = State::Resident;
                    residentBytes += blockBytes(b);
                    fetchOrder.push_back(b);
                }
                evict();
                feedStream();
            } else {
                bool first = false;
                {
                    std::lock_guard lock(m);
                    if (!failure && !failed) {
                        failure = r.error();
                        first = true;
                    }
                    for (std::uint64_t b = job.first; b < job.end; ++b) {
                        waitedOn[b] = false;
                        state[b] = State::Zero;
                    }
                }
                zeroIn(off, padded);
                if (first && options.onFailure)
                    options.onFailure(url.display, r.error());
            }
        }
    }
};

RemoteSource::RemoteSource(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Result<std::shared_ptr<RemoteSource>> RemoteSource::open(const ObjectUrl &url,
                                                         const RemoteOptions &options)
{
    auto impl = std::make_unique<Impl>();
    impl->url = url;
    impl->options = options;
    impl->options.parallel = std::max(1u, options.parallel);
    // The first block, which tells the size and the ETag.
    remote::Http http(options);
    auto first = http.get(url, 0, kFetchBlock, {}, &impl->requests, &impl->bytesFetched,
                          &impl->retries);
    if (!first) {
        Error e = first.error();
        e.pathLevel = true;
        return e;
    }
    Impl &d = *impl;
    d.size = first->totalSize ? first->totalSize : first->body.size();
    if (first->status == 200)
        d.size = first->body.size();
    if (first->body.size() != std::min(kFetchBlock, d.size))
        return pathError(fmt::format("{} with a consistent size", url.display),
                         fmt::format("{} bytes for the first block of a {}-byte object",
                                     first->body.size(), d.size),
                         ErrorKind::Io);
    d.pin = remote::Pin{first->etag, d.size};
    d.blocks = (d.size + kFetchBlock - 1) / kFetchBlock;
    d.state.assign(d.blocks, Impl::State::Missing);
    d.waitedOn.assign(d.blocks, false);
    d.released.assign(d.blocks, false);
    if (d.size == 0)
        return std::shared_ptr<RemoteSource>(new RemoteSource(std::move(impl)));
    std::string why;
    d.uffd = openUserfaultfd(why);
    if (d.uffd < 0)
        return pathError("a way to map a remote object (Linux userfaultfd)", why, ErrorKind::Io);
    d.mapLen = (d.size + kPage - 1) / kPage * kPage;
    void *p = ::mmap(nullptr, d.mapLen, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        ::close(d.uffd);
        return pathError(fmt::format("{} bytes of address space", d.mapLen), std::strerror(errno),
                         ErrorKind::Io);
    }
    d.base = static_cast<std::uint8_t *>(p);
    uffdio_register reg{};
    reg.range.start = reinterpret_cast<std::uint64_t>(d.base);
    reg.range.len = d.mapLen;
    reg.mode = UFFDIO_REGISTER_MODE_MISSING;
    if (::ioctl(d.uffd, UFFDIO_REGISTER, &reg) != 0) {
        const int err = errno;
        ::munmap(d.base, d.mapLen);
        ::close(d.uffd);
        return pathError("a userfaultfd registration", std::strerror(err), ErrorKind::Io);
    }
    d.stopFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ByteVector block = std::move(first->body);
    const std::uint64_t padded = std::min((block.size() + kPage - 1) / kPage * kPage, d.mapLen);
    block.resize(padded, 0);
    d.copyIn(0, block.data(), padded);
    d.state[0] = Impl::State::Resident;
    d.residentBytes = d.blockBytes(0);
    d.fetchOrder.push_back(0);
    d.handler = std::thread([&d] { d.handlerLoop(); });
    for (unsigned i = 0; i < d.options.parallel; ++i)
        d.fetchers.emplace_back([&d] { d.fetcherLoop(); });
    return std::shared_ptr<RemoteSource>(new RemoteSource(std::move(impl)));
}

Result<std::shared_ptr<RemoteSource>> RemoteSource::open(std::string_view url,
                                                         const RemoteOptions &options)
{
    auto parsed = parseObjectUrl(url);
    if (!parsed)
        return parsed.error();
    return open(*parsed, options);
}

RemoteSource::~RemoteSource()
{
    Impl &d = *m_impl;
    {
        std::lock_guard lock(d.m);
        d.stopping = true;
    }
    d.cv.notify_all();
    for (auto &t : d.fetchers)
        t.join();
    if (d.stopFd >= 0) {
        const std::uint64_t one = 1;
        (void)!::write(d.stopFd, &one, sizeof one);
    }
    if (d.handler.joinable())
        d.handler.join();
    if (d.base)
        ::munmap(d.base, d.mapLen);
    if (d.uffd >= 0)
        ::close(d.uffd);
    if (d.stopFd >= 0)
        ::close(d.stopFd);
}

Bytes RemoteSource::bytes() const
{
    return {m_impl->base, m_impl->size};
}

const std::string &RemoteSource::name() const
{
    return m_impl->url.display;
}

const std::string &RemoteSource::etag() const
{
    return m_impl->pin.etag;
}

void RemoteSource::release(std::uint64_t offset, std::uint64_t length) const
{
    Impl &d = *m_impl;
    std::lock_guard lock(d.m);
    // Kept (a later pass may want them: fetching again costs a request, unlike a page cache),
    // but first in line when the cache is full, and no longer holding back read-ahead.
    const std::uint64_t first = (offset + kFetchBlock - 1) / kFetchBlock;
    const std::uint64_t end = std::min(d.blocks, (offset + length) / kFetchBlock);
    for (std::uint64_t b = first; b < end; ++b)
        if (d.state[b] == Impl::State::Resident && !d.released[b]) {
            d.released[b] = true;
            d.releasedBytes += d.blockBytes(b);
            d.fetchOrder.push_front(b);
        }
    d.feedStream();
}

void RemoteSource::willRead(std::uint64_t offset, std::uint64_t length) const
{
    Impl &d = *m_impl;
    std::lock_guard lock(d.m);
    if (d.failure)
        return;
    d.streamNext = std::min(d.blocks, offset / kFetchBlock);
    d.streamEnd = std::min(d.blocks, (offset + length + kFetchBlock - 1) / kFetchBlock);
    d.feedStream();
}

RemoteCounters RemoteSource::counters() const
{
    return {m_impl->requests.load(), m_impl->bytesFetched.load(), m_impl->retries.load()};
}

std::optional<Error> RemoteSource::failure() const
{
    std::lock_guard lock(m_impl->m);
    return m_impl->failure;
}

void RemoteSource::retry()
{
    Impl &d = *m_impl;
    std::lock_guard lock(d.m);
    d.failure.reset();
    for (std::uint64_t b = 0; b < d.blocks; ++b)
        if (d.state[b] == Impl::State::Zero) {
            d.state[b] = Impl::State::Resident; // so that dropBlock's accounting holds
            d.residentBytes += d.blockBytes(b);
            d.dropBlock(b);
        }
}

} // namespace layerscope
