#include "testutil.h"

#include <layerscope/format/blob.h>

#include <QTest>

using namespace layerscope;

class TestBlob : public QObject
{
    Q_OBJECT
private slots:
    void headers_data();
    void headers();
    void compressedRoundTrip_data();
    void compressedRoundTrip();
    void headerErrors_data();
    void headerErrors();
    void zstdErrors();
    void crossesBlockBoundary();
};

void TestBlob::headers_data()
{
    QTest::addColumn<int>("len");
    QTest::addColumn<QByteArray>("header");
    // FORMAT.md §14.5.
    QTest::newRow("len-0") << 0 << QByteArray("00");
    QTest::newRow("len-1") << 1 << QByteArray("01");
    QTest::newRow("len-127") << 127 << QByteArray("7f");
    QTest::newRow("len-128") << 128 << QByteArray("80000080");
    QTest::newRow("len-129") << 129 << QByteArray("80000081");
    QTest::newRow("len-8192") << 8192 << QByteArray("80002000");
    QTest::newRow("len-8204") << 8204 << QByteArray("8000200c");
}

void TestBlob::headers()
{
    QFETCH(int, len);
    QFETCH(QByteArray, header);
    ByteVector payload(std::size_t(len), 0xAB);
    ByteVector out(8192, 0);  // blobs live after block 0
    QCOMPARE(appendBlob(out, payload, Compression::None), Compression::None);
    const ByteVector h = testutil::hexBytes(header.constData());
    QVERIFY(std::equal(h.begin(), h.end(), out.begin() + 8192));
    out.resize(out.size() + 8192, 0);
    auto parsed = readBlobHeader(out, 8192, 8192, out.size());
    QVERIFY(parsed);
    QCOMPARE(parsed->headerLen, std::uint8_t(h.size()));
    QCOMPARE(parsed->storedLen, std::uint64_t(len));
    QCOMPARE(parsed->compression, Compression::None);
    auto p = decodePayload(out, *parsed);
    QVERIFY(p);
    QCOMPARE(*p, payload);
}

void TestBlob::compressedRoundTrip_data()
{
    QTest::addColumn<int>("len");
    QTest::addColumn<bool>("compressible");
    QTest::addColumn<bool>("expectZstd");
    QTest::newRow("small-never-compressed") << 100 << true << false;
    QTest::newRow("page-of-zeros") << 8192 << true << true;
    QTest::newRow("random-page-stays-plain") << 8192 << false << false;
    QTest::newRow("over-1mib") << (1 << 20) + 17 << true << true;
}

void TestBlob::compressedRoundTrip()
{
    QFETCH(int, len);
    QFETCH(bool, compressible);
    QFETCH(bool, expectZstd);
    ByteVector payload(std::size_t(len), 0);
    std::uint32_t x = 12345;
    for (auto &b : payload) {
        x = x * 1103515245 + 12345;
        b = compressible ? std::uint8_t((&b - payload.data()) % 7 == 0 ? 'a' : 0)
                         : std::uint8_t(x >> 16);
    }
    ByteVector out(8192, 0);
    const Compression used = appendBlob(out, payload, Compression::Zstd);
    QCOMPARE(used == Compression::Zstd, expectZstd);
    auto h = readBlobHeader(out, 8192, 8192, out.size());
    QVERIFY(h);
    QCOMPARE(h->compression, used);
    if (expectZstd) {
        QCOMPARE(int(out[8192] & 0xF0), 0x90);
        QVERIFY(h->storedLen < payload.size());
    }
    auto p = decodePayload(out, *h);
    QVERIFY(p);
    QCOMPARE(*p, payload);
}

void TestBlob::headerErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qulonglong>("at");
    QTest::addColumn<qulonglong>("regionEnd");
    QTest::addColumn<QString>("found");
    QTest::newRow("reserved-bits-a0") << QByteArray("a0000010") << 0ull << 64ull
                                      << "0xA0 (reserved)";
    QTest::newRow("reserved-bits-f0") << QByteArray("f0000010") << 0ull << 64ull
                                      << "0xF0 (reserved)";
    QTest::newRow("length-past-region") << QByteArray("80000100") << 0ull << 64ull
                                        << "length 256 ending at 8452";
    QTest::newRow("huge-length") << QByteArray("8fffffff") << 0ull << 64ull
                                 << "length 268435455 ending at 268443651";
    QTest::newRow("short-1-byte") << QByteArray("7f") << 0ull << 64ull << "length 127 ending at 8320";
    QTest::newRow("truncated-4-byte-header") << QByteArray("8000") << 0ull << 2ull
                                             << "only 2 bytes before the end of the value area";
    QTest::newRow("offset-outside") << QByteArray("00") << 70ull << 64ull << "an offset outside it";
}

void TestBlob::headerErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qulonglong, at);
    QFETCH(qulonglong, regionEnd);
    QFETCH(QString, found);
    ByteVector file(8192, 0);
    const ByteVector b = testutil::hexBytes(bytes.constData());
    file.insert(file.end(), b.begin(), b.end());
    file.resize(8192 + 128, 0);
    auto h = readBlobHeader(file, 8192 + at, 8192, 8192 + regionEnd);
    QVERIFY(!h);
    QCOMPARE(h.error().offset, 8192 + at);
    QCOMPARE(QString::fromStdString(h.error().found), found);
}

void TestBlob::zstdErrors()
{
    const ByteVector garbage = testutil::hexBytes("0102030405060708");
    auto r = zstdDecompress(garbage, 1000, kMaxDecompressedLen);
    QVERIFY(!r);
    QCOMPARE(r.error().offset, 1000ull);

    ByteVector page(8192, 0);
    ByteVector frame = zstdCompress(page);
    auto bounded = zstdDecompress(frame, 0, 4096);
    QVERIFY(!bounded);
    QVERIFY(QString::fromStdString(bounded.error().expected).contains("4096"));

    ByteVector truncated(frame.begin(), frame.end() - 3);
    auto t = zstdDecompress(truncated, 500, kMaxDecompressedLen);
    QVERIFY(!t);
    QVERIFY(t.error().offset >= 500);
}

void TestBlob::crossesBlockBoundary()
{
    // A 4-byte header starting at 16382 spans blocks 1 and 2 (§14.5).
    ByteVector file(16382, 0);
    ByteVector payload(300, 0x5a);
    appendBlob(file, payload, Compression::None);
    file.resize(24576, 0);
    auto h = readBlobHeader(file, 16382, 8192, 24576);
    QVERIFY(h);
    QCOMPARE(h->payloadOffset(), 16386ull);
    QCOMPARE(*decodePayload(file, *h), payload);
}

QTEST_APPLESS_MAIN(TestBlob)
#include "tst_blob.moc"
