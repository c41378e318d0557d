#include <layerscope/check/validate.h>

#include "problem_list.h"

#include <layerscope/base/ordered_pool.h>
#include <layerscope/check/entry_check.h>
#include <layerscope/check/registry.h>
#include <layerscope/format/blob.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/format/pg_page.h>
#include <layerscope/format/summary.h>
#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/index/btree.h>
#include <layerscope/index/tree_walk.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <map>
#include <mutex>
#include <tuple>

namespace layerscope {

namespace {

/// How many entries ahead the payload checks prefetch a blob (memory latency hiding): its header
/// line at twice this distance, the rest of its first kPrefetchBytes at this distance. Most
/// WAL records fit; the CRC of a longer one streams on with the hardware's own prefetch.
constexpr std::size_t kPrefetchAhead = 8;
constexpr std::uint64_t kPrefetchBytes = 512;
/// Released ranges are gathered up to this size before the pages are given back.
constexpr std::uint64_t kReleaseChunk = 64 << 20;
/// Bytes scanned between two releases when reading long stretches (padding, leaf scans).
constexpr std::uint64_t kScanChunk = 4 << 20;

/// First non-zero byte in [from, to), skipping holes and releasing what it has read.
std::optional<FileOffset> firstNonZero(const ByteSource &src, FileOffset from, FileOffset to)
{
    const Bytes file = src.bytes();
    to = std::min<FileOffset>(to, file.size());
    while (from < to) {
        const auto [data, dataEnd] = src.dataRange(from);
        if (data >= to)
            return std::nullopt;
        const FileOffset end = std::min({dataEnd, to, data + kScanChunk});
        const auto *b = file.data() + data, *e = file.data() + end;
        const auto *nz = std::find_if(b, e, [](std::uint8_t c) { return c != 0; });
        src.release(data, end - data);
        if (nz != e)
            return FileOffset(nz - file.data());
        from = end;
    }
    return std::nullopt;
}
class Validator
{
public:
    Validator(const ByteSource &src, const ValidateOptions &o)
        : m_src(src), m_file(src.bytes()), m_opt(o), m_list(o.maxProblems)
    {}

    ValidationReport run();

private:
    void runChecks();
    Problem &add(CheckAs check, std::string message, FileOffset offset,
                 std::uint64_t length)
    {
        return m_list.add(makeProblem(check, std::move(message), offset, length));
    }
    bool progress()
    {
        if (m_opt.progress && !m_opt.progress(m_done, m_total)) {
            m_report.cancelled = true;
            return false;
        }
        return true;
    }

    void checkSummary();
    bool checkIndexLocation();
    void walkTree();
    WalkAction enterNode(const NodeView &n, const WalkLink &link);
    WalkAction walkFault(WalkFault why, const WalkLink &link, const Error &error);
    void checkNode(const NodeView &n, int depth);
    void checkValueArea();
    /// An entry whose blob header read, as the placement checks need it at the merge (kept
    /// small: one per entry). What a problem names about its entry is read back from the leaf.
    struct PlacedBlob
    {
        FileOffset at = 0, end = 0;
        std::uint32_t leaf = 0;   ///< index into m_leaves
        std::uint32_t index = 0;  ///< entry in that leaf
        bool zstd = false;
        bool nonCanonical = false;  ///< a 4-byte header on a plain payload under 128 bytes
    };
    /// A leaf found by the structural walk, with the index-order position of its first entry.
    struct LeafRef
    {
        NodeView node;
        std::uint64_t firstPosition = 0;
    };
    /// Consecutive leaves checked as one unit of work, on any thread.
    struct Task
    {
        std::size_t firstLeaf = 0, endLeaf = 0;
    };
    /// What a task found, merged in task order on the calling thread.
    /// A copy of a record of 2+ blocks, and the entry it is filed as.
    struct PlacedCopy
    {
        RecordCopy id;
        Lsn lsn;
        std::uint32_t leaf = 0;   ///< index into m_leaves
        std::uint32_t index = 0;  ///< entry in that leaf
    };
    struct TaskResult
    {
        std::vector<Problem> problems;
        std::vector<PlacedBlob> placed;  ///< entries whose blob header reads, in index order
        std::vector<PlacedCopy> copies;  ///< in index order
        std::uint64_t entries = 0;
        FileOffset valuesLo = ~FileOffset(0), valuesHi = 0;
    };
    /// Per-task running state over leaf entries in index order.
    struct EntryState
    {
        explicit EntryState(TaskResult &o) : out(o) {}
        TaskResult &out;
        std::uint64_t position = 0;
        std::array<std::uint8_t, 256> prevKey{};  ///< the last key of the leaf before
        bool havePrev = false;
        std::optional<Key> plausibleKey;  ///< the last key found plausible
        Problem &add(CheckAs check, std::string message, FileOffset offset, std::uint64_t length)
        {
            return pushProblem(out.problems, check, std::move(message), offset, length);
        }
    };
    void checkKeyOrderInNode(const NodeView &n, std::vector<Problem> &out) const;
    void checkEntry(EntryState &st, std::uint32_t leafIndex, std::size_t i, Bytes key) const;
    /// Entry `i` of leaf `leafIndex`, as problems name it.
    EntryRef entryRef(std::uint32_t leafIndex, std::size_t i) const;
    /// Fills `out`, whose buffers are reused from an earlier task (no allocation per task).
    void runTask(const Task &task, TaskResult &out) const;
    void mergeTask(const Task &task, TaskResult &result);
    /// A range of bytes to release once it is large or the next one is elsewhere.
    struct ReleaseRun
    {
        FileOffset lo = 0, hi = 0;
        void add(const ByteSource &src, FileOffset from, FileOffset to);
        void flush(const ByteSource &src);
    };
    ReleaseRun m_leafRelease, m_valueRelease;
    void checkLeaves();
    void runTasks();
    /// In index order, at the merge: blobs back to back, counters.
    void checkPlacement(const PlacedBlob &blob);
    /// Compares a record's copy with the last copy of it seen, if still remembered: a fixed
    /// table of recent records (memory bounded whatever the layer's size), in index order.
    void checkCopy(const PlacedCopy &copy);
    std::vector<LeafRef> m_leaves;

    /// A leaf value's blob offset (a delta's value holds it above the will_init bit).
    FileOffset blobAtOf(std::uint64_t raw) const { return m_s.kind == LayerKind::Delta ? raw >> 1 : raw; }
    FileOffset fieldAt(SummaryFieldId id) const { return summaryField(m_s.kind, id).offset; }
    std::uint64_t fieldLen(SummaryFieldId id) const { return summaryField(m_s.kind, id).length; }
    FileOffset keysAt() const { return fieldAt(SummaryFieldId::KeyStart); }
    std::uint64_t keysLen() const { return fieldLen(SummaryFieldId::KeyStart) + fieldLen(SummaryFieldId::KeyEnd); }
    FileOffset lsnAt() const { return fieldAt(SummaryFieldId::LsnStart); }
    std::uint64_t lsnLen() const { return fieldLen(SummaryFieldId::LsnStart) + fieldLen(SummaryFieldId::LsnEnd); }

    const ByteSource &m_src;
    Bytes m_file;
    const ValidateOptions &m_opt;
    ProblemList m_list;
    ValidationReport m_report;
    Summary m_s;
    std::size_t m_keyLen = 18;
    std::uint64_t m_blocks = 0;
    std::uint64_t m_indexBlocks = 0;
    FileOffset m_valuesEnd = 0;
    std::optional<BlockMarks> m_marks;  ///< after the walk: which index blocks it reached
    struct KeyBound
    {
        std::array<std::uint8_t, 256> key{};
        bool has = false;
    };
    std::array<KeyBound, BTreeReader::kMaxDepth> m_bounds{};  ///< exclusive upper bound per depth
    std::array<int, BTreeReader::kMaxDepth> m_childLevel{};    ///< level of the first child, per depth
    int m_leafDepth = -1;
    std::uint64_t m_nextPosition = 0;  ///< entries in the leaves found so far
    // Running state of the placement checks, in index order.
    FileOffset m_prevBlobEnd = kBlockSize;
    /// Recent records of 2+ blocks by (xl_prev, xl_crc): where their first copy was seen.
    struct CopySlot
    {
        bool used = false;
        PlacedCopy first;
    };
    std::vector<CopySlot> m_copies;
    FileOffset m_prevBlobStart = 0;
    bool m_anyBlob = false;
    FileOffset m_maxBlobEnd = 0;
    std::uint64_t m_compressed = 0, m_nonCanonical = 0;
    FileOffset m_firstCompressed = 0, m_firstNonCanonical = 0;
    std::uint64_t m_done = 0;
    std::uint64_t m_total = 1;
};

void Validator::checkSummary()
{
    if (m_s.formatVersion != kFormatVersion)
        add(checkInfo("summary-version"),
            fmt::format("format_version is {}, expected {}", m_s.formatVersion, kFormatVersion),
            fieldAt(SummaryFieldId::Version), fieldLen(SummaryFieldId::Version));
    if (!(m_s.keyStart < m_s.keyEnd)) {
        auto &p = add(checkInfo("summary-key-range"),
                      fmt::format("key range start {} is not below its end {}", m_s.keyStart.toHex(),
                                  m_s.keyEnd.toHex()),
                      keysAt(), keysLen());
        p.key = m_s.keyStart;
    }
    if (m_s.kind == LayerKind::Delta && !(m_s.lsnStart < m_s.lsnEnd))
        add(checkInfo("summary-lsn-range"),
            fmt::format("LSN range start {} is not below its end {}", m_s.lsnStart.toString(),
                        m_s.lsnEnd.toString()),
            lsnAt(), lsnLen());
    if (m_s.kind == LayerKind::Image && m_s.lsnStart.value == Lsn::kMax)
        add(checkInfo("summary-lsn-range"),
            "image LSN is 0xFFFFFFFFFFFFFFFF (Neon panics computing lsn + 1)", lsnAt(), lsnLen());
    // Rest of block 0.
    const Bytes rest = m_file.subspan(m_s.encodedLen(), kBlockSize - m_s.encodedLen());
    const auto nz = std::find_if(rest.begin(), rest.end(), [](std::uint8_t b) { return b != 0; });
    if (nz != rest.end()) {
        const FileOffset at = m_s.encodedLen() + FileOffset(nz - rest.begin());
        const auto last = std::find_if(rest.rbegin(), rest.rend(), [](std::uint8_t b) { return b != 0; });
        const FileOffset end = kBlockSize - FileOffset(last - rest.rbegin());
        add(checkInfo("summary-padding"),
            fmt::format("block 0 has non-zero bytes after the {}-byte summary (Neon writes zeros)",
                        m_s.encodedLen()),
            at, end - at);
    }
    if (!m_opt.fileName.empty()) {
        std::string why;
        const auto name = LayerName::parse(m_opt.fileName, &why);
        const std::string implied = m_s.impliedName().canonical();
        if (!name) {
            auto &p = add(weaker(checkInfo("file-name")),
                          fmt::format("file name \"{}\" is not a layer name ({}); the summary implies {}",
                                      m_opt.fileName, why, implied),
                          keysAt(), m_s.encodedLen() - keysAt());
            p.related.push_back({keysAt(), keysLen(), "summary key range"});
        } else if (name->canonical() != implied) {
            const bool keys = name->keyStart != m_s.keyStart || name->keyEnd != m_s.keyEnd;
            auto &p = add(checkInfo("file-name"),
                          fmt::format("file name says {}, the summary says {}", name->canonical(), implied),
                          keys ? keysAt() : lsnAt(), keys ? keysLen() : lsnLen());
            p.related.push_back({keysAt(), keysLen(), "summary key range"});
            p.related.push_back({lsnAt(), lsnLen(), "summary LSN"});
        }
    }
}

bool Validator::checkIndexLocation()
{
    const FileOffset startAt = fieldAt(SummaryFieldId::IndexStart);
    const FileOffset rootAt = fieldAt(SummaryFieldId::IndexRoot);
    if (m_s.indexStartBlk < 2 || m_s.indexStartBlk >= m_blocks) {
        add(checkInfo("index-start"),
            fmt::format("index_start_blk {} is outside [2, {}) (the file has {} blocks)",
                        m_s.indexStartBlk, m_blocks, m_blocks),
            startAt, 4);
        return false;
    }
    m_indexBlocks = m_blocks - m_s.indexStartBlk;
    if (m_s.indexRootBlk >= m_indexBlocks) {
        auto &p = add(checkInfo("index-root"),
                      fmt::format("index_root_blk {} is beyond the {} index blocks: btree node beyond file",
                                  m_s.indexRootBlk, m_indexBlocks),
                      rootAt, 4);
        p.related.push_back({startAt, 4, "index_start_blk"});
        return false;
    }
    if (m_s.indexRootBlk != m_indexBlocks - 1) {
        auto &p = add(checkInfo("index-root-not-last"),
                      fmt::format("root is index block {}, Neon writes it last (block {})", m_s.indexRootBlk,
                                  m_indexBlocks - 1),
                      rootAt, 4);
        p.block = m_s.indexRootBlk;
    }
    return true;
}

void Validator::checkNode(const NodeView &n, int depth)
{
    // Padding after the used part.
    const Bytes block = m_file.subspan(n.offset, kBlockSize);
    const std::size_t used = n.usedBytes();
    const auto nz = std::find_if(block.begin() + std::ptrdiff_t(used), block.end(),
                                 [](std::uint8_t b) { return b != 0; });
    if (nz != block.end()) {
        auto &p = add(checkInfo("node-padding"),
                      fmt::format("node {} has non-zero bytes after its {} used bytes", n.block, used),
                      n.offset + FileOffset(nz - block.begin()), 1);
        p.block = n.block;
    }
    if (used == kBlockSize) {
        auto &p = add(checkInfo("node-full"),
                      fmt::format("node {} uses all 8192 bytes (Neon's builder stops at 8191)", n.block),
                      n.offset, 5);
        p.block = n.block;
    }
    // Keys strictly increasing within the node (a leaf's, with its entries, on its task).
    if (!n.isLeaf()) {
        std::vector<Problem> found;
        checkKeyOrderInNode(n, found);
        for (Problem &p : found)
            m_list.add(std::move(p));
    }
    if (n.isLeaf()) {
        if (m_leafDepth < 0)
            m_leafDepth = depth;
        else if (m_leafDepth != depth) {
            auto &p = add(checkInfo("node-level"),
                          fmt::format("leaf {} is at depth {}, other leaves at depth {}", n.block, depth,
                                      m_leafDepth),
                          n.offset + 2, 1);
            p.block = n.block;
        }
    }
}

void Validator::checkKeyOrderInNode(const NodeView &n, std::vector<Problem> &out) const
{
    // Keys share the prefix: comparing suffixes is comparing keys.
    for (std::size_t i = 1; i < n.count; ++i) {
        const Bytes prev = n.suffix(i - 1), cur = n.suffix(i);
        if (n.suffixLen > 0 && std::memcmp(prev.data(), cur.data(), n.suffixLen) < 0)
            continue;
        const IndexKey pk = n.key(i - 1), ck = n.key(i);
        auto &p = pushProblem(out, checkInfo("node-key-order"),
                              fmt::format("node {}: key {} ({}) is not above key {} ({})", n.block, i,
                                          toHex(ck.view()), i - 1, toHex(pk.view())),
                              n.suffixOffset(i), n.suffixLen);
        p.block = n.block;
        if (ck.len >= Key::kSize)
            p.key = Key::fromBytes(ck.bytes.data());
    }
}

void Validator::checkEntry(EntryState &st, std::uint32_t leafIndex, std::size_t i, Bytes key) const
{
    const NodeView &leaf = m_leaves[leafIndex].node;
    const std::uint64_t position = st.position++;
    ++st.out.entries;
    const Key k = Key::fromBytes(key.data());
    const Lsn lsn = m_s.kind == LayerKind::Delta ? deltaKeyLsn(key) : m_s.lsnStart;
    const FileOffset valueAt = leaf.valueOffset(i);
    const FileOffset keyAt = leaf.suffixOffset(i);
    auto tag = [&](Problem &p) -> Problem & {
        p.block = leaf.block;
        p.entry = position;
        p.key = k;
        if (m_s.kind == LayerKind::Delta)
            p.lsn = lsn;
        return p;
    };

    // Order in the index. Within a leaf the prefix is shared and the suffixes (read in the node,
    // not from the key just assembled) decide; a leaf's first key is compared with the last one
    // of the leaf before, kept in prevKey.
    const bool inLeaf = i > 0;
    if (inLeaf ? std::memcmp(leaf.suffix(i - 1).data(), leaf.suffix(i).data(), leaf.suffixLen) >= 0
               : st.havePrev && std::memcmp(st.prevKey.data(), key.data(), m_keyLen) >= 0) {
        if (inLeaf)
            leaf.keyInto(i - 1, st.prevKey.data());
        tag(st.add(checkInfo("key-order"),
                   fmt::format("entry {} key {} is not above the previous entry's {}", position, toHex(key),
                               toHex(Bytes(st.prevKey.data(), m_keyLen))),
                   keyAt, leaf.suffixLen));
    }
    if (i + 1 == leaf.count) {
        std::memcpy(st.prevKey.data(), key.data(), m_keyLen);
        st.havePrev = true;
    }

    // A key of no class Neon defines (FORMAT.md §9) is never written by Neon, and nothing reads it.
    // A delta's versions of one key are judged once.
    if (!(st.plausibleKey && *st.plausibleKey == k)) {
        if (const std::string why = k.implausibility(); !why.empty())
            tag(st.add(checkInfo("key-class"), fmt::format("key {}: {}: a damaged key", k.toHex(), why),
                       keyAt, leaf.suffixLen));
        else
            st.plausibleKey = k;
    }

    // Inside the summary's ranges.
    if (k < m_s.keyStart || !(k < m_s.keyEnd)) {
        auto &p = tag(st.add(checkInfo("key-range"),
                          fmt::format("key {} is outside the summary's key range [{}, {})", k.toHex(),
                                      m_s.keyStart.toHex(), m_s.keyEnd.toHex()),
                          keyAt, leaf.suffixLen));
        p.related.push_back({keysAt(), keysLen(), "summary key range"});
    }
    if (m_s.kind == LayerKind::Delta && (lsn < m_s.lsnStart || !(lsn < m_s.lsnEnd))) {
        auto &p = tag(st.add(checkInfo("lsn-range"),
                          fmt::format("LSN {} is outside the summary's LSN range [{}, {})", lsn.toString(),
                                      m_s.lsnStart.toString(), m_s.lsnEnd.toString()),
                          keyAt, leaf.suffixLen));
        p.related.push_back({lsnAt(), lsnLen(), "summary LSN range"});
    }

    const std::uint64_t raw = leaf.value(i);
    if (raw > kBtreeMaxLeafValue) {
        tag(st.add(checkInfo("leaf-value"),
                fmt::format("leaf value 0x{:010x} has its top bit set (above 0x7fffffffff)", raw), valueAt, 5));
        return;
    }
    const FileOffset blobAt = blobAtOf(raw);
    const bool willInit = m_s.kind == LayerKind::Delta && (raw & 1);
    if (blobAt < kBlockSize || blobAt >= m_valuesEnd) {
        auto &p = tag(st.add(checkInfo("blob-offset"),
                          fmt::format("blob offset {} is outside the value area [8192, {})", blobAt, m_valuesEnd),
                          valueAt, 5));
        p.related.push_back({fieldAt(SummaryFieldId::IndexStart), 4, "index_start_blk"});
        return;
    }
    const EntryRef entry{position, k, lsn, leaf.block, blobAt, willInit, valueAt, keyAt, leaf.suffixLen};
    const BlobFacts facts = checkEntryBlob(m_file, m_s, m_valuesEnd, entry, m_opt.pages, st.out.problems);
    if (!facts.header)
        return;
    if (facts.copy)
        st.out.copies.push_back(PlacedCopy{*facts.copy, lsn, leafIndex, std::uint32_t(i)});
    const BlobHeader &h = *facts.header;
    st.out.placed.push_back(PlacedBlob{blobAt, h.end(), leafIndex, std::uint32_t(i),
                                       h.compression == Compression::Zstd,
                                       h.headerLen == 4 && h.storedLen < 128 && h.compression == Compression::None});
    st.out.valuesLo = std::min(st.out.valuesLo, h.offset);
    st.out.valuesHi = std::max(st.out.valuesHi, h.end());
}

EntryRef Validator::entryRef(std::uint32_t leafIndex, std::size_t i) const
{
    const LeafRef &leaf = m_leaves[leafIndex];
    std::array<std::uint8_t, 256> key{};
    leaf.node.keyInto(i, key.data());
    const bool delta = m_s.kind == LayerKind::Delta;
    const std::uint64_t raw = leaf.node.value(i);
    return EntryRef{leaf.firstPosition + i,
                    Key::fromBytes(key.data()),
                    delta ? deltaKeyLsn(Bytes(key.data(), m_keyLen)) : m_s.lsnStart,
                    leaf.node.block,
                    blobAtOf(raw),
                    delta && (raw & 1),
                    leaf.node.valueOffset(i),
                    leaf.node.suffixOffset(i),
                    leaf.node.suffixLen};
}

void Validator::checkPlacement(const PlacedBlob &blob)
{
    const FileOffset blobAt = blob.at;
    const FileOffset valueAt = m_leaves[blob.leaf].node.valueOffset(blob.index);
    auto tag = [&](Problem &p) -> Problem & {
        return tagEntry(p, entryRef(blob.leaf, blob.index), m_s.kind == LayerKind::Delta);
    };
    // Placement: blobs back to back in index order.
    if (m_anyBlob && blobAt < m_prevBlobEnd) {
        auto &p = tag(add(blobAt <= m_prevBlobStart ? checkInfo("blob-order") : checkInfo("blob-overlap"),
                          blobAt <= m_prevBlobStart
                              ? fmt::format("blob at {} comes before the previous entry's blob at {}", blobAt, m_prevBlobStart)
                              : fmt::format("blob at {} overlaps the previous blob [{}, {})", blobAt, m_prevBlobStart, m_prevBlobEnd),
                          valueAt, 5));
        p.related.push_back({m_prevBlobStart, m_prevBlobEnd - m_prevBlobStart, "previous blob"});
    } else if (blobAt > m_prevBlobEnd) {
        auto &p = tag(add(checkInfo("blob-gap"),
                          fmt::format("{} unused bytes before the blob at {} (Neon packs blobs back to back)",
                                      blobAt - m_prevBlobEnd, blobAt),
                          m_prevBlobEnd, blobAt - m_prevBlobEnd));
        p.related.push_back({valueAt, 5, "leaf value"});
    }
    m_anyBlob = true;
    m_prevBlobStart = blobAt;
    m_prevBlobEnd = std::max(m_prevBlobEnd, blob.end);
    m_maxBlobEnd = std::max(m_maxBlobEnd, blob.end);

    if (blob.nonCanonical && m_nonCanonical++ == 0)
        m_firstNonCanonical = blobAt;
    if (blob.zstd && m_compressed++ == 0)
        m_firstCompressed = blobAt;
}

void Validator::checkCopy(const PlacedCopy &copy)
{
    constexpr unsigned kSlotBits = 16;  // 65,536 records remembered in 2.5 MiB
    if (m_copies.empty())
        m_copies.resize(std::size_t(1) << kSlotBits);
    static_assert(sizeof(CopySlot) == 40);
    const std::uint64_t h = (copy.id.prev ^ (std::uint64_t(copy.id.crc) << 32)) * 0x9E3779B97F4A7C15ull;
    CopySlot &slot = m_copies[h >> (64 - kSlotBits)];
    if (!slot.used || slot.first.id.prev != copy.id.prev || slot.first.id.crc != copy.id.crc) {
        slot = CopySlot{true, copy};
        return;
    }
    if (slot.first.lsn == copy.lsn)
        return;
    const EntryRef j = entryRef(copy.leaf, copy.index);
    const EntryRef other = entryRef(slot.first.leaf, slot.first.index);
    const auto [lsnAt, lsnLen] = lsnBytes(j);
    const auto [otherAt, otherLen] = lsnBytes(other);
    auto &p = add(checkInfo("wal-lsn"),
                  fmt::format("the record with xl_prev {} and xl_crc 0x{:08x} is stored at {} here and at {} "
                              "under {} (entry {}): Neon files every copy of a record at one LSN, so one of the two "
                              "was changed",
                              Lsn{copy.id.prev}.toString(), copy.id.crc, j.lsn.toString(), other.lsn.toString(),
                              other.key.describe(), other.position),
                  lsnAt, lsnLen);
    tagEntry(p, j, true).related.push_back({otherAt, otherLen, "the other copy's LSN"});
}

void Validator::runTask(const Task &task, TaskResult &out) const
{
    out.problems.clear();
    out.placed.clear();
    out.copies.clear();
    out.entries = 0;
    out.valuesLo = ~FileOffset(0);
    out.valuesHi = 0;
    EntryState st(out);
    const LeafRef &first = m_leaves[task.firstLeaf];
    st.position = first.firstPosition;
    if (task.firstLeaf > 0) {
        // The seam: the previous entry in index order is the last of the previous leaf.
        const NodeView &prev = m_leaves[task.firstLeaf - 1].node;
        prev.keyInto(prev.count - 1u, st.prevKey.data());
        st.havePrev = true;
    }
    for (std::size_t l = task.firstLeaf; l < task.endLeaf; ++l) {
        const NodeView &n = m_leaves[l].node;
        checkKeyOrderInNode(n, st.out.problems);
        forEachLeafEntry(n, 0, false, [&](std::size_t i, Bytes key, std::uint64_t) {
            // Two stages ahead of the checks: first a blob's header line, then (once that line
            // is in cache) as much of the blob as its header announces, up to kPrefetchBytes.
            if (i + 2 * kPrefetchAhead < n.count)
                if (const FileOffset at = blobAtOf(n.value(i + 2 * kPrefetchAhead)); at < m_valuesEnd)
                    __builtin_prefetch(m_file.data() + at);
            if (i + kPrefetchAhead < n.count)
                if (const FileOffset at = blobAtOf(n.value(i + kPrefetchAhead)); at + 4 <= m_valuesEnd) {
                    const std::uint8_t *p = m_file.data() + at;
                    const std::uint64_t announced = p[0] < 0x80 ? 1u + p[0] : 4u + (readBe32(p) & kMaxBlobLenHead);
                    const std::uint64_t bytes = std::min({announced, kPrefetchBytes, m_valuesEnd - at});
                    for (std::uint64_t line = 64; line < bytes; line += 64)
                        __builtin_prefetch(p + line);
                }
            checkEntry(st, std::uint32_t(l), i, key);
            return true;
        });
    }
}

void Validator::ReleaseRun::add(const ByteSource &src, FileOffset from, FileOffset to)
{
    if (to <= from)
        return;
    if (hi > lo && (from > hi || to < lo || hi - lo >= kReleaseChunk))
        flush(src);
    lo = hi > lo ? std::min(lo, from) : from;
    hi = std::max(hi, to);
}

void Validator::ReleaseRun::flush(const ByteSource &src)
{
    if (hi > lo)
        src.release(lo, hi - lo);
    lo = hi = 0;
}

void Validator::mergeTask(const Task &task, TaskResult &r)
{
    for (Problem &p : r.problems)
        m_list.add(std::move(p));
    for (const PlacedBlob &b : r.placed)
        checkPlacement(b);
    for (const PlacedCopy &c : r.copies)
        checkCopy(c);
    m_report.entriesChecked += r.entries;
    // Resident memory stays bounded: this task's leaves and value bytes are not needed again.
    // Releases are gathered into large runs (each one interrupts every thread of the process).
    for (std::size_t l = task.firstLeaf; l < task.endLeaf; ++l)
        m_leafRelease.add(m_src, m_leaves[l].node.offset, m_leaves[l].node.offset + kBlockSize);
    m_valueRelease.add(m_src, r.valuesLo, r.valuesHi);
}

void Validator::checkLeaves()
{
    runTasks();
    m_leafRelease.flush(m_src);
    m_valueRelease.flush(m_src);
}

void Validator::runTasks()
{
    // Leaves are grouped into tasks of about taskEntries entries. The grouping does not depend
    // on the thread count and results merge in task order, so every thread count reports the
    // same problems in the same order.
    std::vector<Task> tasks;
    for (std::size_t l = 0; l < m_leaves.size();) {
        Task t{l, l};
        std::uint64_t entries = 0;
        while (t.endLeaf < m_leaves.size() && (entries == 0 || entries < std::max<std::uint64_t>(1, m_opt.taskEntries)))
            entries += m_leaves[t.endLeaf++].node.count;
        tasks.push_back(t);
        l = t.endLeaf;
    }
    const unsigned threads = std::max(1u, std::min<unsigned>(m_opt.threads, 64));
    runOrdered<TaskResult>(
        tasks.size(), threads, [&](std::size_t i, TaskResult &r) { runTask(tasks[i], r); },
        [&](std::size_t i, TaskResult &r) {
            mergeTask(tasks[i], r);
            m_done += tasks[i].endLeaf - tasks[i].firstLeaf;
            return progress();
        });
}

WalkAction Validator::enterNode(const NodeView &n, const WalkLink &link)
{
    ++m_report.nodesChecked;
    if ((++m_done & 63) == 0 && !progress())
        return WalkAction::Stop;
    const NodeView *parent = link.parent;
    const int depth = link.depth;
    const std::size_t i = link.entry;
    // Level: one below the parent. When the first child already disagrees, the parent's
    // level byte is the likely fault; later children are compared with their first sibling.
    if (parent) {
        int &expected = m_childLevel[std::size_t(depth - 1)];
        if (i == 0 && n.level + 1 != parent->level) {
            auto &p = add(checkInfo("node-level"),
                          fmt::format("node {} has level {}, but its first child {} has level {}", parent->block,
                                      parent->level, n.block, n.level),
                          parent->offset + kNodeHeaderFields[1].offset, 1);
            p.block = parent->block;
            p.related.push_back({n.offset + kNodeHeaderFields[1].offset, 1, "child's level"});
            expected = n.level;
        } else if (i == 0) {
            expected = n.level;
        } else if (n.level != expected) {
            auto &p = add(checkInfo("node-level"),
                          fmt::format("node {} has level {}, its siblings have level {}", n.block, n.level, expected),
                          n.offset + kNodeHeaderFields[1].offset, 1);
            p.block = n.block;
        }
        if (n.level >= parent->level)
            return WalkAction::Skip;  // following it could not end
    }
    // Bounds from the parent: the separator equals the child's first key (Neon), never above
    // it; the next separator (or the parent's own bound) is above the child's last key.
    KeyBound &bound = m_bounds[std::size_t(depth)];
    bound.has = false;
    std::uint8_t first[256], last[256];
    n.keyInto(0, first);
    n.keyInto(n.count - 1u, last);
    const Bytes firstKey(first, m_keyLen), lastKey(last, m_keyLen);
    if (parent) {
        std::uint8_t lower[256];
        parent->keyInto(i, lower);
        const Bytes lowerKey(lower, m_keyLen);
        if (const int c = std::memcmp(first, lower, m_keyLen); c != 0) {
            const bool above = c < 0;
            auto &p = add(weaker(checkInfo("node-separator"), !above),
                          above ? fmt::format("node {}'s first key {} is below its separator {} in node {}: "
                                              "searches skip those entries", n.block, toHex(firstKey),
                                              toHex(lowerKey), parent->block)
                                : fmt::format("separator {} in node {} differs from node {}'s first key {} "
                                              "(Neon stores the first key)", toHex(lowerKey), parent->block,
                                              n.block, toHex(firstKey)),
                          parent->suffixOffset(i), parent->suffixLen);
            p.block = parent->block;
            p.related.push_back({n.prefixOffset(), n.keyLen(), "child's first key"});
        }
        const KeyBound &outer = m_bounds[std::size_t(depth - 1)];
        if (i + 1 < parent->count) {
            parent->keyInto(i + 1, bound.key.data());
            bound.has = true;
        } else if (outer.has) {
            bound.key = outer.key;
            bound.has = true;
        }
        if (bound.has && std::memcmp(last, bound.key.data(), m_keyLen) >= 0) {
            auto &p = add(checkInfo("node-separator"),
                          fmt::format("node {}'s last key {} is not below the next separator {} in node {}",
                                      n.block, toHex(lastKey), toHex(Bytes(bound.key.data(), m_keyLen)),
                                      parent->block),
                          n.suffixOffset(n.count - 1u), n.suffixLen);
            p.block = n.block;
        }
    }
    checkNode(n, depth);
    return WalkAction::Descend;
}

WalkAction Validator::walkFault(WalkFault why, const WalkLink &link, const Error &error)
{
    const NodeView *parent = link.parent;
    const FileOffset ptrAt = parent ? link.pointerAt() : fieldAt(SummaryFieldId::IndexRoot);
    const std::uint64_t ptrLen = parent ? NodeView::kValueLen : fieldLen(SummaryFieldId::IndexRoot);
    const FileOffset target = (FileOffset(m_s.indexStartBlk) + link.block) * kBlockSize;
    Problem *p = nullptr;
    switch (why) {
    case WalkFault::BeyondIndex:
        p = &add(checkInfo("node-child-range"),
                 fmt::format("child pointer {} is beyond the {} index blocks: btree node beyond file", link.block,
                             m_indexBlocks),
                 ptrAt, ptrLen);
        break;
    case WalkFault::Cycle:
    case WalkFault::Shared:
        p = &add(why == WalkFault::Cycle ? checkInfo("node-cycle") : checkInfo("node-shared"),
                 why == WalkFault::Cycle
                     ? fmt::format("node {} points back at its ancestor {} (a cycle)", parent ? parent->block : 0,
                                   link.block)
                     : fmt::format("node {} is reached a second time (shared child)", link.block),
                 ptrAt, ptrLen);
        p->related.push_back({target, kBlockSize, "node reached twice"});
        break;
    case WalkFault::TooDeep:
        p = &add(checkInfo("node-depth"),
                 fmt::format("path deeper than {} levels", BTreeReader::kMaxDepth), ptrAt, ptrLen);
        break;
    case WalkFault::Unreadable: {
        ++m_report.nodesChecked;
        ++m_done;
        const CheckInfo &check = error.kind == ErrorKind::NodeMarker ? checkInfo("node-marker") : checkInfo("node-header");
        auto &q = add(check,
                      fmt::format("node {}: expected {}, found {}", link.block, error.expected, error.found),
                      error.offset, NodeView::kHeaderLen);
        q.block = link.block;
        return WalkAction::Skip;
    }
    }
    if (parent)
        p->block = parent->block;
    return WalkAction::Skip;
}

void Validator::walkTree()
{
    // The structural walk: every node once, with the level, separator and reachability
    // checks; a leaf is recorded for checkLeaves() instead of walked entry by entry here.
    struct V : TreeVisitor
    {
        Validator &v;
        explicit V(Validator &val) : v(val) {}
        WalkAction enter(const NodeView &n, const WalkLink &l)
        {
            const WalkAction a = v.enterNode(n, l);
            if (a != WalkAction::Descend || !n.isLeaf())
                return a;
            v.m_leaves.push_back({n, v.m_nextPosition});
            v.m_nextPosition += n.count;
            return WalkAction::Skip;
        }
        WalkAction fault(WalkFault why, const WalkLink &l, const Error &e) { return v.walkFault(why, l, e); }
    } visitor{*this};
    const BTreeReader tree(m_file, m_s.indexStartBlk, m_s.indexRootBlk, m_keyLen);
    TreeWalk<V> walk(tree, visitor);
    (void)walk.run();
    m_marks = walk.marks();
}

void Validator::checkValueArea()
{
    if (m_report.entriesChecked == 0) {
        add(checkInfo("empty-layer"), "the index holds no entries (Neon never writes an empty layer)",
            fieldAt(SummaryFieldId::IndexRoot), 4);
        return;
    }
    if (!m_anyBlob)
        return;
    if (m_compressed)
        add(checkInfo("seed-incompatible"),
            fmt::format("{} of {} blobs are zstd-compressed: only HEAD-era Neon reads this layer", m_compressed,
                        m_report.entriesChecked),
            m_firstCompressed, 4);
    if (m_nonCanonical)
        add(checkInfo("blob-header-canonical"),
            fmt::format("{} blobs below 128 bytes have a 4-byte header (Neon writes 1 byte): a rewrite is not "
                        "byte-identical", m_nonCanonical),
            m_firstNonCanonical, 4);
    const std::uint64_t expectStart = (m_maxBlobEnd + kBlockSize - 1) / kBlockSize;
    if (expectStart != m_s.indexStartBlk) {
        auto &p = add(checkInfo("values-end"),
                      fmt::format("the last blob ends at {}, so index_start_blk should be {}, not {}", m_maxBlobEnd,
                                  expectStart, m_s.indexStartBlk),
                      fieldAt(SummaryFieldId::IndexStart), 4);
        p.related.push_back({m_maxBlobEnd, 0, "end of the last blob"});
    }
    if (m_maxBlobEnd < m_valuesEnd) {
        // Holes (a sparse file) are skipped, not read.
        if (const auto nz = firstNonZero(m_src, m_maxBlobEnd, m_valuesEnd))
            add(checkInfo("values-padding"),
                "non-zero bytes between the last blob and the index (Neon writes zeros)", *nz,
                m_valuesEnd - *nz);
    }
    // Unreachable index blocks, reported as runs.
    const FileOffset indexBase = FileOffset(m_s.indexStartBlk) * kBlockSize;
    for (std::uint64_t b = 0; b < m_indexBlocks;) {
        if (m_marks->get(std::uint32_t(b)) != BlockMarks::Unseen) {
            ++b;
            continue;
        }
        std::uint64_t e = b;
        while (e < m_indexBlocks && m_marks->get(std::uint32_t(e)) == BlockMarks::Unseen)
            ++e;
        auto &p = add(checkInfo("index-unreachable"),
                      e - b == 1 ? fmt::format("index block {} is not reachable from the root", b)
                                 : fmt::format("index blocks {}..{} are not reachable from the root", b, e - 1),
                      indexBase + b * kBlockSize, (e - b) * kBlockSize);
        p.block = std::uint32_t(b);
        b = e;
    }
}

ValidationReport Validator::run()
{
    runChecks();
    m_list.finish(m_report);
    return std::move(m_report);
}

void Validator::runChecks()
{
    const std::uint64_t size = m_file.size();
    m_blocks = size / kBlockSize;
    if (size < kBlockSize) {
        add(checkInfo("file-size"),
            fmt::format("file is {} bytes, shorter than the 8192-byte summary block", size), 0, size);
        if (size < 2)
            return;
    } else if (size % kBlockSize != 0) {
        add(checkInfo("file-size"),
            fmt::format("file size {} is not a multiple of 8192: the last {} bytes form a partial block Neon cannot read",
                        size, size % kBlockSize),
            m_blocks * kBlockSize, size % kBlockSize);
    }
    auto s = Summary::decode(m_file.first(std::min<std::uint64_t>(size, kBlockSize)));
    if (!s) {
        add(s.error().offset == 0 ? checkInfo("summary-magic") : checkInfo("file-size"),
            fmt::format("not a layer: expected {}, found {}", s.error().expected, s.error().found),
            s.error().offset, s.error().offset == 0 ? 2 : 0);
        return;
    }
    m_s = *s;
    m_keyLen = m_s.indexKeyLen();
    if (size < kBlockSize)
        return;
    checkSummary();
    if (!checkIndexLocation())
        return;
    m_valuesEnd = FileOffset(m_s.indexStartBlk) * kBlockSize;
    m_total = std::max<std::uint64_t>(1, 2 * m_indexBlocks);  // nodes walked, then leaves checked
    walkTree();
    if (m_report.cancelled)
        return;
    checkLeaves();
    if (m_report.cancelled)
        return;
    checkValueArea();
}

} // namespace

ValidationReport validateLayer(const ByteSource &file, const ValidateOptions &options)
{
    return Validator(file, options).run();
}

ValidationReport validateLayer(Bytes file, const ValidateOptions &options)
{
    return validateLayer(ViewSource(file), options);
}

} // namespace layerscope