#include "testutil.h"

#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/write/writer.h>

#include <QFileInfo>
#include <QJsonArray>
#include <QTest>

using namespace layerscope;

// Every Neon-written fixture read field by field against its .expect.jsonl, its tree printed
// like its .btree.txt, and rewritten byte for byte.
class TestLayer : public QObject
{
    Q_OBJECT
private slots:
    void summaryMatches();
    void summaryMatches_data() { fixtures_data(); }
    void entriesMatch();
    void entriesMatch_data() { fixtures_data(); }
    void treeDumpMatches();
    void treeDumpMatches_data() { fixtures_data(); }
    void rewriteIsByteIdentical();
    void rewriteIsByteIdentical_data() { fixtures_data(); }
    void lookups();
    void lookups_data() { fixtures_data(); }

private:
    static void fixtures_data();
};

void TestLayer::fixtures_data()
{
    QTest::addColumn<QString>("path");
    const QStringList files = testutil::fixtureLayers();
    QVERIFY(files.size() >= 2);
    int n = 0;
    for (const QString &f : files) {
        const auto name = LayerName::parse(QFileInfo(f).fileName().toStdString());
        const char *kind = name && name->kind == LayerKind::Delta ? "delta" : "image";
        QTest::addRow("%s-fixture-%d", kind, ++n) << f;
    }
}

namespace {
Layer openOrFail(const QString &path)
{
    auto l = Layer::openFile(path.toStdString());
    if (!l)
        qFatal("cannot open %s: %s", qPrintable(path), l.error().message().c_str());
    return *l;
}
} // namespace

void TestLayer::summaryMatches()
{
    QFETCH(QString, path);
    const Layer layer = openOrFail(path);
    const QJsonObject exp = testutil::readJsonLines(path + ".expect.jsonl").first();
    const Summary &s = layer.summary();
    QCOMPARE(QString(s.kind == LayerKind::Image ? "image" : "delta"), exp["layer"].toString());
    QCOMPARE(QString::asprintf("0x%04X", s.magic), exp["magic"].toString().toUpper().replace("0X", "0x"));
    QCOMPARE(int(s.formatVersion), exp["format_version"].toInt());
    QCOMPARE(QString::fromStdString(s.tenant.toHex()), exp["tenant_id"].toString().toLower());
    QCOMPARE(QString::fromStdString(s.timeline.toHex()), exp["timeline_id"].toString().toLower());
    QCOMPARE(QString::fromStdString(s.keyStart.toHex()),
             exp["key_range"]["start"].toString().toUpper());
    QCOMPARE(QString::fromStdString(s.keyEnd.toHex()), exp["key_range"]["end"].toString().toUpper());
    if (s.kind == LayerKind::Image) {
        QCOMPARE(QString::fromStdString(s.lsnStart.toHex()), exp["lsn"].toString().toUpper());
    } else {
        QCOMPARE(QString::fromStdString(s.lsnStart.toHex()),
                 exp["lsn_range"]["start"].toString().toUpper());
        QCOMPARE(QString::fromStdString(s.lsnEnd.toHex()),
                 exp["lsn_range"]["end"].toString().toUpper());
    }
    QCOMPARE(qint64(s.indexStartBlk), exp["index_start_blk"].toInteger());
    QCOMPARE(qint64(s.indexRootBlk), exp["index_root_blk"].toInteger());
    QCOMPARE(qint64(layer.fileSize()), exp["file_size"].toInteger());
    QCOMPARE(qint64(s.encodedLen()), exp["summary_len"].toInteger());
    auto st = buildTreeShape(layer.tree());
    QVERIFY(st);
    QCOMPARE(st->depth(), exp["btree_depth"].toInt());
    const QJsonArray levels = exp["nodes_per_level_root_first"].toArray();
    QCOMPARE(qsizetype(st->nodesPerLevel.size()), levels.size());
    for (qsizetype i = 0; i < levels.size(); ++i)
        QCOMPARE(qint64(st->nodesPerLevel[std::size_t(i)]), levels[i].toInteger());
    // The file name is the name the summary implies.
    QCOMPARE(QString::fromStdString(s.impliedName().canonical()), QFileInfo(path).fileName());
}

void TestLayer::entriesMatch()
{
    QFETCH(QString, path);
    const Layer layer = openOrFail(path);
    QList<QJsonObject> exp = testutil::readJsonLines(path + ".expect.jsonl");
    exp.removeFirst();
    auto entries = layer.entries();
    QVERIFY(entries);
    QCOMPARE(qsizetype(entries->size()), exp.size());
    for (qsizetype i = 0; i < exp.size(); ++i) {
        const Entry &e = (*entries)[std::size_t(i)];
        const QJsonObject &x = exp[i];
        auto d = inspectEntry(layer, e);
        QVERIFY2(d, d ? "" : d.error().message().c_str());
        QCOMPARE(QString::fromStdString(e.key.toHex()), x["key"].toString().toUpper());
        QCOMPARE(qint64(e.blobOffset), x["offset"].toInteger());
        QCOMPARE(QString::fromStdString(d->kind), x["kind"].toString());
        QCOMPARE(qint64(d->content.size()), x["len"].toInteger());
        QCOMPARE(testutil::sha256(d->content), x["sha256"].toString().toLower());
        if (x.contains("zstd"))
            QCOMPARE(d->header.compression == Compression::Zstd, x["zstd"].toBool());
        if (layer.kind() == LayerKind::Delta) {
            QCOMPARE(QString::fromStdString(e.lsn.toHex()), x["lsn"].toString().toUpper());
            QCOMPARE(e.willInit, x["will_init"].toBool());
            QCOMPARE(qint64(d->payloadLen), x["blob_len"].toInteger());
            QCOMPARE(d->valueWillInit, x["value_will_init"].toBool());
            QCOMPARE(d->pgWillInit.has_value(), x.contains("pg_will_init"));
            if (d->pgWillInit)
                QCOMPARE(*d->pgWillInit, x["pg_will_init"].toBool());
            // Any other record's content is its encoding, taken in place from the value.
            if (!d->value.isImage() && !d->pgWillInit) {
                ByteVector encoded;
                encodeRecord(d->value.record(), encoded);
                QCOMPARE(d->content, encoded);
            }
        }
    }
}

void TestLayer::treeDumpMatches()
{
    QFETCH(QString, path);
    const Layer layer = openOrFail(path);
    auto dump = layer.tree().dumpNeon();
    QVERIFY(dump);
    QCOMPARE(QString::fromStdString(*dump), QString::fromUtf8(testutil::readAll(path + ".btree.txt")));
}

void TestLayer::rewriteIsByteIdentical()
{
    QFETCH(QString, path);
    const Layer layer = openOrFail(path);
    MemorySink sink;
    LayerWriter w(layer.summary(), sink);
    auto entries = layer.entries();
    QVERIFY(entries);
    for (const Entry &e : *entries) {
        auto h = layer.blobHeader(e);
        QVERIFY(h);
        QVERIFY(w.addRawBlob(e.indexKey, layer.bytes().subspan(h->offset, h->headerLen + h->storedLen),
                             e.willInit));
    }
    auto s = w.finish();
    QVERIFY(s);
    QVERIFY(*s == layer.summary());
    const QByteArray original = testutil::readAll(path);
    QCOMPARE(sink.data().size(), std::size_t(original.size()));
    QVERIFY(std::equal(sink.data().begin(), sink.data().end(),
                       reinterpret_cast<const std::uint8_t *>(original.constData())));

    // Re-encoding through the value encoders gives the same bytes for uncompressed files.
    MemorySink again;
    LayerWriter w2(layer.summary(), again);
    for (const Entry &e : *entries) {
        auto v = layer.value(e);
        QVERIFY(v);
        if (layer.kind() == LayerKind::Image)
            QVERIFY(w2.addImage(e.key, v->image()));
        else
            QVERIFY(w2.addDelta(e.key, e.lsn, *v));
    }
    QVERIFY(w2.finish());
    QVERIFY(again.data() == sink.data());
}

void TestLayer::lookups()
{
    QFETCH(QString, path);
    const Layer layer = openOrFail(path);
    auto entries = layer.entries();
    QVERIFY(entries);
    const BTreeReader tree = layer.tree();
    for (const Entry &e : *entries) {
        bool found = false;
        auto v = tree.get(e.indexKey.view(), found);
        QVERIFY(v && found);
        QCOMPARE(*v, e.raw);
    }
    // Backward scan from the last key returns everything in reverse order.
    std::vector<std::uint64_t> back;
    QVERIFY(tree.visitBackward(entries->back().indexKey.view(), [&](Bytes, std::uint64_t v) {
        back.push_back(v);
        return true;
    }));
    QCOMPARE(back.size(), entries->size());
    QCOMPARE(back.front(), entries->back().raw);
    QCOMPARE(back.back(), entries->front().raw);
}

QTEST_APPLESS_MAIN(TestLayer)
#include "tst_layer.moc"
