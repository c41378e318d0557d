// Runs the real layerctl binary: stats: CSV against JSON, totals against dump, an unwritable CSV refused first.
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

class TestStatsCmd : public QObject
{
    Q_OBJECT
private slots:
    void statsCsvUnwritableFailsFirst();
    void statsCsvMatchesJson_data() { testutil::addFixtureRows(); }
    void statsCsvMatchesJson();
    void statsTotalsMatchDump_data() { testutil::addFixtureRows(); }
    void statsTotalsMatchDump();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
} // namespace

// stats --csv into a directory that cannot be written fails before reading any layer: no
// table is printed first.
void TestStatsCmd::statsCsvUnwritableFailsFirst()
{
    QTemporaryDir dir;
    const QString notADir = dir.filePath("file");
    QFile f(notADir);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    const Run r = layerctl({"stats", testutil::fixtureLayers().first(), "--csv", notADir + "/csv"});
    QCOMPARE(r.code, 2);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains(notADir.toUtf8() + "/csv"), r.err.constData());
}

// stats --csv writes one file per table; their figures are the JSON report's, exactly.
void TestStatsCmd::statsCsvMatchesJson()
{
    QFETCH(QString, path);
    QTemporaryDir dir;
    const Run json = layerctl({"stats", "--json", path});
    QCOMPARE(json.code, 0);
    const QJsonObject j = QJsonDocument::fromJson(json.out).object();
    const Run csv = layerctl({"stats", path, "--csv", dir.filePath("csv")});
    QCOMPARE(csv.code, 0);
    QVERIFY(csv.out.contains("Bytes by key category:"));
    const QStringList files = QDir(dir.filePath("csv")).entryList(QDir::Files);
    for (const char *expected : {"overview.csv",
                                 "file.csv",
                                 "categories.csv",
                                 "values.csv",
                                 "compression.csv",
                                 "blob_sizes.csv",
                                 "index_levels.csv"})
        QVERIFY2(files.contains(expected), qPrintable(files.join(',')));
    // categories.csv: Category,Entries,Stored,Payload,Share; the rows add up to the JSON total.
    const QList<QByteArray> lines = testutil::readAll(dir.filePath("csv/categories.csv")).split('\n');
    QCOMPARE(lines[0], QByteArray("Category,Entries,Stored,Payload,Share of stored\r"));
    qint64 entries = 0, stored = 0;
    for (int i = 1; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        const QList<QByteArray> cells = lines[i].trimmed().split(',');
        const QJsonObject c = j["categories"].toObject()[QString::fromUtf8(cells[0])].toObject();
        QCOMPARE(cells[1].toLongLong(), c["entries"].toInteger());
        QCOMPARE(cells[2].toLongLong(), c["stored_bytes"].toInteger());
        entries += cells[1].toLongLong();
        stored += cells[2].toLongLong();
    }
    QCOMPARE(entries, j["total"].toObject()["entries"].toInteger());
    QCOMPARE(stored, j["total"].toObject()["stored_bytes"].toInteger());
    // A directory that cannot be made is an error naming it.
    const QString blocked = dir.filePath("file");
    QVERIFY(testutil::writeFile(blocked, QByteArray("x")));
    const Run bad = layerctl({"stats", path, "--csv", blocked + "/sub"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains(blocked.toUtf8()), bad.err.constData());
}

// The statistics' totals are what `dump --json` shows: its entries, and their value bytes
// (blob_len for deltas, the image length for image layers).
void TestStatsCmd::statsTotalsMatchDump()
{
    QFETCH(QString, path);
    const Run dump = layerctl({"dump", "--json", path});
    QCOMPARE(dump.code, 0);
    const QList<QJsonObject> lines = parseLines(dump.out);
    qint64 entries = 0, payload = 0;
    for (int i = 1; i < lines.size(); ++i) { // line 0 is the summary
        ++entries;
        payload += lines[i].contains("blob_len") ? lines[i]["blob_len"].toInteger()
                                                 : lines[i]["len"].toInteger();
    }
    const Run stats = layerctl({"stats", "--json", path});
    QCOMPARE(stats.code, 0);
    const QJsonObject total = QJsonDocument::fromJson(stats.out).object()["total"].toObject();
    QCOMPARE(total["entries"].toInteger(), entries);
    QCOMPARE(total["payload_bytes"].toInteger(), payload);
}

QTEST_GUILESS_MAIN(TestStatsCmd)
#include "tst_statscmd.moc"
