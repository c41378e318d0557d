#include <layerscope/report/diff.h>

#include <layerscope/dissect/dissect.h>
#include <layerscope/format/summary.h>
#include <layerscope/index/tree_walk.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <mutex>
#include <thread>

namespace layerscope {

namespace {

constexpr std::size_t kBatch = 4096;
constexpr std::size_t kQueuedBatches = 4;

struct Slot
{
    IndexKey key;
    std::uint64_t value = 0;
};

/// Walks one index on its own thread, handing over batches of (key, value) through a bounded
/// queue. The destructor stops the walk and joins.
class EntryStream
{
public:
    explicit EntryStream(const Layer &layer)
        : m_tree(layer.tree())
    {
        m_thread = std::thread([this] { run(); });
    }
    ~EntryStream()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    /// The next entry, or nullptr at the end (then error() tells whether the walk failed).
    const Slot *next()
    {
        if (m_pos == m_current.size()) {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return !m_queue.empty() || m_done; });
            if (m_queue.empty())
                return nullptr;
            m_current = std::move(m_queue.front());
            m_queue.pop_front();
            m_pos = 0;
            lock.unlock();
            m_cv.notify_all();
        }
        return &m_current[m_pos++];
    }
    const std::optional<Error> &error() const { return m_error; }

private:
    void run()
    {
        std::vector<Slot> batch;
        batch.reserve(kBatch);
        auto hand = [&] {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_queue.size() < kQueuedBatches || m_stop; });
            if (m_stop)
                return false;
            m_queue.push_back(std::move(batch));
            batch = {};
            batch.reserve(kBatch);
            lock.unlock();
            m_cv.notify_all();
            return true;
        };
        const Status st = forEachEntry(m_tree, WalkOrder{}, [&](Bytes key, std::uint64_t value) {
            batch.push_back({IndexKey::from(key), value});
            return batch.size() < kBatch || hand();
        });
        if (!batch.empty())
            hand();
        std::lock_guard lock(m_mutex);
        if (!st && !m_stop)
            m_error = st.error();
        m_done = true;
        m_cv.notify_all();
    }

    BTreeReader m_tree;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::vector<Slot>> m_queue;
    bool m_stop = false;
    bool m_done = false;
    std::optional<Error> m_error;
    std::vector<Slot> m_current;
    std::size_t m_pos = 0;
};

/// The 18-byte key of an index key (delta keys carry the LSN after it).
Bytes keyPart(const IndexKey &k)
{
    return k.view().first(std::min<std::size_t>(k.len, Key::kSize));
}

int compareBytes(Bytes a, Bytes b)
{
    const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    if (c != 0)
        return c;
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

/// Empty when both values are the same content, else what differs.
std::string compareValues(const Layer &la, const Entry &a, const Layer &lb, const Entry &b)
{
    if (la.kind() == LayerKind::Delta && a.willInit != b.willInit)
        return fmt::format("will_init: {} vs {}", a.willInit, b.willInit);
    auto ha = la.blobHeader(a);
    auto hb = lb.blobHeader(b);
    if (!ha || !hb)
        return !ha ? "A: " + ha.error().message() : "B: " + hb.error().message();
    // Stored plainly on both sides: compare in place, without copying.
    ByteVector pa, pb;
    Bytes va, vb;
    if (ha->compression == Compression::None && hb->compression == Compression::None) {
        va = la.bytes().subspan(ha->payloadOffset(), ha->storedLen);
        vb = lb.bytes().subspan(hb->payloadOffset(), hb->storedLen);
    } else {
        auto ra = la.payload(a);
        auto rb = lb.payload(b);
        if (!ra || !rb)
            return !ra ? "A: " + ra.error().message() : "B: " + rb.error().message();
        pa = std::move(*ra);
        pb = std::move(*rb);
        va = pa;
        vb = pb;
    }
    if (va.size() == vb.size() && (va.empty() || std::memcmp(va.data(), vb.data(), va.size()) == 0))
        return {};
    // Different: find the first differing byte (memcmp a block at a time, then the byte).
    const std::size_t common = std::min(va.size(), vb.size());
    std::size_t at = 0;
    constexpr std::size_t kBlock = 4096;
    while (at + kBlock <= common && std::memcmp(va.data() + at, vb.data() + at, kBlock) == 0)
        at += kBlock;
    while (at < common && va[at] == vb[at])
        ++at;
    return fmt::format("payload: {} vs {} bytes, first difference at byte {}", va.size(), vb.size(), at);
}

bool isLayoutField(const std::string &name)
{
    return name == summaryField(LayerKind::Image, SummaryFieldId::IndexStart).name
           || name == summaryField(LayerKind::Image, SummaryFieldId::IndexRoot).name;
}

} // namespace

const char *differenceKindName(EntryDifference::Kind kind)
{
    switch (kind) {
    case EntryDifference::Kind::OnlyInA: return "only-in-a";
    case EntryDifference::Kind::OnlyInB: return "only-in-b";
    case EntryDifference::Kind::Changed: return "changed";
    }
    return "?";
}

std::vector<ByteRange> differingRuns(Bytes a, Bytes b, std::size_t maxRuns)
{
    std::vector<ByteRange> runs;
    const std::size_t common = std::min(a.size(), b.size());
    const std::size_t longer = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < common;) {
        if (a[i] == b[i]) {
            ++i;
            continue;
        }
        if (maxRuns && runs.size() + 1 == maxRuns) {
            runs.push_back({i, longer});
            return runs;
        }
        const std::size_t begin = i;
        while (i < common && a[i] != b[i])
            ++i;
        runs.push_back({begin, i});
    }
    if (common < longer) {
        if (!runs.empty() && runs.back().end == common)
            runs.back().end = longer;
        else
            runs.push_back({common, longer});
    }
    return runs;
}

std::vector<std::string> differenceColumns()
{
    return {"Kind", "Key", "LSN", "Key described", "A blob offset", "B blob offset", "Detail"};
}

std::vector<TableCell> differenceCells(const EntryDifference &d, bool delta)
{
    const Entry &e = d.a ? *d.a : *d.b;
    auto offset = [](const std::optional<Entry> &x) {
        return x ? TableCell{fmt::format("0x{:x}", x->blobOffset), double(x->blobOffset)} : textCell("");
    };
    return {textCell(differenceKindName(d.kind)), textCell(e.key.toHex()), textCell(delta ? e.lsn.toString() : ""),
            textCell(e.key.describe()), offset(d.a), offset(d.b), textCell(d.detail)};
}

Result<DiffReport> diffLayers(const Layer &a, const Layer &b,
                              const std::function<bool(const EntryDifference &)> &onDifference,
                              const DiffOptions &options, char *failedLayer)
{
    DiffReport report;
    report.keysOnly = options.keysOnly || a.kind() != b.kind();
    // Summaries: the dissection's fields, by name.
    const Field sa = dissectSummary(DissectContext::of(a.bytes(), a.kind()));
    const Field sb = dissectSummary(DissectContext::of(b.bytes(), b.kind()));
    for (const Field &fa : sa.children) {
        if (fa.name == "padding")
            continue;
        const auto fb = std::find_if(sb.children.begin(), sb.children.end(),
                                     [&](const Field &f) { return f.name == fa.name; });
        const std::string vb = fb == sb.children.end() ? "(none)" : fb->value;
        if (fa.value != vb)
            (isLayoutField(fa.name) ? report.layout : report.summary).push_back({fa.name, fa.value, vb});
    }
    for (const Field &fb : sb.children)
        if (fb.name != "padding"
            && std::none_of(sa.children.begin(), sa.children.end(), [&](const Field &f) { return f.name == fb.name; }))
            report.summary.push_back({fb.name, "(none)", fb.value});

    EntryStream streamA(a);
    EntryStream streamB(b);
    // A walk that fails ends the diff at once: nothing is listed as "only in" the other
    // layer because of damage.
    std::optional<Error> failed;
    auto checked = [&](EntryStream &s, const Slot *n) {
        if (!n && s.error()) {
            failed = s.error();
            if (failedLayer)
                *failedLayer = &s == &streamA ? 'A' : 'B';
        }
        return n;
    };
    // Keys only: a delta's runs of one key count once.
    auto advance = [&](EntryStream &s, const Slot *prev) -> const Slot * {
        const Slot *n = s.next();
        if (report.keysOnly && prev)
            while (n && compareBytes(keyPart(n->key), keyPart(prev->key)) == 0)
                n = s.next();
        return checked(s, n);
    };
    Slot lastA, lastB;  // copies: next() may reuse the batch the pointer is in
    const Slot *ea = checked(streamA, streamA.next());
    const Slot *eb = checked(streamB, streamB.next());
    bool listing = true;
    std::uint64_t compared = 0;
    auto emit = [&](EntryDifference d) {
        if (listing && onDifference)
            listing = onDifference(d);
    };
    while ((ea || eb) && !failed) {
        if (options.progress && (++compared & 0xFFFF) == 0
            && !options.progress(compared, ea ? a.entry(ea->key, ea->value).blobOffset : b.entry(eb->key, eb->value).blobOffset))
            return makeError(0, "the diff to finish", "cancelled");
        int c;
        if (!ea)
            c = 1;
        else if (!eb)
            c = -1;
        else
            c = report.keysOnly ? compareBytes(keyPart(ea->key), keyPart(eb->key))
                                : compareBytes(ea->key.view(), eb->key.view());
        if (c < 0) {
            ++report.onlyInA;
            emit({EntryDifference::Kind::OnlyInA, a.entry(ea->key, ea->value), std::nullopt, {}});
            lastA = *ea;
            ea = advance(streamA, &lastA);
        } else if (c > 0) {
            ++report.onlyInB;
            emit({EntryDifference::Kind::OnlyInB, std::nullopt, b.entry(eb->key, eb->value), {}});
            lastB = *eb;
            eb = advance(streamB, &lastB);
        } else {
            if (report.keysOnly) {
                ++report.equal;
            } else {
                const Entry xa = a.entry(ea->key, ea->value);
                const Entry xb = b.entry(eb->key, eb->value);
                std::string detail = compareValues(a, xa, b, xb);
                if (detail.empty()) {
                    ++report.equal;
                } else {
                    ++report.changed;
                    emit({EntryDifference::Kind::Changed, xa, xb, std::move(detail)});
                }
            }
            lastA = *ea;
            lastB = *eb;
            ea = advance(streamA, &lastA);
            eb = advance(streamB, &lastB);
        }
    }
    if (failed)
        return *failed;
    return report;
}

} // namespace layerscope
