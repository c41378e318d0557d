// A timeline directory written with the writer, whose read paths are known by construction:
// images at two LSNs, deltas stacked above, keys with and without will_init, a key no image
// holds (the "could not find data for key" case), an image layer without a key it covers, a
// temp file, a file that is not a layer, and a layer whose summary contradicts its name.
#include <layerscope/timeline/index_part.h>
#include <layerscope/timeline/timeline.h>
#include <layerscope/write/writer.h>

#include "testutil.h"
#include "timelinefixture.h"

#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <QtTest>
#include <fmt/format.h>
#include <map>

using namespace layerscope;

namespace {

using namespace timelinefixture;

QString describePath(const Timeline &t, const ReadPath &p)
{
    QStringList steps;
    for (const ReadStep &s : p.steps) {
        const LayerName &n = *t.layers[s.layer].name;
        QStringList lsns;
        for (const Entry &e : s.values)
            lsns << (n.kind == LayerKind::Image ? QStringLiteral("img")
                                                : QString::number(e.lsn.value, 16));
        steps << QStringLiteral("%1[%2,%3):%4")
                     .arg(n.kind == LayerKind::Image
                              ? QStringLiteral("I@%1").arg(n.lsnStart.value, 0, 16)
                              : QStringLiteral("D%1").arg(n.lsnStart.value, 0, 16))
                     .arg(s.lsnFloor.value, 0, 16)
                     .arg(s.endLsn.value, 0, 16)
                     .arg(lsns.join(','));
    }
    return steps.join(' ') + (p.complete ? QStringLiteral(" complete") : QStringLiteral(" broken"));
}

} // namespace

class TestTimeline : public QObject
{
    Q_OBJECT
private slots:
    void scanListsEveryFile();
    void summariesAgainstNames();
    void readPath_data();
    void readPath();
    void brokenChainSaysWhy();
    void indexAgainstDirectory();
    void scrubFindsEachPlantedProblem();
    void keyGapsAreSaid();
    void unreadableLayerIsAnError();
    void countsEntries_data();
    void countsEntries();
    void mapSvgDrawsEveryLayer();
    void realIndexPart();
};

void TestTimeline::scanListsEveryFile()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    QCOMPARE(t->layers.size(), std::size_t(7));
    int mapped = 0, unnamed = 0, temp = 0;
    for (const TimelineLayer &l : t->layers) {
        mapped += l.isMapped();
        unnamed += !l.name;
        temp += l.name && !l.name->tempSuffix.empty();
        QCOMPARE(l.fileSize, std::uint64_t(QFileInfo(QString::fromStdString(l.path)).size()));
    }
    QCOMPARE(mapped, 5);
    QCOMPARE(unnamed, 1); // notes.txt: listed, not hidden
    QCOMPARE(temp, 1);
    QVERIFY(!scanTimeline(dir.filePath("missing").toStdString()));
}

void TestTimeline::summariesAgainstNames()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    std::size_t reported = 0;
    readSummaries(*t, 2, [&](std::size_t done) { return reported = done, true; });
    QCOMPARE(reported, t->layers.size());
    int read = 0, contradicting = 0;
    for (const TimelineLayer &l : t->layers) {
        if (l.fileName == "notes.txt") {
            QVERIFY(!l.summary);
            QVERIFY(!l.summaryError.empty()); // too short to be a layer: said, with why
            continue;
        }
        QVERIFY2(l.summary, l.summaryError.c_str());
        ++read;
        if (!l.disagreements.empty()) {
            ++contradicting;
            QCOMPARE(l.disagreements.size(), std::size_t(1));
            QCOMPARE(l.disagreements[0],
                     std::string("lsn: 0/300 in the name, 0/200 in the summary"));
        }
    }
    QCOMPARE(read, 6);
    QCOMPARE(contradicting, 1);
}

void TestTimeline::readPath_data()
{
    QTest::addColumn<int>("blk");
    QTest::addColumn<qulonglong>("lsn");
    QTest::addColumn<QString>("path"); // layer[floor,end):values newest first, then the verdict
    // Above the newer image: the delta down to just above it, then the image (exact match).
    QTest::newRow("k0-top") << 0 << 0x2FFull << "D200[201,300):210 I@200[200,201):img complete";
    QTest::newRow("k0-below-second-image")
        << 0 << 0x1FFull << "D100[101,200):120,110 I@100[100,101):img complete";
    QTest::newRow("k0-at-an-image-lsn") << 0 << 0x200ull << "I@200[200,201):img complete";
    QTest::newRow("k0-between-records")
        << 0 << 0x115ull << "D100[101,116):110 I@100[100,101):img complete";
    // k1 is outside the newer image: the newer delta has nothing, the older one a will_init image.
    QTest::newRow("k1-will-init-in-a-delta")
        << 1 << 0x2FFull << "D200[200,300): D100[101,200):150 complete";
    QTest::newRow("k1-at-the-first-image") << 1 << 0x100ull << "I@100[100,101):img complete";
    // k5: records only, no image anywhere below: the chain is broken.
    QTest::newRow("k5-no-image") << 5 << 0x2FFull << "D200[200,300):220 D100[100,200):130 broken";
}

void TestTimeline::readPath()
{
    QFETCH(int, blk);
    QFETCH(qulonglong, lsn);
    QFETCH(QString, path);
    QTemporaryDir dir;
    writeTimeline(dir.path());
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    const ReadPath p = findReadPath(*t, k(std::uint32_t(blk)), Lsn{lsn});
    QCOMPARE(describePath(*t, p), path);
    QCOMPARE(p.why.empty(), p.complete);
}

void TestTimeline::brokenChainSaysWhy()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    // k5 below every layer: "could not find data for key", naming the key and the LSN.
    ReadPath p = findReadPath(*t, k(5), Lsn{0x2FF});
    QVERIFY2(QString::fromStdString(p.why).contains("could not find data for key "
                                                    + QString::fromStdString(k(5).toHex())),
             p.why.c_str());
    QVERIFY(QString::fromStdString(p.why).contains("0/100"));
    // k2 lies in the first image's key range, but the image holds no entry for it.
    p = findReadPath(*t, k(2), Lsn{0x180});
    QVERIFY(!p.complete);
    QCOMPARE(p.steps.size(), std::size_t(2));
    QVERIFY2(QString::fromStdString(p.why).contains("holds no entry"), p.why.c_str());
    // A key no layer covers at all (outside every image range, below every delta's LSN).
    p = findReadPath(*t, k(10), Lsn{0x50});
    QVERIFY(p.steps.empty());
    QVERIFY(!p.complete);
}

// Every planted problem is found once, with its check and severity; a sound layer gets none.
void TestTimeline::scrubFindsEachPlantedProblem()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    // Plus: a second image at 0x100 overlapping I1's keys, and a delta leaving 0x300–0x400 uncovered.
    write(dir.path(), imageName(k(2), k(4), 0x100), {{k(2), 0, image(6)}});
    write(dir.path(), deltaName(Key::min(), Key::max(), 0x400, 0x500), {{k(0), 0x410, record(6)}});
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    readSummaries(*t);
    QStringList found;
    for (const TimelineProblem &p : checkTimeline(*t))
        found << QStringLiteral("%1:%2").arg(QString::fromStdString(p.check),
                                             severityName(p.severity));
    found.sort();
    QCOMPARE(found,
             (QStringList{"timeline-image-overlap:warning",
                          "timeline-key-base:info",
                          "timeline-key-base:info",
                          "timeline-lsn-gap:warning",
                          "timeline-name-summary:error",
                          "timeline-not-layer:info",
                          "timeline-temp-file:info"}));
    // Keys below k0 and from k4 up have no image under D1 (the images at 0x100 cover k0 – k4).
    QStringList keyBases;
    for (const TimelineProblem &p : checkTimeline(*t)) {
        if (p.check == "timeline-lsn-gap")
            QVERIFY2(p.message.find("0/300 – 0/400") != std::string::npos, p.message.c_str());
        if (p.check == "timeline-key-base") {
            QCOMPARE(QString::fromStdString(t->layers[p.layer].name->lsnStart.toString()),
                     QString("0/100"));
            keyBases << QString::fromStdString(p.message).section(' ', 1, 3);
        }
    }
    QCOMPARE(keyBases,
             (QStringList{QString::fromStdString(Key::min().toHex() + " – " + k(0).toHex()),
                          QString::fromStdString(k(4).toHex() + " – " + Key::max().toHex())}));
}

// The SVG map: well-formed, one rectangle per mapped delta, one line per mapped image, each
// titled with its file name; the layout puts newer LSNs higher (smaller y).
void TestTimeline::mapSvgDrawsEveryLayer()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    const QString svg = QString::fromStdString(mapSvg(*t, 800, 600));
    QXmlStreamReader xml(svg);
    int rects = 0, lines = 0, titles = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            rects += xml.name() == QLatin1String("rect");
            lines += xml.name() == QLatin1String("line");
            titles += xml.name() == QLatin1String("title");
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(rects, 2 + 2); // background and frame, D1 and D2 (the temp copy is not mapped)
    QCOMPARE(lines, 3);     // I1, I2 and the image named at 0x300
    QCOMPARE(titles, 5);
    const MapLayout m = layoutMap(*t);
    QCOMPARE(m.order.size(), std::size_t(5));
    QVERIFY(m.v(0x300) > m.v(0x200) && m.v(0x200) > m.v(0x100));
    QCOMPARE(m.u(Key::min()), 0.0);
    QCOMPARE(m.u(Key::max()), 1.0);
    QVERIFY(isL0(*t->layers[m.order.front()].name)); // deltas first, the oldest at the bottom
}

// Each way a directory and its index can disagree is said on the layer it concerns.
void TestTimeline::indexAgainstDirectory()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    IndexPart index;
    std::vector<ListedLayer> &listed = index.layers;
    for (const TimelineLayer &l : t->layers)
        if (l.isMapped())
            listed.push_back({l.name->canonical(), l.fileSize, std::nullopt, {}});
    // The first mapped file: its size differs. The second: not listed. One more: listed only.
    listed[0].fileSize += 8192;
    const std::string notListed = listed[1].name;
    listed.erase(listed.begin() + 1);
    const std::string missing = deltaName(k(20), k(30), 0x400, 0x500).canonical();
    listed.push_back({missing, 4096, 7, {}});
    mergeIndex(*t, index);
    QCOMPARE(t->layers.size(), std::size_t(8));
    std::map<std::string, std::vector<std::string>> problems;
    for (const TimelineLayer &l : t->layers)
        if (!l.indexProblems.empty())
            problems[l.fileName] = l.indexProblems;
    QCOMPARE(problems.size(), std::size_t(3));
    QCOMPARE(problems[listed[0].name].front(),
             fmt::format("{} bytes on disk, {} in the index",
                         listed[0].fileSize - 8192,
                         listed[0].fileSize));
    QCOMPARE(problems[notListed].front(), std::string("on disk but not listed in the index"));
    QCOMPARE(problems[missing].front(), std::string("listed in the index but not on disk"));
    // The listed-only layer takes part in the read path, and says it cannot be read.
    const ReadPath p = findReadPath(*t, k(25), Lsn{0x450});
    QCOMPARE(p.steps.size(), std::size_t(1));
    QVERIFY2(QString::fromStdString(p.why).contains("not on disk"), p.why.c_str());
}

// The real remote index: every name parses, 802 images and 762 deltas, none on disk; its LSN
// gaps all lie below the GC cutoff, so a healthy timeline scrubs without warnings.
void TestTimeline::realIndexPart()
{
    const auto index = readIndexPart(
        (testutil::sharedDir() + "/fixtures/neon-index/index_part.json").toStdString());
    QVERIFY2(index, index ? "" : index.error().message().c_str());
    QCOMPARE(index->version, std::uint64_t(7));
    const Timeline t = timelineFromIndex(*index);
    QCOMPARE(t.layers.size(), std::size_t(1564));
    QCOMPARE(t.gcCutoff->toString(), std::string("1BC/B5732690"));
    int images = 0, deltas = 0;
    for (const TimelineLayer &l : t.layers) {
        QVERIFY2(l.name, l.nameError.c_str());
        QCOMPARE(l.name->toString(), l.fileName); // formats back to itself
        QVERIFY(!l.onDisk && l.listed && l.indexProblems.empty());
        ++(l.name->kind == LayerKind::Image ? images : deltas);
    }
    QCOMPARE(images, 802);
    QCOMPARE(deltas, 762);
    std::map<std::string, int> bySeverityCheck;
    for (const TimelineProblem &p : checkTimeline(t)) {
        QVERIFY2(p.severity == Severity::Info, p.message.c_str());
        ++bySeverityCheck[p.check];
    }
    QCOMPARE(bySeverityCheck["timeline-lsn-gap"], 23);
    QCOMPARE(bySeverityCheck["timeline-key-base"], 6);
}

// Keys no layer holds (a blank column of the map) are one note per run, not tied to a layer;
// keys whose only layers are deltas are the key-base note of the oldest delta.
void TestTimeline::keyGapsAreSaid()
{
    QTemporaryDir dir;
    write(dir.path(), imageName(k(0), k(1), 0x100), {{k(0), 0, image(1)}});
    write(dir.path(), imageName(k(3), k(4), 0x100), {{k(3), 0, image(2)}});
    write(dir.path(), deltaName(k(4), k(6), 0x100, 0x200), {{k(5), 0x150, record(3, 5)}});
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    readSummaries(*t);
    QStringList said;
    for (const TimelineProblem &p : checkTimeline(*t))
        said << QStringLiteral("%1 %2 %3")
                    .arg(QString::fromStdString(p.check),
                         p.layer == TimelineProblem::npos
                             ? QString("-")
                             : QString::fromStdString(t->layers[p.layer].fileName),
                         QString::fromStdString(p.message).section(' ', 1, 3));
    const QString delta = QString::fromStdString(deltaName(k(4), k(6), 0x100, 0x200).canonical());
    QCOMPARE(said,
             (QStringList{QStringLiteral("timeline-key-gap - %1 – %2")
                              .arg(QString::fromStdString(k(1).toHex()),
                                   QString::fromStdString(k(3).toHex())),
                          QStringLiteral("timeline-key-base %1 %2 – %3")
                              .arg(delta,
                                   QString::fromStdString(k(4).toHex()),
                                   QString::fromStdString(k(6).toHex()))}));
}

// A layer cut short (its summary names blocks beyond the file) is a timeline error naming the
// offset, not a layer silently missing from the checks.
void TestTimeline::unreadableLayerIsAnError()
{
    QTemporaryDir dir;
    writeTimeline(dir.path());
    const QString cut = dir.filePath(
        QString::fromStdString(deltaName(Key::min(), Key::max(), 0x100, 0x200).canonical()));
    QVERIFY(QFile::resize(cut, 9000));
    auto t = scanTimeline(dir.path().toStdString());
    QVERIFY(t);
    readSummaries(*t);
    QStringList said;
    for (const TimelineProblem &p : checkTimeline(*t))
        if (p.severity == Severity::Error)
            said << QString::fromStdString(p.check + ": " + t->layers[p.layer].fileName + ": "
                                           + p.message);
    said.sort();
    QCOMPARE(said.size(), 2); // and the planted summary that contradicts its name
    QVERIFY2(said.join('\n').contains(
                 QFileInfo(cut).fileName()
                 + ": the layer cannot be opened: at offset 88: expected index_start_blk"),
             qPrintable(said.join('\n')));
}

void TestTimeline::countsEntries_data()
{
    QTest::addColumn<QString>("layer"); // canonical name in the generated timeline
    QTest::addColumn<qulonglong>("entries");
    QTest::newRow("image-two-keys")
        << QString::fromStdString(imageName(k(0), k(3), 0x100).canonical()) << 2ull;
    QTest::newRow("delta-four-values")
        << QString::fromStdString(deltaName(Key::min(), Key::max(), 0x100, 0x200).canonical())
        << 4ull;
    QTest::newRow("image-one-key")
        << QString::fromStdString(imageName(k(0), k(1), 0x200).canonical()) << 1ull;
    QTest::newRow("delta-two-values")
        << QString::fromStdString(deltaName(Key::min(), Key::max(), 0x200, 0x300).canonical())
        << 2ull;
}

// countEntries walks the index once: the writer's entry counts; a damaged root node names the
// offset of its header at fault.
void TestTimeline::countsEntries()
{
    QFETCH(QString, layer);
    QTemporaryDir dir;
    writeTimeline(dir.path());
    const std::string path = dir.filePath(layer).toStdString();
    const auto n = countEntries(path);
    QVERIFY2(n, n ? "" : n.error().message().c_str());
    QTEST(qulonglong(*n), "entries");
    auto layerFile = Layer::openFile(path);
    QVERIFY(layerFile);
    FileOffset root = 0;
    const Layer damaged = testutil::withDamagedRoot(*layerFile, &root);
    QVERIFY(testutil::writeFile(dir.filePath("damaged"),
                                QByteArray(reinterpret_cast<const char *>(damaged.bytes().data()),
                                           qsizetype(damaged.bytes().size()))));
    const auto bad = countEntries(dir.filePath("damaged").toStdString());
    QVERIFY(!bad);
    QCOMPARE(bad.error().offset, root + 3); // prefix_len, where prefix_len + suffix_len is checked
}

QTEST_GUILESS_MAIN(TestTimeline)
#include "tst_timeline.moc"
