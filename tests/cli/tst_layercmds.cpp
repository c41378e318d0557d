// Runs the real layerctl binary: summary, keys, tree, blob and dump: every output format against what Neon's own reader wrote in the fixtures' .expect.jsonl and .btree.txt.
#include "clirun.h"
#include "testutil.h"
#include "timelinefixture.h"

#include <layerscope/format/layer.h>
#include <layerscope/write/writer.h>

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

class TestLayerCmds : public QObject
{
    Q_OBJECT
private slots:
    void sparseValuesAreSaid_data();
    void sparseValuesAreSaid();
    void dumpJsonEqualsExpect_data();
    void dumpJsonEqualsExpect();
    void summaryAndKeysJson_data() { testutil::addFixtureRows(); }
    void summaryAndKeysJson();
    void treeNeonEqualsBtreeTxt_data() { testutil::addFixtureRows(); }
    void treeNeonEqualsBtreeTxt();
    void keysFromAndLimit();
    void keysJsonLines_data();
    void keysJsonLines();
    void blob();
    void blobKeyAtLsn();
    void dumpPagectl();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
} // namespace

void TestLayerCmds::dumpJsonEqualsExpect_data()
{
    testutil::addFixtureRows();
}

void TestLayerCmds::dumpJsonEqualsExpect()
{
    QFETCH(QString, path);
    const Run r = layerctl({"dump", "--json", path});
    QCOMPARE(r.code, 0);
    QCOMPARE(parseLines(r.out), testutil::readJsonLines(path + ".expect.jsonl"));
}

void TestLayerCmds::summaryAndKeysJson()
{
    QFETCH(QString, path);
    const auto expect = testutil::readJsonLines(path + ".expect.jsonl");
    const Run s = layerctl({"summary", "--json", path});
    QCOMPARE(s.code, 0);
    QCOMPARE(parseLines(s.out), expect.mid(0, 1));
    const Run k = layerctl({"keys", "--json", path});
    QCOMPARE(k.code, 0);
    QCOMPARE(parseLines(k.out), expect.mid(1));
}

void TestLayerCmds::treeNeonEqualsBtreeTxt()
{
    QFETCH(QString, path);
    const Run r = layerctl({"tree", "--neon", path});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, testutil::readAll(path + ".btree.txt"));
}

void TestLayerCmds::keysFromAndLimit()
{
    const QStringList files = testutil::fixtureLayers();
    for (const QString &f : files) {
        const auto expect = testutil::readJsonLines(f + ".expect.jsonl").mid(1);
        const QString third = expect[2]["key"].toString();
        const QString from = expect[2].contains("lsn") ? third + "@" + expect[2]["lsn"].toString()
                                                       : third;
        const Run r = layerctl({"keys", "--json", "--from", from, "--limit", "3", f});
        QCOMPARE(r.code, 0);
        QCOMPARE(parseLines(r.out), expect.mid(2, 3));
        const Run text = layerctl({"keys", f});
        QCOMPARE(text.code, 0);
        QCOMPARE(text.out.count('\n'), expect.size());
        QVERIFY(text.out.contains("rel 1663/5/16384 blk 0"));
    }
}

// keys --json writes its lines itself, on several threads, in batches of 16,384 entries: each
// line is what the JSON library writes for that entry (blob --json's line starts with it), and
// the lines stay in key order across batches and threads.
void TestLayerCmds::keysJsonLines_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("compression");
    QTest::newRow("delta-zstd") << "delta"
                                << "zstd";
    QTest::newRow("image-plain") << "image"
                                 << "none";
}

void TestLayerCmds::keysJsonLines()
{
    QFETCH(QString, kind);
    QFETCH(QString, compression);
    QTemporaryDir dir;
    const Run synth = layerctl({"synth",
                                "--kind",
                                kind,
                                "--entries",
                                "40000",
                                "--value-size",
                                "64",
                                "--compression",
                                compression,
                                dir.path()});
    QCOMPARE(synth.code, 0);
    const QString file = QString::fromUtf8(synth.out.trimmed());
    const Run keys = layerctl({"keys", "--json", file});
    QCOMPARE(keys.code, 0);
    const QList<QByteArray> lines = keys.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 40000);
    QString previous;
    for (const QByteArray &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString at = o["key"].toString() + o["lsn"].toString();
        QVERIFY2(at > previous, line.constData());
        previous = at;
    }
    for (int i : {0, 16383, 16384, 32768, 39999}) {
        const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
        QStringList args{"blob", "--json", file, o["key"].toString()};
        if (o.contains("lsn"))
            args << o["lsn"].toString();
        const Run blob = layerctl(args);
        QCOMPARE(blob.code, 0);
        QVERIFY2(blob.out.startsWith(lines[i].chopped(1) + ","),
                 (lines[i] + "\n" + blob.out).constData());
    }
}

void TestLayerCmds::blob()
{
    for (const QString &f : testutil::fixtureLayers()) {
        const auto expect = testutil::readJsonLines(f + ".expect.jsonl").mid(1);
        const QJsonObject last = expect.last();
        QStringList args{"blob", "--json", f, last["key"].toString()};
        if (last.contains("lsn"))
            args << last["lsn"].toString();
        const Run r = layerctl(args);
        QCOMPARE(r.code, 0);
        const QJsonObject got = parseLines(r.out).first();
        QCOMPARE(got["sha256"], last["sha256"]);
        QCOMPARE(got["offset"], last["offset"]);
        QVERIFY(got["stored_hex"].toString().size() > 0);
        args.removeAll("--json");
        const Run text = layerctl(args);
        QCOMPARE(text.code, 0);
        QVERIFY(
            text.out.contains(QString::asprintf("%08llx", last["offset"].toInteger()).toLatin1()));
    }
}

// One KEY@LSN syntax everywhere; KEY LSN stays an alias.
void TestLayerCmds::blobKeyAtLsn()
{
    const QString delta = testutil::fixtureLayers().filter("-0000000005000050").first();
    const Run at = layerctl(
        {"blob", "--json", delta, "000000067F00000005000040000000000001@0/5000028"});
    const Run two = layerctl(
        {"blob", "--json", delta, "000000067F00000005000040000000000001", "0/5000028"});
    QCOMPARE(at.code, 0);
    QCOMPARE(at.out, two.out);
    const auto o = parseLines(at.out).first();
    QCOMPARE(o["lsn"].toString(), QString("0000000005000028"));
    QCOMPARE(o["len"].toInt(), 100);
    QCOMPARE(layerctl({"blob", delta, "000000067F00000005000040000000000001@0/5000028", "0/5000028"})
                 .code,
             2);
}

// dump --format pagectl: the B-tree part is byte for byte Neon's own dump (the fixture's
// .btree.txt); then one line per entry in pagectl's form.
void TestLayerCmds::dumpPagectl()
{
    for (const QString &f : testutil::fixtureLayers()) {
        const Run r = layerctl({"dump", "--format", "pagectl", f});
        QCOMPARE(r.code, 0);
        const bool delta = f.endsWith("-0000000005000050");
        QVERIFY(r.out.startsWith(
            delta ? "----- delta layer for ten 0123456789abcdef0123456789abcdef tli "
                  : "----- image layer for ten 0123456789abcdef0123456789abcdef tli "));
        QVERIFY(r.out.contains(testutil::readAll(f + ".btree.txt")));
        if (delta) {
            QVERIFY(r.out.contains("index_start_blk: 3, root 0\n"));
            QVERIFY(r.out.contains(
                "  key 000000067F00000005000040000000000001 at 0/5000028:  img 100 bytes\n"));
            QCOMPARE(r.out.count("  key "), 15);
        } else {
            QVERIFY(r.out.contains("key: 000000067f00000005000040000000000000 offset 8192\n"));
            QCOMPARE(r.out.count("key: "), 10);
        }
    }
}

using namespace layerscope;

// An image layer of HEAD's sparse keys: keys and blob say what each value means (a tombstone as
// such), dissect shows it (an aux file's content as its size), and check warns (sparse-value) of
// the one not in Neon's shape.
void TestLayerCmds::sparseValuesAreSaid_data()
{
    QTest::addColumn<QStringList>("args"); // LAYER stands for the layer
    QTest::addColumn<QStringList>("said");
    QTest::addColumn<int>("code");
    const QString origin = QString::fromStdString(Key::fromFields(0x63, 0, 0, 0, 0, 3).toHex());
    const QString aux = QString::fromStdString(
        Key::auxFile("pg_logical/replorigin_checkpoint").toHex());
    QTest::newRow("keys") << QStringList{"keys", "LAYER"}
                          << QStringList{"relation size: 1024 blocks",
                                         "replication origin 3: remote LSN 0/16B5A50",
                                         "tombstone: the key is deleted",
                                         "relation 1663/5/16384 fork 0 exists",
                                         "aux files: 1",
                                         "not what Neon writes: 1 bytes (Neon writes \"r\""}
                          << 0;
    QTest::newRow("blob") << QStringList{"blob", "LAYER", origin}
                          << QStringList{"img 8 bytes — replication origin 3: remote LSN 0/16B5A50"}
                          << 0;
    QTest::newRow("dissect-aux") << QStringList{"dissect", "--entry", "1", "LAYER"}
                                 << QStringList{"aux files: 1",
                                                "aux file pg_logical/replorigin_checkpoint",
                                                "content: 3 bytes"}
                                 << 0;
    QTest::newRow("check") << QStringList{"check", "LAYER"}
                           << QStringList{"warning[sparse-value]", "RelDirV2 value: 1 bytes"} << 1;
    Q_UNUSED(aux);
}

void TestLayerCmds::sparseValuesAreSaid()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, said);
    QFETCH(int, code);
    QTemporaryDir dir;
    Summary s = testutil::testSummary(LayerKind::Image);
    const QString path = dir.filePath("sparse");
    MemorySink sink;
    LayerWriter w(s, sink);
    auto add = [&w](const Key &k, QByteArray v) {
        QVERIFY(w.addImage(k,
                           Bytes(reinterpret_cast<const std::uint8_t *>(v.data()),
                                 std::size_t(v.size()))));
    };
    const char aux[] = "\x01\x00\x00\x00\x20pg_logical/replorigin_checkpoint\x00\x00\x00\x03"
                       "abc";
    add(Key::fromFields(0, 1663, 5, 16384, 0, 0xFFFFFFFF), QByteArray("\x00\x04\x00\x00", 4));
    add(Key::auxFile("pg_logical/replorigin_checkpoint"), QByteArray(aux, sizeof aux - 1));
    add(Key::fromFields(0x63, 0, 0, 0, 0, 3), QByteArray("\x00\x00\x00\x00\x01\x6B\x5A\x50", 8));
    add(Key::fromFields(0x63, 0, 0, 0, 0, 4), QByteArray());
    add(Key::fromFields(0x65, 1663, 5, 16384, 0, 1), QByteArray("r"));
    add(Key::fromFields(0x65, 1663, 5, 16385, 0, 1), QByteArray("x"));
    QVERIFY(w.finish());
    QVERIFY(testutil::writeFile(path, Bytes(sink.data().data(), sink.data().size())));
    const Run r = layerctl(args.replaceInStrings("LAYER", path));
    QCOMPARE(r.code, code);
    for (const QString &s : said)
        QVERIFY2(QString::fromUtf8(r.out).contains(s), qPrintable(s + "\nnot in\n" + r.out));
}

QTEST_GUILESS_MAIN(TestLayerCmds)
#include "tst_layercmds.moc"
