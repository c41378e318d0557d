// layerctl key: a key read from what an engineer has (hex, a described key, a log span, a
// relation tag and block), its fields by name, and its shard by Neon's rule (the row from Neon's
// own shard_mapping test included); what it cannot read is exit 2 with one line.
#include "clirun.h"
#include "testutil.h"

#include <QJsonObject>
#include <QTest>

using testutil::layerctl;
using testutil::Run;

class TestKeyCmd : public QObject
{
    Q_OBJECT
private slots:
    void json_data();
    void json();
    void text();
    void refusals_data();
    void refusals();
};

void TestKeyCmd::json_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("hex");
    QTest::addColumn<QString>("fields"); // name=value, in order
    QTest::addColumn<int>("shard");
    QTest::addColumn<bool>("everyShard");
    QTest::newRow("neon-shard-mapping-test")
        << QStringList{"000000067F000000050000400C0000007D06",
                       "--shard-count",
                       "10",
                       "--stripe-size",
                       "32768"}
        << "000000067F000000050000400C0000007D06"
        << "spcnode=1663 dbnode=5 relnode=16396 forknum=0 blknum=32006" << 8 << false;
    QTest::newRow("log-span-unsharded")
        << QStringList{"rel=1663/5/1259 blkno=3"} << "000000067F00000005000004EB0000000003"
        << "spcnode=1663 dbnode=5 relnode=1259 forknum=0 blknum=3" << 0 << false;
    QTest::newRow("rel-size-every-shard")
        << QStringList{"rel 1663/5/1259 size", "--shard-count", "4"}
        << "000000067F00000005000004EB00FFFFFFFF"
        << "spcnode=1663 dbnode=5 relnode=1259 forknum=0" << 0 << true;
    QTest::newRow("clog-on-shard-0")
        << QStringList{"slru pg_xact seg 2 blk 7", "--shard-count", "8"}
        << "010000000000000001000000020000000007"
        << "kind=0 segno=2 blknum=7" << 0 << false;
    QTest::newRow("init-fork-on-shard-0")
        << QStringList{"rel=1663/5/1259_init blkno=0", "--shard-count", "8"}
        << "000000067F00000005000004EB0300000000"
        << "spcnode=1663 dbnode=5 relnode=1259 forknum=3 blknum=0" << 0 << false;
}

void TestKeyCmd::json()
{
    QFETCH(QStringList, args);
    QFETCH(QString, hex);
    QFETCH(QString, fields);
    QFETCH(int, shard);
    QFETCH(bool, everyShard);
    const Run r = layerctl(QStringList{"key", "--json"} + args);
    QCOMPARE(r.code, 0);
    const QList<QJsonObject> objs = testutil::parseLines(r.out);
    QCOMPARE(objs.size(), 1);
    const QJsonObject o = objs.front();
    QCOMPARE(o["key"].toString(), hex);
    QStringList named;
    const QJsonObject f = o["fields"].toObject();
    for (auto it = f.begin(); it != f.end(); ++it)
        named << QStringLiteral("%1=%2").arg(it.key()).arg(it.value().toInteger());
    // QJsonObject sorts its keys: compare as sets, and the printed order in the raw line.
    QStringList expected = fields.split(' ');
    QByteArray inOrder = "\"fields\":{";
    for (const QString &nv : expected)
        inOrder += QStringLiteral("\"%1\":%2,")
                       .arg(nv.section('=', 0, 0), nv.section('=', 1))
                       .toUtf8();
    inOrder.chop(1);
    QVERIFY2(r.out.contains(inOrder + '}'), r.out.constData());
    named.sort();
    expected.sort();
    QCOMPARE(named, expected);
    QCOMPARE(o["shard_number"].toInt(), shard);
    QCOMPARE(o["every_shard"].toBool(), everyShard);
}

void TestKeyCmd::text()
{
    const Run r = layerctl({"key", "1663/5/1259 3", "--shard-count", "4"});
    QCOMPARE(r.code, 0);
    QCOMPARE(QString::fromUtf8(r.out).split('\n').mid(0, 3),
             (QStringList{"key        000000067F00000005000004EB0000000003",
                          "class      RelBlock: rel 1663/5/1259 blk 3",
                          "fields     spcnode 1663, dbnode 5, relnode 1259, forknum 0, blknum 3"}));
    QVERIFY(r.out.contains(
        "shard      2 of 4 (stripe 2048 pages, 16 MiB, Neon's default since April 2025"));
    QVERIFY(r.out.contains("placement  spread over the shards by relation and stripe"));
}

void TestKeyCmd::refusals_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("stderrStarts");
    QTest::newRow("not-a-key")
        << QStringList{"deserialize error"}
        << "layerctl key: cannot read a key in \"deserialize error\": expected 36 hex digits";
    QTest::newRow("shard-count-zero")
        << QStringList{"1663/5/1259 3", "--shard-count", "0"} << "layerctl key: --shard-count";
    QTest::newRow("shard-count-256")
        << QStringList{"1663/5/1259 3", "--shard-count", "256"} << "layerctl key: --shard-count";
    QTest::newRow("stripe-zero") << QStringList{"1663/5/1259 3", "--stripe-size", "0"}
                                 << "layerctl key: --stripe-size";
}

void TestKeyCmd::refusals()
{
    QFETCH(QStringList, args);
    QFETCH(QString, stderrStarts);
    const Run r = layerctl(QStringList{"key"} + args);
    QCOMPARE(r.code, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith(stderrStarts.toUtf8()), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
}

QTEST_GUILESS_MAIN(TestKeyCmd)
#include "tst_keycmd.moc"
