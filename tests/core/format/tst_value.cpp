#include "testutil.h"

#include <layerscope/format/value.h>

#include <QTest>

using namespace layerscope;

Q_DECLARE_METATYPE(layerscope::Value)

class TestValue : public QObject
{
    Q_OBJECT
private slots:
    void workedExamples_data();
    void workedExamples();
    void decodeErrors_data();
    void decodeErrors();
    void xlogHeader();
};

namespace {
ByteVector str(const char *s)
{
    return ByteVector(s, s + std::strlen(s));
}
Value rec(NeonWalRecord r)
{
    return Value{std::move(r)};
}
} // namespace

void TestValue::workedExamples_data()
{
    QTest::addColumn<Value>("value");
    QTest::addColumn<QByteArray>("hex");
    QTest::addColumn<bool>("willInit");
    QTest::addColumn<QString>("name");
    // FORMAT.md §14.6.
    QTest::newRow("image") << Value{str("foobar")} << QByteArray("00000000 0000000000000006 666f6f626172")
                           << true << "";
    QTest::newRow("postgres") << rec(wal::Postgres{true, str("foobar")})
                              << QByteArray("00000001 00000000 01 0000000000000006 666f6f626172")
                              << true << "Postgres";
    QTest::newRow("postgres-not-init") << rec(wal::Postgres{false, {}})
                                       << QByteArray("00000001 00000000 00 0000000000000000")
                                       << false << "Postgres";
    QTest::newRow("clear-vm") << rec(wal::ClearVisibilityMapFlags{7, std::nullopt, 3})
                              << QByteArray("00000001 00000001 01 00000007 00 03") << false
                              << "ClearVisibilityMapFlags";
    QTest::newRow("clog-committed")
        << rec(wal::ClogSetCommitted{{1000, 1001}, -2})
        << QByteArray("00000001 00000002 0000000000000002 000003e8 000003e9 fffffffffffffffe")
        << false << "ClogSetCommitted";
    QTest::newRow("clog-aborted") << rec(wal::ClogSetAborted{{5}})
                                  << QByteArray("00000001 00000003 0000000000000001 00000005")
                                  << false << "ClogSetAborted";
    QTest::newRow("mx-offset") << rec(wal::MultixactOffsetCreate{9, 10})
                               << QByteArray("00000001 00000004 00000009 0000000a") << false
                               << "MultixactOffsetCreate";
    QTest::newRow("mx-members")
        << rec(wal::MultixactMembersCreate{10, {{700, 2}}})
        << QByteArray("00000001 00000005 0000000a 0000000000000001 000002bc 00000002") << false
        << "MultixactMembersCreate";
    QTest::newRow("aux-file") << rec(wal::AuxFile{"pg_logical/x", str("ab")})
                              << QByteArray("00000001 00000006 000000000000000c "
                                            "70675f6c6f676963616c2f78 01 0000000000000002 6162")
                              << false << "AuxFile";
    QTest::newRow("aux-file-delete") << rec(wal::AuxFile{"a", std::nullopt})
                                     << QByteArray("00000001 00000006 0000000000000001 61 00")
                                     << false << "AuxFile";
    QTest::newRow("truncate-vm") << rec(wal::TruncateVisibilityMap{5, 2})
                                 << QByteArray("00000001 00000007 0000000000000005 0000000000000002")
                                 << false << "TruncateVisibilityMap";
    QTest::newRow("test-record") << rec(wal::Test{"x", true, true, std::string("y")})
                                 << QByteArray("00000001 00000008 0000000000000001 78 01 01 01 "
                                               "0000000000000001 79")
                                 << true << "Test";
}

void TestValue::workedExamples()
{
    QFETCH(Value, value);
    QFETCH(QByteArray, hex);
    QFETCH(bool, willInit);
    QFETCH(QString, name);
    const ByteVector expected = testutil::hexBytes(hex.constData());
    QCOMPARE(encodeValue(value), expected);
    auto d = decodeValue(expected, 100);
    QVERIFY2(d, d ? "" : d.error().message().c_str());
    QVERIFY(*d == value);
    QCOMPARE(d->willInit(), willInit);
    if (!name.isEmpty())
        QCOMPARE(QString(recordName(d->record())), name);
}

void TestValue::decodeErrors_data()
{
    QTest::addColumn<QByteArray>("hex");
    QTest::addColumn<qulonglong>("offset");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray("") << 1000ull << "Value tag (4 bytes)";
    QTest::newRow("bad-value-tag") << QByteArray("00000002") << 1000ull
                                   << "Value tag 0 (Image) or 1 (WalRecord)";
    QTest::newRow("unknown-record-tag") << QByteArray("00000001 00000009") << 1004ull
                                        << "NeonWalRecord tag 0..8";
    QTest::newRow("bool-not-0-or-1") << QByteArray("00000001 00000000 02 0000000000000000")
                                     << 1008ull << "Postgres.will_init (bool 00 or 01)";
    QTest::newRow("image-length-too-big") << QByteArray("00000000 00000000ffffffff 00")
                                          << 1004ull
                                          << "Image bytes count fitting the remaining 1 bytes";
    QTest::newRow("trailing-bytes") << QByteArray("00000000 0000000000000001 61 62") << 1013ull
                                    << "the end of the value";
    QTest::newRow("option-tag-2") << QByteArray("00000001 00000001 02") << 1008ull
                                  << "new_heap_blkno (Option tag 00 or 01)";
    QTest::newRow("huge-xid-count") << QByteArray("00000001 00000003 1000000000000000") << 1008ull
                                    << "ClogSetAborted.xids count fitting the remaining 0 bytes";
    QTest::newRow("invalid-utf8") << QByteArray("00000001 00000006 0000000000000002 c328 00")
                                  << 1008ull << "AuxFile.file_path (valid UTF-8)";
    QTest::newRow("truncated-u32") << QByteArray("00000001 00000004 0000") << 1008ull
                                   << "mid (4 bytes)";
}

void TestValue::decodeErrors()
{
    QFETCH(QByteArray, hex);
    QFETCH(qulonglong, offset);
    QFETCH(QString, expected);
    const ByteVector b = testutil::hexBytes(hex.constData());
    auto d = decodeValue(b, 1000);
    QVERIFY(!d);
    QCOMPARE(d.error().offset, offset);
    QCOMPARE(QString::fromStdString(d.error().expected), expected);
}

void TestValue::xlogHeader()
{
    // xl_tot_len 46, xid 740, prev 0/16960E8, info 0x20, rmid 10 (heap), crc 0xdeadbeef.
    const ByteVector r = testutil::hexBytes("2e000000 e4020000 e8606901 00000000 20 0a 0000 "
                                            "efbeadde 0000");
    auto h = parseXLogRecordHeader(r);
    QVERIFY(h);
    QCOMPARE(h->totLen, 46u);
    QCOMPARE(h->xid, 740u);
    QCOMPARE(h->prev, 0x16960E8ull);
    QCOMPARE(int(h->rmid), 10);
    QCOMPARE(h->crc, 0xdeadbeefu);
    QCOMPARE(QString::fromStdString(rmgrName(h->rmid)), QString("Heap"));
    QCOMPARE(QString::fromStdString(pagectlRecordKind(*h)), QString("HEAP UPDATE"));
    XLogRecordHeader other{};
    other.rmid = 11;
    other.info = 0x3c;
    QCOMPARE(QString::fromStdString(pagectlRecordKind(other)), QString("UNKNOWN_RM_11 INFO_0x30"));
    QVERIFY(!parseXLogRecordHeader(Bytes(r).first(23)));
}

QTEST_APPLESS_MAIN(TestValue)
#include "tst_value.moc"
