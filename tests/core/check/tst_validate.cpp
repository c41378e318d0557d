#include "indexbytes.h"
#include "testutil.h"

#include <layerscope/check/validate.h>
#include <layerscope/format/layer.h>
#include <layerscope/write/synth.h>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include <sys/stat.h>

using namespace layerscope;

// Corrupt files: one byte-level mutation per check, each reported with its check id at the
// offset of the mutated bytes; clean files report no error or warning.
class TestValidate : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanFilesReportNothing_data();
    void cleanFilesReportNothing();
    void corruptions_data();
    void corruptions();
    void hostileInputStaysBounded_data();
    void hostileInputStaysBounded();
    void pagesOption();
    void salvageScan();
    void capListsVarietyFirst_data();
    void capListsVarietyFirst();
    void capNeverHidesErrors_data();
    void capNeverHidesErrors();
    void capListsByRank_data();
    void capListsByRank();
    void sparseFileIsNotRead();
    void specialFilesAreRefused_data();
    void specialFilesAreRefused();
    void threadsGiveIdenticalReports_data();
    void threadsGiveIdenticalReports();
    void placementProblemsNameTheirEntry_data();
    void placementProblemsNameTheirEntry();
    void keyOrderFollowsTheIndex_data();
    void keyOrderFollowsTheIndex();
    void neonRecordsOnTheirPages_data();
    void neonRecordsOnTheirPages();

private:
    QTemporaryDir m_dir;
    QString m_image, m_delta, m_demoImage, m_demoZstd, m_demoDelta;
};

using Mutation = std::function<FileOffset(ByteVector &bytes, const Layer &layer)>;
Q_DECLARE_METATYPE(Mutation)

using testutil::blobOf;
using testutil::keyOffset;
using testutil::nodeOffset;
using testutil::putBe;
using testutil::rootOffset;
using testutil::valueOffset;

namespace {
ByteVector load(const QString &path)
{
    return testutil::toVector(testutil::readAll(path));
}
} // namespace

void TestValidate::initTestCase()
{
    for (const QString &f : testutil::fixtureLayers())
        (QFileInfo(f).fileName().count('-') > 1 ? m_delta : m_image) = f;
    QVERIFY(!m_image.isEmpty() && !m_delta.isEmpty());
    const QStringList demo = testutil::demoLayers(m_dir.path());
    QCOMPARE(demo.size(), 3);
    m_demoImage = demo[0];
    m_demoZstd = demo[1];
    m_demoDelta = demo[2];
}

void TestValidate::cleanFilesReportNothing_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("neon-image") << m_image;
    QTest::newRow("neon-delta") << m_delta;
    QTest::newRow("demo-image-2-levels") << m_demoImage;
    QTest::newRow("demo-zstd-image") << m_demoZstd;
    QTest::newRow("demo-delta") << m_demoDelta;
}

void TestValidate::cleanFilesReportNothing()
{
    QFETCH(QString, path);
    const ByteVector b = load(path);
    ValidateOptions o;
    o.fileName = QFileInfo(path).fileName().toStdString();
    o.pages = !path.contains("fixtures");  // fixture pages are text, not heap pages
    const auto r = validateLayer(b, o);
    for (const auto &p : r.problems)
        if (p.severity != Severity::Info)
            qWarning("%s@%llu: %s", p.check.c_str(), static_cast<unsigned long long>(p.offset), p.message.c_str());
    QCOMPARE(r.errors, std::uint64_t(0));
    // The Neon-written delta's 100-byte RelBlock image (offset 16700) cannot be served to
    // Postgres: its one warning. Everything else is clean.
    if (path == m_delta) {
        QCOMPARE(r.warnings, std::uint64_t(1));
        QCOMPARE(r.problems.front().check, std::string("value-size"));
        QCOMPARE(r.problems.front().offset, FileOffset(16700));
    } else {
        QCOMPARE(r.warnings, std::uint64_t(0));
    }
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    QCOMPARE(r.entriesChecked, l->entries()->size());
}

void TestValidate::corruptions_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<Mutation>("mutate");
    QTest::addColumn<QString>("check");
    QTest::addColumn<int>("severity");
    const int E = int(Severity::Error), W = int(Severity::Warning);
    auto row = [&](const char *name, const QString &path, Mutation m, const char *check, int sev) {
        QTest::newRow(name) << path << m << QString(check) << sev;
    };
    // Summary.
    row("summary-magic", m_image, [](ByteVector &b, const Layer &) { b[1] = 0x00; return FileOffset(0); }, "summary-magic", E);
    row("summary-version", m_image, [](ByteVector &b, const Layer &) { b[3] = 4; return FileOffset(2); }, "summary-version", E);
    row("summary-key-range", m_image, [](ByteVector &b, const Layer &) {
        std::copy(b.begin() + 36, b.begin() + 54, b.begin() + 54);
        return FileOffset(36); }, "summary-key-range", E);
    row("summary-lsn-range", m_delta, [](ByteVector &b, const Layer &) {
        std::copy(b.begin() + 72, b.begin() + 80, b.begin() + 80);
        return FileOffset(72); }, "summary-lsn-range", E);
    row("summary-padding", m_image, [](ByteVector &b, const Layer &) { b[500] = 1; return FileOffset(500); }, "summary-padding", W);
    row("index-start", m_image, [](ByteVector &b, const Layer &) { putBe(b, 80, 0, 4); return FileOffset(80); }, "index-start", E);
    row("index-start-beyond-file", m_delta, [](ByteVector &b, const Layer &) { putBe(b, 88, 400, 4); return FileOffset(88); }, "index-start", E);
    row("index-root-beyond-file", m_image, [](ByteVector &b, const Layer &) { putBe(b, 84, 5, 4); return FileOffset(84); }, "index-root", E);
    row("file-size-partial-block", m_image, [](ByteVector &b, const Layer &) { b.resize(b.size() + 100); return FileOffset(b.size() - 100); }, "file-size", E);
    // Nodes.
    row("node-count-zero", m_image, [](ByteVector &b, const Layer &l) { putBe(b, rootOffset(l), 0, 2); return rootOffset(l); }, "node-header", E);
    row("node-prefix-suffix", m_image, [](ByteVector &b, const Layer &l) { b[rootOffset(l) + 4] = 17; return rootOffset(l) + 3; }, "node-header", E);
    row("node-count-huge", m_delta, [](ByteVector &b, const Layer &l) { putBe(b, rootOffset(l), 0xFFFF, 2); return rootOffset(l); }, "node-header", E);
    row("node-key-order", m_image, [](ByteVector &b, const Layer &l) {
        const FileOffset k2 = keyOffset(l, 0, 2), k3 = keyOffset(l, 0, 3);
        std::swap_ranges(b.begin() + std::ptrdiff_t(k2), b.begin() + std::ptrdiff_t(k2 + 18), b.begin() + std::ptrdiff_t(k3));
        return k3; }, "node-key-order", E);
    row("node-padding", m_delta, [](ByteVector &b, const Layer &l) { b[rootOffset(l) + 8000] = 7; return rootOffset(l) + 8000; }, "node-padding", W);
    row("leaf-value-top-bit", m_image, [](ByteVector &b, const Layer &l) { b[valueOffset(l, 0, 0)] = 0x80; return valueOffset(l, 0, 0); }, "leaf-value", E);
    row("node-level-root", m_demoImage, [](ByteVector &b, const Layer &l) { b[rootOffset(l) + 2] = 2; return rootOffset(l) + 2; }, "node-level", E);
    row("node-level-leaf", m_demoDelta, [](ByteVector &b, const Layer &l) { b[nodeOffset(l, 2) + 2] = 1; return valueOffset(l, 2, 0); }, "node-marker", E);
    row("node-marker", m_demoImage, [](ByteVector &b, const Layer &l) { b[valueOffset(l, l.summary().indexRootBlk, 1)] = 0; return valueOffset(l, l.summary().indexRootBlk, 1); }, "node-marker", E);
    row("node-child-range", m_demoImage, [](ByteVector &b, const Layer &l) { putBe(b, valueOffset(l, l.summary().indexRootBlk, 1) + 1, 0x7FFFFFFF, 4); return valueOffset(l, l.summary().indexRootBlk, 1); }, "node-child-range", E);
    row("node-shared-child", m_demoImage, [](ByteVector &b, const Layer &l) {
        const FileOffset v0 = valueOffset(l, l.summary().indexRootBlk, 0), v1 = valueOffset(l, l.summary().indexRootBlk, 1);
        std::copy(b.begin() + std::ptrdiff_t(v0), b.begin() + std::ptrdiff_t(v0 + 5), b.begin() + std::ptrdiff_t(v1));
        return v1; }, "node-shared", E);
    row("node-cycle", m_demoDelta, [](ByteVector &b, const Layer &l) { putBe(b, valueOffset(l, l.summary().indexRootBlk, 3) + 1, l.summary().indexRootBlk, 4); return valueOffset(l, l.summary().indexRootBlk, 3); }, "node-cycle", E);
    row("node-separator-above-first-key", m_demoDelta, [](ByteVector &b, const Layer &l) {
        const FileOffset k = keyOffset(l, l.summary().indexRootBlk, 2);
        b[k + 25] += 1;  // root key 2 := leaf 2's first key + 1
        return k; }, "node-separator", E);
    row("index-unreachable", m_demoImage, [](ByteVector &b, const Layer &l) {
        const FileOffset v0 = valueOffset(l, l.summary().indexRootBlk, 0), v1 = valueOffset(l, l.summary().indexRootBlk, 1);
        std::copy(b.begin() + std::ptrdiff_t(v0), b.begin() + std::ptrdiff_t(v0 + 5), b.begin() + std::ptrdiff_t(v1));
        return nodeOffset(l, 1); }, "index-unreachable", W);
    // Entries and blobs.
    row("blob-offset-beyond-values", m_image, [](ByteVector &b, const Layer &l) { putBe(b, valueOffset(l, 0, 1), 0xF0000, 5); return valueOffset(l, 0, 1); }, "blob-offset", E);
    row("blob-compression-bits", m_image, [](ByteVector &b, const Layer &l) { b[blobOf(l, 3)] = 0xA0; return blobOf(l, 3); }, "blob-compression", E);
    row("blob-length", m_image, [](ByteVector &b, const Layer &l) { putBe(b, blobOf(l, 9), 0x80100000, 4); return blobOf(l, 9); }, "blob-length", E);
    row("blob-overlap", m_image, [](ByteVector &b, const Layer &l) { putBe(b, valueOffset(l, 0, 4), blobOf(l, 3) + 10, 5); return valueOffset(l, 0, 4); }, "blob-overlap", E);
    row("blob-zstd", m_demoZstd, [](ByteVector &b, const Layer &l) {
        const FileOffset at = blobOf(l, 5) + 4 + 10;
        for (int i = 0; i < 8; ++i) b[at + std::size_t(i)] ^= 0x5A;
        return at - 10; }, "blob-zstd", E);
    row("values-padding", m_image, [](ByteVector &b, const Layer &) { b[90152 + 5] = 1; return FileOffset(90157); }, "values-padding", W);
    row("will-init-bit", m_delta, [](ByteVector &b, const Layer &l) { b[valueOffset(l, 0, 0) + 4] ^= 1; return valueOffset(l, 0, 0) + 4; }, "will-init", E);
    row("value-tag", m_delta, [](ByteVector &b, const Layer &l) { b[blobOf(l, 1) + 1 + 3] = 7; return blobOf(l, 1) + 1; }, "value-decode", E);
    row("record-bool", m_delta, [](ByteVector &b, const Layer &l) { b[blobOf(l, 1) + 1 + 8] = 2; return blobOf(l, 1) + 1 + 8; }, "value-decode", E);
    row("lsn-below-range", m_delta, [](ByteVector &b, const Layer &l) { putBe(b, keyOffset(l, 0, 0) + 18, 1, 8); return keyOffset(l, 0, 0); }, "lsn-range", E);
    row("key-below-range", m_delta, [](ByteVector &b, const Layer &) { b[36] = 0x02; return FileOffset(0); }, "key-range", E);
    // A page whose length header grew into the zero padding before the index: Neon reads a
    // 12,288-byte "page" that no Postgres can be served.
    row("page-runs-into-padding", m_image, [](ByteVector &b, const Layer &l) { putBe(b, blobOf(l, 9), 0x80003000, 4); return blobOf(l, 9); }, "value-size", W);
    row("page-one-byte-short", m_image, [](ByteVector &b, const Layer &l) { putBe(b, blobOf(l, 4), 0x80001FFF, 4); return blobOf(l, 4); }, "value-size", W);
    // The zstd bit of a compressed page flipped: 0x90 → 0x80, a page read as raw zstd bytes.
    row("zstd-bit-lost", m_demoZstd, [](ByteVector &b, const Layer &l) { b[blobOf(l, 5)] ^= 0x10; return blobOf(l, 5); }, "blob-zstd-magic", W);
    row("key-of-no-class", m_delta, [](ByteVector &b, const Layer &l) { b[keyOffset(l, 0, 12) + 1] = 0x40; return keyOffset(l, 0, 12); }, "key-class", W);
    // Entry 13 (AuxFile record on 03…02) moved to 02…02, a two-phase key: the record cannot apply.
    row("record-on-wrong-key", m_delta, [](ByteVector &b, const Layer &l) { b[keyOffset(l, 0, 13)] = 0x02; return blobOf(l, 13) + 1; }, "value-key", E);
    // The leaf's key prefix: tablespace 1663 (0x067F) becomes 0x167F, which Neon never writes.
    row("tablespace-neon-never-writes", m_image, [](ByteVector &b, const Layer &l) { b[rootOffset(l) + 5 + 3] ^= 0x10; return FileOffset(0); }, "key-class", W);
}

void TestValidate::corruptions()
{
    QFETCH(QString, path);
    QFETCH(Mutation, mutate);
    QFETCH(QString, check);
    QFETCH(int, severity);
    ByteVector b = load(path);
    auto clean = Layer::open(std::make_shared<MemorySource>(b));
    QVERIFY(clean);
    const FileOffset expectAt = mutate(b, *clean);
    ValidateOptions two;
    two.threads = 2;  // the parallel payload checks must find the same problems
    const auto r = validateLayer(b, two);
    QCOMPARE(r.problems.size(), validateLayer(b).problems.size());
    QString all;
    bool found = false;
    for (const auto &p : r.problems) {
        all += QString("\n  %1 @%2 %3").arg(QString::fromStdString(p.check)).arg(p.offset).arg(QString::fromStdString(p.message));
        // key-below-range: the first entry's key is at fault (any offset inside the index).
        const QByteArray tag(QTest::currentDataTag());
        const bool offsetOk = tag == "key-below-range" || tag == "tablespace-neon-never-writes" ? p.offset >= 8192
                                                                                                 : p.offset == expectAt;
        if (QString::fromStdString(p.check) == check && int(p.severity) == severity && offsetOk)
            found = true;
    }
    QVERIFY2(found, qPrintable(QString("expected %1 at %2; got:%3").arg(check).arg(expectAt).arg(all)));
    QVERIFY(!r.problems.empty());
    for (const auto &p : r.problems) {
        QVERIFY(!p.message.empty());
        QVERIFY(p.offset <= b.size());
    }
}

void TestValidate::hostileInputStaysBounded_data()
{
    QTest::addColumn<QByteArray>("summaryHex");
    QTest::addColumn<int>("blocks");
    QTest::addColumn<QByteArray>("nodeHex");
    // A root that points at itself, a 65535-entry node, and a blob claiming 2^28 bytes.
    QTest::newRow("self-loop") << QByteArray("5a600003") << 4 << QByteArray("0001010012 000000000000000000000000000000000000 8000000001");
    QTest::newRow("65535-entries") << QByteArray("5a600003") << 4 << QByteArray("ffff000012");
    QTest::newRow("2-28-byte-blob") << QByteArray("5a600003") << 4 << QByteArray("0001000012 000000000000000000000000000000000000 0000002000");
}

void TestValidate::hostileInputStaysBounded()
{
    QFETCH(QByteArray, summaryHex);
    QFETCH(int, blocks);
    QFETCH(QByteArray, nodeHex);
    ByteVector b(std::size_t(blocks) * 8192, 0);
    const ByteVector s = testutil::hexBytes(summaryHex.constData());
    std::copy(s.begin(), s.end(), b.begin());
    b[54] = 0xFF;                      // key end > key start
    putBe(b, 80, 2, 4);                // index_start_blk 2
    putBe(b, 84, 1, 4);                // root = relative 1 (block 3)
    const ByteVector n = testutil::hexBytes(nodeHex.constData());
    std::copy(n.begin(), n.end(), b.begin() + 3 * 8192);
    putBe(b, 8192, 0x8FFFFFFF, 4);     // blob header at 8192 claiming 2^28-1 bytes
    const auto r = validateLayer(b);
    QVERIFY(r.errors > 0);
    QVERIFY(r.problems.size() < 100);
}

void TestValidate::pagesOption()
{
    ByteVector b = load(m_demoImage);
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    const FileOffset page = blobOf(*l, 7) + 4;
    b[page + 100] ^= 0xFF;  // content change: the checksum no longer matches
    b[page + 12] = 0xFF;    // pd_lower 0x..FF > pd_upper
    b[page + 13] = 0x7F;
    ValidateOptions o;
    o.pages = true;
    const auto r = validateLayer(b, o);
    QStringList checks;
    for (const auto &p : r.problems)
        checks << QString::fromStdString(p.check);
    QVERIFY2(checks.contains("page-checksum"), qPrintable(checks.join(',')));
    QVERIFY(checks.contains("page-header"));
    QCOMPARE(validateLayer(b).warnings, std::uint64_t(0));  // opt-in only
}

void TestValidate::salvageScan()
{
    ByteVector b = load(m_demoDelta);
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    const auto all = l->entries();
    // Destroy the root: the tree cannot be walked, the leaves are still there.
    std::fill(b.begin() + std::ptrdiff_t(rootOffset(*l)), b.begin() + std::ptrdiff_t(rootOffset(*l) + 8192), 0xEE);
    const auto scan = scanLeaves(ViewSource(b), l->summary().indexStartBlk, 26);
    QCOMPARE(scan.leavesFound, std::uint64_t(6));
    QCOMPARE(scan.entries.size(), all->size());
    QCOMPARE(scan.duplicates, std::uint64_t(0));
    for (std::size_t i = 0; i < all->size(); i += 101)
        QCOMPARE(scan.entries[i].value, (*all)[i].raw);
}

// 3,999 value-size warnings, then one key-class warning on the last entry: under any cap the
// lone check is listed (variety before repetition), and the counts stay exact.
void TestValidate::capListsVarietyFirst_data()
{
    QTest::addColumn<int>("cap");
    QTest::newRow("cap-1") << 1;
    QTest::newRow("cap-2") << 2;
    QTest::newRow("cap-10") << 10;
    QTest::newRow("cap-3999") << 3999;
}

void TestValidate::capListsVarietyFirst()
{
    QFETCH(int, cap);
    MemorySink sink;
    LayerWriter w(testutil::testSummary(LayerKind::Image), sink);
    const ByteVector small(16, 0x11);
    for (std::uint32_t blk = 0; blk < 3999; ++blk)
        QVERIFY(w.addImage(Key::fromFields(0x00, 1663, 5, 16384, 0, blk), small).ok());
    // Fork 5 does not exist: a damaged key, sorted after every fork-0 key.
    QVERIFY(w.addImage(Key::fromFields(0x00, 1663, 5, 16384, 5, 0), small).ok());
    const Layer l = testutil::finishAndOpen(w, sink);
    ValidateOptions o;
    o.maxProblems = std::size_t(cap);
    const auto r = validateLayer(sink.data(), o);
    QCOMPARE(r.warnings, std::uint64_t(4001)); // 4,000 value-size + 1 key-class
    QCOMPARE(r.problems.size(), std::size_t(cap));
    const auto lone = std::find_if(r.problems.begin(), r.problems.end(),
                                   [](const Problem &p) { return p.check == "key-class"; });
    QVERIFY2(lone != r.problems.end() || cap == 1, "the lone check is hidden behind the repeats");
    if (cap >= 2) {
        // The first value-size warning (the lowest offset) is listed too.
        QCOMPARE(r.problems.front().check, std::string("value-size"));
        QCOMPARE(r.problems.front().entry, std::optional<std::uint64_t>(0));
    }
    std::uint64_t tallied = 0;
    for (const CheckTally &t : r.tallies)
        tallied += t.count;
    QCOMPARE(tallied, std::uint64_t(4001));
    Q_UNUSED(l);
}

// Many warnings first, then a cycle at the end of the index: whatever the list cap, the cycle
// is counted and listed, and the counts are exact.
void TestValidate::capNeverHidesErrors_data()
{
    QTest::addColumn<int>("cap");
    QTest::newRow("cap-10") << 10;
    QTest::newRow("cap-1000") << 1000;
    QTest::newRow("cap-default") << 100000;
}

void TestValidate::capNeverHidesErrors()
{
    QFETCH(int, cap);
    // 4,000 relation pages of 16 bytes (4,000 value-size warnings), 2-level index.
    SynthOptions so;
    so.kind = LayerKind::Image;
    so.entries = 4000;
    so.valueSize = 16;
    MemorySink sink;
    QVERIFY(synthLayer(so, sink).ok());
    ByteVector b = sink.data();
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    const std::uint32_t root = l->summary().indexRootBlk;
    const auto node = l->tree().node(root);
    QVERIFY(node->level > 0);
    // The last child pointer of the root points back at the root.
    const FileOffset ptr = valueOffset(*l, root, node->count - 1);
    putBe(b, ptr + 1, root, 4);
    ValidateOptions o;
    o.maxProblems = std::size_t(cap);
    const auto r = validateLayer(b, o);
    QCOMPARE(r.errors, std::uint64_t(1));
    QVERIFY(r.warnings > 3000);
    QCOMPARE(r.truncated, std::uint64_t(cap) < r.errors + r.warnings + r.infos);
    QCOMPARE(std::uint64_t(r.problems.size()), std::min<std::uint64_t>(std::uint64_t(cap), r.errors + r.warnings + r.infos));
    const auto cycle = std::find_if(r.problems.begin(), r.problems.end(), [](const Problem &p) { return p.check == "node-cycle"; });
    QVERIFY(cycle != r.problems.end());
    QCOMPARE(cycle->offset, ptr);
    QCOMPARE(cycle->related.size(), std::size_t(1));
    // Every listed problem carries its own tags (dropping others never mixes them up).
    for (const Problem &p : r.problems)
        if (p.check == "value-size") {
            QVERIFY(p.entry && p.key && p.related.empty());
            QVERIFY(p.message.find("RelBlock image is 16 bytes") != std::string::npos);
        }
    // The tallies count everything, listed or not.
    std::uint64_t sum = 0;
    for (const CheckTally &t : r.tallies)
        sum += t.count;
    QCOMPARE(sum, r.errors + r.warnings + r.infos);
    QCOMPARE(r.tallies.front().check, std::string("node-cycle"));
}

// A delta with a byte flipped every 997 bytes: thousands of problems of many checks and every
// severity. Under any cap, the listed problems are exactly what ranking all of them would keep:
// errors before warnings before info; within a severity, rounds over the checks (each check's
// first problem, then each one's second...), only the last round partly; every listed problem is
// one of the uncapped report's, sorted by offset; the counts are exact.
void TestValidate::capListsByRank_data()
{
    QTest::addColumn<int>("cap");  // below 1: that many fewer than the total
    QTest::newRow("cap-1") << 1;
    QTest::newRow("cap-3") << 3;
    QTest::newRow("cap-40") << 40;
    QTest::newRow("cap-777") << 777;
    QTest::newRow("cap-all-but-one") << -1;
    QTest::newRow("cap-all") << 0;
}

void TestValidate::capListsByRank()
{
    QFETCH(int, cap);
    SynthOptions so;
    so.kind = LayerKind::Delta;
    so.entries = 6000;
    MemorySink sink;
    QVERIFY(synthLayer(so, sink).ok());
    ByteVector b = sink.data();
    for (std::size_t at = kBlockSize + 500; at < b.size(); at += 997)
        b[at] ^= 0x10;
    ValidateOptions all;
    all.maxProblems = std::size_t(1) << 30;
    const auto full = validateLayer(b, all);
    const std::uint64_t total = full.errors + full.warnings + full.infos;
    QVERIFY(!full.truncated);
    QCOMPARE(std::uint64_t(full.problems.size()), total);
    QVERIFY2(full.errors > 2000 && full.warnings > 0 && full.tallies.size() >= 8,
             qPrintable(QStringLiteral("%1 errors, %2 warnings, %3 checks")
                            .arg(full.errors).arg(full.warnings).arg(full.tallies.size())));

    const std::size_t limit = cap > 0 ? std::size_t(cap) : std::size_t(std::int64_t(total) + cap);
    for (unsigned threads : {1u, 2u}) {
        ValidateOptions o;
        o.maxProblems = limit;
        o.threads = threads;
        o.taskEntries = 64;
        const auto r = validateLayer(b, o);
        QCOMPARE(r.errors, full.errors);
        QCOMPARE(r.warnings, full.warnings);
        QCOMPARE(r.infos, full.infos);
        QCOMPARE(r.truncated, limit < total);
        QCOMPARE(r.problems.size(), std::min<std::size_t>(limit, total));
        QCOMPARE(r.tallies.size(), full.tallies.size());

        // The oracle from the exact tallies alone: whole rounds while the cap allows them.
        using CheckId = std::pair<std::string, Severity>;
        std::map<CheckId, std::uint64_t> listed, base, partial;
        for (const Problem &p : r.problems)
            ++listed[{p.check, p.severity}];
        std::uint64_t left = limit;
        for (Severity sev : {Severity::Error, Severity::Warning, Severity::Info}) {
            for (std::uint64_t round = 1; left > 0; ++round) {
                std::vector<CheckId> in;
                for (const CheckTally &t : full.tallies)
                    if (t.severity == sev && t.count >= round)
                        in.push_back({t.check, t.severity});
                if (in.empty())
                    break;
                for (const CheckId &c : in)
                    (in.size() <= left ? base : partial)[c] += 1;
                left -= std::min<std::uint64_t>(left, in.size());
            }
        }
        for (const CheckTally &t : full.tallies) {
            const CheckId c{t.check, t.severity};
            QVERIFY2(listed[c] == base[c] || (partial[c] && listed[c] == base[c] + 1),
                     qPrintable(QStringLiteral("%1: %2 listed, %3 expected (+%4)")
                                    .arg(QString::fromStdString(t.check)).arg(listed[c]).arg(base[c]).arg(partial[c])));
        }

        // Each listed problem is one of the full report's, and the list is sorted by offset.
        std::multiset<std::tuple<std::string, FileOffset, std::string>> pool;
        for (const Problem &p : full.problems)
            pool.insert({p.check, p.offset, p.message});
        for (std::size_t i = 0; i < r.problems.size(); ++i) {
            const Problem &p = r.problems[i];
            const auto it = pool.find({p.check, p.offset, p.message});
            QVERIFY2(it != pool.end(), p.message.c_str());
            pool.erase(it);
            if (i > 0)
                QVERIFY(r.problems[i - 1].offset <= p.offset);
        }
        if (limit >= total)
            QVERIFY(pool.empty());
    }
}

// A 64 GiB sparse file with a valid summary and its index in the last block: the hole between
// the values and the index is reported and skipped, not read.
void TestValidate::sparseFileIsNotRead()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("sparse");
    const ByteVector clean = load(m_image);
    auto l = Layer::open(std::make_shared<MemorySource>(clean));
    const std::uint64_t size = std::uint64_t(64) << 30;
    const std::uint64_t indexStart = size / kBlockSize - 1;
    ByteVector head(clean.begin(), clean.begin() + std::ptrdiff_t(l->summary().indexStartBlk * kBlockSize));
    putBe(head, 80, indexStart, 4);
    putBe(head, 84, 0, 4);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(reinterpret_cast<const char *>(head.data()), qint64(head.size()));
    QVERIFY(f.resize(qint64(size)));
    QVERIFY(f.seek(qint64(indexStart * kBlockSize)));
    f.write(reinterpret_cast<const char *>(clean.data()) + l->summary().indexStartBlk * kBlockSize, kBlockSize);
    f.close();
    auto mapped = MappedFile::open(path.toStdString());
    QVERIFY(mapped);
    const auto [data, end] = (*mapped)->dataRange(head.size() + kBlockSize);
    if (data == head.size() + kBlockSize)
        QSKIP("this file system reports no holes (SEEK_DATA)");
    QCOMPARE(data, indexStart * kBlockSize);
    const auto r = validateLayer(**mapped);
    QCOMPARE(r.entriesChecked, std::uint64_t(10));
    QCOMPARE(r.errors, std::uint64_t(0));
    const auto gap = std::find_if(r.problems.begin(), r.problems.end(), [](const Problem &p) { return p.check == "values-end"; });
    QVERIFY(gap != r.problems.end());
    QVERIFY(gap->message.find(std::to_string(indexStart)) != std::string::npos);
    // Salvage's leaf scan skips the hole too.
    const auto scan = scanLeaves(**mapped, indexStart, 18);
    QCOMPARE(scan.entries.size(), std::size_t(10));
}

void TestValidate::specialFilesAreRefused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("fifo") << "fifo";
    QTest::newRow("directory") << "directory";
    QTest::newRow("missing") << "missing";
}

void TestValidate::specialFilesAreRefused()
{
    QFETCH(QString, kind);
    QTemporaryDir dir;
    const QString path = dir.filePath("x");
    if (kind == "fifo")
        QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
    else if (kind == "directory")
        QVERIFY(QDir().mkpath(path));
    // Opening a FIFO without a writer must not block.
    auto m = MappedFile::open(path.toStdString());
    QVERIFY(!m);
    QCOMPARE(m.error().kind, kind == "missing" ? ErrorKind::Io : ErrorKind::NotRegularFile);
    QVERIFY(m.error().message().find(path.toStdString()) != std::string::npos);
    if (kind == "fifo")
        QVERIFY(m.error().message().find("FIFO") != std::string::npos);
}

// The placement checks run at the merge, after the entry itself is gone: the problem must still
// name its entry's position, key, LSN, leaf and leaf value, in any leaf.
void TestValidate::placementProblemsNameTheirEntry_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("leaf");       // the n-th leaf in index order
    QTest::addColumn<int>("index");      // entry in that leaf
    QTest::addColumn<int>("pointAt");    // the blob of this entry (relative to the entry)...
    QTest::addColumn<int>("plus");       // ...plus these bytes becomes the entry's blob offset
    QTest::addColumn<QString>("check");
    QTest::newRow("overlap-in-a-later-leaf") << m_demoDelta << 1 << 2 << -1 << 1 << "blob-overlap";
    QTest::newRow("order-in-the-first-leaf") << m_demoImage << 0 << 3 << -2 << 0 << "blob-order";
    QTest::newRow("gap-in-the-last-leaf") << m_demoDelta << -1 << 4 << 1 << 0 << "blob-gap";
}

void TestValidate::placementProblemsNameTheirEntry()
{
    QFETCH(QString, path);
    QFETCH(int, leaf);
    QFETCH(int, index);
    QFETCH(int, pointAt);
    QFETCH(int, plus);
    QFETCH(QString, check);
    ByteVector b = load(path);
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    QVERIFY(l);
    // Leaves come first in the index, in key order.
    std::vector<std::pair<std::uint32_t, std::uint64_t>> leaves;  // block, first entry
    std::uint64_t entries = 0;
    for (std::uint32_t rel = 0; l->tree().node(rel) && l->tree().node(rel)->isLeaf(); ++rel) {
        leaves.emplace_back(rel, entries);
        entries += l->tree().node(rel)->count;
    }
    QVERIFY(leaves.size() >= 2);
    const auto [block, first] = leaves[leaf < 0 ? leaves.size() - 1 : std::size_t(leaf)];
    const std::uint64_t position = first + std::uint64_t(index);
    const auto all = l->entries();
    QVERIFY(all);
    const Entry e = (*all)[position];
    const bool delta = l->summary().kind == LayerKind::Delta;
    const FileOffset target = blobOf(*l, std::size_t(std::int64_t(position) + pointAt)) + FileOffset(plus);
    const FileOffset valueAt = valueOffset(*l, block, std::size_t(index));
    putBe(b, valueAt, delta ? (target << 1) | (e.raw & 1) : target, 5);

    const auto r = validateLayer(b, ValidateOptions{});
    const auto p = std::find_if(r.problems.begin(), r.problems.end(),
                                [&](const Problem &q) { return q.check == check.toStdString(); });
    QVERIFY2(p != r.problems.end(), qPrintable(check));
    QCOMPARE(p->entry, std::optional<std::uint64_t>(position));
    QCOMPARE(p->block, std::optional<std::uint32_t>(block));
    QVERIFY(p->key && *p->key == e.key);
    QCOMPARE(p->lsn.has_value(), delta);
    if (delta)
        QCOMPARE(p->lsn->value, e.lsn.value);
    const bool gap = check == "blob-gap";
    const FileOffset leafValue = gap ? p->related.at(0).offset : p->offset;
    QCOMPARE(leafValue, valueAt);
}

// key-order is reported at exactly the entries whose key is not above the one before in index
// order (the oracle: the keys as the layer reads them), within a leaf and at a leaf's start,
// each naming the key before it.
void TestValidate::keyOrderFollowsTheIndex_data()
{
    QTest::addColumn<int>("leaf");    // the n-th leaf
    QTest::addColumn<int>("index");   // its entry whose suffix is rewritten; -1: the last
    QTest::addColumn<int>("fill");    // the byte written over it; -1: the suffix of the entry before
    QTest::newRow("suffix-copied-within-a-leaf") << 1 << 3 << -1;
    QTest::newRow("last-suffix-raised-across-leaves") << 0 << -1 << 0xFF;
    QTest::newRow("first-suffix-zeroed") << 1 << 0 << 0x00;
}

void TestValidate::keyOrderFollowsTheIndex()
{
    QFETCH(int, leaf);
    QFETCH(int, index);
    QFETCH(int, fill);
    ByteVector b = load(m_demoDelta);
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    QVERIFY(l);
    const auto node = l->tree().node(std::uint32_t(leaf));
    QVERIFY(node && node->isLeaf() && node->count > 4);
    const std::size_t i = index < 0 ? node->count - 1u : std::size_t(index);
    const FileOffset at = keyOffset(*l, std::uint32_t(leaf), i);
    for (std::size_t k = 0; k < node->suffixLen; ++k)
        b[at + k] = fill < 0 ? b[at - node->suffixLen + k] : std::uint8_t(fill);

    auto mutated = Layer::open(std::make_shared<MemorySource>(b));
    const auto read = mutated->entries();
    QVERIFY(read);
    const auto &entries = *read;
    std::map<std::uint64_t, std::string> expected;  // position -> the key before, in hex
    for (std::size_t p = 1; p < entries.size(); ++p)
        if (!std::ranges::lexicographical_compare(entries[p - 1].indexKey.view(), entries[p].indexKey.view()))
            expected[p] = toHex(entries[p - 1].indexKey.view());
    QVERIFY(!expected.empty());
    const auto r = validateLayer(b, ValidateOptions{});
    std::map<std::uint64_t, std::string> found;
    for (const Problem &p : r.problems)
        if (p.check == "key-order") {
            QVERIFY(p.entry);
            found[*p.entry] = p.message;
        }
    QCOMPARE(found.size(), expected.size());
    for (const auto &[position, before] : expected) {
        QVERIFY2(found.count(position), qPrintable(QString::number(position)));
        QVERIFY2(found[position].find("previous entry's " + before) != std::string::npos, found[position].c_str());
    }
}

void TestValidate::threadsGiveIdenticalReports_data()
{
    QTest::addColumn<int>("seed");
    for (int i = 0; i < 6; ++i)
        QTest::newRow(qPrintable(QString("mutant-%1").arg(i))) << i;
}

// The blob checks run on several threads: the problems (ids, offsets, order) do not depend on
// how many.
void TestValidate::threadsGiveIdenticalReports()
{
    QFETCH(int, seed);
    ByteVector b = load(m_demoDelta);
    std::mt19937_64 rng{std::uint64_t(seed)};
    for (int i = 0; i < 40; ++i)
        b[8192 + rng() % (b.size() - 8192)] ^= std::uint8_t(1 << (rng() % 8));
    ValidateOptions one, four;
    four.threads = 4;
    const auto a = validateLayer(b, one), c = validateLayer(b, four);
    QCOMPARE(a.problems.size(), c.problems.size());
    QVERIFY(!a.problems.empty());
    for (std::size_t i = 0; i < a.problems.size(); ++i) {
        QCOMPARE(a.problems[i].check, c.problems[i].check);
        QCOMPARE(a.problems[i].offset, c.problems[i].offset);
        QCOMPARE(a.problems[i].message, c.problems[i].message);
    }
}

QTEST_APPLESS_MAIN(TestValidate)
Q_DECLARE_METATYPE(layerscope::NeonWalRecord)

void TestValidate::neonRecordsOnTheirPages_data()
{
    QTest::addColumn<int>("slruKind");  // -1: the visibility map of relation 16384
    QTest::addColumn<quint32>("segment");
    QTest::addColumn<quint32>("page");
    QTest::addColumn<NeonWalRecord>("record");
    QTest::addColumn<bool>("reported");
    auto row = [](const char *name, int kind, quint32 segment, quint32 page, NeonWalRecord r, bool reported) {
        QTest::newRow(name) << kind << segment << page << r << reported;
    };
    // 32,768 xids per clog page, 32 pages per segment.
    row("clog-on-its-page", 0, 1, 2, wal::ClogSetCommitted{{(32 + 2) * 32768 + 5, (32 + 2) * 32768 + 9}, 1}, false);
    row("clog-xid-on-the-next-page", 0, 1, 2, wal::ClogSetCommitted{{(32 + 2) * 32768 + 5, (32 + 3) * 32768}, 1}, true);
    row("clog-aborted-in-another-segment", 0, 0, 2, wal::ClogSetAborted{{(32 + 2) * 32768}}, true);
    // 2,048 multixact offsets and 1,636 members per page.
    row("offsets-on-their-page", 2, 0, 3, wal::MultixactOffsetCreate{3 * 2048 + 7, 0}, false);
    row("offsets-one-page-off", 2, 0, 3, wal::MultixactOffsetCreate{4 * 2048, 0}, true);
    row("members-on-their-page", 1, 0, 1, wal::MultixactMembersCreate{1636, {{1, 1}, {2, 1}}}, false);
    row("members-running-onto-the-next-page", 1, 0, 1, wal::MultixactMembersCreate{2 * 1636 - 1, {{1, 1}, {2, 1}}}, true);
    // 32,672 heap blocks per visibility-map page.
    row("vm-bits-on-their-page", -1, 0, 1, wal::ClearVisibilityMapFlags{32672 + 3, std::nullopt, 1}, false);
    row("vm-bits-of-another-page", -1, 0, 1, wal::ClearVisibilityMapFlags{3, std::nullopt, 1}, true);
}

// Neon files its own clog, multixact and visibility-map records under the page that holds what
// they change: one stored under another page of the right kind is an error.
void TestValidate::neonRecordsOnTheirPages()
{
    QFETCH(int, slruKind);
    QFETCH(quint32, segment);
    QFETCH(quint32, page);
    QFETCH(NeonWalRecord, record);
    QFETCH(bool, reported);
    const Key key = slruKind < 0 ? Key::fromFields(0, 1663, 5, 16384, 2, page)
                                 : Key::fromFields(1, std::uint32_t(slruKind), 1, segment, 0, page);
    MemorySink sink;
    LayerWriter w(testutil::testSummary(LayerKind::Delta), sink);
    QVERIFY(w.addDelta(key, Lsn{0x2000}, Value{record}));
    const Layer layer = testutil::finishAndOpen(w, sink);
    const auto r = validateLayer(layer.bytes());
    std::uint64_t found = 0;
    for (const auto &p : r.problems)
        found += p.check == "record-page" && p.severity == Severity::Error;
    QCOMPARE(found, reported ? 1u : 0u);
    QCOMPARE(r.errors, found);
}

#include "tst_validate.moc"
