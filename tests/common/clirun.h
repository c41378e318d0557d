#pragma once

// Runs the built layerctl (LAYERCTL_PATH) as a process, for the CLI tests.

#include <QByteArray>
#include <QProcess>
#include <QStringList>

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

} // namespace testutil
