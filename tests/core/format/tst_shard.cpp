// Shard placement against Neon's own unit tests (libs/pageserver_api shard.rs: murmur_hash,
// shard_mapping) and Neon's rules: which keys live on shard 0, which every shard keeps, which a
// shard may dispose of; stripes keep a relation's blocks together and spread evenly.
#include <layerscope/format/shard.h>

#include <QTest>

#include <map>

using namespace layerscope;

class TestShard : public QObject
{
    Q_OBJECT
private slots:
    void neonsOwnVectors();
    void placement_data();
    void placement();
    void stripesStayTogetherAndSpread();
    void keyRanges_data();
    void keyRanges();
    void slugs_data();
    void slugs();
    void paths_data();
    void paths();
};

void TestShard::neonsOwnVectors()
{
    QCOMPARE(murmurHash32(0), 0u);
    QCOMPARE(hashCombine(0xb1ff3b40, 0), 0xfb7923c9u);
    const Key key = Key::fromFields(0x00, 0x67f, 0x5, 0x400c, 0x00, 0x7d06);
    QCOMPARE(int(keyToShardNumber(10, 32768, key)), 8);
}

void TestShard::placement_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("shard0");
    QTest::addColumn<bool>("global");
    // rel 1663/5/16384 main-fork blocks, its size, its init fork; SLRU; directories; aux.
    QTest::newRow("rel-block") << "000000067F0000000500004000000000007B" << false << false;
    QTest::newRow("rel-init-fork-block") << "000000067F0000000500004000030000007B" << true << false;
    QTest::newRow("rel-size") << "000000067F000000050000400000FFFFFFFF" << true << true;
    QTest::newRow("rel-dir") << "000000067F00000005000000000000000001" << true << true;
    QTest::newRow("db-dir") << "000000000000000000000000000000000000" << true << true;
    QTest::newRow("clog-block") << "010000000000000001000000000000000003" << true << false;
    QTest::newRow("clog-seg-size") << "0100000000000000010000000000FFFFFFFF" << true << false;
    QTest::newRow("slru-dir") << "010000000000000000000000000000000000" << true << false;
    QTest::newRow("aux-v2") << "620000010100000000000000000000000001" << true << false;
    QTest::newRow("checkpoint") << "030000000000000000000000000000000001" << true << true;
}

void TestShard::placement()
{
    QFETCH(QString, key);
    QFETCH(bool, shard0);
    QFETCH(bool, global);
    const Key k = *Key::fromHex(key.toStdString());
    QCOMPARE(keyIsShard0(k), shard0);
    QCOMPARE(isKeyGlobal(k), global);
    const std::uint8_t owner = keyToShardNumber(4, kDefaultStripePages, k);
    if (shard0)
        QCOMPARE(int(owner), 0);
    for (std::uint8_t n = 0; n < 4; ++n) {
        const ShardIdentity shard{n, 4, kDefaultStripePages};
        // Its owner holds it; shard 0 holds every shard-0 key; others may drop what is neither
        // theirs nor kept everywhere.
        QCOMPARE(isKeyLocal(shard, k), n == owner);
        QCOMPARE(isKeyDisposable(shard, k), n != owner && !global);
    }
    // Unsharded: everything is local, nothing disposable.
    QVERIFY(isKeyLocal(ShardIdentity{}, k));
    QVERIFY(!isKeyDisposable(ShardIdentity{}, k));
    QCOMPARE(int(keyToShardNumber(1, kDefaultStripePages, k)), 0);
}

void TestShard::stripesStayTogetherAndSpread()
{
    // The blocks of one stripe share a shard; over many stripes each of 8 shards gets its share.
    std::map<int, int> perShard;
    for (std::uint32_t stripe = 0; stripe < 8000; ++stripe) {
        const auto at = [&](std::uint32_t blk) {
            return keyToShardNumber(8,
                                    kDefaultStripePages,
                                    Key::fromFields(0, 1663, 5, 16384, 0, blk));
        };
        const std::uint8_t first = at(stripe * kDefaultStripePages);
        QCOMPARE(at(stripe * kDefaultStripePages + kDefaultStripePages - 1), first);
        QVERIFY(first < 8);
        ++perShard[first];
    }
    QCOMPARE(perShard.size(), std::size_t(8));
    for (const auto &[shard, n] : perShard)
        QVERIFY2(n > 800 && n < 1200,
                 qPrintable(QString("shard %1: %2 stripes of 8000").arg(shard).arg(n)));
    // Another stripe size moves blocks: the stripe is part of the rule.
    int moved = 0;
    for (std::uint32_t blk = 0; blk < 100 * kLegacyStripePages; blk += kLegacyStripePages / 2)
        moved += keyToShardNumber(8, kDefaultStripePages, Key::fromFields(0, 1663, 5, 16384, 0, blk))
                 != keyToShardNumber(8,
                                     kLegacyStripePages,
                                     Key::fromFields(0, 1663, 5, 16384, 0, blk));
    QVERIFY(moved > 50);
}

// Owners of key ranges, 10 shards of 32768 pages over relation 0x400c, whose stripes 0..5 land
// on shards 8, 3, 4, 9, 7 and 7 (stripe 0 is Neon's own vector above).
void TestShard::keyRanges_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<int>("kind"); // KeyRangeOwner::Kind
    QTest::addColumn<int>("shard");
    auto block = [](std::uint32_t rel, std::uint8_t fork, std::uint32_t blk) {
        return QString::fromStdString(Key::fromFields(0x00, 0x67f, 0x5, rel, fork, blk).toHex());
    };
    const int one = int(KeyRangeOwner::Kind::Shard), every = int(KeyRangeOwner::Kind::Every),
              several = int(KeyRangeOwner::Kind::Several);
    QTest::newRow("one-key") << 10 << block(0x400c, 0, 0x7d06) << block(0x400c, 0, 0x7d07) << one
                             << 8;
    QTest::newRow("whole-stripe") << 10 << block(0x400c, 0, 0) << block(0x400c, 0, 32768) << one
                                  << 8;
    QTest::newRow("one-key-into-the-next-stripe")
        << 10 << block(0x400c, 0, 0) << block(0x400c, 0, 32769) << several << 0;
    QTest::newRow("two-stripes-of-one-shard")
        << 10 << block(0x400c, 0, 4 * 32768) << block(0x400c, 0, 6 * 32768) << one << 7;
    QTest::newRow("stripes-and-the-size")
        << 10 << block(0x400c, 0, 5 * 32768) << block(0x400c, 1, 0) << several << 0;
    QTest::newRow("relation-size")
        << 10 << block(0x400c, 0, 0xFFFFFFFF) << block(0x400c, 1, 0) << every << 0;
    QTest::newRow("init-fork") << 10 << block(0x400c, 3, 0) << block(0x400c, 3, 900000) << one << 0;
    QTest::newRow("two-relations")
        << 10 << block(0x400c, 0, 0) << block(0x400d, 0, 1) << several << 0;
    QTest::newRow("relations-and-slru")
        << 10 << block(0x400c, 0, 0) << "010000000000000001000000000000000003" << several << 0;
    QTest::newRow("slru-to-the-end") << 10 << "010000000000000001000000000000000003"
                                     << QString::fromStdString(Key::max().toHex()) << one << 0;
    QTest::newRow("unsharded") << 1 << block(0x400c, 0, 0) << block(0x400d, 0, 1) << one << 0;
}

void TestShard::keyRanges()
{
    QFETCH(int, count);
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(int, kind);
    QFETCH(int, shard);
    const KeyRangeOwner o = keyRangeOwner(std::uint8_t(count),
                                          32768,
                                          *Key::fromHex(from.toStdString()),
                                          *Key::fromHex(to.toStdString()));
    QCOMPARE(int(o.kind), kind);
    QCOMPARE(int(o.shard), shard);
}

void TestShard::slugs_data()
{
    QTest::addColumn<QString>("slug");
    QTest::addColumn<int>("number"); // -1: refused
    QTest::addColumn<int>("count");
    QTest::newRow("first-of-four") << "0004" << 0 << 4;
    QTest::newRow("second-of-four") << "0104" << 1 << 4;
    QTest::newRow("last-of-255") << "feff" << 254 << 255;
    QTest::newRow("number-not-below-count") << "0404" << -1 << 0;
    QTest::newRow("count-zero") << "0000" << -1 << 0;
    QTest::newRow("uppercase") << "0A10" << -1 << 0;
    QTest::newRow("three-digits") << "010" << -1 << 0;
    QTest::newRow("not-hex") << "zz04" << -1 << 0;
}

void TestShard::slugs()
{
    QFETCH(QString, slug);
    QFETCH(int, number);
    QFETCH(int, count);
    const auto s = ShardIdentity::fromSlug(slug.toStdString());
    QCOMPARE(s.has_value(), number >= 0);
    if (!s)
        return;
    QCOMPARE(int(s->number), number);
    QCOMPARE(int(s->count), count);
    QCOMPARE(QString::fromStdString(s->slug()), slug);
    QCOMPARE(QString::fromStdString(ShardIdentity{}.slug()), QString());
}

void TestShard::paths_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("slug"); // empty: no shard
    const QString t = "3aa8fcc61f6d357410b7de754b1d9001";
    QTest::newRow("local-timeline") << "/r/tenants/" + t + "-0104/timelines/" + t + "/L"
                                    << "0104";
    QTest::newRow("relative") << "tenants/" + t + "-0304/timelines/x/"
                              << "0304";
    QTest::newRow("s3-prefix") << "s3://bucket/pageserver/v1/tenants/" + t + "-0008/timelines/y/"
                               << "0008";
    QTest::newRow("unsharded") << "/r/tenants/" + t + "/timelines/" + t + "/L"
                               << "";
    QTest::newRow("not-the-layout") << "/data/layers/" + t + "-0104/L"
                                    << "";
    QTest::newRow("bad-slug") << "/r/tenants/" + t + "-0404/timelines/x/L"
                              << "";
    QTest::newRow("mytenants-is-not-tenants") << "/r/mytenants/" + t + "-0104/timelines/x/L"
                                              << "";
}

void TestShard::paths()
{
    QFETCH(QString, path);
    QFETCH(QString, slug);
    const auto s = shardOfPath(path.toStdString(), kLegacyStripePages);
    QCOMPARE(s.has_value(), !slug.isEmpty());
    if (s) {
        QCOMPARE(QString::fromStdString(s->slug()), slug);
        QCOMPARE(s->stripePages, kLegacyStripePages);
    }
}

QTEST_GUILESS_MAIN(TestShard)
#include "tst_shard.moc"
