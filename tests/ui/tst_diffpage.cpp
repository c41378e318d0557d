// The Compare tab on a pair whose differences are known by construction: counts, the table
// in key order, kind and key filters, both values side by side with exactly the differing
// bytes marked, CSV export of what is shown, summary fields, and a damaged index.
#include "testutil.h"

#include <diff/diffpage.h>
#include <hex/hexview.h>
#include <stats/reporttablemodel.h>

#include <layerscope/write/writer.h>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <map>

using namespace layerscope;
using namespace layerscope::ui;

namespace {

Key keyOf(int i)
{
    return Key::fromFields(0, 1663, 5, 16384, 0, std::uint32_t(i));
}

ByteVector pageOf(int i)
{
    ByteVector v(8192);
    for (std::size_t j = 0; j < v.size(); ++j)
        v[j] = std::uint8_t((j / 32 + std::size_t(i)) & 0xFF);
    return v;
}

Layer imageLayer(const std::map<int, ByteVector> &pages, Summary s = testutil::testSummary(LayerKind::Image),
                 Compression c = Compression::None)
{
    MemorySink sink;
    LayerWriter w(s, sink);
    for (const auto &[i, v] : pages)
        if (!w.addImage(keyOf(i), v, c))
            qFatal("addImage failed");
    return testutil::finishAndOpen(w, sink);
}

std::map<int, ByteVector> pages(int n)
{
    std::map<int, ByteVector> m;
    for (int i = 0; i < n; ++i)
        m.emplace(i, pageOf(i));
    return m;
}

/// A: pages 0–9. B (zstd): page 3 changed at bytes 100–103 and 4000, page 7 gone, page 10 new.
std::pair<Layer, Layer> knownPair(Summary bSummary = testutil::testSummary(LayerKind::Image))
{
    auto b = pages(10);
    for (std::size_t at : {100, 101, 102, 103, 4000})
        b[3][at] ^= 0xFF;
    b.erase(7);
    b.emplace(10, pageOf(10));
    return {imageLayer(pages(10)), imageLayer(b, bSummary, Compression::Zstd)};
}

std::unique_ptr<DiffPage> compared(Layer a, Layer b)
{
    auto page = std::make_unique<DiffPage>(std::move(a), QStringLiteral("/x/A"), std::move(b), QStringLiteral("/x/B"));
    // The result arrives through the event loop after the worker ends: wait for it, not the worker.
    if (!QTest::qWaitFor([&] { return page->report() || !page->error().isEmpty(); }, 10000))
        qFatal("the comparison did not finish");
    return page;
}

} // namespace

class TestDiffPage : public QObject
{
    Q_OBJECT
private slots:
    void countsAndKeyOrder();
    void filters_data();
    void filters();
    void sideBySideMarksTheDifferingBytes();
    void absentSideIsEmpty();
    void exportsTheRowsShown();
    void summaryFieldsAreListed();
    void damagedIndexNamesTheLayer();
    void listingStopsAtTheCapCountingGoesOn();
};

void TestDiffPage::countsAndKeyOrder()
{
    auto [a, b] = knownPair();
    auto page = compared(a, b);
    QVERIFY(page->error().isEmpty());
    QVERIFY(page->report());
    QCOMPARE(page->report()->changed, 1u);
    QCOMPARE(page->report()->onlyInA, 1u);
    QCOMPARE(page->report()->onlyInB, 1u);
    QCOMPARE(page->report()->equal, 8u);  // zstd against plain storage of the same pages
    QCOMPARE(page->model()->rowCount(), 3);
    const QStringList kinds{page->model()->index(0, 0).data().toString(), page->model()->index(1, 0).data().toString(),
                            page->model()->index(2, 0).data().toString()};
    QCOMPARE(kinds, (QStringList{"changed", "only-in-a", "only-in-b"}));
    QCOMPARE(page->model()->index(1, 3).data().toString(), QString::fromStdString(keyOf(7).describe()));
    QCOMPARE(page->model()->index(0, 6).data().toString(),
             QStringLiteral("payload: 8192 vs 8192 bytes, first difference at byte 100"));
    // The first difference is selected and shown at once.
    QCOMPARE(page->table()->currentIndex().row(), 0);
    QVERIFY(page->sides().hasA && page->sides().hasB);
}

void TestDiffPage::filters_data()
{
    QTest::addColumn<int>("kindIndex");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("rows");
    QTest::newRow("all") << 0 << "" << 3;
    QTest::newRow("changed") << 1 << "" << 1;
    QTest::newRow("only-in-a") << 2 << "" << 1;
    QTest::newRow("only-in-b") << 3 << "" << 1;
    QTest::newRow("key-described") << 0 << "blk 10" << 1;
    QTest::newRow("key-hex") << 0 << QString::fromStdString(keyOf(3).toHex()) << 1;
    QTest::newRow("kind-and-key-disagree") << 1 << "blk 7" << 0;
}

void TestDiffPage::filters()
{
    QFETCH(int, kindIndex);
    QFETCH(QString, text);
    QFETCH(int, rows);
    auto [a, b] = knownPair();
    auto page = compared(a, b);
    page->kindBox()->setCurrentIndex(kindIndex);
    page->textFilter()->setText(text);
    QCOMPARE(page->filter()->rowCount(), rows);
}

void TestDiffPage::sideBySideMarksTheDifferingBytes()
{
    auto [a, b] = knownPair();
    auto page = compared(a, b);
    page->selectRow(0);
    const DiffSides &s = page->sides();
    QCOMPARE(s.a.size(), std::size_t(8192));
    QCOMPARE(s.b.size(), std::size_t(8192));  // decompressed: B stores it with zstd
    QCOMPARE(s.a, pageOf(3));
    QCOMPARE(s.runs.size(), std::size_t(2));
    QCOMPARE(s.runs[0].begin, std::size_t(100));
    QCOMPARE(s.runs[0].end, std::size_t(104));
    QCOMPARE(s.runs[1].begin, std::size_t(4000));
    QCOMPARE(s.runs[1].end, std::size_t(4001));
    for (HexView *hex : {page->hexA(), page->hexB()}) {
        QCOMPARE(hex->bytes().size(), std::size_t(8192));
        QCOMPARE(hex->highlights().size(), std::size_t(2));
        QCOMPARE(hex->highlights()[0].begin, FileOffset(100));
        QCOMPARE(hex->highlights()[0].end, FileOffset(104));
        QCOMPARE(hex->highlights()[1].begin, FileOffset(4000));
    }
    QCOMPARE(page->hexB()->bytes()[100], std::uint8_t(pageOf(3)[100] ^ 0xFF));
    // Both decoded views describe the entry (the Postgres page and the blob).
    QVERIFY(page->decodedA()->toPlainText().contains("blob offset"));
    QVERIFY(page->decodedB()->toPlainText().contains("zstd"));
}

void TestDiffPage::absentSideIsEmpty()
{
    auto [a, b] = knownPair();
    auto page = compared(a, b);
    page->selectRow(1);  // page 7: only in A
    QVERIFY(page->sides().hasA);
    QVERIFY(!page->sides().hasB);
    QCOMPARE(page->hexA()->bytes().size(), std::size_t(8192));
    QVERIFY(page->hexB()->bytes().empty());
    QVERIFY(page->hexA()->highlights().empty());
    QVERIFY(page->decodedB()->toPlainText().isEmpty());
}

void TestDiffPage::exportsTheRowsShown()
{
    auto [a, b] = knownPair();
    auto page = compared(a, b);
    QTemporaryDir dir;
    QString error;
    page->kindBox()->setCurrentIndex(3);  // only in B
    QVERIFY2(page->exportCsv(dir.filePath("d.csv"), &error), qPrintable(error));
    const QList<QByteArray> lines = testutil::readAll(dir.filePath("d.csv")).split('\n');
    QCOMPARE(lines.size(), 3);  // header, one row, and the empty rest after the last CRLF
    QCOMPARE(lines[0], QByteArray("Kind,Key,LSN,Key described,A blob offset,B blob offset,Detail\r"));
    QVERIFY(lines[1].startsWith("only-in-b," + QByteArray::fromStdString(keyOf(10).toHex()) + ",,"));
    QVERIFY(!page->exportCsv(dir.filePath("no/such/dir/d.csv"), &error));
    QVERIFY(error.contains("no/such/dir/d.csv"));
}

void TestDiffPage::summaryFieldsAreListed()
{
    Summary other = testutil::testSummary(LayerKind::Image);
    other.tenant = *Id128::fromHex("00000000000000000000000000000001");
    auto [a, b] = knownPair(other);
    auto page = compared(a, b);
    QCOMPARE(page->report()->summary.size(), std::size_t(1));
    ReportTableModel *m = page->summaryModel();
    bool found = false;
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, 0).data().toString() == "tenant_id") {
            found = true;
            QCOMPARE(m->index(r, 2).data().toString(), QStringLiteral("00000000000000000000000000000001"));
            QCOMPARE(m->index(r, 3).data().toString(), QStringLiteral("content"));
        }
    QVERIFY(found);
}

void TestDiffPage::damagedIndexNamesTheLayer()
{
    const Layer good = imageLayer(pages(300));
    FileOffset root = 0;
    auto page = compared(good, testutil::withDamagedRoot(good, &root));
    QVERIFY(!page->report());
    QVERIFY2(page->error().startsWith("Layer B:"), qPrintable(page->error()));
    QCOMPARE(page->model()->rowCount(), 0);
}

// More differences than DiffPage::kMaxListed: the first ones are listed, every one is counted,
// and the count line says so.
void TestDiffPage::listingStopsAtTheCapCountingGoesOn()
{
    const int n = int(DiffPage::kMaxListed) + 25;
    MemorySink sa, sb;
    LayerWriter wa(testutil::testSummary(LayerKind::Image), sa);
    LayerWriter wb(testutil::testSummary(LayerKind::Image), sb);
    for (int i = 0; i < n; ++i) {
        QVERIFY(wa.addImage(keyOf(i), ByteVector(4, 1), Compression::None));
        QVERIFY(wb.addImage(keyOf(i), ByteVector(4, 2), Compression::None));
    }
    auto page = compared(testutil::finishAndOpen(wa, sa), testutil::finishAndOpen(wb, sb));
    QCOMPARE(page->report()->changed, std::uint64_t(n));
    QCOMPARE(page->model()->rowCount(), int(DiffPage::kMaxListed));
    QCOMPARE(page->model()->index(int(DiffPage::kMaxListed) - 1, 3).data().toString(),
             QString::fromStdString(keyOf(int(DiffPage::kMaxListed) - 1).describe()));
    const QString count = page->findChild<QLabel *>("differenceCount")->text();
    QVERIFY2(count.contains(QLocale().toString(n)), qPrintable(count));
}

QTEST_MAIN(TestDiffPage)
#include "tst_diffpage.moc"
