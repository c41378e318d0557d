// Runs the real layerctl binary: rewrite (byte-identical, new ids), demo and ingest (a real Postgres 15 cluster's records and pages filed as Neon files them).
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

class TestWriteCmds : public QObject
{
    Q_OBJECT
private slots:
    void rewrite_data();
    void rewrite();
    void demo();
    void realPostgresLayer_data();
    void realPostgresLayer();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
} // namespace

void TestWriteCmds::rewrite_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("compression");
    QTest::addColumn<bool>("identical");
    int n = 0;
    for (const QString &f : testutil::fixtureLayers()) {
        ++n;
        QTest::addRow("verbatim-%d", n) << f << "" << true;
        QTest::addRow("none-%d", n) << f << "none" << true;
        QTest::addRow("zstd-%d", n) << f << "zstd" << false;
    }
}

void TestWriteCmds::rewrite()
{
    QFETCH(QString, path);
    QFETCH(QString, compression);
    QFETCH(bool, identical);
    QTemporaryDir dir;
    const QString out = dir.filePath(QFileInfo(path).fileName());
    QStringList args{"rewrite", path, out};
    if (!compression.isEmpty())
        args << "--compression" << compression;
    const Run r = layerctl(args);
    QCOMPARE(r.code, 0);
    const QByteArray a = testutil::readAll(path), b = testutil::readAll(out);
    QCOMPARE(a == b, identical);
    // Whatever the encoding, the content reads back the same (sha256 of every value).
    auto strip = [](QList<QJsonObject> objs) {
        for (auto &o : objs) {
            for (const char *f : {"offset",
                                  "file_size",
                                  "index_start_blk",
                                  "index_root_blk",
                                  "zstd",
                                  "nodes_per_level_root_first",
                                  "btree_depth"})
                o.remove(f);
        }
        return objs;
    };
    QCOMPARE(strip(parseLines(layerctl({"dump", "--json", out}).out)),
             strip(testutil::readJsonLines(path + ".expect.jsonl")));
}

void TestWriteCmds::demo()
{
    QTemporaryDir dir;
    const Run r = layerctl({"demo", dir.path()});
    QCOMPARE(r.code, 0);
    const QList<QByteArray> files = r.out.trimmed().split('\n');
    QCOMPARE(files.size(), 3);
    for (const QByteArray &f : files) {
        const Run s = layerctl({"summary", QString::fromUtf8(f)});
        QCOMPARE(s.code, 0);
        QVERIFY(s.out.contains("file name        matches the summary"));
        const Run d = layerctl({"dump", QString::fromUtf8(f)});
        QCOMPARE(d.code, 0);
        QVERIFY(!d.out.contains("ERROR"));
    }
}

void TestWriteCmds::realPostgresLayer_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("delta-checks-clean")
        << QStringList{"check", "DELTA"}
        << QStringList{"0 error(s), 0 warning(s), 0 info, 753 entries checked"};
    QTest::newRow("image-pages-check-clean")
        << QStringList{"check", "--pages", "IMAGE"}
        << QStringList{"0 error(s), 0 warning(s), 0 info, 19 entries checked"};
    QTest::newRow("find-reaches-the-records-of-a-block")
        << QStringList{"find", "DIR", "rel 1663/5/16396 blk 1639@0/24E8561"}
        << QStringList{"41 value(s)",
                       "will_init: true, rec: 3001 bytes",
                       "complete: the chain reaches a will_init record"};
    QTest::newRow("dissect-shows-the-blocks")
        << QStringList{"dissect", "--offset", "0x9254d", "DELTA"}
        << QStringList{"xl_crc: 0xf51d68e9 (matches the record's CRC-32C)",
                       "block #0: rel 1663/5/16396 main blk 1639, full-page image",
                       "block #1: rel 1663/5/16396 main blk 1053",
                       "bimg_info: 0x03: HAS_HOLE APPLY",
                       "block #0 image: 2928 bytes, hole at 112 of 5264"};
}

// The layers made from a real Postgres 15 cluster (tests/data/pg15): `ingest` rebuilds the
// committed delta (its WAL records filed as Neon files them) and image (its pages) byte for
// byte; `check` finds them clean, the image's page checksums included; `find` follows a block's
// records to the one that starts its page, and `dissect` lays out a record's block references.
void TestWriteCmds::realPostgresLayer()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, expected);
    const QString data = QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15");
    const QString delta
        = "000000067F00000005000004E10000000038-000000067F00000005000040140000000113__"
          "00000000023E9B48-00000000024E8561";
    const QString image = "000000067F000000050000400D0000000000-"
                          "000000067F00000005000040120000000002__0000000003000028";
    QTemporaryDir dir;
    const std::pair<QString, QString> inputs[] = {{"wal-records.bin", delta},
                                                  {"wal-records.pages", image}};
    for (const auto &[input, name] : inputs) {
        const Run ingest = layerctl({"ingest", data + "/" + input, dir.path()});
        QCOMPARE(ingest.code, 0);
        QCOMPARE(QString::fromUtf8(ingest.out.trimmed()), dir.filePath(name));
        QCOMPARE(testutil::readAll(dir.filePath(name)), testutil::readAll(data + "/" + name));
        // Read as Postgres 15's image flags, named: the same layer.
        QCOMPARE(layerctl({"ingest", "--pg-version", "15", data + "/" + input, dir.path()}).code, 0);
        QCOMPARE(testutil::readAll(dir.filePath(name)), testutil::readAll(data + "/" + name));
    }
    for (QString &a : args) {
        if (a == "DELTA")
            a = data + "/" + delta;
        if (a == "IMAGE")
            a = data + "/" + image;
        if (a == "DIR")
            a = dir.path();
    }
    const Run r = layerctl(args);
    QCOMPARE(r.code, 0);
    for (const QString &e : expected)
        QVERIFY2(r.out.contains(e.toUtf8()),
                 (e + "\n" + QString::fromUtf8(r.out)).toUtf8().constData());
}

QTEST_GUILESS_MAIN(TestWriteCmds)
#include "tst_writecmds.moc"
