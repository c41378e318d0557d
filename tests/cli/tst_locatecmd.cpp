// layerctl locate: a log line in one of the formats Neon writes (spans, JSON, HTTP routes,
// "could not find data for key", walredo and compute errors) opens that key's read path in
// the right shard of the 4-shard tenant (shardedtenant.h): the shard the line names, else the
// key's owner by Neon's rule with the manifest's stripe; what a line lacks is exit 2 with one
// line saying what was found and what is missing.
#include "clirun.h"
#include "shardedtenant.h"
#include "testutil.h"

#include <layerscope/format/key_input.h>

#include <QTemporaryDir>
#include <QTest>

using namespace layerscope;
using testutil::layerctl;
using testutil::Run;

class TestLocateCmd : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void lines_data();
    void lines();
    void findGoesToTheOwningShard_data();
    void findGoesToTheOwningShard();

private:
    QTemporaryDir m_tree;
};

void TestLocateCmd::initTestCase()
{
    shardedtenant::write(m_tree.path());
}

namespace {
const QString T = shardedtenant::kTenant;
const QString TL = shardedtenant::kTimeline;
/// The slug of the shard owning block `blk` of relation 1663/5/16384 among 4, stripe 2.
QString owner(std::uint32_t blk)
{
    const Key k = *parseKeyInput(QStringLiteral("1663/5/16384 %1").arg(blk).toStdString());
    return QString::fromStdString(
        ShardIdentity{keyToShardNumber(4, shardedtenant::kStripe, k), 4}.slug());
}
QString hexOf(std::uint32_t blk)
{
    return QString::fromStdString(
        parseKeyInput(QStringLiteral("1663/5/16384 %1").arg(blk).toStdString())->toHex());
}
} // namespace

void TestLocateCmd::lines_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("root");  // below the tree
    QTest::addColumn<QString>("shard"); // the timeline opened; empty: none (exit 2)
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("said"); // on stderr
    const QString span = "page_service_conn_main{peer_addr=10.1.2.3:45678}:process_query{tenant_id="
                         + T + " timeline_id=" + TL + "}:handle_pagerequests:";
    QTest::newRow("get-page-span-owner-by-rule")
        << "2025-03-04T10:12:13.456789Z ERROR " + span
               + "handle_get_page_request{request_id=1 rel=1663/5/16384 blkno=3 req_lsn=0/5000060 "
                 "not_modified_since_lsn=0/5000050}: error reading relation or page version"
        << "" << owner(3) << 0 << "";
    QTest::newRow("get-page-shard-named")
        << "2025-03-04T10:12:13Z ERROR " + span
               + "handle_get_page_request{rel=1663/5/16384 blkno=4 "
                 "req_lsn=0/5000060 shard_id="
               + owner(4) + "}: could not find data for key [" + hexOf(4)
               + "..,] (shard ShardNumber(0)), original HWM LSN 0/5000060"
        << "" << owner(4) << 0 << "";
    QTest::newRow("missing-key-2023")
        << "2023-06-01T08:00:00Z ERROR page_service_conn_main:process_query{tenant_id=" + T
               + " timeline_id=" + TL + "}: could not find data for key " + hexOf(5)
               + " at LSN 0/5000061, request LSN 0/5000060, ancestor 0/0"
        << "" << owner(5) << 0 << "";
    QTest::newRow("json-log") << "{\"level\":\"ERROR\",\"spans\":{\"tenant_id\":\"" + T
                                     + "\",\"timeline_id\":\"" + TL + "\",\"key\":\"" + hexOf(6)
                                     + "\",\"lsn\":\"0/5000060\"}}"
                              << "" << owner(6) << 0 << "";
    QTest::newRow("walredo-error")
        << "ERROR wal_redo{tenant_id=" + T + " timeline_id=" + TL
               + "}: error applying 2 WAL records 0/5000010..0/5000040 (100 bytes) to key "
               + hexOf(7)
               + " during GetPage, from base image with LSN 0/1696070 to reconstruct page image at "
                 "LSN 0/5000060 n_attempts=0: exited"
        << "" << owner(7) << 0 << "";
    QTest::newRow("http-route-shard-in-path")
        << "INFO request{method=GET path=/v1/tenant/" + T + "-" + owner(8) + "/timeline/" + TL
               + "/getpage}: key=" + hexOf(8) + " lsn=0/5000060"
        << "" << owner(8) << 0 << "";
    QTest::newRow("compute-smgr-root-is-the-timeline")
        << "ERROR:  [NEON_SMGR] [shard " + QString::number(owner(9).left(2).toInt(nullptr, 16))
               + ", reqid 1a] could not read block 9 in rel 1663/5/16384.0 from page server at lsn "
                 "0/5000060"
        << "tenants/" + T + "/timelines/" + TL << owner(9) << 0 << "";
    QTest::newRow("root-names-a-shard")
        << "ERROR " + span + "handle_get_page_request{rel=1663/5/16384 blkno=2 req_lsn=0/5000060}"
        << "tenants/" + T + "-0304"
        << "0304" << int(owner(2) == "0304" ? 0 : 1) << "";
    QTest::newRow("no-lsn") << "ERROR " + span
                                   + "handle_get_page_request{rel=1663/5/16384 blkno=2}: timeout"
                            << ""
                            << "" << 2 << "missing the LSN";
    QTest::newRow("compute-without-tenant")
        << "ERROR:  [NEON_SMGR] [shard 1, reqid 1a] could not read block 9 in rel 1663/5/16384.0 "
           "from page server at lsn 0/5000060"
        << ""
        << "" << 2 << "expected the tenant id";
}

void TestLocateCmd::lines()
{
    QFETCH(QString, line);
    QFETCH(QString, root);
    QFETCH(QString, shard);
    QFETCH(int, code);
    QFETCH(QString, said);
    const Run r = layerctl({"locate", line, m_tree.filePath(root)});
    QCOMPARE(r.code, code);
    QVERIFY2(QString(r.err).contains(said), r.err.constData());
    if (shard.isEmpty()) {
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count('\n'), 1); // one line
        QVERIFY(r.err.contains("found "));
        return;
    }
    const QString opened = m_tree.filePath(shardedtenant::timelineDir(shard));
    QVERIFY2(r.out.contains(("timeline: " + opened + "\n").toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains("the layers Neon reads"), r.out.constData());
    if (code == 0)
        QVERIFY2(r.out.contains("complete: the chain reaches an image"), r.out.constData());
}

// find on a sharded tenant's timeline named without its shard reads the owner's copy.
void TestLocateCmd::findGoesToTheOwningShard_data()
{
    QTest::addColumn<int>("blk");
    for (int blk : {0, 3, 5, 8})
        QTest::newRow(qPrintable(QStringLiteral("blk-%1").arg(blk))) << blk;
}

void TestLocateCmd::findGoesToTheOwningShard()
{
    QFETCH(int, blk);
    const Run r = layerctl({"find",
                            m_tree.filePath("tenants/" + T + "/timelines/" + TL),
                            hexOf(std::uint32_t(blk)) + "@0/5000060"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.contains(
                 ("is shard " + owner(std::uint32_t(blk)) + "'s: reading "
                  + m_tree.filePath(shardedtenant::timelineDir(owner(std::uint32_t(blk)))))
                     .toUtf8()),
             r.err.constData());
    QVERIFY2(r.out.contains("complete: the chain reaches an image"), r.out.constData());
}

QTEST_GUILESS_MAIN(TestLocateCmd)
#include "tst_locatecmd.moc"
