#include "summaryeditcommand.h"
#include "workerpool.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QProgressDialog>
#include <QPromise>
#include <QtConcurrent>

namespace layerscope::ui {

Result<WriteReport> runSafeWrite(QWidget *parent, const QString &path, const Summary &summary,
                                 SafeWriteOptions options)
{
    QFutureWatcher<Result<WriteReport>> watcher;
    QProgressDialog progress(QObject::tr("Writing %1…").arg(QFileInfo(path).fileName()), QObject::tr("Cancel"), 0,
                             1000, parent);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(300);
    progress.setAutoReset(false);
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcherBase::progressValueChanged, &progress, &QProgressDialog::setValue);
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    QObject::connect(&progress, &QProgressDialog::canceled, &watcher, [&watcher] { watcher.cancel(); });
    const std::string file = path.toStdString();
    watcher.setFuture(QtConcurrent::run(workerPool(), [file, summary, options](QPromise<Result<WriteReport>> &promise) mutable {
        promise.setProgressRange(0, 1000);
        options.progress = [&promise](std::uint64_t done, std::uint64_t total) {
            promise.setProgressValue(total ? int(done * 1000 / total) : 0);
            return !promise.isCanceled();
        };
        promise.addResult(writeSummarySafely(file, summary, options));
    }));
    loop.exec();
    if (watcher.future().resultCount() == 0)
        return makeError(0, "a finished write", "no result from the writer", ErrorKind::Cancelled);
    return watcher.result();
}

SummaryEditCommand::SummaryEditCommand(QWidget *window, QString path, Expected expected, Summary before,
                                       Summary after, SafeWriteOptions options, bool rename, Done done)
    : m_window(window)
    , m_path(std::move(path))
    , m_expected(std::move(expected))
    , m_before(before)
    , m_after(after)
    , m_options(std::move(options))
    , m_done(std::move(done))
{
    setText(describe(before, after));
    m_renamed = rename ? QFileInfo(m_path).dir().filePath(QString::fromStdString(after.impliedName().canonical()))
                       : m_path;
}

QString SummaryEditCommand::describe(const Summary &b, const Summary &a)
{
    QStringList parts;
    if (b.tenant != a.tenant)
        parts << QObject::tr("tenant id");
    if (b.timeline != a.timeline)
        parts << QObject::tr("timeline id");
    if (b.keyStart != a.keyStart || b.keyEnd != a.keyEnd)
        parts << QObject::tr("key range");
    if (b.lsnStart != a.lsnStart || b.lsnEnd != a.lsnEnd)
        parts << QObject::tr("LSN");
    if (b.indexStartBlk != a.indexStartBlk || b.indexRootBlk != a.indexRootBlk)
        parts << QObject::tr("index fields");
    if (parts.isEmpty())
        return QObject::tr("summary rewrite");
    const QString last = parts.takeLast();
    return (parts.isEmpty() ? last : parts.join(QStringLiteral(", ")) + QObject::tr(" and ") + last)
           + QObject::tr(" change");
}

void SummaryEditCommand::apply(const Summary &summary, const QString &from, const QString &to)
{
    SafeWriteOptions o = m_options;
    o.expected = m_expected();
    const auto written = runSafeWrite(m_window, from, summary, o);
    if (!written) {
        // Obsolete: the stack drops this step (the file is as the error says; reopen to go on).
        m_ok = false;
        setObsolete(true);
        m_done(from, QString(), QString::fromStdString(written.error().message()));
        return;
    }
    QStringList status;
    status << QObject::tr("Summary written to %1").arg(to);
    if (!written->backup.empty())
        status << QObject::tr("previous file kept as %1").arg(QString::fromStdString(written->backup));
    if (!written->original.empty())
        status << QObject::tr("original kept as %1").arg(QString::fromStdString(written->original));
    if (!written->note.empty())
        status << QString::fromStdString(written->note);
    if (from != to) {
        if (QFile::exists(to) || !QFile::rename(from, to)) {
            m_ok = false;
            setObsolete(true);
            m_done(from, QString(),
                   QObject::tr("the summary was written to %1, but it could not be renamed to %2").arg(from, to));
            return;
        }
    }
    m_ok = true;
    m_done(to, status.join(QStringLiteral("; ")), QString());
}

void SummaryEditCommand::redo()
{
    apply(m_after, m_path, m_renamed);
}

void SummaryEditCommand::undo()
{
    apply(m_before, m_renamed, m_path);
}

} // namespace layerscope::ui
