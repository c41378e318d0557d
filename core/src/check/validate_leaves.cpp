#include "validator.h"

namespace layerscope {

namespace {

/// Why shard `s` may not hold `k`: whose it is.
std::string strayKeyMessage(const ShardIdentity &s, const Key &k)
{
    return fmt::format(
        "key {} ({}) belongs to shard {} of {} (stripe {} pages), not to this shard {}: "
        "it may not hold it",
        k.toHex(),
        k.describe(),
        keyToShardNumber(s.count, s.stripePages, k),
        s.count,
        s.stripePages,
        s.number);
}

} // namespace

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
                   fmt::format("entry {} key {} is not above the previous entry's {}",
                               position,
                               toHex(key),
                               toHex(Bytes(st.prevKey.data(), m_keyLen))),
                   keyAt,
                   leaf.suffixLen));
    }
    if (i + 1 == leaf.count) {
        std::memcpy(st.prevKey.data(), key.data(), m_keyLen);
        st.havePrev = true;
    }

    // A key of no class Neon defines (FORMAT.md §9) is never written by Neon, and nothing reads it.
    // A delta's versions of one key are judged once.
    if (!(st.plausibleKey && *st.plausibleKey == k)) {
        if (const std::string why = k.implausibility(); !why.empty())
            tag(st.add(checkInfo("key-class"),
                       fmt::format("key {}: {}: a damaged key", k.toHex(), why),
                       keyAt,
                       leaf.suffixLen));
        else
            st.plausibleKey = k;
    }

    // A key its shard may not hold: a stray key. An L0 delta covers every key (inherited from
    // the parent shard before a split): there such keys are counted, not reported one by one.
    if (m_opt.shard && isKeyDisposable(*m_opt.shard, k)) {
        if (!isL0())
            tag(st.add(checkInfo("key-wrong-shard"),
                       strayKeyMessage(*m_opt.shard, k),
                       keyAt,
                       leaf.suffixLen));
        else if (st.out.otherShards++ == 0)
            st.out.firstOtherShard = keyAt;
    }

    // Inside the summary's ranges.
    if (k < m_s.keyStart || !(k < m_s.keyEnd)) {
        auto &p = tag(st.add(checkInfo("key-range"),
                             fmt::format("key {} is outside the summary's key range [{}, {})",
                                         k.toHex(),
                                         m_s.keyStart.toHex(),
                                         m_s.keyEnd.toHex()),
                             keyAt,
                             leaf.suffixLen));
        p.related.push_back({keysAt(), keysLen(), "summary key range"});
    }
    if (m_s.kind == LayerKind::Delta && (lsn < m_s.lsnStart || !(lsn < m_s.lsnEnd))) {
        auto &p = tag(st.add(checkInfo("lsn-range"),
                             fmt::format("LSN {} is outside the summary's LSN range [{}, {})",
                                         lsn.toString(),
                                         m_s.lsnStart.toString(),
                                         m_s.lsnEnd.toString()),
                             keyAt,
                             leaf.suffixLen));
        p.related.push_back({lsnAt(), lsnLen(), "summary LSN range"});
    }

    const std::uint64_t raw = leaf.value(i);
    if (raw > kBtreeMaxLeafValue) {
        tag(st.add(checkInfo("leaf-value"),
                   fmt::format("leaf value 0x{:010x} has its top bit set (above 0x7fffffffff)", raw),
                   valueAt,
                   5));
        return;
    }
    const FileOffset blobAt = blobAtOf(raw);
    const bool willInit = m_s.kind == LayerKind::Delta && (raw & 1);
    if (blobAt < kBlockSize || blobAt >= m_valuesEnd) {
        auto &p = tag(st.add(checkInfo("blob-offset"),
                             fmt::format("blob offset {} is outside the value area [8192, {})",
                                         blobAt,
                                         m_valuesEnd),
                             valueAt,
                             5));
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
        auto &p = tag(
            add(blobAt <= m_prevBlobStart ? checkInfo("blob-order") : checkInfo("blob-overlap"),
                blobAt <= m_prevBlobStart
                    ? fmt::format("blob at {} comes before the previous entry's blob at {}",
                                  blobAt,
                                  m_prevBlobStart)
                    : fmt::format("blob at {} overlaps the previous blob [{}, {})",
                                  blobAt,
                                  m_prevBlobStart,
                                  m_prevBlobEnd),
                valueAt,
                5));
        p.related.push_back({m_prevBlobStart, m_prevBlobEnd - m_prevBlobStart, "previous blob"});
    } else if (blobAt > m_prevBlobEnd) {
        auto &p = tag(
            add(checkInfo("blob-gap"),
                fmt::format("{} unused bytes before the blob at {} (Neon packs blobs back to back)",
                            blobAt - m_prevBlobEnd,
                            blobAt),
                m_prevBlobEnd,
                blobAt - m_prevBlobEnd));
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
    auto &p = add(
        checkInfo("wal-lsn"),
        fmt::format(
            "the record with xl_prev {} and xl_crc 0x{:08x} is stored at {} here and at {} "
            "under {} (entry {}): Neon files every copy of a record at one LSN, so one of the two "
            "was changed",
            Lsn{copy.id.prev}.toString(),
            copy.id.crc,
            j.lsn.toString(),
            other.lsn.toString(),
            other.key.describe(),
            other.position),
        lsnAt,
        lsnLen);
    tagEntry(p, j, true).related.push_back({otherAt, otherLen, "the other copy's LSN"});
}

void Validator::runTask(const Task &task, TaskResult &out) const
{
    out.problems.clear();
    out.placed.clear();
    out.copies.clear();
    out.entries = 0;
    out.otherShards = 0;
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
    if (r.otherShards && m_otherShards == 0)
        m_firstOtherShard = r.firstOtherShard;
    m_otherShards += r.otherShards;
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

} // namespace layerscope
