#include "validator.h"

namespace layerscope {

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

void Validator::checkSummary()
{
    if (m_s.formatVersion != kFormatVersion)
        add(checkInfo("summary-version"),
            fmt::format("format_version is {}, expected {}", m_s.formatVersion, kFormatVersion),
            fieldAt(SummaryFieldId::Version),
            fieldLen(SummaryFieldId::Version));
    if (!(m_s.keyStart < m_s.keyEnd)) {
        auto &p = add(checkInfo("summary-key-range"),
                      fmt::format("key range start {} is not below its end {}",
                                  m_s.keyStart.toHex(),
                                  m_s.keyEnd.toHex()),
                      keysAt(),
                      keysLen());
        p.key = m_s.keyStart;
    }
    if (m_s.kind == LayerKind::Delta && !(m_s.lsnStart < m_s.lsnEnd))
        add(checkInfo("summary-lsn-range"),
            fmt::format("LSN range start {} is not below its end {}",
                        m_s.lsnStart.toString(),
                        m_s.lsnEnd.toString()),
            lsnAt(),
            lsnLen());
    if (m_s.kind == LayerKind::Image && m_s.lsnStart.value == Lsn::kMax)
        add(checkInfo("summary-lsn-range"),
            "image LSN is 0xFFFFFFFFFFFFFFFF (Neon panics computing lsn + 1)",
            lsnAt(),
            lsnLen());
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
            at,
            end - at);
    }
    if (!m_opt.fileName.empty()) {
        std::string why;
        const auto name = LayerName::parse(m_opt.fileName, &why);
        const std::string implied = m_s.impliedName().canonical();
        if (!name) {
            auto &p = add(
                weaker(checkInfo("file-name")),
                fmt::format("file name \"{}\" is not a layer name ({}); the summary implies {}",
                            m_opt.fileName,
                            why,
                            implied),
                keysAt(),
                m_s.encodedLen() - keysAt());
            p.related.push_back({keysAt(), keysLen(), "summary key range"});
        } else if (name->canonical() != implied) {
            const bool keys = name->keyStart != m_s.keyStart || name->keyEnd != m_s.keyEnd;
            auto &p = add(checkInfo("file-name"),
                          fmt::format("file name says {}, the summary says {}",
                                      name->canonical(),
                                      implied),
                          keys ? keysAt() : lsnAt(),
                          keys ? keysLen() : lsnLen());
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
                        m_s.indexStartBlk,
                        m_blocks,
                        m_blocks),
            startAt,
            4);
        return false;
    }
    m_indexBlocks = m_blocks - m_s.indexStartBlk;
    if (m_s.indexRootBlk >= m_indexBlocks) {
        auto &p = add(
            checkInfo("index-root"),
            fmt::format("index_root_blk {} is beyond the {} index blocks: btree node beyond file",
                        m_s.indexRootBlk,
                        m_indexBlocks),
            rootAt,
            4);
        p.related.push_back({startAt, 4, "index_start_blk"});
        return false;
    }
    if (m_s.indexRootBlk != m_indexBlocks - 1) {
        auto &p = add(checkInfo("index-root-not-last"),
                      fmt::format("root is index block {}, Neon writes it last (block {})",
                                  m_s.indexRootBlk,
                                  m_indexBlocks - 1),
                      rootAt,
                      4);
        p.block = m_s.indexRootBlk;
    }
    return true;
}

void Validator::checkValueArea()
{
    if (m_report.entriesChecked == 0) {
        add(checkInfo("empty-layer"),
            "the index holds no entries (Neon never writes an empty layer)",
            fieldAt(SummaryFieldId::IndexRoot),
            4);
        return;
    }
    if (m_otherShards) {
        const ShardIdentity &s = *m_opt.shard;
        add(checkInfo("shard-inherited-keys"),
            fmt::format("{} of {} entries of this L0 delta are keys shard {} of {} does not own: "
                        "inherited from the parent shard at a split, allowed",
                        m_otherShards,
                        m_report.entriesChecked,
                        s.number,
                        s.count),
            m_firstOtherShard,
            1);
    }
    if (!m_anyBlob)
        return;
    if (m_compressed)
        add(checkInfo("seed-incompatible"),
            fmt::format("{} of {} blobs are zstd-compressed: only HEAD-era Neon reads this layer",
                        m_compressed,
                        m_report.entriesChecked),
            m_firstCompressed,
            4);
    if (m_nonCanonical)
        add(checkInfo("blob-header-canonical"),
            fmt::format("{} blobs below 128 bytes have a 4-byte header (Neon writes 1 byte): a "
                        "rewrite is not "
                        "byte-identical",
                        m_nonCanonical),
            m_firstNonCanonical,
            4);
    const std::uint64_t expectStart = (m_maxBlobEnd + kBlockSize - 1) / kBlockSize;
    if (expectStart != m_s.indexStartBlk) {
        auto &p = add(
            checkInfo("values-end"),
            fmt::format("the last blob ends at {}, so index_start_blk should be {}, not {}",
                        m_maxBlobEnd,
                        expectStart,
                        m_s.indexStartBlk),
            fieldAt(SummaryFieldId::IndexStart),
            4);
        p.related.push_back({m_maxBlobEnd, 0, "end of the last blob"});
    }
    if (m_maxBlobEnd < m_valuesEnd) {
        // Holes (a sparse file) are skipped, not read.
        if (const auto nz = firstNonZero(m_src, m_maxBlobEnd, m_valuesEnd))
            add(checkInfo("values-padding"),
                "non-zero bytes between the last blob and the index (Neon writes zeros)",
                *nz,
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
                      e - b == 1
                          ? fmt::format("index block {} is not reachable from the root", b)
                          : fmt::format("index blocks {}..{} are not reachable from the root",
                                        b,
                                        e - 1),
                      indexBase + b * kBlockSize,
                      (e - b) * kBlockSize);
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
            fmt::format("file is {} bytes, shorter than the 8192-byte summary block", size),
            0,
            size);
        if (size < 2)
            return;
    } else if (size % kBlockSize != 0) {
        add(checkInfo("file-size"),
            fmt::format("file size {} is not a multiple of 8192: the last {} bytes form a partial "
                        "block Neon cannot read",
                        size,
                        size % kBlockSize),
            m_blocks * kBlockSize,
            size % kBlockSize);
    }
    auto s = Summary::decode(m_file.first(std::min<std::uint64_t>(size, kBlockSize)));
    if (!s) {
        add(s.error().offset == 0 ? checkInfo("summary-magic") : checkInfo("file-size"),
            fmt::format("not a layer: expected {}, found {}", s.error().expected, s.error().found),
            s.error().offset,
            s.error().offset == 0 ? 2 : 0);
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

ValidationReport validateLayer(const ByteSource &file, const ValidateOptions &options)
{
    return Validator(file, options).run();
}

ValidationReport validateLayer(Bytes file, const ValidateOptions &options)
{
    return validateLayer(ViewSource(file), options);
}

} // namespace layerscope
