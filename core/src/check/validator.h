#pragma once

// The validator's state and steps, shared by its three files: validate.cpp (block 0, the value
// area, the entry point), validate_walk.cpp (the index walk: nodes and their links) and
// validate_leaves.cpp (the leaf runs on every core: entries, blobs, placement, record copies).
// Private to check/.

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
std::optional<FileOffset> firstNonZero(const ByteSource &src, FileOffset from, FileOffset to);

/// One validation of one layer: validateLayer runs it once.
class Validator
{
public:
    Validator(const ByteSource &src, const ValidateOptions &o)
        : m_src(src), m_file(src.bytes()), m_opt(o), m_list(o.maxProblems)
    {}

    ValidationReport run();

private:
    void runChecks();
    Problem &add(CheckAs check, std::string message, FileOffset offset, std::uint64_t length)
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
        std::uint64_t otherShards = 0; ///< L0 entries of keys other shards own
        FileOffset firstOtherShard = 0;
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
    /// An L0 delta: every key (Neon's level-0 layers, inherited by a shard from its parent).
    bool isL0() const
    {
        return m_s.kind == LayerKind::Delta && m_s.keyStart == Key::min()
               && m_s.keyEnd == Key::max();
    }
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
    std::uint64_t m_otherShards = 0; ///< L0 entries of keys other shards own (counted)
    FileOffset m_firstOtherShard = 0;
    std::uint64_t m_done = 0;
    std::uint64_t m_total = 1;
};

} // namespace layerscope
