#pragma once

// What the remote tests share: layerctl run against a test server with a known AWS
// environment, and timelines uploaded under Neon's remote layout.

#include "s3server.h"
#include "testutil.h"
#include "timelinefixture.h"

#include <layerscope/format/layer_name.h>

#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

namespace testremote {

/// The environment of a process reading from `endpoint`: credentials (kSecret and kToken,
/// which no output may show), short timeouts and backoff.
inline QProcessEnvironment awsEnvironment(const QString &endpoint)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("AWS_ENDPOINT_URL", endpoint);
    env.insert("AWS_ACCESS_KEY_ID", "S3RVER");
    env.insert("AWS_SECRET_ACCESS_KEY", QString::fromUtf8(kSecret));
    env.insert("AWS_SESSION_TOKEN", QString::fromUtf8(kToken));
    env.insert("AWS_REGION", "us-east-1");
    env.insert("LAYERSCOPE_REMOTE_STALL_TIMEOUT_MS", "1000");
    env.insert("LAYERSCOPE_REMOTE_CONNECT_TIMEOUT_MS", "2000");
    env.insert("LAYERSCOPE_REMOTE_BACKOFF_MS", "20");
    env.insert("LAYERSCOPE_REMOTE_ATTEMPTS", "4");
    return env;
}

struct Run
{
    int code;
    QByteArray out;
    QByteArray err;
};

/// layerctl with awsEnvironment(endpoint); code -2 when it hung (killed after 2 minutes).
inline Run layerctl(const QString &endpoint, const QStringList &args)
{
    QProcess p;
    p.setProcessEnvironment(awsEnvironment(endpoint));
    p.start(QStringLiteral(LAYERCTL_PATH), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {-2, p.readAllStandardOutput(), "layerctl hung"};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            p.readAllStandardOutput(),
            p.readAllStandardError()};
}

const QString kTimeline = QStringLiteral(
    "pageserver/v1/tenants/0123456789abcdef0123456789abcdef/timelines/"
    "11112222333344445555666677778888/");

/// The generated timeline (known read paths) under Neon's remote layout: every file with the
/// generation suffix 00000002, index_part.json-00000002 listing them (the live one) and an
/// older index_part.json-00000001 listing nothing. `damage` plants index disagreements: the
/// first layer listed with a wrong size, the second not listed, one listed that is missing.
inline void uploadTimeline(const S3Server &server,
                           const QString &localDir,
                           bool damage,
                           const QString &timeline = kTimeline)
{
    timelinefixture::writeTimeline(localDir);
    QStringList entries;
    int i = 0;
    QDirIterator it(localDir, QDir::Files);
    QStringList files;
    while (it.hasNext())
        files << it.next();
    files.sort();
    for (const QString &f : files) {
        const QString name = QFileInfo(f).fileName();
        const QByteArray bytes = testutil::readAll(f);
        QVERIFY(server.put(timeline + name + "-00000002", bytes));
        const auto parsed = layerscope::LayerName::parse(name.toStdString());
        if (!parsed || !parsed->tempSuffix.empty())
            continue;
        ++i;
        if (damage && i == 2)
            continue; // not listed
        entries << QStringLiteral(R"("%1":{"file_size":%2,"generation":2})")
                       .arg(name)
                       .arg(damage && i == 1 ? bytes.size() + 8192 : bytes.size());
    }
    if (damage)
        entries << QStringLiteral(
            R"("000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF__0000000000000400-0000000000000500":{"file_size":8192,"generation":2})");
    const QString meta = QStringLiteral(
        R"("disk_consistent_lsn":"0/300","metadata_bytes":{"disk_consistent_lsn":"0/300","prev_record_lsn":null,"ancestor_timeline":null,"ancestor_lsn":"0/0","latest_gc_cutoff_lsn":"0/100","initdb_lsn":"0/100","pg_version":16})");
    QVERIFY(server.put(timeline + "index_part.json-00000002",
                       QStringLiteral(R"({"version":11,"layer_metadata":{%1},%2})")
                           .arg(entries.join(','), meta)
                           .toUtf8()));
    QVERIFY(
        server.put(timeline + "index_part.json-00000001",
                   QStringLiteral(R"({"version":11,"layer_metadata":{},%1})").arg(meta).toUtf8()));
}

} // namespace testremote
