// One timeline across the shards of a tenant: paths in Neon's layout, the layers an index lists
// under another shard found there (or not), and the copies compared.

#include "shardedtenant.h"
#include "testutil.h"

#include <layerscope/format/shard.h>
#include <layerscope/timeline/local_timeline.h>
#include <layerscope/timeline/shard_set.h>

#include <QTemporaryDir>
#include <QTest>

using namespace layerscope;

class TestShardSet : public QObject
{
    Q_OBJECT
private slots:
    void layoutPaths_data();
    void layoutPaths();
    void parentLayersAreFoundInTheirShard_data();
    void parentLayersAreFoundInTheirShard();
    void copiesCompared_data();
    void copiesCompared();
};

void TestShardSet::layoutPaths_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("root"); // "-": not in the layout
    QTest::addColumn<QString>("slug");
    QTest::addColumn<QString>("timeline");
    QTest::addColumn<QString>("rest");
    QTest::addColumn<QString>("parentTimeline"); // timelinePath("0002")
    const QString t = "3aa8fcc61f6d357410b7de754b1d9001", tl = "0f2a3e9c0b1d4e5f8a7b6c5d4e3f2a1b";
    QTest::newRow("layer-of-a-shard") << "/r/tenants/" + t + "-0104/timelines/" + tl + "/L-00000002"
                                      << "/r/"
                                      << "0104" << tl << "L-00000002"
                                      << "/r/tenants/" + t + "-0002/timelines/" + tl + "/";
    QTest::newRow("s3-timeline-prefix")
        << "s3://b/pageserver/v1/tenants/" + t + "-0304/timelines/" + tl + "/"
        << "s3://b/pageserver/v1/"
        << "0304" << tl << ""
        << "s3://b/pageserver/v1/tenants/" + t + "-0002/timelines/" + tl + "/";
    QTest::newRow("unsharded-no-slash") << "tenants/" + t + "/timelines/" + tl << ""
                                        << "" << tl << ""
                                        << "tenants/" + t + "-0002/timelines/" + tl + "/";
    QTest::newRow("tenant-only") << "/r/tenants/" + t << "/r/"
                                 << ""
                                 << ""
                                 << ""
                                 << "/r/tenants/" + t + "-0002/timelines//";
    QTest::newRow("timeline-not-hex") << "/r/tenants/" + t + "/timelines/main/L"
                                      << "/r/"
                                      << ""
                                      << ""
                                      << ""
                                      << "/r/tenants/" + t + "-0002/timelines//";
    QTest::newRow("tenant-not-hex") << "/r/tenants/alpha/timelines/" + tl << "-"
                                    << ""
                                    << ""
                                    << ""
                                    << "";
    QTest::newRow("bad-slug") << "/r/tenants/" + t + "-0404/timelines/" + tl << "-"
                              << ""
                              << ""
                              << ""
                              << "";
    QTest::newRow("uppercase-tenant") << "/r/tenants/" + t.toUpper() + "/timelines/" + tl << "-"
                                      << ""
                                      << ""
                                      << ""
                                      << "";
}

void TestShardSet::layoutPaths()
{
    QFETCH(QString, path);
    QFETCH(QString, root);
    QFETCH(QString, slug);
    QFETCH(QString, timeline);
    QFETCH(QString, rest);
    QFETCH(QString, parentTimeline);
    const auto p = parseLayoutPath(path.toStdString());
    QCOMPARE(p.has_value(), root != "-");
    if (!p)
        return;
    QCOMPARE(QString::fromStdString(p->root), root);
    QCOMPARE(QString::fromStdString(p->tenant), QString("3aa8fcc61f6d357410b7de754b1d9001"));
    QCOMPARE(QString::fromStdString(p->slug), slug);
    QCOMPARE(QString::fromStdString(p->timeline), timeline);
    QCOMPARE(QString::fromStdString(p->rest), rest);
    QCOMPARE(QString::fromStdString(p->timelinePath("0002")), parentTimeline);
}

// Each child of the 4-shard tenant, opened alone: the parent's layers its index lists are read
// from the parent's directory (paths there, sizes matching), the one that is gone is said with
// the shard and directory, its own layers stay its own.
void TestShardSet::parentLayersAreFoundInTheirShard_data()
{
    QTest::addColumn<QString>("slug");
    QTest::addColumn<int>("own");
    QTest::addColumn<int>("fromParent");
    QTest::addColumn<bool>("missing");
    QTest::newRow("child-0") << "0004" << 1 << 2 << false;
    QTest::newRow("child-1-compacted-the-delta") << "0104" << 1 << 1 << false;
    QTest::newRow("child-3-lists-a-gone-layer") << "0304" << 1 << 1 << true;
}

void TestShardSet::parentLayersAreFoundInTheirShard()
{
    QFETCH(QString, slug);
    QFETCH(int, own);
    QFETCH(int, fromParent);
    QFETCH(bool, missing);
    QTemporaryDir tree;
    const shardedtenant::Planted planted = shardedtenant::write(tree.path());
    auto t = openLocalTimeline(tree.filePath(shardedtenant::timelineDir(slug)).toStdString());
    QVERIFY(t);
    QCOMPARE(QString::fromStdString(t->shard.value_or("-")), slug);
    QCOMPARE(t->diskConsistentLsn, std::optional(Lsn{0x5000050}));
    const QString parent = tree.filePath(shardedtenant::timelineDir(
        QString::fromStdString(ShardIdentity{std::uint8_t(slug[1].digitValue() % 2), 2}.slug())));
    int ownSeen = 0, fromParentSeen = 0, missingSeen = 0;
    for (const TimelineLayer &l : t->layers) {
        QVERIFY2(l.listed, l.fileName.c_str()); // the index files are not layers
        QVERIFY(l.indexProblems.empty());
        if (!l.otherShard) {
            ++ownSeen;
            QVERIFY(QString::fromStdString(l.path).contains("-" + slug + "/"));
        } else if (l.shardMissing.empty()) {
            ++fromParentSeen;
            QVERIFY(l.onDisk);
            QVERIFY2(QString::fromStdString(l.path).startsWith(parent), l.path.c_str());
            QCOMPARE(l.fileSize, l.listedSize);
        } else {
            ++missingSeen;
            QCOMPARE(QString::fromStdString(l.fileName), planted.missingName);
            QVERIFY(!l.onDisk);
            QVERIFY2(QString::fromStdString(l.shardMissing)
                         .startsWith("listed in the index as shard " + planted.missingShard
                                     + "'s layer (generation 00000001), but not in " + parent),
                     l.shardMissing.c_str());
        }
    }
    QCOMPARE(ownSeen, own);
    QCOMPARE(fromParentSeen, fromParent);
    QCOMPARE(missingSeen, missing ? 1 : 0);
}

void TestShardSet::copiesCompared_data()
{
    QTest::addColumn<QStringList>("copies");   // slug:dcl[:ancestor]  (dcl "-": no index)
    QTest::addColumn<QStringList>("expected"); // check@slug
    QTest::newRow("all-agree") << QStringList{"0004:500", "0104:500", "0204:500", "0304:500"}
                               << QStringList{};
    QTest::newRow("parents-are-not-compared")
        << QStringList{"0002:100:aa", "0102:-", "0004:500", "0104:500", "0204:500", "0304:500"}
        << QStringList{};
    QTest::newRow("a-shard-missing")
        << QStringList{"0004:500", "0104:500", "0304:500"} << QStringList{"shard-missing@0204"};
    QTest::newRow("a-shard-unindexed") << QStringList{"0004:500", "0104:-", "0204:500", "0304:500"}
                                       << QStringList{"shard-missing@0104"};
    QTest::newRow("none-indexed") << QStringList{"0002:-", "0102:-"} << QStringList{};
    QTest::newRow("ancestry-differs")
        << QStringList{"0002:500", "0102:500:aa"} << QStringList{"shard-ancestry@0102"};
    QTest::newRow("lsn-spread-once-at-the-lowest")
        << QStringList{"0004:500", "0104:480", "0204:4a0", "0304:500"}
        << QStringList{"shard-lsn-spread@0104"};
    QTest::newRow("unsharded") << QStringList{":500"} << QStringList{};
}

void TestShardSet::copiesCompared()
{
    QFETCH(QStringList, copies);
    QFETCH(QStringList, expected);
    const QString t = "3aa8fcc61f6d357410b7de754b1d9001", tl = "0f2a3e9c0b1d4e5f8a7b6c5d4e3f2a1b";
    std::vector<ShardTimeline> in;
    for (const QString &c : copies) {
        ShardTimeline s;
        s.slug = c.section(':', 0, 0).toStdString();
        s.path = ("/r/tenants/" + t + (s.slug.empty() ? "" : "-") + c.section(':', 0, 0)
                  + "/timelines/" + tl + "/")
                     .toStdString();
        if (c.section(':', 1, 1) != "-") {
            s.indexed = true;
            s.diskConsistentLsn = Lsn{c.section(':', 1, 1).toULongLong(nullptr, 16)};
            s.ancestorTimeline = c.section(':', 2, 2).toStdString();
            s.ancestorLsn = Lsn{0};
        }
        in.push_back(s);
    }
    QStringList found;
    for (const ShardSetProblem &p : checkShardSet(in)) {
        const auto place = parseLayoutPath(p.where);
        QVERIFY(place);
        found << QString::fromStdString(p.check + "@" + place->slug);
        QCOMPARE(p.severity, findCheck(p.check)->severity);
    }
    QCOMPARE(found, expected);
}

QTEST_GUILESS_MAIN(TestShardSet)
#include "tst_shard_set.moc"
