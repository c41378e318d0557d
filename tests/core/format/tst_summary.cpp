#include "testutil.h"

#include <layerscope/format/summary.h>

#include <QTest>

using namespace layerscope;

class TestSummary : public QObject
{
    Q_OBJECT
private slots:
    void workedExamples_data();
    void workedExamples();
    void decodeErrors_data();
    void decodeErrors();
    void impliedName();
};

namespace {
Summary example(LayerKind kind)
{
    Summary s;
    s.kind = kind;
    s.magic = kind == LayerKind::Image ? kImageMagic : kDeltaMagic;
    s.tenant = *Id128::fromHex("9e5ef5b2d29b4d3f9d5d1e1b7c0a3f21");
    s.timeline = *Id128::fromHex("de200bd42b49cc1814412c7e592dd6e9");
    if (kind == LayerKind::Image) {
        s.keyStart = *Key::fromHex("000000067F00004005000060F30000000000");
        s.keyEnd = *Key::fromHex("000000067F00004005000060F30000000001");
        s.lsnStart = Lsn{0x16960E8};
        s.indexStartBlk = 3;
    } else {
        s.keyStart = Key::min();
        s.keyEnd = Key::max();
        s.lsnStart = Lsn{0x16960E8};
        s.lsnEnd = Lsn{0x1698FF1};
        s.indexStartBlk = 2;
    }
    return s;
}
} // namespace

void TestSummary::workedExamples_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("hex");
    // FORMAT.md §14.3 and §14.4.
    QTest::newRow("image-14.3") << int(LayerKind::Image)
                                << QByteArray("5a6000039e5ef5b2d29b4d3f9d5d1e1b7c0a3f21de200bd42b49"
                                              "cc1814412c7e592dd6e900000006 7f0000400500006 0f3000"
                                              "0000000000000067f00004005000060f300000000010000000"
                                              "0016960e80000000300000000");
    QTest::newRow("delta-14.4")
        << int(LayerKind::Delta)
        << QByteArray("5a6100039e5ef5b2d29b4d3f9d5d1e1b7c0a3f21de200bd42b49cc1814412c7e592dd6e9"
                      "000000000000000000000000000000000000"
                      "ffffffffffffffffffffffffffffffffffff"
                      "00000000016960e8000000000169 8ff10000000200000000");
}

void TestSummary::workedExamples()
{
    QFETCH(int, kind);
    QFETCH(QByteArray, hex);
    const ByteVector expected = testutil::hexBytes(hex.constData());
    const Summary s = example(LayerKind(kind));
    QCOMPARE(s.encode(), expected);
    QCOMPARE(s.encodedLen(), expected.size());
    ByteVector block = expected;
    block.resize(8192, 0);
    auto d = Summary::decode(block);
    QVERIFY(d);
    QVERIFY(*d == s);
}

void TestSummary::decodeErrors_data()
{
    QTest::addColumn<QByteArray>("hex");
    QTest::addColumn<qulonglong>("offset");
    QTest::addColumn<QString>("found");
    QTest::newRow("empty") << QByteArray("") << 0ull << "0 bytes of file";
    QTest::newRow("bad-magic") << QByteArray("5a62") << 0ull << "0x5A62";
    QTest::newRow("pg-control-like") << QByteArray("0000000000000000") << 0ull << "0x0000";
    QTest::newRow("short-image") << QByteArray("5a600003") << 4ull << "end of file after 4 bytes";
    QTest::newRow("short-delta") << QByteArray("5a610003") + QByteArray(168, '0') << 88ull
                                 << "end of file after 88 bytes";
}

void TestSummary::decodeErrors()
{
    QFETCH(QByteArray, hex);
    QFETCH(qulonglong, offset);
    QFETCH(QString, found);
    const ByteVector b = testutil::hexBytes(hex.constData());
    auto d = Summary::decode(b);
    QVERIFY(!d);
    QCOMPARE(d.error().offset, offset);
    QCOMPARE(QString::fromStdString(d.error().found), found);
    QVERIFY(!d.error().expected.empty());
}

void TestSummary::impliedName()
{
    QCOMPARE(QString::fromStdString(example(LayerKind::Image).impliedName().canonical()),
             QString("000000067F00004005000060F30000000000-000000067F00004005000060F30000000001"
                     "__00000000016960E8"));
    QCOMPARE(QString::fromStdString(example(LayerKind::Delta).impliedName().canonical()),
             QString("000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                     "__00000000016960E8-0000000001698FF1"));
}

QTEST_APPLESS_MAIN(TestSummary)
#include "tst_summary.moc"
