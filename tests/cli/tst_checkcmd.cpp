// Runs the real layerctl binary: check: clean and damaged files, evidence, caps and grouping, colours, timelines and indexes, bounded memory, and the check registry it prints (and the user guide and man page print).
#include "clirun.h"
#include "shardedtenant.h"
#include "testutil.h"
#include "timelinefixture.h"

#include <layerscope/check/registry.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/shard.h>
#include <layerscope/write/writer.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

class TestCheckCmd : public QObject
{
    Q_OBJECT
private slots:
    void strayKeysOfAShard_data();
    void strayKeysOfAShard();
    void aShardedTenant_data();
    void aShardedTenant();
    void listChecks_data();
    void listChecks();
    void listChecksIsWhatTheDocsShow_data();
    void listChecksIsWhatTheDocsShow();
    void checkClean();
    void checkMemoryStaysBounded();
    void checkCorrupt_data();
    void checkCorrupt();
    void checkEvidence();
    void checkGroupsAndCaps();
    void quietAndColor();
    void checkScrubsADirectory();
    void checkScrubsAnIndex();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
using namespace layerscope;
} // namespace

void TestCheckCmd::checkClean()
{
    // The Neon-written delta holds a 100-byte RelBlock image, which no Postgres can be served
    // (Neon's redo wants 8192-byte base images): one value-size warning, so exit 1. The image
    // layer is clean.
    const QStringList files = testutil::fixtureLayers();
    const Run r = layerctl(QStringList{"check", "--json"} + files);
    QCOMPARE(r.code, 1);
    const auto objs = parseLines(r.out);
    int fileLines = 0, warnings = 0;
    QCOMPARE(objs.last()["total"].toBool(), true);
    for (const QJsonObject &o : objs) {
        if (o.contains("total")) {
            QCOMPARE(o["files"].toInt(), int(files.size()));
            QCOMPARE(o["errors"].toInt(), 0);
            QCOMPARE(o["warnings"].toInt(), 1);
        } else if (o.contains("entries_checked")) {
            ++fileLines;
            warnings += o["warnings"].toInt();
            QCOMPARE(o["errors"].toInt(), 0);
            QCOMPARE(o["warnings"].toInt(),
                     o["file"].toString().contains("__0000000005000010-") ? 1 : 0);
            QVERIFY(o["entries_checked"].toInt() > 0);
        } else if (o["severity"].toString() == "warning") {
            QVERIFY(o["file"].toString().contains(
                "__0000000005000010-")); // each problem names its file
            QCOMPARE(o["check"].toString(), QString("value-size"));
            QCOMPARE(o["offset"].toInt(), 16700);
        } else {
            QCOMPARE(o["severity"].toString(), QString("info"));
        }
    }
    QCOMPARE(fileLines, int(files.size()));
    QCOMPARE(warnings, 1);
}

// README: "pages already checked are given back, so memory stays bounded whatever the file
// size". A delta of about 520 MiB is checked; the process's peak resident memory (its own, from
// wait4) stays under three quarters of the file, which every page of the file resident at once
// would exceed (about 100 MiB in the debug build, 270 MiB under ASan).
void TestCheckCmd::checkMemoryStaysBounded()
{
    QTemporaryDir dir;
    const Run synth = layerctl({"synth", "--kind", "delta", "--size", "512M", dir.path()});
    QCOMPARE(synth.code, 0);
    const QString file = QString::fromUtf8(synth.out.trimmed());
    const qint64 size = QFileInfo(file).size();
    QVERIFY(size > (500 << 20));

    const QByteArray program = QByteArrayLiteral(LAYERCTL_PATH), path = file.toUtf8();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        char *const argv[] = {const_cast<char *>(program.constData()),
                              const_cast<char *>("check"),
                              const_cast<char *>(path.constData()),
                              nullptr};
        ::execv(argv[0], argv);
        ::_exit(127);
    }
    QVERIFY(pid > 0);
    int status = 0;
    struct rusage usage
    {};
    QCOMPARE(::wait4(pid, &status, 0, &usage), pid);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    const qint64 peak = qint64(usage.ru_maxrss) * 1024;
    QVERIFY2(peak < size / 4 * 3,
             qPrintable(
                 QStringLiteral("peak %1 MiB for a %2 MiB file").arg(peak >> 20).arg(size >> 20)));
}

void TestCheckCmd::checkCorrupt_data()
{
    QTest::addColumn<qint64>("at");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("check");
    QTest::addColumn<int>("code");
    // Mutations of the Neon-written delta fixture (index root at 24576, 15 entries, 26-byte keys).
    QTest::newRow("reserved-compression-bits")
        << qint64(16440) << QByteArray::fromHex("a0") << "blob-compression" << 1;
    QTest::newRow("will-init-flipped")
        << qint64(24576 + 5 + 15 * 26 + 4) << QByteArray::fromHex("00") << "will-init" << 1;
    QTest::newRow("bad-magic") << qint64(0) << QByteArray::fromHex("0000") << "summary-magic" << 1;
    QTest::newRow("root-beyond-file")
        << qint64(92) << QByteArray::fromHex("00000009") << "index-root" << 1;
}

void TestCheckCmd::checkCorrupt()
{
    QFETCH(qint64, at);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, check);
    QFETCH(int, code);
    QString delta;
    for (const QString &f : testutil::fixtureLayers())
        if (QFileInfo(f).fileName().count('-') > 1)
            delta = f;
    QByteArray content = testutil::readAll(delta);
    content.replace(at, bytes.size(), bytes);
    QTemporaryDir dir;
    const QString file = dir.filePath(QFileInfo(delta).fileName());
    QVERIFY(testutil::writeFile(file, content));
    const Run json = layerctl({"check", "--json", file});
    QCOMPARE(json.code, code);
    bool found = false;
    for (const QJsonObject &o : parseLines(json.out))
        if (o["check"].toString() == check && o["offset"].toInteger() == at) {
            found = true;
            QCOMPARE(o["severity"].toString(), QString("error"));
            QVERIFY(o.contains("message") && o.contains("length"));
        }
    QVERIFY2(found, json.out.constData());
    const Run text = layerctl({"check", file});
    QCOMPARE(text.code, code);
    QVERIFY2(text.out.contains(QString("%1:%2: error[%3]: ").arg(file).arg(at).arg(check).toUtf8()),
             text.out.constData());
}

void TestCheckCmd::checkEvidence()
{
    QTemporaryDir dir;
    const QString image = testutil::fixtureLayers().first();
    QByteArray content = testutil::readAll(image);
    content[8192 * 2 + 100] = char(0xA0); // inside some blob; maybe a header, maybe payload
    content[3] = 9;                       // format version
    const QString file = dir.filePath(QFileInfo(image).fileName());
    QVERIFY(testutil::writeFile(file, content));
    const Run r = layerctl({"check", "--evidence", dir.filePath("evidence"), file});
    QCOMPARE(r.code, 1);
    const QString base = dir.filePath("evidence/" + QFileInfo(file).fileName());
    const QByteArray report = testutil::readAll(base + ".report.txt");
    QVERIFY(report.contains("summary-version"));
    QVERIFY(report.contains(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex()));
    QVERIFY(QFile::exists(base + ".block-0.hex"));
    QVERIFY(testutil::readAll(base + ".sha256")
                .startsWith(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(layerctl({"check", "/nonexistent/file"}).code, 2);
}

// 4,000 value-size warnings and one cycle: text groups the warnings into one line, the counts
// are exact, --max-problems caps the list and never the cycle.
void TestCheckCmd::checkGroupsAndCaps()
{
    QTemporaryDir dir;
    const Run synth = layerctl(
        {"synth", "--kind", "image", "--entries", "4000", "--value-size", "16", dir.path()});
    QCOMPARE(synth.code, 0);
    const QString file = QString::fromUtf8(synth.out.trimmed());
    QByteArray bytes = testutil::readAll(file);
    auto layer = layerscope::Layer::open(
        std::make_shared<layerscope::MemorySource>(testutil::toVector(bytes)));
    const auto root = layer->tree().node(layer->summary().indexRootBlk);
    const qint64 ptr = qint64(root->offset + 5 + root->prefixLen
                              + std::size_t(root->count) * root->suffixLen
                              + std::size_t(root->count - 1) * 5);
    for (int i = 0; i < 4; ++i)
        bytes[ptr + 1 + i] = char(layer->summary().indexRootBlk >> (24 - 8 * i));
    QVERIFY(testutil::writeFile(file, bytes));

    const Run text = layerctl({"check", file});
    QCOMPARE(text.code, 1);
    QVERIFY(text.out.contains("error[node-cycle]"));
    QCOMPARE(text.out.count("warning[value-size]"), 6); // five listed, then one line for the rest
    // The cycle hides the last leaf (499 entries): 3,501 pages reached, each a warning.
    QVERIFY(text.out.contains("and 3496 more like this (value-size × 3501 in all"));
    QVERIFY(text.out.contains("1 error(s), 3504 warning(s)"));

    const Run capped = layerctl({"check", "--json", "--max-problems", "3", "--threads", "2", file});
    QCOMPARE(capped.code, 1);
    const auto objs = parseLines(capped.out);
    QCOMPARE(objs.size(), 5); // 3 problems, the file line, the total
    QCOMPARE(objs[4]["total"].toBool(), true);
    QCOMPARE(objs[4]["warnings"].toInt(), 3504);
    QCOMPARE(objs[0]["check"].toString() == "node-cycle"
                 || objs[1]["check"].toString() == "node-cycle"
                 || objs[2]["check"].toString() == "node-cycle",
             true);
    QCOMPARE(objs[3]["errors"].toInt(), 1);
    QCOMPARE(objs[3]["warnings"].toInt(), 3504);
    QCOMPARE(objs[3]["listed"].toInt(), 3);
    QCOMPARE(objs[3]["truncated"].toBool(), true);
    QCOMPARE(layerctl({"check", "--threads", "0", file}).code, 2);
    QCOMPARE(layerctl({"check", "--max-problems", "x", file}).code, 2);
}

void TestCheckCmd::quietAndColor()
{
    const QString delta = testutil::fixtureLayers().filter("-0000000005000050").first();
    const Run quiet = layerctl({"check", "-q", delta});
    QCOMPARE(quiet.code, 1);
    QVERIFY(quiet.out.isEmpty());
    const Run color = layerctl({"check", "--color", "always", delta});
    QVERIFY(color.out.contains("\033[1;33mwarning\033[0m[value-size]"));
    const Run never = layerctl({"check", "--color", "never", delta});
    QVERIFY(!never.out.contains("\033["));
    QVERIFY(layerctl({"check", delta}).out == never.out); // not a terminal: no colour
}

// check DIR: the timeline's problems, then every layer validated; the planted one fails.
void TestCheckCmd::checkScrubsADirectory()
{
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    const Run r = layerctl({"check", "--json", dir.path()});
    QCOMPARE(r.code, 1);
    int timelineErrors = 0, files = 0, fileErrors = 0;
    for (const QJsonObject &o : parseLines(r.out)) {
        if (o.contains("timeline"))
            timelineErrors = o["errors"].toInt();
        else if (o.contains("entries_checked")) {
            ++files;
            fileErrors += o["errors"].toInt();
        }
    }
    QCOMPARE(timelineErrors, 1); // the summary that contradicts its name
    QCOMPARE(files, 5);          // the mapped layers; not the temp file, not notes.txt
    QCOMPARE(fileErrors, 1);     // the same layer's own file-name check
    // A sound timeline (the planted layer and the extra files removed) is clean.
    for (const QString &f : QDir(dir.path()).entryList(QDir::Files))
        if (f.endsWith("__0000000000000300") || f.endsWith("___temp") || f == "notes.txt")
            QVERIFY(QFile::remove(dir.filePath(f)));
    QCOMPARE(layerctl({"check", dir.path()}).code, 0);
}

// check index_part.json: the real, healthy index has no warnings (its LSN gaps lie below the GC
// cutoff); every problem names the layer it concerns. With a directory, --index cross-checks.
void TestCheckCmd::checkScrubsAnIndex()
{
    const QString index = testutil::sharedDir() + "/fixtures/neon-index/index_part.json";
    Run r = layerctl({"check", "--json", index});
    QCOMPARE(r.code, 0);
    const QList<QJsonObject> lines = parseLines(r.out);
    QMap<QString, int> infos;
    for (const QJsonObject &o : lines) {
        if (!o.contains("check"))
            continue;
        QCOMPARE(o["severity"].toString(), QString("info"));
        QVERIFY2(o["file"].toString().contains("__"),
                 qPrintable(o["file"].toString())); // a layer name
        ++infos[o["check"].toString()];
    }
    QCOMPARE(infos["timeline-lsn-gap"], 23);
    QCOMPARE(infos["timeline-key-base"], 6);
    const QJsonObject timeline = lines[lines.size() - 2];
    QCOMPARE(timeline["layers"].toInt(), 1564);
    QCOMPARE(timeline["warnings"].toInt(), 0);
    QCOMPARE(lines.last()["files"].toInt(), 0); // none of them is on disk to validate
    QCOMPARE(lines.last()["infos"].toInt(), 29);
    r = layerctl({"ls", index});
    QVERIFY2(r.out.contains("index: GC cutoff 1BC/B5732690"), r.out.right(300).constData());

    // A directory and an index that lists one more layer and a wrong size: both said, exit 1.
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    QString listed;
    QString wrong;
    for (const QString &f : QDir(dir.path()).entryList(QDir::Files)) {
        if (!f.contains("__") || f.endsWith("___temp"))
            continue;
        const qint64 size = QFileInfo(dir.filePath(f)).size() + (wrong.isEmpty() ? 8192 : 0);
        if (wrong.isEmpty())
            wrong = f;
        listed += QStringLiteral("\"%1\":{\"file_size\":%2},").arg(f).arg(size);
    }
    const QString missing = QString::fromStdString(
        timelinefixture::deltaName(timelinefixture::k(20), timelinefixture::k(30), 0x400, 0x500)
            .canonical());
    listed += QStringLiteral("\"%1\":{\"file_size\":4096}").arg(missing);
    const QString indexFile = dir.filePath("index_part.json");
    QVERIFY(testutil::writeFile(
        indexFile,
        QStringLiteral(R"({"version":15,"layer_metadata":{%1},"disk_consistent_lsn":"0/500"})")
            .arg(listed)
            .toUtf8()));
    r = layerctl({"check", "--json", dir.path(), "--index", indexFile});
    QCOMPARE(r.code, 1);
    QStringList indexProblems;
    for (const QJsonObject &o : parseLines(r.out))
        if (o["check"].toString() == "timeline-index")
            indexProblems << QFileInfo(o["file"].toString()).fileName() + ": "
                                 + o["message"].toString();
    indexProblems.sort();
    QCOMPARE(indexProblems.size(), 2);
    QVERIFY2(indexProblems.join('\n').contains(missing + ": listed in the index but not on disk"),
             qPrintable(indexProblems.join('\n')));
    QVERIFY2(indexProblems.join('\n').contains(wrong + ": "), qPrintable(indexProblems.join('\n')));
}

// --list-checks prints the registry, one check per line (or object), in the table's order, and
// reads nothing; an unknown format is a usage error.
void TestCheckCmd::listChecks_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("format");
    QTest::newRow("default-text") << QStringList{"--list-checks"} << "text";
    QTest::newRow("text") << QStringList{"--list-checks", "text"} << "text";
    QTest::newRow("json") << QStringList{"--list-checks", "json"} << "json";
    QTest::newRow("json-flag") << QStringList{"--json", "--list-checks"} << "json";
    QTest::newRow("markdown") << QStringList{"--list-checks", "markdown"} << "markdown";
    QTest::newRow("man") << QStringList{"--list-checks", "man"} << "man";
    QTest::newRow("unknown-format") << QStringList{"--list-checks", "xml"} << "";
}

void TestCheckCmd::listChecks()
{
    QFETCH(QStringList, args);
    QFETCH(QString, format);
    const Run r = layerctl(QStringList{"check"} + args);
    if (format.isEmpty()) {
        QCOMPARE(r.code, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.trimmed(),
                 QByteArray("layerctl check: --list-checks: expected text, json, markdown or man, "
                            "found \"xml\""));
        return;
    }
    QCOMPARE(r.code, 0);
    QVERIFY(r.err.isEmpty());
    const auto registry = checkRegistry();
    QStringList ids;
    if (format == "json") {
        const QList<QJsonObject> objs = parseLines(r.out);
        QCOMPARE(qsizetype(objs.size()), qsizetype(registry.size()));
        for (std::size_t i = 0; i < registry.size(); ++i) {
            const CheckInfo &c = registry[i];
            const QJsonObject &o = objs[qsizetype(i)];
            QCOMPARE(o["check"].toString().toStdString(), std::string(c.id));
            QCOMPARE(o["severity"].toString(), QString(severityName(c.severity)));
            QCOMPARE(o["weaker_severity"].isNull(), !c.weaker);
            QCOMPARE(o["group"].toString(), QString(checkGroupName(c.group)));
            QCOMPARE(o["meaning"].toString().toStdString(), std::string(c.meaning));
            QCOMPARE(o["bytes"].toString().toStdString(), std::string(c.bytes));
        }
        return;
    }
    // Every id, in the table's order, once each.
    qsizetype from = 0;
    for (const CheckInfo &c : registry) {
        const QByteArray id = format == "man"
                                  ? QByteArray(".B ")
                                        + QByteArray(c.id.data(), qsizetype(c.id.size()))
                                              .replace("-", "\\-")
                              : format == "markdown"
                                  ? "| `" + QByteArray(c.id.data(), qsizetype(c.id.size())) + "` |"
                                  : QByteArray(c.id.data(), qsizetype(c.id.size())) + " ";
        const qsizetype at = r.out.indexOf(id, from);
        QVERIFY2(at >= 0, id.constData());
        from = at + id.size();
    }
    const int rows = int(r.out.count(format == "man" ? ".TP\n" : "\n"))
                     - (format == "markdown" ? 2 : 0);
    QCOMPARE(rows, int(registry.size()));
}

// The user guide's check table and the man page's CHECKS section are the registry as
// --list-checks prints it: a check added, changed or removed without them fails here.
void TestCheckCmd::listChecksIsWhatTheDocsShow_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("begin");
    QTest::addColumn<QString>("end");
    QTest::newRow("user-guide") << "docs/guide/diagnose.md"
                                << "markdown"
                                << "<!-- check table:"
                                << "<!-- end of check table -->";
    QTest::newRow("man-page") << "resources/layerctl.1"
                              << "man"
                              << ".\\\" check table:"
                              << ".\\\" end of check table";
}

void TestCheckCmd::listChecksIsWhatTheDocsShow()
{
    QFETCH(QString, file);
    QFETCH(QString, format);
    QFETCH(QString, begin);
    QFETCH(QString, end);
    const QByteArray text = testutil::readAll(QStringLiteral(LAYERSCOPE_SOURCE_DIR "/") + file);
    const qsizetype a = text.indexOf(begin.toUtf8()), b = text.indexOf(end.toUtf8());
    QVERIFY2(a >= 0 && b > a, qPrintable(file));
    const qsizetype tableAt = text.indexOf('\n', a) + 1;
    const Run r = layerctl({"check", "--list-checks", format});
    QCOMPARE(r.code, 0);
    QCOMPARE(text.mid(tableAt, b - tableAt), r.out);
}

// A layer under tenants/<tenant>-<NNCC>/ is checked as that shard's: keys another shard owns are
// key-wrong-shard errors naming their owner, except in an L0 delta (inherited at a split: one
// shard-inherited-keys note). The stripe comes from --stripe-size, else the tenant manifest,
// else Neon's default.
void TestCheckCmd::strayKeysOfAShard_data()
{
    QTest::addColumn<QString>("slug");
    QTest::addColumn<bool>("l0");
    QTest::addColumn<int>("manifestStripe"); // 0: no manifest
    QTest::addColumn<int>("optionStripe");   // 0: no --stripe-size
    QTest::newRow("image-shard-1-of-4") << "0104" << false << 0 << 0;
    QTest::newRow("image-shard-0-of-4") << "0004" << false << 0 << 0;
    QTest::newRow("image-manifest-stripe") << "0104" << false << 32768 << 0;
    QTest::newRow("image-option-over-manifest") << "0104" << false << 32768 << 2048;
    QTest::newRow("l0-delta-inherits") << "0104" << true << 0 << 0;
    QTest::newRow("image-manifest-not-json") << "0104" << false << -1 << 0;
    QTest::newRow("image-unsharded") << "" << false << 0 << 0;
}

void TestCheckCmd::strayKeysOfAShard()
{
    QFETCH(QString, slug);
    QFETCH(bool, l0);
    QFETCH(int, manifestStripe);
    QFETCH(int, optionStripe);
    QTemporaryDir dir;
    const QString tenant = "3aa8fcc61f6d357410b7de754b1d9001"
                           + (slug.isEmpty() ? QString() : "-" + slug);
    const QString timeline = dir.filePath("tenants/" + tenant
                                          + "/timelines/0f2a3e9c0b1d4e5f8a7b6c5d4e3f2a1b");
    QVERIFY(QDir().mkpath(timeline));
    const QString manifest = dir.filePath("tenants/" + tenant + "/tenant-manifest-00000001.json");
    if (manifestStripe) // -1: a manifest cut short, not JSON
        QVERIFY(testutil::writeFile(
            manifest,
            manifestStripe < 0
                ? QByteArray("{\"version\":2,\"stripe_size\":")
                : QStringLiteral("{\"version\":2,\"stripe_size\":%1,\"offloaded_timelines\":[]}")
                      .arg(manifestStripe)
                      .toUtf8()));
    // 16 blocks of one relation, one every 2048: over four shards at Neon's default stripe.
    Summary s = testutil::testSummary(l0 ? LayerKind::Delta : LayerKind::Image);
    if (!l0) {
        s.keyStart = Key::fromFields(0, 1663, 5, 16384, 0, 0);
        s.keyEnd = Key::fromFields(0, 1663, 5, 16384, 0, 0x100000);
        s.lsnStart = Lsn{0x3000};
    }
    std::vector<Key> keys;
    for (std::uint32_t i = 0; i < 16; ++i)
        keys.push_back(Key::fromFields(0, 1663, 5, 16384, 0, i * 2048));
    auto written = writeLayerFile(timeline.toStdString(), s, [&](LayerWriter &w) -> Status {
        for (const Key &k : keys) {
            Value v;
            v.v = ByteVector(8192, 0);
            if (auto st = l0 ? w.addDelta(k, Lsn{0x2000}, v) : w.addImage(k, v.image()); !st)
                return st;
        }
        return Ok{};
    });
    QVERIFY(written);
    QStringList args{"check", "--json"};
    if (optionStripe)
        args << "--stripe-size" << QString::number(optionStripe);
    const Run r = layerctl(args << timeline);
    const std::uint32_t stripe = optionStripe         ? optionStripe
                                 : manifestStripe > 0 ? manifestStripe
                                                      : 2048;
    // A manifest that is not JSON is said once, naming it, and Neon's default is used.
    QCOMPARE(r.err.count("not a tenant manifest"), manifestStripe < 0 ? 1 : 0);
    if (manifestStripe < 0)
        QVERIFY(r.err.contains(manifest.toUtf8()));
    const auto shard = ShardIdentity::fromSlug(slug.toStdString(), stripe);
    int strays = 0;
    for (const Key &k : keys)
        strays += shard && isKeyDisposable(*shard, k);
    QVERIFY(slug.isEmpty() || l0 || manifestStripe > 0 || strays > 0); // the rows test something
    int reported = 0, notes = 0;
    for (const QJsonObject &o : parseLines(r.out)) {
        if (o["check"] == "key-wrong-shard") {
            ++reported;
            const Key k = *Key::fromHex(o["key"].toString().toStdString());
            QVERIFY2(o["message"].toString().contains(
                         QStringLiteral(
                             "belongs to shard %1 of 4 (stripe %2 pages), not to this shard %3")
                             .arg(keyToShardNumber(4, stripe, k))
                             .arg(stripe)
                             .arg(shard->number)),
                     qPrintable(o["message"].toString()));
        }
        if (o["check"] == "shard-inherited-keys") {
            ++notes;
            QVERIFY(
                o["message"].toString().startsWith(QStringLiteral("%1 of 16 entries").arg(strays)));
        }
    }
    QCOMPARE(reported, l0 ? 0 : strays);
    QCOMPARE(notes, l0 && strays ? 1 : 0);
    QCOMPARE(r.code, !l0 && strays ? 1 : 0);
}

// A tenant split from 2 shards into 4 (shardedtenant.h): however it is named (the region, the
// tenant across its shards, one shard, the children's timelines), each planted fault is
// reported once, with the shard that owns the key or holds the layer, and no other error or
// warning; a child shard that is gone is shard-missing when the tenant was listed whole.
void TestCheckCmd::aShardedTenant_data()
{
    QTest::addColumn<QStringList>("args"); // ROOT stands for the tree's root
    QTest::addColumn<bool>("stray");
    QTest::addColumn<bool>("missing");
    QTest::addColumn<QString>("gone"); // a child shard removed before the check
    const QString tenant = "ROOT/tenants/" + shardedtenant::kTenant;
    QStringList children;
    for (const char *slug : {"0004", "0104", "0204", "0304"})
        children << "ROOT/" + shardedtenant::timelineDir(slug);
    QTest::newRow("region") << QStringList{"--recursive", "ROOT"} << true << true << "";
    QTest::newRow("tenant-across-shards")
        << QStringList{"--recursive", tenant} << true << true << "";
    QTest::newRow("one-shard") << QStringList{"--recursive", tenant + "-0304"} << false << true
                               << "";
    QTest::newRow("children-named") << children << true << true << "";
    QTest::newRow("child-gone") << QStringList{"--recursive", tenant} << true << false << "0304";
}

void TestCheckCmd::aShardedTenant()
{
    QFETCH(QStringList, args);
    QFETCH(bool, stray);
    QFETCH(bool, missing);
    QFETCH(QString, gone);
    QTemporaryDir dir;
    const shardedtenant::Planted planted = shardedtenant::write(dir.path());
    if (!gone.isEmpty())
        QVERIFY(QDir(dir.filePath(shardedtenant::tenantDir(gone))).removeRecursively());
    args.replaceInStrings("ROOT", dir.path());
    const Run r = layerctl(QStringList{"check", "--json"} + args);
    QStringList faults;
    for (const QJsonObject &o : parseLines(r.out))
        if (o["record"] == "problem" && o["severity"] != "info")
            faults << o["check"].toString() + " " + o["file"].toString() + ": "
                          + o["message"].toString();
    QStringList expected;
    if (stray)
        expected << QStringLiteral("key-wrong-shard %1: key %2 (")
                        .arg(dir.filePath(planted.strayLayer),
                             QString::fromStdString(planted.strayKey.toHex()))
                 << QStringLiteral("key-wrong-shard %1: belongs to shard %2 of 4")
                        .arg(dir.filePath(planted.strayLayer))
                        .arg(planted.strayOwner);
    if (missing)
        expected << QStringLiteral(
                        "shard-layer-missing %1: listed in the index as shard %2's layer")
                        .arg(dir.filePath(planted.missingListedBy) + planted.missingName,
                             planted.missingShard);
    if (!gone.isEmpty())
        expected << QStringLiteral("shard-missing %1: shard 3 of 4 has no copy")
                        .arg(dir.filePath(shardedtenant::timelineDir(gone)));
    QVERIFY2(faults.size() == expected.size() - (stray ? 1 : 0), qPrintable(faults.join("\n")));
    for (const QString &e : expected) {
        const auto at = std::find_if(faults.begin(), faults.end(), [&](const QString &f) {
            return f.startsWith(e.section(':', 0, 0) + ':') && f.contains(e.section(": ", 1));
        });
        QVERIFY2(at != faults.end(), qPrintable(e + "\nnot in\n" + faults.join('\n')));
    }
    if (missing) // where it was looked for is said
        QVERIFY(faults.join('\n').contains(shardedtenant::timelineDir(planted.missingShard)));
    QCOMPARE(r.code, 1);
}

QTEST_GUILESS_MAIN(TestCheckCmd)
#include "tst_checkcmd.moc"
