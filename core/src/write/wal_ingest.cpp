#include <layerscope/write/wal_ingest.h>

#include <layerscope/format/pg_page.h>
#include <layerscope/format/xlog_record.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace layerscope {

namespace {
constexpr std::uint8_t kRmXlog = 0;
constexpr std::uint8_t kXlogFpiForHint = 0xA0;
constexpr std::uint8_t kXlogFpi = 0xB0;
constexpr char kMagic[] = "LSWALREC";
constexpr char kPagesMagic[] = "LSPAGES1";

Summary fixedIds(LayerKind kind)
{
    Summary s;
    s.kind = kind;
    s.tenant = *Id128::fromHex("15151515151515151515151515151515");
    s.timeline = *Id128::fromHex("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f");
    return s;
}
} // namespace

Result<std::vector<WalRecordInput>> parseWalRecordsFile(Bytes file)
{
    const std::size_t magicLen = sizeof kMagic - 1;
    if (file.size() < magicLen || std::memcmp(file.data(), kMagic, magicLen) != 0)
        return makeError(0, "the magic \"LSWALREC\"", file.size() < magicLen ? "a shorter file" : "other bytes");
    std::vector<WalRecordInput> out;
    std::size_t pos = magicLen;
    while (pos < file.size()) {
        if (file.size() - pos < 20)
            return makeError(pos, "a 20-byte record header", fmt::format("{} bytes", file.size() - pos));
        const std::uint64_t start = readBe64(&file[pos]);
        const std::uint64_t end = readBe64(&file[pos + 8]);
        const std::uint32_t len = readBe32(&file[pos + 16]);
        if (len > file.size() - pos - 20 || end <= start)
            return makeError(pos, "a record inside the file ending after it starts",
                             fmt::format("{} bytes from {:X} to {:X}", len, start, end));
        const Bytes rec = file.subspan(pos + 20, len);
        out.push_back({Lsn{start}, Lsn{end}, ByteVector(rec.begin(), rec.end())});
        pos += 20 + len;
    }
    return out;
}

Result<std::vector<DeltaEntry>> fileWalRecords(std::span<const WalRecordInput> records, int pgVersion)
{
    std::vector<DeltaEntry> out;
    for (const WalRecordInput &r : records) {
        auto d = decodeXLogRecord(r.rec, 0, pgVersion);
        if (!d)
            return makeError(d.error().offset, d.error().expected,
                             fmt::format("{} (the record ending at {})", d.error().found, r.end.toString()));
        const Lsn lsn{(r.end.value + 7) & ~std::uint64_t(7)};
        const bool fpiOnly = d->header.rmid == kRmXlog
                             && ((d->header.info & 0xF0) == kXlogFpi || (d->header.info & 0xF0) == kXlogFpiForHint);
        for (const XLogBlockRef &b : d->blocks) {
            const Key key = Key::fromFields(0, b.spcOid, b.dbOid, b.relNumber, b.fork(), b.blockNumber);
            if (fpiOnly && b.hasImage && b.applyImage && !b.compressed) {
                const Bytes image = Bytes(r.rec).subspan(std::size_t(b.imageAt), b.imageLength);
                ByteVector page(image.begin(), image.begin() + b.holeOffset);
                page.resize(std::size_t(b.holeOffset) + b.holeLength, 0);
                page.insert(page.end(), image.begin() + b.holeOffset, image.end());
                if (parsePageHeader(page)->upper != 0) {  // Postgres's PageIsNew: pd_upper 0
                    writeLe32(page.data(), std::uint32_t(lsn.value >> 32));
                    writeLe32(page.data() + 4, std::uint32_t(lsn.value));
                }
                out.push_back({key, lsn, Value{std::move(page)}});
                continue;
            }
            out.push_back({key, lsn, Value{NeonWalRecord{wal::Postgres{b.willInit || b.applyImage, r.rec}}}});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const DeltaEntry &a, const DeltaEntry &b) {
        return a.key != b.key ? a.key < b.key : a.lsn < b.lsn;
    });
    return out;
}

Result<PagesInput> parsePagesFile(Bytes file)
{
    const std::size_t magicLen = sizeof kPagesMagic - 1;
    if (file.size() < magicLen + 8 || !isPagesFile(file))
        return makeError(0, "the magic \"LSPAGES1\" and an LSN", file.size() < magicLen + 8 ? "a shorter file" : "other bytes");
    PagesInput in;
    in.lsn = Lsn{readBe64(&file[magicLen])};
    constexpr std::size_t kRecord = 17 + 8192;
    for (std::size_t pos = magicLen + 8; pos < file.size(); pos += kRecord) {
        if (file.size() - pos < kRecord)
            return makeError(pos, fmt::format("a {}-byte page record", kRecord), fmt::format("{} bytes", file.size() - pos));
        const std::uint8_t *p = &file[pos];
        const Key key = Key::fromFields(0, readBe32(p), readBe32(p + 4), readBe32(p + 8), p[12], readBe32(p + 13));
        in.pages.emplace_back(key, ByteVector(p + 17, p + kRecord));
    }
    std::stable_sort(in.pages.begin(), in.pages.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    return in;
}

bool isPagesFile(Bytes file)
{
    const std::size_t magicLen = sizeof kPagesMagic - 1;
    return file.size() >= magicLen && std::memcmp(file.data(), kPagesMagic, magicLen) == 0;
}

Summary pagesImageSummary(const PagesInput &pages)
{
    Summary s = fixedIds(LayerKind::Image);
    s.keyStart = pages.pages.front().first;
    s.keyEnd = pages.pages.back().first.next().value_or(Key::max());
    s.lsnStart = pages.lsn;
    s.lsnEnd = Lsn{pages.lsn.value + 1};
    return s;
}

Summary walDeltaSummary(std::span<const DeltaEntry> entries)
{
    Summary s = fixedIds(LayerKind::Delta);
    s.keyStart = entries.front().key;
    s.keyEnd = entries.back().key.next().value_or(Key::max());
    s.lsnStart = entries.front().lsn;
    s.lsnEnd = entries.front().lsn;
    for (const DeltaEntry &e : entries) {
        s.lsnStart = std::min(s.lsnStart, e.lsn);
        s.lsnEnd = std::max(s.lsnEnd, Lsn{e.lsn.value + 1});
    }
    return s;
}

} // namespace layerscope
