// Space statistics on layers whose counts are known by construction, and on the Neon-written
// fixtures against a second reading (every entry's blob header).
#include <layerscope/stats.h>
#include <layerscope/writer.h>

#include "testutil.h"

#include <QtTest>

using namespace layerscope;

namespace {

Summary baseSummary(LayerKind kind)
{
    return testutil::testSummary(kind);
}

} // namespace

class TestStats : public QObject
{
    Q_OBJECT
private slots:
    void categoriesOfAnImageLayer_data()
    {
        QTest::addColumn<bool>("zstd");
        QTest::newRow("plain") << false;
        QTest::newRow("zstd") << true;
    }
    // 30 main-fork pages of relation 16384, 10 of relation 16385, 5 fsm pages, 4 clog pages:
    // each payload 8192 bytes (4-byte headers); zstd compresses the repetitive pages.
    void categoriesOfAnImageLayer()
    {
        QFETCH(bool, zstd);
        MemorySink sink;
        LayerWriter w(baseSummary(LayerKind::Image), sink);
        const Compression c = zstd ? Compression::Zstd : Compression::None;
        const ByteVector page(8192, 0x5A);
        for (std::uint32_t blk = 0; blk < 30; ++blk)
            QVERIFY(w.addImage(Key::fromFields(0, 1663, 5, 16384, 0, blk), page, c));
        for (std::uint32_t blk = 0; blk < 5; ++blk)
            QVERIFY(w.addImage(Key::fromFields(0, 1663, 5, 16384, 1, blk), page, c));
        for (std::uint32_t blk = 0; blk < 10; ++blk)
            QVERIFY(w.addImage(Key::fromFields(0, 1663, 5, 16385, 0, blk), page, c));
        for (std::uint32_t blk = 0; blk < 4; ++blk)
            QVERIFY(w.addImage(Key::fromFields(1, 0, 1, blk, 0, 0), page, c));  // slru clog (kind 0), segment blk
        auto s = computeStats(testutil::finishAndOpen(w, sink));
        QVERIFY(s);
        QCOMPARE(s->total.entries, 49u);
        QCOMPARE(s->keys, 49u);
        QCOMPARE(s->total.payloadBytes, 49u * 8192);
        QCOMPARE(s->categories.at("relation main").entries, 40u);
        QCOMPARE(s->categories.at("relation fsm").entries, 5u);
        QCOMPARE(s->categories.at("slru clog").entries, 4u);
        QCOMPARE(s->categories.size(), std::size_t(3));
        QCOMPARE(s->relations.at("1663/5/16384").entries, 35u);
        QCOMPARE(s->relations.at("1663/5/16385").payloadBytes, 10u * 8192);
        QCOMPARE(s->images.entries, 49u);
        QCOMPARE(s->walRecords.entries, 0u);
        if (zstd) {
            QCOMPARE(s->zstd.entries, 49u);
            QVERIFY(s->zstd.storedBytes < s->zstd.payloadBytes / 10);
        } else {
            QCOMPARE(s->plain.entries, 49u);
            QCOMPARE(s->total.storedBytes, 49u * (8192 + 4));
            QCOMPARE(s->blobSizes[13], 49u);  // 8,196 bytes: [8192, 16384)
        }
        QCOMPARE(s->levels.size(), std::size_t(1));
        QCOMPARE(s->levels[0].entries, 49u);
        QCOMPARE(s->valueAreaBytes + s->indexBytes + s->summaryBytes, s->fileBytes);
    }

    // Key 0: an image then 20 records (a long chain); key 1: an image, 3 records, an image,
    // 2 records (2 after its last will_init); key 2: 5 records and no image.
    void deltaChainsAndVersions()
    {
        MemorySink sink;
        LayerWriter w(baseSummary(LayerKind::Delta), sink);
        std::uint64_t lsn = 0x2000;
        auto image = [&](std::uint32_t k) {
            Value v;
            v.v = ByteVector(8192, std::uint8_t(k));
            return w.addDelta(Key::fromFields(0, 1663, 5, 16384, 0, k), Lsn{lsn += 0x10}, v);
        };
        auto record = [&](std::uint32_t k) {
            Value v;
            v.v = NeonWalRecord{wal::ClogSetCommitted{{k}, 7}};
            return w.addDelta(Key::fromFields(0, 1663, 5, 16384, 0, k), Lsn{lsn += 0x10}, v);
        };
        QVERIFY(image(0));
        for (int i = 0; i < 20; ++i)
            QVERIFY(record(0));
        QVERIFY(image(1));
        for (int i = 0; i < 3; ++i)
            QVERIFY(record(1));
        QVERIFY(image(1));
        for (int i = 0; i < 2; ++i)
            QVERIFY(record(1));
        for (int i = 0; i < 5; ++i)
            QVERIFY(record(2));
        StatsOptions o;
        o.chainThreshold = 4;
        auto s = computeStats(testutil::finishAndOpen(w, sink), o);
        QVERIFY(s);
        QCOMPARE(s->keys, 3u);
        QCOMPARE(s->total.entries, 21u + 7u + 5u);
        QCOMPARE(s->images.entries, 3u);
        QCOMPARE(s->walRecords.entries, 30u);
        QCOMPARE(s->recordKinds.at("ClogSetCommitted"), 30u);
        QCOMPARE(s->longChains, 2u);  // key 0 (20 > 4) and key 2 (5 > 4); key 1 has 2
        QCOMPARE(s->versionsPerKey[4], 1u);  // 21 versions: [16, 32)
        QCOMPARE(s->versionsPerKey[2], 2u);  // 7 and 5: [4, 8)
    }

    void fixturesAgreeWithTheirBlobs_data()
    {
        QTest::addColumn<QString>("path");
        int n = 0;
        for (const QString &f : testutil::fixtureLayers())
            QTest::addRow("fixture-%d", ++n) << f;
    }
    void fixturesAgreeWithTheirBlobs()
    {
        QFETCH(QString, path);
        auto layer = Layer::openFile(path.toStdString());
        QVERIFY(layer);
        auto s = computeStats(*layer);
        QVERIFY(s);
        const auto entries = *layer->entries();
        std::uint64_t stored = 0, payload = 0;
        for (const Entry &e : entries) {
            const auto h = *layer->blobHeader(e);
            stored += h.headerLen + h.storedLen;
            payload += layer->payload(e)->size();
        }
        QCOMPARE(s->total.entries, std::uint64_t(entries.size()));
        QCOMPARE(s->total.storedBytes, stored);
        QCOMPARE(s->total.payloadBytes, payload);
        std::uint64_t byCategory = 0;
        for (const auto &[name, c] : s->categories)
            byCategory += c.storedBytes;
        QCOMPARE(byCategory, stored);
        QCOMPARE(s->images.entries + s->walRecords.entries, std::uint64_t(entries.size()));
        QCOMPARE(s->unreadableValues, 0u);
    }

    void directoriesSum()
    {
        LayerStats total;
        std::uint64_t entries = 0;
        for (const QString &f : testutil::fixtureLayers()) {
            auto s = computeStats(*Layer::openFile(f.toStdString()));
            QVERIFY(s);
            entries += s->total.entries;
            mergeStats(total, *s);
        }
        finishStats(total);
        QCOMPARE(total.layers, std::uint64_t(testutil::fixtureLayers().size()));
        QCOMPARE(total.total.entries, entries);
    }
};

QTEST_GUILESS_MAIN(TestStats)
#include "tst_stats.moc"
