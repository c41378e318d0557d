// Runs the real layerctl binary: ls, find and find --page on a timeline directory: the read path and the page it rebuilds.
#include "clirun.h"
#include "shardedtenant.h"
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

class TestTimelineCmd : public QObject
{
    Q_OBJECT
private slots:
    void lsListsTheTimeline();
    void findFollowsTheReadPath_data();
    void findFollowsTheReadPath();
    void findReconstructsThePage();
    void aTenantAcrossShards_data();
    void aTenantAcrossShards();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
using namespace layerscope;
} // namespace

// ls: every file listed (a non-layer too), the summary that contradicts its name flagged.
void TestTimelineCmd::lsListsTheTimeline()
{
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    Run r = layerctl({"ls", dir.path()});
    QCOMPARE(r.code, 1); // one summary disagrees with its name
    QVERIFY2(r.out.contains("notes.txt  not a layer name"), r.out.constData());
    QVERIFY(r.out.contains(
        "summary disagrees with the name: lsn: 0/300 in the name, 0/200 in the summary"));
    QVERIFY(r.out.contains("[temporary: .1.___temp]"));
    QVERIFY(r.out.contains("7 files: 3 image, 3 delta, 1 not layers"));
    r = layerctl({"ls", "--json", dir.path()});
    const QList<QJsonObject> lines = parseLines(r.out);
    QCOMPARE(lines.size(), 8);
    QCOMPARE(lines.last()["problems"].toInt(),
             1); // the contradicting summary (notes.txt is listed, not a problem)
    QCOMPARE(layerctl({"ls", dir.filePath("missing")}).code, 2);
    // The real remote index alone: 1,564 layers, none flagged.
    r = layerctl({"ls", "--json", testutil::sharedDir() + "/fixtures/neon-index/index_part.json"});
    QCOMPARE(r.code, 0);
    const QJsonObject total = parseLines(r.out).last();
    QCOMPARE(total["total"].toInt(), 1564);
    QCOMPARE(total["images"].toInt(), 802);
    QCOMPARE(total["deltas"].toInt(), 762);
    // The map of the same index as SVG: every layer drawn.
    r = layerctl({"map",
                  testutil::sharedDir() + "/fixtures/neon-index/index_part.json",
                  "--svg",
                  dir.filePath("map.svg")});
    QCOMPARE(r.code, 0);
    QCOMPARE(testutil::readAll(dir.filePath("map.svg")).count("<title>"), 1564);
    QCOMPARE(layerctl({"map", dir.path(), "--svg", dir.filePath("no/such/dir/map.svg")}).code, 2);
    // Not an index: said, exit 2.
    QVERIFY(testutil::writeFile(dir.filePath("bad.json"), QByteArray("{\"version\": 7}")));
    r = layerctl({"ls", dir.filePath("bad.json")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("layer_metadata"));
}

void TestTimelineCmd::findFollowsTheReadPath_data()
{
    QTest::addColumn<int>("blk");
    QTest::addColumn<QString>("lsn");
    QTest::addColumn<int>("code");
    QTest::addColumn<QStringList>("layers"); // the layers' LSNs in read order
    QTest::addColumn<int>("values");
    QTest::newRow("delta-then-image")
        << 0 << "0/2FF" << 0 << QStringList{"0/200-0/300", "0/200"} << 2;
    QTest::newRow("will-init-record")
        << 1 << "0/2FF" << 0 << QStringList{"0/200-0/300", "0/100-0/200"} << 1;
    QTest::newRow("broken-chain") << 5 << "0/2FF" << 1 << QStringList{"0/200-0/300", "0/100-0/200"}
                                  << 2;
}

void TestTimelineCmd::findFollowsTheReadPath()
{
    QFETCH(int, blk);
    QFETCH(QString, lsn);
    QFETCH(int, code);
    QFETCH(QStringList, layers);
    QFETCH(int, values);
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    const QString keyAt = QString::fromStdString(timelinefixture::k(std::uint32_t(blk)).toHex())
                          + '@' + lsn;
    const Run r = layerctl({"find", "--json", dir.path(), keyAt});
    QCOMPARE(r.code, code);
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["complete"].toBool(), code == 0);
    QStringList got;
    int n = 0;
    for (const QJsonValue &step : j["steps"].toArray()) {
        const auto name = layerscope::LayerName::parse(
            step.toObject()["layer"].toString().toStdString());
        QVERIFY(name);
        got << (name->kind == layerscope::LayerKind::Image
                    ? QString::fromStdString(name->lsnStart.toString())
                    : QString::fromStdString(name->lsnStart.toString() + "-"
                                             + name->lsnEnd.toString()));
        n += step.toObject()["values"].toArray().size();
    }
    QCOMPARE(got, layers);
    QCOMPARE(n, values);
    if (code == 1)
        QVERIFY(j["why"].toString().startsWith("could not find data for key"));
    // The text form says the same.
    const Run text = layerctl({"find", dir.path(), keyAt});
    QCOMPARE(text.code, code);
    QVERIFY(text.out.contains(code == 0 ? "complete:" : "broken: could not find data for key"));
    QCOMPARE(layerctl({"find", dir.path(), "nonsense"}).code, 2);
}

void TestTimelineCmd::findReconstructsThePage()
{
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    // k0 is clog segment 0 page 0, typed as a person would: I2's image (every byte 04) and D2's
    // commit of XID 4 (byte 1, bits 0..1 := 01), then the commit timestamp 7 (8 bytes BE).
    const QString keyAt = "slru clog seg 0 blk 0@0/2FF";
    Run r = layerctl({"find", "--json", dir.path(), keyAt, "--page", dir.filePath("page.bin")});
    QCOMPARE(r.code, 0);
    QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["key"].toString(), QString::fromStdString(timelinefixture::k(0).toHex()));
    const QJsonObject redo = j["redo"].toObject();
    QCOMPARE(redo["outcome"].toString(), QString("reconstructed"));
    QCOMPARE(redo["applied"].toInt(), 1);
    QCOMPARE(redo["page_len"].toInt(), 8200);
    const QJsonObject newest = j["steps"].toArray()[0].toObject()["values"].toArray()[0].toObject();
    QCOMPARE(newest["decoded"].toString(), QString("ClogSetCommitted { xids: [4], timestamp: 7 }"));
    QCOMPARE(newest["kind"].toString(), QString("ClogSetCommitted"));
    QFile page(dir.filePath("page.bin"));
    QVERIFY(page.open(QIODevice::ReadOnly));
    const QByteArray bytes = page.readAll();
    QCOMPARE(bytes.size(), 8200);
    QCOMPARE(int(bytes[0]), 0x04);
    QCOMPARE(int(bytes[1]), 0x05);
    QCOMPARE(bytes.right(8), QByteArray("\0\0\0\0\0\0\0\x07", 8));
    // The text form shows the decoded record and what the page is.
    r = layerctl({"find", dir.path(), keyAt});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("ClogSetCommitted { xids: [4], timestamp: 7 }"));
    QVERIFY2(r.out.contains(
                 "page: reconstructed: 1 Neon record(s) applied on the image at 0/200, 8200 bytes"),
             r.out.constData());
    // A broken chain has no page: exit 1, and nothing is written.
    r = layerctl(
        {"find", dir.path(), "slru clog seg 5 blk 0@0/2FF", "--page", dir.filePath("none.bin")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("no page written"));
    QVERIFY(!QFile::exists(dir.filePath("none.bin")));
}

// ls and map of a sharded tenant named without a shard: every shard's copy of the timeline
// (the 4 children and the 2 parents they still read from), in one listing or one stacked map.
void TestTimelineCmd::aTenantAcrossShards_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("shards"); // the copies listed, in order
    QTest::addColumn<int>("code");
    const QString tenant = "tenants/" + shardedtenant::kTenant;
    const QStringList all{"0004", "0104", "0204", "0304", "0002", "0102"};
    QTest::newRow("timeline-without-its-shard")
        << tenant + "/timelines/" + shardedtenant::kTimeline << all << 1;
    QTest::newRow("tenant") << tenant << all << 1;
    QTest::newRow("one-tenant-shard") << tenant + "-0204" << QStringList{"0204"} << 0;
    QTest::newRow("one-copy") << shardedtenant::timelineDir("0304") << QStringList{"0304"} << 1;
}

void TestTimelineCmd::aTenantAcrossShards()
{
    QFETCH(QString, path);
    QFETCH(QStringList, shards);
    QFETCH(int, code);
    QTemporaryDir root;
    const shardedtenant::Planted planted = shardedtenant::write(root.path());
    const QString at = root.filePath(path);
    // Exit 1 wherever child 0304's copy is listed: its parent's delta is gone.
    Run r = layerctl({"ls", at});
    QCOMPARE(r.code, code);
    if (shards.contains("0304")) {
        QVERIFY2(r.out.contains("[shard " + planted.missingShard.toUtf8() + "'s]"),
                 r.out.constData());
        QVERIFY(r.out.contains("missing from its shard: listed in the index as shard "
                               + planted.missingShard.toUtf8() + "'s layer"));
    }
    r = layerctl({"ls", "--json", at});
    QCOMPARE(r.code, code);
    const QList<QJsonObject> lines = parseLines(r.out);
    QStringList listed;
    int files = 0, missing = 0;
    for (const QJsonObject &o : lines) {
        if (o.contains("total") && o.contains("shard"))
            listed << o["shard"].toString();
        else if (o.contains("file")) {
            ++files;
            missing += o.contains("shard_missing");
        }
    }
    if (shards.size() > 1) {
        QCOMPARE(listed, shards);
        QCOMPARE(lines.last()["copies"].toInt(), shards.size());
        QCOMPARE(lines.last()["total"].toInt(), files);
        QCOMPARE(lines.last()["problems"].toInt(), 1);
    } else {
        QVERIFY(listed.isEmpty()); // one timeline: ls as ever
        QVERIFY(!lines.last().contains("copies"));
    }
    QCOMPARE(missing, shards.contains("0304") ? 1 : 0);
    // map: the copies stacked, each titled with its shard, and the owners' band: stripes of 2
    // blocks over relation 1663/5/16384, each its owner's by Neon's rule.
    r = layerctl({"map", at, "--svg", root.filePath("map.svg")});
    QCOMPARE(r.code, 0);
    const QString svg = QString::fromUtf8(testutil::readAll(root.filePath("map.svg")));
    for (const QString &s : shards)
        QCOMPARE(svg.count(">shard " + s + "</text><text"), shards.size() > 1 ? 1 : 0);
    if (shards.size() == 1)
        return;
    QVERIFY(r.out.startsWith(
        "6 shard copies, 4 shards, stripe 2 pages (tenant-manifest-00000002.json)"));
    for (std::uint32_t blk = 0; blk < 10; blk += 2) {
        const Key k = Key::fromFields(0x00, 1663, 5, 16384, 0, blk);
        const QString owner = QString::fromStdString(
            ShardIdentity{keyToShardNumber(4, shardedtenant::kStripe, k), 4}.slug());
        const QString title = QStringLiteral("<title>rel 1663/5/16384 blk %1 – rel 1663/5/16384 "
                                             "blk %2: shard %3</title>")
                                  .arg(blk)
                                  .arg(blk + 2)
                                  .arg(owner);
        QVERIFY2(svg.contains(title), qPrintable(title));
    }
    QVERIFY(svg.contains(": several shards (stripes of different owners)</title>"));
    // A tenant's copies are drawn with the stripe given, when given.
    r = layerctl({"map", at, "--stripe-size", "5", "--svg", root.filePath("map5.svg")});
    QVERIFY(r.out.startsWith("6 shard copies, 4 shards, stripe 5 pages (--stripe-size)"));
}

QTEST_GUILESS_MAIN(TestTimelineCmd)
#include "tst_timelinecmd.moc"
