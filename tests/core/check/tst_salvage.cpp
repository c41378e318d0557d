#include "testutil.h"

#include <layerscope/check/salvage.h>
#include <layerscope/check/validate.h>
#include <layerscope/format/layer.h>

#include <QFileInfo>
#include <QTest>

#include <functional>

using namespace layerscope;

// Salvage never launders damage: every output checks clean, what could not be trusted is
// dropped with a reason, what was re-derived is noted, and "lossless" means exactly that.
class TestSalvage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanLayerIsReproducedExactly_data();
    void cleanLayerIsReproducedExactly();
    void damage_data();
    void damage();
    void nothingToSalvage();

private:
    QString m_image, m_delta;
};

using Damage = std::function<void(ByteVector &bytes, const Layer &layer)>;
Q_DECLARE_METATYPE(Damage)

namespace {
ByteVector load(const QString &path)
{
    return testutil::toVector(testutil::readAll(path));
}
void putBe(ByteVector &b, FileOffset at, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        b[at + std::size_t(i)] = std::uint8_t(v >> (8 * (bytes - 1 - i)));
}
/// Offsets in a one-leaf layer (both fixtures): leaf entry i's key and value.
FileOffset keyAt(const Layer &l, std::size_t i)
{
    const auto n = l.tree().node(l.summary().indexRootBlk);
    return n->offset + 5 + n->prefixLen + i * n->suffixLen;
}
FileOffset valueAt(const Layer &l, std::size_t i)
{
    const auto n = l.tree().node(l.summary().indexRootBlk);
    return n->offset + 5 + n->prefixLen + std::size_t(n->count) * n->suffixLen + i * 5;
}
struct Salvaged
{
    SalvageResult result;
    ByteVector bytes;
};
Salvaged salvage(const ByteVector &in, const QString &name)
{
    Salvaged s;
    MemorySink sink;
    s.result = salvageLayer(ViewSource(in), QFileInfo(name).fileName().toStdString(), sink);
    s.bytes = std::move(sink.data());
    return s;
}
} // namespace

void TestSalvage::initTestCase()
{
    for (const QString &f : testutil::fixtureLayers())
        (QFileInfo(f).fileName().count('-') > 1 ? m_delta : m_image) = f;
    QVERIFY(!m_image.isEmpty() && !m_delta.isEmpty());
}

void TestSalvage::cleanLayerIsReproducedExactly_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("neon-image") << m_image;
}

// Nothing to repair: blobs are copied verbatim and the index rebuilt the way Neon builds it,
// so a Neon-written layer comes back byte for byte, with exit 0 (lossless).
void TestSalvage::cleanLayerIsReproducedExactly()
{
    QFETCH(QString, path);
    const ByteVector in = load(path);
    const Salvaged s = salvage(in, path);
    QVERIFY(s.result.written);
    QVERIFY(s.result.lossless());
    QCOMPARE(s.result.kept, s.result.entriesFound);
    QVERIFY(s.bytes == in);
    // The Neon-written delta holds a 100-byte RelBlock image no Postgres can be served: salvage
    // does not pass it on, and says so (the rest is kept).
    const Salvaged d = salvage(load(m_delta), m_delta);
    QVERIFY(d.result.written);
    QCOMPARE(d.result.kept, std::uint64_t(14));
    QCOMPARE(d.result.dropped.size(), std::size_t(1));
    QVERIFY(d.result.dropped.front().what.find("image is 100 bytes") != std::string::npos);
    QCOMPARE(d.result.dropped.front().offset, FileOffset(16700));
}

void TestSalvage::damage_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<Damage>("damage");
    QTest::addColumn<int>("kept");
    QTest::addColumn<int>("dropped");
    QTest::addColumn<int>("repaired");
    QTest::addColumn<QString>("noteSays");
    // Delta rows: the fixture's 100-byte RelBlock image is always dropped too (see above).

    QTest::newRow("will-init-bit-flipped")
        << m_delta << Damage([](ByteVector &b, const Layer &l) { b[valueAt(l, 0) + 4] ^= 1; }) << 14 << 1 << 1
        << "will_init bit was false, the value says true";
    QTest::newRow("lsn-below-the-range")
        << m_delta << Damage([](ByteVector &b, const Layer &l) { putBe(b, keyAt(l, 3) + 18, 0x100, 8); }) << 13 << 2
        << 0 << "outside the layer's LSN range";
    QTest::newRow("key-of-no-class")
        << m_delta << Damage([](ByteVector &b, const Layer &l) { b[keyAt(l, 12) + 1] = 0x40; }) << 13 << 2 << 0
        << "none of Neon's key classes";
    QTest::newRow("summary-lsn-end-disagrees-with-name")
        << m_delta << Damage([](ByteVector &b, const Layer &) { putBe(b, 80, 0x5000030, 8); }) << 14 << 1 << 1
        << "the file name's ranges were used";
    QTest::newRow("magic-damaged")
        << m_image << Damage([](ByteVector &b, const Layer &) { b[1] = 0x00; }) << 10 << 0 << 1
        << "taken from the file name";
    QTest::newRow("page-one-byte-short")
        << m_image << Damage([](ByteVector &b, const Layer &l) { putBe(b, (*l.entries())[4].blobOffset, 0x80001FFF, 4); })
        << 9 << 1 << 0 << "Postgres can only be served an 8192-byte page";
    QTest::newRow("page-of-zero-bytes")
        << m_image << Damage([](ByteVector &b, const Layer &l) { putBe(b, (*l.entries())[2].blobOffset, 0x80000000, 4); })
        << 9 << 1 << 0 << "image is 0 bytes";
    QTest::newRow("last-page-runs-into-padding")
        << m_image << Damage([](ByteVector &b, const Layer &l) { putBe(b, (*l.entries())[9].blobOffset, 0x80003000, 4); })
        << 9 << 1 << 0 << "image is 12288 bytes";
    QTest::newRow("pointer-to-another-blob")
        << m_image << Damage([](ByteVector &b, const Layer &l) { putBe(b, valueAt(l, 6), (*l.entries())[2].blobOffset, 5); })
        << 9 << 1 << 0 << "out of key order with its neighbours";
    QTest::newRow("truncated-index")
        << m_delta << Damage([](ByteVector &b, const Layer &) { b.resize(b.size() - 8192); }) << 0 << 0 << 0 << "";
    QTest::newRow("only-leaf-header-smashed")
        << m_image << Damage([](ByteVector &b, const Layer &l) { putBe(b, l.tree().node(0)->offset, 0, 2); })
        << 0 << 0 << 0 << "";
}

void TestSalvage::damage()
{
    QFETCH(QString, path);
    QFETCH(Damage, damage);
    QFETCH(int, kept);
    QFETCH(int, dropped);
    QFETCH(int, repaired);
    QFETCH(QString, noteSays);
    ByteVector in = load(path);
    auto clean = Layer::open(std::make_shared<MemorySource>(in));
    QVERIFY(clean);
    damage(in, *clean);
    const Salvaged s = salvage(in, path);
    QString notes;
    for (const auto &n : s.result.dropped)
        notes += "\n  dropped: " + QString::fromStdString(n.what);
    for (const auto &n : s.result.repairs)
        notes += "\n  repaired: " + QString::fromStdString(n.what);
    if (kept == 0) {
        // The only leaf is gone (truncated or smashed): nothing can be written.
        QVERIFY2(!s.result.written, qPrintable(notes));
        QVERIFY(!s.result.error.expected.empty());
        return;
    }
    QVERIFY2(s.result.written, s.result.error.message().c_str());
    QCOMPARE(int(s.result.kept), kept);
    QVERIFY2(int(s.result.dropped.size()) == dropped && int(s.result.repairs.size()) == repaired, qPrintable(notes));
    QVERIFY2(notes.contains(noteSays), qPrintable(notes));
    QVERIFY(!s.result.lossless());
    // The output checks clean under its own canonical name.
    ValidateOptions vo;
    vo.fileName = s.result.summary.impliedName().canonical();
    const ValidationReport r = validateLayer(s.bytes, vo);
    QString problems;
    for (const Problem &p : r.problems)
        problems += "\n  " + QString::fromStdString(p.check + ": " + p.message);
    QVERIFY2(r.clean(), qPrintable(problems));
    QCOMPARE(r.entriesChecked, std::uint64_t(kept));
    // What was kept reads back with the same content as in the original.
    auto out = Layer::open(std::make_shared<MemorySource>(s.bytes));
    const auto original = *clean->entries();
    const auto salvaged = *out->entries();
    for (const Entry &e : salvaged) {
        const auto same = std::find_if(original.begin(), original.end(),
                                       [&](const Entry &o) { return o.key == e.key && o.lsn == e.lsn; });
        QVERIFY2(same != original.end(), (e.key.toHex() + "@" + e.lsn.toString()).c_str());
        QCOMPARE(e.willInit, same->willInit);
        QVERIFY(*out->payload(e) == *clean->payload(*same));
    }
}

void TestSalvage::nothingToSalvage()
{
    const Salvaged zeros = salvage(ByteVector(4 * kBlockSize, 0), "not-a-layer");
    QVERIFY(!zeros.result.written);
    QVERIFY(zeros.result.error.message().find("no layer name") != std::string::npos);
    const Salvaged tiny = salvage(ByteVector(100, 0x5A), m_image);
    QVERIFY(!tiny.result.written);
}

QTEST_APPLESS_MAIN(TestSalvage)
#include "tst_salvage.moc"
