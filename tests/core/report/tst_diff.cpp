// Diff: generated pairs whose differences are known by construction; counts, listed
// differences and their order, plain vs zstd storage, summaries, image against delta, and a
// walk that fails.
#include <layerscope/report/diff.h>
#include <layerscope/write/writer.h>

#include "testutil.h"

#include <QtTest>

#include <fmt/format.h>

#include <map>

using namespace layerscope;

namespace {

Summary baseSummary(LayerKind kind)
{
    return testutil::testSummary(kind);
}

Key keyOf(int i)
{
    return Key::fromFields(0, 1663, 5, 16384, 0, std::uint32_t(i));
}

ByteVector pageOf(int i)
{
    ByteVector v(8192);
    for (std::size_t j = 0; j < v.size(); ++j)
        v[j] = std::uint8_t((j / 64 + std::size_t(i) * 7) & 0xFF);
    return v;
}

using Pages = std::map<int, ByteVector>;

Pages pages(int n)
{
    Pages m;
    for (int i = 0; i < n; ++i)
        m.emplace(i, pageOf(i));
    return m;
}

Layer imageLayer(const Pages &m, Compression c = Compression::None, Summary s = baseSummary(LayerKind::Image))
{
    auto sink = std::make_shared<MemorySink>();
    LayerWriter w(s, *sink);
    for (const auto &[i, v] : m)
        if (!w.addImage(keyOf(i), v, c))
            qFatal("addImage");
    return testutil::finishAndOpen(w, *sink);
}

/// Key i at LSNs 0x2000 + 0x10·j for j < versions; the first is an image (will_init).
Layer deltaLayer(int keys, int versions, int skipKey = -1)
{
    auto sink = std::make_shared<MemorySink>();
    LayerWriter w(baseSummary(LayerKind::Delta), *sink);
    for (int i = 0; i < keys; ++i) {
        if (i == skipKey)
            continue;
        for (int j = 0; j < versions; ++j) {
            Value v;
            if (j == 0)
                v.v = pageOf(i);
            else
                v.v = NeonWalRecord{wal::ClogSetCommitted{{std::uint32_t(i), std::uint32_t(j)}, 7}};
            if (!w.addDelta(keyOf(i), Lsn{0x2000 + 0x10 * std::uint64_t(j)}, v))
                qFatal("addDelta");
        }
    }
    return testutil::finishAndOpen(w, *sink);
}

struct Outcome
{
    DiffReport report;
    std::vector<EntryDifference> listed;
};

Outcome diff(const Layer &a, const Layer &b)
{
    Outcome o;
    auto r = diffLayers(a, b, [&](const EntryDifference &d) {
        o.listed.push_back(d);
        return true;
    });
    if (!r)
        qFatal("%s", r.error().message().c_str());
    o.report = *r;
    return o;
}

} // namespace

class TestDiff : public QObject
{
    Q_OBJECT
private slots:
    void knownDifferences_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<int>("onlyA");
        QTest::addColumn<int>("onlyB");
        QTest::addColumn<int>("changed");
        QTest::addColumn<int>("equal");
        QTest::addColumn<int>("summaryFields");
        QTest::addColumn<QString>("detail");  // of the first listed difference
        QTest::newRow("same-pages-stored-with-zstd") << "zstd" << 0 << 0 << 0 << 300 << 0 << "";
        QTest::newRow("one-byte-changed") << "byte" << 0 << 0 << 1 << 299 << 0
                                          << "payload: 8192 vs 8192 bytes, first difference at byte 4000";
        QTest::newRow("one-page-shorter") << "shorter" << 0 << 0 << 1 << 299 << 0
                                          << "payload: 8192 vs 8191 bytes, first difference at byte 8191";
        QTest::newRow("page-added") << "added" << 0 << 1 << 0 << 300 << 0 << "";
        QTest::newRow("page-removed") << "removed" << 1 << 0 << 0 << 299 << 0 << "";
        QTest::newRow("tenant-changed") << "tenant" << 0 << 0 << 0 << 300 << 1 << "";
        QTest::newRow("many-batches-one-change") << "far" << 0 << 0 << 1 << 8999 << 0
                                                 << "payload: 8192 vs 8192 bytes, first difference at byte 0";
    }
    void knownDifferences()
    {
        QFETCH(QString, change);
        QFETCH(int, onlyA);
        QFETCH(int, onlyB);
        QFETCH(int, changed);
        QFETCH(int, equal);
        QFETCH(int, summaryFields);
        QFETCH(QString, detail);
        Pages a = pages(change == "far" ? 9000 : 300);
        Pages b = a;
        Compression cb = Compression::None;
        Summary sb = baseSummary(LayerKind::Image);
        int at = 137;
        if (change == "zstd")
            cb = Compression::Zstd;
        else if (change == "byte")
            b[at][4000] ^= 0x01;
        else if (change == "shorter")
            b[at].pop_back();
        else if (change == "added")
            b.emplace(100000, pageOf(5));
        else if (change == "removed")
            b.erase(at = 5);
        else if (change == "tenant")
            sb.tenant = *Id128::fromHex("11111111111111111111111111111111");
        else if (change == "far")
            b[at = 8500][0] ^= 0xFF;  // past two 4,096-entry batches
        const Outcome o = diff(imageLayer(a), imageLayer(b, cb, sb));
        QCOMPARE(o.report.onlyInA, std::uint64_t(onlyA));
        QCOMPARE(o.report.onlyInB, std::uint64_t(onlyB));
        QCOMPARE(o.report.changed, std::uint64_t(changed));
        QCOMPARE(o.report.equal, std::uint64_t(equal));
        QCOMPARE(int(o.report.summary.size()), summaryFields);
        QCOMPARE(o.report.same(), onlyA + onlyB + changed + summaryFields == 0);
        QCOMPARE(int(o.listed.size()), onlyA + onlyB + changed);
        if (summaryFields)
            QVERIFY(QString::fromStdString(o.report.summary[0].field).contains("tenant"));
        if (!o.listed.empty()) {
            const EntryDifference &d = o.listed.front();
            const Entry &e = d.a ? *d.a : *d.b;
            QCOMPARE(e.key, change == "added" ? keyOf(100000) : keyOf(at));
            QCOMPARE(QString::fromStdString(d.detail), detail);
        }
    }

    void rewriteMovesOnlyTheLayout()
    {
        // Zstd makes the value area smaller, so the index starts earlier: layout, not content.
        const Outcome o = diff(imageLayer(pages(300)), imageLayer(pages(300), Compression::Zstd));
        QVERIFY(o.report.same());
        QVERIFY(!o.report.layout.empty());
        QCOMPARE(o.report.layout[0].field, std::string("index_start_blk"));
    }

    void deltasCompareKeyAndLsn()
    {
        // Key 3 missing from B: its 4 versions are only in A, in LSN order.
        const Outcome o = diff(deltaLayer(50, 4), deltaLayer(50, 4, 3));
        QCOMPARE(o.report.onlyInA, 4u);
        QCOMPARE(o.report.equal, 196u);
        QCOMPARE(int(o.listed.size()), 4);
        for (int j = 0; j < 4; ++j) {
            QCOMPARE(o.listed[std::size_t(j)].a->key, keyOf(3));
            QCOMPARE(o.listed[std::size_t(j)].a->lsn, Lsn{0x2000 + 0x10 * std::uint64_t(j)});
        }
        QVERIFY(diff(deltaLayer(50, 4), deltaLayer(50, 4)).report.same());
    }

    void imageAgainstDeltaComparesKeys()
    {
        // The delta's 4 versions of a key count as one key.
        const Outcome o = diff(imageLayer(pages(50)), deltaLayer(50, 4, 7));
        QVERIFY(o.report.keysOnly);
        QCOMPARE(o.report.onlyInA, 1u);
        QCOMPARE(o.report.onlyInB, 0u);
        QCOMPARE(o.report.equal, 49u);
        QCOMPARE(o.listed.front().a->key, keyOf(7));
    }

    void listingStopsCountingGoesOn()
    {
        Pages b = pages(300);
        for (int i = 0; i < 300; i += 10)
            b[i][1] ^= 1;
        int calls = 0;
        auto r = diffLayers(imageLayer(pages(300)), imageLayer(b), [&](const EntryDifference &) { return ++calls < 3; });
        QVERIFY(r);
        QCOMPARE(calls, 3);
        QCOMPARE(r->changed, 30u);
    }

    void damagedIndexIsAnErrorNotADifference()
    {
        const Layer good = imageLayer(pages(300));
        FileOffset root = 0;
        const Layer bad = testutil::withDamagedRoot(good, &root);
        char failed = 0;
        int listed = 0;
        auto r = diffLayers(good, bad, [&](const EntryDifference &) { return ++listed, true; }, {}, &failed);
        QVERIFY(!r);
        QCOMPARE(failed, 'B');
        QCOMPARE(listed, 0);
        QCOMPARE(r.error().offset, root + 3);
    }

    void differingRuns_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<int>("maxRuns");
        QTest::addColumn<QString>("runs");  // "begin-end" joined by spaces
        QTest::newRow("equal") << QByteArray("abcdef") << QByteArray("abcdef") << 10 << "";
        QTest::newRow("one-byte") << QByteArray("abcdef") << QByteArray("abXdef") << 10 << "2-3";
        QTest::newRow("two-runs") << QByteArray("abcdefgh") << QByteArray("XYcdeZgh") << 10 << "0-2 5-6";
        QTest::newRow("b-longer") << QByteArray("abc") << QByteArray("abcde") << 10 << "3-5";
        QTest::newRow("a-longer-joins-last-run") << QByteArray("abcdef") << QByteArray("abX") << 10 << "2-6";
        QTest::newRow("empty-side") << QByteArray() << QByteArray("xy") << 10 << "0-2";
        QTest::newRow("capped-last-reaches-end") << QByteArray("aXaXaXaX") << QByteArray("aYaYaYaY") << 2 << "1-2 3-8";
    }
    void differingRuns()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(int, maxRuns);
        QFETCH(QString, runs);
        const auto got = layerscope::differingRuns(Bytes(reinterpret_cast<const std::uint8_t *>(a.constData()), std::size_t(a.size())),
                                                   Bytes(reinterpret_cast<const std::uint8_t *>(b.constData()), std::size_t(b.size())),
                                                   std::size_t(maxRuns));
        QStringList out;
        for (const ByteRange &r : got)
            out << QStringLiteral("%1-%2").arg(r.begin).arg(r.end);
        QCOMPARE(out.join(' '), runs);
    }

    // The row every front end shows (CLI --csv, the GUI table): kind, key, LSN, offsets, detail.
    void differenceCellsOfADelta()
    {
        const Layer a = deltaLayer(3, 2);
        const Layer b = deltaLayer(3, 2, 1);
        std::vector<EntryDifference> listed;
        QVERIFY(diffLayers(a, b, [&](const EntryDifference &d) { return listed.push_back(d), true; }));
        QCOMPARE(listed.size(), std::size_t(2));  // key 1's two versions are only in A
        const auto cells = differenceCells(listed[0], true);
        QCOMPARE(cells.size(), differenceColumns().size());
        QCOMPARE(cells[0].text, std::string("only-in-a"));
        QCOMPARE(cells[1].text, keyOf(1).toHex());
        QCOMPARE(cells[2].text, Lsn{0x2000}.toString());
        QCOMPARE(cells[3].text, keyOf(1).describe());
        QCOMPARE(*cells[4].number, double(listed[0].a->blobOffset));
        QCOMPARE(cells[4].text, fmt::format("0x{:x}", listed[0].a->blobOffset));
        QVERIFY(!cells[5].number && cells[5].text.empty());
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "tst_diff.moc"
