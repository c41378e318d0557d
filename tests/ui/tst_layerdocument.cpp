#include "testutil.h"

#include <document/layerdocument.h>

#include <layerscope/write/synth.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QDir>
#include <QTest>

#include <sys/stat.h>

using namespace layerscope;
using namespace layerscope::ui;

class TestLayerDocument : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void loadsFixtures_data();
    void loadsFixtures();
    void openErrors_data();
    void openErrors();
    void unreadableLayerOpensReduced();
    void cancel();
    void restartDropsStaleResult();
    void cycleIsReportedInTheShape();

private:
    QTemporaryDir m_dir;
    QStringList m_demo;
};

void TestLayerDocument::initTestCase()
{
    m_demo = testutil::demoLayers(m_dir.path());
    QCOMPARE(m_demo.size(), 3);
}

void TestLayerDocument::loadsFixtures_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("entries");
    int n = 0;
    for (const QString &f : testutil::fixtureLayers())
        QTest::addRow("fixture-%d", ++n) << f << int(testutil::readJsonLines(f + ".expect.jsonl").size() - 1);
}

void TestLayerDocument::loadsFixtures()
{
    QFETCH(QString, path);
    QFETCH(int, entries);
    QString error;
    auto doc = LayerDocument::open(path, &error);
    QVERIFY2(doc, qPrintable(error));
    QVERIFY(!doc->shape());
    QSignalSpy ready(doc.get(), &LayerDocument::shapeReady);
    doc->startLoading();
    QVERIFY(ready.wait(10000));
    QVERIFY(doc->shape());
    QCOMPARE(qint64(doc->shape()->totalEntries), qint64(entries));
    QVERIFY(!doc->isLoading());
}

void TestLayerDocument::openErrors_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QByteArray() << "the file is empty";
    QTest::newRow("missing") << QByteArray("-") << "No such file";
    QTest::newRow("directory") << QByteArray("dir") << "a directory";
    QTest::newRow("fifo") << QByteArray("fifo") << "FIFO";
}

void TestLayerDocument::openErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    const QString path = m_dir.filePath("bad-" + QString::fromLatin1(QTest::currentDataTag()));
    if (content == "dir") {
        QVERIFY(QDir().mkpath(path));
    } else if (content == "fifo") {
        QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
    } else if (content != "-") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    QString error;
    auto doc = LayerDocument::open(path, &error);
    QVERIFY(!doc);
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(error.contains(path));
}

// A file that is no layer but can be read opens in the reduced view, saying why.
void TestLayerDocument::unreadableLayerOpensReduced()
{
    const QString path = m_dir.filePath("text-file");
    QVERIFY(testutil::writeFile(path, QByteArray(9000, 'a')));
    QString error;
    auto doc = LayerDocument::open(path, &error);
    QVERIFY(doc);
    QVERIFY(!doc->damage().isEmpty());
    QVERIFY2(doc->damage().join('\n').contains("at offset 0: expected layer magic"), qPrintable(doc->damage().join('\n')));
    QVERIFY(doc->damage().join('\n').contains("partial block"));
}

void TestLayerDocument::cancel()
{
    QString error;
    auto doc = LayerDocument::open(m_demo[0], &error);
    QVERIFY(doc);
    doc->setNodeDelayForTesting(20000);  // 20 ms per node: the walk takes ~80 ms
    QSignalSpy failed(doc.get(), &LayerDocument::loadFailed);
    QSignalSpy ready(doc.get(), &LayerDocument::shapeReady);
    QSignalSpy progress(doc.get(), &LayerDocument::loadProgress);
    doc->startLoading();
    QVERIFY(progress.wait(5000));
    doc->cancelLoading();
    QVERIFY(failed.wait(5000));
    QCOMPARE(ready.size(), 0);
    QVERIFY(!doc->shape());
    QVERIFY(doc->loadError().contains("cancel"));
    // Loading again after a cancel works.
    doc->setNodeDelayForTesting(0);
    doc->startLoading();
    QVERIFY(ready.wait(5000));
    QVERIFY(doc->shape());
}

void TestLayerDocument::restartDropsStaleResult()
{
    QString error;
    auto doc = LayerDocument::open(m_demo[2], &error);
    QVERIFY(doc);
    QSignalSpy ready(doc.get(), &LayerDocument::shapeReady);
    doc->setNodeDelayForTesting(5000);
    doc->startLoading();
    doc->setNodeDelayForTesting(0);
    doc->startLoading();  // cancels the first; only this one's result is applied
    QVERIFY(ready.wait(5000));
    QTest::qWait(100);
    QCOMPARE(ready.size(), 1);
    QVERIFY(doc->shape());
}

void TestLayerDocument::cycleIsReportedInTheShape()
{
    // A two-level demo layer whose root points twice at the same leaf.
    QByteArray bytes = testutil::readAll(m_demo[2]);
    auto layer = Layer::openFile(m_demo[2].toStdString());
    QVERIFY(layer);
    const std::uint64_t rootOff = (std::uint64_t(layer->summary().indexStartBlk) + layer->summary().indexRootBlk) * 8192;
    auto root = layer->tree().node(layer->summary().indexRootBlk);
    QVERIFY(root && root->count >= 2);
    const std::size_t valuesAt = 5 + root->prefixLen + std::size_t(root->count) * root->suffixLen;
    // Entry 1's child := entry 0's child.
    for (int i = 0; i < 5; ++i)
        bytes[qsizetype(rootOff + valuesAt + 5 + std::size_t(i))] = bytes[qsizetype(rootOff + valuesAt + std::size_t(i))];
    const QString path = m_dir.filePath("cyclic-" + QFileInfo(m_demo[2]).fileName());
    QVERIFY(testutil::writeFile(path, bytes));
    QString error;
    auto doc = LayerDocument::open(path, &error);
    QVERIFY(doc);
    QSignalSpy ready(doc.get(), &LayerDocument::shapeReady);
    doc->startLoading();
    QVERIFY(ready.wait(5000));
    const TreeShape *shape = doc->shape();
    QCOMPARE(shape->errors.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(shape->errors[0].error.found).contains("reached a second time"));
    // At the copied pointer: entry 1's value in the root.
    QCOMPARE(shape->errors[0].error.offset, rootOff + valuesAt + 5);
    // The second leaf's entries are not reachable: the count drops by that leaf's size.
    QVERIFY(shape->totalEntries < 2426);
}

QTEST_GUILESS_MAIN(TestLayerDocument)
#include "tst_layerdocument.moc"
