// The Page tab on the real Postgres 15 timeline (tests/data/pg15-redo): the chain's records as
// rows, a step's page and the bytes it changed, the fields of the page, the slider and the list
// kept in step, and a broken path's caption.
#include <details/fieldtreemodel.h>
#include <hex/hexview.h>
#include <page/pagehistorymodel.h>
#include <page/pagehistorypanel.h>
#include <timeline/timelinepage.h>

#include <layerscope/timeline/redo.h>

#include <QApplication>
#include <QComboBox>
#include <QTabWidget>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace layerscope;
using namespace layerscope::ui;

namespace {
QString fixtureDir()
{
    return QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15-redo");
}

std::unique_ptr<TimelinePage> loaded()
{
    auto page = std::make_unique<TimelinePage>(fixtureDir());
    page->resize(1400, 900);
    if (!QTest::qWaitFor([&] { return !page->isBusy(); }, 20000))
        qFatal("the timeline did not load");
    return page;
}

// The same chain replayed by core, every step's page kept: what the panel must show.
Redo expected(const TimelinePage &page, const QString &keyAt)
{
    const auto request = parseKeyAt(keyAt.toStdString());
    const ReadPath path = findReadPath(*page.timeline(), request->key, request->lsn);
    const auto chain = readChain(*page.timeline(), path);
    if (!chain)
        qFatal("%s", chain.error().message().c_str());
    return redoChain(request->key, *chain, {true, true, 15});
}
} // namespace

class TestPageHistory : public QObject
{
    Q_OBJECT
private slots:
    void stepsThroughTheChain_data();
    void stepsThroughTheChain();
    void brokenPathShowsNoPage();
    void tabLeavesTheSteps();
};

void TestPageHistory::stepsThroughTheChain_data()
{
    QTest::addColumn<QString>("keyAt");
    QTest::addColumn<QString>("firstKind");
    // A heap page of COPY's table: initialized by a multi-insert, then frozen, made visible,
    // deleted from, pruned and vacuumed.
    QTest::newRow("heap-page-of-a-copy") << "rel 1663/5/16415 blk 1@0/27FA440"
                                         << "Heap2 MULTI_INSERT+INIT";
    // A btree leaf of the text index r_k: the index build's page image (zstd-compressed in an
    // XLOG FPI record), then inserts, splits and vacuum.
    QTest::newRow("btree-leaf") << "rel 1663/5/16414 blk 1@0/27FA440"
                                << "XLOG FPI";
}

void TestPageHistory::stepsThroughTheChain()
{
    QFETCH(QString, keyAt);
    QFETCH(QString, firstKind);
    auto page = loaded();
    PageHistoryPanel *panel = page->pagePanel();
    // The directory has no index_part.json to say which Postgres wrote it.
    QCOMPARE(panel->pgVersion(), int(kPgVersionUnknown));
    panel->setPgVersion(15, QStringLiteral("chosen"));
    QSignalSpy reset(panel->model(), &QAbstractItemModel::modelReset);
    QVERIFY(page->findKey(keyAt));
    QCOMPARE(reset.count(), 1);
    const Redo want = expected(*page, keyAt);
    QCOMPARE(int(want.outcome), int(Redo::Outcome::Reconstructed));
    const int n = panel->model()->rowCount();
    QCOMPARE(n, int(want.steps.size()));
    QVERIFY(n > 10);
    QCOMPARE(panel->model()
                 ->data(panel->model()->index(0, PageHistoryModel::KindColumn), Qt::DisplayRole)
                 .toString(),
             firstKind);
    // It opens at the last step: the page Neon returns.
    QCOMPARE(panel->currentStep(), n - 1);
    QCOMPARE(panel->slider()->maximum(), n - 1);
    const Bytes last = panel->hexView()->bytes();
    QVERIFY(std::equal(last.begin(), last.end(), want.page.begin(), want.page.end()));
    QVERIFY2(panel->caption()->text().contains(QStringLiteral("%1 record(s) applied").arg(n - 1)),
             qPrintable(panel->caption()->text()));
    QVERIFY2(panel->caption()->text().contains(
                 QStringLiteral("Postgres 15 records replayed offline")),
             qPrintable(panel->caption()->text()));

    // Record by record: the slider moves the list, the page is that step's, and the highlighted
    // runs are exactly the bytes the record changed.
    panel->setHighlightMode(PageHistoryPanel::Highlight::ThisStep);
    for (const int row : {1, n / 2, n - 2}) {
        panel->slider()->setValue(row);
        QCOMPARE(panel->stepsView()->currentIndex().row(), row);
        const RedoStep &s = want.steps[std::size_t(row)];
        const Bytes shown = panel->hexView()->bytes();
        QVERIFY(std::equal(shown.begin(), shown.end(), s.page.begin(), s.page.end()));
        std::vector<std::pair<std::uint32_t, std::uint32_t>> runs;
        for (const HexView::Highlight &h : panel->hexView()->highlights())
            runs.emplace_back(std::uint32_t(h.begin), std::uint32_t(h.end));
        QCOMPARE(runs, s.changed);
        QVERIFY2(panel->caption()->text().contains(QString::fromStdString(s.lsn.toString())),
                 qPrintable(panel->caption()->text()));
    }
    // The list moves the slider; the page's fields are core's dissection of that page.
    panel->stepsView()->setCurrentIndex(panel->model()->index(2, 0));
    QCOMPARE(panel->slider()->value(), 2);
    auto *fields = static_cast<FieldTreeModel *>(panel->fieldView()->model());
    QVERIFY(fields->indexNamed(QStringLiteral("page header")).isValid());
    const QModelIndex lsn = fields->indexNamed(QStringLiteral("pd_lsn"));
    QCOMPARE(fields
                 ->data(fields->index(lsn.row(), FieldTreeModel::ValueColumn, lsn.parent()),
                        Qt::DisplayRole)
                 .toString(),
             QString::fromStdString(want.steps[2].lsn.toString()));
    // A field picked: its bytes are outlined in front of the changed runs.
    panel->fieldView()->setCurrentIndex(lsn);
    QCOMPARE(panel->hexView()->highlights().front().begin, FileOffset(0));
    QCOMPARE(panel->hexView()->highlights().front().end, FileOffset(8));
}

void TestPageHistory::brokenPathShowsNoPage()
{
    auto page = loaded();
    // Block 9 of pg_class: no layer holds it.
    QVERIFY(page->findKey(QStringLiteral("rel 1663/5/1259 blk 9@0/27FA440")));
    QCOMPARE(page->pagePanel()->model()->rowCount(), 0);
    QVERIFY(page->pagePanel()->hexView()->bytes().empty());
    QVERIFY(page->pagePanel()->caption()->text().startsWith(QStringLiteral("No page for")));
}

// Keyboard only: the arrows step through the records, Tab leaves the list for the next control.
void TestPageHistory::tabLeavesTheSteps()
{
    auto page = loaded();
    page->pagePanel()->setPgVersion(15, QStringLiteral("chosen"));
    page->show();
    page->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(page.get()));
    QVERIFY(page->findKey(QStringLiteral("rel 1663/5/16414 blk 1@0/27FA440")));
    page->findTabs()->setCurrentIndex(1);
    QTableView *steps = page->pagePanel()->stepsView();
    steps->setFocus();
    QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(steps));
    const int last = page->pagePanel()->currentStep();
    QTest::keyClick(steps, Qt::Key_Up);
    QCOMPARE(page->pagePanel()->currentStep(), last - 1);
    QTest::keyClick(steps, Qt::Key_Tab);
    QVERIFY(QApplication::focusWidget() != steps);
}

QTEST_MAIN(TestPageHistory)
#include "tst_pagehistory.moc"
