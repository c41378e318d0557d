// index_part.json of every version Neon has written: the layers it lists and the timeline
// metadata (binary in versions 1 to 6, an object from version 7 on).

#include <layerscope/base/bytes.h>
#include <layerscope/timeline/index_part.h>

#include <fmt/format.h>

#include <QtTest>

using namespace layerscope;

namespace {

const char *const kImage
    = "000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF__0000000001696070";
const char *const kDelta
    = "000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF__0000000001696070-"
      "00000000016960E9";

struct BinaryMetadata
{
    std::uint16_t format = 4;
    std::uint64_t diskConsistent = 0x16960E8;
    std::optional<std::uint64_t> prev = 0x1696070;
    std::optional<Id128> ancestor;
    std::uint64_t ancestorLsn = 0;
    std::uint64_t gcCutoff = 0x1696070;
    std::uint64_t initdb = 0x1696070;
    std::uint32_t pgVersion = 14;
    std::size_t keep = 512; ///< bytes kept of the padded 512-byte record (to truncate it)
};

// The JSON byte array of a binary TimelineMetadata record: header (checksum, body size, format
// version), big-endian body, zero padding to 512 bytes.
std::string binaryMetadataJson(const BinaryMetadata &m)
{
    ByteVector b(8, 0);
    const auto be64 = [&](std::uint64_t v) {
        for (int i = 7; i >= 0; --i)
            b.push_back(std::uint8_t(v >> (8 * i)));
    };
    be64(m.diskConsistent);
    b.push_back(m.prev ? 1 : 0);
    if (m.prev)
        be64(*m.prev);
    b.push_back(m.ancestor ? 1 : 0);
    if (m.ancestor)
        b.insert(b.end(), m.ancestor->bytes.begin(), m.ancestor->bytes.end());
    be64(m.ancestorLsn);
    be64(m.gcCutoff);
    be64(m.initdb);
    if (m.format >= 4)
        for (int i = 3; i >= 0; --i)
            b.push_back(std::uint8_t(m.pgVersion >> (8 * i)));
    b[4] = std::uint8_t(b.size() >> 8);
    b[5] = std::uint8_t(b.size());
    b[7] = std::uint8_t(m.format);
    b.resize(512, 0);
    b.resize(m.keep);
    std::string out = "[";
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i > 0)
            out += ',';
        out += std::to_string(b[i]);  // not "," + to_string(...): GCC 12 warns falsely (-Wrestrict)
    }
    return out + "]";
}

Id128 ancestorId()
{
    return *Id128::fromHex("e45a7f37d3ee2ff17dc14bf4f4e3f52e");
}

} // namespace

class TestIndexPart : public QObject
{
    Q_OBJECT
private slots:
    void versions_data();
    void versions();
    void rejects_data();
    void rejects();
};

void TestIndexPart::versions_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<qulonglong>("version");
    QTest::addColumn<QString>("layers"); // name:size:generation:shard, sorted by name
    QTest::addColumn<QString>("diskConsistent");
    QTest::addColumn<QString>("gcCutoff");
    QTest::addColumn<QString>("ancestor"); // timeline@lsn, or empty
    QTest::addColumn<int>("pgVersion");    // -1: not said

    const auto layers = QString::fromStdString(
        fmt::format(R"("{}":{{"file_size":25600000}},"{}":{{"file_size":1015808}})",
                    kImage,
                    kDelta));
    // kImage sorts before kDelta: the listing is in name order.
    const QString listed = QStringLiteral("%1:25600000::,%2:1015808::").arg(kImage, kDelta);

    QTest::newRow("v1-binary-metadata")
        << QStringLiteral(
               R"({"version":1,"layer_metadata":{%1},"disk_consistent_lsn":"0/16960E8","metadata_bytes":%2})")
               .arg(layers, QString::fromStdString(binaryMetadataJson({})))
        << 1ull << listed << "0/16960E8"
        << "0/1696070"
        << "" << 14;
    BinaryMetadata withAncestor;
    withAncestor.ancestor = ancestorId();
    withAncestor.ancestorLsn = 0x1500000;
    withAncestor.prev.reset();
    QTest::newRow("v4-binary-with-ancestor")
        << QStringLiteral(
               R"({"version":4,"layer_metadata":{%1},"disk_consistent_lsn":"0/16960E8","metadata_bytes":%2})")
               .arg(layers, QString::fromStdString(binaryMetadataJson(withAncestor)))
        << 4ull << listed << "0/16960E8"
        << "0/1696070"
        << "e45a7f37d3ee2ff17dc14bf4f4e3f52e@0/1500000" << 14;
    BinaryMetadata format3;
    format3.format = 3;
    format3.gcCutoff = 0x1600000;
    QTest::newRow("v2-binary-format-3-has-no-pg-version")
        << QStringLiteral(
               R"({"version":2,"layer_metadata":{%1},"disk_consistent_lsn":"0/16960E8","metadata_bytes":%2,"deleted_at":null})")
               .arg(layers, QString::fromStdString(binaryMetadataJson(format3)))
        << 2ull << listed << "0/16960E8"
        << "0/1600000"
        << "" << -1;
    QTest::newRow("v7-metadata-bytes-object")
        << QStringLiteral(R"({"version":7,"layer_metadata":{%1},"disk_consistent_lsn":"0/16960E8",
              "metadata_bytes":{"disk_consistent_lsn":"0/16960E8","prev_record_lsn":"0/1696070","ancestor_timeline":null,
              "ancestor_lsn":"0/0","latest_gc_cutoff_lsn":"0/1696070","initdb_lsn":"0/1696070","pg_version":16},
              "lineage":{},"last_aux_file_policy":"V2"})")
               .arg(layers)
        << 7ull << listed << "0/16960E8"
        << "0/1696070"
        << "" << 16;
    QTest::newRow("v15-generation-shard-exact-size")
        << QStringLiteral(R"({"version":15,"layer_metadata":{
              "%1":{"file_size":9007199254741001,"generation":3,"shard":"0104"},
              "%2":{"file_size":8192,"generation":4294967294}},
              "disk_consistent_lsn":"1BC/B5734CD8",
              "metadata":{"disk_consistent_lsn":"1BC/B5734CD8","prev_record_lsn":null,
              "ancestor_timeline":"e45a7f37d3ee2ff17dc14bf4f4e3f52e","ancestor_lsn":"1A/10",
              "latest_gc_cutoff_lsn":"1BC/B5732690","initdb_lsn":"0/1696070","pg_version":17},
              "gc_blocking":null,"rel_size_migration":"legacy","l2_lsn":null,"marked_invisible_at":null})")
               .arg(kImage, kDelta)
        << 15ull
        << QStringLiteral("%1:9007199254741001:3:0104,%2:8192:4294967294:").arg(kImage, kDelta)
        << "1BC/B5734CD8"
        << "1BC/B5732690"
        << "e45a7f37d3ee2ff17dc14bf4f4e3f52e@1A/10" << 17;
    QTest::newRow("no-metadata-at-all")
        << QStringLiteral(R"({"version":3,"layer_metadata":{},"disk_consistent_lsn":"0/10"})")
        << 3ull << ""
        << "0/10"
        << ""
        << "" << -1;
}

void TestIndexPart::versions()
{
    QFETCH(QString, json);
    const auto index = parseIndexPart(json.toStdString());
    QVERIFY2(index, index ? "" : index.error().message().c_str());
    QTEST(qulonglong(index->version), "version");
    QStringList layers;
    for (const ListedLayer &l : index->layers)
        layers << QStringLiteral("%1:%2:%3:%4")
                      .arg(QString::fromStdString(l.name))
                      .arg(l.fileSize)
                      .arg(l.generation ? QString::number(*l.generation) : QString())
                      .arg(QString::fromStdString(l.shard));
    QTEST(layers.join(','), "layers");
    QTEST(QString::fromStdString(index->diskConsistentLsn ? index->diskConsistentLsn->toString()
                                                          : ""),
          "diskConsistent");
    QTEST(QString::fromStdString(index->gcCutoff ? index->gcCutoff->toString() : ""), "gcCutoff");
    const QString ancestor = index->ancestorTimeline.empty()
                                 ? QString()
                                 : QString::fromStdString(index->ancestorTimeline + "@"
                                                          + index->ancestorLsn->toString());
    QTEST(ancestor, "ancestor");
    QTEST(index->pgVersion ? int(*index->pgVersion) : -1, "pgVersion");
}

void TestIndexPart::rejects_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<qulonglong>("offset");
    QTest::addColumn<QString>("says");

    QTest::newRow("syntax-error")
        << QStringLiteral(R"({"version":7,"layer_metadata":{"a" 1}})") << 35ull
        << "expected index_part.json: valid JSON, found parse error at line 1, column 36";
    QTest::newRow("not-an-object") << QStringLiteral("[1,2]") << 0ull << "found array";
    QTest::newRow("no-layer-metadata")
        << QStringLiteral(R"({"version":7})") << 0ull << "an object \"layer_metadata\", found none";
    QTest::newRow("file-size-as-string")
        << QStringLiteral(R"({"layer_metadata":{"%1":{"file_size":"8192"}}})").arg(kImage) << 0ull
        << "an unsigned \"file_size\"";
    QTest::newRow("negative-file-size")
        << QStringLiteral(R"({"layer_metadata":{"%1":{"file_size":-1}}})").arg(kImage) << 0ull
        << "an unsigned \"file_size\"";
    BinaryMetadata truncated;
    truncated.keep = 30; // header, disk_consistent_lsn, prev (Some), ancestor tag... cut inside
    QTest::newRow("binary-metadata-truncated")
        << QStringLiteral(R"({"layer_metadata":{},"metadata_bytes":%1})")
               .arg(QString::fromStdString(binaryMetadataJson(truncated)))
        << 0ull << "the body ends before ancestor_lsn";
    QTest::newRow("binary-metadata-not-bytes")
        << QStringLiteral(R"({"layer_metadata":{},"metadata_bytes":[1,2,300]})") << 0ull
        << "expected bytes (0 to 255)";
}

void TestIndexPart::rejects()
{
    QFETCH(QString, json);
    const auto index = parseIndexPart(json.toStdString());
    QVERIFY(!index);
    QTEST(qulonglong(index.error().offset), "offset");
    QFETCH(QString, says);
    QVERIFY2(QString::fromStdString(index.error().message()).contains(says),
             index.error().message().c_str());
}

QTEST_GUILESS_MAIN(TestIndexPart)
#include "tst_index_part.moc"
