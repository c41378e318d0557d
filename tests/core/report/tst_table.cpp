// Report tables: cell renderings, RFC 4180 CSV (quoting, exact numbers), aligned text.
#include <layerscope/report/table.h>

#include <QtTest>

using namespace layerscope;

class TestTable : public QObject
{
    Q_OBJECT
private slots:
    void cells_data();
    void cells();
    void csvField_data();
    void csvField();
    void csvTable();
    void textAligns();
};

void TestTable::cells_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("number");
    // kind: 0 count, 1 bytes, 2 percent, 3 ratio
    QTest::newRow("count") << 0 << 1234567.0 << "1234567" << 1234567.0;
    QTest::newRow("bytes-small") << 1 << 512.0 << "512 B" << 512.0;
    QTest::newRow("bytes-kib") << 1 << 1536.0 << "1.5 KiB" << 1536.0;
    QTest::newRow("bytes-mib") << 1 << 1572864.0 << "1.50 MiB" << 1572864.0;
    QTest::newRow("bytes-gib") << 1 << 3221225472.0 << "3.00 GiB" << 3221225472.0;
    QTest::newRow("percent") << 2 << 12.3456 << "12.3%" << 12.3456;
    QTest::newRow("ratio") << 3 << 2.4132 << "2.41x" << 2.4132;
}

void TestTable::cells()
{
    QFETCH(int, kind);
    QFETCH(double, value);
    QFETCH(QString, text);
    QFETCH(double, number);
    TableCell c;
    switch (kind) {
    case 0: c = countCell(std::uint64_t(value)); QCOMPARE(c.unit, TableCell::Unit::Count); break;
    case 1: c = bytesCell(std::uint64_t(value)); QCOMPARE(c.unit, TableCell::Unit::Bytes); break;
    case 2: c = percentCell(value); QCOMPARE(c.unit, TableCell::Unit::Percent); break;
    default: c = ratioCell(value); QCOMPARE(c.unit, TableCell::Unit::Ratio); break;
    }
    QCOMPARE(QString::fromStdString(c.text), text);
    QVERIFY(c.number.has_value());
    QCOMPARE(*c.number, number);
}

void TestTable::csvField_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("numeric");
    QTest::addColumn<double>("number");
    QTest::addColumn<QString>("csv");
    QTest::newRow("plain-text") << "relation main" << false << 0.0 << "relation main\r\n";
    QTest::newRow("comma-quoted") << "a,b" << false << 0.0 << "\"a,b\"\r\n";
    QTest::newRow("quote-doubled") << "say \"hi\"" << false << 0.0 << "\"say \"\"hi\"\"\"\r\n";
    QTest::newRow("newline-quoted") << "two\nlines" << false << 0.0 << "\"two\nlines\"\r\n";
    QTest::newRow("bytes-exact-not-rounded") << "1.50 MiB" << true << 1572864.0 << "1572864\r\n";
    QTest::newRow("percent-full-precision") << "12.3%" << true << 12.3456 << "12.3456\r\n";
    QTest::newRow("large-integer") << "4.00 GiB" << true << 4294967296.0 << "4294967296\r\n";
}

void TestTable::csvField()
{
    QFETCH(QString, text);
    QFETCH(bool, numeric);
    QFETCH(double, number);
    QFETCH(QString, csv);
    TableCell c{text.toStdString(), numeric ? std::optional<double>(number) : std::nullopt};
    QCOMPARE(QString::fromStdString(csvLine({c})), csv);
}

void TestTable::csvTable()
{
    Table t{"t", "Title", {"Name", "Bytes"}, {}, ChartKind::Bars, 0, 1};
    t.rows.push_back({textCell("a"), bytesCell(2048)});
    t.rows.push_back({textCell("b, c"), bytesCell(10)});
    QCOMPARE(QString::fromStdString(tableCsv(t)), QStringLiteral("Name,Bytes\r\na,2048\r\n\"b, c\",10\r\n"));
}

void TestTable::textAligns()
{
    Table t{"t", "Title", {"Name", "Entries"}, {}, ChartKind::None, 0, 1};
    t.rows.push_back({textCell("relation main"), countCell(7)});
    t.rows.push_back({textCell("aux"), countCell(12345)});
    const QStringList lines = QString::fromStdString(tableText(t)).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    // Text left-aligned, numbers right-aligned: every line ends at the same column.
    QCOMPARE(lines[0], QStringLiteral("  Name           Entries"));
    QCOMPARE(lines[1], QStringLiteral("  relation main        7"));
    QCOMPARE(lines[2], QStringLiteral("  aux              12345"));
}

QTEST_GUILESS_MAIN(TestTable)
#include "tst_table.moc"
