// Runs the real layerctl binary: salvage: what it keeps, drops and repairs, and its exit codes.
#include "clirun.h"
#include "testutil.h"
#include "timelinefixture.h"

#include <layerscope/format/layer.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

class TestSalvageCmd : public QObject
{
    Q_OBJECT
private slots:
    void salvage();
    void salvageExitCodes();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
} // namespace

void TestSalvageCmd::salvage()
{
    QTemporaryDir dir;
    const Run demo = layerctl({"demo", dir.path()});
    const QString delta = QString::fromUtf8(demo.out.trimmed().split('\n').last());
    QByteArray content = testutil::readAll(delta);
    // Smash the root (the last block): the tree cannot be walked any more.
    content.replace(content.size() - 8192, 8192, QByteArray(8192, char(0xEE)));
    const QString broken = dir.filePath("broken");
    QVERIFY(testutil::writeFile(broken, content));
    QCOMPARE(layerctl({"check", broken}).code, 1);
    QVERIFY(QDir().mkpath(dir.filePath("salvaged")));
    const QString out = dir.filePath("salvaged/" + QFileInfo(delta).fileName());
    const Run r = layerctl({"salvage", broken, out});
    // Every entry kept, the index rebuilt: a repair, so exit 1 (the input was damaged).
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.contains("kept 2426 of 2426 entries"), r.out.constData());
    QVERIFY(r.out.contains("dropped 0, repaired 1"));
    QVERIFY(r.out.contains("repaired: the index root at"));
    // The salvaged file is a valid layer with the same entries as the original.
    QCOMPARE(layerctl({"check", out}).code, 0);
    QCOMPARE(layerctl({"keys", "--json", out}).out, layerctl({"keys", "--json", delta}).out);
}

// salvage: 0 when nothing was dropped or repaired, 1 when something was, 2 when nothing
// could be written; every written output checks clean.
void TestSalvageCmd::salvageExitCodes()
{
    QTemporaryDir dir;
    const QString image = testutil::fixtureLayers().filter("__0000000001696070").first();
    const QString out = dir.filePath("out");
    QVERIFY(QDir().mkpath(out));
    const Run clean = layerctl({"salvage", image, out});
    QCOMPARE(clean.code, 0);
    const QString written = QDir(out).filePath(QFileInfo(image).fileName());
    QCOMPARE(testutil::readAll(written), testutil::readAll(image)); // byte for byte
    QVERIFY(clean.out.contains("kept 10 of 10 entries"));

    QByteArray bytes = testutil::readAll(image);
    bytes[8192 + 3 * 8196 + 3] = char(0xFF); // page 3's length: 8192 → 8447
    const QString damaged = dir.filePath(QFileInfo(image).fileName());
    QVERIFY(testutil::writeFile(damaged, bytes));
    const QString out2 = dir.filePath("out2");
    QVERIFY(QDir().mkpath(out2));
    const Run r = layerctl({"salvage", damaged, out2});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.contains(": dropped: key 000000067F00000005000040000000000003"),
             r.out.constData());
    QCOMPARE(layerctl({"check", QDir(out2).filePath(QFileInfo(image).fileName())}).code, 0);

    const QString zeros = dir.filePath("zeros");
    QVERIFY(testutil::writeFile(zeros, QByteArray(4 * 8192, 0)));
    const Run none = layerctl({"salvage", zeros, dir.filePath("out3")});
    QCOMPARE(none.code, 2);
    QVERIFY(none.err.contains("nothing written"));
    QVERIFY(!QFile::exists(dir.filePath("out3")));
}

QTEST_GUILESS_MAIN(TestSalvageCmd)
#include "tst_salvagecmd.moc"
