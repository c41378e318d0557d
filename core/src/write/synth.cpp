#include <layerscope/write/synth.h>

#include <layerscope/format/layer.h>
#include <layerscope/format/pg_page.h>
#include <layerscope/format/xlog_record.h>

#include <fmt/format.h>

#include <cstring>

namespace layerscope {

ByteVector Synth::heapPage(Lsn lsn, int tuples, int tupleLen, std::uint32_t blkno)
{
    ByteVector page(8192, 0);
    std::uint8_t *p = page.data();
    writeLe32(p, std::uint32_t(lsn.value >> 32));
    writeLe32(p + 4, std::uint32_t(lsn.value));
    std::uint16_t upper = 8192;
    int n = 0;
    for (; n < tuples; ++n) {
        const int len = std::max(24, tupleLen + int(m_rng() % 16) - 8);
        const int aligned = (len + 7) & ~7;
        if (upper - aligned < 24 + 4 * (n + 1))
            break;
        upper = std::uint16_t(upper - aligned);
        std::uint8_t *t = p + upper;
        writeLe32(t, 700 + std::uint32_t(m_rng() % 1000)); // t_xmin
        writeLe16(t + 18, std::uint16_t(3));               // t_infomask2: natts
        writeLe16(t + 20, std::uint16_t(0x0902));          // t_infomask
        t[22] = 24;                                        // t_hoff
        const std::string text = fmt::format("row {} of block {}: layerscope demo tuple ", n, blkno);
        for (int i = 24; i < len; ++i)
            t[i] = std::uint8_t(text[std::size_t(i - 24) % text.size()]);
        const std::uint32_t lp = std::uint32_t(upper) | (1u << 15) | (std::uint32_t(len) << 17);
        writeLe32(p + 24 + 4 * n, lp);
    }
    writeLe16(p + 12, std::uint16_t(24 + 4 * n)); // pd_lower
    writeLe16(p + 14, upper);                     // pd_upper
    writeLe16(p + 16, 8192);                      // pd_special
    writeLe16(p + 18, 0x2004);                    // page size 8192, layout version 4
    writeLe16(p + 8, pageChecksum(page, blkno));
    return page;
}

ByteVector Synth::walRecord(std::uint8_t rmid, std::uint8_t info, std::uint32_t xid, Lsn storedAt,
                           const Key &block, bool willInit, Bytes data)
{
    const Bytes blockData = data.first(std::min<std::size_t>(data.size() / 2, 0xFFFF));
    const Bytes mainData = data.subspan(blockData.size());
    ByteVector rec(kXLogRecordHeaderLen, 0);
    writeLe32(rec.data() + 4, xid);
    rec[16] = info;
    rec[17] = rmid;
    auto le16 = [&rec](std::uint16_t v) {
        rec.push_back(std::uint8_t(v));
        rec.push_back(std::uint8_t(v >> 8));
    };
    auto le32 = [&](std::uint32_t v) {
        le16(std::uint16_t(v));
        le16(std::uint16_t(v >> 16));
    };
    rec.push_back(0);  // block id 0
    rec.push_back(std::uint8_t((block.forkNumber() & 0x0F) | (blockData.empty() ? 0 : 0x20) | (willInit ? 0x40 : 0)));
    le16(std::uint16_t(blockData.size()));
    le32(block.spcOid());
    le32(block.dbOid());
    le32(block.relNumber());
    le32(block.blockNumber());
    if (mainData.size() < 256) {
        rec.push_back(kXlrBlockIdDataShort);
        rec.push_back(std::uint8_t(mainData.size()));
    } else {
        rec.push_back(kXlrBlockIdDataLong);
        le32(std::uint32_t(mainData.size()));
    }
    appendBytes(rec, blockData);
    appendBytes(rec, mainData);
    writeLe32(rec.data(), std::uint32_t(rec.size()));
    // The record starts at storedAt less its aligned length; the one before it 64 bytes earlier.
    const std::uint64_t back = ((rec.size() + 7) & ~std::uint64_t(7)) + 0x40;
    const std::uint64_t prev = storedAt.value > back ? storedAt.value - back : 0;
    writeLe32(rec.data() + 8, std::uint32_t(prev));
    writeLe32(rec.data() + 12, std::uint32_t(prev >> 32));
    writeLe32(rec.data() + 20, xlogRecordCrc(rec));
    return rec;
}

ByteVector Synth::randomBytes(std::size_t n)
{
    ByteVector out(n);
    for (std::uint8_t &b : out)
        b = std::uint8_t(m_rng());
    return out;
}

Result<std::string> writeLayerFile(const std::string &dir,
                                   const Summary &summary,
                                   const std::function<Status(LayerWriter &)> &fill,
                                   const std::string &nameSuffix)
{
    const std::string path = dir + "/" + summary.impliedName().canonical() + nameSuffix;
    auto sink = AtomicFileSink::create(path);
    if (!sink)
        return sink.error();
    LayerWriter w(summary, **sink);
    if (auto s = fill(w); !s)
        return s.error();
    auto done = w.finish();
    if (!done)
        return done.error();
    if (auto s = (*sink)->commit(); !s)
        return s.error();
    return path;
}

Result<std::vector<std::string>> writeDemoLayers(const std::string &dir)
{
    std::vector<std::string> paths;
    Synth synth(20261125);
    Summary base;
    base.tenant = *Id128::fromHex("3aa8fcc61f6d357410b7de754b1d9001");
    base.timeline = *Id128::fromHex("8f7e6d5c4b3a29181716151413121110");
    const Lsn imageLsn{0x16960E8};

    // Image layer: relation 1663/16384/16397 (2000 blocks) and its FSM/VM forks and sizes.
    Summary img = base;
    img.kind = LayerKind::Image;
    img.keyStart = Key::fromFields(0, 1663, 16384, 16397, 0, 0);
    img.keyEnd = Key::fromFields(0, 1663, 16384, 16397, 3, 0);
    img.lsnStart = imageLsn;
    auto imageFill = [&](LayerWriter &w, Compression c, std::uint32_t blocks) -> Status {
        for (std::uint32_t b = 0; b < blocks; ++b) {
            const auto page = synth.heapPage(Lsn{imageLsn.value - 0x100 + b % 200},
                                             20 + int(b % 40),
                                             120,
                                             b);
            if (auto s = w.addImage(Key::fromFields(0, 1663, 16384, 16397, 0, b), page, c); !s)
                return s;
        }
        std::uint8_t size[4] = {std::uint8_t(blocks), std::uint8_t(blocks >> 8), 0, 0};
        if (auto s = w.addImage(Key::fromFields(0, 1663, 16384, 16397, 0, 0xFFFFFFFF), size, c); !s)
            return s;
        for (std::uint8_t fork : {std::uint8_t(1), std::uint8_t(2)}) {
            // FSM / VM page: a valid empty page header, content in the page body.
            ByteVector page = synth.heapPage(imageLsn, 0, 0, 0);
            for (std::size_t i = 64; i < 8192; i += 7)
                page[i] = std::uint8_t(synth.rng()());
            const std::uint16_t sum = pageChecksum(page, 0);
            page[8] = std::uint8_t(sum);
            page[9] = std::uint8_t(sum >> 8);
            if (auto s = w.addImage(Key::fromFields(0, 1663, 16384, 16397, fork, 0), page, c); !s)
                return s;
            const std::uint8_t one[4] = {1, 0, 0, 0};
            if (auto s = w.addImage(Key::fromFields(0, 1663, 16384, 16397, fork, 0xFFFFFFFF),
                                    one,
                                    c);
                !s)
                return s;
        }
        return Ok{};
    };
    auto p1 = writeLayerFile(
        dir,
        img,
        [&](LayerWriter &w) { return imageFill(w, Compression::None, 2000); },
        "-v1-00000002");
    if (!p1)
        return p1.error();
    paths.push_back(*p1);

    // A second, zstd-compressed (HEAD) image layer of another relation at a later LSN.
    Summary zimg = img;
    zimg.lsnStart = Lsn{0x1698FF1};
    auto p2 = writeLayerFile(dir, zimg, [&](LayerWriter &w) {
        return imageFill(w, Compression::Zstd, 600);
    });
    if (!p2)
        return p2.error();
    paths.push_back(*p2);

    // L0 delta layer: Key::MIN..Key::MAX, WAL of several relations, SLRU and aux records.
    Summary delta = base;
    delta.kind = LayerKind::Delta;
    delta.keyStart = Key::min();
    delta.keyEnd = Key::max();
    delta.lsnStart = imageLsn;
    delta.lsnEnd = Lsn{0x1698FF1};
    auto p3 = writeLayerFile(dir, delta, [&](LayerWriter &w) -> Status {
        std::uint64_t lsnStep = 0x18;
        for (std::uint32_t blk = 0; blk < 400; ++blk) {
            const Key k = Key::fromFields(0, 1663, 16384, 16397, 0, blk);
            Lsn lsn{imageLsn.value + blk * 8};
            if (blk % 50 == 0) {
                Value v{synth.heapPage(lsn, 30, 100, blk)};
                if (auto s = w.addDelta(k, lsn, v); !s)
                    return s;
                lsn.value += lsnStep;
            }
            for (int r = 0; r < 6; ++r) {
                const bool init = r == 0 && blk % 50 != 0 && blk % 7 == 0;
                const std::uint8_t info = init
                                              ? 0x80
                                              : std::uint8_t(
                                                  std::array<int, 4>{0x00, 0x20, 0x40, 0x10}[r % 4]);
                wal::Postgres pg{init,
                                 Synth::walRecord(10, info, 900 + blk, lsn, k, init,
                                                  synth.randomBytes(40 + (r * 37 + blk) % 160))};
                if (auto s = w.addDelta(k, lsn, Value{NeonWalRecord{pg}}); !s)
                    return s;
                lsn.value += lsnStep;
            }
        }
        const Key vm = Key::fromFields(0, 1663, 16384, 16397, 2, 0);
        for (int i = 0; i < 5; ++i) {
            wal::ClearVisibilityMapFlags r{std::uint32_t(i * 3), std::nullopt, 3};
            if (auto s = w.addDelta(vm,
                                    Lsn{imageLsn.value + 0x100 + std::uint64_t(i)},
                                    Value{NeonWalRecord{r}});
                !s)
                return s;
        }
        const Key clog = Key::fromFields(1, 0, 1, 0, 0, 0);
        for (int i = 0; i < 10; ++i) {
            NeonWalRecord r = i % 3 == 2
                                  ? NeonWalRecord{wal::ClogSetAborted{{900u + std::uint32_t(i)}}}
                                  : NeonWalRecord{wal::ClogSetCommitted{{900u + std::uint32_t(i),
                                                                         901u + std::uint32_t(i)},
                                                                        800000000000 + i}};
            if (auto s = w.addDelta(clog, Lsn{imageLsn.value + 0x200 + std::uint64_t(i)}, Value{r});
                !s)
                return s;
        }
        wal::MultixactMembersCreate mm{10, {{700, 2}, {701, 3}}};
        if (auto s = w.addDelta(Key::fromFields(1, 1, 1, 0, 0, 0),
                                Lsn{imageLsn.value + 0x300},
                                Value{NeonWalRecord{mm}});
            !s)
            return s;
        wal::MultixactOffsetCreate mo{9, 10};
        if (auto s = w.addDelta(Key::fromFields(1, 2, 1, 0, 0, 0),
                                Lsn{imageLsn.value + 0x300},
                                Value{NeonWalRecord{mo}});
            !s)
            return s;
        const std::string conf = "# logical replication slot state\n";
        wal::AuxFile aux{"pg_logical/replorigin_checkpoint", ByteVector(conf.begin(), conf.end())};
        return w.addDelta(Key::fromFields(3, 0, 0, 0, 0, 2),
                          Lsn{imageLsn.value + 0x400},
                          Value{NeonWalRecord{aux}});
    });
    if (!p3)
        return p3.error();
    paths.push_back(*p3);
    return paths;
}

} // namespace layerscope

namespace layerscope {

namespace {
/// Incrementally maintained pd_lsn/checksum on copies of a few template pages.
class PageFactory
{
public:
    PageFactory(Synth &synth, Lsn lsn)
    {
        for (int i = 0; i < 32; ++i)
            m_templates.push_back(synth.heapPage(lsn, 10 + i * 2, 80 + i * 9, 0));
    }
    const ByteVector &page(std::uint32_t blkno, Lsn lsn)
    {
        m_page = m_templates[blkno % m_templates.size()];
        std::uint8_t *p = m_page.data();
        for (int i = 0; i < 4; ++i) {
            p[i] = std::uint8_t((lsn.value >> 32) >> (8 * i));
            p[4 + i] = std::uint8_t(std::uint32_t(lsn.value) >> (8 * i));
        }
        const std::uint16_t sum = pageChecksum(m_page, blkno);
        p[8] = std::uint8_t(sum);
        p[9] = std::uint8_t(sum >> 8);
        return m_page;
    }

private:
    std::vector<ByteVector> m_templates;
    ByteVector m_page;
};
} // namespace

Result<Summary> synthLayer(const SynthOptions &o,
                           OutputSink &sink,
                           const std::function<bool(std::uint64_t)> &progress)
{
    if (o.targetBytes == 0 && o.entries == 0)
        return makeError(0, "a target size or entry count", "neither");
    Synth synth(o.seed);
    constexpr std::uint32_t kBlocksPerRel = 131072; // 1 GiB relation segments
    const Lsn base{0x0000017800000000ull};
    Summary s;
    s.kind = o.kind;
    s.tenant = *Id128::fromHex("5a7e11a7e5a7e11a7e5a7e11a7e5a7e1");
    s.timeline = *Id128::fromHex("0b1ec7ed0b1ec7ed0b1ec7ed0b1ec7ed");
    s.keyStart = Key::fromFields(0, 1663, 16384, 16385, 0, 0);
    s.lsnStart = base;
    // Key range end and LSN end are only known at the end; summary is written last anyway.
    const std::uint64_t maxEntries = o.entries ? o.entries : ~std::uint64_t(0);
    const std::uint64_t maxBytes = o.targetBytes ? o.targetBytes : ~std::uint64_t(0);
    PageFactory pages(synth, base);
    ByteVector pool(1 << 20);
    for (auto &b : pool)
        b = std::uint8_t(synth.rng()());

    // The writer needs the final summary only at finish(); ranges are patched in below.
    Summary provisional = s;
    provisional.keyEnd = Key::max();
    provisional.lsnEnd = Lsn{Lsn::kMax};
    LayerWriter w(provisional, sink);
    std::uint64_t n = 0;
    Key last = s.keyStart;
    Lsn maxLsn = base;
    std::uint64_t i = 0;
    const std::uint32_t recordSize = o.valueSize ? o.valueSize : 160;
    while (n < maxEntries && sink.size() < maxBytes) {
        const std::uint32_t rel = 16385 + std::uint32_t(i / kBlocksPerRel);
        const std::uint32_t blk = std::uint32_t(i % kBlocksPerRel);
        const Key key = Key::fromFields(0, 1663, 16384, rel, 0, blk);
        last = key;
        if (o.kind == LayerKind::Image) {
            const Lsn pageLsn{base.value - 1 - (i % 4096) * 64};
            Status st = Ok{};
            if (o.valueSize && o.valueSize != 8192) {
                const std::size_t off = (i * 7919) % (pool.size() - o.valueSize);
                st = w.addImage(key, Bytes(pool).subspan(off, o.valueSize), o.compression);
            } else {
                st = w.addImage(key, pages.page(blk, pageLsn), o.compression);
            }
            if (!st)
                return st.error();
            ++n;
        } else {
            // One page image, then 9 WAL records at rising LSNs.
            Lsn lsn{base.value + i * 0x400};
            for (int r = 0; r < 10 && n < maxEntries; ++r, ++n) {
                Value v;
                if (r == 0) {
                    v = Value{pages.page(blk, lsn)};
                } else {
                    const std::size_t len = (recordSize / 2) + (synth.rng()() % recordSize);
                    const std::size_t off = (i * 131 + std::size_t(r) * 977) % (pool.size() - len);
                    ByteVector rec = Synth::walRecord(10, std::uint8_t((r % 4) * 0x10), 1000 + std::uint32_t(i),
                                                      lsn, key, false,
                                                      Bytes(pool).subspan(off, len));
                    v = Value{NeonWalRecord{wal::Postgres{false, std::move(rec)}}};
                }
                if (auto st = w.addDelta(key, lsn, v, o.compression); !st)
                    return st.error();
                maxLsn = lsn;
                lsn.value += 0x60;
            }
        }
        ++i;
        if (progress && (i & 1023) == 0 && !progress(sink.size()))
            return makeError(sink.size(), "a complete layer", "cancelled", ErrorKind::Cancelled);
    }
    auto fin = w.finish();
    if (!fin)
        return fin.error();
    Summary done = *fin;
    done.keyEnd = *last.next();
    if (o.kind == LayerKind::Delta)
        done.lsnEnd = Lsn{maxLsn.value + 1};
    if (auto st = sink.writeAt(0, done.encode()); !st)
        return st.error();
    return done;
}

} // namespace layerscope
