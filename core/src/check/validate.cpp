#include <layerscope/check/validate.h>

#include <layerscope/base/ordered_pool.h>

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
constexpr std::uint8_t kZstdMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
/// Decompressions up to this size run on every thread at once; larger ones one at a time.
constexpr std::uint64_t kSmallDecompress = 8 << 20;

Problem makeProblem(const char *check, Severity sev, std::string message, FileOffset offset,
                    std::uint64_t length)
{
    Problem p;
    p.check = check;
    p.severity = sev;
    p.message = std::move(message);
    p.offset = offset;
    p.length = length;
    return p;
}

Problem &pushProblem(std::vector<Problem> &out, const char *check, Severity sev, std::string message,
                     FileOffset offset, std::uint64_t length)
{
    out.push_back(makeProblem(check, sev, std::move(message), offset, length));
    return out.back();
}

/// Tags `p` with the entry it concerns (its LSN only in a delta).
Problem &tagEntry(Problem &p, const EntryRef &j, bool delta)
{
    p.block = j.block;
    p.entry = j.position;
    p.key = j.key;
    if (delta)
        p.lsn = j.lsn;
    return p;
}

/// Where an entry's LSN is stored: the last 8 bytes of its index key, as far as they lie in the
/// leaf's suffix; the leaf value when the suffix is not known.
std::pair<FileOffset, std::uint64_t> lsnBytes(const EntryRef &j)
{
    if (!j.keyLen)
        return {j.valueAt, 5};
    const std::uint64_t n = std::min<std::uint64_t>(8, j.keyLen);
    return {j.keyAt + j.keyLen - n, n};
}

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

/// Collects problems with exact counts; keeps at most `cap` listed, dropping info before
/// warnings before errors, and within a severity variety before repetition: the n-th problem
/// of one check is dropped before the first of another (so a check seen once is listed even
/// behind 200,000 repeats of a common one), then in the order found.
class ProblemList
{
public:
    explicit ProblemList(std::size_t cap) : m_cap(std::max<std::size_t>(cap, 1)) {}

    /// The returned reference (the problem just added) stays valid until the next add. A
    /// problem that can no longer be listed is counted and returned, but not kept.
    Problem &add(Problem p)
    {
        const Rank rank{p.severity, count(p)};
        if (m_floor && !(rank < *m_floor)) {
            // At least m_cap listed problems rank at or before it and were found earlier: it
            // would be the first dropped at the next compaction. With the cap reached by a
            // repeated check, every later repeat ends here instead of in a sort.
            ++m_dropped;
            m_spare = std::move(p);
            return m_spare;
        }
        if (m_list.size() >= 2 * m_cap)
            compact();  // before the push: the new problem is always the one returned
        m_list.push_back({rank, m_found++, std::move(p)});
        return m_list.back().problem;
    }
    void finish(ValidationReport &r)
    {
        compact();
        // By offset, then in the order found (the list's own order depends on when it was
        // compacted).
        std::sort(m_list.begin(), m_list.end(), [](const Listed &a, const Listed &b) {
            return std::tie(a.problem.offset, a.found) < std::tie(b.problem.offset, b.found);
        });
        r.problems.reserve(m_list.size());
        for (Listed &l : m_list)
            r.problems.push_back(std::move(l.problem));
        m_list.clear();
        r.truncated = m_dropped > 0;
        for (auto &[k, t] : m_tallies)
            r.tallies.push_back(std::move(t));
        std::stable_sort(r.tallies.begin(), r.tallies.end(), [](const CheckTally &a, const CheckTally &b) {
            return a.severity < b.severity;
        });
        r.errors = m_counts[0];
        r.warnings = m_counts[1];
        r.infos = m_counts[2];
    }

private:
    /// Which problems are listed first: by severity, then by ordinal within its check and
    /// severity (1 for the first, 2 for the second...); the order found breaks ties.
    struct Rank
    {
        Severity severity;
        std::uint64_t ordinal;
        auto operator<=>(const Rank &) const = default;
    };
    struct Listed
    {
        Rank rank;
        std::uint64_t found;  ///< how many problems were listed before it
        Problem problem;
    };
    /// Counts `p`; returns its ordinal within its check.
    std::uint64_t count(const Problem &p)
    {
        ++m_counts[int(p.severity)];
        CheckTally &t = m_tallies[{p.check, p.severity}];
        if (t.count++ == 0) {
            t.check = p.check;
            t.severity = p.severity;
            t.firstOffset = p.offset;
        }
        t.firstOffset = std::min(t.firstOffset, p.offset);
        return t.count;
    }
    void compact()
    {
        if (m_list.size() <= m_cap)
            return;
        std::sort(m_list.begin(), m_list.end(), [](const Listed &a, const Listed &b) {
            return std::tie(a.rank, a.found) < std::tie(b.rank, b.found);
        });
        m_dropped += m_list.size() - m_cap;
        m_list.resize(m_cap);
        m_floor = m_list.back().rank;
    }
    std::size_t m_cap;
    std::vector<Listed> m_list;
    /// After a compaction, the rank of the last problem kept: nothing ranked at or after it
    /// can be listed any more (ranks of kept problems only fall).
    std::optional<Rank> m_floor;
    std::uint64_t m_found = 0;
    Problem m_spare;
    std::map<std::pair<std::string, Severity>, CheckTally> m_tallies;
    std::uint64_t m_counts[3] = {0, 0, 0};
    std::uint64_t m_dropped = 0;
};

/// Postgres page checks (opt-in): header sanity, checksum, line pointers.
void checkPage(const EntryRef &entry, Bytes page, FileOffset at, std::vector<Problem> &out)
{
    const Key &key = entry.key;
    const std::uint64_t position = entry.position;
    if (isZeroPage(page))
        return;
    auto add = [&out](const char *check, Severity sev, std::string message, FileOffset offset,
                      std::uint64_t length) -> Problem & {
        return pushProblem(out, check, sev, std::move(message), offset, length);
    };
    const auto h = parsePageHeader(page);
    auto tag = [&](Problem &p) {
        p.entry = position;
        p.key = key;
    };
    for (const auto &why : pageHeaderProblems(*h))
        tag(add("page-header", Severity::Warning, fmt::format("page of {}: {}", key.describe(), why), at + 12, 8));
    if (h->checksum != 0) {
        const std::uint16_t sum = pageChecksum(page, key.field6());
        if (sum != h->checksum)
            tag(add("page-checksum", Severity::Warning,
                    fmt::format("page of {}: checksum 0x{:04x}, computed 0x{:04x}", key.describe(), h->checksum, sum),
                    at + 8, 2));
    }
    for (const auto &lp : linePointers(page, 2048))
        if (lp.flags == 1 && (lp.offset < h->upper || std::uint32_t(lp.offset) + lp.length > h->special)) {
            tag(add("page-line-pointer", Severity::Warning,
                    fmt::format("page of {}: line pointer ({}, {}) outside [pd_upper {}, pd_special {})",
                                key.describe(), lp.offset, lp.length, h->upper, h->special),
                    at + 24, 4));
            break;
        }
}

const char *recordName(std::uint32_t tag)
{
    static const char *const names[] = {"Postgres", "ClearVisibilityMapFlags", "ClogSetCommitted", "ClogSetAborted",
                                        "MultixactOffsetCreate", "MultixactMembersCreate", "AuxFile",
                                        "TruncateVisibilityMap", "Test"};
    return tag < 9 ? names[tag] : "unknown";
}

/// Neon's own record kinds apply to one kind of key each (its redo refuses the others);
/// nullptr when `tag` fits `key` (of class `cls`), else which keys it needs.
const char *recordKeyMismatch(std::uint32_t tag, const Key &key, KeyClass cls)
{
    const bool vm = cls == KeyClass::RelBlock && key.field5() == 2;
    const bool slru = cls == KeyClass::SlruBlock;
    switch (tag) {
    case 1:
    case 7: return vm ? nullptr : "it applies to visibility-map pages (fork 2) only";
    case 2:
    case 3: return slru && key.field2() == 0 ? nullptr : "it applies to clog (pg_xact) pages only";
    case 4: return slru && key.field2() == 2 ? nullptr : "it applies to pg_multixact/offsets pages only";
    case 5: return slru && key.field2() == 1 ? nullptr : "it applies to pg_multixact/members pages only";
    case 6: return cls == KeyClass::AuxFilesV1 ? nullptr : "it applies to the aux files key only";
    default: return nullptr;
    }
}

/// Where Neon files its own SLRU and visibility-map records: under the page that holds what
/// they change (Postgres's page arithmetic, 8 KiB pages, 32 pages per SLRU segment). The reason
/// a record cannot be on `key`'s page, or nothing when it can.
std::optional<std::string> recordPageMismatch(const NeonWalRecord &rec, const Key &key)
{
    constexpr std::uint64_t kPagesPerSegment = 32;
    constexpr std::uint64_t kClogXactsPerPage = 8192 * 4;
    constexpr std::uint64_t kOffsetsPerPage = 8192 / 4;
    constexpr std::uint64_t kMembersPerPage = 8192 / 20 * 4;        // groups of 4 flags + 4 xids
    constexpr std::uint64_t kHeapBlocksPerVmPage = (8192 - 24) * 4;  // 2 bits per heap block
    const std::uint64_t segment = key.field4(), page = key.field6();  // field3 is 1 for SLRU blocks
    auto onPage = [&](std::uint64_t pageno) { return pageno / kPagesPerSegment == segment && pageno % kPagesPerSegment == page; };
    auto where = [](std::uint64_t pageno) {
        return fmt::format("segment {} page {}", pageno / kPagesPerSegment, pageno % kPagesPerSegment);
    };
    if (const auto *c = std::get_if<wal::ClogSetCommitted>(&rec); c || std::get_if<wal::ClogSetAborted>(&rec)) {
        const auto &xids = c ? c->xids : std::get<wal::ClogSetAborted>(rec).xids;
        for (std::uint32_t xid : xids)
            if (!onPage(xid / kClogXactsPerPage))
                return fmt::format("xid {} is on clog {}", xid, where(xid / kClogXactsPerPage));
    } else if (const auto *o = std::get_if<wal::MultixactOffsetCreate>(&rec)) {
        if (!onPage(o->mid / kOffsetsPerPage))
            return fmt::format("multixact {} is on offsets {}", o->mid, where(o->mid / kOffsetsPerPage));
    } else if (const auto *m = std::get_if<wal::MultixactMembersCreate>(&rec)) {
        for (std::size_t i = 0; i < m->members.size(); ++i) {
            const std::uint64_t offset = std::uint64_t(m->moff) + i;
            if (!onPage(offset / kMembersPerPage))
                return fmt::format("member offset {} is on members {}", offset, where(offset / kMembersPerPage));
        }
    } else if (const auto *v = std::get_if<wal::ClearVisibilityMapFlags>(&rec)) {
        for (const auto &blk : {v->newHeapBlkno, v->oldHeapBlkno})
            if (blk && *blk / kHeapBlocksPerVmPage == key.field6())
                return std::nullopt;
        if (v->newHeapBlkno || v->oldHeapBlkno)
            return fmt::format("its heap blocks are on visibility-map page {}",
                               (v->newHeapBlkno ? *v->newHeapBlkno : *v->oldHeapBlkno) / kHeapBlocksPerVmPage);
    }
    return std::nullopt;
}

} // namespace

/// A NeonWalRecord::Postgres holds a whole XLogRecord when its xl_tot_len is its length: then
/// its CRC, its block references, the key it is filed under and its will_init are checked (Neon
/// files the record under every block it touches, with will_init = WILL_INIT or an applied
/// image). `cls` is the entry key's class. `recAt` is the record's offset in the file (none
/// inside a zstd blob: problems then point at the blob's payload, `payloadAt`).
/// Checks a Postgres record filed under entry `j`; when it is a whole record that decodes and
/// touches more than one block, returns what identifies its copies under the other blocks.
template<class Add>
std::optional<RecordCopy> checkPostgresRecord(const EntryRef &j, KeyClass cls, Bytes rec, bool willInit,
                                              std::optional<FileOffset> recAt, FileOffset payloadAt, Add &add)
{
    const auto header = parseXLogRecordHeader(rec);
    if (!header)
        return std::nullopt;
    const FileOffset base = recAt.value_or(payloadAt);
    if (header->totLen != rec.size()) {
        // Not whole as stored; but a record whose xl_tot_len alone was damaged still matches
        // its CRC with its true length, and must not pass as some other kind of payload.
        if (xlogRecordCrcAsWhole(rec) == header->crc)
            add("wal-record", Severity::Error,
                fmt::format("{} record: xl_tot_len is {} but the record has {} bytes, and its xl_crc "
                            "matches {}: the length field is damaged",
                            fmt::format("{} (info 0x{:02x})", rmgrName(header->rmid), header->info),
                            header->totLen, rec.size(), rec.size()),
                recAt ? base : payloadAt, recAt ? 4 : 1);
        return std::nullopt;
    }
    auto kind = [&] { return fmt::format("{} (info 0x{:02x})", rmgrName(header->rmid), header->info); };
    auto at = [&](FileOffset offset, std::uint64_t length) {
        return std::pair<FileOffset, std::uint64_t>(recAt ? offset : payloadAt, recAt ? length : 1);
    };
    const std::uint32_t crc = xlogRecordCrc(rec);
    if (crc != header->crc) {
        const auto [o, n] = at(base + 20, 4);
        add("wal-crc", Severity::Error,
            fmt::format("{} record (xl_tot_len {}): xl_crc is 0x{:08x} but the record's CRC-32C is 0x{:08x}",
                        kind(), header->totLen, header->crc, crc),
            o, n);
        return std::nullopt;  // a damaged record's blocks say nothing reliable
    }
    // Neon files a record at the LSN just past its end, rounded up to 8 bytes (the next
    // record's start), and the record began after the one xl_prev points to.
    const std::uint64_t lsn = j.lsn.value;
    const bool lsnFits =
        lsn % 8 == 0 && lsn >= header->prev && lsn - header->prev >= kXLogRecordHeaderLen + header->totLen;
    if (!lsnFits) {
        const auto [lsnAt, lsnLen] = lsnBytes(j);
        auto &p = add("wal-lsn", Severity::Error,
                      lsn % 8 != 0
                          ? fmt::format("{} record is stored at {}, which is not a multiple of 8: Neon stores a "
                                        "record at the 8-byte aligned LSN that follows it",
                                        kind(), j.lsn.toString())
                          : fmt::format("{} record is stored at {}, but it comes after the record at {} "
                                        "(xl_prev) and is {} bytes long: it cannot end before {}",
                                        kind(), j.lsn.toString(), Lsn{header->prev}.toString(), header->totLen,
                                        Lsn{header->prev + kXLogRecordHeaderLen + header->totLen}.toString()),
                      lsnAt, lsnLen);
        if (recAt)
            p.related.push_back({*recAt + 8, 8, "xl_prev"});
    }
    // One decoded record per thread, reused: checking a record allocates nothing.
    thread_local XLogRecordDecoded scratch;
    const XLogRecordDecoded &decoded = scratch;
    if (const auto status = decodeXLogRecord(rec, base, scratch); !status) {
        const auto [o, n] = at(status.error().offset, 1);
        add("wal-record", Severity::Error,
            fmt::format("{} record does not decode: {}", kind(), status.error().message()), o, n);
        return std::nullopt;
    }
    // Neon files a Postgres record under the key of each relation block it touches, and
    // under no other key (SLRU pages get Neon's own records).
    const Key &k = j.key;
    const XLogBlockRef *mine = nullptr;
    if (cls == KeyClass::RelBlock)
        for (const XLogBlockRef &b : decoded.blocks)
            if (b.spcOid == k.field2() && b.dbOid == k.field3() && b.relNumber == k.field4()
                && b.fork() == k.field5() && b.blockNumber == k.field6())
                mine = &b;
    if (!mine) {
        std::string blocks;
        for (const XLogBlockRef &b : decoded.blocks)
            blocks += fmt::format("{}{}/{}/{} fork {} blk {}", blocks.empty() ? "" : ", ", b.spcOid, b.dbOid,
                                  b.relNumber, b.fork(), b.blockNumber);
        const auto [o, n] = at(base, kXLogRecordHeaderLen);
        add("wal-block-key", Severity::Error,
            fmt::format("{} record is filed under {} ({}), which is {} ({})", kind(), k.toHex(), k.describe(),
                        cls == KeyClass::RelBlock ? "none of its blocks"
                                                  : "not a relation block: Neon files a Postgres record only "
                                                    "under the blocks it touches",
                        blocks.empty() ? "it has none" : blocks),
            o, n);
        return std::nullopt;
    }
    const bool expected = mine->willInit || mine->applyImage;
    if (willInit != expected) {
        const auto [o, n] = at(mine->headerAt, 2);
        add("wal-will-init", Severity::Error,
            fmt::format("Postgres.will_init is {} but block #{} of the {} record {} (WILL_INIT {}, applied image {})",
                        willInit, mine->id, kind(),
                        expected ? "starts from nothing" : "needs the page before it", mine->willInit,
                        mine->applyImage),
            o, n);
    }
    if (decoded.blocks.size() < 2 || !lsnFits)
        return std::nullopt;
    return RecordCopy{header->prev, header->crc};
}

BlobFacts checkEntryBlob(Bytes file, const Summary &s, FileOffset valuesEnd, const EntryRef &j,
                         bool pages, std::vector<Problem> &out)
{
    BlobFacts facts;
    const FileOffset blobAt = j.blobAt;
    const bool delta = s.kind == LayerKind::Delta;
    auto add = [&](const char *check, Severity sev, std::string message, FileOffset offset,
                   std::uint64_t length) -> Problem & {
        return tagEntry(pushProblem(out, check, sev, std::move(message), offset, length), j, delta);
    };
    auto header = readBlobHeader(file, blobAt, kBlockSize, valuesEnd);
    if (!header) {
        const bool bits = header.error().kind == ErrorKind::BlobCompression;
        auto &p = add(bits ? "blob-compression" : "blob-length", Severity::Error,
                      fmt::format("blob at {}: expected {}, found {}", blobAt, header.error().expected,
                                  header.error().found),
                      blobAt, std::min<std::uint64_t>(4, valuesEnd > blobAt ? valuesEnd - blobAt : 1));
        p.related.push_back({j.valueAt, 5, "leaf value pointing here"});
        return facts;
    }
    facts.header = *header;
    const BlobHeader &h = *header;
    const KeyClass cls = j.key.keyClass();
    const bool pageKey = cls == KeyClass::RelBlock || cls == KeyClass::SlruBlock;
    const bool sizeKey = cls == KeyClass::RelSize || cls == KeyClass::SlruSegSize;
    // The payload as a view into the file; only zstd blobs are decompressed (into a buffer),
    // never beyond what the value can be.
    Bytes payload = storedPayload(file, h);
    ByteVector decompressed;
    if (h.compression == Compression::Zstd) {
        // A page never needs more than 8 KiB. Anything else up to kMaxDecompressedLen, but only
        // one large decompression at a time in the process: memory stays bounded whatever the
        // number of threads, and results do not depend on it.
        const std::uint64_t limit = !delta && pageKey ? kBlockSize : kMaxDecompressedLen;
        auto d = zstdDecompress(payload, h.payloadOffset(), std::min(limit, kSmallDecompress));
        if (!d && d.error().kind == ErrorKind::TooLarge && limit > kSmallDecompress) {
            static std::mutex large;
            const std::lock_guard lock(large);
            d = zstdDecompress(payload, h.payloadOffset(), limit);
        }
        if (!d) {
            auto &p = add(d.error().kind == ErrorKind::TooLarge && pageKey ? "value-size" : "blob-zstd",
                          d.error().kind == ErrorKind::TooLarge && pageKey ? Severity::Warning : Severity::Error,
                          fmt::format("zstd blob at {}: {}", blobAt, d.error().message()),
                          h.payloadOffset(), h.storedLen);
            p.related.push_back({blobAt, h.headerLen, "blob header"});
            return facts;
        }
        decompressed = std::move(d.value());
        payload = decompressed;
    } else if (payload.size() >= 4 && payload.size() != kBlockSize
               && std::equal(payload.begin(), payload.begin() + 4, kZstdMagic)) {
        auto &p = add("blob-zstd-magic", Severity::Warning,
                      fmt::format("blob at {} is stored plain ({} bytes) but holds a zstd frame "
                                  "(28 b5 2f fd): its compression bits look damaged",
                                  blobAt, payload.size()),
                      blobAt, h.headerLen);
        p.related.push_back({h.payloadOffset(), 4, "zstd magic"});
    }
    if (!delta) {
        if (pageKey && payload.size() != kBlockSize)
            add("value-size", Severity::Warning,
                fmt::format("{} image is {} bytes: Postgres can only be served an 8192-byte page", j.key.className(),
                            payload.size()),
                blobAt, h.headerLen);
        if (sizeKey && payload.size() != 4)
            add("value-size", Severity::Warning,
                fmt::format("{} value is {} bytes, expected a 4-byte block count", j.key.className(), payload.size()),
                blobAt, h.headerLen);
        if (pages && cls == KeyClass::RelBlock && payload.size() == kBlockSize)
            checkPage(j, payload, h.payloadOffset(), out);
        return facts;
    }
    auto v = scanValue(payload, h.payloadOffset());
    if (!v) {
        const bool zstd = h.compression == Compression::Zstd;
        auto &p = add("value-decode", Severity::Error,
                      fmt::format("value does not decode: {}", v.error().message()),
                      zstd ? h.payloadOffset() : v.error().offset, zstd ? h.storedLen : 1);
        p.related.push_back({blobAt, h.headerLen + h.storedLen, "blob"});
        return facts;
    }
    facts.valueWillInit = v->willInit;
    if (v->willInit != j.willInit) {
        auto &p = add("will-init", Severity::Error,
                      fmt::format("BlobRef will_init bit is {} but the value's will_init is {}", j.willInit,
                                  v->willInit),
                      j.valueAt + 4, 1);
        p.related.push_back({blobAt, h.headerLen + h.storedLen, "value"});
    }
    if (!v->isImage) {
        if (const char *fits = recordKeyMismatch(v->recordTag, j.key, cls)) {
            auto &p = add("value-key", Severity::Error,
                          fmt::format("a {} record cannot apply to key {} ({}): {}", recordName(v->recordTag),
                                      j.key.toHex(), j.key.describe(), fits),
                          h.payloadOffset(), 4);
            p.related.push_back({j.valueAt, 5, "leaf value"});
        }
        if (v->recordTag >= 1 && v->recordTag <= 5 && !recordKeyMismatch(v->recordTag, j.key, cls))
            if (auto decoded = decodeValue(payload, h.payloadOffset()))
                if (auto why = recordPageMismatch(decoded->record(), j.key)) {
                    auto &p = add("record-page", Severity::Error,
                                  fmt::format("a {} record is stored under {} ({}), but {}", recordName(v->recordTag),
                                              j.key.toHex(), j.key.describe(), *why),
                                  h.compression == Compression::Zstd ? h.payloadOffset() : h.payloadOffset() + 8,
                                  h.compression == Compression::Zstd ? 1 : payload.size() - 8);
                    p.related.push_back({j.valueAt, 5, "leaf value"});
                }
        if (v->recordTag == 0)
            facts.copy = checkPostgresRecord(j, cls, v->content, v->willInit,
                                h.compression == Compression::Zstd
                                    ? std::optional<FileOffset>()
                                    : std::optional<FileOffset>(h.payloadOffset() + FileOffset(v->content.data() - payload.data())),
                                h.payloadOffset(), add);
        if (v->recordTag == 8)
            add("test-record", Severity::Warning, "NeonWalRecord::Test only exists in Neon's test builds",
                h.payloadOffset() + 4, 4);
        else if (v->recordTag == 7)
            add("seed-incompatible", Severity::Info, "TruncateVisibilityMap (tag 7) is unknown to SEED-era Neon",
                h.payloadOffset() + 4, 4);
    } else {
        if (pageKey && v->imageLen != kBlockSize)
            add("value-size", Severity::Warning,
                fmt::format("{} image is {} bytes: Postgres can only be served an 8192-byte page", j.key.className(),
                            v->imageLen),
                blobAt, h.headerLen);
        if (sizeKey && v->imageLen != 4)
            add("value-size", Severity::Warning,
                fmt::format("{} value is {} bytes, expected a 4-byte block count", j.key.className(), v->imageLen),
                blobAt, h.headerLen);
        if (cls == KeyClass::RelBlock && v->imageLen == kBlockSize) {
            // A page is never newer than the LSN it is stored at (Neon sets an extracted full-page
            // image's pd_lsn to the entry's LSN). Only pages whose header reads as a page's; a new
            // (all-zero) page has pd_lsn 0, and the header is judged only when the LSN is later.
            const Bytes page = payload.subspan(12, kBlockSize);
            const auto ph = parsePageHeader(page);
            if (ph && ph->lsn > j.lsn.value && pageHeaderProblems(*ph).empty()) {
                const bool zstd = h.compression == Compression::Zstd;
                add("page-lsn", Severity::Error,
                    fmt::format("page of {} has pd_lsn {} but is stored at {}: a page cannot be newer than its LSN",
                                j.key.describe(), Lsn{ph->lsn}.toString(), j.lsn.toString()),
                    zstd ? h.payloadOffset() : h.payloadOffset() + 12, zstd ? 1 : 8);
            }
            if (pages)
                checkPage(j, page, h.payloadOffset() + 12, out);
        }
    }
    return facts;
}

namespace {

class Validator
{
public:
    Validator(const ByteSource &src, const ValidateOptions &o)
        : m_src(src), m_file(src.bytes()), m_opt(o), m_list(o.maxProblems)
    {}

    ValidationReport run();

private:
    void runChecks();
    Problem &add(const char *check, Severity sev, std::string message, FileOffset offset,
                 std::uint64_t length)
    {
        return m_list.add(makeProblem(check, sev, std::move(message), offset, length));
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
        Problem &add(const char *check, Severity sev, std::string message, FileOffset offset, std::uint64_t length)
        {
            return pushProblem(out.problems, check, sev, std::move(message), offset, length);
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
        add("summary-version", Severity::Error,
            fmt::format("format_version is {}, expected {}", m_s.formatVersion, kFormatVersion),
            fieldAt(SummaryFieldId::Version), fieldLen(SummaryFieldId::Version));
    if (!(m_s.keyStart < m_s.keyEnd)) {
        auto &p = add("summary-key-range", Severity::Error,
                      fmt::format("key range start {} is not below its end {}", m_s.keyStart.toHex(),
                                  m_s.keyEnd.toHex()),
                      keysAt(), keysLen());
        p.key = m_s.keyStart;
    }
    if (m_s.kind == LayerKind::Delta && !(m_s.lsnStart < m_s.lsnEnd))
        add("summary-lsn-range", Severity::Error,
            fmt::format("LSN range start {} is not below its end {}", m_s.lsnStart.toString(),
                        m_s.lsnEnd.toString()),
            lsnAt(), lsnLen());
    if (m_s.kind == LayerKind::Image && m_s.lsnStart.value == Lsn::kMax)
        add("summary-lsn-range", Severity::Error,
            "image LSN is 0xFFFFFFFFFFFFFFFF (Neon panics computing lsn + 1)", lsnAt(), lsnLen());
    // Rest of block 0.
    const Bytes rest = m_file.subspan(m_s.encodedLen(), kBlockSize - m_s.encodedLen());
    const auto nz = std::find_if(rest.begin(), rest.end(), [](std::uint8_t b) { return b != 0; });
    if (nz != rest.end()) {
        const FileOffset at = m_s.encodedLen() + FileOffset(nz - rest.begin());
        const auto last = std::find_if(rest.rbegin(), rest.rend(), [](std::uint8_t b) { return b != 0; });
        const FileOffset end = kBlockSize - FileOffset(last - rest.rbegin());
        add("summary-padding", Severity::Warning,
            fmt::format("block 0 has non-zero bytes after the {}-byte summary (Neon writes zeros)",
                        m_s.encodedLen()),
            at, end - at);
    }
    if (!m_opt.fileName.empty()) {
        std::string why;
        const auto name = LayerName::parse(m_opt.fileName, &why);
        const std::string implied = m_s.impliedName().canonical();
        if (!name) {
            auto &p = add("file-name", Severity::Warning,
                          fmt::format("file name \"{}\" is not a layer name ({}); the summary implies {}",
                                      m_opt.fileName, why, implied),
                          keysAt(), m_s.encodedLen() - keysAt());
            p.related.push_back({keysAt(), keysLen(), "summary key range"});
        } else if (name->canonical() != implied) {
            const bool keys = name->keyStart != m_s.keyStart || name->keyEnd != m_s.keyEnd;
            auto &p = add("file-name", Severity::Error,
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
        add("index-start", Severity::Error,
            fmt::format("index_start_blk {} is outside [2, {}) (the file has {} blocks)",
                        m_s.indexStartBlk, m_blocks, m_blocks),
            startAt, 4);
        return false;
    }
    m_indexBlocks = m_blocks - m_s.indexStartBlk;
    if (m_s.indexRootBlk >= m_indexBlocks) {
        auto &p = add("index-root", Severity::Error,
                      fmt::format("index_root_blk {} is beyond the {} index blocks: btree node beyond file",
                                  m_s.indexRootBlk, m_indexBlocks),
                      rootAt, 4);
        p.related.push_back({startAt, 4, "index_start_blk"});
        return false;
    }
    if (m_s.indexRootBlk != m_indexBlocks - 1) {
        auto &p = add("index-root-not-last", Severity::Warning,
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
        auto &p = add("node-padding", Severity::Warning,
                      fmt::format("node {} has non-zero bytes after its {} used bytes", n.block, used),
                      n.offset + FileOffset(nz - block.begin()), 1);
        p.block = n.block;
    }
    if (used == kBlockSize) {
        auto &p = add("node-full", Severity::Info,
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
            auto &p = add("node-level", Severity::Error,
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
        auto &p = pushProblem(out, "node-key-order", Severity::Error,
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
        tag(st.add("key-order", Severity::Error,
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
            tag(st.add("key-class", Severity::Warning, fmt::format("key {}: {}: a damaged key", k.toHex(), why),
                       keyAt, leaf.suffixLen));
        else
            st.plausibleKey = k;
    }

    // Inside the summary's ranges.
    if (k < m_s.keyStart || !(k < m_s.keyEnd)) {
        auto &p = tag(st.add("key-range", Severity::Error,
                          fmt::format("key {} is outside the summary's key range [{}, {})", k.toHex(),
                                      m_s.keyStart.toHex(), m_s.keyEnd.toHex()),
                          keyAt, leaf.suffixLen));
        p.related.push_back({keysAt(), keysLen(), "summary key range"});
    }
    if (m_s.kind == LayerKind::Delta && (lsn < m_s.lsnStart || !(lsn < m_s.lsnEnd))) {
        auto &p = tag(st.add("lsn-range", Severity::Error,
                          fmt::format("LSN {} is outside the summary's LSN range [{}, {})", lsn.toString(),
                                      m_s.lsnStart.toString(), m_s.lsnEnd.toString()),
                          keyAt, leaf.suffixLen));
        p.related.push_back({lsnAt(), lsnLen(), "summary LSN range"});
    }

    const std::uint64_t raw = leaf.value(i);
    if (raw > kBtreeMaxLeafValue) {
        tag(st.add("leaf-value", Severity::Error,
                fmt::format("leaf value 0x{:010x} has its top bit set (above 0x7fffffffff)", raw), valueAt, 5));
        return;
    }
    const FileOffset blobAt = blobAtOf(raw);
    const bool willInit = m_s.kind == LayerKind::Delta && (raw & 1);
    if (blobAt < kBlockSize || blobAt >= m_valuesEnd) {
        auto &p = tag(st.add("blob-offset", Severity::Error,
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
        auto &p = tag(add(blobAt <= m_prevBlobStart ? "blob-order" : "blob-overlap", Severity::Error,
                          blobAt <= m_prevBlobStart
                              ? fmt::format("blob at {} comes before the previous entry's blob at {}", blobAt, m_prevBlobStart)
                              : fmt::format("blob at {} overlaps the previous blob [{}, {})", blobAt, m_prevBlobStart, m_prevBlobEnd),
                          valueAt, 5));
        p.related.push_back({m_prevBlobStart, m_prevBlobEnd - m_prevBlobStart, "previous blob"});
    } else if (blobAt > m_prevBlobEnd) {
        auto &p = tag(add("blob-gap", Severity::Warning,
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
    auto &p = add("wal-lsn", Severity::Error,
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
            auto &p = add("node-level", Severity::Error,
                          fmt::format("node {} has level {}, but its first child {} has level {}", parent->block,
                                      parent->level, n.block, n.level),
                          parent->offset + kNodeHeaderFields[1].offset, 1);
            p.block = parent->block;
            p.related.push_back({n.offset + kNodeHeaderFields[1].offset, 1, "child's level"});
            expected = n.level;
        } else if (i == 0) {
            expected = n.level;
        } else if (n.level != expected) {
            auto &p = add("node-level", Severity::Error,
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
            auto &p = add("node-separator", above ? Severity::Error : Severity::Warning,
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
            auto &p = add("node-separator", Severity::Error,
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
        p = &add("node-child-range", Severity::Error,
                 fmt::format("child pointer {} is beyond the {} index blocks: btree node beyond file", link.block,
                             m_indexBlocks),
                 ptrAt, ptrLen);
        break;
    case WalkFault::Cycle:
    case WalkFault::Shared:
        p = &add(why == WalkFault::Cycle ? "node-cycle" : "node-shared", Severity::Error,
                 why == WalkFault::Cycle
                     ? fmt::format("node {} points back at its ancestor {} (a cycle)", parent ? parent->block : 0,
                                   link.block)
                     : fmt::format("node {} is reached a second time (shared child)", link.block),
                 ptrAt, ptrLen);
        p->related.push_back({target, kBlockSize, "node reached twice"});
        break;
    case WalkFault::TooDeep:
        p = &add("node-depth", Severity::Error,
                 fmt::format("path deeper than {} levels", BTreeReader::kMaxDepth), ptrAt, ptrLen);
        break;
    case WalkFault::Unreadable: {
        ++m_report.nodesChecked;
        ++m_done;
        const char *check = error.kind == ErrorKind::NodeMarker ? "node-marker" : "node-header";
        auto &q = add(check, Severity::Error,
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
        add("empty-layer", Severity::Error, "the index holds no entries (Neon never writes an empty layer)",
            fieldAt(SummaryFieldId::IndexRoot), 4);
        return;
    }
    if (!m_anyBlob)
        return;
    if (m_compressed)
        add("seed-incompatible", Severity::Info,
            fmt::format("{} of {} blobs are zstd-compressed: only HEAD-era Neon reads this layer", m_compressed,
                        m_report.entriesChecked),
            m_firstCompressed, 4);
    if (m_nonCanonical)
        add("blob-header-canonical", Severity::Info,
            fmt::format("{} blobs below 128 bytes have a 4-byte header (Neon writes 1 byte): a rewrite is not "
                        "byte-identical", m_nonCanonical),
            m_firstNonCanonical, 4);
    const std::uint64_t expectStart = (m_maxBlobEnd + kBlockSize - 1) / kBlockSize;
    if (expectStart != m_s.indexStartBlk) {
        auto &p = add("values-end", Severity::Warning,
                      fmt::format("the last blob ends at {}, so index_start_blk should be {}, not {}", m_maxBlobEnd,
                                  expectStart, m_s.indexStartBlk),
                      fieldAt(SummaryFieldId::IndexStart), 4);
        p.related.push_back({m_maxBlobEnd, 0, "end of the last blob"});
    }
    if (m_maxBlobEnd < m_valuesEnd) {
        // Holes (a sparse file) are skipped, not read.
        if (const auto nz = firstNonZero(m_src, m_maxBlobEnd, m_valuesEnd))
            add("values-padding", Severity::Warning,
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
        auto &p = add("index-unreachable", Severity::Warning,
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
        add("file-size", Severity::Error,
            fmt::format("file is {} bytes, shorter than the 8192-byte summary block", size), 0, size);
        if (size < 2)
            return;
    } else if (size % kBlockSize != 0) {
        add("file-size", Severity::Error,
            fmt::format("file size {} is not a multiple of 8192: the last {} bytes form a partial block Neon cannot read",
                        size, size % kBlockSize),
            m_blocks * kBlockSize, size % kBlockSize);
    }
    auto s = Summary::decode(m_file.first(std::min<std::uint64_t>(size, kBlockSize)));
    if (!s) {
        add(s.error().offset == 0 ? "summary-magic" : "file-size", Severity::Error,
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
