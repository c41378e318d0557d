#include "testutil.h"

#include <layerscope/edit.h>
#include <layerscope/layer.h>

#include <QCryptographicHash>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/mount.h>

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
    void refusesAChangedFile();
    void killedAtEachStage_data();
    void killedAtEachStage();
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
}

void TestEdit::writeReadsBackAndOnlyBlock0Changes()
{
    QFETCH(bool, inPlace);
    QFETCH(bool, backup);
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    const QByteArray original = testutil::readAll(file);
    SummaryEdit e;
    e.tenant = Id128::fromHex("11111111111111111111111111111111");
    e.timeline = Id128::fromHex("22222222222222222222222222222222");
    auto s = applyEdit(summaryOf(file), e);
    SafeWriteOptions o;
    o.inPlace = inPlace;
    o.backup = backup;
    o.expected = *identifyFile(file.toStdString());
    std::vector<WriteStage> stages;
    o.stageHook = [&](WriteStage st) { stages.push_back(st); };
    QVERIFY(writeSummarySafely(file.toStdString(), *s, o));
    QVERIFY(summaryOf(file) == *s);
    const QByteArray now = testutil::readAll(file);
    QCOMPARE(now.size(), original.size());
    for (qsizetype i = 0; i < now.size(); ++i)
        if (now[i] != original[i])
            QVERIFY2(i >= 4 && i < 36, qPrintable(QString("byte %1 changed").arg(i)));
    QCOMPARE(stages.back(), WriteStage::Done);
    const QString bak = file + (inPlace ? ".block0.bak" : ".bak");
    QCOMPARE(QFile::exists(bak), backup);
    if (backup)
        QCOMPARE(testutil::readAll(bak), inPlace ? original.left(8192) : original);
    QCOMPARE(QDir(dir.path()).entryList({"*___temp"}, QDir::Files).size(), 0);
}

void TestEdit::refusesAChangedFile()
{
    QTemporaryDir dir;
    const QString file = copyOf(m_image, dir.path());
    const FileIdentity before = *identifyFile(file.toStdString());
    QTest::qWait(20);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(9000);
    f.write("x");
    f.close();
    const QByteArray changed = testutil::readAll(file);
    SafeWriteOptions o;
    o.expected = before;
    auto r = writeSummarySafely(file.toStdString(), summaryOf(file), o);
    QVERIFY(!r);
    QVERIFY(QString::fromStdString(r.error().found).contains("modified"));
    QCOMPARE(testutil::readAll(file), changed);
}

void TestEdit::killedAtEachStage_data()
{
    QTest::addColumn<QString>("stage");
    QTest::addColumn<bool>("expectNew");
    QTest::newRow("after-temp-write") << "temp-written" << false;
    QTest::newRow("after-fsync") << "temp-synced" << false;
    QTest::newRow("after-rename") << "renamed" << true;
}

void TestEdit::killedAtEachStage()
{
    QFETCH(QString, stage);
    QFETCH(bool, expectNew);
    QTemporaryDir dir;
    const QString file = copyOf(m_delta, dir.path());
    const QByteArray originalSha = sha(file);
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("LAYERSCOPE_TEST_KILL_AT", stage);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(LAYERCTL_PATH), {"rewrite-summary", "--tenant-id", "33333333333333333333333333333333", file});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::CrashExit);  // killed by SIGKILL at that stage
    // Either the intact original or the complete new file, never anything else.
    auto layer = Layer::openFile(file.toStdString());
    QVERIFY(layer);
    if (expectNew) {
        QCOMPARE(QString::fromStdString(layer->summary().tenant.toHex()), QString("33333333333333333333333333333333"));
        QCOMPARE(sha(file + ".bak"), originalSha);
    } else {
        QCOMPARE(sha(file), originalSha);
    }
    QVERIFY(layer->entries());
    qInfo("killed after %s: file sha256 %s (original %s)", qPrintable(stage), sha(file).constData(), originalSha.constData());
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
