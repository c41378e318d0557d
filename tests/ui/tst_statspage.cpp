// The Statistics tab: each section's table and chart carry the counts of a layer known by
// construction; exports (CSV, all tables, PNG, SVG) and the clipboard hold the same figures;
// closing the tab while counting cancels and waits.
#include "testutil.h"

#include <stats/reporttablemodel.h>
#include <stats/statspage.h>

#include <layerscope/write/writer.h>

#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QGuiApplication>
#include <QHorizontalBarSeries>
#include <QBarSeries>
#include <QImage>
#include <QListWidget>
#include <QPieSeries>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

using namespace layerscope;
using namespace layerscope::ui;

namespace {

/// 30 main-fork pages of relation 16384, 10 of relation 16385, 4 clog pages (8 KiB each, plain).
Layer knownLayer()
{
    MemorySink sink;
    LayerWriter w(testutil::testSummary(LayerKind::Image), sink);
    const ByteVector page(8192, 0x5A);
    for (std::uint32_t blk = 0; blk < 30; ++blk)
        if (!w.addImage(Key::fromFields(0, 1663, 5, 16384, 0, blk), page, Compression::None))
            qFatal("addImage failed");
    for (std::uint32_t blk = 0; blk < 10; ++blk)
        if (!w.addImage(Key::fromFields(0, 1663, 5, 16385, 0, blk), page, Compression::None))
            qFatal("addImage failed");
    for (std::uint32_t blk = 0; blk < 4; ++blk)
        if (!w.addImage(Key::fromFields(1, 0, 1, blk, 0, 0), page, Compression::None))
            qFatal("addImage failed");
    return testutil::finishAndOpen(w, sink);
}

/// A page whose count has finished (fails the test after 10 s).
std::unique_ptr<StatsPage> countedPage()
{
    auto page = std::make_unique<StatsPage>(knownLayer(), QStringLiteral("/tmp/known-layer"));
    // The result arrives through the event loop after the worker ends: wait for it, not the worker.
    if (!QTest::qWaitFor([&] { return page->stats() || !page->error().isEmpty(); }, 10000))
        qFatal("counting did not finish");
    return page;
}

} // namespace

class TestStatsPage : public QObject
{
    Q_OBJECT
private slots:
    void sectionsShowTableAndChart_data();
    void sectionsShowTableAndChart();
    void exportsHoldTheTables();
    void copyRowsAsTabSeparated();
    void tablesSortByValue();
    void closingWhileCountingCancels();
    void damagedIndexNamesItsOffset();
};

void TestStatsPage::sectionsShowTableAndChart_data()
{
    QTest::addColumn<QString>("section");
    QTest::addColumn<int>("rows");
    QTest::addColumn<QString>("chart");       // bars, histogram, pie or none
    QTest::addColumn<QString>("firstLabel");  // first row's first cell
    QTest::addColumn<double>("firstValue");   // its charted value, as the table holds it
    QTest::newRow("categories") << "categories" << 2 << "bars" << "relation main" << 40.0 * 8196;
    QTest::newRow("relations") << "relations" << 2 << "bars" << "1663/5/16384" << 30.0 * 8196;
    QTest::newRow("values") << "values" << 2 << "pie" << "images" << 44.0 * 8196;
    QTest::newRow("compression") << "compression" << 2 << "pie" << "zstd" << 0.0;
    QTest::newRow("blob-sizes") << "blob_sizes" << 1 << "histogram" << "[8.0 KiB, 16.0 KiB)" << 44.0;
    QTest::newRow("index-levels") << "index_levels" << 1 << "bars" << "0 (leaves)" << -1.0;
    QTest::newRow("overview") << "overview" << 10 << "none" << "Layers" << 1.0;
}

void TestStatsPage::sectionsShowTableAndChart()
{
    QFETCH(QString, section);
    QFETCH(int, rows);
    QFETCH(QString, chart);
    QFETCH(QString, firstLabel);
    QFETCH(double, firstValue);
    auto page = countedPage();
    QVERIFY(page->stats());
    QCOMPARE(page->stats()->total.entries, 44u);
    QCOMPARE(page->currentSection(), QStringLiteral("categories"));  // where the bytes go, first
    QCOMPARE(page->sections()->count(), int(page->tables().size()));
    QVERIFY(page->showSection(section));
    QCOMPARE(page->currentSection(), section);
    ReportTableModel *m = page->model();
    QCOMPARE(m->rowCount(), rows);
    QCOMPARE(m->index(0, 0).data().toString(), firstLabel);
    const int valueColumn = m->table().valueColumn;
    if (firstValue >= 0)
        QCOMPARE(m->index(0, valueColumn).data(ReportTableModel::SortRole).toDouble(), firstValue);
    // Numbers sort by value and align right; text aligns left.
    QCOMPARE(m->index(0, 0).data(Qt::TextAlignmentRole).toInt() & Qt::AlignLeft, int(Qt::AlignLeft));

    QChart *c = page->chartView()->chart();
    if (chart == QLatin1String("none")) {
        QVERIFY(page->chartView()->isHidden());
        return;
    }
    QVERIFY(!page->chartView()->isHidden());
    QCOMPARE(c->series().size(), 1);
    if (chart == QLatin1String("pie")) {
        auto *pie = qobject_cast<QPieSeries *>(c->series().first());
        QVERIFY(pie);
        // Empty parts get no slice; the others' values are the table's.
        int nonEmpty = 0;
        for (int r = 0; r < rows; ++r)
            nonEmpty += m->index(r, valueColumn).data(ReportTableModel::SortRole).toDouble() > 0;
        QCOMPARE(pie->count(), nonEmpty);
        return;
    }
    auto *bars = qobject_cast<QAbstractBarSeries *>(c->series().first());
    QVERIFY(bars);
    QCOMPARE(chart == QLatin1String("histogram"), qobject_cast<QBarSeries *>(bars) != nullptr);
    QCOMPARE(bars->barSets().size(), 1);
    QBarSet *set = bars->barSets().first();
    QCOMPARE(set->count(), rows);
    // Horizontal bars put the first (largest) row on top: it is the last bar. Byte values are
    // scaled to the unit the axis names.
    const double shown = chart == QLatin1String("histogram") ? set->at(0) : set->at(rows - 1);
    const auto *axis = qobject_cast<QValueAxis *>(c->axes(chart == QLatin1String("histogram") ? Qt::Vertical : Qt::Horizontal).first());
    QVERIFY(axis);
    double divisor = 1;
    if (axis->titleText().contains("KiB"))
        divisor = 1024;
    else if (axis->titleText().contains("MiB"))
        divisor = 1024 * 1024;
    if (firstValue >= 0)
        QVERIFY2(qAbs(shown * divisor - firstValue) < 1e-6, qPrintable(QStringLiteral("%1 × %2 (%3)").arg(shown).arg(divisor).arg(axis->titleText())));
    QVERIFY(axis->max() >= shown);
}

void TestStatsPage::exportsHoldTheTables()
{
    auto page = countedPage();
    QTemporaryDir dir;
    QString error;
    QVERIFY(page->showSection("relations"));
    QVERIFY2(page->exportCsv(dir.filePath("rel.csv"), &error), qPrintable(error));
    const QList<QByteArray> lines = testutil::readAll(dir.filePath("rel.csv")).split('\n');
    QCOMPARE(lines[0], QByteArray("Relation (spc/db/rel),Entries,Stored,Payload,Share of stored\r"));
    QVERIFY(lines[1].startsWith("1663/5/16384,30,245880,245760,68.18"));
    QVERIFY(lines[2].startsWith("1663/5/16385,10,81960,81920,22.72"));

    QVERIFY2(page->exportAllCsv(dir.filePath("all"), &error), qPrintable(error));
    for (const Table &t : page->tables())
        QCOMPARE(testutil::readAll(dir.filePath("all/" + QString::fromStdString(t.id) + ".csv")),
                 QByteArray::fromStdString(tableCsv(t)));
    QCOMPARE(QDir(dir.filePath("all")).entryList(QDir::Files).size(), int(page->tables().size()));

    QVERIFY2(page->saveChart(dir.filePath("c.png"), &error), qPrintable(error));
    QImage png(dir.filePath("c.png"));
    QVERIFY(!png.isNull());
    QVERIFY(png.width() >= 640 && png.height() >= 400);
    QVERIFY2(page->saveChart(dir.filePath("c.svg"), &error), qPrintable(error));
    const QByteArray svg = testutil::readAll(dir.filePath("c.svg"));
    QVERIFY(svg.contains("<svg"));
    QVERIFY(svg.contains("Top 20 relations by bytes"));
    // The overview has no chart: nothing is written and the reason is given.
    QVERIFY(page->showSection("overview"));
    QVERIFY(!page->saveChart(dir.filePath("none.png"), &error));
    QVERIFY(error.contains("no chart"));
    QVERIFY(!QFile::exists(dir.filePath("none.png")));
    // A file that cannot be written is named in the error.
    QVERIFY(!page->exportCsv(dir.filePath("missing/dir/x.csv"), &error));
    QVERIFY(error.contains("missing/dir/x.csv"));
}

void TestStatsPage::copyRowsAsTabSeparated()
{
    auto page = countedPage();
    QVERIFY(page->showSection("categories"));
    page->tableView()->selectRow(1);
    page->copyRows();
    QCOMPARE(QGuiApplication::clipboard()->text(),
             QStringLiteral("Category\tEntries\tStored\tPayload\tShare of stored\nslru clog\t4\t32.0 KiB\t32.0 KiB\t9.1%\n"));
    page->tableView()->clearSelection();
    page->copyRows();
    QCOMPARE(QGuiApplication::clipboard()->text().count('\n'), 3);  // header and both rows
}

// Clicking a number column's header sorts by the value, not by the text ("9.1%" against "10.0%",
// "320 B" against "32.0 KiB"): every numeric column of every section, both ways.
void TestStatsPage::tablesSortByValue()
{
    auto page = countedPage();
    int numericColumns = 0;
    for (int section = 0; section < page->sections()->count(); ++section) {
        page->sections()->setCurrentRow(section);
        QTableView *view = page->tableView();
        QAbstractItemModel *shown = view->model();
        for (int c = 0; c < shown->columnCount() && shown->rowCount() >= 2; ++c) {
            bool numeric = true;  // every row a number (the overview mixes numbers and text)
            for (int r = 0; r < shown->rowCount(); ++r)
                numeric = numeric && shown->index(r, c).data(ReportTableModel::SortRole).typeId() == QMetaType::Double;
            if (!numeric)
                continue;
            ++numericColumns;
            for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                view->sortByColumn(c, order);
                for (int r = 1; r < shown->rowCount(); ++r) {
                    const double above = shown->index(r - 1, c).data(ReportTableModel::SortRole).toDouble();
                    const double below = shown->index(r, c).data(ReportTableModel::SortRole).toDouble();
                    QVERIFY2(order == Qt::AscendingOrder ? above <= below : above >= below,
                             qPrintable(QStringLiteral("section %1 column %2: %3 then %4")
                                            .arg(page->currentSection())
                                            .arg(c)
                                            .arg(above)
                                            .arg(below)));
                }
            }
        }
    }
    QVERIFY(numericColumns > 10);
}

void TestStatsPage::closingWhileCountingCancels()
{
    MemorySink sink;
    LayerWriter w(testutil::testSummary(LayerKind::Image), sink);
    for (std::uint32_t blk = 0; blk < 300000; ++blk)
        QVERIFY(w.addImage(Key::fromFields(0, 1663, 5, 16384, 0, blk), ByteVector(16, 1), Compression::None));
    const Layer layer = testutil::finishAndOpen(w, sink);
    auto page = std::make_unique<StatsPage>(layer, QStringLiteral("big"));
    QVERIFY(page->isBusy());
    QSignalSpy done(page.get(), &StatsPage::finished);
    page->cancel();
    QVERIFY(!page->isBusy());
    // Cancelled: no half counts are shown, and the reason is.
    QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 5000);
    QVERIFY(!page->stats());
    QVERIFY(page->error().contains("cancelled"));
    // Closing the tab while counting waits for the worker (ASan would see a use after free).
    page->start();
    QVERIFY(page->isBusy());
    page.reset();
}

// A layer whose index cannot be walked: no half counts, the reason with the offset at fault.
void TestStatsPage::damagedIndexNamesItsOffset()
{
    FileOffset root = 0;
    StatsPage page(testutil::withDamagedRoot(knownLayer(), &root), QStringLiteral("damaged"));
    QVERIFY(QTest::qWaitFor([&] { return !page.isBusy(); }, 10000));
    QVERIFY(!page.stats());
    QVERIFY(page.tables().empty());
    QVERIFY2(page.error().contains(QStringLiteral("at offset %1").arg(root + 3)), qPrintable(page.error()));
}

QTEST_MAIN(TestStatsPage)
#include "tst_statspage.moc"
