// The check registry against what the checkers produce: every registered check id is produced,
// at every severity the registry gives it, by a witness (a mutant of a Neon-written fixture, of
// a demo layer or of the real Postgres 15 timeline, or a layer or timeline written for it); an id
// with no witness, or a witness that no longer produces its id, fails. The ids themselves cannot
// drift: problems are built through checkInfo("id"), which does not compile for an id the table
// does not hold.
#include "indexbytes.h"
#include "shardedtenant.h"
#include "testutil.h"
#include "timelinefixture.h"

#include <layerscope/check/registry.h>
#include <layerscope/check/validate.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/timeline/local_timeline.h>
#include <layerscope/timeline/redo_check.h>
#include <layerscope/timeline/shard_set.h>
#include <layerscope/timeline/timeline.h>
#include <layerscope/write/synth.h>
#include <layerscope/write/writer.h>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <map>
#include <set>

using namespace layerscope;
using namespace timelinefixture;
using testutil::blobOf;
using testutil::keyOffset;
using testutil::nodeOffset;
using testutil::putBe;
using testutil::rootOffset;
using testutil::valueOffset;

namespace {

/// The (check id, severity) pairs a witness produced.
using Found = std::set<std::pair<std::string, Severity>>;
using Witness = std::function<Found()>;

ByteVector load(const QString &path)
{
    return testutil::toVector(testutil::readAll(path));
}

Layer open(const ByteVector &b)
{
    auto l = Layer::open(std::make_shared<MemorySource>(b));
    if (!l)
        qFatal("%s", l.error().message().c_str());
    return *l;
}

Found validated(const ByteVector &b, const ValidateOptions &options = {})
{
    Found out;
    for (const Problem &p : validateLayer(b, options).problems)
        out.insert({p.check, p.severity});
    return out;
}

/// `path`'s bytes changed by `mutate`, validated with `options`.
Found mutated(const QString &path,
              const std::function<void(ByteVector &, const Layer &)> &mutate,
              const ValidateOptions &options = {})
{
    ByteVector b = load(path);
    const Layer clean = open(b);
    mutate(b, clean);
    return validated(b, options);
}

/// A layer written for the witness (testSummary's ranges), validated with `options`.
Found written(LayerKind kind,
              const std::function<void(LayerWriter &)> &fill,
              const ValidateOptions &options = {})
{
    MemorySink sink;
    LayerWriter w(testutil::testSummary(kind), sink);
    fill(w);
    if (!w.finish())
        qFatal("finishing the witness layer failed");
    return validated(sink.data(), options);
}

Value recordValue(NeonWalRecord r)
{
    Value v;
    v.v = std::move(r);
    return v;
}

const Key kHeapBlock = Key::fromFields(0, 1663, 5, 16384, 0, 3);

/// A whole Postgres heap record for kHeapBlock filed at `at`, with `change` applied to its bytes.
Found postgresRecord(Lsn at,
                     const Key &filedUnder,
                     bool willInit,
                     const std::function<void(ByteVector &)> &change = {})
{
    const ByteVector data(64, 0x5A);
    ByteVector rec = Synth::walRecord(10, 0x00, 700, Lsn{0x2000}, kHeapBlock, false, data);
    if (change)
        change(rec);
    return written(LayerKind::Delta, [&](LayerWriter &w) {
        QVERIFY(w.addDelta(filedUnder, at, recordValue(wal::Postgres{willInit, rec})));
    });
}

/// An image layer of one relation page, validated with --pages.
Found pageImage(const ByteVector &p)
{
    ValidateOptions o;
    o.pages = true;
    return written(
        LayerKind::Image, [&](LayerWriter &w) { QVERIFY(w.addImage(kHeapBlock, p)); }, o);
}

} // namespace

class TestRegistry : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void tableIsWellFormed();
    void everyCheckIsProduced_data();
    void everyCheckIsProduced();

private:
    Found timelineChecks();
    Found redoChecks();
    Found shardChecks();

    QTemporaryDir m_dir;
    QString m_image, m_delta, m_demoImage, m_demoZstd, m_demoDelta;
    std::map<std::string, Witness> m_witness;
};

void TestRegistry::initTestCase()
{
    for (const QString &f : testutil::fixtureLayers())
        (QFileInfo(f).fileName().count('-') > 1 ? m_delta : m_image) = f;
    const QStringList demo = testutil::demoLayers(m_dir.path());
    QCOMPARE(demo.size(), 3);
    m_demoImage = demo[0];
    m_demoZstd = demo[1];
    m_demoDelta = demo[2];
    auto &w = m_witness;
    const QString image = m_image, delta = m_delta, demoImage = m_demoImage, demoZstd = m_demoZstd,
                  demoDelta = m_demoDelta;
    // Block 0.
    w["file-size"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) { b.resize(b.size() + 100); });
    };
    w["summary-magic"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) { b[1] = 0; });
    };
    w["summary-version"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) { b[3] = 4; });
    };
    w["summary-key-range"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) {
            std::copy(b.begin() + 36, b.begin() + 54, b.begin() + 54);
        });
    };
    w["summary-lsn-range"] = [=] {
        return mutated(delta, [](ByteVector &b, const Layer &) {
            std::copy(b.begin() + 72, b.begin() + 80, b.begin() + 80);
        });
    };
    w["summary-padding"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) { b[500] = 1; });
    };
    w["file-name"] = [=] {
        ValidateOptions notALayer, another;
        notALayer.fileName = "notes.txt";
        LayerName other = *LayerName::parse(QFileInfo(image).fileName().toStdString());
        other.lsnStart = Lsn{other.lsnStart.value + 8};
        another.fileName = other.canonical();
        Found f = validated(load(image), notALayer);
        f.merge(validated(load(image), another));
        return f;
    };
    // Every child of the root beyond the file: the walk reaches no entry (Neon's writer refuses
    // to write an empty index, so no layer of it lacks entries otherwise).
    w["empty-layer"] = [=] {
        return mutated(demoImage, [](ByteVector &b, const Layer &l) {
            const auto root = l.tree().node(l.summary().indexRootBlk);
            for (std::size_t i = 0; i < root->count; ++i)
                putBe(b, valueOffset(l, l.summary().indexRootBlk, i) + 1, 0x7FFFFFFF, 4);
        });
    };
    w["seed-incompatible"] = [=] { return validated(load(demoZstd)); };
    // The index.
    w["index-start"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) { putBe(b, 80, 0, 4); });
    };
    w["index-root"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) { putBe(b, 84, 5, 4); });
    };
    // A copy of the root appended after it: no longer last, and reached by nothing.
    const auto appendedRoot = [=] {
        return mutated(demoImage, [](ByteVector &b, const Layer &l) {
            const ByteVector root(b.begin() + std::ptrdiff_t(rootOffset(l)),
                                  b.begin() + std::ptrdiff_t(rootOffset(l) + kBlockSize));
            b.insert(b.end(), root.begin(), root.end());
        });
    };
    w["index-root-not-last"] = appendedRoot;
    w["index-unreachable"] = appendedRoot;
    w["node-header"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) { putBe(b, rootOffset(l), 0, 2); });
    };
    w["node-marker"] = [=] {
        return mutated(demoImage, [](ByteVector &b, const Layer &l) {
            b[valueOffset(l, l.summary().indexRootBlk, 1)] = 0;
        });
    };
    w["node-level"] = [=] {
        return mutated(demoImage, [](ByteVector &b, const Layer &l) { b[rootOffset(l) + 2] = 2; });
    };
    w["node-child-range"] = [=] {
        return mutated(demoImage, [](ByteVector &b, const Layer &l) {
            putBe(b, valueOffset(l, l.summary().indexRootBlk, 1) + 1, 0x7FFFFFFF, 4);
        });
    };
    w["node-cycle"] = [=] {
        return mutated(demoDelta, [](ByteVector &b, const Layer &l) {
            putBe(b, valueOffset(l, l.summary().indexRootBlk, 3) + 1, l.summary().indexRootBlk, 4);
        });
    };
    w["node-shared"] = [=] {
        return mutated(demoImage, [](ByteVector &b, const Layer &l) {
            const FileOffset v0 = valueOffset(l, l.summary().indexRootBlk, 0),
                             v1 = valueOffset(l, l.summary().indexRootBlk, 1);
            std::copy(b.begin() + std::ptrdiff_t(v0),
                      b.begin() + std::ptrdiff_t(v0 + 5),
                      b.begin() + std::ptrdiff_t(v1));
        });
    };
    // A chain of one-child nodes above the single leaf, one longer than Neon's reader follows.
    w["node-depth"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            const auto leaf = l.tree().node(l.summary().indexRootBlk);
            std::uint8_t first[32];
            leaf->keyInto(0, first);
            const std::size_t keyLen = leaf->prefixLen + leaf->suffixLen;
            std::uint32_t child = l.summary().indexRootBlk;
            for (int level = 1; level <= BTreeReader::kMaxDepth + 1; ++level) {
                ByteVector node(kBlockSize, 0);
                node[1] = 1; // one child
                node[2] = std::uint8_t(level);
                node[4] = std::uint8_t(keyLen);
                std::copy(first, first + keyLen, node.begin() + 5);
                node[5 + keyLen] = 0x80; // an internal value's marker, then the child
                putBe(node, 5 + keyLen + 1, child, 4);
                child = std::uint32_t(b.size() / kBlockSize - l.summary().indexStartBlk);
                b.insert(b.end(), node.begin(), node.end());
            }
            putBe(b, 84, child, 4);
        });
    };
    w["node-key-order"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            const FileOffset k2 = keyOffset(l, 0, 2), k3 = keyOffset(l, 0, 3);
            std::swap_ranges(b.begin() + std::ptrdiff_t(k2),
                             b.begin() + std::ptrdiff_t(k2 + 18),
                             b.begin() + std::ptrdiff_t(k3));
        });
    };
    // Above the child's first key (searches skip entries), then below it (a changed separator).
    w["node-separator"] = [=] {
        Found f = mutated(demoDelta, [](ByteVector &b, const Layer &l) {
            b[keyOffset(l, l.summary().indexRootBlk, 2) + 25] += 1;
        });
        f.merge(mutated(demoDelta, [](ByteVector &b, const Layer &l) {
            b[keyOffset(l, l.summary().indexRootBlk, 2) + 25] -= 1;
        }));
        return f;
    };
    w["node-padding"] = [=] {
        return mutated(delta, [](ByteVector &b, const Layer &l) { b[rootOffset(l) + 8000] = 7; });
    };
    // The leaf's header rewritten to a shape whose parts fill all 8192 bytes: 5 + 10 + 629 × 13.
    w["node-full"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            putBe(b, rootOffset(l), 629, 2);
            b[rootOffset(l) + 3] = 10;
            b[rootOffset(l) + 4] = 8;
        });
    };
    // Entries.
    w["key-order"] = [=] {
        return mutated(demoImage, [](ByteVector &b, const Layer &l) {
            const auto leaf = l.tree().node(1);
            std::copy_n(b.begin() + std::ptrdiff_t(keyOffset(l, 1, 2)),
                        leaf->suffixLen,
                        b.begin() + std::ptrdiff_t(keyOffset(l, 1, 3)));
        });
    };
    w["key-range"] = [=] {
        return mutated(delta, [](ByteVector &b, const Layer &) { b[36] = 0x02; });
    };
    w["lsn-range"] = [=] {
        return mutated(delta,
                       [](ByteVector &b, const Layer &l) { putBe(b, keyOffset(l, 0, 0) + 18, 1, 8); });
    };
    w["key-class"] = [=] {
        return mutated(delta, [](ByteVector &b, const Layer &l) { b[keyOffset(l, 0, 12) + 1] = 0x40; });
    };
    w["leaf-value"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) { b[valueOffset(l, 0, 0)] = 0x80; });
    };
    // Blocks of one relation, one per stripe: they belong to every shard of four in turn.
    const auto acrossShards = [](LayerKind kind) {
        ValidateOptions o;
        o.shard = ShardIdentity{1, 4, kDefaultStripePages};
        return written(
            kind,
            [kind](LayerWriter &w) {
                for (std::uint32_t stripe = 0; stripe < 16; ++stripe) {
                    const Key key = Key::fromFields(
                        0, 1663, 5, 16384, 0, stripe * kDefaultStripePages);
                    if (kind == LayerKind::Image)
                        QVERIFY(w.addImage(key, testutil::pgPage(0x1000)));
                    else
                        QVERIFY(w.addDelta(key,
                                           Lsn{0x2000},
                                           recordValue(wal::Test{"x", false, true, {}})));
                }
            },
            o);
    };
    w["key-wrong-shard"] = [=] { return acrossShards(LayerKind::Image); };
    w["shard-inherited-keys"] = [=] { return acrossShards(LayerKind::Delta); }; // an L0: every key
    w["blob-offset"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            putBe(b, valueOffset(l, 0, 1), 0xF0000, 5);
        });
    };
    // Blobs.
    w["blob-length"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            putBe(b, blobOf(l, 9), 0x80100000, 4);
        });
    };
    w["blob-compression"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) { b[blobOf(l, 3)] = 0xA0; });
    };
    w["blob-zstd"] = [=] {
        return mutated(demoZstd, [](ByteVector &b, const Layer &l) {
            for (int i = 0; i < 8; ++i)
                b[blobOf(l, 5) + 14 + std::size_t(i)] ^= 0x5A;
        });
    };
    w["blob-zstd-magic"] = [=] {
        return mutated(demoZstd, [](ByteVector &b, const Layer &l) { b[blobOf(l, 5)] ^= 0x10; });
    };
    w["blob-overlap"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            putBe(b, valueOffset(l, 0, 4), blobOf(l, 3) + 10, 5);
        });
    };
    w["blob-order"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            putBe(b, valueOffset(l, 0, 4), blobOf(l, 2), 5);
        });
    };
    // The last blob's end moved on by its length header: a gap before the next is not Neon's.
    w["blob-gap"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            putBe(b, valueOffset(l, 0, 4), blobOf(l, 4) + 1, 5);
        });
    };
    w["blob-header-canonical"] = [] {
        return written(LayerKind::Image, [](LayerWriter &w) {
            const ByteVector blob = {
                0x80, 0x00, 0x00, 0x04, 0, 0, 0, 9}; // 4-byte header, 4-byte payload
            QVERIFY(w.addRawBlob(imageIndexKey(Key::fromFields(1, 0, 0, 0, 0, 0)), blob, false));
        });
    };
    w["values-end"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            const FileOffset index = FileOffset(l.summary().indexStartBlk) * kBlockSize;
            b.insert(b.begin() + std::ptrdiff_t(index), 2 * kBlockSize, 0);
            putBe(b, 80, l.summary().indexStartBlk + 2, 4);
        });
    };
    w["values-padding"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &) { b[90157] = 1; });
    };
    // Values.
    w["value-decode"] = [=] {
        return mutated(delta, [](ByteVector &b, const Layer &l) { b[blobOf(l, 1) + 4] = 7; });
    };
    w["will-init"] = [=] {
        return mutated(delta, [](ByteVector &b, const Layer &l) { b[valueOffset(l, 0, 0) + 4] ^= 1; });
    };
    w["value-size"] = [=] {
        return mutated(image, [](ByteVector &b, const Layer &l) {
            putBe(b, blobOf(l, 4), 0x80001FFF, 4);
        });
    };
    w["value-key"] = [=] {
        return mutated(delta, [](ByteVector &b, const Layer &l) { b[keyOffset(l, 0, 13)] = 0x02; });
    };
    w["record-page"] = [] {
        return written(LayerKind::Delta, [](LayerWriter &w) {
            // xid 40,000 is on clog page 1, not page 0 of segment 0.
            QVERIFY(w.addDelta(k(0), Lsn{0x2000}, recordValue(wal::ClogSetCommitted{{40000}, 7})));
        });
    };
    w["test-record"] = [] {
        return written(LayerKind::Delta, [](LayerWriter &w) {
            QVERIFY(
                w.addDelta(kHeapBlock, Lsn{0x2000}, recordValue(wal::Test{"x", false, false, {}})));
        });
    };
    w["sparse-value"] = [] {
        return written(LayerKind::Image, [](LayerWriter &w) {
            QVERIFY(w.addImage(Key::fromFields(0x63, 0, 0, 0, 0, 3), ByteVector(5, 1)));
        });
    };
    w["page-lsn"] = [] {
        return written(LayerKind::Delta, [](LayerWriter &w) {
            Value v;
            v.v = testutil::pgPage(0x5000);
            QVERIFY(w.addDelta(kHeapBlock, Lsn{0x2000}, v));
        });
    };
    // Whole Postgres records.
    w["wal-crc"] = [] {
        return postgresRecord(Lsn{0x2000}, kHeapBlock, false, [](ByteVector &r) {
            r[r.size() - 1] ^= 1;
        });
    };
    w["wal-record"] = [] {
        return postgresRecord(Lsn{0x2000}, kHeapBlock, false, [](ByteVector &r) { r[0] += 8; });
    };
    w["wal-block-key"] = [] {
        return postgresRecord(Lsn{0x2000}, Key::fromFields(0, 1663, 5, 16384, 0, 4), false);
    };
    w["wal-lsn"] = [] { return postgresRecord(Lsn{0x2004}, kHeapBlock, false); };
    w["wal-will-init"] = [] { return postgresRecord(Lsn{0x2000}, kHeapBlock, true); };
    // Postgres pages (--pages).
    w["page-header"] = [] { return pageImage(testutil::pgPage(0x1000, 4000, 100)); };
    w["page-checksum"] = [] {
        ByteVector p = testutil::pgPage(0x1000);
        p[8] = 0x34;
        return pageImage(p);
    };
    w["page-line-pointer"] = [] {
        ByteVector p = testutil::pgPage(0x1000, 28, 8000);
        // Item 1: normal (flags 1), at offset 100 (below pd_upper), 40 bytes.
        const std::uint32_t lp = 100u | (1u << 15) | (40u << 17);
        for (int i = 0; i < 4; ++i)
            p[24 + std::size_t(i)] = std::uint8_t(lp >> (8 * i));
        return pageImage(p);
    };
    for (const CheckInfo &c : checkRegistry())
        if (c.group == CheckGroup::Timeline)
            m_witness[std::string(c.id)] = [this] { return timelineChecks(); };
        else if (c.group == CheckGroup::Redo)
            m_witness[std::string(c.id)] = [this] { return redoChecks(); };
        else if (c.group == CheckGroup::Shards)
            m_witness[std::string(c.id)] = [this] { return shardChecks(); };
}

/// The 4-shard tenant's child 0304 (which lists a parent layer that is gone), opened as its
/// prefix would be; and copies of one timeline of which shard 2 is missing, shard 1 has no
/// index, shard 3 another ancestor and an older disk_consistent_lsn.
Found TestRegistry::shardChecks()
{
    QTemporaryDir tree;
    const shardedtenant::Planted planted = shardedtenant::write(tree.path());
    auto t = openLocalTimeline(tree.filePath(planted.missingListedBy).toStdString());
    if (!t)
        qFatal("%s", t.error().message().c_str());
    readSummaries(*t, 1);
    Found f;
    for (const TimelineProblem &p : checkTimeline(*t))
        f.insert({p.check, p.severity});
    const std::string base = tree.filePath("tenants/" + shardedtenant::kTenant).toStdString();
    auto copy = [&](const char *slug, bool indexed, const char *ancestor, std::uint64_t lsn) {
        ShardTimeline c;
        c.slug = slug;
        c.path = base + "-" + slug + "/timelines/" + shardedtenant::kTimeline.toStdString() + "/";
        c.indexed = indexed;
        if (indexed) {
            c.diskConsistentLsn = Lsn{lsn};
            c.ancestorTimeline = ancestor;
            c.ancestorLsn = Lsn{0x100};
        }
        return c;
    };
    const std::vector<ShardTimeline> copies{copy("0004", true, "", 0x500),
                                            copy("0104", false, "", 0),
                                            copy("0304",
                                                 true,
                                                 "fedcba9876543210fedcba9876543210",
                                                 0x400),
                                            copy("0002", true, "", 0x100)};
    for (const ShardSetProblem &p : checkShardSet(copies))
        f.insert({p.check, p.severity});
    return f;
}

/// The timeline fixture (a temp file, a non-layer, a summary against its name, delta-based key
/// ranges) plus an unreadable layer, an image overlapping another at one LSN, an LSN gap above an
/// index's GC cutoff and one below it, and an index that lists a missing layer; and a timeline
/// whose two images leave keys between them that no layer holds.
Found TestRegistry::timelineChecks()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    write(dir.path(), imageName(k(0), k(2), 0x200), {{k(0), 0, image(6)}});
    write(dir.path(), deltaName(k(0), k(1), 0x400, 0x500), {{k(0), 0x410, record(7)}});
    write(dir.path(), deltaName(k(0), k(1), 0x600, 0x700), {{k(0), 0x610, record(8)}});
    testutil::writeFile(dir.filePath(
                            QString::fromStdString(imageName(k(20), k(21), 0x300).canonical())),
                        QByteArray(8192, 'x'));
    auto t = scanTimeline(dir.path().toStdString());
    if (!t)
        qFatal("%s", t.error().message().c_str());
    IndexPart index;
    index.gcCutoff = Lsn{0x480};
    for (const TimelineLayer &l : t->layers)
        if (l.isMapped())
            index.layers.push_back({l.name->canonical(), l.fileSize, std::nullopt, {}});
    index.layers.push_back({deltaName(k(20), k(30), 0x400, 0x500).canonical(), 4096, 7, {}});
    mergeIndex(*t, index);
    readSummaries(*t, 1);
    Found f;
    for (const TimelineProblem &p : checkTimeline(*t))
        f.insert({p.check, p.severity});
    // Keys no layer holds: two images with a gap between their key ranges.
    QTemporaryDir gap;
    write(gap.path(), imageName(k(0), k(1), 0x100), {{k(0), 0, image(1)}});
    write(gap.path(), imageName(k(3), k(4), 0x100), {{k(3), 0, image(2)}});
    auto gaps = scanTimeline(gap.path().toStdString());
    readSummaries(*gaps, 1);
    for (const TimelineProblem &p : checkTimeline(*gaps))
        f.insert({p.check, p.severity});
    return f;
}

/// The real Postgres 15 timeline with every image page's last byte flipped, read as Postgres 15
/// and as 14 (whose records its records are not), and with the image layer cut short.
Found TestRegistry::redoChecks()
{
    const QString source = QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15-redo");
    QTemporaryDir altered, cut;
    for (const QString &name : QDir(source).entryList({"*__*"}, QDir::Files)) {
        ByteVector bytes = load(source + '/' + name);
        const bool isImage = !QString(name).section("__", 1).contains('-');
        testutil::writeFile(cut.filePath(name), isImage ? Bytes(bytes).first(4096) : Bytes(bytes));
        if (isImage) {
            const Layer l = open(bytes);
            const auto entries = l.entries();
            for (const Entry &e : *entries)
                if (auto h = readBlobHeader(bytes, e.blobOffset, 0, bytes.size());
                    h && h->compression == Compression::None && h->storedLen == kBlockSize)
                    bytes[h->payloadOffset() + kBlockSize - 1] ^= 0x01;
        }
        testutil::writeFile(altered.filePath(name), Bytes(bytes));
    }
    Found f;
    auto add = [&f](const RedoCheckReport &r) {
        for (const TimelineProblem &p : r.problems)
            f.insert({p.check, p.severity});
        const TimelineProblem summary = redoSummary(r, 15, "test");
        f.insert({summary.check, summary.severity});
    };
    const auto t = scanTimeline(altered.path().toStdString());
    add(checkRedo(*t, 15));
    add(checkRedo(*t, 14));
    add(checkRedo(*scanTimeline(cut.path().toStdString()), 15));
    return f;
}

void TestRegistry::tableIsWellFormed()
{
    std::set<std::string_view> ids;
    int group = -1;
    for (const CheckInfo &c : checkRegistry()) {
        QVERIFY2(ids.insert(c.id).second, c.id.data());
        QVERIFY2(!c.meaning.empty() && !c.bytes.empty(), c.id.data());
        // Kebab-case ids; the table grouped (each group's rows together, in the enum's order).
        for (char ch : c.id)
            QVERIFY2((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-', c.id.data());
        QVERIFY2(int(c.group) >= group, c.id.data());
        group = int(c.group);
        QVERIFY(!c.weaker || *c.weaker != c.severity);
        QCOMPARE(findCheck(c.id), &c);
    }
    QVERIFY(!findCheck("no-such-check"));
    QCOMPARE(&checkInfo("wal-crc"), findCheck("wal-crc"));
}

void TestRegistry::everyCheckIsProduced_data()
{
    QTest::addColumn<QString>("id");
    for (const CheckInfo &c : checkRegistry())
        QTest::newRow(c.id.data()) << QString::fromUtf8(c.id.data(), qsizetype(c.id.size()));
}

void TestRegistry::everyCheckIsProduced()
{
    QFETCH(QString, id);
    const CheckInfo &c = *findCheck(id.toStdString());
    const auto witness = m_witness.find(std::string(c.id));
    QVERIFY2(witness != m_witness.end(), "a registered check with no witness");
    const Found found = witness->second();
    QString all;
    for (const auto &[check, severity] : found)
        all += QStringLiteral(" %1(%2)").arg(QString::fromStdString(check), severityName(severity));
    QVERIFY2(found.count({std::string(c.id), c.severity}), qPrintable("not produced; found:" + all));
    if (c.weaker)
        QVERIFY2(found.count({std::string(c.id), *c.weaker}),
                 qPrintable("weaker severity not produced; found:" + all));
    // Every id a checker produces is registered (the table is the whole vocabulary).
    for (const auto &[check, severity] : found) {
        const CheckInfo *info = findCheck(check);
        QVERIFY2(info, check.c_str());
        QVERIFY2(severity == info->severity || (info->weaker && severity == *info->weaker),
                 check.c_str());
    }
}

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
