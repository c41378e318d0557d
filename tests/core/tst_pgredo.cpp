// Postgres records replayed offline (core/redo), proven against Postgres itself: the fixture
// tests/data/pg15-redo was written with wal_consistency_checking = 'all', so every record
// carries the image of every page it touches as Postgres left it; every one is compared with
// the replayed page under Postgres's own masks. Then the pages at the shutdown checkpoint (the
// image layer, from the cluster's relation files) against the chains replayed up to it.
#include <layerscope/format/layer.h>
#include <layerscope/redo/consistency.h>
#include <layerscope/redo/page_mask.h>
#include <layerscope/redo/pg_redo.h>
#include <layerscope/timeline/redo.h>
#include <layerscope/timeline/timeline.h>

#include "testutil.h"

#include <QDir>
#include <QtTest>

using namespace layerscope;

namespace {
QString fixtureDir()
{
    return QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15-redo");
}

// The fixture's layer of the given kind ("delta": two LSNs in its name).
Layer fixtureLayer(bool delta)
{
    for (const QString &name : QDir(fixtureDir()).entryList({"*__*"}, QDir::Files)) {
        if (name.contains('-', Qt::CaseSensitive) && name.section("__", 1).contains('-') == delta) {
            auto l = Layer::openFile((fixtureDir() + '/' + name).toStdString());
            if (!l)
                qFatal("%s", l.error().message().c_str());
            return *l;
        }
    }
    qFatal("no %s layer in %s", delta ? "delta" : "image", qPrintable(fixtureDir()));
}

const ConsistencyReport &oracle()
{
    static const ConsistencyReport report = [] {
        auto r = verifyConsistencyImages(fixtureLayer(true), 50);
        if (!r)
            qFatal("%s", r.error().message().c_str());
        return *r;
    }();
    return report;
}
} // namespace

class TestPgRedo : public QObject
{
    Q_OBJECT
private slots:
    void everyRecordMatchesPostgres();
    void everyKindIsProven_data();
    void everyKindIsProven();
};

void TestPgRedo::everyRecordMatchesPostgres()
{
    const ConsistencyReport &r = oracle();
    for (const auto &[kind, c] : r.byKind)
        qInfo("%-26s %5llu records: %5llu blocks compared, %5llu match; %llu images applied, "
              "%llu skipped, %llu without an image",
              kind.c_str(), (unsigned long long)c.records, (unsigned long long)c.compared,
              (unsigned long long)c.matched, (unsigned long long)c.restored,
              (unsigned long long)c.skipped, (unsigned long long)c.noImage);
    qInfo("%llu keys (%llu without a base in the layer), %llu blocks compared, %llu match",
          (unsigned long long)r.keys, (unsigned long long)r.keysWithoutBase,
          (unsigned long long)r.compared, (unsigned long long)r.matched);
    for (const ConsistencyProblem &p : r.problems)
        qWarning("%s@%s (%s, blob at %llu): %s", p.key.toHex().c_str(), p.lsn.toString().c_str(),
                 p.kind.c_str(), (unsigned long long)p.blobOffset, p.message.c_str());
    QCOMPARE(r.problemCount, std::uint64_t(0));
    QVERIFY(r.compared > 3000);
    QCOMPARE(r.matched, r.compared);
}

void TestPgRedo::everyKindIsProven_data()
{
    QTest::addColumn<QString>("kind");
    for (const char *k : {"XLOG FPI", "XLOG FPI_FOR_HINT", "Heap INSERT", "Heap INSERT+INIT",
                          "Heap DELETE", "Heap UPDATE", "Heap HOT_UPDATE", "Heap LOCK",
                          "Heap INPLACE", "Heap CONFIRM", "Heap2 PRUNE", "Heap2 VACUUM",
                          "Heap2 FREEZE_PAGE", "Heap2 VISIBLE", "Heap2 MULTI_INSERT",
                          "Heap2 MULTI_INSERT+INIT", "Heap2 LOCK_UPDATED", "Btree INSERT_LEAF",
                          "Btree INSERT_UPPER", "Btree INSERT_META", "Btree INSERT_POST",
                          "Btree SPLIT_L", "Btree SPLIT_R", "Btree DEDUP", "Btree VACUUM",
                          "Btree DELETE", "Btree MARK_PAGE_HALFDEAD", "Btree UNLINK_PAGE",
                          "Btree UNLINK_PAGE_META", "Btree NEWROOT", "Btree META_CLEANUP",
                          "Sequence LOG"}) {
        QString row = QString::fromLatin1(k).toLower().replace(' ', '-').replace('_', '-').replace('+', '-');
        QTest::newRow(qPrintable(row)) << QString::fromLatin1(k);
    }
}

void TestPgRedo::everyKindIsProven()
{
    QFETCH(QString, kind);
    const auto &byKind = oracle().byKind;
    const auto it = byKind.find(kind.toStdString());
    QVERIFY2(it != byKind.end(), "the fixture has no record of this kind");
    QVERIFY(it->second.records > 0);
    QCOMPARE(it->second.matched, it->second.compared);
}

QTEST_APPLESS_MAIN(TestPgRedo)
#include "tst_pgredo.moc"
