#pragma once

#include <QString>
#include <QStringList>

namespace layerscope::cli {

enum ExitCode { ExitOk = 0, ExitProblem = 1, ExitUsage = 2 };

/// Options shared by the subcommands (parsed in main).
struct Options
{
    bool json = false;
    bool neon = false;
    QString from;
    qint64 limit = -1;
    QString compression;  ///< empty: copy blobs verbatim
    QString kind;         ///< synth: image or delta
    quint64 size = 0;     ///< synth: target bytes
    quint64 entries = 0;  ///< synth: entry count
    quint32 valueSize = 0;
    bool pages = false;   ///< check: Postgres page checks
    QString evidence;     ///< check: directory for bug-report evidence
    quint64 maxProblems = 100000;  ///< check: problems listed (counted: all)
    unsigned threads = 0;          ///< check: 0 = one per core
    // rewrite-summary
    QString tenant, timeline, keyStart, keyEnd, lsn, lsnStart, lsnEnd;
    bool inPlace = false, noBackup = false, dryRun = false, force = false;
};

/// Each command prints to stdout, errors to stderr naming the file and offset, and returns
/// an ExitCode.
int cmdSummary(const QString &file, const Options &opt);
int cmdKeys(const QString &file, const Options &opt);
int cmdTree(const QString &file, const Options &opt);
int cmdBlob(const QString &file, const QString &key, const QString &lsn, const Options &opt);
int cmdDump(const QString &file, const Options &opt);
int cmdRewrite(const QString &in, const QString &out, const Options &opt);
int cmdDemo(const QString &dir);
int cmdSynth(const QString &out, const Options &opt);
/// Validates each file; 0 clean (info allowed), 1 errors or warnings, 2 a file cannot be read.
int cmdCheck(const QStringList &files, const Options &opt);
/// Writes a new layer from every readable entry of leaves found by scanning the index region.
/// Edits the summary safely (new file + fsync + rename + backup, or --in-place); refuses edits
/// that would hide entries from Neon unless --force; --dry-run prints the changed bytes.
int cmdRewriteSummary(const QString &file, const Options &opt);
int cmdSalvage(const QString &in, const QString &out, const Options &opt);

} // namespace layerscope::cli
