// TreeWalk, the one descent of the index, on layers written for the test (one leaf, two levels,
// three levels) and on damaged copies: every entry once in key order or in reverse, a start key
// found as Neon's search finds it, subtrees skipped and walks stopped on request, and each fault
// (a pointer beyond the index, a cycle, a shared child, an unreadable node) reported at the
// pointer that led to it, the walk going on past it when the visitor says so.
#include "testutil.h"

#include <layerscope/format/layer.h>
#include <layerscope/index/tree_walk.h>
#include <layerscope/write/writer.h>

#include <QTest>

#include <map>
#include <vector>

using namespace layerscope;

namespace {

/// Key i of a test layer: one database per key (short common prefixes, so few keys per node
/// and deep trees), block 0, so that block 1 falls between two keys.
Key keyOf(int i)
{
    return Key::fromFields(0, 1663, std::uint32_t(i), 16384, 0, 0);
}

/// An image layer of `n` keys keyOf(0..n-1), 8-byte payloads.
ByteVector layerOf(int n)
{
    MemorySink sink;
    LayerWriter w(testutil::testSummary(LayerKind::Image), sink);
    const ByteVector payload(8, 0x11);
    for (int i = 0; i < n; ++i)
        if (!w.addImage(keyOf(i), payload))
            qFatal("adding an image failed");
    if (!w.finish())
        qFatal("finishing failed");
    return sink.data();
}

Layer open(const ByteVector &b)
{
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    if (!l)
        qFatal("%s", l.error().message().c_str());
    return *l;
}

/// Records what a walk does: keys in visit order, nodes entered and left, faults.
struct Recorder : TreeVisitor
{
    std::vector<Key> keys;
    std::map<std::uint32_t, int> entered, left;
    std::vector<std::pair<WalkFault, FileOffset>> faults;
    int maxDepth = 0;
    WalkAction onFault = WalkAction::Stop;
    std::size_t stopAfter = SIZE_MAX;
    std::optional<std::uint32_t> skip;

    WalkAction enter(const NodeView &n, const WalkLink &link)
    {
        ++entered[n.block];
        maxDepth = std::max(maxDepth, link.depth);
        return skip && n.block == *skip ? WalkAction::Skip : WalkAction::Descend;
    }
    bool entry(const NodeView &, std::size_t, Bytes key, std::uint64_t)
    {
        keys.push_back(Key::fromBytes(key.data()));
        return keys.size() < stopAfter;
    }
    void leave(const NodeView &n) { ++left[n.block]; }
    WalkAction fault(WalkFault why, const WalkLink &, const Error &e)
    {
        faults.push_back({why, e.offset});
        return onFault;
    }
};

} // namespace

class TestTreeWalk : public QObject
{
    Q_OBJECT
private slots:
    void everyEntryInOrder_data();
    void everyEntryInOrder();
    void startsWhereNeonSearches_data();
    void startsWhereNeonSearches();
    void faultsAtTheirPointer_data();
    void faultsAtTheirPointer();
    void skipAndStop();
};

void TestTreeWalk::everyEntryInOrder_data()
{
    QTest::addColumn<int>("entries");
    QTest::addColumn<int>("depth"); // of the deepest node, the root being 0
    QTest::newRow("one-leaf") << 10 << 0;
    QTest::newRow("two-levels") << 5000 << 1;
    QTest::newRow("three-levels") << 400000 << 2;
}

void TestTreeWalk::everyEntryInOrder()
{
    QFETCH(int, entries);
    QFETCH(int, depth);
    const ByteVector bytes = layerOf(entries);
    const Layer layer = open(bytes);
    const BTreeReader tree = layer.tree();
    for (const bool backward : {false, true}) {
        Recorder r;
        TreeWalk<Recorder> walk(tree, r);
        QVERIFY(walk.run(WalkOrder{backward, std::nullopt}));
        QCOMPARE(int(r.keys.size()), entries);
        for (int i = 0; i < entries; ++i)
            QCOMPARE(r.keys[std::size_t(i)], keyOf(backward ? entries - 1 - i : i));
        QCOMPARE(r.maxDepth, depth);
        QCOMPARE(std::uint64_t(r.entered.size()), tree.indexBlockCount()); // every node once
        QCOMPARE(r.left, r.entered);
        QVERIFY(r.faults.empty());
        for (std::uint32_t b = 0; b < tree.indexBlockCount(); ++b)
            QCOMPARE(walk.marks().get(b), BlockMarks::Done);
    }
}

void TestTreeWalk::startsWhereNeonSearches_data()
{
    QTest::addColumn<int>("entries");
    QTest::addColumn<int>("from"); // keyOf(from), or between keys with `between`
    QTest::addColumn<bool>("between");
    QTest::addColumn<bool>("backward");
    QTest::addColumn<int>("first"); // the first key visited; -1: none
    QTest::newRow("forward-at-a-key") << 5000 << 1234 << false << false << 1234;
    QTest::newRow("forward-between-keys") << 5000 << 1234 << true << false << 1235;
    QTest::newRow("forward-past-the-end") << 5000 << 4999 << true << false << -1;
    QTest::newRow("forward-at-a-leaf-start") << 5000 << 0 << false << false << 0;
    QTest::newRow("backward-at-a-key") << 5000 << 1234 << false << true << 1234;
    QTest::newRow("backward-between-keys") << 5000 << 1234 << true << true << 1234;
    QTest::newRow("backward-at-the-first") << 5000 << 0 << false << true << 0;
    QTest::newRow("three-levels-forward") << 400000 << 333333 << true << false << 333334;
    QTest::newRow("three-levels-backward") << 400000 << 333333 << false << true << 333333;
}

void TestTreeWalk::startsWhereNeonSearches()
{
    QFETCH(int, entries);
    QFETCH(int, from);
    QFETCH(bool, between);
    QFETCH(bool, backward);
    QFETCH(int, first);
    const ByteVector bytes = layerOf(entries);
    const Layer layer = open(bytes);
    // Between keyOf(from) and the next: its block number plus one is no key written.
    IndexKey start = imageIndexKey(keyOf(from));
    if (between)
        start.bytes[start.len - 1] += 1;
    Recorder r;
    r.stopAfter = 3;
    const BTreeReader tree = layer.tree();
    TreeWalk<Recorder> walk(tree, r);
    QVERIFY(walk.run(WalkOrder{backward, start.view()}));
    if (first < 0) {
        QVERIFY(r.keys.empty());
        return;
    }
    QVERIFY(!r.keys.empty());
    QCOMPARE(r.keys.front(), keyOf(first));
}

void TestTreeWalk::faultsAtTheirPointer_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<int>("fault");
    QTest::newRow("beyond-the-index") << "beyond" << int(WalkFault::BeyondIndex);
    QTest::newRow("cycle") << "cycle" << int(WalkFault::Cycle);
    QTest::newRow("shared-child") << "shared" << int(WalkFault::Shared);
    QTest::newRow("unreadable-node") << "unreadable" << int(WalkFault::Unreadable);
}

void TestTreeWalk::faultsAtTheirPointer()
{
    QFETCH(QString, damage);
    QFETCH(int, fault);
    ByteVector bytes = layerOf(5000);
    const Layer clean = open(bytes);
    const BTreeReader cleanTree = clean.tree();
    const auto root = cleanTree.node(cleanTree.root());
    QVERIFY(root && !root->isLeaf() && root->count >= 3);
    const FileOffset pointer = root->valueOffset(1); // the second child's 5 bytes
    const std::uint32_t leaf1 = root->child(1), leaf0 = root->child(0);
    auto setChild = [&](std::uint32_t block) {
        for (int i = 0; i < 4; ++i)
            bytes[pointer + 1 + std::size_t(i)] = std::uint8_t(block >> (8 * (3 - i)));
    };
    if (damage == "beyond")
        setChild(0x7FFFFFF0);
    else if (damage == "cycle")
        setChild(cleanTree.root());
    else if (damage == "shared")
        setChild(leaf0);
    else
        bytes[(FileOffset(clean.summary().indexStartBlk) + leaf1) * kBlockSize + 4] = 3; // suffix_len
    const Layer damaged = open(bytes);
    const BTreeReader tree = damaged.tree();
    const int leafEntries = cleanTree.node(leaf1)->count;
    for (const WalkAction onFault : {WalkAction::Stop, WalkAction::Skip}) {
        Recorder r;
        r.onFault = onFault;
        TreeWalk<Recorder> walk(tree, r);
        const Status s = walk.run();
        QCOMPARE(r.faults.size(), std::size_t(1));
        QCOMPARE(int(r.faults.front().first), fault);
        if (fault != int(WalkFault::Unreadable))
            QCOMPARE(r.faults.front().second, pointer); // the parent's pointer, not the target
        const int firstLeaf = cleanTree.node(leaf0)->count;
        if (onFault == WalkAction::Stop) {
            QVERIFY(!s);
            QCOMPARE(int(r.keys.size()), firstLeaf);
        } else {
            QVERIFY(s);
            // The damaged child's entries are missing; every other entry is visited once.
            QCOMPARE(int(r.keys.size()), 5000 - leafEntries);
        }
    }
}

void TestTreeWalk::skipAndStop()
{
    const ByteVector bytes = layerOf(5000);
    const Layer layer = open(bytes);
    const BTreeReader tree = layer.tree();
    const auto root = tree.node(tree.root());
    const std::uint32_t skipped = root->child(2);
    Recorder r;
    r.skip = skipped;
    TreeWalk<Recorder> walk(tree, r);
    QVERIFY(walk.run());
    QCOMPARE(int(r.keys.size()), 5000 - tree.node(skipped)->count);
    QCOMPARE(r.left.count(skipped), std::size_t(0)); // a skipped node is not left
    QCOMPARE(walk.marks().get(skipped), BlockMarks::Done);

    Recorder s;
    s.stopAfter = 7;
    TreeWalk<Recorder> stopping(tree, s);
    QVERIFY(stopping.run());
    QCOMPARE(s.keys.size(), std::size_t(7));
    std::size_t visited = 0;
    QVERIFY(forEachEntry(tree, {}, [&](Bytes, std::uint64_t) { return ++visited < 100; }));
    QCOMPARE(visited, std::size_t(100));
}

QTEST_GUILESS_MAIN(TestTreeWalk)
#include "tst_tree_walk.moc"
