// A key as it reaches an engineer: typed, from a listing, or from a pageserver log span.
#include <layerscope/format/key_input.h>

#include <QTest>

using namespace layerscope;

class TestKeyInput : public QObject
{
    Q_OBJECT
private slots:
    void parses_data();
    void parses();
};

void TestKeyInput::parses_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("hex"); // empty: refused
    const QString blk3 = "000000067F00000005000004EB0000000003";
    QTest::newRow("hex") << blk3 << blk3;
    QTest::newRow("hex-lowercase-blanks") << "  000000067f00000005000004eb0000000003 " << blk3;
    QTest::newRow("described") << "rel 1663/5/1259 blk 3" << blk3;
    QTest::newRow("log-span-blkno") << "rel=1663/5/1259 blkno=3" << blk3;
    QTest::newRow("log-span-blk") << "rel=1663/5/1259 blk=3" << blk3;
    QTest::newRow("log-span-comma") << "rel=1663/5/1259, blkno=3" << blk3;
    QTest::newRow("log-span-blanks") << "rel = 1663/5/1259 block = 3" << blk3;
    QTest::newRow("reltag-and-block") << "1663/5/1259 3" << blk3;
    QTest::newRow("rel-reltag-and-block") << "rel 1663/5/1259 3" << blk3;
    QTest::newRow("vm-fork") << "rel=1663/5/1259_vm blkno=0"
                             << "000000067F00000005000004EB0200000000";
    QTest::newRow("slru") << "slru pg_xact seg 0 blk 3"
                          << "010000000000000001000000000000000003";
    QTest::newRow("rel-without-block") << "rel=1663/5/1259"
                                       << "";
    QTest::newRow("block-without-rel") << "blkno=3"
                                       << "";
    QTest::newRow("three-part-tag-missing") << "rel=1663/5 blkno=3"
                                            << "";
    QTest::newRow("garbage") << "deserialize error"
                             << "";
    QTest::newRow("35-hex-digits") << "000000067F00000005000004EB000000000"
                                   << "";
}

void TestKeyInput::parses()
{
    QFETCH(QString, input);
    QFETCH(QString, hex);
    const auto k = parseKeyInput(input.toStdString());
    QCOMPARE(k.has_value(), !hex.isEmpty());
    if (k)
        QCOMPARE(QString::fromStdString(k->toHex()), hex);
}

QTEST_GUILESS_MAIN(TestKeyInput)
#include "tst_key_input.moc"
