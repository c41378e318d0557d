// Runs the real layerctl binary: what every command shares: exit codes, special files, --help, option errors naming their command, paths without offsets, and the GUI binary started without a display.
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

class TestLayerctl : public QObject
{
    Q_OBJECT
private slots:
    void exitCodes_data();
    void exitCodes();
    void specialFilesExit2_data();
    void specialFilesExit2();
    void helpPerCommand_data();
    void helpPerCommand();
    void everyCommandIsDocumented();
    void optionErrorsNameTheCommand_data();
    void optionErrorsNameTheCommand();
    void missingPathsNameNoOffset_data();
    void missingPathsNameNoOffset();
    void guiWithoutDisplay_data();
    void guiWithoutDisplay();
    void guiScreenshotWithoutDisplay();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
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
} // namespace

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
    QTest::newRow("key") << "key"
                         << "--shard-count"
                         << "--pages";
}

// Every command layerctl lists has its entry in the man page and in both shells' completions.
void TestLayerctl::everyCommandIsDocumented()
{
    const Run r = layerctl({"--help"});
    QCOMPARE(r.code, 0);
    const QByteArray man = testutil::readAll(
        QStringLiteral(LAYERSCOPE_SOURCE_DIR "/resources/layerctl.1"));
    const QByteArray bash = testutil::readAll(
        QStringLiteral(LAYERSCOPE_SOURCE_DIR "/resources/completions/layerctl.bash"));
    const QByteArray zsh = testutil::readAll(
        QStringLiteral(LAYERSCOPE_SOURCE_DIR "/resources/completions/_layerctl"));
    const qsizetype at = bash.indexOf("commands=\"") + 10;
    const QList<QByteArray> bashCommands = bash.mid(at, bash.indexOf('"', at) - at).split(' ');
    const QByteArray list = r.out.mid(r.out.indexOf("Subcommands:"));
    int commands = 0;
    for (const QByteArray &line : list.split('\n').mid(1)) {
        if (!line.startsWith("  "))
            break;
        const QByteArray command = line.trimmed().split(' ').front();
        QByteArray roff = command;
        roff.replace("-", "\\-");
        QVERIFY2(man.contains("\n.BI " + roff + " ") || man.contains("\n.BI \"" + roff + " ")
                     || man.contains("\n.B " + roff + "\n")
                     || man.contains("\n.BI " + command + " "),
                 command.constData());
        QVERIFY2(bashCommands.contains(command), command.constData());
        QVERIFY2(zsh.contains("'" + command + ":"), command.constData());
        ++commands;
    }
    QCOMPARE(commands, 21);
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

void TestLayerctl::optionErrorsNameTheCommand()
{
    QFETCH(QStringList, args);
    QFETCH(QString, says);
    const Run r = layerctl(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(says.toUtf8()), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
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

QTEST_GUILESS_MAIN(TestLayerctl)
#include "tst_layerctl.moc"
