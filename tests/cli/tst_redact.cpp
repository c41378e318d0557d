// --redact: a marker planted in a page's tuple, a heap record's tuple and an aux file's content
// (markerlayers.h) never leaves through any command that prints content, in any format (text,
// JSON, CSV, SVG, files written), as text, hex or base64; without --redact the rows marked
// `content` do show it (so the search can find it). Commands whose output is the content
// itself refuse the file outputs under --redact with exit 2.
#include "clirun.h"
#include "markerlayers.h"
#include "testutil.h"

#include <QDirIterator>
#include <QTemporaryDir>
#include <QTest>

using namespace layerscope;
using testutil::layerctl;
using testutil::Run;

class TestRedact : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void noMarkerLeaves_data();
    void noMarkerLeaves();
    void hashesAreKeyed();

private:
    QTemporaryDir m_dir;
    markerlayers::Layers m_layers;
    QString m_other; ///< the image layer with one tuple byte changed (for diff)
};

void TestRedact::initTestCase()
{
    QVERIFY(QDir().mkpath(m_dir.filePath("tl")));
    m_layers = markerlayers::write(m_dir.filePath("tl"));
    QByteArray other = testutil::readAll(m_layers.image);
    const qsizetype at = other.indexOf(markerlayers::kMarker);
    QVERIFY(at > 0);
    other[at] = 'Z';
    m_other = m_dir.filePath("other-image");
    QVERIFY(testutil::writeFile(m_other, other));
}

namespace {

/// Every form a piece of the marker could take in output, also where a hex dump splits it over
/// lines: each 6 characters of its text, each 5 bytes of its hex (either case, spaced or not),
/// each 6 bytes of its base64 (every alignment).
QList<QByteArray> markerForms()
{
    const QByteArray m = markerlayers::kMarker;
    QList<QByteArray> forms;
    for (qsizetype i = 0; i + 6 <= m.size(); ++i)
        forms << m.mid(i, 6);
    for (qsizetype i = 0; i + 5 <= m.size(); ++i) {
        const QByteArray w = m.mid(i, 5);
        forms << w.toHex() << w.toHex().toUpper() << w.toHex(' ') << w.toHex(' ').toUpper();
    }
    for (int shift = 0; shift < 3; ++shift) {
        const QByteArray b64 = (QByteArray(shift, 'x') + m).toBase64();
        for (qsizetype i = 4; i + 8 <= b64.size() - 4; i += 4)
            forms << b64.mid(i, 8);
    }
    return forms;
}

/// Where the marker shows in `bytes`, or empty.
QByteArray leak(const QByteArray &bytes)
{
    for (const QByteArray &form : markerForms())
        if (bytes.contains(form))
            return form;
    return {};
}

} // namespace

void TestRedact::noMarkerLeaves_data()
{
    QTest::addColumn<QStringList>("args"); // IMAGE DELTA OTHER TL OUT stand for their paths
    QTest::addColumn<bool>("content");     // shows the marker without --redact
    QTest::addColumn<int>("redactedCode"); // -1: the same as without
    const QString key = QString::fromStdString(markerlayers::kBlock.toHex());
    const QString aux = QString::fromStdString(markerlayers::kAux.toHex());
    const QString at = key + "@0/2800";
    auto row = [](const char *name, QStringList args, bool content, int code = -1) {
        QTest::newRow(name) << args << content << code;
    };
    row("check-text", {"check", "--pages", "TL"}, false);
    row("check-json", {"check", "--json", "--pages", "TL"}, false);
    row("check-evidence", {"check", "--evidence", "OUT", "DELTA"}, true, 2);
    row("find-text", {"find", "TL", at}, false);
    row("find-json", {"find", "--json", "TL", at}, false);
    row("find-page-file", {"find", "--page", "OUT/page", "TL", at}, true, 2);
    row("page-text", {"page", "TL", key + "@0/1000"}, true);
    row("page-history", {"page", "--history", "TL", at}, true);
    row("page-json", {"page", "--json", "--history", "TL", at}, true);
    row("page-out-file", {"page", "--out", "OUT/page", "TL", key + "@0/1000"}, true, 2);
    row("dump-text", {"dump", "DELTA"}, false);
    row("dump-json", {"dump", "--json", "DELTA"}, false);
    row("dump-pagectl", {"dump", "--format", "pagectl", "DELTA"}, false);
    row("blob-image", {"blob", "IMAGE", key}, true);
    row("blob-aux-json", {"blob", "--json", "DELTA", aux, "0/2008"}, true);
    row("dissect-entry", {"dissect", "--entry", "0", "IMAGE"}, true);
    row("dissect-json", {"dissect", "--json", "--entry", "1", "DELTA"}, true);
    row("stats-text", {"stats", "DELTA"}, false);
    row("stats-json-csv", {"stats", "--json", "--csv", "OUT", "DELTA"}, false);
    row("diff-text", {"diff", "IMAGE", "OTHER"}, false);
    row("diff-json", {"diff", "--json", "IMAGE", "OTHER"}, false);
    row("diff-csv", {"diff", "--csv", "IMAGE", "OTHER"}, false);
    row("map-svg", {"map", "--svg", "OUT/map.svg", "TL"}, false);
    row("keys-json", {"keys", "--json", "DELTA"}, false);
}

void TestRedact::noMarkerLeaves()
{
    QFETCH(QStringList, args);
    QFETCH(bool, content);
    QFETCH(int, redactedCode);
    auto runIn = [&](bool redact, int *code) {
        QTemporaryDir out;
        QStringList a = args;
        a.replaceInStrings("OUT", out.path())
            .replaceInStrings("IMAGE", m_layers.image)
            .replaceInStrings("DELTA", m_layers.delta)
            .replaceInStrings("OTHER", m_other)
            .replaceInStrings("TL", m_dir.filePath("tl"));
        if (redact)
            a.insert(1, "--redact");
        const Run r = layerctl(a);
        *code = r.code;
        QByteArray all = r.out + r.err;
        QDirIterator it(out.path(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            all += testutil::readAll(it.next());
        return all;
    };
    int plainCode = 0, code = 0;
    const QByteArray plain = runIn(false, &plainCode);
    QCOMPARE(!leak(plain).isEmpty(), content);
    const QByteArray redacted = runIn(true, &code);
    QVERIFY2(leak(redacted).isEmpty(),
             qPrintable("the marker left as " + leak(redacted) + ":\n" + redacted.left(3000)));
    QCOMPARE(code, redactedCode < 0 ? plainCode : redactedCode);
    if (redactedCode == 2)
        QVERIFY2(redacted.contains("--redact"), redacted.constData()); // the refusal says why
    else if (content)
        QVERIFY2(redacted.contains("[redacted: "), redacted.left(2000).constData());
}

// The hash of a redacted value is keyed: the same key gives the same hash (values can be matched
// across reports), another key another hash (the content cannot be guessed from it).
void TestRedact::hashesAreKeyed()
{
    auto hashes = [&](const QByteArray &key) {
        qputenv("LAYERSCOPE_REDACT_KEY", key);
        const Run r = layerctl({"blob",
                                "--redact",
                                m_layers.image,
                                QString::fromStdString(markerlayers::kBlock.toHex())});
        qunsetenv("LAYERSCOPE_REDACT_KEY");
        const qsizetype at = r.out.indexOf("hmac ");
        return at < 0 ? QByteArray() : r.out.mid(at + 5, 16);
    };
    const QByteArray a = hashes("one key"), b = hashes("one key"), c = hashes("another key");
    QCOMPARE(a.size(), 16);
    QCOMPARE(a, b);
    QVERIFY(a != c);
}

QTEST_GUILESS_MAIN(TestRedact)
#include "tst_redact.moc"
