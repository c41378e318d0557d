// layerctl page and check --redo on the real Postgres 15 timeline (tests/data/pg15-redo): the
// page rebuilt with its fields and history, the raw page written, every way it can fail with its
// exit status; an image altered after writing reported, a clean one not.
#include "clirun.h"
#include "testutil.h"

#include <layerscope/base/bytes.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using testutil::layerctl;
using testutil::Run;

namespace {
QString fixtureDir()
{
    return QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15-redo");
}

// A copy of the fixture's layers in `dir`, the image's byte `at` (from its file start) flipped.
void copyLayers(const QString &dir, qint64 flipImageByte = -1)
{
    for (const QString &name : QDir(fixtureDir()).entryList({"*__*"}, QDir::Files)) {
        QByteArray bytes = testutil::readAll(fixtureDir() + '/' + name);
        if (flipImageByte >= 0 && !name.section("__", 1).contains('-'))
            bytes[flipImageByte] = char(bytes[flipImageByte] ^ 0x01);
        QFile out(dir + '/' + name);
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(out.fileName()));
    }
}
} // namespace

class TestPageCmd : public QObject
{
    Q_OBJECT
private slots:
    void page_data();
    void page();
    void pageJsonAndOut();
    void versionFromTheIndex_data();
    void versionFromTheIndex();
    void checkRedo_data();
    void checkRedo();
};

void TestPageCmd::page_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QStringList>("stdoutHas");
    QTest::addColumn<QString>("stderrHas");
    const QString heap = QStringLiteral("rel 1663/5/16415 blk 1@0/27FA440");
    // COPY's page after VACUUM (FREEZE): its tuples' headers, frozen.
    QTest::newRow("heap-page")
        << QStringList{"page", "DIR", "rel 1663/5/16415 blk 1@0/27C04D8", "--pg-version", "15"} << 0
        << QStringList{"reconstructed: 2 record(s) applied",
                       "Postgres heap page",
                       "tuple 1",
                       "t_infomask: 0x0b02 HASVARWIDTH|XMIN_COMMITTED|XMIN_INVALID|XMAX_INVALID"}
        << "";
    QTest::newRow("heap-history") << QStringList{"page",
                                                 "DIR",
                                                 heap,
                                                 "--history",
                                                 "--pg-version",
                                                 "15"}
                                  << 0
                                  << QStringList{"history, oldest first (121 value(s))",
                                                 "Heap2 MULTI_INSERT+INIT  base",
                                                 "Heap2 FREEZE_PAGE",
                                                 "Heap2 VISIBLE"}
                                  << "";
    QTest::newRow("btree-leaf") << QStringList{"page", "DIR", "rel 1663/5/16414 blk 1@0/27FA440"}
                                << 0
                                << QStringList{"Postgres btree page",
                                               "index tuple",
                                               "btree special space"}
                                << "";
    QTest::newRow("broken-path") << QStringList{"page", "DIR", "rel 1663/5/1259 blk 9@0/27FA440"}
                                 << 1 << QStringList{} << "the read path is broken";
    QTest::newRow("unparsable-key")
        << QStringList{"page", "DIR", "rel 1663 blk@x"} << 2 << QStringList{} << "cannot parse";
    // No index_part.json says which Postgres wrote them: a freeze record, whose format differs
    // between versions, stops the replay, named; the btree leaf above needed no such record.
    QTest::newRow("version-unknown")
        << QStringList{"page", "DIR", heap} << 1 << QStringList{"Postgres version: unknown"}
        << "FREEZE_PAGE|PRUNE_VACUUM_CLEANUP at 0/27C0188: its format differs between Postgres "
           "versions";
    // The records are Postgres 15's: read as 16's or 17's they are refused, named.
    QTest::newRow("read-as-16") << QStringList{"page", "DIR", heap, "--pg-version", "16"} << 1
                                << QStringList{}
                                << "Heap2 FREEZE_PAGE at 0/27C0188: block 0 (blk 1): its main data "
                                   "has 6 bytes where Postgres 16 writes 7";
    QTest::newRow("read-as-17") << QStringList{"page", "DIR", heap, "--pg-version", "17"} << 1
                                << QStringList{} << "Heap2 PRUNE_VACUUM_CLEANUP at 0/27C0188";
    QTest::newRow("unreplayed-version") << QStringList{"page", "DIR", heap, "--pg-version", "13"}
                                        << 2 << QStringList{} << "--pg-version";
}

void TestPageCmd::page()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QStringList, stdoutHas);
    QFETCH(QString, stderrHas);
    args.replaceInStrings(QStringLiteral("DIR"), fixtureDir());
    const Run r = layerctl(args);
    QVERIFY2(r.code == code, r.err.constData());
    for (const QString &s : stdoutHas)
        QVERIFY2(r.out.contains(s.toUtf8()),
                 qPrintable(s + "\n" + QString::fromUtf8(r.out.left(3000))));
    if (!stderrHas.isEmpty())
        QVERIFY2(r.err.contains(stderrHas.toUtf8()), r.err.constData());
}

// --json carries the history and the page's fields; --out writes exactly the page.
void TestPageCmd::pageJsonAndOut()
{
    QTemporaryDir tmp;
    const QString out = tmp.filePath("page.bin");
    const Run r = layerctl({"page",
                            fixtureDir(),
                            "rel 1663/5/16414 blk 1@0/27FA440",
                            "--json",
                            "--history",
                            "--out",
                            out,
                            "--pg-version",
                            "15"});
    QCOMPARE(r.code, 0);
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["outcome"].toString(), QStringLiteral("reconstructed"));
    QCOMPARE(j["pg_version"].toInt(), 15);
    QCOMPARE(j["pg_version_from"].toString(), QStringLiteral("--pg-version"));
    const QJsonArray history = j["history"].toArray();
    QCOMPARE(history.size(), j["chain_length"].toInt());
    QCOMPARE(history.first()["kind"].toString(), QStringLiteral("XLOG FPI"));
    QCOMPARE(history.first()["action"].toString(), QStringLiteral("base"));
    QCOMPARE(history.size() - 1, j["applied"].toInt());
    const QJsonObject last = history.last().toObject();
    const QByteArray page = testutil::readAll(out);
    QCOMPARE(page.size(), 8192);
    // The page's LSN is the last record's.
    const auto *p = reinterpret_cast<const std::uint8_t *>(page.constData());
    const std::uint64_t lsn = (std::uint64_t(layerscope::readLe32(p)) << 32)
                              | layerscope::readLe32(p + 4);
    QCOMPARE(QStringLiteral("%1/%2").arg(lsn >> 32, 0, 16).arg(lsn & 0xFFFFFFFF, 0, 16).toUpper(),
             last["lsn"].toString().toUpper());
    QCOMPARE(j["page"]["children"].toArray().first()["name"].toString(),
             QStringLiteral("page header"));
}

// The timeline's index_part.json says which Postgres wrote it (metadata.pg_version): page,
// find and check --redo replay as that version unless --pg-version says otherwise.
void TestPageCmd::versionFromTheIndex_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("has");
    const QString heap = QStringLiteral("rel 1663/5/16415 blk 1@0/27C04D8");
    QTest::newRow("page") << QStringList{"page", "DIR", heap, "--index", "INDEX"} << 0
                          << "Postgres version: 15 (index_part.json)";
    QTest::newRow("page-overridden")
        << QStringList{"page", "DIR", heap, "--index", "INDEX", "--pg-version", "16"} << 1
        << "Postgres 16 writes 7";
    QTest::newRow("find") << QStringList{"find", "DIR", heap, "--index", "INDEX"} << 0
                          << "replayed as Postgres 15 redoes them";
    QTest::newRow("check-redo") << QStringList{"check", "--redo", "DIR", "--index", "INDEX"} << 0
                                << "55 match, 0 differ";
}

void TestPageCmd::versionFromTheIndex()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, has);
    QTemporaryDir tmp;
    copyLayers(tmp.path());
    QJsonObject layers;
    for (const QString &name : QDir(tmp.path()).entryList({"*__*"}, QDir::Files))
        layers[name] = QJsonObject{{"file_size", QFileInfo(tmp.filePath(name)).size()}};
    const QJsonObject index{{"version", 7},
                            {"layer_metadata", layers},
                            {"metadata",
                             QJsonObject{{"disk_consistent_lsn", "0/3000028"},
                                         {"latest_gc_cutoff_lsn", "0/0"},
                                         {"pg_version", 15}}}};
    QTemporaryDir indexDir;
    QFile f(indexDir.filePath("index_part.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(index).toJson());
    f.close();
    args.replaceInStrings(QStringLiteral("INDEX"), f.fileName());
    args.replaceInStrings(QStringLiteral("DIR"), tmp.path());
    const Run r = layerctl(args);
    QVERIFY2(r.code == code, (r.out + r.err).constData());
    QVERIFY2((r.out + r.err).contains(has.toUtf8()), (r.out + r.err).constData());
}

void TestPageCmd::checkRedo_data()
{
    QTest::addColumn<int>("flip"); // a byte of the r_dup leaf's page in the image, -1 for none
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("has");
    QTest::newRow("clean") << -1 << 0 << "55 match, 0 differ";
    // The key bytes of the leaf's first item (just below its special space), altered after
    // the image was written.
    QTest::newRow("altered-index-key")
        << 8160 << 1 << "error[redo-image-differs]: 000000067F000000050000401E0000000001";
    // Its pd_checksum: masked, as Postgres masks it.
    QTest::newRow("altered-checksum") << 8 << 0 << "55 match, 0 differ";
}

void TestPageCmd::checkRedo()
{
    QFETCH(int, flip);
    QFETCH(int, code);
    QFETCH(QString, has);
    qint64 at = -1;
    if (flip >= 0) {
        // Where that page's bytes are in the image layer: its blob's offset, past the 4-byte
        // header of a blob of 8192 bytes.
        const QString image = QDir(fixtureDir()).entryList({"*__0000000003000028"}).value(0);
        const Run keys = layerctl({"keys", "--json", fixtureDir() + '/' + image});
        for (const QByteArray &line : keys.out.split('\n'))
            if (line.contains("000000067F000000050000401E0000000001"))
                at = QJsonDocument::fromJson(line).object()["offset"].toInteger() + 4 + flip;
        QVERIFY(at > 0);
    }
    QTemporaryDir tmp;
    copyLayers(tmp.path(), at);
    const Run r = layerctl({"check", "--redo", "--pg-version", "15", tmp.path()});
    QVERIFY2(r.code == code, r.out.constData());
    QVERIFY2(r.out.contains(has.toUtf8()), r.out.constData());
    const Run plain = layerctl({"check", tmp.path()});
    QVERIFY2(!plain.out.contains("redo-"), plain.out.constData()); // only with --redo
}

QTEST_GUILESS_MAIN(TestPageCmd)
#include "tst_pagecmd.moc"
