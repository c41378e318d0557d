// Runs the real layerctl binary: dissect: nodes field by field as tree --json reads them, damaged nodes and usage errors.
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

class TestDissectCmd : public QObject
{
    Q_OBJECT
private slots:
    void dissectNodesMatchTree_data() { testutil::addFixtureRows(); }
    void dissectNodesMatchTree();
    void dissectDamagedAndUsage();
};

namespace {
using testutil::layerctl;
using testutil::parseLines;
using testutil::Run;
} // namespace

void TestDissectCmd::dissectNodesMatchTree()
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

void TestDissectCmd::dissectDamagedAndUsage()
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

QTEST_GUILESS_MAIN(TestDissectCmd)
#include "tst_dissectcmd.moc"
