#pragma once

#include <layerscope/edit.h>

#include <QString>
#include <QUndoCommand>

#include <functional>

namespace layerscope::ui {

/// One summary edit as an undoable step. redo() and undo() are each a safe write (and an
/// optional rename to the name the summary implies); `done` is called after each with the
/// file's current path, or with an error message (the file is then unchanged).
class SummaryEditCommand : public QUndoCommand
{
public:
    using Done = std::function<void(const QString &path, const QString &error)>;
    SummaryEditCommand(QString path, Summary before, Summary after, SafeWriteOptions options,
                       bool rename, Done done);
    void redo() override;
    void undo() override;
    /// The next redo() only marks the command applied (the caller already ran the first write).
    void skipNextRedo() { m_skipRedo = true; }
    /// False when the last redo/undo failed.
    bool succeeded() const { return m_ok; }

private:
    void apply(const Summary &summary, const QString &from, const QString &to);
    QString m_path;
    QString m_renamed;
    Summary m_before;
    Summary m_after;
    SafeWriteOptions m_options;
    bool m_ok = true;
    bool m_skipRedo = false;
    Done m_done;
};

} // namespace layerscope::ui
