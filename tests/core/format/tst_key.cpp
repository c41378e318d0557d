#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>

#include <QTest>

using namespace layerscope;

class TestKey : public QObject
{
    Q_OBJECT
private slots:
    void implausibility_data();
    void implausibility();
    void fields_data();
    void fields();
    void namedFields_data();
    void namedFields();
    void describe_data();
    void describe();
    void parseHuman_data();
    void parseHuman();
    void parseHumanRejects_data();
    void parseHumanRejects();
    void parseRejects_data();
    void parseRejects();
    void next_data();
    void next();
    void lsn_data();
    void lsn();
    void lsnParse_data();
    void lsnParse();
    void ids();
};

void TestKey::fields_data()
{
    QTest::addColumn<QString>("hex");
    QTest::addColumn<QList<qulonglong>>("fields");
    QTest::newRow("rel-block") << "000000067F00004005000060F300069883DB"
                               << QList<qulonglong>{0, 1663, 16389, 24819, 0, 110658523};
    QTest::newRow("clog-seg0-blk3")
        << "010000000000000001000000000000000003" << QList<qulonglong>{1, 0, 1, 0, 0, 3};
    QTest::newRow("max") << "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                         << QList<qulonglong>{
                                0xFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFF, 0xFFFFFFFF};
}

// The named accessors read the fields a key class gives a meaning to: a relation block's
// tablespace, database, relfilenode, fork and block; an SLRU page's kind, segment and page.
void TestKey::namedFields_data()
{
    QTest::addColumn<QString>("hex");
    QTest::addColumn<QString>("named");
    QTest::newRow("rel-block") << "000000067F00004005000060F300069883DB"
                               << "spc 1663 db 16389 rel 24819 fork 0 blk 110658523";
    QTest::newRow("rel-vm-block") << "000000067F00004005000060F30200000007"
                                  << "spc 1663 db 16389 rel 24819 fork 2 blk 7";
    QTest::newRow("clog-seg2-page3") << "010000000000000001000000020000000003"
                                     << "slru 0 segment 2 page 3";
    QTest::newRow("members-seg1-page31") << "01000000010000000100000001000000001F"
                                         << "slru 1 segment 1 page 31";
}

void TestKey::namedFields()
{
    QFETCH(QString, hex);
    QFETCH(QString, named);
    const auto k = Key::fromHex(hex.toStdString());
    QVERIFY(k);
    const QString got = k->keyClass() == KeyClass::RelBlock
                            ? QStringLiteral("spc %1 db %2 rel %3 fork %4 blk %5")
                                  .arg(k->spcOid())
                                  .arg(k->dbOid())
                                  .arg(k->relNumber())
                                  .arg(k->forkNumber())
                                  .arg(k->blockNumber())
                            : QStringLiteral("slru %1 segment %2 page %3")
                                  .arg(k->slruKind())
                                  .arg(k->slruSegment())
                                  .arg(k->blockNumber());
    QCOMPARE(got, named);
}

void TestKey::fields()
{
    QFETCH(QString, hex);
    QFETCH(QList<qulonglong>, fields);
    const auto k = Key::fromHex(hex.toStdString());
    QVERIFY(k);
    QCOMPARE(qulonglong(k->field1()), fields[0]);
    QCOMPARE(qulonglong(k->field2()), fields[1]);
    QCOMPARE(qulonglong(k->field3()), fields[2]);
    QCOMPARE(qulonglong(k->field4()), fields[3]);
    QCOMPARE(qulonglong(k->field5()), fields[4]);
    QCOMPARE(qulonglong(k->field6()), fields[5]);
    QCOMPARE(QString::fromStdString(k->toHex()), hex);
    const Key built = Key::fromFields(std::uint8_t(fields[0]),
                                      std::uint32_t(fields[1]),
                                      std::uint32_t(fields[2]),
                                      std::uint32_t(fields[3]),
                                      std::uint8_t(fields[4]),
                                      std::uint32_t(fields[5]));
    QVERIFY(built == *k);
    // Lowercase parses to the same key.
    QVERIFY(Key::fromHex(hex.toLower().toStdString()) == k);
}

void TestKey::describe_data()
{
    QTest::addColumn<QString>("hex");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("cls");
    QTest::newRow("rel-block") << "000000067F00004005000060F300069883DB"
                               << "rel 1663/16389/24819 blk 110658523"
                               << "RelBlock";
    QTest::newRow("fsm-size") << "000000067F00004005000060F301FFFFFFFF"
                              << "rel 1663/16389/24819_fsm size"
                              << "RelSize";
    QTest::newRow("vm-block") << "000000067F00004005000060F30200000007"
                              << "rel 1663/16389/24819_vm blk 7"
                              << "RelBlock";
    QTest::newRow("dbdir") << "000000000000000000000000000000000000"
                           << "dbdir (Key::MIN)"
                           << "DbDir";
    QTest::newRow("reldir") << "000000067F00004005000000000000000001"
                            << "reldir 1663/16389"
                            << "RelDir";
    QTest::newRow("relmap") << "000000067F00004005000000000000000000"
                            << "relmap 1663/16389"
                            << "RelMap";
    QTest::newRow("clog-block") << "010000000000000001000000000000000003"
                                << "slru pg_xact seg 0 blk 3"
                                << "SlruBlock";
    QTest::newRow("clog-size") << "0100000000000000010000000000FFFFFFFF"
                               << "slru pg_xact seg 0 size"
                               << "SlruSegSize";
    QTest::newRow("mx-dir") << "010000000100000000000000000000000000"
                            << "slrudir pg_multixact/members"
                            << "SlruDir";
    QTest::newRow("twophase-dir") << "020000000000000000000000000000000000"
                                  << "twophase dir"
                                  << "TwoPhaseDir";
    QTest::newRow("twophase-64") << "020000000000000000000000000A000002E4"
                                 << "twophase xid 42949673700"
                                 << "TwoPhaseFile";
    QTest::newRow("controlfile") << "030000000000000000000000000000000000"
                                 << "controlfile"
                                 << "ControlFile";
    QTest::newRow("checkpoint") << "030000000000000000000000000000000001"
                                << "checkpoint"
                                << "Checkpoint";
    QTest::newRow("aux-v1") << "030000000000000000000000000000000002"
                            << "aux files v1"
                            << "AuxFilesV1";
    QTest::newRow("aux-v2-mappings") << "62000001017F8B83D94F7081693471ABF91C"
                                     << "aux pg_logical/mappings/#7f8b83d94f7081693471abf91c"
                                     << "AuxFileV2";
    QTest::newRow("replorigin") << "630000000000000000000000000000000005"
                                << "replorigin 5"
                                << "ReplOrigin";
    QTest::newRow("reldir-v2") << "650000067F00004005000060F30200000001"
                               << "reldir v2 1663/16389/24819_vm"
                               << "RelDirV2";
    QTest::newRow("max") << "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                         << "Key::MAX"
                         << "Max";
    QTest::newRow("unknown-class") << "7F0000000000000000000000000000000009"
                                   << "7F 00000000 00000000 00000000 00 00000009"
                                   << "Unknown";
}

void TestKey::describe()
{
    QFETCH(QString, hex);
    QFETCH(QString, text);
    QFETCH(QString, cls);
    const auto k = Key::fromHex(hex.toStdString());
    QVERIFY(k);
    QCOMPARE(QString::fromStdString(k->describe()), text);
    QCOMPARE(QString::fromStdString(std::string(k->className())), cls);
    // Every rendering reads back as the key it renders.
    const auto back = Key::parse(text.toStdString());
    QVERIFY2(back, qPrintable(text));
    QCOMPARE(QString::fromStdString(back->toHex()), hex);
}

void TestKey::parseHuman_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("hex");
    QTest::newRow("hex-lower") << "000000067f00004005000060f300069883db"
                               << "000000067F00004005000060F300069883DB";
    QTest::newRow("clog-alias") << "slru clog seg 0 blk 3"
                                << "010000000000000001000000000000000003";
    QTest::newRow("offsets-alias") << "slru multixact_offsets seg 2 blk 31"
                                   << "01000000020000000100000002000000001F";
    QTest::newRow("extra-blanks") << "  rel   1663/16384/2619  blk 7 "
                                  << "000000067F0000400000000A3B0000000007";
    QTest::newRow("init-fork") << "rel 1663/16384/2619_init blk 0"
                               << "000000067F0000400000000A3B0300000000";
    QTest::newRow("aux-path-mappings") << "aux pg_logical/mappings/test1"
                                       << "62000001017F8B83D94F7081693471ABF91C";
    QTest::newRow("aux-path-other") << "aux other_file_not_supported"
                                    << "620000FFFF2B6ECC8AEF93F643DC44F15E03";
    QTest::newRow("aux-path-replorigin") << "aux pg_logical/replorigin_checkpoint"
                                         << "62000001032E07BB014262B821756295C58D";
    QTest::newRow("aux-hash-category-digits") << "aux 0101#7f8b83d94f7081693471abf91c"
                                              << "62000001017F8B83D94F7081693471ABF91C";
    QTest::newRow("twophase-32") << "twophase xid 740"
                                 << "0200000000000000000000000000000002E4";
}

void TestKey::parseHuman()
{
    QFETCH(QString, text);
    QFETCH(QString, hex);
    const auto k = Key::parse(text.toStdString());
    QVERIFY2(k, qPrintable(text));
    QCOMPARE(QString::fromStdString(k->toHex()), hex);
}

void TestKey::parseHumanRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("no-block-number") << "rel 1663/16389/24819 blk";
    QTest::newRow("no-relation") << "rel 1663/16389 blk 7";
    QTest::newRow("block-is-size-marker") << "rel 1663/16389/24819 blk 4294967295";
    QTest::newRow("relation-zero") << "rel 1663/16389/0 blk 3";
    QTest::newRow("unknown-slru") << "slru pg_foo seg 0 blk 3";
    QTest::newRow("block-overflow") << "rel 1663/16389/24819 blk 4294967296";
    QTest::newRow("negative") << "rel 1663/16389/24819 blk -1";
    QTest::newRow("replorigin-over-16-bits") << "replorigin 70000";
    QTest::newRow("short-hash") << "aux pg_logical/mappings/#7f8b";
    QTest::newRow("unknown-category") << "aux pg_nothing/#7f8b83d94f7081693471abf91c";
    QTest::newRow("six-fields-wrong-width") << "7F 0000000 00000000 00000000 00 00000009";
    QTest::newRow("words") << "hello world";
    QTest::newRow("empty") << "";
}

void TestKey::parseHumanRejects()
{
    QFETCH(QString, text);
    QVERIFY(!Key::parse(text.toStdString()));
}

void TestKey::parseRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("short") << "000000067F00004005000060F300069883D";
    QTest::newRow("long") << "000000067F00004005000060F300069883DB0";
    QTest::newRow("non-hex") << "000000067F00004005000060F300069883DG";
    QTest::newRow("empty") << "";
}

void TestKey::parseRejects()
{
    QFETCH(QString, text);
    QVERIFY(!Key::fromHex(text.toStdString()));
}

void TestKey::next_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("next");
    QTest::newRow("carry-into-fork") << "000000067F00004005000060F300FFFFFFFF"
                                     << "000000067F00004005000060F30100000000";
    QTest::newRow("plain") << "000000067F00004005000060F30000000000"
                           << "000000067F00004005000060F30000000001";
    QTest::newRow("max-has-none") << "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                                  << "";
}

void TestKey::next()
{
    QFETCH(QString, key);
    QFETCH(QString, next);
    const auto n = Key::fromHex(key.toStdString())->next();
    if (next.isEmpty()) {
        QVERIFY(!n);
        return;
    }
    QVERIFY(n);
    QCOMPARE(QString::fromStdString(n->toHex()), next);
}

void TestKey::lsn_data()
{
    QTest::addColumn<qulonglong>("value");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QString>("hex");
    QTest::newRow("big") << qulonglong(0x00000178B8B10551) << "178/B8B10551"
                         << "00000178B8B10551";
    QTest::newRow("small") << qulonglong(0x16960E8) << "0/16960E8"
                           << "00000000016960E8";
    QTest::newRow("zero") << qulonglong(0) << "0/0"
                          << "0000000000000000";
    QTest::newRow("max") << qulonglong(~0ull) << "FFFFFFFF/FFFFFFFF"
                         << "FFFFFFFFFFFFFFFF";
}

void TestKey::lsn()
{
    QFETCH(qulonglong, value);
    QFETCH(QString, display);
    QFETCH(QString, hex);
    const Lsn l{value};
    QCOMPARE(QString::fromStdString(l.toString()), display);
    QCOMPARE(QString::fromStdString(l.toHex()), hex);
    QCOMPARE(Lsn::parse(display.toStdString())->value, value);
    QCOMPARE(Lsn::parse(hex.toStdString())->value, value);
}

void TestKey::lsnParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qulonglong>("value");
    QTest::newRow("trimmed-display") << "  16/B374D848 " << true << qulonglong(0x16B374D848);
    QTest::newRow("lowercase") << "16/b374d848" << true << qulonglong(0x16B374D848);
    QTest::newRow("two-slashes") << "1/2/3" << false << qulonglong(0);
    QTest::newRow("half-too-long") << "123456789/0" << false << qulonglong(0);
    QTest::newRow("hex-too-long") << "00000000016960E80" << false << qulonglong(0);
    QTest::newRow("garbage") << "xyz" << false << qulonglong(0);
}

void TestKey::lsnParse()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qulonglong, value);
    const auto l = Lsn::parse(text.toStdString());
    QCOMPARE(bool(l), ok);
    if (ok)
        QCOMPARE(l->value, value);
}

void TestKey::ids()
{
    const auto t = Id128::fromHex("9E5EF5B2D29B4D3F9D5D1E1B7C0A3F21");
    QVERIFY(t);
    QCOMPARE(QString::fromStdString(t->toHex()), QString("9e5ef5b2d29b4d3f9d5d1e1b7c0a3f21"));
    QCOMPARE(int(t->bytes[0]), 0x9e);
    QVERIFY(!Id128::fromHex("9e5ef5b2d29b4d3f9d5d1e1b7c0a3f2"));
    QVERIFY(!Id128::fromHex("9e5ef5b2d29b4d3f9d5d1e1b7c0a3f2z"));
}

void TestKey::implausibility_data()
{
    QTest::addColumn<QString>("hex");
    QTest::addColumn<QString>("why");
    QTest::newRow("rel-block-main") << "000000067F000040000000400D0000000007"
                                    << "";
    QTest::newRow("rel-block-init-fork") << "000000067F000040000000400D0300000007"
                                         << "";
    QTest::newRow("rel-block-fork-128") << "000000067F000040000000400D8000000007"
                                        << "relation fork 128";
    QTest::newRow("rel-size-fork-9") << "000000067F000040000000400D09FFFFFFFF"
                                     << "relation fork 9";
    QTest::newRow("slru-block-31") << "01000000000000000100000000000000001F"
                                   << "";
    QTest::newRow("slru-block-32") << "010000000000000001000000000000000020"
                                   << "beyond the 32 pages";
    QTest::newRow("slru-segment-huge") << "010000000000000001FF000000000000000A"
                                       << "SLRU segment";
    QTest::newRow("slru-kind-5") << "010000000500000001000000000000000000"
                                 << "none of Neon's key classes";
    QTest::newRow("aux-v2") << "620000010100000000000000000000000000"
                            << "";
    QTest::newRow("key-max") << "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                             << "";
}

void TestKey::implausibility()
{
    QFETCH(QString, hex);
    QFETCH(QString, why);
    const auto k = Key::fromHex(hex.toStdString());
    QVERIFY(k);
    const QString got = QString::fromStdString(k->implausibility());
    QVERIFY2(why.isEmpty() ? got.isEmpty() : got.contains(why), qPrintable(got));
}

QTEST_APPLESS_MAIN(TestKey)
#include "tst_key.moc"
