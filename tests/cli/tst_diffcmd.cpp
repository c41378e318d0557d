// Runs the real layerctl binary: diff: a rewritten layer against its original, and a changed one.
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

class TestDiffCmd : public QObject
{
    Q_OBJECT
private slots:
    void diffRewrittenAndChanged_data() { testutil::addFixtureRows(); }
    void diffRewrittenAndChanged();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
} // namespace

// A Neon-written layer against its zstd rewrite: no difference (exit 0). One payload byte of
// the copy flipped: exactly that entry, changed (exit 1). Its index damaged: exit 2, naming
// the damaged file, nothing listed.
void TestDiffCmd::diffRewrittenAndChanged()
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

QTEST_GUILESS_MAIN(TestDiffCmd)
#include "tst_diffcmd.moc"
