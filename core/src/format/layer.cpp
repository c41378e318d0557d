#include <layerscope/format/layer.h>

#include <fmt/format.h>

#include <cstring>

namespace layerscope {

IndexKey deltaIndexKey(const Key &key, Lsn lsn)
{
    IndexKey k;
    k.len = 26;
    std::memcpy(k.bytes.data(), key.bytes.data(), Key::kSize);
    for (int i = 0; i < 8; ++i)
        k.bytes[18 + std::size_t(i)] = std::uint8_t(lsn.value >> (56 - 8 * i));
    return k;
}

IndexKey imageIndexKey(const Key &key)
{
    return IndexKey::from(key.bytes);
}

std::optional<IndexKey> parseIndexKey(std::string_view text, LayerKind kind)
{
    auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ')
            s.remove_suffix(1);
        return s;
    };
    const auto at = text.find('@');
    const auto key = Key::fromHex(trim(text.substr(0, at)));
    if (!key)
        return std::nullopt;
    if (kind == LayerKind::Image)
        return imageIndexKey(*key);
    if (at == std::string_view::npos)
        return deltaIndexKey(*key, Lsn{0});
    const auto lsn = Lsn::parse(trim(text.substr(at + 1)));
    if (!lsn)
        return std::nullopt;
    return deltaIndexKey(*key, *lsn);
}

Result<Layer> Layer::open(std::shared_ptr<const ByteSource> source)
{
    const Bytes b = source->bytes();
    if (b.size() < kBlockSize)
        return makeError(b.size(), "a file of at least one 8192-byte block (the summary)",
                         fmt::format("{} bytes", b.size()));
    auto s = Summary::decode(b.first(kBlockSize));
    if (!s)
        return s.error();
    const std::uint64_t blocks = b.size() / kBlockSize;
    const FileOffset startField = summaryField(s->kind, SummaryFieldId::IndexStart).offset;
    const FileOffset rootField = summaryField(s->kind, SummaryFieldId::IndexRoot).offset;
    if (s->indexStartBlk < 1 || s->indexStartBlk >= blocks)
        return makeError(startField,
                         fmt::format("index_start_blk in [1, {}) (the file has {} blocks)", blocks,
                                     blocks),
                         fmt::format("{}", s->indexStartBlk));
    if (std::uint64_t(s->indexStartBlk) + s->indexRootBlk >= blocks)
        return makeError(rootField,
                         fmt::format("index_root_blk below {} (blocks after index_start_blk {})",
                                     blocks - s->indexStartBlk, s->indexStartBlk),
                         fmt::format("{} — btree node beyond file", s->indexRootBlk));
    return Layer(std::move(source), *s);
}

Layer Layer::openDamaged(std::shared_ptr<const ByteSource> source, const std::string &fileName,
                         std::vector<std::string> &notes)
{
    const Bytes b = source->bytes();
    ByteVector block0(b.begin(), b.begin() + std::ptrdiff_t(std::min<std::size_t>(b.size(), kBlockSize)));
    if (b.size() < kBlockSize)
        notes.push_back(fmt::format("the file is {} bytes, shorter than the 8192-byte summary block", b.size()));
    else if (b.size() % kBlockSize)
        notes.push_back(fmt::format("the file ends with a partial block ({} bytes): it was cut short",
                                    b.size() % kBlockSize));
    block0.resize(kBlockSize, 0);
    Summary s;
    if (auto decoded = Summary::decode(block0)) {
        s = *decoded;
    } else if (const auto name = LayerName::parse(fileName)) {
        // The rest of block 0 is read with the kind the name gives.
        notes.push_back(fmt::format("no summary magic ({}): the layer kind is taken from the file name",
                                    decoded.error().message()));
        const std::uint16_t magic = name->kind == LayerKind::Image ? kImageMagic : kDeltaMagic;
        block0[0] = std::uint8_t(magic >> 8);
        block0[1] = std::uint8_t(magic);
        s = *Summary::decode(block0);
    } else {
        notes.push_back(fmt::format("no summary ({}) and no layer file name: only the bytes can be shown",
                                    decoded.error().message()));
    }
    const std::uint64_t blocks = b.size() / kBlockSize;
    if (s.indexStartBlk >= blocks)
        notes.push_back(fmt::format("the index starts at block {}, beyond the file's {} blocks: the file is "
                                    "truncated (the index is missing)",
                                    s.indexStartBlk, blocks));
    else if (std::uint64_t(s.indexStartBlk) + s.indexRootBlk >= blocks)
        notes.push_back(fmt::format("the index root (block {}) lies beyond the file's {} blocks: the file is "
                                    "truncated (Neon writes the root last)",
                                    std::uint64_t(s.indexStartBlk) + s.indexRootBlk, blocks));
    return Layer(std::move(source), s);
}

Result<Layer> Layer::openFile(const std::string &path)
{
    auto f = MappedFile::open(path);
    if (!f)
        return f.error();
    return open(std::move(f.value()));
}

BTreeReader Layer::tree() const
{
    return BTreeReader(bytes(), m_summary.indexStartBlk, m_summary.indexRootBlk,
                       m_summary.indexKeyLen());
}

FileOffset Layer::valuesEnd() const
{
    return std::min<FileOffset>(FileOffset(m_summary.indexStartBlk) * kBlockSize, fileSize());
}

Entry Layer::entry(const IndexKey &key, std::uint64_t raw) const
{
    Entry e;
    e.indexKey = key;
    e.key = Key::fromBytes(key.bytes.data());
    e.raw = raw;
    if (kind() == LayerKind::Delta) {
        e.lsn = deltaKeyLsn(key.view());
        e.blobOffset = raw >> 1;
        e.willInit = raw & 1;
    } else {
        e.lsn = m_summary.lsnStart;
        e.blobOffset = raw;
    }
    return e;
}

Result<BlobHeader> Layer::blobHeader(const Entry &e) const
{
    return readBlobHeader(bytes(), e.blobOffset, valuesStart(), valuesEnd());
}

Result<ByteVector> Layer::payload(const Entry &e) const
{
    auto h = blobHeader(e);
    if (!h)
        return h.error();
    return decodePayload(bytes(), *h);
}

Result<Value> Layer::value(const Entry &e) const
{
    auto h = blobHeader(e);
    if (!h)
        return h.error();
    // A stored payload is decoded where it lies (one copy, into the Value); a zstd one from
    // the buffer it was decompressed into.
    ByteVector scratch;
    auto p = viewPayload(bytes(), *h, scratch);
    if (!p)
        return p.error();
    if (kind() == LayerKind::Image)
        return Value{h->compression == Compression::Zstd ? std::move(scratch)
                                                        : ByteVector(p->begin(), p->end())};
    return decodeValue(*p, h->payloadOffset());
}

Result<std::vector<Entry>> Layer::entries() const
{
    std::vector<Entry> out;
    const ByteVector from(m_summary.indexKeyLen(), 0);
    auto s = tree().visitForward(from, [&](Bytes k, std::uint64_t v) {
        out.push_back(entry(IndexKey::from(k), v));
        return true;
    });
    if (!s)
        return s.error();
    return out;
}

} // namespace layerscope
