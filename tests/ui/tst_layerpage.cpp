#include "testutil.h"

#include <btree/btreegraphview.h>
#include <document/layerdocument.h>
#include <details/fieldtreemodel.h>
#include <hex/blobpanel.h>
#include <hex/findbar.h>
#include <hex/hexview.h>
#include <keys/entrytablemodel.h>
#include <keys/keytablewidget.h>
#include <layerpage.h>
#include <problems/problemspanel.h>

#include <layerscope/check/validate.h>
#include <layerscope/dissect/dissect.h>
#include <layerscope/write/synth.h>

#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTreeView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace layerscope;
using namespace layerscope::ui;

class TestLayerPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void clickingANodeSelectsItsRange_data();
    void clickingANodeSelectsItsRange();
    void selectingARowShowsItsBlob_data();
    void selectingARowShowsItsBlob();
    void zstdBlobShowsBothViews();
    void problemsPanelJumpsToTheBytes();
    void repeatedProblemsAreGrouped();
    void damagedFilesOpenReduced_data();
    void damagedFilesOpenReduced();
    void goToOffset_data();
    void goToOffset();
    void textIsNotDecodedAsAPage();
    void fieldsAndBytesAreLinked_data();
    void fieldsAndBytesAreLinked();
    void nodeAndSummaryShowTheirFields();
    void findWalksMatchesAndHistoryReplays_data();
    void findWalksMatchesAndHistoryReplays();
    void graphIsReadableAndWalkedByKeys();
    void fieldsPaneByKeyboard();

private:
    /// Opens `path` in a shown page and waits for its index (or also its validation).
    std::unique_ptr<LayerPage> page(const QString &path, bool untilValidated = false);
    QTemporaryDir m_dir;
    QStringList m_demo;
};

void TestLayerPage::initTestCase()
{
    m_demo = testutil::demoLayers(m_dir.path());
    QCOMPARE(m_demo.size(), 3);
}

std::unique_ptr<LayerPage> TestLayerPage::page(const QString &path, bool untilValidated)
{
    QString error;
    auto doc = LayerDocument::open(path, &error);
    if (!doc)
        qFatal("%s", qPrintable(error));
    LayerDocument *raw = doc.get();
    QSignalSpy ready(raw, &LayerDocument::shapeReady);
    QSignalSpy validated(raw, &LayerDocument::validationReady);
    auto p = std::make_unique<LayerPage>(std::move(doc));
    p->resize(1400, 900);
    p->show();
    if (!(untilValidated ? validated.wait(20000) : ready.wait(20000)))
        qFatal("load timed out");
    QCoreApplication::processEvents();
    return p;
}

void TestLayerPage::clickingANodeSelectsItsRange_data()
{
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("node");  // index in the shape (pre-order)
    QTest::newRow("image-root") << 0 << 0;
    QTest::newRow("image-second-leaf") << 0 << 2;
    QTest::newRow("delta-last-leaf") << 2 << 6;
}

void TestLayerPage::clickingANodeSelectsItsRange()
{
    QFETCH(int, layer);
    QFETCH(int, node);
    auto p = page(m_demo[layer]);
    BTreeGraphView *graph = p->graph();
    QCOMPARE(graph->visibleNodeCount(), int(p->document()->shape()->nodes.size()));
    const auto center = graph->nodeCenter(std::uint32_t(node));
    QVERIFY(center);
    QSignalSpy activated(graph, &BTreeGraphView::nodeActivated);
    graph->view()->centerOn(*center);
    const QPoint at = graph->view()->mapFromScene(*center);
    QTest::mouseClick(graph->view()->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().first().toUInt(), quint32(node));
    const auto &s = p->document()->shape()->nodes[std::size_t(node)];
    const QModelIndexList rows = p->keys()->view()->selectionModel()->selectedRows();
    QCOMPARE(qint64(rows.size()), qint64(s.entries));
    QCOMPARE(quint64(rows.first().row()), s.firstEntry);
    QCOMPARE(quint64(p->keys()->view()->currentIndex().row()), s.firstEntry);
}

void TestLayerPage::selectingARowShowsItsBlob_data()
{
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("row");
    QTest::newRow("image-first") << 0 << 0;
    QTest::newRow("image-in-third-leaf") << 0 << 1900;
    QTest::newRow("delta-wal-record") << 2 << 20;
    QTest::newRow("delta-clog") << 2 << 2415;
}

void TestLayerPage::selectingARowShowsItsBlob()
{
    QFETCH(int, layer);
    QFETCH(int, row);
    auto p = page(m_demo[layer]);
    QTableView *view = p->keys()->view();
    view->setCurrentIndex(p->keys()->model()->index(row, 0));
    const auto entry = p->keys()->model()->entryAt(row);
    QVERIFY(entry);
    auto header = p->document()->layer().blobHeader(*entry);
    QVERIFY(header);
    HexView *hex = p->blob()->storedView();
    // The blob's first byte is on screen, and the view shows the file's own bytes there.
    QVERIFY(hex->topOffset() <= entry->blobOffset);
    QVERIFY(entry->blobOffset < hex->topOffset() + 16 * 8);
    QCOMPARE(hex->bytes().data(), p->document()->layer().bytes().data());
    QCOMPARE(hex->bytes()[entry->blobOffset], p->document()->layer().bytes()[entry->blobOffset]);
    // The decoded view names the value.
    const QString decoded = p->blob()->decodedView()->toPlainText();
    QVERIFY2(decoded.contains(QString::number(entry->blobOffset)), qPrintable(decoded));
    if (p->document()->layer().kind() == LayerKind::Image)
        QVERIFY(decoded.contains("Postgres page header"));
    else if (row == 20)
        QVERIFY(decoded.contains("XLogRecord header") && decoded.contains("Heap"));
    else
        QVERIFY(decoded.contains("ClogSet"));
    // The graph highlights the root-to-leaf path of that entry.
    const auto &path = p->graph()->highlightedPath();
    QCOMPARE(path.front(), 0u);
    const auto &leaf = p->document()->shape()->nodes[path.back()];
    QCOMPARE(int(leaf.level), 0);
    QVERIFY(leaf.firstEntry <= quint64(row) && quint64(row) < leaf.firstEntry + leaf.entries);
}

void TestLayerPage::zstdBlobShowsBothViews()
{
    auto p = page(m_demo[1]);
    p->keys()->selectPosition(3);
    const QString title = p->blob()->findChild<QLabel *>()->text();
    QVERIFY2(title.contains("zstd"), qPrintable(title));
    QVERIFY(p->blob()->decodedView()->toPlainText().contains("ratio"));
}

void TestLayerPage::problemsPanelJumpsToTheBytes()
{
    // The demo delta with its BlobRef will_init bit of entry 0 flipped.
    QByteArray bytes = testutil::readAll(m_demo[2]);
    auto layer = Layer::openFile(m_demo[2].toStdString());
    const auto e0 = (*layer->entries())[0];
    auto leaf = layer->tree().node(0);
    const qint64 valueAt = qint64(leaf->offset + 5 + leaf->prefixLen + std::size_t(leaf->count) * leaf->suffixLen);
    bytes[valueAt + 4] = char(bytes[valueAt + 4] ^ 1);
    const QString path = m_dir.filePath("corrupt/" + QFileInfo(m_demo[2]).fileName());
    QDir().mkpath(m_dir.filePath("corrupt"));
    QVERIFY(testutil::writeFile(path, bytes));
    auto p = page(path, true);
    ProblemModel *model = p->problems()->model();
    QCOMPARE(model->rowCount(), 1);
    const Problem *problem = model->problem(model->index(0, 0));
    QCOMPARE(QString::fromStdString(problem->check), QString("will-init"));
    QCOMPARE(qint64(problem->offset), valueAt + 4);
    // The check's own tooltip is the registry's line for it.
    const QString tip = model->index(0, ProblemModel::CheckColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.startsWith("will-init (value, error): the BlobRef bit and the value disagree"),
             qPrintable(tip));
    QVERIFY2(tip.contains("Names the leaf value's will_init bit."), qPrintable(tip));
    // Marks: the leaf is red in the graph, entry 0 red in the table.
    QVERIFY(p->graph()->nodeMarkedBad(1));  // pre-order: root, then the first leaf
    QVERIFY(!p->graph()->nodeMarkedBad(2));
    QCOMPARE(p->keys()->model()->index(0, 0).data(Qt::ForegroundRole).value<QColor>(), QColor(0xc0, 0x39, 0x2b));
    QVERIFY(!p->keys()->model()->index(1, 0).data(Qt::ForegroundRole).isValid());
    // Clicking the problem selects its entry and shows its bytes.
    p->showProblemsTab();
    QSignalSpy activated(p->problems(), &ProblemsPanel::problemActivated);
    const QModelIndex idx = p->problems()->view()->model()->index(0, 2);
    QTest::mouseClick(p->problems()->view()->viewport(), Qt::LeftButton, {}, p->problems()->view()->visualRect(idx).center());
    QCOMPARE(activated.size(), 1);
    QCOMPARE(p->keys()->view()->currentIndex().row(), 0);
    HexView *hex = p->blob()->storedView();
    QVERIFY(hex->topOffset() <= problem->offset && problem->offset < hex->topOffset() + 16 * 4);
    QCOMPARE(e0.willInit, true);
}

// 4,000 pages of 16 bytes: 4,000 value-size warnings become one expandable group row; the
// counts are exact; the arrow keys walk the problems and the panes follow.
void TestLayerPage::repeatedProblemsAreGrouped()
{
    SynthOptions so;
    so.kind = LayerKind::Image;
    so.entries = 4000;
    so.valueSize = 16;
    MemorySink sink;
    auto summary = synthLayer(so, sink);
    QVERIFY(summary.ok());
    const QString path = m_dir.filePath(QString::fromStdString(summary->impliedName().canonical()));
    QVERIFY(testutil::writeFile(path, sink.data()));
    auto p = page(path, true);
    ProblemModel *model = p->problems()->model();
    QCOMPARE(model->rowCount(), 1);
    const QModelIndex group = model->index(0, 0);
    QVERIFY(!model->problem(group));
    QCOMPARE(model->rowCount(group), 4000);
    QVERIFY(model->index(0, ProblemModel::MessageColumn).data().toString().startsWith("value-size × 4,000"));
    QCOMPARE(model->problem(model->index(17, 0, group))->check, std::string("value-size"));
    QCOMPARE(p->problems()->countsText(), QString("0 error(s), 4,000 warning(s)"));
    // Keyboard: expand the group, move down with the arrow keys; the table follows.
    p->showProblemsTab();
    QTreeView *view = p->problems()->view();
    view->setFocus();
    view->setCurrentIndex(view->model()->index(0, 0));
    QTest::keyClick(view, Qt::Key_Right);  // expand
    QSignalSpy activated(p->problems(), &ProblemsPanel::problemActivated);
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_Down);
    QCOMPARE(activated.size(), 2);
    QCOMPARE(p->keys()->view()->currentIndex().row(), 1);
}

void TestLayerPage::damagedFilesOpenReduced_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<int>("entries");
    QTest::addColumn<QString>("bannerSays");
    // The demo delta (2,426 entries, 6 leaves, the root last): a partial download.
    QTest::newRow("truncated-in-the-index") << "truncate-index" << 2408 << "leaves found by scanning";
    QTest::newRow("truncated-in-the-values") << "truncate-values" << 0 << "the index is missing";
    QTest::newRow("magic-destroyed") << "magic" << 2426 << "kind is taken from the file name";
    QTest::newRow("only-zeros") << "zeros" << 0 << "no summary";
}

// Promise: a damaged file opens, read-only, in a reduced view (banner, what can be read, the
// Problems tab), never only a dialog; the banner's salvage writes a new file that checks clean.
void TestLayerPage::damagedFilesOpenReduced()
{
    QFETCH(QString, damage);
    QFETCH(int, entries);
    QFETCH(QString, bannerSays);
    QByteArray bytes = testutil::readAll(m_demo[2]);
    if (damage == "truncate-index")
        bytes.truncate(bytes.size() - 8192 - 3000);
    else if (damage == "truncate-values")
        bytes.truncate(100000);
    else if (damage == "magic")
        bytes[0] = 0x12;
    else
        bytes = QByteArray(3 * 8192, 0);
    QTemporaryDir dir;
    const QString path = dir.filePath(damage == "zeros" ? QString("zeros.bin") : QFileInfo(m_demo[2]).fileName());
    QVERIFY(testutil::writeFile(path, bytes));
    auto p = page(path, true);
    QVERIFY(!p->document()->damage().isEmpty() || damage == "truncate-index");
    QVERIFY(p->damageBanner()->isVisible());
    const QString banner = p->damageBanner()->findChild<QLabel *>()->text();
    QVERIFY2(banner.contains(bannerSays), qPrintable(banner));
    QCOMPARE(p->keys()->model()->rowCount(), entries);
    QVERIFY(p->document()->report()->errors > 0);
    if (entries == 0)
        return;
    // Salvage from the banner: a new file in the directory, opened in its own tab.
    QSignalSpy finished(p.get(), &LayerPage::salvageFinished);
    QSignalSpy open(p.get(), &LayerPage::openRequested);
    const QString out = dir.filePath("salvaged");
    QVERIFY(QDir().mkpath(out));
    p->salvageTo(out);
    QVERIFY(finished.wait(20000));
    const QString written = finished.first().at(0).toString();
    QVERIFY2(!written.isEmpty(), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(open.size(), 1);
    auto salvaged = MappedFile::open(written.toStdString());
    QVERIFY(salvaged);
    ValidateOptions vo;
    vo.fileName = QFileInfo(written).fileName().toStdString();
    QVERIFY(validateLayer(**salvaged, vo).clean());
    QCOMPARE(testutil::readAll(path), bytes);  // the damaged original is untouched
}

void TestLayerPage::goToOffset_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qlonglong>("offset");
    QTest::newRow("hex") << "0x2000" << 8192LL;
    QTest::newRow("decimal") << "16400" << 16400LL;
    QTest::newRow("grouped") << "16,400" << 16400LL;
    QTest::newRow("beyond-the-file") << "0xFFFFFFFF" << -1LL;
    QTest::newRow("garbage") << "12zz" << -1LL;
}

// Ctrl+L: the hex view shows the offset asked for (decimal or 0x hex); a bad one moves nothing.
void TestLayerPage::goToOffset()
{
    QFETCH(QString, text);
    QFETCH(qlonglong, offset);
    auto p = page(m_demo[2]);
    HexView *hex = p->blob()->storedView();
    const FileOffset before = hex->topOffset();
    QCOMPARE(p->goToOffset(text), offset >= 0);
    if (offset < 0) {
        QCOMPARE(hex->topOffset(), before);
        return;
    }
    QVERIFY(hex->topOffset() <= FileOffset(offset) && FileOffset(offset) < hex->topOffset() + 16 * 8);
}

// The Neon-written image fixture holds 8 KiB of ASCII text per page: not decoded as a page
// header, said once.
void TestLayerPage::textIsNotDecodedAsAPage()
{
    const QString image = testutil::fixtureLayers().filter("__0000000001696070").first();
    auto p = page(image);
    p->keys()->view()->setCurrentIndex(p->keys()->model()->index(3, 0));
    const QString decoded = p->blob()->decodedView()->toPlainText();
    QVERIFY2(decoded.contains("Not a Postgres page"), qPrintable(decoded));
    QCOMPARE(decoded.count("Not decoded as a page header: pd_upper 31086 > pd_special 26925."), 1);
    QVERIFY(!decoded.contains("pd_checksum"));
    QVERIFY(!decoded.contains("Line pointers"));
}

namespace {
/// Every field of the model with bytes of its own in the file, depth first.
void fileFields(const FieldTreeModel *m, const QModelIndex &at, QList<QModelIndex> &out)
{
    for (int r = 0; r < m->rowCount(at); ++r) {
        const QModelIndex c = m->index(r, 0, at);
        bool fileChildren = false;
        for (int k = 0; k < m->rowCount(c); ++k)
            fileChildren = fileChildren || m->data(m->index(k, 0, c), FieldTreeModel::InFileRole).toBool();
        // A zstd frame's parts are in the decompressed payload: the frame is the innermost in the file.
        if (m->data(c, FieldTreeModel::InFileRole).toBool() && m->data(c, FieldTreeModel::LengthRole).toULongLong() > 0
            && !fileChildren)
            out << c;
        fileFields(m, c, out);
    }
}

/// Clicks byte `at` in the hex view (scrolling it into view first).
void clickByte(HexView *hex, FileOffset at)
{
    hex->scrollToOffset(at);
    QTest::mouseClick(hex->viewport(), Qt::LeftButton, {}, hex->pointOf(at));
}
} // namespace

void TestLayerPage::fieldsAndBytesAreLinked_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("row");
    for (const QString &f : testutil::fixtureLayers()) {
        const QString tag = f.endsWith("0000000001696070") ? QStringLiteral("neon-image") : QStringLiteral("neon-delta");
        for (int row : {0, 3, 9})
            QTest::addRow("%s-entry-%d", qPrintable(tag), row) << f << row;
    }
    QTest::addRow("demo-zstd-image-entry-5") << QString() << 5;
}

void TestLayerPage::fieldsAndBytesAreLinked()
{
    // Clicking a field highlights exactly its bytes; clicking a byte selects the innermost
    // field over it, for every field of an entry's dissection.
    QFETCH(QString, path);
    QFETCH(int, row);
    auto p = page(path.isEmpty() ? m_demo[1] : path, true);
    p->keys()->view()->setCurrentIndex(p->keys()->model()->index(row, 0));
    BlobPanel *blob = p->blob();
    FieldTreeModel *model = blob->fieldModel();
    QVERIFY(model->root());
    QCOMPARE(model->root()->name, "entry " + std::to_string(row));
    QList<QModelIndex> fields;
    fileFields(model, model->index(0, 0), fields);
    QVERIFY(fields.size() >= 4);  // key suffix, value, blob header, payload or its parts
    HexView *hex = blob->storedView();
    const QColor selection = blob->palette().color(QPalette::Highlight);
    for (const QModelIndex &f : fields) {
        const FileOffset off = model->data(f, FieldTreeModel::OffsetRole).toULongLong();
        const FileOffset len = model->data(f, FieldTreeModel::LengthRole).toULongLong();
        const QString name = model->data(f, Qt::DisplayRole).toString();
        blob->fieldView()->setCurrentIndex(f);
        QVERIFY(!hex->highlights().empty());
        const HexView::Highlight &h = hex->highlights().front();  // drawn in front
        QCOMPARE(h.begin, off);
        QCOMPARE(h.end, off + len);
        QCOMPARE(h.color.rgb(), selection.rgb());
        // A click on its first and last byte selects it again (from another field first).
        blob->fieldView()->setCurrentIndex(model->index(0, 0));
        for (const FileOffset at : {off, off + len - 1}) {
            clickByte(hex, at);
            const Field *picked = model->field(blob->fieldView()->currentIndex());
            QVERIFY2(picked, qPrintable(name));
            QCOMPARE(QString::fromStdString(picked->name), name);
            QCOMPARE(picked->offset, off);
        }
    }
}

void TestLayerPage::nodeAndSummaryShowTheirFields()
{
    auto p = page(m_demo[2]);
    BlobPanel *blob = p->blob();
    // An index node from the graph: its 8 KiB, tiled by fields.
    const TreeShape *shape = p->document()->shape();
    const std::uint32_t leafBlock = shape->nodes[shape->leaves.front()].block;
    p->showNode(leafBlock);
    const Field *root = blob->fieldModel()->root();
    QVERIFY(root);
    QCOMPARE(root->name, "node " + std::to_string(leafBlock));
    QCOMPARE(root->length, kBlockSize);
    QCOMPARE(blob->storedView()->highlights().front().begin, root->offset);
    // A byte inside the node's values selects that value.
    const FileOffset valueAt = root->children[3].children[2].offset;  // values → value 2
    clickByte(blob->storedView(), valueAt + 1);
    QCOMPARE(blob->fieldModel()->field(blob->fieldView()->currentIndex())->name, std::string("value 2"));
    // A summary row highlights its bytes in block 0.
    blob->showSummaryField(QStringLiteral("index_root_blk"));
    const Field *sel = blob->fieldModel()->field(blob->fieldView()->currentIndex());
    QVERIFY(sel);
    const SummaryField rootField = summaryField(LayerKind::Delta, SummaryFieldId::IndexRoot);
    QCOMPARE(sel->offset, rootField.offset);
    QCOMPARE(blob->storedView()->highlights().front().begin, rootField.offset);
    QCOMPARE(blob->storedView()->highlights().front().end, rootField.offset + rootField.length);
    // A click on block 0 from anywhere else dissects the summary.
    p->showNode(leafBlock);
    clickByte(blob->storedView(), 40);
    QCOMPARE(blob->fieldModel()->root()->name, std::string("summary"));
    QCOMPARE(blob->fieldModel()->field(blob->fieldView()->currentIndex())->name, std::string("key_start"));
}

QTEST_MAIN(TestLayerPage)
#include "tst_layerpage.moc"

void TestLayerPage::findWalksMatchesAndHistoryReplays_data()
{
    QTest::addColumn<int>("layer");
    QTest::addColumn<QString>("where");  // which bytes to look for: "blob", "tail", "absent"
    QTest::addColumn<bool>("hex");
    QTest::newRow("image-blob-start-hex") << 0 << "blob" << true;
    QTest::newRow("delta-blob-start-hex") << 1 << "blob" << true;
    QTest::newRow("delta-file-tail-hex") << 1 << "tail" << true;
    QTest::newRow("image-absent-text") << 0 << "absent" << false;
}

void TestLayerPage::findWalksMatchesAndHistoryReplays()
{
    // Keyboard only: Ctrl+F's bar takes text or hex, Enter finds the next match, Shift+Enter
    // the previous one, wrapping; every match is a jump that Back and Forward replay. The
    // expected offsets come from QByteArray::indexOf over the file.
    QFETCH(int, layer);
    QFETCH(QString, where);
    QFETCH(bool, hex);
    auto p = page(m_demo[layer]);
    const QByteArray file = testutil::readAll(m_demo[layer]);
    BlobPanel *blob = p->blob();
    FindBar *bar = blob->findBar();
    QByteArray needle;
    if (where == "blob") {
        p->keys()->view()->setCurrentIndex(p->keys()->model()->index(0, 0));
        const auto e = p->keys()->model()->entryAt(0);
        QVERIFY(e);
        needle = file.mid(qsizetype(e->blobOffset), 6);
    } else if (where == "tail") {
        needle = file.right(5);
    } else {
        needle = "no such text in any layer";
    }
    QVERIFY(p->goToOffset("0"));
    bar->activate();
    QVERIFY(bar->input()->hasFocus() || !bar->isHidden());
    bar->mode()->setCurrentIndex(hex ? 1 : 0);
    QTest::keyClicks(bar->input(), hex ? QString::fromLatin1(needle.toHex(' ')) : QString::fromLatin1(needle));
    QSignalSpy found(bar, &FindBar::found);
    auto search = [&](bool backward) -> qint64 {
        const int before = int(found.size());
        QTest::keyClick(bar->input(), Qt::Key_Return, backward ? Qt::ShiftModifier : Qt::NoModifier);
        if (!QTest::qWaitFor([&] { return !bar->isSearching(); }, 20000))
            return -2;
        QCoreApplication::processEvents();
        return found.size() > before ? qint64(found.last().at(0).toULongLong()) : -1;
    };
    const qint64 first = file.indexOf(needle, 0);
    QCOMPARE(search(false), first);
    if (first < 0) {
        QVERIFY(bar->status()->text().contains("Not found"));
        return;
    }
    QVERIFY(blob->title().contains(QStringLiteral("at 0x%1").arg(first, 0, 16)));
    QCOMPARE(blob->storedView()->highlights().front().begin, FileOffset(first));
    QCOMPARE(blob->storedView()->highlights().front().end, FileOffset(first + needle.size()));
    qint64 second = file.indexOf(needle, first + 1);
    if (second < 0)
        second = first;  // wrapped to the only match
    QCOMPARE(search(false), second);
    QCOMPARE(search(true), second == first ? first : file.lastIndexOf(needle, second - 1));
    // History: go to 0, first, second, back to first; Back twice, then Forward.
    QVERIFY(blob->goBack());
    QVERIFY(blob->title().contains(QStringLiteral("at 0x%1").arg(second, 0, 16)));
    QVERIFY(blob->goBack());
    QVERIFY(blob->title().contains(QStringLiteral("at 0x%1").arg(first, 0, 16)));
    QCOMPARE(blob->storedView()->highlights().front().begin, FileOffset(first));
    QVERIFY(blob->goForward());
    QVERIFY(blob->title().contains(QStringLiteral("at 0x%1").arg(second, 0, 16)));
    QVERIFY(blob->canGoForward());
    // A new jump drops the forward history.
    QVERIFY(p->goToOffset("0x10"));
    QVERIFY(!blob->canGoForward());
    QTest::keyClick(bar->input(), Qt::Key_Escape);
    QVERIFY(bar->isHidden());
}

// An image layer whose root has more children than a window shows: the default view's text is
// >= 9 pt; the arrow keys walk parent, child and siblings (paging the window, whose label
// follows), each selection showing the node's fields; Enter folds and unfolds; Fit shows
// every box.
void TestLayerPage::graphIsReadableAndWalkedByKeys()
{
    SynthOptions so;
    so.kind = LayerKind::Image;
    so.entries = 30000;
    so.valueSize = 16;
    MemorySink sink;
    auto summary = synthLayer(so, sink);
    QVERIFY(summary.ok());
    const QString path = m_dir.filePath("wide-" + QString::fromStdString(summary->impliedName().canonical()));
    QVERIFY(testutil::writeFile(path, sink.data()));
    auto p = page(path);
    QCoreApplication::processEvents();
    BTreeGraphView *g = p->graph();
    QVERIFY(g->onScreenFontPoints() >= 9.0);
    const TreeShape *shape = p->document()->shape();
    const auto &root = shape->nodes[0];
    QVERIFY2(root.count > BTreeGraphView::kChildWindow, qPrintable(QString::number(root.count)));
    QCOMPARE(g->pageLabel(0), QString("children 1–16 of %1").arg(root.count));
    QVERIFY(!g->selectedNode());
    auto fieldsName = [&] { return QString::fromStdString(p->blob()->fieldModel()->root()->name); };
    g->view()->setFocus();
    QTest::keyClick(g->view(), Qt::Key_Down);  // nothing selected: the root
    QCOMPARE(g->selectedNode(), std::optional<std::uint32_t>(0));
    QCOMPARE(fieldsName(), QString("node %1").arg(root.block));
    QTest::keyClick(g->view(), Qt::Key_Down);
    const std::uint32_t first = shape->children[root.childBegin];
    QCOMPARE(g->selectedNode(), std::optional<std::uint32_t>(first));
    QCOMPARE(fieldsName(), QString("node %1").arg(shape->nodes[first].block));
    QCOMPARE(p->keys()->view()->currentIndex().row(), int(shape->nodes[first].firstEntry));
    for (int i = 0; i < BTreeGraphView::kChildWindow; ++i)
        QTest::keyClick(g->view(), Qt::Key_Right);
    const std::uint32_t seventeenth = shape->children[root.childBegin + BTreeGraphView::kChildWindow];
    QCOMPARE(g->selectedNode(), std::optional<std::uint32_t>(seventeenth));
    QVERIFY(g->nodeCenter(seventeenth));
    QCOMPARE(g->pageLabel(0), QString("children 17–%1 of %2").arg(std::min(32, int(root.count))).arg(root.count));
    QTest::keyClick(g->view(), Qt::Key_Left);
    QCOMPARE(g->selectedNode(), std::optional<std::uint32_t>(shape->children[root.childBegin + 15]));
    QCOMPARE(g->pageLabel(0), QString("children 1–16 of %1").arg(root.count));
    QTest::keyClick(g->view(), Qt::Key_Left, Qt::NoModifier);
    QTest::keyClick(g->view(), Qt::Key_Up);
    QCOMPARE(g->selectedNode(), std::optional<std::uint32_t>(0));
    QVERIFY(!g->selectParent());  // the root has none
    const int shown = g->visibleNodeCount();
    QTest::keyClick(g->view(), Qt::Key_Return);
    QCOMPARE(g->visibleNodeCount(), 1);
    QTest::keyClick(g->view(), Qt::Key_Return);
    QCOMPARE(g->visibleNodeCount(), shown);
    g->fitToView();
    QCoreApplication::processEvents();
    const QRect viewport = g->view()->viewport()->rect();
    const QRect boxes = g->view()->mapFromScene(g->view()->scene()->itemsBoundingRect()).boundingRect();
    QVERIFY2(viewport.contains(boxes), qPrintable(QString("%1,%2 %3x%4 in %5x%6").arg(boxes.x()).arg(boxes.y()).arg(boxes.width()).arg(boxes.height()).arg(viewport.width()).arg(viewport.height())));
}

// Alt+5 puts the focus in the field tree; the arrow keys walk the fields and each one's bytes
// are highlighted in front, exactly its range.
void TestLayerPage::fieldsPaneByKeyboard()
{
    auto p = page(m_demo[1]);
    p->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(p.get()));
    p->keys()->view()->setCurrentIndex(p->keys()->model()->index(2, 0));
    p->focusPane(LayerPage::BlobPane);
    QTreeView *tree = p->blob()->fieldView();
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(tree));
    QCOMPARE(p->currentPane(), LayerPage::BlobPane);
    FieldTreeModel *model = p->blob()->fieldModel();
    QVERIFY(tree->currentIndex().isValid());
    QSet<quint64> seen;
    for (int i = 0; i < 6; ++i) {
        QTest::keyClick(tree, Qt::Key_Down);
        const Field *f = model->field(tree->currentIndex());
        QVERIFY(f);
        if (f->length == 0 || f->decompressed)
            continue;
        const HexView::Highlight &h = p->blob()->storedView()->highlights().front();
        QCOMPARE(h.begin, f->offset);
        QCOMPARE(h.end, f->end());
        seen.insert(f->offset * 65536 + f->length);
    }
    QVERIFY(seen.size() >= 3);  // the keys moved through different fields
}
