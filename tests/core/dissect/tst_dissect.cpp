// The field-level dissection: fields tile the bytes they describe, values agree with the
// readers, damage is named at its field and the rest still dissects.
#include <layerscope/check/validate.h>
#include <layerscope/dissect/dissect.h>
#include <layerscope/format/layer.h>
#include <layerscope/index/tree_walk.h>
#include <layerscope/write/writer.h>

#include "testutil.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace layerscope;

class TestDissect : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void nodesTileTheirBlock_data();
    void nodesTileTheirBlock();
    void summaryFieldsComeFromTheTable_data();
    void summaryFieldsComeFromTheTable();
    void entriesDecodeWithoutErrors_data();
    void entriesDecodeWithoutErrors();
    void byteSelectsInnermostField();
    void damageIsNamedAndTheRestGoesOn_data();
    void damageIsNamedAndTheRestGoesOn();
    void problemsLandOnTheirFields();
    void offsetFindsItsPart();

private:
    QTemporaryDir m_dir;
    QStringList m_files;  // fixtures, then the demo layers (2-level trees, zstd)
};

namespace {
ByteVector load(const QString &path)
{
    return testutil::toVector(testutil::readAll(path));
}

/// Children of `f` lie inside it, in order, without overlapping; with `tile` they also leave
/// no gap. Recurses into every group made of file bytes.
void checkTiling(const Field &f, bool tile, const QString &where)
{
    // Fields inside a decompressed payload have no file bytes (a zstd frame is one leaf).
    if (f.decompressed || std::all_of(f.children.begin(), f.children.end(), [](const Field &c) { return c.decompressed; }))
        return;
    FileOffset at = f.offset;
    for (const Field &c : f.children) {
        if (c.decompressed)
            continue;
        QVERIFY2(c.offset >= at, qPrintable(QString("%1/%2 starts at %3, before %4").arg(where, QString::fromStdString(c.name)).arg(c.offset).arg(at)));
        if (tile)
            QVERIFY2(c.offset == at, qPrintable(QString("%1: gap before %2").arg(where, QString::fromStdString(c.name))));
        at = c.end();
        QVERIFY2(at <= f.end(), qPrintable(QString("%1/%2 ends past its parent").arg(where, QString::fromStdString(c.name))));
        checkTiling(c, tile, where + "/" + QString::fromStdString(c.name));
    }
    if (tile)
        QVERIFY2(at == f.end(), qPrintable(QString("%1: %2 bytes not covered at the end").arg(where).arg(f.end() - at)));
}

int countErrors(const Field &f)
{
    int n = f.error.empty() ? 0 : 1;
    for (const Field &c : f.children)
        n += countErrors(c);
    return n;
}

const Field *child(const Field &f, const std::string &name)
{
    for (const Field &c : f.children)
        if (c.name == name)
            return &c;
    return nullptr;
}
} // namespace

void TestDissect::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_files = testutil::fixtureLayers();
    QVERIFY(!m_files.isEmpty());
    m_files << testutil::demoLayers(m_dir.path());
    QCOMPARE(m_files.size(), testutil::fixtureLayers().size() + 3);
}

void TestDissect::nodesTileTheirBlock_data()
{
    QTest::addColumn<QString>("path");
    for (const QString &f : m_files)
        QTest::addRow("%s-%s", f.contains("/fixtures/") ? "fixture" : "demo", qPrintable(QFileInfo(f).fileName().right(17)))
            << f;
}

void TestDissect::nodesTileTheirBlock()
{
    QFETCH(QString, path);
    const ByteVector bytes = load(path);
    auto layer = Layer::open(std::make_shared<MemorySource>(bytes));
    QVERIFY(layer);
    const DissectContext ctx = DissectContext::of(bytes);
    int nodes = 0;
    auto s = layer->tree().walkNodes([&](const NodeView &n, int) {
        ++nodes;
        const Field f = dissectNode(ctx, n.block);
        [&] { checkTiling(f, true, QString("node %1").arg(n.block)); }();
        if (QTest::currentTestFailed())
            return false;
        [&] {
            QCOMPARE(f.offset, n.offset);
            QCOMPARE(f.length, kBlockSize);
            QCOMPARE(countErrors(f), 0);
            const Field *keys = child(f, "keys");
            const Field *values = child(f, "values");
            QVERIFY(keys && values);
            QCOMPARE(keys->children.size(), std::size_t(n.count));
            QCOMPARE(values->children.size(), std::size_t(n.count));
            for (std::size_t i = 0; i < n.count; ++i) {
                QCOMPARE(keys->children[i].value, toHex(n.key(i).view()));
                QCOMPARE(values->children[i].value, toHex(n.rawValue(i)));
                if (!n.isLeaf())
                    QCOMPARE(values->children[i].detail, "child " + std::to_string(n.child(i)));
            }
        }();
        return !QTest::currentTestFailed();
    });
    QVERIFY(s);
    QVERIFY(nodes > 0);
}

void TestDissect::summaryFieldsComeFromTheTable_data()
{
    nodesTileTheirBlock_data();
}

void TestDissect::summaryFieldsComeFromTheTable()
{
    QFETCH(QString, path);
    const ByteVector bytes = load(path);
    const DissectContext ctx = DissectContext::of(bytes);
    QVERIFY(ctx.summary);
    const Field f = dissectSummary(ctx);
    checkTiling(f, true, "summary");
    QCOMPARE(f.length, kBlockSize);
    QCOMPARE(countErrors(f), 0);
    const SummaryField root = summaryField(ctx.kind, SummaryFieldId::IndexRoot);
    const Field *r = child(f, root.name);
    QVERIFY(r);
    QCOMPARE(r->offset, root.offset);
    QCOMPARE(r->value, std::to_string(ctx.summary->indexRootBlk));
    const Field *ks = child(f, "key_start");
    QVERIFY(ks);
    QVERIFY(ks->value.starts_with(ctx.summary->keyStart.toHex()));
}

void TestDissect::entriesDecodeWithoutErrors_data()
{
    nodesTileTheirBlock_data();
}

void TestDissect::entriesDecodeWithoutErrors()
{
    QFETCH(QString, path);
    const ByteVector bytes = load(path);
    auto layer = Layer::open(std::make_shared<MemorySource>(bytes));
    QVERIFY(layer);
    const DissectContext ctx = DissectContext::of(bytes);
    std::uint64_t position = 0;
    std::vector<Entry> entries;
    QVERIFY(forEachEntry(layer->tree(), WalkOrder{}, [&](Bytes k, std::uint64_t v) {
        entries.push_back(layer->entry(IndexKey::from(k), v));
        return entries.size() < 200;
    }));
    for (const Entry &e : entries) {
        auto f = dissectEntry(ctx, position);
        QVERIFY(f);
        QCOMPARE(countErrors(*f), 0);
        const Field *blob = child(*f, "blob");
        QVERIFY(blob);
        QCOMPARE(blob->offset, e.blobOffset);
        checkTiling(*blob, true, QString("entry %1 blob").arg(position));
        ++position;
    }
    QVERIFY(!dissectEntry(ctx, 1u << 30));  // no such entry: an error, not a crash
}

void TestDissect::byteSelectsInnermostField()
{
    const ByteVector bytes = load(m_files.front());
    const DissectContext ctx = DissectContext::of(bytes);
    const Field f = dissectSummary(ctx);
    const SummaryField lsn = summaryField(ctx.kind, SummaryFieldId::LsnStart);
    for (FileOffset at = lsn.offset; at < lsn.offset + lsn.length; ++at) {
        const Field *hit = f.innermostAt(at);
        QVERIFY(hit);
        QCOMPARE(hit->name, std::string(lsn.name));
    }
    const auto path = f.pathTo(lsn.offset);
    QCOMPARE(path.size(), std::size_t(1));
    QCOMPARE(f.children[path[0]].name, std::string(lsn.name));
    QVERIFY(!f.innermostAt(kBlockSize));  // outside the summary block
}

void TestDissect::damageIsNamedAndTheRestGoesOn_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("part");
    QTest::addColumn<QString>("fieldWithError");
    QTest::newRow("bad-magic") << "magic" << "summary" << "magic";
    QTest::newRow("node-count-zero") << "count" << "node" << "num_children";
    QTest::newRow("node-suffix-len") << "suffix" << "node" << "prefix_len";
    QTest::newRow("node-beyond-file") << "truncate" << "node" << "node";
    QTest::newRow("value-tag") << "value-tag" << "entry" << "Value tag";
}

void TestDissect::damageIsNamedAndTheRestGoesOn()
{
    QFETCH(QString, damage);
    QFETCH(QString, part);
    QFETCH(QString, fieldWithError);
    // The Neon-written delta: one leaf (the root), values in blocks 1-2.
    QString path;
    for (const QString &f : m_files)
        if (f.contains("-0000000005000050"))
            path = f;
    QVERIFY(!path.isEmpty());
    ByteVector bytes = load(path);
    const auto good = DissectContext::of(bytes);
    const FileOffset nodeAt = (FileOffset(good.indexStartBlk) + good.indexRootBlk) * kBlockSize;
    if (damage == "magic")
        bytes[0] = 0x12;
    else if (damage == "count")
        bytes[nodeAt] = bytes[nodeAt + 1] = 0;
    else if (damage == "suffix")
        bytes[nodeAt + 4] = 3;
    else if (damage == "truncate")
        bytes.resize(nodeAt + 100);
    else if (damage == "value-tag")
        bytes[8192 + 1 + 3] = 7;  // entry 0's blob: 1-byte header, then the BE u32 Value tag
    // The kind is known from the file name when the magic is gone.
    const auto ctx = DissectContext::of(bytes, LayerKind::Delta);
    Field f;
    if (part == "summary") {
        f = dissectSummary(ctx);
    } else if (part == "node") {
        f = dissectNode(ctx, good.indexRootBlk);
    } else {
        auto e = dissectEntry(ctx, 0);
        QVERIFY(e);
        f = *e;
    }
    QVERIFY(countErrors(f) >= 1);
    std::function<const Field *(const Field &)> findErr = [&](const Field &x) -> const Field * {
        for (const Field &c : x.children)
            if (const Field *r = findErr(c))
                return r;
        return x.error.empty() ? nullptr : &x;
    };
    const Field *bad = findErr(f);
    QVERIFY(bad);
    QVERIFY2(QString::fromStdString(bad->name).startsWith(fieldWithError), bad->name.c_str());
    if (part == "summary") {
        // The other fields still read: the key range is there.
        QVERIFY(child(f, "key_start") && child(f, "key_start")->error.empty());
        QVERIFY(!child(f, "key_start")->value.empty());
    }
    if (damage == "count" || damage == "suffix") {
        checkTiling(f, true, "damaged node");  // the unread rest is still accounted for
        QCOMPARE(f.children.back().name, std::string("unparsed"));
    }
}

void TestDissect::problemsLandOnTheirFields()
{
    QString path;
    for (const QString &f : m_files)
        if (f.contains("-0000000005000050"))
            path = f;
    ByteVector bytes = load(path);
    const SummaryField version = summaryField(LayerKind::Delta, SummaryFieldId::Version);
    bytes[version.offset + 1] = 9;
    const auto report = validateLayer(Bytes(bytes));
    QVERIFY(!report.problems.empty());
    Field f = dissectSummary(DissectContext::of(bytes));
    attachProblems(f, report.problems);
    const Field *v = child(f, "format_version");
    QVERIFY(v);
    QCOMPARE(v->problems.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(v->problems[0]).contains("summary-version"));
    QVERIFY(child(f, "magic")->problems.empty());
}

void TestDissect::offsetFindsItsPart()
{
    QString path;
    for (const QString &f : m_files)
        if (f.contains("-0000000005000050"))
            path = f;
    const ByteVector bytes = load(path);
    const auto ctx = DissectContext::of(bytes);
    auto s = dissectOffset(ctx, 40);
    QVERIFY(s);
    QCOMPARE(s->name, std::string("summary"));
    const FileOffset nodeAt = (FileOffset(ctx.indexStartBlk) + ctx.indexRootBlk) * kBlockSize;
    auto n = dissectOffset(ctx, nodeAt + 7);
    QVERIFY(n);
    QCOMPARE(n->offset, nodeAt);
    // A byte inside entry 3's blob finds entry 3.
    auto e3 = dissectEntry(ctx, 3);
    QVERIFY(e3);
    const Field *blob = child(*e3, "blob");
    auto byBlob = dissectOffset(ctx, blob->offset + blob->length - 1);
    QVERIFY(byBlob);
    QCOMPARE(byBlob->name, std::string("entry 3"));
    QVERIFY(!dissectOffset(ctx, bytes.size()));
}

QTEST_APPLESS_MAIN(TestDissect)
#include "tst_dissect.moc"
