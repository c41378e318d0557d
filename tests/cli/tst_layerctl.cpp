#include "clirun.h"
#include "testutil.h"
#include "timelinefixture.h"

#include <layerscope/format/layer.h>

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

// Runs the real layerctl binary: output formats, byte-identical rewrite, exit codes.
class TestLayerctl : public QObject
{
    Q_OBJECT
private slots:
    void dumpJsonEqualsExpect_data();
    void dumpJsonEqualsExpect();
    void summaryAndKeysJson_data() { dumpJsonEqualsExpect_data(); }
    void summaryAndKeysJson();
    void treeNeonEqualsBtreeTxt_data() { dumpJsonEqualsExpect_data(); }
    void treeNeonEqualsBtreeTxt();
    void rewrite_data();
    void rewrite();
    void keysFromAndLimit();
    void keysJsonLines_data();
    void keysJsonLines();
    void blob();
    void exitCodes_data();
    void exitCodes();
    void demo();
    void checkClean();
    void checkMemoryStaysBounded();
    void checkCorrupt_data();
    void checkCorrupt();
    void checkEvidence();
    void salvage();
    void specialFilesExit2_data();
    void specialFilesExit2();
    void checkGroupsAndCaps();
    void salvageExitCodes();
    void helpPerCommand_data();
    void helpPerCommand();
    void optionErrorsNameTheCommand_data();
    void optionErrorsNameTheCommand();
    void missingPathsNameNoOffset_data();
    void missingPathsNameNoOffset();
    void statsCsvUnwritableFailsFirst();
    void guiWithoutDisplay_data();
    void guiWithoutDisplay();
    void guiScreenshotWithoutDisplay();
    void blobKeyAtLsn();
    void dumpPagectl();
    void quietAndColor();
    void dissectNodesMatchTree_data() { dumpJsonEqualsExpect_data(); }
    void dissectNodesMatchTree();
    void dissectDamagedAndUsage();
    void diffRewrittenAndChanged_data() { dumpJsonEqualsExpect_data(); }
    void diffRewrittenAndChanged();
    void statsCsvMatchesJson_data() { dumpJsonEqualsExpect_data(); }
    void statsCsvMatchesJson();
    void statsTotalsMatchDump_data() { dumpJsonEqualsExpect_data(); }
    void statsTotalsMatchDump();
    void lsListsTheTimeline();
    void checkScrubsADirectory();
    void checkScrubsAnIndex();
    void findFollowsTheReadPath_data();
    void findFollowsTheReadPath();
    void findReconstructsThePage();
    void realPostgresLayer_data();
    void realPostgresLayer();
};

namespace {
using testutil::layerctl;
using testutil::Run;

/// Starts the GUI binary with no display in its environment.
void startGuiWithoutDisplay(QProcess &p, const QStringList &args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(v));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(LAYERSCOPE_GUI_PATH), args);
}

QList<QJsonObject> parseLines(const QByteArray &out)
{
    QList<QJsonObject> objs;
    for (const QByteArray &line : out.split('\n'))
        if (!line.isEmpty())
            objs << QJsonDocument::fromJson(line).object();
    return objs;
}
} // namespace

void TestLayerctl::dumpJsonEqualsExpect_data()
{
    QTest::addColumn<QString>("path");
    int n = 0;
    for (const QString &f : testutil::fixtureLayers())
        QTest::addRow("fixture-%d", ++n) << f;
}

void TestLayerctl::dumpJsonEqualsExpect()
{
    QFETCH(QString, path);
    const Run r = layerctl({"dump", "--json", path});
    QCOMPARE(r.code, 0);
    QCOMPARE(parseLines(r.out), testutil::readJsonLines(path + ".expect.jsonl"));
}

void TestLayerctl::summaryAndKeysJson()
{
    QFETCH(QString, path);
    const auto expect = testutil::readJsonLines(path + ".expect.jsonl");
    const Run s = layerctl({"summary", "--json", path});
    QCOMPARE(s.code, 0);
    QCOMPARE(parseLines(s.out), expect.mid(0, 1));
    const Run k = layerctl({"keys", "--json", path});
    QCOMPARE(k.code, 0);
    QCOMPARE(parseLines(k.out), expect.mid(1));
}

void TestLayerctl::treeNeonEqualsBtreeTxt()
{
    QFETCH(QString, path);
    const Run r = layerctl({"tree", "--neon", path});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, testutil::readAll(path + ".btree.txt"));
}

void TestLayerctl::rewrite_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("compression");
    QTest::addColumn<bool>("identical");
    int n = 0;
    for (const QString &f : testutil::fixtureLayers()) {
        ++n;
        QTest::addRow("verbatim-%d", n) << f << "" << true;
        QTest::addRow("none-%d", n) << f << "none" << true;
        QTest::addRow("zstd-%d", n) << f << "zstd" << false;
    }
}

void TestLayerctl::rewrite()
{
    QFETCH(QString, path);
    QFETCH(QString, compression);
    QFETCH(bool, identical);
    QTemporaryDir dir;
    const QString out = dir.filePath(QFileInfo(path).fileName());
    QStringList args{"rewrite", path, out};
    if (!compression.isEmpty())
        args << "--compression" << compression;
    const Run r = layerctl(args);
    QCOMPARE(r.code, 0);
    const QByteArray a = testutil::readAll(path), b = testutil::readAll(out);
    QCOMPARE(a == b, identical);
    // Whatever the encoding, the content reads back the same (sha256 of every value).
    auto strip = [](QList<QJsonObject> objs) {
        for (auto &o : objs) {
            for (const char *f : {"offset",
                                  "file_size",
                                  "index_start_blk",
                                  "index_root_blk",
                                  "zstd",
                                  "nodes_per_level_root_first",
                                  "btree_depth"})
                o.remove(f);
        }
        return objs;
    };
    QCOMPARE(strip(parseLines(layerctl({"dump", "--json", out}).out)),
             strip(testutil::readJsonLines(path + ".expect.jsonl")));
}

void TestLayerctl::keysFromAndLimit()
{
    const QStringList files = testutil::fixtureLayers();
    for (const QString &f : files) {
        const auto expect = testutil::readJsonLines(f + ".expect.jsonl").mid(1);
        const QString third = expect[2]["key"].toString();
        const QString from = expect[2].contains("lsn") ? third + "@" + expect[2]["lsn"].toString()
                                                       : third;
        const Run r = layerctl({"keys", "--json", "--from", from, "--limit", "3", f});
        QCOMPARE(r.code, 0);
        QCOMPARE(parseLines(r.out), expect.mid(2, 3));
        const Run text = layerctl({"keys", f});
        QCOMPARE(text.code, 0);
        QCOMPARE(text.out.count('\n'), expect.size());
        QVERIFY(text.out.contains("rel 1663/5/16384 blk 0"));
    }
}

// keys --json writes its lines itself, on several threads, in batches of 16,384 entries: each
// line is what the JSON library writes for that entry (blob --json's line starts with it), and
// the lines stay in key order across batches and threads.
void TestLayerctl::keysJsonLines_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("compression");
    QTest::newRow("delta-zstd") << "delta" << "zstd";
    QTest::newRow("image-plain") << "image" << "none";
}

void TestLayerctl::keysJsonLines()
{
    QFETCH(QString, kind);
    QFETCH(QString, compression);
    QTemporaryDir dir;
    const Run synth = layerctl({"synth", "--kind", kind, "--entries", "40000", "--value-size", "64",
                                "--compression", compression, dir.path()});
    QCOMPARE(synth.code, 0);
    const QString file = QString::fromUtf8(synth.out.trimmed());
    const Run keys = layerctl({"keys", "--json", file});
    QCOMPARE(keys.code, 0);
    const QList<QByteArray> lines = keys.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 40000);
    QString previous;
    for (const QByteArray &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString at = o["key"].toString() + o["lsn"].toString();
        QVERIFY2(at > previous, line.constData());
        previous = at;
    }
    for (int i : {0, 16383, 16384, 32768, 39999}) {
        const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
        QStringList args{"blob", "--json", file, o["key"].toString()};
        if (o.contains("lsn"))
            args << o["lsn"].toString();
        const Run blob = layerctl(args);
        QCOMPARE(blob.code, 0);
        QVERIFY2(blob.out.startsWith(lines[i].chopped(1) + ","),
                 (lines[i] + "\n" + blob.out).constData());
    }
}

void TestLayerctl::blob()
{
    for (const QString &f : testutil::fixtureLayers()) {
        const auto expect = testutil::readJsonLines(f + ".expect.jsonl").mid(1);
        const QJsonObject last = expect.last();
        QStringList args{"blob", "--json", f, last["key"].toString()};
        if (last.contains("lsn"))
            args << last["lsn"].toString();
        const Run r = layerctl(args);
        QCOMPARE(r.code, 0);
        const QJsonObject got = parseLines(r.out).first();
        QCOMPARE(got["sha256"], last["sha256"]);
        QCOMPARE(got["offset"], last["offset"]);
        QVERIFY(got["stored_hex"].toString().size() > 0);
        args.removeAll("--json");
        const Run text = layerctl(args);
        QCOMPARE(text.code, 0);
        QVERIFY(
            text.out.contains(QString::asprintf("%08llx", last["offset"].toInteger()).toLatin1()));
    }
}

void TestLayerctl::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("stderrHas");
    QTest::newRow("no-command") << QStringList{} << QByteArray() << 2 << "no command";
    QTest::newRow("unknown-command") << QStringList{"frobnicate"} << QByteArray() << 2 << "unknown";
    QTest::newRow("missing-file") << QStringList{"summary", "/nonexistent/layer"} << QByteArray()
                                  << 2 << "/nonexistent/layer";
    QTest::newRow("not-a-layer") << QStringList{"summary", "@FILE@"} << QByteArray(9000, 'x') << 1
                                 << "at offset 0: expected layer magic";
    QTest::newRow("too-short") << QStringList{"keys", "@FILE@"} << QByteArray(100, '\0') << 1
                               << "at offset 100";
    QTest::newRow("bad-limit") << QStringList{"keys", "--limit", "x", "f"} << QByteArray() << 2
                               << "--limit";
    QTest::newRow("version") << QStringList{"--version"} << QByteArray() << 0 << "";
}

void TestLayerctl::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, content);
    QFETCH(int, code);
    QFETCH(QString, stderrHas);
    QTemporaryDir dir;
    const QString file = dir.filePath("input");
    if (!content.isEmpty()) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    args.replaceInStrings("@FILE@", file);
    const Run r = layerctl(args);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(stderrHas.toUtf8()), r.err.constData());
    if (code == 1)
        QVERIFY(r.err.contains(file.toUtf8()));
}

void TestLayerctl::demo()
{
    QTemporaryDir dir;
    const Run r = layerctl({"demo", dir.path()});
    QCOMPARE(r.code, 0);
    const QList<QByteArray> files = r.out.trimmed().split('\n');
    QCOMPARE(files.size(), 3);
    for (const QByteArray &f : files) {
        const Run s = layerctl({"summary", QString::fromUtf8(f)});
        QCOMPARE(s.code, 0);
        QVERIFY(s.out.contains("file name        matches the summary"));
        const Run d = layerctl({"dump", QString::fromUtf8(f)});
        QCOMPARE(d.code, 0);
        QVERIFY(!d.out.contains("ERROR"));
    }
}

// README: "pages already checked are given back, so memory stays bounded whatever the file
// size". A delta of about 520 MiB is checked; the process's peak resident memory (its own, from
// wait4) stays under three quarters of the file, which every page of the file resident at once
// would exceed (about 100 MiB in the debug build, 270 MiB under ASan).
void TestLayerctl::checkMemoryStaysBounded()
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
        char *const argv[] = {const_cast<char *>(program.constData()), const_cast<char *>("check"),
                              const_cast<char *>(path.constData()), nullptr};
        ::execv(argv[0], argv);
        ::_exit(127);
    }
    QVERIFY(pid > 0);
    int status = 0;
    struct rusage usage {};
    QCOMPARE(::wait4(pid, &status, 0, &usage), pid);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    const qint64 peak = qint64(usage.ru_maxrss) * 1024;
    QVERIFY2(peak < size / 4 * 3, qPrintable(QStringLiteral("peak %1 MiB for a %2 MiB file").arg(peak >> 20).arg(size >> 20)));
}

void TestLayerctl::checkClean()
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

void TestLayerctl::checkCorrupt_data()
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

void TestLayerctl::checkCorrupt()
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

void TestLayerctl::checkEvidence()
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

void TestLayerctl::salvage()
{
    QTemporaryDir dir;
    const Run demo = layerctl({"demo", dir.path()});
    const QString delta = QString::fromUtf8(demo.out.trimmed().split('\n').last());
    QByteArray content = testutil::readAll(delta);
    // Smash the root (the last block): the tree cannot be walked any more.
    content.replace(content.size() - 8192, 8192, QByteArray(8192, char(0xEE)));
    const QString broken = dir.filePath("broken");
    QVERIFY(testutil::writeFile(broken, content));
    QCOMPARE(layerctl({"check", broken}).code, 1);
    QVERIFY(QDir().mkpath(dir.filePath("salvaged")));
    const QString out = dir.filePath("salvaged/" + QFileInfo(delta).fileName());
    const Run r = layerctl({"salvage", broken, out});
    // Every entry kept, the index rebuilt: a repair, so exit 1 (the input was damaged).
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.contains("kept 2426 of 2426 entries"), r.out.constData());
    QVERIFY(r.out.contains("dropped 0, repaired 1"));
    QVERIFY(r.out.contains("repaired: the index root at"));
    // The salvaged file is a valid layer with the same entries as the original.
    QCOMPARE(layerctl({"check", out}).code, 0);
    QCOMPARE(layerctl({"keys", "--json", out}).out, layerctl({"keys", "--json", delta}).out);
}

void TestLayerctl::specialFilesExit2_data()
{
    QTest::addColumn<QString>("command");
    for (const char *c : {"check", "summary", "dump", "keys", "tree"})
        QTest::newRow(c) << c;
}

// A FIFO (named pipe) never blocks a command: refused at once, exit 2, one line naming it.
void TestLayerctl::specialFilesExit2()
{
    QFETCH(QString, command);
    QTemporaryDir dir;
    const QString fifo = dir.filePath("pipe");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    QProcess p;
    p.start(QStringLiteral(LAYERCTL_PATH), {command, fifo});
    QVERIFY(p.waitForFinished(20000)); // a hang fails here instead of blocking the suite
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains(fifo.toUtf8()) && err.contains("FIFO"), err.constData());
    QCOMPARE(err.count('\n'), 1);
}

// 4,000 value-size warnings and one cycle: text groups the warnings into one line, the counts
// are exact, --max-problems caps the list and never the cycle.
void TestLayerctl::checkGroupsAndCaps()
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

// salvage: 0 when nothing was dropped or repaired, 1 when something was, 2 when nothing
// could be written; every written output checks clean.
void TestLayerctl::salvageExitCodes()
{
    QTemporaryDir dir;
    const QString image = testutil::fixtureLayers().filter("__0000000001696070").first();
    const QString out = dir.filePath("out");
    QVERIFY(QDir().mkpath(out));
    const Run clean = layerctl({"salvage", image, out});
    QCOMPARE(clean.code, 0);
    const QString written = QDir(out).filePath(QFileInfo(image).fileName());
    QCOMPARE(testutil::readAll(written), testutil::readAll(image)); // byte for byte
    QVERIFY(clean.out.contains("kept 10 of 10 entries"));

    QByteArray bytes = testutil::readAll(image);
    bytes[8192 + 3 * 8196 + 3] = char(0xFF); // page 3's length: 8192 → 8447
    const QString damaged = dir.filePath(QFileInfo(image).fileName());
    QVERIFY(testutil::writeFile(damaged, bytes));
    const QString out2 = dir.filePath("out2");
    QVERIFY(QDir().mkpath(out2));
    const Run r = layerctl({"salvage", damaged, out2});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.contains(": dropped: key 000000067F00000005000040000000000003"),
             r.out.constData());
    QCOMPARE(layerctl({"check", QDir(out2).filePath(QFileInfo(image).fileName())}).code, 0);

    const QString zeros = dir.filePath("zeros");
    QVERIFY(testutil::writeFile(zeros, QByteArray(4 * 8192, 0)));
    const Run none = layerctl({"salvage", zeros, dir.filePath("out3")});
    QCOMPARE(none.code, 2);
    QVERIFY(none.err.contains("nothing written"));
    QVERIFY(!QFile::exists(dir.filePath("out3")));
}

void TestLayerctl::helpPerCommand_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("has");
    QTest::addColumn<QString>("hasNot");
    QTest::newRow("check") << "check"
                           << "--max-problems"
                           << "--tenant-id";
    QTest::newRow("synth") << "synth"
                           << "--value-size"
                           << "--evidence";
    QTest::newRow("rewrite-summary") << "rewrite-summary"
                                     << "--new-tenant-id"
                                     << "--pages";
    QTest::newRow("dump") << "dump"
                          << "pagectl"
                          << "--limit";
    QTest::newRow("salvage") << "salvage"
                             << "nothing written"
                             << "--json";
    QTest::newRow("diff") << "diff"
                          << "Exit status: 0 same content"
                          << "--pages";
}

// Each command's --help shows its own usage, options and an example, and nothing of the others.
void TestLayerctl::helpPerCommand()
{
    QFETCH(QString, command);
    QFETCH(QString, has);
    QFETCH(QString, hasNot);
    const Run r = layerctl({command, "--help"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(("Usage: layerctl " + command).toUtf8()), r.out.constData());
    QVERIFY(r.out.contains(has.toUtf8()));
    QVERIFY(!r.out.contains(hasNot.toUtf8()));
    QVERIFY(r.out.contains("Example") || r.out.contains("Exit status"));
    QVERIFY(!r.out.contains("/build/")); // no build path in the usage line
}

void TestLayerctl::optionErrorsNameTheCommand_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("says");
    const QString f = testutil::fixtureLayers().first();
    QTest::newRow("foreign-option") << QStringList{"check", "--tenant-id", "x", f}
                                    << "layerctl check: unknown option --tenant-id";
    QTest::newRow("option-of-another-command")
        << QStringList{"summary", "--neon", f} << "layerctl summary: unknown option --neon";
    QTest::newRow("size-overflow")
        << QStringList{"synth", "--kind", "image", "--size", "99999999999999G", "/tmp/x"}
        << "below 2^64";
    QTest::newRow("size-garbage") << QStringList{"synth",
                                                 "--kind",
                                                 "image",
                                                 "--size",
                                                 "12Q",
                                                 "/tmp/x"}
                                  << "--size";
    QTest::newRow("bad-format") << QStringList{"dump", "--format", "xml", f} << "layerctl dump:";
    QTest::newRow("bad-color") << QStringList{"check", "--color", "pink", f} << "layerctl check:";
    QTest::newRow("threads-out-of-range")
        << QStringList{"check", "--threads", "0", f} << "layerctl check:";
    QTest::newRow("missing-file-argument") << QStringList{"tree"} << "layerctl tree:";
    QTest::newRow("max-problems-negative")
        << QStringList{"check", "--max-problems", "-1", f}
        << "--max-problems: expected a whole number from 1 to 18446744073709551615, found \"-1\"";
    QTest::newRow("max-problems-zero") << QStringList{"check", "--max-problems", "0", f}
                                       << "expected a whole number from 1";
    QTest::newRow("max-problems-suffix") << QStringList{"check", "--max-problems", "1K", f}
                                         << "found \"1K\"";
    QTest::newRow("dissect-node-garbage")
        << QStringList{"dissect", "--node", "zz", f}
        << "layerctl dissect: --node: expected a number (decimal or 0x hex), found \"zz\"";
    QTest::newRow("synth-value-size-zero")
        << QStringList{"synth", "--kind", "image", "--size", "1M", "--value-size", "0", "/tmp/x"}
        << "layerctl synth: --value-size needs a number of bytes from 1 to 256M - 1";
}

// A path that is not there is named as a path: no byte offset is made up for it.
void TestLayerctl::missingPathsNameNoOffset_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("ls-directory") << QStringList{"ls", "/nonexistent-layerscope"};
    QTest::newRow("find-directory")
        << QStringList{"find", "/nonexistent-layerscope", "000000067F00000005000040000000000001@0/1"};
    QTest::newRow("summary-file") << QStringList{"summary", "/nonexistent-layerscope"};
    QTest::newRow("check-file") << QStringList{"check", "/nonexistent-layerscope"};
}

void TestLayerctl::missingPathsNameNoOffset()
{
    QFETCH(QStringList, args);
    const Run r = layerctl(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("/nonexistent-layerscope"), r.err.constData());
    QVERIFY2(r.err.contains("No such file or directory"), r.err.constData());
    QVERIFY2(!r.err.contains("at offset"), r.err.constData());
}

// stats --csv into a directory that cannot be written fails before reading any layer: no
// table is printed first.
void TestLayerctl::statsCsvUnwritableFailsFirst()
{
    QTemporaryDir dir;
    const QString notADir = dir.filePath("file");
    QFile f(notADir);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    const Run r = layerctl({"stats", testutil::fixtureLayers().first(), "--csv", notADir + "/csv"});
    QCOMPARE(r.code, 2);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.contains(notADir.toUtf8() + "/csv"), r.err.constData());
}

// layerscope --help, --version and --screenshot need no display: without one they print (or
// draw) instead of aborting in Qt's platform plugin; a window without a display is refused in
// one line.
void TestLayerctl::guiWithoutDisplay_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("says");
    QTest::newRow("help") << QStringList{"--help"} << 0 << QByteArray("Usage:");
    QTest::newRow("version") << QStringList{"--version"} << 0 << QByteArray("layerscope ");
    QTest::newRow("window") << QStringList{} << 2 << QByteArray("layerscope: no display");
}

void TestLayerctl::guiWithoutDisplay()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QByteArray, says);
    if (!*LAYERSCOPE_GUI_PATH)
        QSKIP("built without the GUI");
    QProcess p;
    startGuiWithoutDisplay(p, args);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), code);
    const QByteArray all = p.readAllStandardOutput() + p.readAllStandardError();
    QVERIFY2(all.contains(says), all.constData());
    QVERIFY2(!all.contains("could not connect to display"), all.constData());
}

void TestLayerctl::guiScreenshotWithoutDisplay()
{
    QTemporaryDir dir;
    const QString png = dir.filePath("shot.png");
    if (!*LAYERSCOPE_GUI_PATH)
        QSKIP("built without the GUI");
    QProcess p;
    startGuiWithoutDisplay(p, {"--screenshot", png, testutil::fixtureLayers().first()});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFileInfo(png).size() > 10000);
}

void TestLayerctl::optionErrorsNameTheCommand()
{
    QFETCH(QStringList, args);
    QFETCH(QString, says);
    const Run r = layerctl(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(says.toUtf8()), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
}

// One KEY@LSN syntax everywhere; KEY LSN stays an alias.
void TestLayerctl::blobKeyAtLsn()
{
    const QString delta = testutil::fixtureLayers().filter("-0000000005000050").first();
    const Run at = layerctl(
        {"blob", "--json", delta, "000000067F00000005000040000000000001@0/5000028"});
    const Run two = layerctl(
        {"blob", "--json", delta, "000000067F00000005000040000000000001", "0/5000028"});
    QCOMPARE(at.code, 0);
    QCOMPARE(at.out, two.out);
    const auto o = parseLines(at.out).first();
    QCOMPARE(o["lsn"].toString(), QString("0000000005000028"));
    QCOMPARE(o["len"].toInt(), 100);
    QCOMPARE(layerctl({"blob", delta, "000000067F00000005000040000000000001@0/5000028", "0/5000028"})
                 .code,
             2);
}

// dump --format pagectl: the B-tree part is byte for byte Neon's own dump (the fixture's
// .btree.txt); then one line per entry in pagectl's form.
void TestLayerctl::dumpPagectl()
{
    for (const QString &f : testutil::fixtureLayers()) {
        const Run r = layerctl({"dump", "--format", "pagectl", f});
        QCOMPARE(r.code, 0);
        const bool delta = f.endsWith("-0000000005000050");
        QVERIFY(r.out.startsWith(
            delta ? "----- delta layer for ten 0123456789abcdef0123456789abcdef tli "
                  : "----- image layer for ten 0123456789abcdef0123456789abcdef tli "));
        QVERIFY(r.out.contains(testutil::readAll(f + ".btree.txt")));
        if (delta) {
            QVERIFY(r.out.contains("index_start_blk: 3, root 0\n"));
            QVERIFY(r.out.contains(
                "  key 000000067F00000005000040000000000001 at 0/5000028:  img 100 bytes\n"));
            QCOMPARE(r.out.count("  key "), 15);
        } else {
            QVERIFY(r.out.contains("key: 000000067f00000005000040000000000000 offset 8192\n"));
            QCOMPARE(r.out.count("key: "), 10);
        }
    }
}

void TestLayerctl::quietAndColor()
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

void TestLayerctl::dissectNodesMatchTree()
{
    // Every node of a Neon-written layer: the fields tile the node's used bytes (and the
    // padding), and keys and values are what `tree --json` says.
    QFETCH(QString, path);
    const Run tree = layerctl({"tree", "--json", path});
    QCOMPARE(tree.code, 0);
    const auto nodes = parseLines(tree.out);
    QVERIFY(!nodes.isEmpty());
    for (const QJsonObject &node : nodes) {
        const Run d = layerctl(
            {"dissect", "--json", "--node", QString::number(node["block"].toInteger()), path});
        QCOMPARE(d.code, 0);
        const QJsonObject f = QJsonDocument::fromJson(d.out).object();
        QCOMPARE(f["offset"].toInteger(), node["offset"].toInteger());
        QCOMPARE(f["length"].toInteger(), 8192);
        qint64 at = f["offset"].toInteger();
        QJsonArray keys, values;
        for (const QJsonValue &cv : f["children"].toArray()) {
            const QJsonObject c = cv.toObject();
            QCOMPARE(c["offset"].toInteger(), at); // no gap, no overlap
            at += c["length"].toInteger();
            if (c["name"] == "keys")
                keys = c["children"].toArray();
            if (c["name"] == "values")
                values = c["children"].toArray();
            if (c["name"] == "prefix")
                QCOMPARE(c["value"].toString(), node["prefix"].toString());
            if (c["name"] == "padding")
                QCOMPARE(c["offset"].toInteger(),
                         node["offset"].toInteger() + node["used_bytes"].toInteger());
        }
        QCOMPARE(at, f["offset"].toInteger() + 8192);
        const QJsonArray entries = node["entries"].toArray();
        QCOMPARE(keys.size(), entries.size());
        QCOMPARE(values.size(), entries.size());
        for (qsizetype i = 0; i < entries.size(); ++i) {
            QCOMPARE(keys[i].toObject()["value"].toString(),
                     entries[i].toObject()["key"].toString());
            QCOMPARE(values[i].toObject()["value"].toString(),
                     entries[i].toObject()["value"].toString());
        }
    }
}

void TestLayerctl::dissectDamagedAndUsage()
{
    const QString path = testutil::fixtureLayers().constFirst();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCOMPARE(layerctl({"dissect", "--summary", path}).code, 0);
    QCOMPARE(layerctl({"dissect", path}).code, 2);                 // nothing selected
    QCOMPARE(layerctl({"dissect", "--node", "x1", path}).code, 2); // not a number
    QCOMPARE(layerctl({"dissect", "--summary", "--node", "0", path}).code, 2);
    QCOMPARE(layerctl({"dissect", "--summary", dir.filePath("missing")}).code, 2);
    // A damaged magic: the summary still dissects, the field says why, exit 1.
    QByteArray bytes = testutil::readAll(path);
    bytes[0] = 0x12;
    const QString bad = dir.filePath(QFileInfo(path).fileName());
    QVERIFY(testutil::writeFile(bad, bytes));
    const Run r = layerctl({"dissect", "--json", "--summary", bad});
    QCOMPARE(r.code, 1);
    const QJsonObject f = QJsonDocument::fromJson(r.out).object();
    const QJsonObject magic = f["children"].toArray()[0].toObject();
    QCOMPARE(magic["name"].toString(), QStringLiteral("magic"));
    QVERIFY(magic["error"].toString().contains("0x5A60"));
    QCOMPARE(f["children"].toArray()[4].toObject()["name"].toString(), QStringLiteral("key_start"));
    // --offset in hex finds the node holding that byte; --problems attaches the validator's.
    const Run n = layerctl({"dissect", "--json", "--problems", "--offset", "0x18001", bad});
    QCOMPARE(n.code, 0);
    QVERIFY(QJsonDocument::fromJson(n.out).object()["name"].toString().startsWith("node "));
    const Run s = layerctl({"dissect", "--json", "--problems", "--summary", bad});
    QVERIFY(s.out.contains("summary-magic"));
}

// A Neon-written layer against its zstd rewrite: no difference (exit 0). One payload byte of
// the copy flipped: exactly that entry, changed (exit 1). Its index damaged: exit 2, naming
// the damaged file, nothing listed.
void TestLayerctl::diffRewrittenAndChanged()
{
    using namespace layerscope;
    QFETCH(QString, path);
    QTemporaryDir dir;
    const QString rewritten = dir.filePath("rewritten");
    QCOMPARE(layerctl({"rewrite", "--compression", "zstd", path, rewritten}).code, 0);
    Run r = layerctl({"diff", path, rewritten});
    QVERIFY2(r.code == 0, r.out.constData());
    QVERIFY(r.out.contains("same content"));

    QByteArray bytes = testutil::readAll(path);
    auto layer = Layer::open(std::make_shared<MemorySource>(testutil::toVector(bytes)));
    QVERIFY(layer);
    const auto entries = *layer->entries();
    const Entry &e = entries[entries.size() / 2];
    const auto header = *layer->blobHeader(e);
    bytes[qsizetype(header.payloadOffset() + header.storedLen - 1)] ^= 0x01;
    const QString changed = dir.filePath("changed");
    QVERIFY(testutil::writeFile(changed, bytes));
    r = layerctl({"diff", "--json", path, changed});
    QCOMPARE(r.code, 1);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2); // the changed entry, the total
    const QJsonObject d = QJsonDocument::fromJson(lines[0]).object();
    QCOMPARE(d["kind"].toString(), QString("changed"));
    QCOMPARE(d["key"].toString(), QString::fromStdString(e.key.toHex()));
    QCOMPARE(d["a_blob_offset"].toInteger(), qint64(e.blobOffset));
    const QJsonObject total = QJsonDocument::fromJson(lines[1]).object();
    QCOMPARE(total["changed"].toInt(), 1);
    QCOMPARE(total["equal"].toInteger(), qint64(entries.size() - 1));
    // The same difference as CSV: a header, then the row with the key and both offsets.
    r = layerctl({"diff", "--csv", path, changed});
    QCOMPARE(r.code, 1);
    const QList<QByteArray> csv = r.out.split('\n');
    QCOMPARE(csv[0], QByteArray("Kind,Key,LSN,Key described,A blob offset,B blob offset,Detail\r"));
    QVERIFY2(csv[1].startsWith("changed," + QByteArray::fromStdString(e.key.toHex()) + ","),
             csv[1].constData());
    QVERIFY(csv[1].contains("," + QByteArray::number(qulonglong(e.blobOffset)) + ","));

    const FileOffset root = (std::uint64_t(layer->summary().indexStartBlk)
                             + layer->summary().indexRootBlk)
                            * 8192;
    bytes = testutil::readAll(path);
    bytes[qsizetype(root + 4)] = char(bytes[qsizetype(root + 4)] ^ 0x40); // suffix_len
    const QString damaged = dir.filePath("damaged");
    QVERIFY(testutil::writeFile(damaged, bytes));
    r = layerctl({"diff", path, damaged});
    QCOMPARE(r.code, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(damaged.toUtf8()), r.err.constData());
}

// stats --csv writes one file per table; their figures are the JSON report's, exactly.
void TestLayerctl::statsCsvMatchesJson()
{
    QFETCH(QString, path);
    QTemporaryDir dir;
    const Run json = layerctl({"stats", "--json", path});
    QCOMPARE(json.code, 0);
    const QJsonObject j = QJsonDocument::fromJson(json.out).object();
    const Run csv = layerctl({"stats", path, "--csv", dir.filePath("csv")});
    QCOMPARE(csv.code, 0);
    QVERIFY(csv.out.contains("Bytes by key category:"));
    const QStringList files = QDir(dir.filePath("csv")).entryList(QDir::Files);
    for (const char *expected : {"overview.csv",
                                 "file.csv",
                                 "categories.csv",
                                 "values.csv",
                                 "compression.csv",
                                 "blob_sizes.csv",
                                 "index_levels.csv"})
        QVERIFY2(files.contains(expected), qPrintable(files.join(',')));
    // categories.csv: Category,Entries,Stored,Payload,Share; the rows add up to the JSON total.
    const QList<QByteArray> lines = testutil::readAll(dir.filePath("csv/categories.csv")).split('\n');
    QCOMPARE(lines[0], QByteArray("Category,Entries,Stored,Payload,Share of stored\r"));
    qint64 entries = 0, stored = 0;
    for (int i = 1; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        const QList<QByteArray> cells = lines[i].trimmed().split(',');
        const QJsonObject c = j["categories"].toObject()[QString::fromUtf8(cells[0])].toObject();
        QCOMPARE(cells[1].toLongLong(), c["entries"].toInteger());
        QCOMPARE(cells[2].toLongLong(), c["stored_bytes"].toInteger());
        entries += cells[1].toLongLong();
        stored += cells[2].toLongLong();
    }
    QCOMPARE(entries, j["total"].toObject()["entries"].toInteger());
    QCOMPARE(stored, j["total"].toObject()["stored_bytes"].toInteger());
    // A directory that cannot be made is an error naming it.
    const QString blocked = dir.filePath("file");
    QVERIFY(testutil::writeFile(blocked, QByteArray("x")));
    const Run bad = layerctl({"stats", path, "--csv", blocked + "/sub"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains(blocked.toUtf8()), bad.err.constData());
}

// The statistics' totals are what `dump --json` shows: its entries, and their value bytes
// (blob_len for deltas, the image length for image layers).
void TestLayerctl::statsTotalsMatchDump()
{
    QFETCH(QString, path);
    const Run dump = layerctl({"dump", "--json", path});
    QCOMPARE(dump.code, 0);
    const QList<QJsonObject> lines = parseLines(dump.out);
    qint64 entries = 0, payload = 0;
    for (int i = 1; i < lines.size(); ++i) { // line 0 is the summary
        ++entries;
        payload += lines[i].contains("blob_len") ? lines[i]["blob_len"].toInteger()
                                                 : lines[i]["len"].toInteger();
    }
    const Run stats = layerctl({"stats", "--json", path});
    QCOMPARE(stats.code, 0);
    const QJsonObject total = QJsonDocument::fromJson(stats.out).object()["total"].toObject();
    QCOMPARE(total["entries"].toInteger(), entries);
    QCOMPARE(total["payload_bytes"].toInteger(), payload);
}

// check DIR: the timeline's problems, then every layer validated; the planted one fails.
void TestLayerctl::checkScrubsADirectory()
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
void TestLayerctl::checkScrubsAnIndex()
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

// ls: every file listed (a non-layer too), the summary that contradicts its name flagged.
void TestLayerctl::lsListsTheTimeline()
{
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    Run r = layerctl({"ls", dir.path()});
    QCOMPARE(r.code, 1); // one summary disagrees with its name
    QVERIFY2(r.out.contains("notes.txt  not a layer name"), r.out.constData());
    QVERIFY(r.out.contains(
        "summary disagrees with the name: lsn: 0/300 in the name, 0/200 in the summary"));
    QVERIFY(r.out.contains("[temporary: .1.___temp]"));
    QVERIFY(r.out.contains("7 files: 3 image, 3 delta, 1 not layers"));
    r = layerctl({"ls", "--json", dir.path()});
    const QList<QJsonObject> lines = parseLines(r.out);
    QCOMPARE(lines.size(), 8);
    QCOMPARE(lines.last()["problems"].toInt(),
             1); // the contradicting summary (notes.txt is listed, not a problem)
    QCOMPARE(layerctl({"ls", dir.filePath("missing")}).code, 2);
    // The real remote index alone: 1,564 layers, none flagged.
    r = layerctl({"ls", "--json", testutil::sharedDir() + "/fixtures/neon-index/index_part.json"});
    QCOMPARE(r.code, 0);
    const QJsonObject total = parseLines(r.out).last();
    QCOMPARE(total["total"].toInt(), 1564);
    QCOMPARE(total["images"].toInt(), 802);
    QCOMPARE(total["deltas"].toInt(), 762);
    // The map of the same index as SVG: every layer drawn.
    r = layerctl({"map",
                  testutil::sharedDir() + "/fixtures/neon-index/index_part.json",
                  "--svg",
                  dir.filePath("map.svg")});
    QCOMPARE(r.code, 0);
    QCOMPARE(testutil::readAll(dir.filePath("map.svg")).count("<title>"), 1564);
    QCOMPARE(layerctl({"map", dir.path(), "--svg", dir.filePath("no/such/dir/map.svg")}).code, 2);
    // Not an index: said, exit 2.
    QVERIFY(testutil::writeFile(dir.filePath("bad.json"), QByteArray("{\"version\": 7}")));
    r = layerctl({"ls", dir.filePath("bad.json")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("layer_metadata"));
}

void TestLayerctl::findFollowsTheReadPath_data()
{
    QTest::addColumn<int>("blk");
    QTest::addColumn<QString>("lsn");
    QTest::addColumn<int>("code");
    QTest::addColumn<QStringList>("layers"); // the layers' LSNs in read order
    QTest::addColumn<int>("values");
    QTest::newRow("delta-then-image")
        << 0 << "0/2FF" << 0 << QStringList{"0/200-0/300", "0/200"} << 2;
    QTest::newRow("will-init-record")
        << 1 << "0/2FF" << 0 << QStringList{"0/200-0/300", "0/100-0/200"} << 1;
    QTest::newRow("broken-chain") << 5 << "0/2FF" << 1 << QStringList{"0/200-0/300", "0/100-0/200"}
                                  << 2;
}

void TestLayerctl::findFollowsTheReadPath()
{
    QFETCH(int, blk);
    QFETCH(QString, lsn);
    QFETCH(int, code);
    QFETCH(QStringList, layers);
    QFETCH(int, values);
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    const QString keyAt = QString::fromStdString(timelinefixture::k(std::uint32_t(blk)).toHex())
                          + '@' + lsn;
    const Run r = layerctl({"find", "--json", dir.path(), keyAt});
    QCOMPARE(r.code, code);
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["complete"].toBool(), code == 0);
    QStringList got;
    int n = 0;
    for (const QJsonValue &step : j["steps"].toArray()) {
        const auto name = layerscope::LayerName::parse(
            step.toObject()["layer"].toString().toStdString());
        QVERIFY(name);
        got << (name->kind == layerscope::LayerKind::Image
                    ? QString::fromStdString(name->lsnStart.toString())
                    : QString::fromStdString(name->lsnStart.toString() + "-"
                                             + name->lsnEnd.toString()));
        n += step.toObject()["values"].toArray().size();
    }
    QCOMPARE(got, layers);
    QCOMPARE(n, values);
    if (code == 1)
        QVERIFY(j["why"].toString().startsWith("could not find data for key"));
    // The text form says the same.
    const Run text = layerctl({"find", dir.path(), keyAt});
    QCOMPARE(text.code, code);
    QVERIFY(text.out.contains(code == 0 ? "complete:" : "broken: could not find data for key"));
    QCOMPARE(layerctl({"find", dir.path(), "nonsense"}).code, 2);
}

void TestLayerctl::findReconstructsThePage()
{
    QTemporaryDir dir;
    timelinefixture::writeTimeline(dir.path());
    // k0 is clog segment 0 page 0, typed as a person would: I2's image (every byte 04) and D2's
    // commit of XID 4 (byte 1, bits 0..1 := 01), then the commit timestamp 7 (8 bytes BE).
    const QString keyAt = "slru clog seg 0 blk 0@0/2FF";
    Run r = layerctl({"find", "--json", dir.path(), keyAt, "--page", dir.filePath("page.bin")});
    QCOMPARE(r.code, 0);
    QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["key"].toString(), QString::fromStdString(timelinefixture::k(0).toHex()));
    const QJsonObject redo = j["redo"].toObject();
    QCOMPARE(redo["outcome"].toString(), QString("reconstructed"));
    QCOMPARE(redo["applied"].toInt(), 1);
    QCOMPARE(redo["page_len"].toInt(), 8200);
    const QJsonObject newest = j["steps"].toArray()[0].toObject()["values"].toArray()[0].toObject();
    QCOMPARE(newest["decoded"].toString(), QString("ClogSetCommitted { xids: [4], timestamp: 7 }"));
    QCOMPARE(newest["kind"].toString(), QString("ClogSetCommitted"));
    QFile page(dir.filePath("page.bin"));
    QVERIFY(page.open(QIODevice::ReadOnly));
    const QByteArray bytes = page.readAll();
    QCOMPARE(bytes.size(), 8200);
    QCOMPARE(int(bytes[0]), 0x04);
    QCOMPARE(int(bytes[1]), 0x05);
    QCOMPARE(bytes.right(8), QByteArray("\0\0\0\0\0\0\0\x07", 8));
    // The text form shows the decoded record and what the page is.
    r = layerctl({"find", dir.path(), keyAt});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("ClogSetCommitted { xids: [4], timestamp: 7 }"));
    QVERIFY2(r.out.contains(
                 "page: reconstructed: 1 Neon record(s) applied on the image at 0/200, 8200 bytes"),
             r.out.constData());
    // A broken chain has no page: exit 1, and nothing is written.
    r = layerctl(
        {"find", dir.path(), "slru clog seg 5 blk 0@0/2FF", "--page", dir.filePath("none.bin")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("no page written"));
    QVERIFY(!QFile::exists(dir.filePath("none.bin")));
}

QTEST_GUILESS_MAIN(TestLayerctl)
void TestLayerctl::realPostgresLayer_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("delta-checks-clean") << QStringList{"check", "DELTA"}
                                        << QStringList{"0 error(s), 0 warning(s), 0 info, 753 entries checked"};
    QTest::newRow("image-pages-check-clean") << QStringList{"check", "--pages", "IMAGE"}
                                             << QStringList{"0 error(s), 0 warning(s), 0 info, 19 entries checked"};
    QTest::newRow("find-reaches-the-records-of-a-block")
        << QStringList{"find", "DIR", "rel 1663/5/16396 blk 1639@0/24E8561"}
        << QStringList{"41 value(s)", "will_init: true, rec: 3001 bytes", "complete: the chain reaches a will_init record"};
    QTest::newRow("dissect-shows-the-blocks")
        << QStringList{"dissect", "--offset", "0x9254d", "DELTA"}
        << QStringList{"xl_crc: 0xf51d68e9 (matches the record's CRC-32C)",
                       "block #0: rel 1663/5/16396 main blk 1639, full-page image", "block #1: rel 1663/5/16396 main blk 1053",
                       "bimg_info: 0x03: HAS_HOLE APPLY", "block #0 image: 2928 bytes, hole at 112 of 5264"};
}

// The layers made from a real Postgres 15 cluster (tests/data/pg15): `ingest` rebuilds the
// committed delta (its WAL records filed as Neon files them) and image (its pages) byte for
// byte; `check` finds them clean, the image's page checksums included; `find` follows a block's
// records to the one that starts its page, and `dissect` lays out a record's block references.
void TestLayerctl::realPostgresLayer()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, expected);
    const QString data = QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15");
    const QString delta = "000000067F00000005000004E10000000038-000000067F00000005000040140000000113__"
                          "00000000023E9B48-00000000024E8561";
    const QString image = "000000067F000000050000400D0000000000-000000067F00000005000040120000000002__0000000003000028";
    QTemporaryDir dir;
    const std::pair<QString, QString> inputs[] = {{"wal-records.bin", delta}, {"wal-records.pages", image}};
    for (const auto &[input, name] : inputs) {
        const Run ingest = layerctl({"ingest", data + "/" + input, dir.path()});
        QCOMPARE(ingest.code, 0);
        QCOMPARE(QString::fromUtf8(ingest.out.trimmed()), dir.filePath(name));
        QCOMPARE(testutil::readAll(dir.filePath(name)), testutil::readAll(data + "/" + name));
        // Read as Postgres 15's image flags, named: the same layer.
        QCOMPARE(layerctl({"ingest", "--pg-version", "15", data + "/" + input, dir.path()}).code, 0);
        QCOMPARE(testutil::readAll(dir.filePath(name)), testutil::readAll(data + "/" + name));
    }
    for (QString &a : args) {
        if (a == "DELTA")
            a = data + "/" + delta;
        if (a == "IMAGE")
            a = data + "/" + image;
        if (a == "DIR")
            a = dir.path();
    }
    const Run r = layerctl(args);
    QCOMPARE(r.code, 0);
    for (const QString &e : expected)
        QVERIFY2(r.out.contains(e.toUtf8()), (e + "\n" + QString::fromUtf8(r.out)).toUtf8().constData());
}

#include "tst_layerctl.moc"
