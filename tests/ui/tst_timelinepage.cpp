// The timeline tab on a generated timeline (known read paths) and on the real index_part.json:
// the list holds every file, the map draws every mapped layer where its key and LSN ranges say,
// Find key@LSN marks the layers of Neon's read path, and a double click asks for the layer.
#include "testutil.h"
#include "timelinefixture.h"

#include <hex/hexview.h>
#include <mainwindow.h>
#include <timeline/layermapview.h>
#include <timeline/timelinepage.h>

#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolTip>
#include <QWheelEvent>

using namespace layerscope;
using namespace layerscope::ui;

namespace {

/// The generated timeline, written once for the tests that only read it.
QString fixtureDir()
{
    static QTemporaryDir dir;
    static const bool written = (timelinefixture::writeTimeline(dir.path()), true);
    Q_UNUSED(written);
    return dir.path();
}

std::unique_ptr<TimelinePage> loaded(const QString &path)
{
    auto page = std::make_unique<TimelinePage>(path);
    page->resize(1200, 800);
    if (!QTest::qWaitFor([&] { return !page->isBusy(); }, 20000))
        qFatal("the timeline did not load");
    return page;
}

std::size_t layerNamed(const Timeline &t, const LayerName &n)
{
    for (std::size_t i = 0; i < t.layers.size(); ++i)
        if (t.layers[i].isMapped() && *t.layers[i].name == n)
            return i;
    qFatal("no such layer");
}

/// The layer of the layer list's current row.
std::optional<std::size_t> layerOfListSelection(TimelinePage *page)
{
    const QModelIndex i = page->list()->currentIndex();
    if (!i.isValid())
        return std::nullopt;
    for (std::size_t l = 0; l < page->timeline()->layers.size(); ++l)
        if (QString::fromStdString(page->timeline()->layers[l].fileName)
            == i.siblingAtColumn(0).data().toString())
            return l;
    return std::nullopt;
}

} // namespace

class TestTimelinePage : public QObject
{
    Q_OBJECT
private slots:
    void listsAndDraws();
    void findMarksTheReadPath_data();
    void findMarksTheReadPath();
    void findShowsThePage_data();
    void findShowsThePage();
    void problemsTab();
    void directoryWithItsIndex();
    void doubleClickOpensTheLayer();
    void zoomResetAndHover();
    void realIndexPart();
};

void TestTimelinePage::listsAndDraws()
{
    const QString dir = fixtureDir();
    auto page = loaded(dir);
    QVERIFY(page->timeline());
    QCOMPARE(page->list()->model()->rowCount(), 7); // notes.txt and the temp file too
    const Timeline &t = *page->timeline();
    using namespace timelinefixture;
    const std::size_t i1 = layerNamed(t, imageName(k(0), k(3), 0x100));
    const std::size_t i2 = layerNamed(t, imageName(k(0), k(1), 0x200));
    const std::size_t d1 = layerNamed(t, deltaName(Key::min(), Key::max(), 0x100, 0x200));
    const std::size_t d2 = layerNamed(t, deltaName(Key::min(), Key::max(), 0x200, 0x300));
    LayerMapView *map = page->map();
    // LSN upwards: D2 above D1, the images at their LSNs (I1 at D1's bottom, I2 at D1's top).
    QVERIFY(map->layerRect(d2).bottom() <= map->layerRect(d1).top() + 0.5);
    QCOMPARE(map->layerRect(i1).center().y(), map->layerRect(d1).bottom());
    QCOMPARE(map->layerRect(i2).center().y(), map->layerRect(d1).top());
    // Keys across: I2 [k0, k1) is narrower than I1 [k0, k3), both start at the same x.
    QCOMPARE(map->layerRect(i1).left(), map->layerRect(i2).left());
    QVERIFY(map->layerRect(i2).right() < map->layerRect(i1).right());
    // Hit testing: the image line wins over the delta under it; inside a delta, the delta.
    QCOMPARE(map->layerAt(map->layerRect(i2).center().toPoint()), std::optional<std::size_t>(i2));
    QCOMPARE(map->layerAt(map->layerRect(d2).center().toPoint()), std::optional<std::size_t>(d2));
}

void TestTimelinePage::findMarksTheReadPath_data()
{
    QTest::addColumn<QString>("keyAt");
    QTest::addColumn<int>("steps");
    QTest::addColumn<bool>("complete");
    QTest::addColumn<QString>("says");
    QTest::newRow("image-below-a-delta")
        << QString::fromStdString(timelinefixture::k(0).toHex()) + "@0/2FF" << 2 << true
        << "Complete";
    QTest::newRow("broken-chain") << QString::fromStdString(timelinefixture::k(5).toHex())
                                         + "@0/2FF"
                                  << 2 << false << "could not find data for key";
    QTest::newRow("human-key-form") << "slru clog seg 0 blk 0 @ 0/2FF" << 2 << true
                                    << "ClogSetCommitted { xids: [4], timestamp: 7 }";
    QTest::newRow("not-a-key") << "nonsense" << -1 << false << "Expected KEY@LSN";
    QTest::newRow("key-of-the-wrong-form")
        << "rel 1663/16384 blk 7@0/2FF" << -1 << false << "Expected KEY@LSN";
}

void TestTimelinePage::findMarksTheReadPath()
{
    QFETCH(QString, keyAt);
    QFETCH(int, steps);
    QFETCH(bool, complete);
    QFETCH(QString, says);
    const QString dir = fixtureDir();
    auto page = loaded(dir);
    QCOMPARE(page->findKey(keyAt), steps >= 0);
    QVERIFY2(page->readPathView()->toPlainText().contains(says),
             qPrintable(page->readPathView()->toPlainText()));
    if (steps < 0)
        return;
    QCOMPARE(int(page->lastReadPath()->steps.size()), steps);
    QCOMPARE(page->lastReadPath()->complete, complete);
}

// The Page tab: the page Neon returns (clog records applied on the image), the bytes they
// changed highlighted; none for a broken chain.
void TestTimelinePage::findShowsThePage_data()
{
    QTest::addColumn<QString>("keyAt");
    QTest::addColumn<int>("size");
    QTest::addColumn<QString>("firstBytes");
    QTest::addColumn<QString>("changed"); // highlighted runs [begin, end)
    QTest::addColumn<QString>("caption");
    // I2 (every byte 04) + commit of XID 4: byte 1 bits 0..1 := 01; the timestamp appended.
    QTest::newRow("commit-on-the-newer-image")
        << "slru clog seg 0 blk 0@0/2FF" << 8200 << "04 05 04"
        << "1-2 8192-8200"
        << "1 record(s) applied";
    // I1 (every byte 01) + commits of XIDs 1 and 2: byte 0 becomes 01|04|10.
    QTest::newRow("two-commits-on-the-older-image")
        << "slru clog seg 0 blk 0@0/1FF" << 8200 << "15 01 01"
        << "0-1 8192-8200"
        << "2 record(s) applied";
    // k1's newest value is an image stored in D1: the page is that image, nothing applied.
    QTest::newRow("image-in-a-delta")
        << QString::fromStdString(timelinefixture::k(1).toHex()) + "@0/2FF" << 8192 << "03 03 03"
        << ""
        << "0 record(s) applied";
    QTest::newRow("broken-chain") << "slru clog seg 5 blk 0@0/2FF" << 0 << ""
                                  << ""
                                  << "No page for";
}

void TestTimelinePage::findShowsThePage()
{
    QFETCH(QString, keyAt);
    QFETCH(int, size);
    QFETCH(QString, firstBytes);
    QFETCH(QString, changed);
    QFETCH(QString, caption);
    const QString dir = fixtureDir();
    auto page = loaded(dir);
    QVERIFY(page->findKey(keyAt));
    const Bytes bytes = page->pageView()->bytes();
    QCOMPARE(int(bytes.size()), size);
    QStringList first;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, bytes.size()); ++i)
        first << QStringLiteral("%1").arg(bytes[i], 2, 16, QLatin1Char('0'));
    QCOMPARE(first.join(' '), firstBytes);
    QStringList runs;
    for (const HexView::Highlight &h : page->pageView()->highlights())
        runs << QStringLiteral("%1-%2").arg(h.begin).arg(h.end);
    QCOMPARE(runs.join(' '), changed);
    QVERIFY2(page->pageCaption()->text().contains(caption), qPrintable(page->pageCaption()->text()));
    QCOMPARE(page->lastRedo().has_value(), size > 0);
}

// The Problems tab lists what checkTimeline finds; a row selects its layer on the map.
void TestTimelinePage::problemsTab()
{
    const QString dir = fixtureDir();
    auto page = loaded(dir);
    QTableView *view = page->problemsView();
    QCOMPARE(view->model()->rowCount(), 5);
    QCOMPARE(page->sideTabs()->tabText(1), QString("Problems (5)"));
    // Errors first: the image named at 0x300 whose summary says 0x200.
    QCOMPARE(view->model()->index(0, 0).data().toString(), QString("error"));
    QCOMPARE(view->model()->index(0, 1).data().toString(), QString("timeline-name-summary"));
    using namespace timelinefixture;
    const std::size_t bad = layerNamed(*page->timeline(), imageName(k(10), k(11), 0x300));
    QCOMPARE(view->model()->index(0, 2).data().toString(),
             QString::fromStdString(page->timeline()->layers[bad].fileName));
    view->setCurrentIndex(view->model()->index(0, 3));
    QCOMPARE(page->map()->selected(), std::optional<std::size_t>(bad));
    QCOMPARE(layerOfListSelection(page.get()), std::optional<std::size_t>(bad));
    QStringList checks;
    for (int r = 0; r < view->model()->rowCount(); ++r)
        checks << view->model()->index(r, 1).data().toString();
    checks.sort();
    // Keys below k0 and from k3 up: D1 is the oldest layer holding them, no image below.
    QCOMPARE(checks,
             (QStringList{"timeline-key-base",
                          "timeline-key-base",
                          "timeline-name-summary",
                          "timeline-not-layer",
                          "timeline-temp-file"}));
}

// A directory and an index_part.json opened together (the command line, a drop): one timeline,
// cross-checked; the layer only listed is drawn and its disagreement is a Problems row.
void TestTimelinePage::directoryWithItsIndex()
{
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    using namespace timelinefixture;
    const QString missing = QString::fromStdString(
        deltaName(k(20), k(30), 0x400, 0x500).canonical());
    const QString index = dir.filePath("index_part.json");
    QVERIFY(testutil::writeFile(index,
                                QStringLiteral(
                                    R"({"version":15,"layer_metadata":{"%1":{"file_size":4096}},
        "metadata":{"disk_consistent_lsn":"0/500","latest_gc_cutoff_lsn":"0/180","ancestor_timeline":null,
        "ancestor_lsn":"0/0","prev_record_lsn":null,"initdb_lsn":"0/100","pg_version":16}})")
                                    .arg(missing)
                                    .toUtf8()));
    MainWindow w;
    w.resize(1400, 900);
    QCOMPARE(w.openFiles({index, dir.path()}, true), 1);
    QCOMPARE(w.tabs()->count(), 1);
    auto *page = qobject_cast<TimelinePage *>(w.tabs()->currentWidget());
    QVERIFY(page);
    QTRY_VERIFY_WITH_TIMEOUT(!page->isBusy(), 10000);
    // Seven files, the index itself (listed as a file that is not a layer) and the listed-only layer.
    QCOMPARE(page->timeline()->layers.size(), std::size_t(9));
    QCOMPARE(page->timeline()->gcCutoff->toString(), std::string("0/180"));
    QStringList indexRows;
    for (int r = 0; r < page->problemsView()->model()->rowCount(); ++r)
        if (page->problemsView()->model()->index(r, 1).data().toString() == "timeline-index")
            indexRows << page->problemsView()->model()->index(r, 2).data().toString() + ": "
                             + page->problemsView()->model()->index(r, 3).data().toString();
    // The five mapped files are not listed; the listed delta is not on disk.
    QCOMPARE(indexRows.size(), 6);
    QVERIFY2(indexRows.join('\n').contains(missing + ": listed in the index but not on disk"),
             qPrintable(indexRows.join('\n')));
    const std::size_t listedOnly = layerNamed(*page->timeline(),
                                              deltaName(k(20), k(30), 0x400, 0x500));
    QVERIFY(page->map()->layerRect(listedOnly).width() > 0);
}

void TestTimelinePage::doubleClickOpensTheLayer()
{
    const QString dir = fixtureDir();
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QCOMPARE(w.openFiles({dir}, true), 1);
    auto *page = qobject_cast<TimelinePage *>(w.tabs()->currentWidget());
    QVERIFY(page);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    using namespace timelinefixture;
    const std::size_t d2 = layerNamed(*page->timeline(),
                                      deltaName(Key::min(), Key::max(), 0x200, 0x300));
    QTest::mouseDClick(page->map(),
                       Qt::LeftButton,
                       {},
                       page->map()->layerRect(d2).center().toPoint());
    QTRY_COMPARE_WITH_TIMEOUT(w.tabs()->count(), 2, 5000);
    QVERIFY(w.tabs()->tabToolTip(1).startsWith(
        QString::fromStdString(page->timeline()->layers[d2].path)));
    // Enter on the map opens the selected layer too (a click selects it).
    w.tabs()->setCurrentWidget(page);
    const std::size_t i1 = layerNamed(*page->timeline(), imageName(k(0), k(3), 0x100));
    page->map()->setSelected(i1);
    QSignalSpy opened(page, &TimelinePage::openLayer);
    QTest::keyClick(page->map(), Qt::Key_Return);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.first().first().toString(),
             QString::fromStdString(page->timeline()->layers[i1].path));
}

// The wheel zooms around the pointer (Shift: keys only), 0 resets; hovering names the layer.
void TestTimelinePage::zoomResetAndHover()
{
    const QString dir = fixtureDir();
    auto page = loaded(dir);
    page->show();
    QVERIFY(QTest::qWaitForWindowExposed(page.get()));
    LayerMapView *map = page->map();
    using namespace timelinefixture;
    const std::size_t i2 = layerNamed(*page->timeline(), imageName(k(0), k(1), 0x200));
    const QRectF before = map->layerRect(i2);
    const QPointF at = before.center();
    QWheelEvent in(at,
                   map->mapToGlobal(at),
                   {},
                   QPoint(0, 240),
                   Qt::NoButton,
                   Qt::NoModifier,
                   Qt::NoScrollPhase,
                   false);
    QCoreApplication::sendEvent(map, &in);
    const QRectF zoomed = map->layerRect(i2);
    QVERIFY2(zoomed.width() > before.width() * 1.3,
             qPrintable(QStringLiteral("%1 → %2").arg(before.width()).arg(zoomed.width())));
    QVERIFY(qAbs(zoomed.center().y() - at.y()) < 1.0); // the point under the pointer stays put
    QWheelEvent keysOnly(at,
                         map->mapToGlobal(at),
                         {},
                         QPoint(0, 240),
                         Qt::NoButton,
                         Qt::ShiftModifier,
                         Qt::NoScrollPhase,
                         false);
    const double heightBefore = map->layerRect(
                                       layerNamed(*page->timeline(),
                                                  deltaName(Key::min(), Key::max(), 0x100, 0x200)))
                                    .height();
    QCoreApplication::sendEvent(map, &keysOnly);
    QCOMPARE(map->layerRect(
                    layerNamed(*page->timeline(), deltaName(Key::min(), Key::max(), 0x100, 0x200)))
                 .height(),
             heightBefore);
    QTest::keyClick(map, Qt::Key_0);
    QCOMPARE(map->layerRect(i2), before);
    QHelpEvent help(QEvent::ToolTip,
                    before.center().toPoint(),
                    map->mapToGlobal(before.center().toPoint()));
    QCoreApplication::sendEvent(map, &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().contains(
                 QString::fromStdString(page->timeline()->layers[i2].fileName)),
             qPrintable(QToolTip::text()));
}

// The real remote index: 1,564 layers listed, all drawn as outlines (none on disk).
void TestTimelinePage::realIndexPart()
{
    auto page = loaded(testutil::sharedDir() + "/fixtures/neon-index/index_part.json");
    QVERIFY2(page->timeline(), qPrintable(page->error()));
    QCOMPARE(page->list()->model()->rowCount(), 1564);
    int drawn = 0;
    for (std::size_t i = 0; i < page->timeline()->layers.size(); ++i)
        drawn += page->map()->layerRect(i).isValid() || page->map()->layerRect(i).width() > 0;
    QCOMPARE(drawn, 1564);
    // A healthy timeline: notes only (LSN gaps below the GC cutoff, key ranges without an image).
    QCOMPARE(page->sideTabs()->tabText(1), QString("Problems (29)"));
    for (int r = 0; r < page->problemsView()->model()->rowCount(); ++r)
        QCOMPARE(page->problemsView()->model()->index(r, 0).data().toString(), QString("info"));
}

QTEST_MAIN(TestTimelinePage)
#include "tst_timelinepage.moc"
