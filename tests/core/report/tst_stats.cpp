// Space statistics on layers whose counts are known by construction, and on the Neon-written
// fixtures against a second reading (every entry's blob header).
#include <layerscope/report/stats.h>
#include <layerscope/write/writer.h>

#include "testutil.h"

#include <QtTest>

#include <array>
#include <bit>

using namespace layerscope;

namespace {

Summary baseSummary(LayerKind kind)
{
    return testutil::testSummary(kind);
}

const Table *tableById(const std::vector<Table> &tables, const std::string &id)
{
    for (const Table &t : tables)
        if (t.id == id)
            return &t;
    return nullptr;
}

/// The row of `table` whose first cell reads `label`, or null.
const std::vector<TableCell> *rowOf(const Table &table, const std::string &label)
{
    for (const auto &row : table.rows)
        if (row.front().text == label)
            return &row;
    return nullptr;
}

double number(const std::vector<TableCell> &row, int column)
{
    return row[std::size_t(column)].number.value_or(-1.0);
}

/// 30 main-fork pages of relation 16384, 5 of its fsm, 10 main-fork pages of relation 16385
/// and 4 clog pages, each payload 8192 bytes.
Layer knownImageLayer(Compression c)
{
    MemorySink sink;
    LayerWriter w(baseSummary(LayerKind::Image), sink);
    const ByteVector page(8192, 0x5A);
    bool ok = true;
    for (std::uint32_t blk = 0; blk < 30; ++blk)
        ok &= bool(w.addImage(Key::fromFields(0, 1663, 5, 16384, 0, blk), page, c));
    for (std::uint32_t blk = 0; blk < 5; ++blk)
        ok &= bool(w.addImage(Key::fromFields(0, 1663, 5, 16384, 1, blk), page, c));
    for (std::uint32_t blk = 0; blk < 10; ++blk)
        ok &= bool(w.addImage(Key::fromFields(0, 1663, 5, 16385, 0, blk), page, c));
    for (std::uint32_t blk = 0; blk < 4; ++blk)
        ok &= bool(w.addImage(Key::fromFields(1, 0, 1, blk, 0, 0), page, c));  // slru clog (kind 0), segment blk
    if (!ok)
        qFatal("addImage failed");
    return testutil::finishAndOpen(w, sink);
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
        auto s = computeStats(knownImageLayer(zstd ? Compression::Zstd : Compression::None));
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

    // The tables hold the same figures, sorted largest first, exact in their numbers.
    void tablesCarryTheCounts()
    {
        auto s = computeStats(knownImageLayer(Compression::None));
        QVERIFY(s);
        finishStats(*s);
        const std::vector<Table> tables = statsTables(*s);
        QStringList ids;
        for (const Table &t : tables)
            ids << QString::fromStdString(t.id);
        // No WAL records: no record kinds, resource managers or versions per key.
        QCOMPARE(ids.join(','), QStringLiteral("overview,file,categories,relations,values,compression,blob_sizes,index_levels"));

        const Table *cats = tableById(tables, "categories");
        QCOMPARE(cats->rows.size(), std::size_t(3));
        QCOMPARE(cats->rows[0][0].text, std::string("relation main"));  // largest first
        QCOMPARE(number(cats->rows[0], 1), 40.0);
        QCOMPARE(number(cats->rows[0], 2), 40.0 * 8196);
        QCOMPARE(number(*rowOf(*cats, "relation fsm"), 1), 5.0);
        QCOMPARE(number(*rowOf(*cats, "slru clog"), 2), 4.0 * 8196);
        QCOMPARE(cats->chart, ChartKind::Bars);
        QCOMPARE(cats->valueColumn, 2);

        const Table *rels = tableById(tables, "relations");
        QCOMPARE(rels->rows.size(), std::size_t(2));
        QCOMPARE(rels->rows[0][0].text, std::string("1663/5/16384"));
        QCOMPARE(number(rels->rows[0], 1), 35.0);
        QCOMPARE(number(rels->rows[1], 3), 10.0 * 8192);

        const Table *sizes = tableById(tables, "blob_sizes");
        QCOMPARE(sizes->rows.size(), std::size_t(1));  // every blob is 8,196 bytes
        QCOMPARE(number(sizes->rows[0], 1), 8192.0);
        QCOMPARE(number(sizes->rows[0], 2), 16384.0);
        QCOMPARE(number(sizes->rows[0], 3), 49.0);

        const Table *values = tableById(tables, "values");
        QCOMPARE(number(*rowOf(*values, "images"), 1), 49.0);
        QCOMPARE(number(*rowOf(*values, "WAL records"), 1), 0.0);
        const Table *compression = tableById(tables, "compression");
        QCOMPARE(number(*rowOf(*compression, "plain"), 1), 49.0);
        QCOMPARE(rowOf(*compression, "zstd")->at(4).text, std::string("–"));  // no ratio without zstd blobs

        const Table *file = tableById(tables, "file");
        double parts = 0;
        for (const auto &row : file->rows)
            parts += number(row, 1);
        QCOMPARE(parts, double(s->fileBytes));

        const Table *levels = tableById(tables, "index_levels");
        QCOMPARE(levels->rows.size(), std::size_t(1));
        QCOMPARE(levels->rows[0][0].text, std::string("0 (leaves)"));
        QCOMPARE(number(levels->rows[0], 2), 49.0);
        QCOMPARE(number(*rowOf(*tableById(tables, "overview"), "Entries"), 1), 49.0);
    }

    // A progress callback that says stop ends the count with "cancelled" (after 16,384 entries).
    void cancelStopsTheCount()
    {
        MemorySink sink;
        LayerWriter w(baseSummary(LayerKind::Image), sink);
        for (std::uint32_t blk = 0; blk < 20000; ++blk)
            QVERIFY(w.addImage(Key::fromFields(0, 1663, 5, 16384, 0, blk), ByteVector(8, 1), Compression::None));
        const Layer layer = testutil::finishAndOpen(w, sink);
        int calls = 0;
        FileOffset lastAt = 0;
        StatsOptions o;
        o.progress = [&](std::uint64_t entries, FileOffset at) {
            ++calls;
            lastAt = at;
            return entries < 16384;
        };
        auto s = computeStats(layer, o);
        QVERIFY(!s);
        QVERIFY(QString::fromStdString(s.error().message()).contains("cancelled"));
        QCOMPARE(calls, 1);
        QVERIFY(lastAt > 8192 && lastAt < std::uint64_t(layer.summary().indexStartBlk) * 8192);
        QVERIFY(computeStats(layer));  // without a callback it counts all 20,000
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
        // The histogram's table lists every bucket from the first used to the last, gaps too.
        const std::vector<Table> tables = statsTables(*s);
        const Table *versions = tableById(tables, "versions_per_key");
        QVERIFY(versions);
        QCOMPARE(versions->rows.size(), std::size_t(3));
        QCOMPARE(versions->rows[0][0].text, std::string("4–7"));
        QCOMPARE(number(versions->rows[0], 3), 2.0);
        QCOMPARE(number(versions->rows[1], 3), 0.0);
        QCOMPARE(versions->rows[2][0].text, std::string("16–31"));
        QCOMPARE(number(versions->rows[2], 3), 1.0);
        QCOMPARE(number(*rowOf(*tableById(tables, "record_kinds"), "ClogSetCommitted"), 1), 30.0);
    }

    void threadsGiveIdenticalReports_data()
    {
        QTest::addColumn<unsigned>("threads");
        QTest::newRow("one-thread") << 1u;
        QTest::newRow("two-threads") << 2u;
        QTest::newRow("three-threads") << 3u;
        QTest::newRow("eight-threads") << 8u;
    }
    // 3,000 keys of 1 to 37 versions each (an image, then records; every third value zstd)
    // span about 60 leaves, so runs of entries are counted on several threads and many keys'
    // versions continue from one leaf into the next. Every thread count gives the counts known
    // by construction and the same tables.
    void threadsGiveIdenticalReports()
    {
        QFETCH(unsigned, threads);
        MemorySink sink;
        LayerWriter w(baseSummary(LayerKind::Delta), sink);
        constexpr std::uint32_t kKeys = 3000;
        std::uint64_t lsn = 0x1000, entries = 0, longChains = 0, secondRelation = 0;
        std::array<std::uint64_t, 24> versionsPerKey{};
        for (std::uint32_t k = 0; k < kKeys; ++k) {
            const std::uint32_t versions = k % 37 + 1;
            for (std::uint32_t v = 0; v < versions; ++v) {
                Value value;
                if (v == 0)
                    value.v = ByteVector(300, std::uint8_t(k));
                else
                    value.v = NeonWalRecord{wal::ClogSetCommitted{{k, v}, 7}};
                const auto c = entries % 3 == 0 ? Compression::Zstd : Compression::None;
                QVERIFY(w.addDelta(Key::fromFields(0, 1663, 5, 16384 + k / 1000, 0, k), Lsn{lsn += 8},
                                   value, c));
                ++entries;
                secondRelation += k / 1000 == 1;
            }
            ++versionsPerKey[std::size_t(std::bit_width(versions) - 1)];
            longChains += versions - 1 > 16;
        }
        const Layer layer = testutil::finishAndOpen(w, sink);
        StatsOptions o;
        o.threads = threads;
        auto s = computeStats(layer, o);
        QVERIFY(s);
        QVERIFY(s->levels.at(0).nodes > 10);
        QCOMPARE(s->total.entries, entries);
        QCOMPARE(s->keys, std::uint64_t(kKeys));
        QCOMPARE(s->longChains, longChains);
        QVERIFY(s->versionsPerKey == versionsPerKey);
        QCOMPARE(s->images.entries, std::uint64_t(kKeys));
        QCOMPARE(s->relations.size(), std::size_t(3));
        QCOMPARE(s->relations.at("1663/5/16385").entries, secondRelation);
        o.threads = 1;
        const auto one = computeStats(layer, o);
        QVERIFY(one);
        const auto text = [](const LayerStats &st) {
            std::string all;
            for (const Table &t : statsTables(st))
                for (const auto &row : t.rows)
                    for (const TableCell &cell : row)
                        all += cell.text + '|';
            return all;
        };
        QCOMPARE(text(*s), text(*one));
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
