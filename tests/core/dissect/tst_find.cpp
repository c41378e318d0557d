#include <layerscope/dissect/find.h>

#include <QtTest>

using namespace layerscope;

class TestFind : public QObject
{
    Q_OBJECT
private slots:
    void pattern_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("hex");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("error");
        QTest::newRow("text-as-typed") << "pd_lower" << false << QByteArray("pd_lower") << "";
        QTest::newRow("hex-spaced") << "de ad BE ef" << true << QByteArray("\xde\xad\xbe\xef") << "";
        QTest::newRow("hex-0x-prefix") << "0x0102" << true << QByteArray("\x01\x02") << "";
        QTest::newRow("hex-colons") << "0a:0b" << true << QByteArray("\x0a\x0b") << "";
        QTest::newRow("hex-bad-char") << "de ag" << true << QByteArray()
                                      << "'g' at character 5";
        QTest::newRow("hex-odd") << "abc" << true << QByteArray() << "odd number of digits";
        QTest::newRow("text-empty") << "" << false << QByteArray() << "nothing";
    }
    void pattern()
    {
        QFETCH(QString, text);
        QFETCH(bool, hex);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, error);
        const std::string s = text.toStdString();
        auto r = parseFindPattern(s, hex ? FindMode::Hex : FindMode::Text);
        if (error.isEmpty()) {
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
            QCOMPARE(QByteArray(reinterpret_cast<const char *>(r.value().data()),
                                qsizetype(r.value().size())),
                     bytes);
        } else {
            QVERIFY(!r.ok());
            QVERIFY2(QString::fromStdString(r.error().message()).contains(error),
                     r.error().message().c_str());
        }
    }

    void find_data()
    {
        QTest::addColumn<QByteArray>("hay");
        QTest::addColumn<QByteArray>("needle");
        QTest::addColumn<quint64>("from");
        QTest::addColumn<bool>("backward");
        QTest::addColumn<qint64>("expected");  // -1: none
        const QByteArray hay("abcXYabcXYabc");
        QTest::newRow("forward-from-start") << hay << QByteArray("XY") << quint64(0) << false << qint64(3);
        QTest::newRow("forward-at-match") << hay << QByteArray("XY") << quint64(3) << false << qint64(3);
        QTest::newRow("forward-next") << hay << QByteArray("XY") << quint64(4) << false << qint64(8);
        QTest::newRow("forward-wraps") << hay << QByteArray("XY") << quint64(9) << false << qint64(3);
        QTest::newRow("backward-before") << hay << QByteArray("XY") << quint64(8) << true << qint64(3);
        QTest::newRow("backward-wraps") << hay << QByteArray("XY") << quint64(3) << true << qint64(8);
        QTest::newRow("match-at-end") << hay << QByteArray("abc") << quint64(11) << false << qint64(0);
        QTest::newRow("last-at-end-backward") << hay << QByteArray("abc") << quint64(0) << true << qint64(10);
        QTest::newRow("absent") << hay << QByteArray("zz") << quint64(0) << false << qint64(-1);
        QTest::newRow("longer-than-hay") << QByteArray("ab") << QByteArray("abc") << quint64(0) << false << qint64(-1);
    }
    void find()
    {
        QFETCH(QByteArray, hay);
        QFETCH(QByteArray, needle);
        QFETCH(quint64, from);
        QFETCH(bool, backward);
        QFETCH(qint64, expected);
        const Bytes h(reinterpret_cast<const std::uint8_t *>(hay.constData()), hay.size());
        const Bytes n(reinterpret_cast<const std::uint8_t *>(needle.constData()), needle.size());
        const auto hit = findBytes(h, n, from, backward);
        QCOMPARE(hit ? qint64(*hit) : qint64(-1), expected);
    }

    void acrossChunks_data()
    {
        QTest::addColumn<bool>("backward");
        QTest::newRow("forward") << false;
        QTest::newRow("backward") << true;
    }
    // A match that straddles the 64 MiB chunk boundary is found, progress is reported per
    // chunk, and a cancel stops the search.
    void acrossChunks()
    {
        QFETCH(bool, backward);
        std::vector<std::uint8_t> hay((64u << 20) * 3, 0);
        const std::uint64_t at = (64u << 20) * 2 - 2;
        const std::uint8_t needle[] = {1, 2, 3, 4};
        std::copy(std::begin(needle), std::end(needle), hay.begin() + std::ptrdiff_t(at));
        int calls = 0;
        const auto hit = findBytes(hay, needle, backward ? hay.size() : 0, backward,
                                   [&](std::uint64_t, std::uint64_t total) {
                                       ++calls;
                                       return total == hay.size();
                                   });
        QVERIFY(hit);
        QCOMPARE(*hit, at);
        QCOMPARE(calls, 1);
        bool cancelled = false;
        const std::uint8_t absent[] = {9, 9};
        QVERIFY(!findBytes(hay, absent, 0, backward, [](auto, auto) { return false; },
                           &cancelled));
        QVERIFY(cancelled);
    }
};

QTEST_GUILESS_MAIN(TestFind)
#include "tst_find.moc"
