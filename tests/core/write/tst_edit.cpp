#include "testutil.h"

#include <layerscope/format/layer.h>
#include <layerscope/write/edit.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace layerscope;

// Summary edits: validated input, risks, and writes that never leave a broken file.
class TestEdit : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void applyEditChecks_data();
    void applyEditChecks();
    void risks_data();
    void risks();
    void writeReadsBackAndOnlyBlock0Changes_data();
    void writeReadsBackAndOnlyBlock0Changes();
    void originalSurvivesManyEdits();
    void refusesAChangedFile_data();
    void refusesAChangedFile();
    void replacedDuringTheSwapIsRefused();
    void killedAtEachStage_data();
    void killedAtEachStage();
    void failureAtEachStage_data();
    void failureAtEachStage();
    void symlinkReadOnlyAndFifo();
    void cancelledWriteLeavesNothing();
    void cliRefusesBadInput_data();
    void cliRefusesBadInput();
    void fullAndReadOnlyFileSystems_data();
    void fullAndReadOnlyFileSystems();

private:
    QString copyOf(const QString &src, const QString &dir);
    QString m_delta, m_image;
};

namespace {
QByteArray sha(const QString &path)
{
    return QCryptographicHash::hash(testutil::readAll(path), QCryptographicHash::Sha256).toHex();
}
Summary summaryOf(const QString &path)
{
    return Layer::openFile(path.toStdString())->summary();
}
SummaryEdit tenantEdit(const std::string &hex)
{
    SummaryEdit e;
    e.tenant = Id128::fromHex(hex);
    return e;
}
} // namespace

void TestEdit::initTestCase()
{
    for (const QString &f : testutil::fixtureLayers())
        (QFileInfo(f).fileName().count('-') > 1 ? m_delta : m_image) = f;
}

QString TestEdit::copyOf(const QString &src, const QString &dir)
{
    const QString dst = dir + "/" + QFileInfo(src).fileName();
    QFile::remove(dst);
    QFile::copy(src, dst);
    QFile(dst).setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    return dst;
}

void TestEdit::applyEditChecks_data()
{
    QTest::addColumn<bool>("delta");
    QTest::addColumn<QString>("keyStart");
    QTest::addColumn<QString>("lsnStart");
    QTest::addColumn<QString>("lsnEnd");
    QTest::addColumn<qulonglong>("errorAt");  // 0 = valid
    QTest::newRow("valid-key-start") << true << "000000067F00000005000040000000000000" << "" << "" << 0ull;
    QTest::newRow("start-not-below-end") << true << "FF0000000000000000000000000000000000" << "" << "" << 36ull;
    QTest::newRow("lsn-order") << true << "" << "0/5000060" << "" << 72ull;
    QTest::newRow("image-has-no-lsn-end") << false << "" << "" << "0/1" << 72ull;
    QTest::newRow("image-lsn-max") << false << "" << "FFFFFFFF/FFFFFFFF" << "" << 72ull;
}

void TestEdit::applyEditChecks()
{
    QFETCH(bool, delta);
    QFETCH(QString, keyStart);
    QFETCH(QString, lsnStart);
    QFETCH(QString, lsnEnd);
    QFETCH(qulonglong, errorAt);
    SummaryEdit e;
    if (!keyStart.isEmpty())
        e.keyStart = Key::fromHex(keyStart.toStdString());
    if (!lsnStart.isEmpty())
        e.lsnStart = Lsn::parse(lsnStart.toStdString());
    if (!lsnEnd.isEmpty())
        e.lsnEnd = Lsn::parse(lsnEnd.toStdString());
    auto r = applyEdit(summaryOf(delta ? m_delta : m_image), e);
    QCOMPARE(bool(r), errorAt == 0);
    if (!r)
        QCOMPARE(r.error().offset, errorAt);
}

void TestEdit::risks_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("risk");
    QTest::newRow("tenant-is-safe") << "tenant" << "11111111111111111111111111111111" << "";
    QTest::newRow("key-range-hides-entries") << "keyStart" << "010000000000000000000000000000000000" << "outside the new key range";
    QTest::newRow("lsn-range-hides-entries") << "lsnEnd" << "0/5000030" << "outside the new LSN range";
    QTest::newRow("root-beyond-file") << "root" << "7" << "do not point at a block";
}

void TestEdit::risks()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, risk);
    const ByteVector bytes = testutil::toVector(testutil::readAll(m_delta));
    SummaryEdit e;
    if (field == "tenant")
        e.tenant = Id128::fromHex(value.toStdString());
    else if (field == "keyStart")
        e.keyStart = Key::fromHex(value.toStdString());
    else if (field == "lsnEnd")
        e.lsnEnd = Lsn::parse(value.toStdString());
    else
        e.indexRootBlk = value.toUInt();
    auto s = applyEdit(summaryOf(m_delta), e);
    QVERIFY(s);
    const auto r = editRisks(bytes, *s);
    if (risk.isEmpty()) {
        QVERIFY(r.empty());
    } else {
        QCOMPARE(r.size(), std::size_t(1));
        QVERIFY2(QString::fromStdString(r[0]).contains(risk), r[0].c_str());
    }
}

void TestEdit::writeReadsBackAndOnlyBlock0Changes_data()
{
    QTest::addColumn<bool>("inPlace");
    QTest::addColumn<bool>("backup");
    QTest::newRow("replace-with-backup") << false << true;
    QTest::newRow("replace-without-backup") << false << false;
    QTest::newRow("in-place-with-backup") << true << true;
    QTest::newRow("in-place-without-backup") << true << false;
}

void TestEdit::writeReadsBackAndOnlyBlock0Changes()
{
    QFETCH(bool, inPlace);
    QFETCH(bool, backup);
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    const QByteArray original = testutil::readAll(file);
    QVERIFY(QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
    const QFile::Permissions mode = QFileInfo(file).permissions();
    auto s = applyEdit(summaryOf(file), tenantEdit("11111111111111111111111111111111"));
    SafeWriteOptions o;
    o.inPlace = inPlace;
    o.backup = backup;
    o.expected = *identifyFile(file.toStdString());
    std::vector<WriteStage> stages;
    o.stageHook = [&](WriteStage st) {
        stages.push_back(st);
        return true;
    };
    const auto r = writeSummarySafely(file.toStdString(), *s, o);
    QVERIFY2(r, r ? "" : r.error().message().c_str());
    QVERIFY(summaryOf(file) == *s);
    const QByteArray now = testutil::readAll(file);
    QCOMPARE(now.size(), original.size());
    for (qsizetype i = 0; i < now.size(); ++i)
        if (now[i] != original[i])
            QVERIFY2(i >= 4 && i < 20, qPrintable(QString("byte %1 changed").arg(i)));
    QCOMPARE(stages.back(), WriteStage::Done);
    QCOMPARE(r->exchanged, !inPlace);
    const QString orig = file + (inPlace ? ".block0.orig" : ".orig");
    const QString bak = file + (inPlace ? ".block0.bak" : ".bak.1");
    QCOMPARE(QFile::exists(orig), backup);
    QCOMPARE(QFile::exists(bak), backup);
    if (backup) {
        QCOMPARE(testutil::readAll(orig), inPlace ? original.left(8192) : original);
        QCOMPARE(testutil::readAll(bak), inPlace ? original.left(8192) : original);
        QCOMPARE(QString::fromStdString(r->original), orig);
        QCOMPARE(QString::fromStdString(r->backup), bak);
    }
    QCOMPARE(QFileInfo(file).permissions(), mode);  // the new file gets the original's mode
    QCOMPARE(QDir(dir.path()).entryList({"*___temp", "*___old"}, QDir::Files).size(), 0);
}

// Promise: the original is kept forever. Two edits (and five more) later, NAME.orig still has
// the original's sha256; NAME.bak.1 … .5 hold the five states before the last five writes.
void TestEdit::originalSurvivesManyEdits()
{
    QTemporaryDir dir;
    const QString file = copyOf(m_delta, dir.path());
    const QByteArray originalSha = sha(file);
    std::vector<QByteArray> states{originalSha};
    for (int i = 1; i <= 7; ++i) {
        auto s = applyEdit(summaryOf(file), tenantEdit(QString(32, QChar('0' + i)).toStdString()));
        SafeWriteOptions o;
        o.expected = *identifyFile(file.toStdString());
        QVERIFY(writeSummarySafely(file.toStdString(), *s, o));
        states.push_back(sha(file));
        if (i == 2)
            QCOMPARE(sha(file + ".orig"), originalSha);
    }
    QCOMPARE(sha(file + ".orig"), originalSha);
    for (int k = 1; k <= 5; ++k)
        QCOMPARE(sha(file + QString(".bak.%1").arg(k)), states[states.size() - 1 - std::size_t(k)]);
    QVERIFY(!QFile::exists(file + ".bak.6"));
}

// Promise: a file that changed since it was read is refused, whatever changed.
void TestEdit::refusesAChangedFile_data()
{
    QTest::addColumn<QString>("change");
    QTest::newRow("byte-in-the-values") << "values";
    QTest::newRow("block-0-same-mtime") << "block0";
    QTest::newRow("replaced-by-a-copy") << "replaced";
}

void TestEdit::refusesAChangedFile()
{
    QFETCH(QString, change);
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    const FileIdentity before = *identifyFile(file.toStdString());
    QByteArray bytes = testutil::readAll(file);
    if (change == "values") {
        QTest::qWait(20);
        bytes[9000] = 'x';
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(9000);
        f.write("x");
    } else if (change == "block0") {
        // Same size, same inode, mtime put back: only the block 0 hash can tell.
        bytes[4] = char(bytes[4] ^ 1);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.write(bytes.left(8192));
        f.close();
        struct timespec times[2] = {{0, UTIME_OMIT}, {before.mtimeNs / 1000000000, before.mtimeNs % 1000000000}};
        QCOMPARE(::utimensat(AT_FDCWD, file.toLocal8Bit().constData(), times, 0), 0);
    } else {
        QVERIFY(testutil::writeFile(file + ".new", bytes));
        QVERIFY(::rename((file + ".new").toLocal8Bit().constData(), file.toLocal8Bit().constData()) == 0);
    }
    SafeWriteOptions o;
    o.expected = before;
    auto r = writeSummarySafely(file.toStdString(), *applyEdit(summaryOf(file), tenantEdit("77777777777777777777777777777777")), o);
    QVERIFY(!r);
    QVERIFY2(r.error().message().find("changed since it was read") != std::string::npos, r.error().message().c_str());
    QVERIFY(r.error().message().find("nothing was written") != std::string::npos);
    QCOMPARE(testutil::readAll(file), bytes);
    QVERIFY(!QFile::exists(file + ".orig"));
}

// Promise: a file replaced between the last check and the swap is detected (the swapped-out
// inode is not the one read), put back, and the write refused; nothing is lost.
void TestEdit::replacedDuringTheSwapIsRefused()
{
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    QByteArray other = testutil::readAll(file);
    other[8192] = 'Z';  // someone else's file
    SafeWriteOptions o;
    o.expected = *identifyFile(file.toStdString());
    o.stageHook = [&](WriteStage st) {
        if (st == WriteStage::BeforeSwap) {
            QFile f(file + ".theirs");
            f.open(QIODevice::WriteOnly);
            f.write(other);
            f.close();
            ::rename((file + ".theirs").toLocal8Bit().constData(), file.toLocal8Bit().constData());
        }
        return true;
    };
    auto r = writeSummarySafely(file.toStdString(), *applyEdit(summaryOf(file), tenantEdit("88888888888888888888888888888888")), o);
    QVERIFY(!r);
    QVERIFY2(r.error().message().find("replaced during the write") != std::string::npos, r.error().message().c_str());
    QVERIFY(r.error().message().find("refused, nothing was written") != std::string::npos);
    QCOMPARE(testutil::readAll(file), other);  // their file is where they put it
    QCOMPARE(QDir(dir.path()).entryList({"*___temp"}, QDir::Files).size(), 0);
    QVERIFY(!QFile::exists(file + ".bak.1"));
}

// Promise: killed at any moment, the file is the original or the complete new file, and the
// original's bytes are still on disk (at the file, or kept as a backup).
void TestEdit::killedAtEachStage_data()
{
    QTest::addColumn<bool>("inPlace");
    QTest::addColumn<int>("stage");
    QTest::addColumn<bool>("expectNew");
    QTest::newRow("replace-after-temp-write") << false << int(WriteStage::TempWritten) << false;
    QTest::newRow("replace-after-fsync") << false << int(WriteStage::TempSynced) << false;
    QTest::newRow("replace-before-swap") << false << int(WriteStage::BeforeSwap) << false;
    QTest::newRow("replace-after-swap") << false << int(WriteStage::Swapped) << true;
    QTest::newRow("replace-done") << false << int(WriteStage::Done) << true;
    QTest::newRow("in-place-after-backup") << true << int(WriteStage::BackupWritten) << false;
    QTest::newRow("in-place-after-write") << true << int(WriteStage::TempWritten) << true;
    QTest::newRow("in-place-after-fsync") << true << int(WriteStage::TempSynced) << true;
}

void TestEdit::killedAtEachStage()
{
    QFETCH(bool, inPlace);
    QFETCH(int, stage);
    QFETCH(bool, expectNew);
    QTemporaryDir dir;
    const QString file = copyOf(m_delta, dir.path());
    const QByteArray original = testutil::readAll(file);
    const QByteArray originalSha = sha(file);
    const Summary edited = *applyEdit(summaryOf(file), tenantEdit("33333333333333333333333333333333"));
    SafeWriteOptions o;
    o.inPlace = inPlace;
    o.expected = *identifyFile(file.toStdString());
    const pid_t pid = ::fork();
    if (pid == 0) {
        o.stageHook = [stage](WriteStage st) {
            if (int(st) == stage)
                ::raise(SIGKILL);
            return true;
        };
        (void)writeSummarySafely(file.toStdString(), edited, o);
        ::_exit(0);
    }
    int status = 0;
    QCOMPARE(::waitpid(pid, &status, 0), pid);
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    auto layer = Layer::openFile(file.toStdString());
    QVERIFY(layer);
    QVERIFY(layer->entries());
    const QByteArray now = testutil::readAll(file);
    if (expectNew) {
        QCOMPARE(layer->summary(), edited);
        QCOMPARE(now.mid(8192), original.mid(8192));
    } else {
        QCOMPARE(now, original);
    }
    // The original bytes survive somewhere: the file itself, NAME.orig, or the swapped-out temp.
    QStringList holders{file};
    for (const QString &f : QDir(dir.path()).entryList(QDir::Files))
        holders << dir.filePath(f);
    bool kept = false;
    for (const QString &h : holders)
        kept = kept || sha(h) == originalSha
               || (inPlace && h.endsWith(".block0.bak") && testutil::readAll(h) == original.left(8192));
    QVERIFY(kept);
    qInfo("killed at stage %d (%s): file sha256 %s (original %s)", stage, inPlace ? "in place" : "replace",
          sha(file).constData(), originalSha.constData());
}

// Promise: an I/O error at any step leaves the original or the new file, never a mix, and the
// message says which.
void TestEdit::failureAtEachStage_data()
{
    QTest::addColumn<bool>("inPlace");
    QTest::addColumn<int>("stage");
    QTest::addColumn<QString>("says");
    QTest::addColumn<bool>("expectNew");
    QTest::newRow("replace-temp-written") << false << int(WriteStage::TempWritten) << "the original is unchanged" << false;
    QTest::newRow("replace-temp-synced") << false << int(WriteStage::TempSynced) << "the original is unchanged" << false;
    QTest::newRow("replace-before-swap") << false << int(WriteStage::BeforeSwap) << "the original is unchanged" << false;
    QTest::newRow("replace-swapped") << false << int(WriteStage::Swapped) << "the new summary is in place; the previous file is kept as" << true;
    QTest::newRow("in-place-backup") << true << int(WriteStage::BackupWritten) << "nothing was written" << false;
    QTest::newRow("in-place-written") << true << int(WriteStage::TempWritten) << "block 0 was restored: the original is unchanged" << false;
    QTest::newRow("in-place-synced") << true << int(WriteStage::TempSynced) << "block 0 was restored: the original is unchanged" << false;
}

void TestEdit::failureAtEachStage()
{
    QFETCH(bool, inPlace);
    QFETCH(int, stage);
    QFETCH(QString, says);
    QFETCH(bool, expectNew);
    QTemporaryDir dir;
    const QString file = copyOf(m_delta, dir.path());
    const QByteArray original = testutil::readAll(file);
    const Summary edited = *applyEdit(summaryOf(file), tenantEdit("99999999999999999999999999999999"));
    SafeWriteOptions o;
    o.inPlace = inPlace;
    o.expected = *identifyFile(file.toStdString());
    o.stageHook = [stage](WriteStage st) { return int(st) != stage; };
    const auto r = writeSummarySafely(file.toStdString(), edited, o);
    QVERIFY(!r);
    QVERIFY2(r.error().message().find(says.toStdString()) != std::string::npos, r.error().message().c_str());
    if (expectNew) {
        QCOMPARE(summaryOf(file), edited);
        // The previous file is named in the message and holds the original.
        const std::string msg = r.error().message();
        const auto at = msg.find("kept as ") + 8;
        QCOMPARE(testutil::readAll(QString::fromStdString(msg.substr(at))), original);
    } else {
        QCOMPARE(testutil::readAll(file), original);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no stray temp or backup
    }
}

// Inputs: a symlink is followed (the link stays a link), a read-only file is refused unless
// forced, a FIFO is refused at once.
void TestEdit::symlinkReadOnlyAndFifo()
{
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    const QString link = dir.filePath("link");
    QVERIFY(QFile::link(file, link));
    auto edited = *applyEdit(summaryOf(file), tenantEdit("abababababababababababababababab"));
    SafeWriteOptions o;
    const auto r = writeSummarySafely(link.toStdString(), edited, o);
    QVERIFY2(r, r ? "" : r.error().message().c_str());
    QVERIFY(QFileInfo(link).isSymLink());
    QCOMPARE(QFileInfo(link).symLinkTarget(), file);
    QCOMPARE(summaryOf(file), edited);
    QCOMPARE(QString::fromStdString(r->path), file);
    QVERIFY(QFile::exists(file + ".orig"));

    QVERIFY(QFile::setPermissions(file, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
    const QByteArray before = testutil::readAll(file);
    auto ro = writeSummarySafely(file.toStdString(), *applyEdit(edited, tenantEdit("cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd")), o);
    QVERIFY(!ro);
    QVERIFY2(ro.error().message().find("mode 0444 allows no writing") != std::string::npos, ro.error().message().c_str());
    QCOMPARE(testutil::readAll(file), before);
    o.allowReadOnly = true;
    QVERIFY(writeSummarySafely(file.toStdString(), *applyEdit(edited, tenantEdit("cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd")), o));
    QCOMPARE(QFileInfo(file).permissions() & (QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther), QFile::Permissions());

    const QString fifo = dir.filePath("fifo");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    auto f = writeSummarySafely(fifo.toStdString(), edited, {});
    QVERIFY(!f);
    QCOMPARE(f.error().kind, ErrorKind::NotRegularFile);
    QVERIFY(!identifyFile(fifo.toStdString()));
}

// Cancelling during the copy leaves the original and no temp file.
void TestEdit::cancelledWriteLeavesNothing()
{
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    const QByteArray original = testutil::readAll(file);
    SafeWriteOptions o;
    int calls = 0;
    o.progress = [&](std::uint64_t, std::uint64_t) { return ++calls < 1; };
    const auto r = writeSummarySafely(file.toStdString(), *applyEdit(summaryOf(file), tenantEdit("12121212121212121212121212121212")), o);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Cancelled);
    QCOMPARE(testutil::readAll(file), original);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
}

// layerctl: empty and malformed values are refused with the expected format; a FIFO too.
void TestEdit::cliRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty-tenant") << QStringList{"--tenant-id", ""} << "--tenant-id: cannot parse \"\": expected 32 hex digits";
    QTest::newRow("empty-lsn") << QStringList{"--lsn", ""} << "--lsn: cannot parse \"\": expected X/Y";
    QTest::newRow("lsn-part-too-big") << QStringList{"--lsn", "1/100000000"}
                                      << "--lsn: cannot parse \"1/100000000\": expected X/Y with X, Y <= FFFFFFFF, or 16 hex digits";
    QTest::newRow("short-key") << QStringList{"--key-start", "00"} << "--key-start: cannot parse \"00\": expected 36 hex digits";
    QTest::newRow("nothing-to-change") << QStringList{} << "nothing to change";
}

void TestEdit::cliRefusesBadInput()
{
    QFETCH(QStringList, args);
    QFETCH(QString, says);
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    const QByteArray original = testutil::readAll(file);
    QProcess p;
    p.start(QStringLiteral(LAYERCTL_PATH), QStringList{"rewrite-summary"} + args + QStringList{file});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains(says.toUtf8()), err.constData());
    QCOMPARE(testutil::readAll(file), original);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);

    const QString fifo = dir.filePath("fifo");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    QProcess q;
    q.start(QStringLiteral(LAYERCTL_PATH), {"rewrite-summary", "--tenant-id", "11111111111111111111111111111111", fifo});
    QVERIFY(q.waitForFinished(20000));
    QCOMPARE(q.exitCode(), 2);
}

void TestEdit::fullAndReadOnlyFileSystems_data()
{
    QTest::addColumn<QString>("mountOptions");
    QTest::addColumn<QString>("reason");
    QTest::newRow("full-file-system") << "size=48k" << "No space left on device";
    QTest::newRow("read-only-file-system") << "ro" << "Read-only file system";
}

void TestEdit::fullAndReadOnlyFileSystems()
{
    QFETCH(QString, mountOptions);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QByteArray mnt = dir.path().toLocal8Bit();
    // A 48 KiB tmpfs holds the 32 KiB layer but not a second copy of it.
    if (::mount("tmpfs", mnt.constData(), "tmpfs", 0, "size=48k") != 0)
        QSKIP("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    const QString file = copyOf(m_delta, dir.path());
    const QByteArray originalSha = sha(file);
    if (mountOptions == "ro")
        QCOMPARE(::mount("tmpfs", mnt.constData(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr), 0);
    QProcess p;
    p.start(QStringLiteral(LAYERCTL_PATH), {"rewrite-summary", "--tenant-id", "44444444444444444444444444444444", file});
    QVERIFY(p.waitForFinished(30000));
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 2);
    QVERIFY2(err.contains(reason.toUtf8()) && err.contains("the original is unchanged"), err.constData());
    QCOMPARE(sha(file), originalSha);
    QCOMPARE(QDir(dir.path()).entryList({"*___temp"}, QDir::Files).size(), 0);
    qInfo("%s: %s; original sha256 unchanged: %s", qPrintable(mountOptions), err.trimmed().constData(), sha(file).constData());
    QCOMPARE(::umount(mnt.constData()), 0);
}

QTEST_GUILESS_MAIN(TestEdit)
#include "tst_edit.moc"
