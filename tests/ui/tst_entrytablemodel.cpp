#include "testutil.h"

#include <document/layerdocument.h>
#include <keys/entrytablemodel.h>
#include <keys/keytablewidget.h>

#include <layerscope/write/synth.h>

#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace layerscope;
using namespace layerscope::ui;

class TestEntryTableModel : public QObject
{
    Q_OBJECT
private slots:
    void rowsEqualExpectedEntries_data();
    void rowsEqualExpectedEntries();
    void partialUntilLoaded();
    void lowerBoundAndGoTo_data();
    void lowerBoundAndGoTo();
    void filters_data();
    void filters();
    void exportRows();
};

namespace {
std::unique_ptr<LayerDocument> loaded(const QString &path)
{
    QString error;
    auto doc = LayerDocument::open(path, &error);
    if (!doc)
        qFatal("%s", qPrintable(error));
    QSignalSpy ready(doc.get(), &LayerDocument::shapeReady);
    doc->startLoading();
    if (!ready.wait(20000))
        qFatal("load timed out");
    return doc;
}

QString demoDelta(QTemporaryDir &dir)
{
    const QStringList paths = testutil::demoLayers(dir.path());
    return paths.isEmpty() ? QString() : paths.back();
}
} // namespace

void TestEntryTableModel::rowsEqualExpectedEntries_data()
{
    QTest::addColumn<QString>("path");
    int n = 0;
    for (const QString &f : testutil::fixtureLayers())
        QTest::addRow("fixture-%d", ++n) << f;
}

void TestEntryTableModel::rowsEqualExpectedEntries()
{
    QFETCH(QString, path);
    auto doc = loaded(path);
    EntryTableModel model;
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setDocument(doc.get());
    QCOMPARE(reset.size(), 1);
    QVERIFY(!model.isPartial());
    auto expect = testutil::readJsonLines(path + ".expect.jsonl");
    expect.removeFirst();
    QCOMPARE(model.rowCount(), int(expect.size()));
    QCOMPARE(model.columnCount(), int(EntryTableModel::ColumnCount));
    for (int r = 0; r < model.rowCount(); ++r) {
        const QJsonObject &x = expect[r];
        QCOMPARE(model.index(r, EntryTableModel::KeyColumn).data().toString(), x["key"].toString().toUpper());
        QCOMPARE(model.index(r, EntryTableModel::OffsetColumn).data().toString(), QString::number(x["offset"].toInteger()));
        QCOMPARE(model.index(r, EntryTableModel::PositionColumn).data().toString(), QString::number(r));
        QCOMPARE(model.index(r, 0).data(EntryTableModel::BlobOffsetRole).toULongLong(), quint64(x["offset"].toInteger()));
        const QString kind = model.index(r, EntryTableModel::KindColumn).data().toString();
        QVERIFY2(kind.startsWith(x["kind"].toString()), qPrintable(kind + " vs " + x["kind"].toString()));
        QCOMPARE(model.index(r, EntryTableModel::CompressionColumn).data().toString(), QString("none"));
        if (x.contains("lsn")) {
            const auto lsn = Lsn::parseHex(x["lsn"].toString().toStdString());
            QCOMPARE(model.index(r, EntryTableModel::LsnColumn).data().toString(), QString::fromStdString(lsn->toString()));
            QCOMPARE(model.index(r, EntryTableModel::WillInitColumn).data().toString(), x["will_init"].toBool() ? QString("yes") : QString("no"));
        }
    }
}

void TestEntryTableModel::partialUntilLoaded()
{
    QTemporaryDir dir;
    const QString path = demoDelta(dir);
    QString error;
    auto doc = LayerDocument::open(path, &error);
    QVERIFY(doc);
    EntryTableModel model;
    model.setDocument(doc.get());
    QVERIFY(model.isPartial());
    QCOMPARE(model.rowCount(), EntryTableModel::kPartialRows);
    const QString firstKey = model.index(0, EntryTableModel::KeyColumn).data().toString();
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy ready(doc.get(), &LayerDocument::shapeReady);
    doc->startLoading();
    QVERIFY(ready.wait(10000));
    model.refreshFromShape();
    QCOMPARE(reset.size(), 1);
    QVERIFY(!model.isPartial());
    QCOMPARE(model.rowCount(), 2426);
    QCOMPARE(model.index(0, EntryTableModel::KeyColumn).data().toString(), firstKey);
    // Full mode reads the same entries the partial mode showed.
    QCOMPARE(model.index(999, EntryTableModel::OffsetColumn).data().toString().isEmpty(), false);
}

void TestEntryTableModel::lowerBoundAndGoTo_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("row");
    // Demo delta: 400 blocks of 1663/16384/16397, 6 records each plus an image every 50 blocks.
    QTest::newRow("first-key") << "000000067F000040000000400D0000000000" << 0;
    QTest::newRow("block-1") << "000000067F000040000000400D0000000001" << 7;
    QTest::newRow("block-1-at-lsn") << "000000067F000040000000400D0000000001@0/16960F0" << 7;
    QTest::newRow("after-lsn") << "000000067F000040000000400D0000000001@0/16960F1" << 8;
    QTest::newRow("between-keys") << "000000067F000040000000400D0000000000@FFFFFFFF/FFFFFFFF" << 7;
    QTest::newRow("clog") << "010000000000000001000000000000000000" << 2413;
}

void TestEntryTableModel::lowerBoundAndGoTo()
{
    QFETCH(QString, key);
    QFETCH(int, row);
    QTemporaryDir dir;
    auto doc = loaded(demoDelta(dir));
    KeyTableWidget widget;
    widget.setDocument(doc.get());
    widget.model()->refreshFromShape();
    QSignalSpy current(&widget, &KeyTableWidget::currentPositionChanged);
    QVERIFY(widget.goToKey(key));
    QCOMPARE(widget.view()->currentIndex().row(), row);
    QCOMPARE(current.last().first().toLongLong(), qint64(row));
    QVERIFY(!widget.goToKey("not-a-key"));
}

void TestEntryTableModel::filters_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("rows");
    QTest::addColumn<QString>("firstKey");
    QTest::newRow("relation") << 1 << "1663/16384/16397" << 2413 << "000000067F000040000000400D0000000000";
    QTest::newRow("key-prefix-slru") << 0 << "01" << 12 << "010000000000000001000000000000000000";
    QTest::newRow("key-prefix-vm-fork") << 0 << "000000067F000040000000400D02" << 5 << "000000067F000040000000400D0200000000";
    // 8·blk + 0x18·k = 0x100 for six (blk, k) pairs, plus the five VM records.
    QTest::newRow("lsn-range") << 2 << "0/16961E8..0/16961EC" << 11 << "000000067F000040000000400D0000000011";
    QTest::newRow("no-match") << 1 << "1/2/3" << 0 << "";
}

void TestEntryTableModel::filters()
{
    QFETCH(int, kind);
    QFETCH(QString, text);
    QFETCH(int, rows);
    QFETCH(QString, firstKey);
    QTemporaryDir dir;
    auto doc = loaded(demoDelta(dir));
    KeyTableWidget widget;
    widget.setDocument(doc.get());
    widget.model()->refreshFromShape();
    QSignalSpy reset(widget.model(), &QAbstractItemModel::modelReset);
    QVERIFY(widget.applyFilter(kind, text));
    QVERIFY(reset.wait(10000));
    QVERIFY(widget.model()->isFiltered());
    QCOMPARE(widget.model()->rowCount(), rows);
    if (rows > 0)
        QCOMPARE(widget.model()->index(0, EntryTableModel::KeyColumn).data().toString(), firstKey);
    widget.clearFilter();
    QCOMPARE(widget.model()->rowCount(), 2426);
    QVERIFY(!widget.applyFilter(1, "1663/x/3"));
    QVERIFY(!widget.applyFilter(2, "0/1"));
    QVERIFY(!widget.applyFilter(0, "abc"));
}

void TestEntryTableModel::exportRows()
{
    const QString path = testutil::fixtureLayers().first();
    auto doc = loaded(path);
    KeyTableWidget widget;
    widget.setDocument(doc.get());
    widget.model()->refreshFromShape();
    widget.selectRange(2, 3);
    QTemporaryDir dir;
    QString error;
    QVERIFY(widget.exportRows(dir.filePath("rows.csv"), false, &error));
    const QList<QByteArray> csv = testutil::readAll(dir.filePath("rows.csv")).trimmed().split('\n');
    QCOMPARE(csv.size(), 4);
    QVERIFY(csv[0].startsWith("#,Key,Decoded key"));
    QVERIFY(csv[1].startsWith("2,"));
    QVERIFY(widget.exportRows(dir.filePath("rows.jsonl"), true, &error));
    const auto json = testutil::readJsonLines(dir.filePath("rows.jsonl"));
    QCOMPARE(json.size(), 3);
    QCOMPARE(json[2]["#"].toString(), QString("4"));
    QCOMPARE(widget.selectedRowsText().count('\n'), 2);
    QVERIFY(!widget.exportRows("/nonexistent-dir/x.csv", false, &error));
    QVERIFY(error.contains("/nonexistent-dir/x.csv"));
}

QTEST_MAIN(TestEntryTableModel)
#include "tst_entrytablemodel.moc"
