#include "testutil.h"

#include <layerscope/index/btree.h>
#include <layerscope/index/tree_shape.h>

#include <QTest>

#include <map>
#include <random>

using namespace layerscope;

class TestBtree : public QObject
{
    Q_OBJECT
private slots:
    void neonUnitTestLeaf();
    void twoLevelImageIndex();
    void randomTrees_data();
    void randomTrees();
    void builderErrors();
    void nodeErrors_data();
    void nodeErrors();
    void cycleIsAnError();
};

namespace {
// Explicit comparator: GCC 12's inlined operator<=> on vectors trips -Wstringop-overread.
struct ByteLess
{
    bool operator()(const ByteVector &a, const ByteVector &b) const
    {
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }
};
using EntryMap = std::map<ByteVector, std::uint64_t, ByteLess>;

struct Built
{
    ByteVector blocks;
    std::uint32_t root = 0;
};

Built build(const EntryMap &entries, std::size_t keyLen)
{
    Built b;
    BTreeBuilder builder(keyLen, [&](const ByteVector &blk) { appendBytes(b.blocks, blk); });
    for (const auto &[k, v] : entries)
        if (!builder.append(k, v))
            qFatal("append failed");
    b.root = *builder.finish();
    return b;
}

EntryMap randomEntries(std::mt19937_64 &rng, std::size_t n,
                                                  std::size_t keyLen, std::size_t sharedPrefix)
{
    EntryMap m;
    ByteVector prefix(sharedPrefix);
    for (auto &c : prefix)
        c = std::uint8_t(rng());
    while (m.size() < n) {
        ByteVector k = prefix;
        while (k.size() < keyLen)
            k.push_back(std::uint8_t(rng() % 7));  // few symbols: long shared runs
        m.emplace(std::move(k), rng() & kBtreeMaxLeafValue);
    }
    return m;
}
} // namespace

void TestBtree::neonUnitTestLeaf()
{
    // FORMAT.md §14.8: Neon's own unit-test input.
    EntryMap entries;
    const char *keys[] = {"xaaaaa", "xaaaba", "xaaaca", "xabaaa",
                          "xababa", "xabaca", "xabada", "xabadb"};
    for (int i = 0; i < 8; ++i)
        entries[ByteVector(keys[i], keys[i] + 6)] = std::uint64_t(i);
    const Built b = build(entries, 6);
    QCOMPARE(b.root, 0u);
    QCOMPARE(b.blocks.size(), std::size_t(8192));
    const ByteVector expected = testutil::hexBytes(
        "0008000006"
        "786161616161 786161616261 786161616361 786162616161"
        "786162616261 786162616361 786162616461 786162616462"
        "0000000000 0000000001 0000000002 0000000003"
        "0000000004 0000000005 0000000006 0000000007");
    QCOMPARE(ByteVector(b.blocks.begin(), b.blocks.begin() + 93), expected);
    QVERIFY(std::all_of(b.blocks.begin() + 93, b.blocks.end(), [](auto c) { return c == 0; }));

    BTreeReader r(b.blocks, 0, b.root, 6);
    bool found = false;
    for (const auto &[k, v] : entries) {
        auto got = r.get(k, found);
        QVERIFY(got && found);
        QCOMPARE(*got, v);
    }
    for (const char *missing : {"aaaaaa", "zzzzzz", "xaaabx"}) {
        QVERIFY(r.get(ByteVector(missing, missing + 6), found));
        QVERIFY(!found);
    }
    std::vector<std::uint64_t> back;
    QVERIFY(r.visitBackward(ByteVector{'x', 'a', 'b', 'a', 'a', 'a'},
                            [&](Bytes, std::uint64_t v) {
                                back.push_back(v);
                                return true;
                            }));
    QCOMPARE(back, (std::vector<std::uint64_t>{3, 2, 1, 0}));
    auto dump = r.dumpNeon();
    QVERIFY(dump);
    QVERIFY(QString::fromStdString(*dump).startsWith(
        "blk #0: path : prefix , suffix_len 6\n  786161616161: 0000000000\n"));
}

void TestBtree::twoLevelImageIndex()
{
    // FORMAT.md §14.10: 3000 pages of one relation.
    EntryMap entries;
    const ByteVector prefix = testutil::hexBytes("000000067F00004005000060F3000000");
    for (std::uint64_t i = 0; i < 3000; ++i) {
        ByteVector k = prefix;
        k.push_back(std::uint8_t(i >> 8));
        k.push_back(std::uint8_t(i));
        entries[k] = 8192 + 8196 * i;
    }
    const Built b = build(entries, 18);
    QCOMPARE(b.blocks.size(), std::size_t(4 * 8192));
    QCOMPARE(b.root, 3u);
    BTreeReader r(b.blocks, 0, b.root, 18);
    auto leaf0 = r.node(0);
    QVERIFY(leaf0);
    QCOMPARE(int(leaf0->count), 1167);
    QCOMPARE(int(leaf0->level), 0);
    QCOMPARE(QString::fromStdString(toHex(leaf0->prefix)),
             QString("000000067f00004005000060f3000000"));
    QCOMPARE(int(leaf0->suffixLen), 2);
    QCOMPARE(leaf0->usedBytes(), std::size_t(8190));
    QCOMPARE(QString::fromStdString(toHex(leaf0->rawValue(1166))), QString("000091f238"));
    auto leaf2 = r.node(2);
    QCOMPARE(int(leaf2->count), 666);
    QCOMPARE(leaf2->usedBytes(), std::size_t(4683));
    auto root = r.node(3);
    QCOMPARE(int(root->count), 3);
    QCOMPARE(int(root->level), 1);
    QCOMPARE(QString::fromStdString(toHex(Bytes(b.blocks).subspan(3 * 8192, 5))),
             QString("0003010012"));
    QCOMPARE(QString::fromStdString(toHex(root->rawValue(2))), QString("8000000002"));
    auto dump = r.dumpNeon();
    QVERIFY(dump);
    QVERIFY(QString::fromStdString(*dump).startsWith(
        "blk #3: path : prefix , suffix_len 18\n"
        "  000000067f00004005000060f30000000000: 8000000000\n"
        "  blk #0: path : prefix 000000067f00004005000060f3000000, suffix_len 2\n"
        "    0000: 0000002000\n"));
    // The second leaf follows the root's second entry; the root's pending third entry and
    // the leaf's own tag (the root's prefix) are both empty.
    QVERIFY(QString::fromStdString(*dump).contains(
        "  000000067f00004005000060f3000000048f: 8000000001\n"
        "  blk #1: path : prefix 000000067f00004005000060f3000000, suffix_len 2\n"
        "    048f: 000092123c\n"));
}

void TestBtree::randomTrees_data()
{
    QTest::addColumn<int>("entries");
    QTest::addColumn<int>("keyLen");
    QTest::addColumn<int>("sharedPrefix");
    QTest::addColumn<int>("expectedDepth");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("single-entry") << 1 << 18 << 0 << 1 << quint64(1);
    QTest::newRow("one-full-leaf-delta-keys") << 250 << 26 << 0 << 1 << quint64(2);
    QTest::newRow("two-levels-long-shared-prefix") << 5000 << 26 << 20 << 2 << quint64(3);
    QTest::newRow("two-levels-short-prefix") << 5000 << 18 << 2 << 2 << quint64(4);
    QTest::newRow("three-levels-delta-keys") << 80000 << 26 << 0 << 3 << quint64(5);
    QTest::newRow("three-levels-wide-keys") << 3000 << 200 << 0 << 3 << quint64(6);
    QTest::newRow("four-levels-wide-keys") << 70000 << 200 << 0 << 4 << quint64(7);
}

void TestBtree::randomTrees()
{
    QFETCH(int, entries);
    QFETCH(int, keyLen);
    QFETCH(int, sharedPrefix);
    QFETCH(int, expectedDepth);
    QFETCH(quint64, seed);
    std::mt19937_64 rng(seed);
    const auto m = randomEntries(rng, std::size_t(entries), std::size_t(keyLen),
                                 std::size_t(sharedPrefix));
    const Built b = build(m, std::size_t(keyLen));
    BTreeReader r(b.blocks, 0, b.root, std::size_t(keyLen));
    // Depth and a full forward scan equal to the input.
    int depth = 0;
    QVERIFY(r.walkNodes([&](const NodeView &, int d) {
        depth = std::max(depth, d + 1);
        return true;
    }));
    QCOMPARE(depth, expectedDepth);
    QCOMPARE(std::uint64_t(b.root) + 1, std::uint64_t(b.blocks.size() / 8192));
    auto shape = buildTreeShape(r);
    QVERIFY(shape);
    QCOMPARE(shape->totalEntries, std::uint64_t(entries));
    QCOMPARE(shape->depth(), expectedDepth);
    QCOMPARE(shape->nodes.size(), b.blocks.size() / 8192);
    // Every position maps to the leaf whose range holds it; subtree ranges nest.
    for (std::uint64_t pos : {std::uint64_t(0), std::uint64_t(entries / 2), std::uint64_t(entries - 1)}) {
        const auto &leaf = shape->nodes[shape->leaves[shape->leafForPosition(pos)]];
        QVERIFY(leaf.firstEntry <= pos && pos < leaf.firstEntry + leaf.entries);
        for (auto p = leaf.parent; p >= 0; p = shape->nodes[std::size_t(p)].parent) {
            const auto &anc = shape->nodes[std::size_t(p)];
            QVERIFY(anc.firstEntry <= pos && pos < anc.firstEntry + anc.entries);
        }
    }
    QCOMPARE(shape->nodes.front().entries, std::uint64_t(entries));

    std::vector<std::pair<ByteVector, std::uint64_t>> all;
    QVERIFY(r.visitForward(ByteVector(std::size_t(keyLen), 0), [&](Bytes k, std::uint64_t v) {
        all.emplace_back(ByteVector(k.begin(), k.end()), v);
        return true;
    }));
    QCOMPARE(all.size(), m.size());
    auto it = m.begin();
    for (const auto &[k, v] : all) {
        QCOMPARE(k, it->first);
        QCOMPARE(v, it->second);
        ++it;
    }
    // Probes: forward and backward visits from random keys (present and absent).
    for (int probe = 0; probe < 40; ++probe) {
        ByteVector s;
        if (probe % 2) {
            auto pick = m.begin();
            std::advance(pick, std::ptrdiff_t(rng() % m.size()));
            s = pick->first;
        } else {
            s = randomEntries(rng, 1, std::size_t(keyLen), 0).begin()->first;
        }
        std::vector<std::uint64_t> fwd, bwd;
        QVERIFY(r.visitForward(s, [&](Bytes, std::uint64_t v) {
            fwd.push_back(v);
            return fwd.size() < 5;
        }));
        QVERIFY(r.visitBackward(s, [&](Bytes, std::uint64_t v) {
            bwd.push_back(v);
            return bwd.size() < 5;
        }));
        std::vector<std::uint64_t> efwd, ebwd;
        for (auto i = m.lower_bound(s); i != m.end() && efwd.size() < 5; ++i)
            efwd.push_back(i->second);
        for (auto i = m.upper_bound(s); i != m.begin() && ebwd.size() < 5;)
            ebwd.push_back((--i)->second);
        QCOMPARE(fwd, efwd);
        QCOMPARE(bwd, ebwd);
        bool found = false;
        auto g = r.get(s, found);
        QVERIFY(g);
        QCOMPARE(found, m.count(s) == 1);
    }
}

void TestBtree::builderErrors()
{
    BTreeBuilder b(4, [](const ByteVector &) {});
    QVERIFY(!b.finish());
    QVERIFY(b.append(ByteVector{0, 0, 0, 2}, 1));
    auto unsorted = b.append(ByteVector{0, 0, 0, 2}, 1);
    QVERIFY(!unsorted);
    QVERIFY(QString::fromStdString(unsorted.error().found).contains("unsorted"));
    auto overflow = b.append(ByteVector{0, 0, 0, 3}, kBtreeMaxLeafValue + 1);
    QVERIFY(!overflow);
    QVERIFY(QString::fromStdString(overflow.error().found).contains("append overflow"));
    QVERIFY(!b.append(ByteVector{0, 0, 3}, 1));
}

void TestBtree::nodeErrors_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qulonglong>("offset");
    QTest::addColumn<QString>("found");
    QTest::newRow("no-entries") << QByteArray("0000000012") << 0ull << "num_children 0";
    QTest::newRow("prefix-plus-suffix-wrong") << QByteArray("0001000510") << 3ull << "5 + 16";
    QTest::newRow("too-many-entries") << QByteArray("ffff000012") << 0ull << "1507310 bytes";
    QTest::newRow("internal-without-marker") << QByteArray("0001010012") << 23ull
                                             << "0x00 in entry 0";
}

void TestBtree::nodeErrors()
{
    QFETCH(QByteArray, header);
    QFETCH(qulonglong, offset);
    QFETCH(QString, found);
    ByteVector block = testutil::hexBytes(header.constData());
    block.resize(8192, 0);
    auto n = decodeNode(block, 0, 0, 18);
    QVERIFY(!n);
    QCOMPARE(n.error().offset, offset);
    QCOMPARE(QString::fromStdString(n.error().found), found);
    auto shortBlock = decodeNode(Bytes(block).first(100), 0, 0, 18);
    QVERIFY(!shortBlock);
}

void TestBtree::cycleIsAnError()
{
    // Root (block 1, level 1) whose two children are both block 0, and a self-loop.
    ByteVector blocks(2 * 8192, 0);
    ByteVector leaf = testutil::hexBytes("0001000012 000000000000000000000000000000000001 0000002000");
    std::copy(leaf.begin(), leaf.end(), blocks.begin());
    ByteVector root = testutil::hexBytes(
        "0002010012 000000000000000000000000000000000000 000000000000000000000000000000000002"
        "8000000000 8000000000");
    std::copy(root.begin(), root.end(), blocks.begin() + 8192);
    BTreeReader r(blocks, 0, 1, 18);
    auto s = r.visitForward(ByteVector(18, 0), [](Bytes, std::uint64_t) { return true; });
    QVERIFY(!s);
    QCOMPARE(s.error().offset, 8192ull + 5 + 2 * 18 + 5);  // the second pointer, entry 1's value
    QVERIFY(!r.dumpNeon());
    // The shape keeps going: the second visit becomes a broken placeholder.
    auto shape = buildTreeShape(r);
    QVERIFY(shape);
    QCOMPARE(shape->errors.size(), std::size_t(1));
    QCOMPARE(shape->errors[0].error.offset, s.error().offset);  // one walk, one verdict
    QVERIFY(shape->nodes[shape->errors[0].node].broken);
    QCOMPARE(shape->totalEntries, std::uint64_t(1));

    ByteVector self(8192, 0);
    ByteVector loop = testutil::hexBytes("0001010012 000000000000000000000000000000000000 8000000000");
    std::copy(loop.begin(), loop.end(), self.begin());
    BTreeReader s2(self, 0, 0, 18);
    QVERIFY(!s2.visitForward(ByteVector(18, 0), [](Bytes, std::uint64_t) { return true; }));
    QVERIFY(!s2.walkNodes([](const NodeView &, int) { return true; }));
}

QTEST_APPLESS_MAIN(TestBtree)
#include "tst_btree.moc"
