// Scrubbing a region by content: `layerctl check --recursive` over 3 tenants x 2 timelines in a
// real S3-compatible server (s3rver on 127.0.0.1) with known damage, side by side (--jobs), in
// shares (--shard), resumed after a kill (--resume, GETs counted through the proxy), and fanned
// out on Dask by layerscope-scrub (a LocalCluster, and a worker killed mid-task).

#include "remotetest.h"

#include <layerscope/format/summary.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>

using namespace testremote;

namespace {

const QString kBucket = QStringLiteral("region");
const QString kDriver = QStringLiteral(LAYERSCOPE_SOURCE_DIR "/app/scrub/layerscope-scrub");

/// The JSON lines of a report, sorted (the order in which layers finish is not fixed).
QList<QByteArray> sortedLines(const QByteArray &out)
{
    QList<QByteArray> lines = out.trimmed().split('\n');
    lines.removeAll(QByteArray());
    std::sort(lines.begin(), lines.end());
    return lines;
}

/// Per layer of a report: its file and its error count (each layer's summary line).
QMap<QString, int> layerErrors(const QByteArray &out, int *lines = nullptr)
{
    QMap<QString, int> errors;
    int n = 0;
    for (const QByteArray &line : out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains("entries_checked")) {
            errors[o["file"].toString()] = o["errors"].toInt();
            ++n;
        }
    }
    if (lines)
        *lines = n;
    return errors;
}

QStringList timelinesOf(const QByteArray &out)
{
    QStringList seen;
    for (const QByteArray &line : out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains("timeline"))
            seen << o["timeline"].toString();
    }
    return seen;
}

QJsonObject totalOf(const QByteArray &out)
{
    return QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
}

/// The process ids whose parent is `pid`.
QList<qint64> childrenOf(qint64 pid)
{
    QList<qint64> out;
    for (const QString &entry : QDir("/proc").entryList(QDir::Dirs)) {
        QFile stat("/proc/" + entry + "/stat");
        if (!entry.toLongLong() || !stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray s = stat.readAll();
        const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
        if (fields.value(1).toLongLong() == pid)
            out << entry.toLongLong();
    }
    return out;
}

QByteArray commandOf(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestScrub : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void oneMachine_data();
    void oneMachine();
    void shards();
    void resumeAfterKill();
    void progressLine();
    void unreadableLayers();
    void dask_data();
    void dask();

private:
    QString region() const { return "s3://" + kBucket + "/r/"; }

    S3Server *m_server = nullptr;
    QTemporaryDir m_tree;    ///< the same region as a local tree
    QStringList m_timelines; ///< relative paths, tenants/T/timelines/TL/
    QStringList m_damaged;   ///< objects (URLs) damaged on purpose
    QString m_disagreeing;   ///< the timeline whose index disagrees with the bucket
    Run m_reference;         ///< check --recursive --json --jobs 1 of the region
};

void TestScrub::initTestCase()
{
    m_server = new S3Server(kBucket);
    QVERIFY2(m_server->ok(), "s3rver did not start (run installer/deps.sh: npm ci in tests/remote)");
    for (int t = 0; t < 3; ++t)
        for (int l = 0; l < 2; ++l) {
            const QString rel = QStringLiteral("tenants/%1/timelines/%2/")
                                    .arg(QString(32, QChar('a' + t)),
                                         QString(31, QChar('0' + l)) + "f");
            m_timelines << rel;
            const QString dir = m_tree.filePath(rel);
            QDir().mkpath(dir);
            const bool disagree = t == 1 && l == 1;
            uploadTimeline(*m_server, dir, disagree, "r/" + rel);
            if (disagree)
                m_disagreeing = "s3://" + kBucket + "/r/" + rel;
        }
    // Known damage in two layers of two other timelines, sizes kept (so the index agrees): the
    // index root's first byte of one, a byte of the summary's key range of the other.
    struct Damage
    {
        QString timeline;
        bool root;
    };
    for (const Damage &d : {Damage{m_timelines[0], true}, Damage{m_timelines[5], false}}) {
        QDir dir(m_tree.filePath(d.timeline));
        const QStringList files = dir.entryList({"*__*"}, QDir::Files, QDir::Name);
        const QString name = files.value(1);
        QByteArray bytes = testutil::readAll(dir.filePath(name));
        const auto summary = layerscope::Summary::decode(
            layerscope::Bytes(reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                              std::size_t(bytes.size())));
        QVERIFY(summary);
        const qsizetype at = d.root ? qsizetype(summary->indexRootBlk * 8192) : 45;
        bytes[at] = char(bytes[at] ^ 0x5a);
        QVERIFY(testutil::writeFile(dir.filePath(name), bytes));
        QVERIFY(m_server->put("r/" + d.timeline + name + "-00000002", bytes));
        m_damaged << "s3://" + kBucket + "/r/" + d.timeline + name + "-00000002";
    }
    m_reference = layerctl(m_server->endpoint(),
                           {"check", "--recursive", "--json", "--jobs", "1", region()});
    QCOMPARE(m_reference.code, 1);
    int layers = 0;
    const auto errors = layerErrors(m_reference.out, &layers);
    QCOMPARE(layers, 30); // 5 layers in each of 6 timelines
    QCOMPARE(errors.size(), 30);
    QStringList withErrors;
    for (auto it = errors.begin(); it != errors.end(); ++it)
        if (it.value() > 0)
            withErrors << it.key();
    withErrors.sort();
    m_damaged.sort();
    // The fixture's timeline plants one layer whose summary LSN disagrees with its name.
    QStringList expected = m_damaged;
    for (const QString &rel : m_timelines)
        expected
            << region() + rel
                   + "0100000000000000010000000A0000000000-0100000000000000010000000B0000000000__"
                     "0000000000000300-00000002";
    expected.sort();
    QCOMPARE(withErrors, expected); // exactly the damaged layers have errors
    // The index disagreements, in that timeline only.
    int indexProblems = 0;
    for (const QByteArray &line : m_reference.out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o["check"].toString().startsWith("timeline-index")) {
            ++indexProblems;
            const QString file = o["file"].toString();
            QVERIFY2(file.startsWith(m_disagreeing) || !file.contains('/'), qPrintable(file));
        }
    }
    QCOMPARE(indexProblems, 3);
}

void TestScrub::cleanupTestCase()
{
    delete m_server;
}

// Every layer once and the known damage exactly, whatever the number of layers in flight, on
// the bucket and on the same region as a local tree.
void TestScrub::oneMachine_data()
{
    QTest::addColumn<bool>("local");
    QTest::addColumn<QString>("jobs");
    QTest::newRow("bucket-jobs-4") << false << "4";
    QTest::newRow("bucket-jobs-default") << false << "";
    QTest::newRow("tree-jobs-3") << true << "3";
}

void TestScrub::oneMachine()
{
    QFETCH(bool, local);
    QFETCH(QString, jobs);
    QStringList args{"check", "--recursive", "--json"};
    if (!jobs.isEmpty())
        args << "--jobs" << jobs;
    args << (local ? m_tree.path() : region());
    const Run r = layerctl(m_server->endpoint(), args);
    QCOMPARE(r.code, m_reference.code);
    if (!local) {
        QCOMPARE(sortedLines(r.out), sortedLines(m_reference.out));
        return;
    }
    // The tree names its files without the generation suffix: the same counts and verdicts.
    int layers = 0;
    const auto errors = layerErrors(r.out, &layers);
    QCOMPARE(layers, 30);
    QCOMPARE(errors.size(), 30);
    int damaged = 0;
    for (int e : errors)
        damaged += e > 0;
    QCOMPARE(damaged, m_damaged.size() + 6); // and the fixture's planted layer in each timeline
    // The same totals but for the index disagreements and what follows from them (a layer only
    // listed leaves an LSN gap): a local tree has no index_part.json.
    QJsonObject expected = totalOf(m_reference.out);
    for (const QByteArray &line : m_reference.out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QString file = o["file"].toString();
        if (o.contains("check") && !o.contains("offset")
            && (file.startsWith(m_disagreeing) || !file.contains('/'))
            && (o["check"].toString().startsWith("timeline-index") || !file.contains('/'))) {
            const QString severity = o["severity"].toString() + "s";
            expected[severity] = expected[severity].toInt() - 1;
        }
    }
    QCOMPARE(totalOf(r.out), expected);
}

// --shard K/N for N = 3: the three shares hold every timeline and layer once, and their
// union is the single run.
void TestScrub::shards()
{
    QList<QByteArray> together;
    QStringList seen;
    for (int k = 1; k <= 3; ++k) {
        const Run part = layerctl(
            m_server->endpoint(),
            {"check", "--recursive", "--json", "--shard", QStringLiteral("%1/3").arg(k), region()});
        QVERIFY(part.code == 0 || part.code == 1);
        seen += timelinesOf(part.out);
        QList<QByteArray> lines = sortedLines(part.out);
        lines.removeIf([](const QByteArray &l) { return l.startsWith("{\"record\":\"total\""); });
        together += lines;
    }
    QCOMPARE(seen.size(), 6);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), 6);
    std::sort(together.begin(), together.end());
    QList<QByteArray> single = sortedLines(m_reference.out);
    single.removeIf([](const QByteArray &l) { return l.startsWith("{\"record\":\"total\""); });
    QCOMPARE(together, single);
    QCOMPARE(layerctl(m_server->endpoint(), {"check", "--shard", "1/3", region()}).code, 2);
    QCOMPARE(layerctl(m_server->endpoint(), {"check", "--recursive", "--shard", "4/3", region()})
                 .code,
             2);
    QCOMPARE(layerctl(m_server->endpoint(), {"check", "--list", region()}).code, 2);
    // --list: every timeline with its layers and bytes, from the one listing; no object read.
    FaultProxy proxy(*m_server, {});
    const Run list = layerctl(proxy.endpoint(), {"check", "--recursive", "--list", region()});
    QCOMPARE(list.code, 0);
    const QList<QByteArray> lines = list.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 6);
    for (const QByteArray &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QCOMPARE(o["layers"].toInt(), 5);
        QVERIFY(o["bytes"].toInteger() > 0);
    }
    for (const Logged &l : proxy.log())
        QVERIFY2(l.path.contains("list-type=2") && l.range.isEmpty(), l.path.constData());
}

// A scrub killed part-way and run again with the same --resume file checks each layer once in
// all: the second run sends no GET for a layer the first recorded, the file ends with every
// layer once, and the verdict is the single run's. Replaced content is checked again.
void TestScrub::resumeAfterKill()
{
    QTemporaryDir dir;
    const QString state = dir.filePath("scrub.state");
    auto records = [&state](const char *kind) {
        QStringList out;
        QFile f(state);
        if (!f.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.contains(kind))
                out << o[kind].toString();
        }
        return out;
    };
    QStringList first;
    {
        Fault slow;
        slow.delayMs = 60; // every request: a slow store, so that the kill lands mid-run
        FaultProxy proxy(*m_server, slow);
        QProcess p;
        p.setProcessEnvironment(awsEnvironment(proxy.endpoint()));
        p.start(QStringLiteral(LAYERCTL_PATH),
                {"check", "--recursive", "--json", "--jobs", "2", "--resume", state, region()});
        QVERIFY(p.waitForStarted());
        QElapsedTimer t;
        t.start();
        while (records("layer").size() < 8 && t.elapsed() < 60000 && p.state() == QProcess::Running)
            QTest::qWait(20);
        QCOMPARE(p.state(), QProcess::Running); // killed part-way, not after the end
        p.kill();
        QVERIFY(p.waitForFinished());
        first = records("layer");
        QVERIFY(first.size() >= 8 && first.size() < 30);
    }
    // A record torn by the kill is cut off, not misread.
    {
        QFile f(state);
        QVERIFY(f.open(QIODevice::Append));
        f.write("{\"layer\":\"s3://region/r/tenants/tor");
    }
    FaultProxy counting(*m_server, {});
    const Run second = layerctl(counting.endpoint(),
                                {"check", "--recursive", "--json", "--resume", state, region()});
    QCOMPARE(second.code, m_reference.code);
    int layerGets = 0;
    for (const Logged &l : counting.log()) {
        const QString key = QString::fromUtf8(l.path).section('?', 0, 0).mid(kBucket.size() + 1);
        if (l.method != "GET" || !key.contains("__"))
            continue;
        ++layerGets;
        for (const QString &url : first)
            QVERIFY2(url.mid(QString("s3://" + kBucket).size()) != key,
                     qPrintable("fetched again: " + url));
    }
    QVERIFY(layerGets > 0);
    int checkedAgain = 0;
    layerErrors(second.out, &checkedAgain);
    QCOMPARE(checkedAgain, 30 - int(first.size()));
    const QStringList all = records("layer");
    QCOMPARE(all.size(), 30);
    QCOMPARE(QSet<QString>(all.begin(), all.end()).size(), 30);
    QCOMPARE(records("timeline").size(), 6);
    const QJsonObject total = totalOf(second.out), reference = totalOf(m_reference.out);
    QCOMPARE(total["resumed"].toInt(), int(first.size()));
    QCOMPARE(total["errors"], reference["errors"]);
    QCOMPARE(total["warnings"], reference["warnings"]);
    QCOMPARE(total["files"].toInt() + total["resumed"].toInt(), 30);

    // Nothing left: a third run reads no layer. One layer replaced: only it is read.
    const Run third = layerctl(m_server->endpoint(),
                               {"check", "--recursive", "--json", "--resume", state, region()});
    QCOMPARE(totalOf(third.out)["files"].toInt(), 0);
    QCOMPARE(third.code, m_reference.code);
    const QString victim = m_timelines[2]
                           + QDir(m_tree.filePath(m_timelines[2]))
                                 .entryList({"*__*"}, QDir::Files, QDir::Name)
                                 .value(0);
    QByteArray bytes = testutil::readAll(m_tree.filePath(victim));
    QVERIFY(m_server->put("r/" + victim + "-00000002", bytes + QByteArray(1, '\0')));
    const Run fourth = layerctl(m_server->endpoint(),
                                {"check", "--recursive", "--json", "--resume", state, region()});
    QCOMPARE(totalOf(fourth.out)["files"].toInt(), 1);
    QVERIFY(layerErrors(fourth.out).contains(region() + victim + "-00000002"));
    QVERIFY(m_server->put("r/" + victim + "-00000002", bytes));
    QFile(state).remove();
    QFile bad(state);
    QVERIFY(bad.open(QIODevice::WriteOnly));
    const QByteArray good = "{\"timeline\":\"x\",\"fingerprint\":\"0\"}\n";
    bad.write(good + "not json\n");
    bad.close();
    const Run refused = layerctl(m_server->endpoint(),
                                 {"check", "--recursive", "--resume", state, region()});
    QCOMPARE(refused.code, 2);
    QVERIFY2(refused.err.contains(QStringLiteral("line 2 (at byte %1) is not one of its records")
                                      .arg(good.size())
                                      .toUtf8()),
             refused.err.constData());
}

// Layers the store will not serve (503 SlowDown on every ranged GET from the 12th on, retries
// exhausted): each gets an "unreadable" line and no verdict, none is recorded for a resumed
// run, and the exit status is 2 with the reason on stderr.
void TestScrub::unreadableLayers()
{
    QTemporaryDir dir;
    const QString state = dir.filePath("scrub.state");
    Fault fault;
    fault.kind = Fault::Status503;
    fault.from = 12;
    fault.count = -1;
    FaultProxy proxy(*m_server, fault);
    const Run r = layerctl(proxy.endpoint(),
                           {"check", "--recursive", "--json", "--jobs", "1", "--resume", state, region()});
    QCOMPARE(r.code, 2);
    QVERIFY(proxy.hits() > 0);
    QSet<QString> unreadable, verdicts;
    for (const QByteArray &line : r.out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains("unreadable"))
            unreadable << o["file"].toString();
        else if (o.contains("entries_checked"))
            verdicts << o["file"].toString();
    }
    QVERIFY(!unreadable.isEmpty());
    QVERIFY(!verdicts.isEmpty()); // the layers read before the faults began
    QVERIFY(!unreadable.intersects(verdicts));
    QFile f(state);
    QVERIFY(f.open(QIODevice::ReadOnly));
    int recorded = 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.contains("layer"))
            continue;
        ++recorded;
        QVERIFY2(!unreadable.contains(o["layer"].toString()), line.constData());
    }
    QCOMPARE(recorded, verdicts.size());
    QVERIFY2(r.err.contains("SlowDown") || r.err.contains("503"), r.err.constData());
}

// On a terminal, a progress line on stderr: layers, bytes, rate and ETA, ending at all layers.
void TestScrub::progressLine()
{
    QProcess p;
    p.start("script",
            {"-qfec",
             QStringLiteral("'%1' check --recursive -q --jobs 2 '%2'")
                 .arg(QStringLiteral(LAYERCTL_PATH), m_tree.path()),
             "/dev/null"});
    QVERIFY(p.waitForFinished(60000));
    const QByteArray out = p.readAllStandardOutput();
    QVERIFY2(out.contains("check: 30/30 layers"), out.constData());
    QVERIFY(QRegularExpression(
                R"(\d+/30 layers, [\d.]+ [KMG]?i?B of [\d.]+ KiB, [\d.]+ [KMG]?i?B/s, ETA )")
                .match(QString::fromUtf8(out))
                .hasMatch());
    // Not on a pipe: nothing but the report.
    const Run piped = layerctl(m_server->endpoint(), {"check", "--recursive", "-q", m_tree.path()});
    QVERIFY(piped.err.isEmpty());
}

// layerscope-scrub on Dask gives the one-machine report: with a LocalCluster of 2 worker
// processes, and with a worker killed while its layerctl runs (Dask runs that batch again
// elsewhere; every layer is still in the report once).
void TestScrub::dask_data()
{
    QTest::addColumn<bool>("kill");
    QTest::newRow("local-cluster-2") << false;
    QTest::newRow("worker-killed") << true;
}

void TestScrub::dask()
{
    QFETCH(bool, kill);
    QTemporaryDir dir;
    const QString report = dir.filePath("report.jsonl");
    Fault slow;
    slow.delayMs = kill ? 40 : 0;
    FaultProxy proxy(*m_server, slow);
    const QProcessEnvironment env = awsEnvironment(proxy.endpoint());
    QStringList args{"--layerctl", QStringLiteral(LAYERCTL_PATH), "--out", report};
    std::vector<std::unique_ptr<QProcess>> cluster;
    auto startCluster = [&]() -> QString {
        const QString file = dir.filePath("scheduler.json");
        auto start = [&](const QStringList &a) {
            cluster.push_back(std::make_unique<QProcess>());
            cluster.back()->setProcessEnvironment(env);
            cluster.back()->setStandardErrorFile(dir.filePath("cluster.log"), QIODevice::Append);
            cluster.back()->start("/usr/bin/dask", a);
            return cluster.back()->waitForStarted();
        };
        if (!start({"scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    file}))
            return {};
        QElapsedTimer t;
        t.start();
        while (!QFile::exists(file) && t.elapsed() < 30000)
            QTest::qWait(50);
        QTest::qWait(200);
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        const QString address = QJsonDocument::fromJson(f.readAll()).object()["address"].toString();
        for (int w = 0; w < 2; ++w)
            if (!start({"worker",
                        "--scheduler-file",
                        file,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1"}))
                return {};
        return address;
    };
    if (kill) {
        const QString address = startCluster();
        QVERIFY(!address.isEmpty());
        args << "--scheduler" << address << "--batches"
             << "6"
             << "--jobs"
             << "1";
    } else {
        args << "--local-workers"
             << "2";
    }
    args << region();
    QProcess driver;
    driver.setProcessEnvironment(env);
    driver.start(kDriver, args);
    QVERIFY(driver.waitForStarted());
    if (kill) {
        // Wait until a worker runs a layerctl, then kill that worker (SIGKILL).
        qint64 victim = 0, orphan = 0;
        QElapsedTimer t;
        t.start();
        while (!victim && t.elapsed() < 90000 && driver.state() == QProcess::Running) {
            for (std::size_t w = 1; w < cluster.size() && !victim; ++w)
                for (qint64 guard : childrenOf(cluster[w]->processId()))
                    for (qint64 child : childrenOf(guard))
                        if (commandOf(child).startsWith(LAYERCTL_PATH)) { // layerctl itself
                            victim = cluster[w]->processId();
                            orphan = child;
                        }
            QTest::qWait(20);
        }
        QVERIFY2(victim, "no worker ran a batch");
        ::kill(pid_t(victim), SIGKILL);
        // Its layerctl dies with it (its guard sees the worker's end of the pipe close), not
        // left reading.
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(QStringLiteral("/proc/%1/cmdline").arg(orphan))
                                     || commandOf(orphan).isEmpty(),
                                 10000);
    }
    QVERIFY(driver.waitForFinished(180000));
    const QByteArray table = driver.readAllStandardOutput();
    QCOMPARE(driver.exitCode(), m_reference.code);
    QFile f(report);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(sortedLines(f.readAll()), sortedLines(m_reference.out));
    // The table: a row per tenant with its 10 layers, and the damage counted.
    for (int t = 0; t < 3; ++t)
        QVERIFY2(QRegularExpression(QString(32, QChar('a' + t)) + R"(\s+2\s+10\s)")
                     .match(QString::fromUtf8(table))
                     .hasMatch(),
                 table.constData());
    QVERIFY2(table.contains("30 layer(s) checked"), table.constData());
    for (auto &p : cluster) {
        p->terminate();
        if (!p->waitForFinished(5000)) {
            p->kill();
            p->waitForFinished();
        }
    }
}

QTEST_GUILESS_MAIN(TestScrub)
#include "tst_scrub.moc"
