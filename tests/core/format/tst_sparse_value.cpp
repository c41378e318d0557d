// What a sparse key's value means, for values encoded as Neon's HEAD writes them
// (pgdatadir_mapping.rs: block counts little-endian, the replication origin's LSN big-endian;
// key.rs: "r" for a relation that exists; aux_file.rs: version 1, then big-endian lengths), and
// the empty value that deletes a key.

#include <layerscope/format/sparse_value.h>

#include <QTest>

using namespace layerscope;

class TestSparseValue : public QObject
{
    Q_OBJECT
private slots:
    void values_data();
    void values();
};

namespace {
QByteArray be32(std::uint32_t v)
{
    const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    return QByteArray(b, 4);
}
QByteArray auxValue(const QList<QPair<QByteArray, QByteArray>> &files)
{
    QByteArray out(1, '\x01');
    for (const auto &[path, content] : files)
        out += be32(std::uint32_t(path.size())) + path + be32(std::uint32_t(content.size()))
               + content;
    return out;
}
} // namespace

void TestSparseValue::values_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("decoded"); // false: not a sparse value (nullopt)
    QTest::addColumn<QString>("meaning");
    QTest::addColumn<bool>("tombstone");
    QTest::addColumn<QString>("error"); // a part of it
    const QString relSize = QString::fromStdString(
        Key::fromFields(0, 1663, 5, 16384, 0, 0xFFFFFFFF).toHex());
    const QString origin = QString::fromStdString(Key::fromFields(0x63, 0, 0, 0, 0, 3).toHex());
    const QString relDir = QString::fromStdString(
        Key::fromFields(0x65, 1663, 5, 16384, 0, 1).toHex());
    const QString aux = QString::fromStdString(
        Key::auxFile("pg_logical/replorigin_checkpoint").toHex());
    const QString block = QString::fromStdString(Key::fromFields(0, 1663, 5, 16384, 0, 7).toHex());
    QTest::newRow("rel-size") << relSize << QByteArray("\x00\x04\x00\x00", 4) << true
                              << "relation size: 1024 blocks" << false << "";
    QTest::newRow("rel-size-wrong-length") << relSize << QByteArray(8, 0) << true << "" << false
                                           << "8 bytes (Neon writes a 4-byte block count)";
    QTest::newRow("repl-origin") << origin << QByteArray("\x00\x00\x00\x00\x01\x6B\x5A\x50", 8)
                                 << true << "replication origin 3: remote LSN 0/16B5A50" << false
                                 << "";
    QTest::newRow("repl-origin-dropped")
        << origin << QByteArray(8, 0) << true << "replication origin 3: dropped (LSN 0/0)" << false
        << "";
    QTest::newRow("repl-origin-tombstone")
        << origin << QByteArray() << true
        << "tombstone: the key is deleted (an empty value in the sparse keyspace)" << true << "";
    QTest::newRow("repl-origin-short") << origin << QByteArray(5, 1) << true << "" << false
                                       << "5 bytes (Neon writes an 8-byte LSN)";
    QTest::newRow("reldir-v2-exists") << relDir << QByteArray("r") << true
                                      << "relation 1663/5/16384 fork 0 exists" << false << "";
    QTest::newRow("reldir-v2-removed")
        << relDir << QByteArray() << true
        << "tombstone: the key is deleted (an empty value in the sparse keyspace)" << true << "";
    QTest::newRow("reldir-v2-garbage")
        << relDir << QByteArray("x") << true << "" << false << "1 bytes (Neon writes \"r\"";
    QTest::newRow("aux-two-files")
        << aux
        << auxValue({{"pg_logical/replorigin_checkpoint", "abc"}, {"pg_stat/pgstat.stat", ""}})
        << true << "aux files: 2" << false << "";
    QTest::newRow("aux-cut-short")
        << aux << auxValue({{"pg_logical/x", "abcdef"}}).chopped(2) << true << "" << false
        << "the content of pg_logical/x (6 bytes) runs past the value";
    QTest::newRow("aux-version-2") << aux << QByteArray("\x02", 1) << true << "" << false
                                   << "encoding version 2 (Neon writes 1)";
    QTest::newRow("rel-block-is-a-page")
        << block << QByteArray(8192, 0) << false << "" << false << "";
}

void TestSparseValue::values()
{
    QFETCH(QString, key);
    QFETCH(QByteArray, value);
    QFETCH(bool, decoded);
    QFETCH(QString, meaning);
    QFETCH(bool, tombstone);
    QFETCH(QString, error);
    const auto v = decodeSparseValue(*Key::fromHex(key.toStdString()),
                                     Bytes(reinterpret_cast<const std::uint8_t *>(value.data()),
                                           std::size_t(value.size())));
    QCOMPARE(v.has_value(), decoded);
    if (!v)
        return;
    QCOMPARE(QString::fromStdString(v->meaning), meaning);
    QCOMPARE(v->tombstone, tombstone);
    QVERIFY2(error.isEmpty() ? v->error.empty() : QString::fromStdString(v->error).contains(error),
             v->error.c_str());
}

QTEST_GUILESS_MAIN(TestSparseValue)
#include "tst_sparse_value.moc"
