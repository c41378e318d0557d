#pragma once

#include <layerscope/write/edit.h>

#include <QString>
#include <QUndoCommand>

#include <functional>

class QWidget;

namespace layerscope::ui {

/// Runs writeSummarySafely on a worker thread (Qt Concurrent) while a window-modal progress
/// dialog with Cancel shows the copy; the event loop keeps running, so the window never
/// freezes, even for a multi-GiB file. Cancel leaves the original and no temp file. Blocks the
/// caller (in a local event loop) until the write is done; results by value.
Result<WriteReport> runSafeWrite(QWidget *parent, const QString &path, const Summary &summary,
                                 SafeWriteOptions options);

/// One summary edit as an undoable step. redo() and undo() are each a safe write of the
/// step's own summary snapshot (after, before) — never a copy from whatever backup exists —
/// and an optional rename to the name the summary implies. Each write refuses a file that
/// changed since the document last read it (`expected` gives the identity recorded then; the
/// document reloads after every step). `done` is called after each with the
/// file's current path and a status line (where the backups went), or with an error message
/// saying what state the file is in; a failed step marks itself obsolete, so QUndoStack drops
/// it.
class SummaryEditCommand : public QUndoCommand
{
public:
    using Done = std::function<void(const QString &path, const QString &status, const QString &error)>;
    using Expected = std::function<FileIdentity()>;
    SummaryEditCommand(QWidget *window, QString path, Expected expected, Summary before, Summary after,
                       SafeWriteOptions options, bool rename, Done done);
    void redo() override;
    void undo() override;
    /// False when the last redo/undo failed.
    bool succeeded() const { return m_ok; }
    /// "tenant id change", "key range and LSN change", ... (the undo menu shows "Undo: …").
    static QString describe(const Summary &before, const Summary &after);

private:
    void apply(const Summary &summary, const QString &from, const QString &to);
    QWidget *m_window;
    QString m_path;
    QString m_renamed;
    Expected m_expected;
    Summary m_before;
    Summary m_after;
    SafeWriteOptions m_options;
    bool m_ok = true;
    Done m_done;
};

} // namespace layerscope::ui
