#include "testutil.h"

#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/write/synth.h>
#include <layerscope/write/writer.h>

#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>
#include <random>

using namespace layerscope;

// Writer → reader round trips over random layers, and bad input that must give errors.
class TestWriter : public QObject
{
    Q_OBJECT
private slots:
    void imageRoundTrip_data();
    void imageRoundTrip();
    void deltaRoundTrip_data();
    void deltaRoundTrip();
    void minimalImageLayer();
    void truncatedAndGarbage_data();
    void truncatedAndGarbage();
    void atomicFileSink();
    void demoLayersOpen();
};

namespace {
Summary baseSummary(LayerKind kind)
{
    return testutil::testSummary(kind);
}

Key randomKey(std::mt19937_64 &rng, int prefixMode)
{
    // prefixMode 0: one relation (long shared prefix); 1: many relations; 2: any class.
    switch (prefixMode) {
    case 0: return Key::fromFields(0, 1663, 16384, 16397, 0, std::uint32_t(rng() % 1000000));
    case 1:
        return Key::fromFields(0, 1663, 16384, 16384 + std::uint32_t(rng() % 5000),
                               std::uint8_t(rng() % 3), std::uint32_t(rng() % 1000));
    default: {
        Key k;
        for (auto &b : k.bytes)
            b = std::uint8_t(rng());
        return k;
    }
    }
}

NeonWalRecord randomRecord(std::mt19937_64 &rng, int variant, std::size_t len)
{
    auto bytes = [&](std::size_t n) {
        ByteVector b(n);
        for (auto &c : b)
            c = std::uint8_t(rng());
        return b;
    };
    switch (variant) {
    case 0: return wal::Postgres{bool(rng() & 1), bytes(len)};
    case 1: return wal::ClearVisibilityMapFlags{std::uint32_t(rng()), std::nullopt, 1};
    case 2: return wal::ClogSetCommitted{{1, 2, 3}, std::int64_t(rng())};
    case 3: return wal::ClogSetAborted{{std::uint32_t(rng())}};
    case 4: return wal::MultixactOffsetCreate{7, 8};
    case 5: return wal::MultixactMembersCreate{9, {{1, 2}, {3, 4}}};
    case 6: return wal::AuxFile{"pg_logical/mappings/x", bytes(len)};
    case 7: return wal::TruncateVisibilityMap{len, 3};
    default: return wal::Test{"append", false, bool(rng() & 1), std::string("if")};
    }
}
} // namespace

void TestWriter::imageRoundTrip_data()
{
    QTest::addColumn<int>("entries");
    QTest::addColumn<int>("prefixMode");
    QTest::addColumn<bool>("zstd");
    QTest::addColumn<QList<int>>("sizes");
    QTest::addColumn<int>("depth");
    const QList<int> edge{0, 1, 127, 128, 129, 8192};
    QTest::newRow("edge-sizes-plain") << 60 << 1 << false << edge << 1;
    QTest::newRow("edge-sizes-zstd") << 60 << 1 << true << edge << 1;
    QTest::newRow("over-1mib-blob") << 3 << 0 << false << QList<int>{(1 << 20) + 5} << 1;
    QTest::newRow("over-1mib-blob-zstd") << 3 << 0 << true << QList<int>{(1 << 20) + 5} << 1;
    QTest::newRow("two-levels-one-relation") << 3000 << 0 << true << QList<int>{8192, 0, 4} << 2;
    QTest::newRow("two-levels-random-keys") << 2000 << 2 << false << QList<int>{1, 200} << 2;
    QTest::newRow("three-levels-random-keys") << 160000 << 2 << false << QList<int>{1, 3} << 3;
}

void TestWriter::imageRoundTrip()
{
    QFETCH(int, entries);
    QFETCH(int, prefixMode);
    QFETCH(bool, zstd);
    QFETCH(QList<int>, sizes);
    QFETCH(int, depth);
    std::mt19937_64 rng(std::uint64_t(entries) * 31 + std::uint64_t(prefixMode));
    std::map<Key, ByteVector> m;
    int i = 0;
    while (int(m.size()) < entries) {
        ByteVector v(static_cast<std::size_t>(sizes[i++ % sizes.size()]));
        for (std::size_t j = 0; j < v.size(); ++j)
            v[j] = std::uint8_t(j % 13 == 0 ? rng() : j / 64);
        m.emplace(randomKey(rng, prefixMode), std::move(v));
    }
    Summary s = baseSummary(LayerKind::Image);
    MemorySink sink;
    LayerWriter w(s, sink);
    for (const auto &[k, v] : m)
        QVERIFY(w.addImage(k, v, zstd ? Compression::Zstd : Compression::None));
    auto fin = w.finish();
    QVERIFY(fin);
    QCOMPARE(sink.size() % 8192, 0ull);
    QCOMPARE(std::uint64_t(fin->indexStartBlk) + fin->indexRootBlk + 1, sink.size() / 8192);

    auto layer = Layer::open(std::make_shared<MemorySource>(sink.data()));
    QVERIFY(layer);
    QVERIFY(layer->summary() == *fin);
    auto st = buildTreeShape(layer->tree());
    QVERIFY(st);
    QCOMPARE(st->depth(), depth);
    QCOMPARE(st->totalEntries, std::uint64_t(entries));
    auto all = layer->entries();
    QVERIFY(all);
    auto it = m.begin();
    bool sawZstd = false;
    for (const Entry &e : *all) {
        QVERIFY(e.key == it->first);
        auto d = inspectEntry(*layer, e);
        QVERIFY2(d, d ? "" : d.error().message().c_str());
        QVERIFY(d->content == it->second);
        sawZstd |= d->header.compression == Compression::Zstd;
        ++it;
    }
    QCOMPARE(sawZstd, zstd);
}

void TestWriter::deltaRoundTrip_data()
{
    QTest::addColumn<int>("keys");
    QTest::addColumn<int>("perKey");
    QTest::addColumn<int>("prefixMode");
    QTest::addColumn<int>("depth");
    QTest::newRow("every-variant-small") << 9 << 4 << 1 << 1;
    QTest::newRow("many-lsns-one-relation") << 300 << 30 << 0 << 2;
    QTest::newRow("three-levels-random-keys") << 90000 << 1 << 2 << 3;
}

void TestWriter::deltaRoundTrip()
{
    QFETCH(int, keys);
    QFETCH(int, perKey);
    QFETCH(int, prefixMode);
    QFETCH(int, depth);
    std::mt19937_64 rng(std::uint64_t(keys) * 7 + std::uint64_t(perKey));
    std::map<std::pair<Key, std::uint64_t>, Value> m;
    int variant = 0;
    const std::size_t lens[] = {0, 1, 127, 128, 129, 8192};
    std::set<Key> ks;
    while (int(ks.size()) < keys)
        ks.insert(randomKey(rng, prefixMode));
    for (const Key &k : ks)
        for (int j = 0; j < perKey; ++j) {
            const std::uint64_t lsn = 0x1000 + std::uint64_t(j) * 0x28 + rng() % 0x20;
            const std::size_t len = keys > 1000 ? 2 : lens[std::size_t(variant) % 6];
            Value v = variant % 10 == 9 ? Value{ByteVector(len, 0x42)}
                                        : Value{randomRecord(rng, variant % 10 % 9, len)};
            m[{k, lsn}] = std::move(v);
            ++variant;
        }
    MemorySink sink;
    LayerWriter w(baseSummary(LayerKind::Delta), sink);
    for (const auto &[kl, v] : m)
        QVERIFY(w.addDelta(kl.first, Lsn{kl.second}, v));
    QVERIFY(w.finish());
    auto layer = Layer::open(std::make_shared<MemorySource>(sink.data()));
    QVERIFY(layer);
    auto st = buildTreeShape(layer->tree());
    QVERIFY(st);
    QCOMPARE(st->depth(), depth);
    auto all = layer->entries();
    QVERIFY(all);
    QCOMPARE(all->size(), m.size());
    auto it = m.begin();
    for (const Entry &e : *all) {
        QVERIFY(e.key == it->first.first);
        QCOMPARE(e.lsn.value, it->first.second);
        QCOMPARE(e.willInit, it->second.willInit());
        auto v = layer->value(e);
        QVERIFY2(v, v ? "" : v.error().message().c_str());
        QVERIFY(*v == it->second);
        ++it;
    }
}

void TestWriter::minimalImageLayer()
{
    // FORMAT.md §14.7.
    Summary s;
    s.kind = LayerKind::Image;
    s.tenant = *Id128::fromHex("9e5ef5b2d29b4d3f9d5d1e1b7c0a3f21");
    s.timeline = *Id128::fromHex("de200bd42b49cc1814412c7e592dd6e9");
    s.keyStart = *Key::fromHex("000000067F00004005000060F30000000000");
    s.keyEnd = *Key::fromHex("000000067F00004005000060F30000000001");
    s.lsnStart = Lsn{0x16960E8};
    MemorySink sink;
    LayerWriter w(s, sink);
    QVERIFY(w.addImage(s.keyStart, ByteVector(8192, 7)));
    auto fin = w.finish();
    QVERIFY(fin);
    QCOMPARE(sink.size(), 32768ull);
    QCOMPARE(fin->indexStartBlk, 3u);
    QCOMPARE(fin->indexRootBlk, 0u);
    const ByteVector &b = sink.data();
    QCOMPARE(QString::fromStdString(toHex(Bytes(b).subspan(8192, 4))), QString("80002000"));
    QVERIFY(std::all_of(b.begin() + 16388, b.begin() + 24576, [](auto c) { return c == 0; }));
    QCOMPARE(QString::fromStdString(toHex(Bytes(b).subspan(24576, 28))),
             QString("0001000012000000067f00004005000060f300000000000000002000"));
    QCOMPARE(QString::fromStdString(toHex(Bytes(b).first(8))), QString("5a6000039e5ef5b2"));
}

void TestWriter::truncatedAndGarbage_data()
{
    QTest::addColumn<int>("cut");
    QTest::addColumn<int>("garbleAt");
    QTest::addColumn<bool>("openFails");
    QTest::addColumn<qulonglong>("errorOffset");
    QTest::newRow("empty-file") << 0 << -1 << true << 0ull;
    QTest::newRow("half-summary-block") << 4000 << -1 << true << 4000ull;
    QTest::newRow("summary-only") << 8192 << -1 << true << 80ull;
    QTest::newRow("cut-inside-index") << 8192 * 4 - 100 << -1 << true << 80ull;
    QTest::newRow("bad-magic") << -1 << 0 << true << 0ull;
    QTest::newRow("garbled-node-header") << -1 << 3 * 8192 + 3 << false << 3 * 8192 + 3ull;
    QTest::newRow("garbled-blob-header") << -1 << 8192 << false << 8192ull;
}

void TestWriter::truncatedAndGarbage()
{
    QFETCH(int, cut);
    QFETCH(int, garbleAt);
    QFETCH(bool, openFails);
    QFETCH(qulonglong, errorOffset);
    MemorySink sink;
    Summary s = baseSummary(LayerKind::Image);
    LayerWriter w(s, sink);
    QVERIFY(w.addImage(Key::fromFields(0, 1663, 1, 2, 0, 0), ByteVector(8192, 1)));
    QVERIFY(w.finish());
    ByteVector b = sink.data();
    QCOMPARE(b.size(), std::size_t(4 * 8192));
    if (cut >= 0)
        b.resize(std::size_t(cut));
    if (garbleAt >= 0)
        b[std::size_t(garbleAt)] = 0xF3;
    auto layer = Layer::open(std::make_shared<MemorySource>(b));
    if (openFails) {
        QVERIFY(!layer);
        QCOMPARE(layer.error().offset, errorOffset);
        return;
    }
    QVERIFY(layer);
    auto entries = layer->entries();
    if (!entries) {
        QCOMPARE(entries.error().offset, errorOffset);
        return;
    }
    auto v = layer->value(entries->front());
    QVERIFY(!v);
    QCOMPARE(v.error().offset, errorOffset);
}

void TestWriter::atomicFileSink()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("layer").toStdString();
    {
        auto sink = AtomicFileSink::create(path);
        QVERIFY(sink);
        QVERIFY((*sink)->append(ByteVector(10, 1)));
        QVERIFY(QFile::exists(QString::fromStdString((*sink)->tempPath())));
        // Not committed: the temp file goes away and nothing appears at `path`.
    }
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
    auto sink = AtomicFileSink::create(path);
    QVERIFY((*sink)->append(ByteVector(10, 1)));
    QVERIFY((*sink)->writeAt(0, ByteVector{9, 9}));
    QVERIFY((*sink)->commit());
    const QByteArray got = testutil::readAll(QString::fromStdString(path));
    QCOMPARE(got, QByteArray("\x09\x09\x01\x01\x01\x01\x01\x01\x01\x01", 10));
    QVERIFY(!AtomicFileSink::create("/nonexistent-dir/x"));
}

void TestWriter::demoLayersOpen()
{
    QTemporaryDir dir;
    auto paths = writeDemoLayers(dir.path().toStdString());
    QVERIFY(paths);
    QCOMPARE(paths->size(), std::size_t(3));
    for (const auto &p : *paths) {
        auto l = Layer::openFile(p);
        QVERIFY(l);
        auto all = l->entries();
        QVERIFY(all);
        QVERIFY(all->size() > 500);
        for (std::size_t i = 0; i < all->size(); i += 97)
            QVERIFY(inspectEntry(*l, (*all)[i]));
        const auto name = LayerName::parse(QFileInfo(QString::fromStdString(p)).fileName().toStdString());
        QVERIFY(name);
        QCOMPARE(name->canonical(), l->summary().impliedName().canonical());
    }
}

QTEST_APPLESS_MAIN(TestWriter)
#include "tst_writer.moc"
