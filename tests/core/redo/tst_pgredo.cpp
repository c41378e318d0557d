// Postgres records replayed offline (core/redo), proven against Postgres itself: the fixture
// tests/data/pg15-redo was written with wal_consistency_checking = 'all', so every record
// carries the image of every page it touches as Postgres left it; every one is compared with
// the replayed page under Postgres's own masks. Then the pages at the shutdown checkpoint (the
// image layer, from the cluster's relation files) against the chains replayed up to it.
#include <layerscope/check/consistency.h>
#include <layerscope/check/validate.h>
#include <layerscope/format/blob.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/redo/page_mask.h>
#include <layerscope/redo/pg_redo.h>
#include <layerscope/timeline/redo.h>
#include <layerscope/timeline/redo_check.h>
#include <layerscope/timeline/timeline.h>

#include "testutil.h"

#include <QDir>

#include <QTemporaryDir>
#include <QtTest>
#include <map>
#include <memory>

using namespace layerscope;

namespace {
// tests/data/pgN-redo: Postgres 15's layers as they are, 14's, 16's and 17's zstd-compressed
// (LAYER.zst: their pglz images compress twelvefold), written out once into a directory.
QString fixtureDir(int version = 15)
{
    const QString src = QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg%1-redo").arg(version);
    if (version == 15)
        return src;
    static std::map<int, std::unique_ptr<QTemporaryDir>> dirs;
    auto &dir = dirs[version];
    if (!dir) {
        dir = std::make_unique<QTemporaryDir>();
        for (const QString &name : QDir(src).entryList({"*__*.zst"}, QDir::Files)) {
            const QByteArray z = testutil::readAll(src + '/' + name);
            auto raw = zstdDecompress(Bytes(reinterpret_cast<const std::uint8_t *>(z.constData()),
                                            std::size_t(z.size())),
                                      0,
                                      64u << 20);
            if (!raw)
                qFatal("%s: %s", qPrintable(name), raw.error().message().c_str());
            QFile out(dir->filePath(name.chopped(4)));
            if (!out.open(QIODevice::WriteOnly)
                || out.write(reinterpret_cast<const char *>(raw->data()), qint64(raw->size()))
                       != qint64(raw->size()))
                qFatal("cannot write %s", qPrintable(out.fileName()));
        }
    }
    return dir->path();
}

// The fixture's layer of the given kind ("delta": two LSNs in its name).
Layer fixtureLayer(bool delta, int version = 15)
{
    const QString dir = fixtureDir(version);
    for (const QString &name : QDir(dir).entryList({"*__*"}, QDir::Files)) {
        if (name.section("__", 1).contains('-') == delta) {
            auto l = Layer::openFile((dir + '/' + name).toStdString());
            if (!l)
                qFatal("%s", l.error().message().c_str());
            return *l;
        }
    }
    qFatal("no %s layer in %s", delta ? "delta" : "image", qPrintable(dir));
}

const ConsistencyReport &oracle(int version = 15)
{
    static std::map<int, ConsistencyReport> reports;
    if (!reports.count(version)) {
        auto r = verifyConsistencyImages(fixtureLayer(true, version), version, 50);
        if (!r)
            qFatal("%s", r.error().message().c_str());
        reports[version] = std::move(*r);
    }
    return reports[version];
}

// The record kinds of the workload, named as `version` names them.
QStringList workloadKinds(int version)
{
    QStringList kinds = {"XLOG FPI",
                         "XLOG FPI_FOR_HINT",
                         "Heap INSERT",
                         "Heap INSERT+INIT",
                         "Heap DELETE",
                         "Heap UPDATE",
                         "Heap HOT_UPDATE",
                         "Heap LOCK",
                         "Heap INPLACE",
                         "Heap CONFIRM",
                         "Heap2 VISIBLE",
                         "Heap2 MULTI_INSERT",
                         "Heap2 MULTI_INSERT+INIT",
                         "Heap2 LOCK_UPDATED",
                         "Btree INSERT_LEAF",
                         "Btree INSERT_UPPER",
                         "Btree INSERT_META",
                         "Btree INSERT_POST",
                         "Btree SPLIT_L",
                         "Btree SPLIT_R",
                         "Btree DEDUP",
                         "Btree VACUUM",
                         "Btree DELETE",
                         "Btree MARK_PAGE_HALFDEAD",
                         "Btree UNLINK_PAGE",
                         "Btree UNLINK_PAGE_META",
                         "Btree NEWROOT",
                         "Btree META_CLEANUP",
                         "Sequence LOG"};
    if (version >= 17)
        kinds << "Heap2 PRUNE_ON_ACCESS"
              << "Heap2 PRUNE_VACUUM_SCAN"
              << "Heap2 PRUNE_VACUUM_CLEANUP";
    else
        kinds << "Heap2 PRUNE"
              << "Heap2 VACUUM"
              << "Heap2 FREEZE_PAGE";
    return kinds;
}
} // namespace

class TestPgRedo : public QObject
{
    Q_OBJECT
private slots:
    void everyRecordMatchesPostgres_data();
    void everyRecordMatchesPostgres();
    void everyVersionChecksClean_data();
    void everyVersionChecksClean();
    void everyKindIsProven_data();
    void everyKindIsProven();
    void checkpointPagesMatch_data();
    void checkpointPagesMatch();
    void alteredImageIsReported_data();
    void alteredImageIsReported();
    void readAsAnotherVersion_data();
    void readAsAnotherVersion();
    void flippedRecordChangesThePage_data();
    void flippedRecordChangesThePage();
};

void TestPgRedo::everyRecordMatchesPostgres_data()
{
    QTest::addColumn<int>("version");
    for (const int v : {14, 15, 16, 17})
        QTest::newRow(qPrintable(QStringLiteral("postgres-%1").arg(v))) << v;
}

void TestPgRedo::everyRecordMatchesPostgres()
{
    QFETCH(int, version);
    const ConsistencyReport &r = oracle(version);
    for (const auto &[kind, c] : r.byKind)
        qInfo("%-26s %5llu records: %5llu blocks compared, %5llu match; %llu images applied, "
              "%llu skipped, %llu without an image",
              kind.c_str(),
              (unsigned long long) c.records,
              (unsigned long long) c.compared,
              (unsigned long long) c.matched,
              (unsigned long long) c.restored,
              (unsigned long long) c.skipped,
              (unsigned long long) c.noImage);
    qInfo("%llu keys (%llu without a base in the layer), %llu blocks compared, %llu match",
          (unsigned long long) r.keys,
          (unsigned long long) r.keysWithoutBase,
          (unsigned long long) r.compared,
          (unsigned long long) r.matched);
    for (const ConsistencyProblem &p : r.problems)
        qWarning("%s@%s (%s, blob at %llu): %s",
                 p.key.toHex().c_str(),
                 p.lsn.toString().c_str(),
                 p.kind.c_str(),
                 (unsigned long long) p.blobOffset,
                 p.message.c_str());
    QCOMPARE(r.problemCount, std::uint64_t(0));
    QVERIFY(r.compared > 3000);
    QCOMPARE(r.matched, r.compared);
}

// Each version's layers pass every check, their records' CRCs, block references and LSNs and
// the image's page checksums included.
void TestPgRedo::everyVersionChecksClean_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<bool>("delta");
    for (const int v : {14, 15, 16, 17})
        for (const bool delta : {true, false})
            QTest::newRow(qPrintable(QStringLiteral("pg%1-%2").arg(v).arg(delta ? "delta" : "image")))
                << v << delta;
}

void TestPgRedo::everyVersionChecksClean()
{
    QFETCH(int, version);
    QFETCH(bool, delta);
    const Layer layer = fixtureLayer(delta, version);
    ValidateOptions o;
    o.pages = true;
    const ValidationReport r = validateLayer(layer.bytes(), o);
    for (const Problem &p : r.problems)
        qWarning("%s: %s", p.check.c_str(), p.message.c_str());
    QCOMPARE(r.errors + r.warnings + r.infos, std::uint64_t(0));
    QVERIFY(r.entriesChecked > 90);
}

void TestPgRedo::everyKindIsProven_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<QString>("kind");
    for (const int v : {14, 15, 16, 17})
        for (const QString &k : workloadKinds(v)) {
            const QString row = QStringLiteral("pg%1-%2").arg(v).arg(
                k.toLower().replace(' ', '-').replace('_', '-').replace('+', '-'));
            QTest::newRow(qPrintable(row)) << v << k;
        }
}

void TestPgRedo::everyKindIsProven()
{
    QFETCH(int, version);
    QFETCH(QString, kind);
    const auto &byKind = oracle(version).byKind;
    const auto it = byKind.find(kind.toStdString());
    // Postgres 14 to 17 from the npm package run the workload but for the second session's
    // row lock: that one needs psql.
    QVERIFY2(it != byKind.end(), "the fixture has no record of this kind");
    QVERIFY(it->second.records > 0);
    QCOMPARE(it->second.matched, it->second.compared);
}

// The relation files at the shutdown checkpoint (the image layer) against the chains below them:
// every page with older data rebuilds to the file's page, masked.
void TestPgRedo::checkpointPagesMatch_data()
{
    everyRecordMatchesPostgres_data();
}

void TestPgRedo::checkpointPagesMatch()
{
    QFETCH(int, version);
    auto t = scanTimeline(fixtureDir(version).toStdString());
    QVERIFY(t);
    const RedoCheckReport r = checkRedo(*t, version);
    for (const TimelineProblem &p : r.problems)
        qWarning("%s: %s", p.check.c_str(), p.message.c_str());
    qInfo("%llu pages: %llu compared, %llu match, %llu with nothing below, %llu not compared",
          (unsigned long long) r.pages,
          (unsigned long long) r.compared,
          (unsigned long long) r.matched,
          (unsigned long long) r.nothingBelow,
          (unsigned long long) r.notCompared);
    QCOMPARE(r.imageLayers, std::uint64_t(1));
    QVERIFY(r.compared >= 50);
    QCOMPARE(r.matched, r.compared);
    QVERIFY(r.problems.empty());
}

namespace {
// The first page of the image layer that has a chain below it and whose layout `wanted` says.
struct Target
{
    Entry entry;
    ByteVector page;
    FileOffset payloadAt = 0;
};
std::optional<Target> comparedPage(const Timeline &t, std::size_t imageIdx, PageMask wanted)
{
    Timeline below = t;
    below.layers[imageIdx].name.reset();
    auto image = openTimelineLayer(t, t.layers[imageIdx].path);
    const auto entries = image->entries(); // kept alive: the loop reads it
    for (const Entry &e : *entries) {
        if (!e.key.isRelBlock() || e.key.field5() != 0)
            continue;
        const ByteVector page = image->value(e)->image();
        if (pageMaskForPage(page) != wanted || page[12] < 40) // at least 4 line pointers
            continue;
        if (wanted == PageMask::Btree && (readLe16(page.data() + 8192 - 4) & 0x0008))
            continue; // a metapage: no items
        const ReadPath path = findReadPath(below, e.key, t.layers[imageIdx].name->lsnStart);
        if (path.complete && !path.steps.empty())
            return Target{e, page, image->blobHeader(e)->payloadOffset()};
    }
    return std::nullopt;
}
} // namespace

void TestPgRedo::alteredImageIsReported_data()
{
    QTest::addColumn<int>("mask");
    QTest::addColumn<QString>("where"); // "item", "lp", "xmin-hint", "checksum", "special"
    QTest::addColumn<int>("reported");
    QTest::addColumn<QString>("field");
    const int heap = int(PageMask::Heap), btree = int(PageMask::Btree);
    QTest::newRow("heap-tuple-data") << heap << "item-data" << 1 << "data";
    QTest::newRow("heap-xmin") << heap << "item-0" << 1 << "t_xmin";
    QTest::newRow("heap-line-pointer") << heap << "lp" << 1 << "line pointer";
    QTest::newRow("heap-hint-bit-is-masked") << heap << "hint" << 0 << "";
    QTest::newRow("heap-checksum-is-masked") << heap << "checksum" << 0 << "";
    QTest::newRow("btree-key") << btree << "item-data" << 1 << "item";
    QTest::newRow("btree-special") << btree << "special" << 1 << "special space";
    QTest::newRow("btree-cycle-id-is-masked") << btree << "cycleid" << 0 << "";
}

void TestPgRedo::alteredImageIsReported()
{
    QFETCH(int, mask);
    QFETCH(QString, where);
    QFETCH(int, reported);
    QFETCH(QString, field);
    auto t = scanTimeline(fixtureDir().toStdString());
    QVERIFY(t);
    std::size_t imageIdx = 0;
    for (std::size_t i = 0; i < t->layers.size(); ++i)
        if (t->layers[i].isMapped() && t->layers[i].name->kind == LayerKind::Image)
            imageIdx = i;
    const auto target = comparedPage(*t, imageIdx, PageMask(mask));
    QVERIFY(target);
    const ByteVector &page = target->page;
    // The first normal item with a key or tuple data: its offset, and its line pointer's.
    std::uint16_t lp1 = 0;
    std::size_t lpAt = 0;
    for (std::size_t k = 24; k < readLe16(page.data() + 12) && !lp1; k += 4) {
        const std::uint32_t w = readLe32(page.data() + k);
        if (((w >> 15) & 3) == 1 && (w >> 17) > (mask == int(PageMask::Heap) ? 24u : 8u))
            lp1 = std::uint16_t(w & 0x7FFF), lpAt = k;
    }
    QVERIFY(lp1);
    std::size_t at = 0;
    std::uint8_t flip = 0x01;
    if (where == "item-data")
        at = lp1 + (mask == int(PageMask::Heap) ? 24 : 8);
    else if (where == "item-0")
        at = lp1;
    else if (where == "lp")
        at = lpAt + 2, flip = 0x04; // the item's length
    else if (where == "hint")
        at = lp1 + 21, flip = 0x01; // t_infomask's high byte: XMIN_COMMITTED
    else if (where == "checksum")
        at = 8;
    else if (where == "special")
        at = 8192 - 16; // btpo_prev
    else if (where == "cycleid")
        at = 8192 - 2;
    QTemporaryDir dir;
    for (const TimelineLayer &l : t->layers) {
        if (!l.isMapped())
            continue;
        QByteArray bytes = testutil::readAll(QString::fromStdString(l.path));
        if (&l == &t->layers[imageIdx])
            bytes[qsizetype(target->payloadAt + at)] = char(bytes[qsizetype(target->payloadAt + at)]
                                                            ^ flip);
        QFile out(dir.filePath(QString::fromStdString(l.fileName)));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
    }
    auto altered = scanTimeline(dir.path().toStdString());
    QVERIFY(altered);
    const RedoCheckReport r = checkRedo(*altered, 15);
    int differs = 0;
    for (const TimelineProblem &p : r.problems) {
        QCOMPARE(QString::fromStdString(p.check), QStringLiteral("redo-image-differs"));
        const QString message = QString::fromStdString(p.message);
        QVERIFY2(message.contains(QString::fromStdString(target->entry.key.toHex())),
                 qPrintable(message));
        QVERIFY2(message.contains(field), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(altered->layers[0].fileName))
                     || message.contains(QString::fromStdString(altered->layers[1].fileName)),
                 qPrintable(message));
        ++differs;
    }
    QCOMPARE(differs, reported);
    QCOMPARE(r.compared - r.matched, std::uint64_t(reported));
}

// A layer of one version read as another's: its records are refused (their image flags or their
// main data's size are not that version's), never replayed into a wrong page; where a record's
// format is the same in both, its page is right.
void TestPgRedo::readAsAnotherVersion_data()
{
    QTest::addColumn<int>("written");
    QTest::addColumn<int>("readAs");
    QTest::addColumn<bool>("refused");
    for (const int w : {14, 15, 16, 17})
        for (const int r : {14, 15, 16, 17})
            if (w != r)
                QTest::newRow(qPrintable(QStringLiteral("pg%1-read-as-pg%2").arg(w).arg(r)))
                    << w << r << true;
}

void TestPgRedo::readAsAnotherVersion()
{
    QFETCH(int, written);
    QFETCH(int, readAs);
    QFETCH(bool, refused);
    auto r = verifyConsistencyImages(fixtureLayer(true, written), readAs, 1000000);
    QVERIFY(r);
    int refusals = 0;
    for (const ConsistencyProblem &p : r->problems) {
        QVERIFY2(!QString::fromStdString(p.message).contains("differs from Postgres's image"),
                 p.message.c_str());
        refusals += QString::fromStdString(p.message).contains("it is not a record of Postgres");
    }
    QCOMPARE(refusals > 0, refused);
    QCOMPARE(r->matched, r->compared);
}

// A byte of a record's block data flipped and its CRC made to fit again (a record written wrong,
// not damaged on disk: no check can see it): the replay must use the byte, so the page differs.
// With the CRC left as it was, the record's own check sees the flip (tst_xlog's rows).
void TestPgRedo::flippedRecordChangesThePage_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("skip"); // bytes of the block data before the flipped one
    QTest::newRow("heap-insert-tuple-data") << "Heap INSERT" << 5 + 4;
    QTest::newRow("heap-hot-update-tuple-data") << "Heap HOT_UPDATE" << 5 + 4;
    QTest::newRow("btree-insert-leaf-key") << "Btree INSERT_LEAF" << 9;
    QTest::newRow("heap2-multi-insert-tuple") << "Heap2 MULTI_INSERT" << 7 + 4;
}

void TestPgRedo::flippedRecordChangesThePage()
{
    QFETCH(QString, kind);
    QFETCH(int, skip);
    const Layer delta = fixtureLayer(true);
    const auto entries = delta.entries();
    QVERIFY(entries);
    std::vector<ChainValue> chain;
    int tried = 0, changed = 0;
    for (std::size_t i = 0; i < entries->size(); ++i) {
        const Entry &e = (*entries)[i];
        if (i && !(e.key == (*entries)[i - 1].key))
            chain.clear();
        chain.push_back(ChainValue{0, e, e.lsn, 0, *delta.value(e)});
        if (chain.front().value.isImage() ? false : !chain.front().value.willInit())
            continue;
        const auto *pg = std::get_if<wal::Postgres>(&chain.back().value.record());
        XLogRecordDecoded d;
        if (!pg || !decodeXLogRecord(pg->rec, 0, d)
            || pgRecordKind(d.header.rmid, d.header.info, 15) != kind.toStdString()
            || chain.size() < 2 || tried >= 40)
            continue;
        const auto block = pgBlockOfKey(d, e.key);
        if (!block || d.blocks[*block].dataLength <= skip || d.blocks[*block].applyImage)
            continue;
        std::vector<ChainValue> mutated = chain;
        auto &rec = std::get<wal::Postgres>(std::get<NeonWalRecord>(mutated.back().value.v)).rec;
        rec[d.blocks[*block].dataAt + std::size_t(skip)] ^= 0x01;
        writeLe32(rec.data() + 20, xlogRecordCrc(rec));
        const Redo clean = redoChain(e.key, chain, {false, false, 15});
        const Redo bad = redoChain(e.key, mutated, {false, false, 15});
        QCOMPARE(int(clean.outcome), int(Redo::Outcome::Reconstructed));
        ++tried;
        changed += bad.outcome != Redo::Outcome::Reconstructed || bad.page != clean.page;
    }
    qInfo("%s: %d of %d records with a flipped byte change the page",
          qPrintable(kind),
          changed,
          tried);
    QVERIFY(tried >= 10);
    QCOMPARE(changed, tried);
}

QTEST_APPLESS_MAIN(TestPgRedo)
#include "tst_pgredo.moc"
