#include "shardedtenant.h"
#include "testutil.h"

#include <btree/btreegraphview.h>
#include <diff/diffpage.h>
#include <document/layerdocument.h>
#include <focusring.h>
#include <hex/blobpanel.h>
#include <hex/findbar.h>
#include <hex/hexview.h>
#include <keys/keytablewidget.h>
#include <layerpage.h>
#include <mainwindow.h>
#include <problems/problemspanel.h>
#include <stats/statspage.h>
#include <timeline/layermapview.h>
#include <timeline/loglinedialog.h>
#include <timeline/shardspage.h>
#include <timeline/timelinepage.h>

#include <layerscope/report/stats.h>

#include <layerscope/format/layer.h>
#include <layerscope/format/shard.h>

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QTreeView>

#include <sys/stat.h>

using namespace layerscope;
using namespace layerscope::ui;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void opensFixturesInTabs();
    void badFilesAreReportedAndSkipped_data();
    void badFilesAreReportedAndSkipped();
    void damagedFilesOpen();
    void keyboardOnly();
    void pageActionsAreInTheirMenus_data();
    void pageActionsAreInTheirMenus();
    void screenshotGrab();
    void fitsA1024PixelScreen();
    void statisticsAndCompareTabs();
    void twoDroppedFilesAreCompared_data();
    void twoDroppedFilesAreCompared();
    void tabLeavesEveryPaneOfTheToolTabs();
    void openFromALogLine_data();
    void openFromALogLine();
    void aTimelineAcrossShards();
    void logLineDialogSaysWhatIsMissing_data();
    void logLineDialogSaysWhatIsMissing();
};

void TestMainWindow::opensFixturesInTabs()
{
    MainWindow w;
    const QStringList files = testutil::fixtureLayers();
    QCOMPARE(w.openFiles(files, true), int(files.size()));
    QCOMPARE(w.tabs()->count(), int(files.size()));
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    // Tabs are named after the files (middle elided), the full path in the tooltip.
    QVERIFY2(w.tabs()->tabText(0).startsWith("000000067F00000005…"),
             qPrintable(w.tabs()->tabText(0)));
    QVERIFY(w.tabs()->tabText(0) != w.tabs()->tabText(1));
    QVERIFY(w.tabs()->tabToolTip(0).startsWith(files.first())
            || w.tabs()->tabToolTip(0).startsWith(files.last()));
    // The status bar follows the current tab.
    for (int i : {0, 1})
        QTRY_VERIFY_WITH_TIMEOUT(
            !qobject_cast<LayerPage *>(w.tabs()->widget(i))->lastStatus().isEmpty(), 10000);
    for (int i : {0, 1, 0}) {
        w.tabs()->setCurrentIndex(i);
        QVERIFY2(w.statusText().startsWith(
                     qobject_cast<LayerPage *>(w.tabs()->widget(i))->document()->fileName()),
                 qPrintable(w.statusText()));
    }
    QVERIFY(w.windowTitle().contains("Layerscope"));
}

void TestMainWindow::badFilesAreReportedAndSkipped_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    // (A directory opens as a timeline: tst_timelinepage.)
    QTest::newRow("fifo") << QByteArray("fifo") << "found a FIFO";
    QTest::newRow("empty") << QByteArray() << "the file is empty";
}

void TestMainWindow::badFilesAreReportedAndSkipped()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString bad = dir.filePath("not-a-layer");
    if (content == "fifo") {
        QCOMPARE(::mkfifo(bad.toLocal8Bit().constData(), 0600), 0);
    } else {
        QVERIFY(testutil::writeFile(bad, content));
    }
    MainWindow w;
    QCOMPARE(w.openFiles({bad, testutil::fixtureLayers().first()}, true), 1);
    QCOMPARE(w.tabs()->count(), 1);
    QCOMPARE(w.lastErrors().size(), 1);
    QVERIFY(w.lastErrors().first().contains(bad));
    QVERIFY2(w.lastErrors().first().contains(message), qPrintable(w.lastErrors().first()));
}

// Damaged files are not refused: they open in a reduced view with a banner.
void TestMainWindow::damagedFilesOpen()
{
    QTemporaryDir dir;
    const QString bad = dir.filePath("not-a-layer");
    QVERIFY(testutil::writeFile(bad, QByteArray(8192, 'z')));
    MainWindow w;
    QCOMPARE(w.openFiles({bad, testutil::fixtureLayers().first()}, true), 2);
    QCOMPARE(w.tabs()->count(), 2);
    QVERIFY(w.lastErrors().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
}

// The keyboard alone: Tab leaves the key table, F6 cycles the panes, Alt+2 reaches the
// problems, F8 walks them and the table follows.
void TestMainWindow::keyboardOnly()
{
    QTemporaryDir dir;
    QByteArray bytes = testutil::readAll(testutil::demoLayers(dir.path()).at(2));
    // Two broken blob headers: two problems to walk.
    auto layer = Layer::open(std::make_shared<MemorySource>(testutil::toVector(bytes)));
    const auto entries = *layer->entries();
    bytes[qsizetype(entries[5].blobOffset)] = char(0xA0);
    bytes[qsizetype(entries[9].blobOffset)] = char(0xB0);
    const QString path = dir.filePath(
        "broken-" + QFileInfo(testutil::demoLayers(dir.path()).at(2)).fileName());
    QVERIFY(testutil::writeFile(path, bytes));
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QCOMPARE(w.openFiles({path}, true), 1);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 20000);
    LayerPage *p = w.currentPage();
    QTRY_VERIFY_WITH_TIMEOUT(p->document()->report() && p->problems()->model()->rowCount() > 0,
                             20000);
    p->focusPane(LayerPage::KeysPane);
    QCOMPARE(p->currentPane(), LayerPage::KeysPane);
    // A visible ring around the view with the focus.
    QTRY_VERIFY(p->focusRing()->isVisible());
    QCOMPARE(p->focusRing()->target(), static_cast<QWidget *>(p->keys()->view()));
    QVERIFY(p->focusRing()->geometry().contains(p->keys()->view()->geometry().translated(
        p->keys()->view()->mapTo(p, QPoint(0, 0)) - p->keys()->view()->pos())));
    const int row = p->keys()->view()->currentIndex().row();
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QVERIFY(QApplication::focusWidget() != p->keys()->view()); // Tab left the table…
    QCOMPARE(p->keys()->view()->currentIndex().row(), row);    // …without moving the selection
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F6);
    const LayerPage::Pane afterF6 = p->currentPane();
    QVERIFY(afterF6 != LayerPage::PaneCount);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_2, Qt::AltModifier);
    QCOMPARE(p->currentPane(), LayerPage::ProblemsPane);
    QCOMPARE(p->focusRing()->target(), static_cast<QWidget *>(p->problems()->view()));
    p->problems()->view()->selectionModel()->clearCurrentIndex(); // start before the first
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F8);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F8);
    // The second problem of the list is the second blob (offset order within errors).
    QCOMPARE(p->keys()->view()->currentIndex().row(), 9);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F8, Qt::ShiftModifier);
    QCOMPARE(p->keys()->view()->currentIndex().row(), 5);
    // Ctrl+L jumps, Ctrl+F finds, Alt+Left goes back to the jump before.
    QVERIFY(p->goToOffset("0x20"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F, Qt::ControlModifier);
    FindBar *bar = p->blob()->findBar();
    QVERIFY(bar->isVisible());
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(bar->input()));
    QTest::keyClicks(bar->input(), "Za"); // the summary magic 5A 61, found after wrapping at least
    QTest::keyClick(bar->input(), Qt::Key_Return);
    QTRY_VERIFY(p->blob()->title().contains("match"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Left, Qt::AltModifier);
    QVERIFY2(p->blob()->title().contains("at 0x20 "), qPrintable(p->blob()->title()));
    QVERIFY(p->blob()->canGoForward());
}

// The features' actions are in the window's menus, once each, with their shortcuts; Back and
// Forward are enabled only as the current tab's history allows, and follow it.
void TestMainWindow::pageActionsAreInTheirMenus_data()
{
    QTest::addColumn<QString>("menu");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QKeySequence>("shortcut");
    QTest::newRow("export-csv") << "&File"
                                << "Export rows as &CSV…" << QKeySequence();
    QTest::newRow("find-bytes") << "&Edit"
                                << "&Find Bytes…" << QKeySequence(QKeySequence::Find);
    QTest::newRow("go-to-key") << "&Go"
                               << "Go to &Key…" << QKeySequence(Qt::CTRL | Qt::Key_G);
    QTest::newRow("go-to-offset") << "&Go"
                                  << "Go to &Offset…" << QKeySequence(Qt::CTRL | Qt::Key_L);
    QTest::newRow("back") << "&Go"
                          << "&Back" << QKeySequence(Qt::ALT | Qt::Key_Left);
    QTest::newRow("next-problem") << "&Go"
                                  << "&Next Problem" << QKeySequence(Qt::Key_F8);
    QTest::newRow("validate-again") << "&Go"
                                    << "&Validate Again" << QKeySequence(Qt::Key_F5);
    QTest::newRow("blob-pane") << "&Go"
                               << "&Blob" << QKeySequence(Qt::ALT | Qt::Key_5);
    QTest::newRow("fit-tree") << "&View"
                              << "&Fit Tree" << QKeySequence(Qt::CTRL | Qt::Key_0);
}

void TestMainWindow::pageActionsAreInTheirMenus()
{
    QFETCH(QString, menu);
    QFETCH(QString, text);
    QFETCH(QKeySequence, shortcut);
    MainWindow w;
    QMenu *m = nullptr;
    for (QAction *a : w.menuBar()->actions())
        if (a->text() == menu)
            m = a->menu();
    QVERIFY(m);
    QList<QAction *> found;
    for (QAction *a : m->actions())
        if (a->text() == text)
            found << a;
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.front()->shortcut(), shortcut);
    if (text != "&Back")
        return;
    QAction *back = found.front();
    QVERIFY(!back->isEnabled()); // no tab
    QCOMPARE(w.openFiles(testutil::fixtureLayers().mid(0, 1), true), 1);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 20000);
    QVERIFY(!back->isEnabled()); // nothing to go back to
    QVERIFY(w.currentPage()->goToOffset("0x20"));
    QVERIFY(w.currentPage()->goToOffset("0x40"));
    QVERIFY(back->isEnabled());
    back->trigger();
    QVERIFY(w.currentPage()->blob()->title().contains("at 0x20 "));
}

void TestMainWindow::screenshotGrab()
{
    MainWindow w;
    w.openFiles(testutil::fixtureLayers(), true);
    w.show();
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    const QImage img = w.grab().toImage();
    QCOMPARE(img.size(), w.size());
    // Not a blank window: many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
        for (int x = 0; x < img.width(); x += 7)
            colours.insert(img.pixel(x, y));
    QVERIFY(colours.size() > 20);
}

// At 1024 px wide every pane keeps a usable size and the filter boxes show their whole
// placeholder text.
void TestMainWindow::fitsA1024PixelScreen()
{
    MainWindow w;
    w.openFiles(testutil::fixtureLayers(), true);
    w.resize(1024, 700);
    w.show();
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    QCoreApplication::processEvents();
    QVERIFY2(w.minimumSizeHint().width() <= 1024,
             qPrintable(QString::number(w.minimumSizeHint().width())));
    QCOMPARE(w.width(), 1024);
    LayerPage *p = w.currentPage();
    for (QLineEdit *edit : p->keys()->findChildren<QLineEdit *>()) {
        if (edit->placeholderText().isEmpty() || !edit->isVisible())
            continue;
        const int needed = edit->fontMetrics().horizontalAdvance(edit->placeholderText());
        QVERIFY2(
            edit->width() >= needed + 8,
            qPrintable(
                QString("%1: %2 < %3").arg(edit->placeholderText()).arg(edit->width()).arg(needed)));
    }
    for (QWidget *pane : {static_cast<QWidget *>(p->graph()),
                          static_cast<QWidget *>(p->keys()),
                          static_cast<QWidget *>(p->blob())})
        QVERIFY2(pane->width() >= 300,
                 qPrintable(
                     QString("%1 is %2 px").arg(pane->metaObject()->className()).arg(pane->width())));
}

// View → Statistics (Ctrl+I) and File → Compare With open tabs of their own that outlive the
// layer's tab; the window waits for them like for a loading layer.
void TestMainWindow::statisticsAndCompareTabs()
{
    QTemporaryDir dir;
    const QStringList demo = testutil::demoLayers(dir.path());
    QCOMPARE(demo.size(), 3);
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QCOMPARE(w.openFiles({demo[0]}, true), 1);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &w,
                    Qt::Key_I,
                    Qt::ControlModifier);
    QCOMPARE(w.tabs()->count(), 2);
    auto *stats = qobject_cast<StatsPage *>(w.tabs()->currentWidget());
    QVERIFY(stats);
    QVERIFY(w.tabs()->tabText(1).startsWith("Statistics: "));
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    const auto expected = computeStats(*Layer::openFile(demo[0].toStdString()));
    QVERIFY(expected && stats->stats());
    QCOMPARE(stats->stats()->total.entries, expected->total.entries);
    QCOMPARE(stats->stats()->total.storedBytes, expected->total.storedBytes);
    // Closing the layer's tab leaves the statistics readable (they hold their own mapping).
    w.tabs()->setCurrentIndex(0);
    QTest::keySequence(QApplication::focusWidget() ? QApplication::focusWidget() : &w,
                       QKeySequence(QKeySequence::Close));
    QCOMPARE(w.tabs()->count(), 1);
    QVERIFY(stats->showSection("blob_sizes"));

    DiffPage *diff = w.compareFiles(demo[0], demo[1], true);
    QVERIFY(diff);
    QCOMPARE(w.tabs()->currentWidget(), diff);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    QVERIFY(diff->report());
    QVERIFY(!diff->report()->same());
    // A file that is not a layer: nothing opens and the status bar says which and why.
    const QString junk = dir.filePath("junk");
    QVERIFY(testutil::writeFile(junk, QByteArray(100, 'x')));
    QVERIFY(!w.compareFiles(demo[0], junk, true));
    QCOMPARE(w.tabs()->count(), 2);
    QVERIFY2(w.statusText().contains(junk), qPrintable(w.statusText()));
}

void TestMainWindow::twoDroppedFilesAreCompared_data()
{
    QTest::addColumn<int>("files");
    QTest::addColumn<int>("layerTabs");
    QTest::addColumn<int>("compareTabs");
    QTest::newRow("one-opens") << 1 << 1 << 0;
    QTest::newRow("two-compare") << 2 << 0 << 1;
    QTest::newRow("three-open") << 3 << 3 << 0;
}

void TestMainWindow::twoDroppedFilesAreCompared()
{
    QFETCH(int, files);
    QFETCH(int, layerTabs);
    QFETCH(int, compareTabs);
    QTemporaryDir dir;
    const QStringList demo = testutil::demoLayers(dir.path());
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // (A synthetic QDropEvent is not delivered without a drag in progress: call what the drop calls.)
    w.openDropped(demo.mid(0, files));
    int layers = 0, compares = 0;
    for (int i = 0; i < w.tabs()->count(); ++i) {
        layers += qobject_cast<LayerPage *>(w.tabs()->widget(i)) != nullptr;
        compares += qobject_cast<DiffPage *>(w.tabs()->widget(i)) != nullptr;
    }
    QCOMPARE(layers, layerTabs);
    QCOMPARE(compares, compareTabs);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
}

// Keyboard only: in the Statistics, Compare and Timeline tabs, Tab moves the focus out of every
// table, text view and the map (arrows move inside them).
void TestMainWindow::tabLeavesEveryPaneOfTheToolTabs()
{
    QTemporaryDir dir;
    const QStringList demo = testutil::demoLayers(dir.path());
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QCOMPARE(w.openFiles({demo[0]}, true), 1);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    QList<QWidget *> pages{w.openStatistics(),
                           w.compareFiles(demo[0], demo[1], true),
                           w.openTimeline(dir.path())};
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    for (QWidget *page : pages) {
        w.tabs()->setCurrentWidget(page);
        // Every page of the page's own tab widgets too (the timeline's Problems and Page tabs).
        QList<std::pair<QTabWidget *, int>> views{{nullptr, 0}};
        for (QTabWidget *t : page->findChildren<QTabWidget *>())
            for (int i = 0; i < t->count(); ++i)
                views.append({t, i});
        int panes = 0;
        for (const auto &[tabs, index] : views) {
            if (tabs)
                tabs->setCurrentIndex(index);
            for (QWidget *pane : page->findChildren<QWidget *>()) {
                if (!(qobject_cast<QAbstractItemView *>(pane) || qobject_cast<QTextEdit *>(pane)
                      || qobject_cast<LayerMapView *>(pane) || qobject_cast<HexView *>(pane))
                    || !pane->isVisible() || !(pane->focusPolicy() & Qt::TabFocus))
                    continue;
                ++panes;
                pane->setFocus(Qt::TabFocusReason);
                QTRY_COMPARE(QApplication::focusWidget(), pane);
                QTest::keyClick(pane, Qt::Key_Tab);
                QVERIFY2(QApplication::focusWidget() != pane, pane->metaObject()->className());
            }
        }
        QVERIFY(panes >= 2);
    }
}

// Open from Log Line: the line's timeline is found below the root off the UI thread (the
// owning shard of the 4-shard tenant, or the one the line names), opened, and the read path
// of its key at its LSN shown; a line without an LSN, or a root without the tenant, is said in
// one message and opens nothing.
void TestMainWindow::openFromALogLine_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("shard"); // empty: nothing opens
    QTest::addColumn<QString>("error");
    const QString span = "process_query{tenant_id=" + shardedtenant::kTenant + " timeline_id="
                         + shardedtenant::kTimeline + "}:handle_get_page_request{";
    const Key k3 = Key::fromFields(0, 1663, 5, 16384, 0, 3);
    QTest::newRow("owner-by-rule")
        << span + "rel=1663/5/16384 blkno=3 req_lsn=0/5000060}: could not find data"
        << QString::fromStdString(
               ShardIdentity{keyToShardNumber(4, shardedtenant::kStripe, k3), 4}.slug())
        << "";
    QTest::newRow("shard-named") << span + "rel=1663/5/16384 blkno=3 req_lsn=0/5000060 shard_id=0204}"
                                 << "0204"
                                 << "";
    QTest::newRow("no-lsn") << span + "rel=1663/5/16384 blkno=3}"
                            << ""
                            << "missing the LSN";
    QTest::newRow("no-tenant")
        << "could not read block 3 in rel 1663/5/16384.0 from page server at lsn 0/5000060"
        << ""
        << "the tenant id";
}

void TestMainWindow::openFromALogLine()
{
    QFETCH(QString, line);
    QFETCH(QString, shard);
    QFETCH(QString, error);
    QTemporaryDir tree;
    shardedtenant::write(tree.path());
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::pageLoaded);
    w.openLogLine(line, tree.path());
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1 && w.allLoaded(), 20000);
    if (shard.isEmpty()) {
        QCOMPARE(w.tabs()->count(), 0);
        QCOMPARE(w.lastErrors().size(), 1);
        QVERIFY2(w.lastErrors().first().contains(error), qPrintable(w.lastErrors().first()));
        return;
    }
    QVERIFY(w.lastErrors().isEmpty());
    auto *page = qobject_cast<TimelinePage *>(w.tabs()->currentWidget());
    QVERIFY(page);
    QCOMPARE(page->path(), QDir::cleanPath(tree.filePath(shardedtenant::timelineDir(shard))));
    QVERIFY(w.tabs()->tabText(w.tabs()->currentIndex()).contains(shardedtenant::kTimeline));
    QTRY_VERIFY_WITH_TIMEOUT(page->lastReadPath().has_value(), 10000);
    QVERIFY(!page->lastReadPath()->steps.empty());
}

// A sharded tenant's timeline named without its shard opens every shard's copy side by side:
// the copies' table, the set's problems, stacked maps on shared axes with the key owners' band;
// a copy opens its own timeline page.
void TestMainWindow::aTimelineAcrossShards()
{
    QTemporaryDir tree;
    shardedtenant::write(tree.path());
    MainWindow w;
    w.resize(1280, 900);
    w.show();
    QSignalSpy loaded(&w, &MainWindow::pageLoaded);
    const QString path = tree.filePath("tenants/" + shardedtenant::kTenant + "/timelines/"
                                       + shardedtenant::kTimeline);
    QCOMPARE(w.openFiles({path}), 1);
    auto *page = qobject_cast<ShardsPage *>(w.tabs()->currentWidget());
    QVERIFY(page);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1 && w.allLoaded(), 20000);
    QVERIFY2(page->error().isEmpty(), qPrintable(page->error()));
    // The four children by number, then the two parents they were split from.
    QStringList shards;
    for (const Timeline &t : page->copies())
        shards << QString::fromStdString(t.shard.value_or("?"));
    QCOMPARE(shards, QStringList({"0004", "0104", "0204", "0304", "0002", "0102"}));
    QCOMPARE(page->shardTable()->model()->rowCount(), 6);
    QCOMPARE(page->shardTable()->model()->index(3, 0).data().toString(), QStringLiteral("0304"));
    QCOMPARE(int(page->shardCount()), 4);
    QCOMPARE(page->stripePages(), shardedtenant::kStripe);
    QVERIFY(page->problems().empty()); // every child there, one ancestry, one LSN
    // Stacked maps on one key axis: a layer's keys are at the same x in every map.
    QCOMPARE(page->maps().size(), std::size_t(6));
    const QRectF first = page->maps()[0]->layerRect(0), parent = page->maps()[4]->layerRect(0);
    QVERIFY(!first.isEmpty());
    QCOMPARE(first.left(), parent.left());
    QCOMPARE(first.right(), parent.right());
    // The band under each map: the first stripe (blocks 0-1) is its owner's, by Neon's rule.
    LayerMapView *map = page->maps()[1];
    const QRectF r = map->layerRect(0);
    const Key blk0 = Key::fromFields(0x00, 1663, 5, 16384, 0, 0);
    const QString owner = QString::fromStdString(
        ShardIdentity{keyToShardNumber(4, shardedtenant::kStripe, blk0), 4}.slug());
    const LayerMapView::Band *band = map->bandAt(
        QPoint(int(r.left()) + 3, int(map->height() - 40 - 4 - 14 / 2)));
    QVERIFY(band);
    QVERIFY2(band->text.contains("shard " + owner), qPrintable(band->text));
    QVERIFY(band->text.contains("blk 0"));
    QVERIFY(!band->hatched);
    // A copy's row opens that shard's timeline page.
    page->shardTable()->setCurrentIndex(page->shardTable()->model()->index(3, 0));
    emit page->shardTable()->activated(page->shardTable()->currentIndex());
    auto *copy = qobject_cast<TimelinePage *>(w.tabs()->currentWidget());
    QVERIFY(copy);
    QCOMPARE(QDir::cleanPath(copy->path()),
             QDir::cleanPath(tree.filePath(shardedtenant::timelineDir("0304"))));
    QVERIFY(w.tabs()->tabText(w.tabs()->currentIndex()).contains("shard 0304"));
}

void TestMainWindow::logLineDialogSaysWhatIsMissing_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("root");
    QTest::addColumn<bool>("canOpen");
    QTest::addColumn<QString>("said");
    const QString full = "tenant_id=" + shardedtenant::kTenant
                         + " rel=1663/5/16384 blkno=3 req_lsn=0/5000060";
    QTest::newRow("ready") << full << "/r" << true << "LSN 0/5000060 (from req_lsn=)";
    QTest::newRow("no-root") << full << "" << false << "Missing:</b> where the layers are";
    QTest::newRow("no-key") << "req_lsn=0/5000060"
                            << "/r" << false << "the key (key=";
    QTest::newRow("empty") << ""
                           << "/r" << false << "Paste a line";
}

void TestMainWindow::logLineDialogSaysWhatIsMissing()
{
    QFETCH(QString, line);
    QFETCH(QString, root);
    QFETCH(bool, canOpen);
    QFETCH(QString, said);
    LogLineDialog d(root);
    d.lineEdit()->setPlainText(line);
    QCOMPARE(d.openButton()->isEnabled(), canOpen);
    QVERIFY2(d.foundLabel()->text().contains(said), qPrintable(d.foundLabel()->text()));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
