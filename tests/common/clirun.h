#pragma once

// Runs the built layerctl (LAYERCTL_PATH) as a process, for the CLI tests.

#include "testutil.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QTest>

namespace testutil {

struct Run
{
    int code; ///< the exit status; -1 when the process crashed
    QByteArray out;
    QByteArray err;
};

/// Runs layerctl with `args` and waits (two minutes at most: a hang ends the test run).
inline Run layerctl(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(LAYERCTL_PATH), args);
    if (!p.waitForFinished(120000))
        qFatal("layerctl did not finish");
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            p.readAllStandardOutput(),
            p.readAllStandardError()};
}

/// The objects of JSON-lines output, one per non-empty line.
inline QList<QJsonObject> parseLines(const QByteArray &out)
{
    QList<QJsonObject> objs;
    for (const QByteArray &line : out.split('\n'))
        if (!line.isEmpty())
            objs << QJsonDocument::fromJson(line).object();
    return objs;
}

/// Data rows "fixture-N" with a "path" column: each Neon-written fixture layer.
inline void addFixtureRows()
{
    QTest::addColumn<QString>("path");
    int n = 0;
    for (const QString &f : fixtureLayers())
        QTest::addRow("fixture-%d", ++n) << f;
}

} // namespace testutil
