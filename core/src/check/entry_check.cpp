#include <layerscope/check/entry_check.h>

#include <layerscope/check/registry.h>
#include <layerscope/format/pg_page.h>
#include <layerscope/format/sparse_value.h>
#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace layerscope {

namespace {

constexpr std::uint8_t kZstdMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
/// Decompressions up to this size run on every thread at once; larger ones one at a time.
constexpr std::uint64_t kSmallDecompress = 8 << 20;

/// Postgres page checks (opt-in): header sanity, checksum, line pointers.
void checkPage(const EntryRef &entry, Bytes page, FileOffset at, std::vector<Problem> &out)
{
    const Key &key = entry.key;
    const std::uint64_t position = entry.position;
    if (isZeroPage(page))
        return;
    auto add = [&out](CheckAs check, std::string message, FileOffset offset, std::uint64_t length)
        -> Problem & { return pushProblem(out, check, std::move(message), offset, length); };
    const auto h = parsePageHeader(page);
    auto tag = [&](Problem &p) {
        p.entry = position;
        p.key = key;
    };
    for (const auto &why : pageHeaderProblems(*h))
        tag(add(checkInfo("page-header"),
                fmt::format("page of {}: {}", key.describe(), why),
                at + 12,
                8));
    if (h->checksum != 0) {
        const std::uint16_t sum = pageChecksum(page, key.blockNumber());
        if (sum != h->checksum)
            tag(add(checkInfo("page-checksum"),
                    fmt::format("page of {}: checksum 0x{:04x}, computed 0x{:04x}",
                                key.describe(),
                                h->checksum,
                                sum),
                    at + 8,
                    2));
    }
    for (const auto &lp : linePointers(page, 2048))
        if (lp.flags == 1
            && (lp.offset < h->upper || std::uint32_t(lp.offset) + lp.length > h->special)) {
            tag(add(checkInfo("page-line-pointer"),
                    fmt::format(
                        "page of {}: line pointer ({}, {}) outside [pd_upper {}, pd_special {})",
                        key.describe(),
                        lp.offset,
                        lp.length,
                        h->upper,
                        h->special),
                    at + 24,
                    4));
            break;
        }
}

/// Neon's own record kinds apply to one kind of key each (its redo refuses the others);
/// nullptr when `tag` fits `key` (of class `cls`), else which keys it needs.
const char *recordKeyMismatch(RecordTag tag, const Key &key, KeyClass cls)
{
    const bool vm = cls == KeyClass::RelBlock && key.forkNumber() == 2;
    const bool slru = cls == KeyClass::SlruBlock;
    switch (tag) {
    case RecordTag::ClearVisibilityMapFlags:
    case RecordTag::TruncateVisibilityMap:
        return vm ? nullptr : "it applies to visibility-map pages (fork 2) only";
    case RecordTag::ClogSetCommitted:
    case RecordTag::ClogSetAborted:
        return slru && key.slruKind() == 0 ? nullptr : "it applies to clog (pg_xact) pages only";
    case RecordTag::MultixactOffsetCreate:
        return slru && key.slruKind() == 2 ? nullptr
                                         : "it applies to pg_multixact/offsets pages only";
    case RecordTag::MultixactMembersCreate:
        return slru && key.slruKind() == 1 ? nullptr
                                         : "it applies to pg_multixact/members pages only";
    case RecordTag::AuxFile:
        return cls == KeyClass::AuxFilesV1 ? nullptr : "it applies to the aux files key only";
    default: return nullptr;
    }
}

/// Whether a record kind names the page it belongs on (SLRU and visibility-map records).
bool recordPageBound(RecordTag tag)
{
    switch (tag) {
    case RecordTag::ClearVisibilityMapFlags:
    case RecordTag::ClogSetCommitted:
    case RecordTag::ClogSetAborted:
    case RecordTag::MultixactOffsetCreate:
    case RecordTag::MultixactMembersCreate: return true;
    default: return false;
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
    constexpr std::uint64_t kMembersPerPage = 8192 / 20 * 4;         // groups of 4 flags + 4 xids
    constexpr std::uint64_t kHeapBlocksPerVmPage = (8192 - 24) * 4;  // 2 bits per heap block
    const std::uint64_t segment = key.slruSegment(), page = key.blockNumber();
    auto onPage = [&](std::uint64_t pageno) {
        return pageno / kPagesPerSegment == segment && pageno % kPagesPerSegment == page;
    };
    auto where = [](std::uint64_t pageno) {
        return fmt::format("segment {} page {}",
                           pageno / kPagesPerSegment,
                           pageno % kPagesPerSegment);
    };
    if (const auto *c = std::get_if<wal::ClogSetCommitted>(&rec);
        c || std::get_if<wal::ClogSetAborted>(&rec)) {
        const auto &xids = c ? c->xids : std::get<wal::ClogSetAborted>(rec).xids;
        for (std::uint32_t xid : xids)
            if (!onPage(xid / kClogXactsPerPage))
                return fmt::format("xid {} is on clog {}", xid, where(xid / kClogXactsPerPage));
    } else if (const auto *o = std::get_if<wal::MultixactOffsetCreate>(&rec)) {
        if (!onPage(o->mid / kOffsetsPerPage))
            return fmt::format("multixact {} is on offsets {}",
                               o->mid,
                               where(o->mid / kOffsetsPerPage));
    } else if (const auto *m = std::get_if<wal::MultixactMembersCreate>(&rec)) {
        for (std::size_t i = 0; i < m->members.size(); ++i) {
            const std::uint64_t offset = std::uint64_t(m->moff) + i;
            if (!onPage(offset / kMembersPerPage))
                return fmt::format("member offset {} is on members {}",
                                   offset,
                                   where(offset / kMembersPerPage));
        }
    } else if (const auto *v = std::get_if<wal::ClearVisibilityMapFlags>(&rec)) {
        for (const auto &blk : {v->newHeapBlkno, v->oldHeapBlkno})
            if (blk && *blk / kHeapBlocksPerVmPage == key.blockNumber())
                return std::nullopt;
        if (v->newHeapBlkno || v->oldHeapBlkno)
            return fmt::format("its heap blocks are on visibility-map page {}",
                               (v->newHeapBlkno ? *v->newHeapBlkno : *v->oldHeapBlkno)
                                   / kHeapBlocksPerVmPage);
    }
    return std::nullopt;
}

/// A NeonWalRecord::Postgres holds a whole XLogRecord when its xl_tot_len is its length: then
/// its CRC, its block references, the key it is filed under and its will_init are checked (Neon
/// files the record under every block it touches, with will_init = WILL_INIT or an applied
/// image). `cls` is the entry key's class. `recAt` is the record's offset in the file (none
/// inside a zstd blob: problems then point at the blob's payload, `payloadAt`).
/// Checks a Postgres record filed under entry `j`; when it is a whole record that decodes and
/// touches more than one block, returns what identifies its copies under the other blocks.
/// An image of a sparse key (replication origin, v2 relation directory, aux v2) that is not
/// what Neon writes for it: `sparse-value`, at the blob's header.
template<class Add>
void checkSparseValue(
    const Key &key, Bytes image, FileOffset blobAt, std::uint64_t headerLen, Add &add)
{
    if (const auto s = decodeSparseValue(key, image); s && !s->error.empty()
                                                      && key.keyClass() != KeyClass::RelSize
                                                      && key.keyClass() != KeyClass::SlruSegSize)
        add(checkInfo("sparse-value"),
            fmt::format("{} value: {}: Neon's reader fails on it", key.className(), s->error),
            blobAt,
            headerLen);
}

template<class Add>
std::optional<RecordCopy> checkPostgresRecord(const EntryRef &j,
                                              KeyClass cls,
                                              Bytes rec,
                                              bool willInit,
                                              std::optional<FileOffset> recAt,
                                              FileOffset payloadAt,
                                              Add &add)
{
    const auto header = parseXLogRecordHeader(rec);
    if (!header)
        return std::nullopt;
    const FileOffset base = recAt.value_or(payloadAt);
    if (header->totLen != rec.size()) {
        // Not whole as stored; but a record whose xl_tot_len alone was damaged still matches
        // its CRC with its true length, and must not pass as some other kind of payload.
        if (xlogRecordCrcAsWhole(rec) == header->crc)
            add(checkInfo("wal-record"),
                fmt::format(
                    "{} record: xl_tot_len is {} but the record has {} bytes, and its xl_crc "
                    "matches {}: the length field is damaged",
                    fmt::format("{} (info 0x{:02x})", rmgrName(header->rmid), header->info),
                    header->totLen,
                    rec.size(),
                    rec.size()),
                recAt ? base : payloadAt,
                recAt ? 4 : 1);
        return std::nullopt;
    }
    auto kind = [&] {
        return fmt::format("{} (info 0x{:02x})", rmgrName(header->rmid), header->info);
    };
    auto at = [&](FileOffset offset, std::uint64_t length) {
        return std::pair<FileOffset, std::uint64_t>(recAt ? offset : payloadAt, recAt ? length : 1);
    };
    const std::uint32_t crc = xlogRecordCrc(rec);
    if (crc != header->crc) {
        const auto [o, n] = at(base + 20, 4);
        add(checkInfo("wal-crc"),
            fmt::format("{} record (xl_tot_len {}): xl_crc is 0x{:08x} but the record's CRC-32C is "
                        "0x{:08x}",
                        kind(),
                        header->totLen,
                        header->crc,
                        crc),
            o,
            n);
        return std::nullopt; // a damaged record's blocks say nothing reliable
    }
    // Neon files a record at the LSN just past its end, rounded up to 8 bytes (the next
    // record's start), and the record began after the one xl_prev points to.
    const std::uint64_t lsn = j.lsn.value;
    const bool lsnFits = lsn % 8 == 0 && lsn >= header->prev
                         && lsn - header->prev >= kXLogRecordHeaderLen + header->totLen;
    if (!lsnFits) {
        const auto [lsnAt, lsnLen] = lsnBytes(j);
        auto &p = add(
            checkInfo("wal-lsn"),
            lsn % 8 != 0
                ? fmt::format(
                    "{} record is stored at {}, which is not a multiple of 8: Neon stores a "
                    "record at the 8-byte aligned LSN that follows it",
                    kind(),
                    j.lsn.toString())
                : fmt::format("{} record is stored at {}, but it comes after the record at {} "
                              "(xl_prev) and is {} bytes long: it cannot end before {}",
                              kind(),
                              j.lsn.toString(),
                              Lsn{header->prev}.toString(),
                              header->totLen,
                              Lsn{header->prev + kXLogRecordHeaderLen + header->totLen}.toString()),
            lsnAt,
            lsnLen);
        if (recAt)
            p.related.push_back({*recAt + 8, 8, "xl_prev"});
    }
    // One decoded record per thread, reused: checking a record allocates nothing.
    thread_local XLogRecordDecoded scratch;
    const XLogRecordDecoded &decoded = scratch;
    if (const auto status = decodeXLogRecord(rec, base, scratch); !status) {
        const auto [o, n] = at(status.error().offset, 1);
        add(checkInfo("wal-record"),
            fmt::format("{} record does not decode: {}", kind(), status.error().message()),
            o,
            n);
        return std::nullopt;
    }
    // Neon files a Postgres record under the key of each relation block it touches, and
    // under no other key (SLRU pages get Neon's own records).
    const Key &k = j.key;
    const XLogBlockRef *mine = nullptr;
    if (cls == KeyClass::RelBlock)
        for (const XLogBlockRef &b : decoded.blocks)
            if (b.isBlockOf(k))
                mine = &b;
    if (!mine) {
        std::string blocks;
        for (const XLogBlockRef &b : decoded.blocks)
            blocks += fmt::format("{}{}/{}/{} fork {} blk {}",
                                  blocks.empty() ? "" : ", ",
                                  b.spcOid,
                                  b.dbOid,
                                  b.relNumber,
                                  b.fork(),
                                  b.blockNumber);
        const auto [o, n] = at(base, kXLogRecordHeaderLen);
        add(checkInfo("wal-block-key"),
            fmt::format("{} record is filed under {} ({}), which is {} ({})",
                        kind(),
                        k.toHex(),
                        k.describe(),
                        cls == KeyClass::RelBlock
                            ? "none of its blocks"
                            : "not a relation block: Neon files a Postgres record only "
                              "under the blocks it touches",
                        blocks.empty() ? "it has none" : blocks),
            o,
            n);
        return std::nullopt;
    }
    const bool expected = mine->willInit || mine->applyImage;
    if (willInit != expected) {
        const auto [o, n] = at(mine->headerAt, 2);
        add(checkInfo("wal-will-init"),
            fmt::format("Postgres.will_init is {} but block #{} of the {} record {} (WILL_INIT {}, "
                        "applied image {})",
                        willInit,
                        mine->id,
                        kind(),
                        expected ? "starts from nothing" : "needs the page before it",
                        mine->willInit,
                        mine->applyImage),
            o,
            n);
    }
    if (decoded.blocks.size() < 2 || !lsnFits)
        return std::nullopt;
    return RecordCopy{header->prev, header->crc};
}
} // namespace

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

BlobFacts checkEntryBlob(Bytes file,
                         const Summary &s,
                         FileOffset valuesEnd,
                         const EntryRef &j,
                         bool pages,
                         std::vector<Problem> &out)
{
    BlobFacts facts;
    const FileOffset blobAt = j.blobAt;
    const bool delta = s.kind == LayerKind::Delta;
    auto add = [&](CheckAs check,
                   std::string message,
                   FileOffset offset,
                   std::uint64_t length) -> Problem & {
        return tagEntry(pushProblem(out, check, std::move(message), offset, length), j, delta);
    };
    auto header = readBlobHeader(file, blobAt, kBlockSize, valuesEnd);
    if (!header) {
        const bool bits = header.error().kind == ErrorKind::BlobCompression;
        auto &p = add(bits ? checkInfo("blob-compression") : checkInfo("blob-length"),
                      fmt::format("blob at {}: expected {}, found {}",
                                  blobAt,
                                  header.error().expected,
                                  header.error().found),
                      blobAt,
                      std::min<std::uint64_t>(4, valuesEnd > blobAt ? valuesEnd - blobAt : 1));
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
            auto &p = add(d.error().kind == ErrorKind::TooLarge && pageKey ? checkInfo("value-size")
                                                                           : checkInfo("blob-zstd"),
                          fmt::format("zstd blob at {}: {}", blobAt, d.error().message()),
                          h.payloadOffset(),
                          h.storedLen);
            p.related.push_back({blobAt, h.headerLen, "blob header"});
            return facts;
        }
        decompressed = std::move(d.value());
        payload = decompressed;
    } else if (payload.size() >= 4 && payload.size() != kBlockSize
               && std::equal(payload.begin(), payload.begin() + 4, kZstdMagic)) {
        auto &p = add(checkInfo("blob-zstd-magic"),
                      fmt::format("blob at {} is stored plain ({} bytes) but holds a zstd frame "
                                  "(28 b5 2f fd): its compression bits look damaged",
                                  blobAt,
                                  payload.size()),
                      blobAt,
                      h.headerLen);
        p.related.push_back({h.payloadOffset(), 4, "zstd magic"});
    }
    if (!delta) {
        if (pageKey && payload.size() != kBlockSize)
            add(checkInfo("value-size"),
                fmt::format("{} image is {} bytes: Postgres can only be served an 8192-byte page",
                            j.key.className(),
                            payload.size()),
                blobAt,
                h.headerLen);
        if (sizeKey && payload.size() != 4)
            add(checkInfo("value-size"),
                fmt::format("{} value is {} bytes, expected a 4-byte block count",
                            j.key.className(),
                            payload.size()),
                blobAt,
                h.headerLen);
        checkSparseValue(j.key, payload, blobAt, h.headerLen, add);
        if (pages && cls == KeyClass::RelBlock && payload.size() == kBlockSize)
            checkPage(j, payload, h.payloadOffset(), out);
        return facts;
    }
    auto v = scanValue(payload, h.payloadOffset());
    if (!v) {
        const bool zstd = h.compression == Compression::Zstd;
        auto &p = add(checkInfo("value-decode"),
                      fmt::format("value does not decode: {}", v.error().message()),
                      zstd ? h.payloadOffset() : v.error().offset,
                      zstd ? h.storedLen : 1);
        p.related.push_back({blobAt, h.headerLen + h.storedLen, "blob"});
        return facts;
    }
    facts.valueWillInit = v->willInit;
    if (v->willInit != j.willInit) {
        auto &p = add(checkInfo("will-init"),
                      fmt::format("BlobRef will_init bit is {} but the value's will_init is {}",
                                  j.willInit,
                                  v->willInit),
                      j.valueAt + 4,
                      1);
        p.related.push_back({blobAt, h.headerLen + h.storedLen, "value"});
    }
    if (!v->isImage) {
        if (const char *fits = recordKeyMismatch(v->recordTag, j.key, cls)) {
            auto &p = add(checkInfo("value-key"),
                          fmt::format("a {} record cannot apply to key {} ({}): {}",
                                      recordTagName(v->recordTag),
                                      j.key.toHex(),
                                      j.key.describe(),
                                      fits),
                          h.payloadOffset(),
                          4);
            p.related.push_back({j.valueAt, 5, "leaf value"});
        }
        if (recordPageBound(v->recordTag) && !recordKeyMismatch(v->recordTag, j.key, cls))
            if (auto decoded = decodeValue(payload, h.payloadOffset()))
                if (auto why = recordPageMismatch(decoded->record(), j.key)) {
                    auto &p = add(checkInfo("record-page"),
                                  fmt::format("a {} record is stored under {} ({}), but {}",
                                              recordTagName(v->recordTag),
                                              j.key.toHex(),
                                              j.key.describe(),
                                              *why),
                                  h.compression == Compression::Zstd ? h.payloadOffset()
                                                                     : h.payloadOffset() + 8,
                                  h.compression == Compression::Zstd ? 1 : payload.size() - 8);
                    p.related.push_back({j.valueAt, 5, "leaf value"});
                }
        if (v->recordTag == RecordTag::Postgres)
            facts.copy = checkPostgresRecord(j,
                                             cls,
                                             v->content,
                                             v->willInit,
                                             h.compression == Compression::Zstd
                                                 ? std::optional<FileOffset>()
                                                 : std::optional<FileOffset>(
                                                     h.payloadOffset()
                                                     + FileOffset(v->content.data()
                                                                  - payload.data())),
                                             h.payloadOffset(),
                                             add);
        if (v->recordTag == RecordTag::Test)
            add(checkInfo("test-record"),
                "NeonWalRecord::Test only exists in Neon's test builds",
                h.payloadOffset() + 4,
                4);
        else if (v->recordTag == RecordTag::TruncateVisibilityMap)
            add(checkInfo("seed-incompatible"),
                "TruncateVisibilityMap (tag 7) is unknown to SEED-era Neon",
                h.payloadOffset() + 4,
                4);
    } else {
        if (pageKey && v->imageLen != kBlockSize)
            add(checkInfo("value-size"),
                fmt::format("{} image is {} bytes: Postgres can only be served an 8192-byte page",
                            j.key.className(),
                            v->imageLen),
                blobAt,
                h.headerLen);
        if (sizeKey && v->imageLen != 4)
            add(checkInfo("value-size"),
                fmt::format("{} value is {} bytes, expected a 4-byte block count",
                            j.key.className(),
                            v->imageLen),
                blobAt,
                h.headerLen);
        if (v->isImage)
            checkSparseValue(j.key, v->content, blobAt, h.headerLen, add);
        if (cls == KeyClass::RelBlock && v->imageLen == kBlockSize) {
            // A page is never newer than the LSN it is stored at (Neon sets an extracted full-page
            // image's pd_lsn to the entry's LSN). Only pages whose header reads as a page's; a new
            // (all-zero) page has pd_lsn 0, and the header is judged only when the LSN is later.
            const Bytes page = payload.subspan(12, kBlockSize);
            const auto ph = parsePageHeader(page);
            if (ph && ph->lsn > j.lsn.value && pageHeaderProblems(*ph).empty()) {
                const bool zstd = h.compression == Compression::Zstd;
                add(checkInfo("page-lsn"),
                    fmt::format("page of {} has pd_lsn {} but is stored at {}: a page cannot be "
                                "newer than its LSN",
                                j.key.describe(),
                                Lsn{ph->lsn}.toString(),
                                j.lsn.toString()),
                    zstd ? h.payloadOffset() : h.payloadOffset() + 12,
                    zstd ? 1 : 8);
            }
            if (pages)
                checkPage(j, page, h.payloadOffset() + 12, out);
        }
    }
    return facts;
}
} // namespace layerscope
