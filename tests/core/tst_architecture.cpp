// The map ARCHITECTURE.md draws, enforced: core's folders in dependency order, each including
// only the folders above it (and its own), with the one exception the map names; no source
// reaching into another folder's private headers. A planted violation fails it (a row below).
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

namespace {
// ARCHITECTURE.md's order: a folder may include those before it, never those after it.
const QStringList kOrder = {
    "base", "io", "format", "index", "redo", "dissect", "write", "check", "report", "timeline"};
// The exceptions ARCHITECTURE.md states, as "from-file -> to-folder".
const QStringList kExceptions = {"format/layer.h -> index"};

struct Violation
{
    QString file;
    QString include;
};

// Every core include against the order; `extra` adds one file's text, as if it were in core.
QList<Violation> violations(const QString &root, const QPair<QString, QString> &extra = {})
{
    static const QRegularExpression inc(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])",
                                        QRegularExpression::MultilineOption);
    QList<QPair<QString, QString>> files; // (path under core, text)
    for (const QString &sub : {QStringLiteral("include/layerscope"), QStringLiteral("src")}) {
        QDirIterator it(root + "/core/" + sub,
                        {"*.h", "*.cpp"},
                        QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly))
                qFatal("cannot read %s", qPrintable(path));
            files.append({QDir(root + "/core/" + sub).relativeFilePath(path),
                          QString::fromUtf8(f.readAll())});
        }
    }
    if (!extra.first.isEmpty())
        files.append(extra);
    QList<Violation> out;
    for (const auto &[file, text] : files) {
        const QString folder = file.section('/', 0, 0);
        const int mine = kOrder.indexOf(folder);
        if (mine < 0)
            continue;
        auto m = inc.globalMatch(text);
        while (m.hasNext()) {
            const auto match = m.next();
            const QString what = match.captured(2);
            if (match.captured(1) == "\"") {
                // A private header: its own folder's only.
                if (what.contains('/'))
                    out.append({file, what});
                continue;
            }
            if (!what.startsWith("layerscope/"))
                continue;
            const QString to = what.section('/', 1, 1);
            const int theirs = kOrder.indexOf(to);
            if (theirs > mine && !kExceptions.contains(file + " -> " + to))
                out.append({file, what});
        }
    }
    return out;
}
} // namespace

class TestArchitecture : public QObject
{
    Q_OBJECT
private slots:
    void includesFollowTheMap_data();
    void includesFollowTheMap();
};

void TestArchitecture::includesFollowTheMap_data()
{
    QTest::addColumn<QString>("plantedFile");
    QTest::addColumn<QString>("plantedText");
    QTest::addColumn<int>("expected");
    QTest::newRow("main") << QString() << QString() << 0;
    QTest::newRow("planted-index-includes-check") << "index/planted.cpp"
                                                  << "#include <layerscope/check/validate.h>\n"
                                                  << 1;
    QTest::newRow("planted-private-header") << "dissect/planted.cpp"
                                            << "#include \"../format/private.h\"\n"
                                            << 1;
    QTest::newRow("planted-base-includes-format")
        << "base/planted.h"
        << "#pragma once\n#include <layerscope/format/key.h>\n"
        << 1;
    QTest::newRow("planted-timeline-includes-check-is-fine")
        << "timeline/planted.cpp"
        << "#include <layerscope/check/validate.h>\n"
        << 0;
}

void TestArchitecture::includesFollowTheMap()
{
    QFETCH(QString, plantedFile);
    QFETCH(QString, plantedText);
    QFETCH(int, expected);
    const auto found = violations(QStringLiteral(LAYERSCOPE_SOURCE_DIR), {plantedFile, plantedText});
    for (const Violation &v : found)
        qInfo("%s includes %s", qPrintable(v.file), qPrintable(v.include));
    QCOMPARE(int(found.size()), expected);
}

QTEST_APPLESS_MAIN(TestArchitecture)
#include "tst_architecture.moc"
