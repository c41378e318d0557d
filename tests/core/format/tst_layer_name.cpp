#include "testutil.h"

#include <layerscope/format/layer_name.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace layerscope;

class TestLayerName : public QObject
{
    Q_OBJECT
private slots:
    void realIndex();
    void forms_data();
    void forms();
    void rejects_data();
    void rejects();
};

void TestLayerName::realIndex()
{
    const QByteArray json = testutil::readAll(testutil::sharedDir()
                                              + "/fixtures/neon-index/index_part.json");
    QVERIFY(!json.isEmpty());
    const QJsonObject meta = QJsonDocument::fromJson(json).object()["layer_metadata"].toObject();
    QCOMPARE(meta.size(), 1564);
    int images = 0, deltas = 0;
    for (auto it = meta.begin(); it != meta.end(); ++it) {
        const std::string name = it.key().toStdString();
        std::string why;
        const auto n = LayerName::parse(name, &why);
        QVERIFY2(n, (name + ": " + why).c_str());
        QCOMPARE(n->toString(), name);
        QCOMPARE(n->canonical(), name);
        (n->kind == LayerKind::Image ? images : deltas)++;
        // The remote object name carries the generation as 8 lowercase hex digits.
        const int gen = it.value().toObject()["generation"].toInt();
        const std::string remote = name + QString::asprintf("-%08x", gen).toStdString();
        const auto r = LayerName::parse(remote);
        QVERIFY(r);
        QCOMPARE(r->generation, std::uint32_t(gen));
        QCOMPARE(r->toString(), remote);
    }
    QCOMPARE(images, 802);
    QCOMPARE(deltas, 762);
}

void TestLayerName::forms_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("delta");
    QTest::addColumn<int>("suffix");
    QTest::addColumn<uint>("generation");
    QTest::addColumn<QString>("temp");
    const QString img = "000000067F00004005000060F30000000000-000000067F00004005000060F30000000001"
                        "__00000000016960E8";
    const QString delta = "000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                          "__00000000016960E8-0000000001698FF1";
    QTest::newRow("image") << img << false << 0 << 0u << "";
    QTest::newRow("image-v1-generation") << img + "-v1-00000005" << false << 1 << 5u << "";
    QTest::newRow("image-legacy-generation") << img + "-0000000a" << false << 2 << 10u << "";
    QTest::newRow("delta") << delta << true << 0 << 0u << "";
    QTest::newRow("delta-v1-generation") << delta + "-v1-0000abcd" << true << 1 << 0xabcdu << "";
    QTest::newRow("delta-legacy-generation") << delta + "-00000002" << true << 2 << 2u << "";
    QTest::newRow("image-temp-seed") << img + ".Ab3dE9x1.___temp" << false << 0 << 0u
                                     << ".Ab3dE9x1.___temp";
    QTest::newRow("delta-temp-head") << delta + ".1f.___temp" << true << 0 << 0u << ".1f.___temp";
    QTest::newRow("download") << delta + "-v1-00000005.temp_download" << true << 1 << 5u
                              << ".temp_download";
}

void TestLayerName::forms()
{
    QFETCH(QString, name);
    QFETCH(bool, delta);
    QFETCH(int, suffix);
    QFETCH(uint, generation);
    QFETCH(QString, temp);
    std::string why;
    const auto n = LayerName::parse(name.toStdString(), &why);
    QVERIFY2(n, why.c_str());
    QCOMPARE(n->kind == LayerKind::Delta, delta);
    QCOMPARE(int(n->suffix), suffix);
    QCOMPARE(n->generation, generation);
    QCOMPARE(QString::fromStdString(n->tempSuffix), temp);
    QCOMPARE(QString::fromStdString(n->toString()), name);
}

void TestLayerName::rejects_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("why");
    const QString keys = "000000067F00004005000060F30000000000-000000067F00004005000060F30000000001";
    QTest::newRow("no-separator") << keys << "no \"__\"";
    QTest::newRow("lowercase-lsn") << keys + "__00000000016960e8" << "16 uppercase hex";
    QTest::newRow("short-lsn") << keys + "__16960E8" << "16 uppercase hex";
    QTest::newRow("uppercase-generation") << keys + "__00000000016960E8-v1-0000000A"
                                          << "8 lowercase hex";
    QTest::newRow("odd-trailer") << keys + "__00000000016960E8-v2" << "8 lowercase hex";
    QTest::newRow("delta-lsn-order") << keys + "__0000000001698FF1-00000000016960E8"
                                     << "LSN range start must be below";
    QTest::newRow("delta-key-order")
        << "000000067F00004005000060F30000000001-000000067F00004005000060F30000000000"
           "__00000000016960E8-0000000001698FF1"
        << "key range start must be below";
    QTest::newRow("lowercase-key") << keys.toLower() + "__00000000016960E8" << "uppercase hex";
    QTest::newRow("seed-delta-temp-xxx")
        << "000000067F00004005000060F30000000000-XXX__00000000016960E8-0000000001698FF1.abcdefgh.___temp"
        << "key range must be";
}

void TestLayerName::rejects()
{
    QFETCH(QString, name);
    QFETCH(QString, why);
    std::string reason;
    QVERIFY(!LayerName::parse(name.toStdString(), &reason));
    QVERIFY2(QString::fromStdString(reason).contains(why), reason.c_str());
}

QTEST_APPLESS_MAIN(TestLayerName)
#include "tst_layer_name.moc"
