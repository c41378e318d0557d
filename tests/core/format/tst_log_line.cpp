// Where a log line points, from lines in the formats Neon writes them (format strings and span
// fields taken from Neon's pageserver and compute code; ids and values made up).

#include <layerscope/format/key_input.h>
#include <layerscope/format/log_line.h>

#include <QTest>

using namespace layerscope;

class TestLogLine : public QObject
{
    Q_OBJECT
private slots:
    void lines_data();
    void lines();
};

namespace {
const QString T = "3aa8fcc61f6d357410b7de754b1d9001";
const QString TL = "0f2a3e9c0b1d4e5f8a7b6c5d4e3f2a1b";
const QString K = "000000067F000040000000400100000007D0"; // rel 1663/16384/16385 blk 2000
} // namespace

void TestLogLine::lines_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("tenant");
    QTest::addColumn<QString>("shard"); // "-": none; "#N": a shard number only
    QTest::addColumn<QString>("timeline");
    QTest::addColumn<QString>("key"); // 36 hex, or empty
    QTest::addColumn<QString>("lsn");
    QTest::addColumn<QString>("layer");
    const QString span = "page_service_conn_main{peer_addr=10.1.2.3:45678 application_name=2157 "
                         "compute_mode=primary}:process_query{tenant_id="
                         + T + " timeline_id=" + TL + "}:handle_pagerequests:request:";
    QTest::newRow("get-page-missing-key")
        << "2025-03-04T10:12:13.456789Z ERROR " + span
               + "handle_get_page_request{request_id=118 rel=1663/16384/16385 blkno=2000 "
                 "req_lsn=0/2A3F1E8 not_modified_since_lsn=0/2A3F0C0 shard_id=0104}: error reading "
                 "relation or page version: Read error: could not find data for key ["
               + K + ".."
               + "000000067F000040000000400100000007D1,] (shard ShardNumber(1)), "
                 "original HWM LSN 0/2A3F1E9, ancestor 0/0, query [["
               + K + "..000000067F000040000000400100000007D1,] @ 0/2A3F1E8]"
        << T << "0104" << TL << K << "0/2A3F1E8"
        << "";
    QTest::newRow("get-page-span-only")
        << "2025-03-04T10:12:14.000001Z  WARN " + span
               + "handle_get_page_request{request_id=9 rel=1663/16384/16385 blkno=2000 "
                 "req_lsn=0/2A3F1E8 not_modified_since_lsn=0/2A3F0C0 shard_id=0204}: slow "
                 "GetPage request, elapsed 30s"
        << T << "0204" << TL << K << "0/2A3F1E8"
        << "";
    QTest::newRow("missing-key-2023")
        << "2023-06-01T08:00:00.000000Z ERROR page_service_conn_main{peer_addr=127.0.0.1:5000}:"
           "process_query{tenant_id="
               + T + " timeline_id=" + TL
               + "}: error reading relation or page version: could not find data for key " + K
               + " at LSN 0/1D0E1C1, request LSN 0/1D0E1C0, ancestor 0/0"
        << T << "-" << TL << K << "0/1D0E1C0"
        << "";
    QTest::newRow("walredo-error")
        << "2025-01-02T03:04:05.678Z ERROR wal_redo{tenant_id=" + T
               + " shard_id=0304 timeline_id=" + TL
               + "}: error applying 3 WAL records 0/16B5A50..0/16B6000 (14330 bytes) to key " + K
               + " during GetPage, from base image with LSN 0/16B5000 to reconstruct page image at "
                 "LSN 0/16B6010 n_attempts=0: walredo process exited"
        << T << "0304" << TL << K << "0/16B6010"
        << "";
    QTest::newRow("gc-cutoff")
        << "2025-01-02T03:04:05Z ERROR page_service_conn_main:process_query{tenant_id=" + T
               + " timeline_id=" + TL
               + "}:handle_get_page_request{rel=1663/16384/16385_vm blkno=0 req_lsn=0/1000 "
                 "shard_id=0000}: tried to request a page version that was garbage collected. "
                 "requested at 0/1000 gc cutoff 0/2000000"
        << T << "" << TL << QString::fromStdString(parseKeyInput("1663/16384/16385_vm 0")->toHex())
        << "0/1000"
        << "";
    QTest::newRow("json-log")
        << "{\"timestamp\":\"2025-02-03T04:05:06.789Z\",\"level\":\"ERROR\",\"fields\":{"
           "\"message\":"
           "\"error reading relation or page version\"},\"spans\":{\"tenant_id\":\""
               + T + "\",\"shard_id\":\"0104\",\"timeline_id\":\"" + TL + "\",\"key\":\"" + K
               + "\",\"lsn\":\"0/2A3F1E8\"}}"
        << T << "0104" << TL << K << "0/2A3F1E8"
        << "";
    QTest::newRow("compute-smgr")
        << "2025-03-04 10:12:13.456 GMT [2157] ERROR:  [NEON_SMGR] [shard 1, reqid 1a2b] could "
           "not read block 2000 in rel 1663/16384/16385.0 from page server at lsn 0/2A3F1E8"
        << ""
        << "#1"
        << "" << K << "0/2A3F1E8"
        << "";
    QTest::newRow("http-route") << "2025-03-04T10:12:13Z  INFO request{method=GET path=/v1/tenant/"
                                       + T + "-0104/timeline/" + TL
                                       + "/getpage request_id=7}: key=" + K + " lsn=0/2A3F1E8"
                                << T << "0104" << TL << K << "0/2A3F1E8"
                                << "";
    const QString layer
        = "000000067F00004000000040010000000000-000000067F000040000000400100000FFFFF__"
          "00000000016B5A50-00000000016B6000-00000002";
    QTest::newRow("layer-read-error")
        << "2025-03-04T10:12:13Z ERROR compaction_loop{tenant_id=" + T
               + " shard_id=0204}:run:compact_timeline{timeline_id=" + TL + "}: layer=" + layer
               + ": deserialize error: btree node beyond file, key=" + K + " lsn=0/16B5B00"
        << T << "0204" << TL << K << "0/16B5B00" << layer;
    QTest::newRow("remote-path") << "2025-03-04T10:12:13Z  WARN download{tenant_id=" + T
                                        + " shard_id=0104 timeline_id=" + TL
                                        + "}: failed to download tenants/" + T + "-0104/timelines/"
                                        + TL + "/" + layer + ": 503 Service Unavailable"
                                 << T << "0104" << TL << ""
                                 << "" << layer;
    QTest::newRow("nothing") << "connection reset by peer"
                             << ""
                             << "-"
                             << ""
                             << ""
                             << ""
                             << "";
}

void TestLogLine::lines()
{
    QFETCH(QString, line);
    QFETCH(QString, tenant);
    QFETCH(QString, shard);
    QFETCH(QString, timeline);
    QFETCH(QString, key);
    QFETCH(QString, lsn);
    QFETCH(QString, layer);
    const LogLocation loc = parseLogLine(line.toStdString());
    QCOMPARE(QString::fromStdString(loc.tenant), tenant);
    if (shard.startsWith('#')) {
        QVERIFY(!loc.shardSlug);
        QCOMPARE(loc.shardNumber, std::optional<std::uint8_t>(shard.mid(1).toUInt()));
    } else {
        QCOMPARE(loc.shardSlug.has_value(), shard != "-");
        if (loc.shardSlug)
            QCOMPARE(QString::fromStdString(*loc.shardSlug), shard);
    }
    QCOMPARE(QString::fromStdString(loc.timeline), timeline);
    QCOMPARE(loc.key ? QString::fromStdString(loc.key->toHex()) : QString(), key);
    QCOMPARE(loc.lsn ? QString::fromStdString(loc.lsn->toString()) : QString(), lsn);
    QCOMPARE(QString::fromStdString(loc.layer), layer);
    QCOMPARE(loc.missingForRead().size(), std::size_t(key.isEmpty()) + std::size_t(lsn.isEmpty()));
    QCOMPARE(loc.found() == "nothing Layerscope can place",
             tenant.isEmpty() && key.isEmpty() && lsn.isEmpty() && layer.isEmpty() && shard == "-");
}

QTEST_GUILESS_MAIN(TestLogLine)
#include "tst_log_line.moc"
