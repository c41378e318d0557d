#pragma once

#include <QMainWindow>
#include <QStringList>

#include <layerscope/edit.h>

class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QToolButton;
class QUndoGroup;

namespace layerscope::ui {

class LayerPage;

/// The application window: one tab per open layer, menus, recent files, drag and drop, and a
/// status bar with load progress and Cancel.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens each file in a new tab; unreadable files get a message naming the reason and
    /// offset (a dialog, or only the status bar when `quiet`). Returns how many opened.
    int openFiles(const QStringList &paths, bool quiet = false);
    LayerPage *currentPage() const;
    /// Applies a summary edit to the current tab as an undoable safe write and reloads it.
    /// Returns false (with the reason in the status bar) when the write failed.
    /// The status bar's message (what the last action did, where backups went).
    QString statusText() const;
    bool applySummaryEdit(const Summary &edited, const SafeWriteOptions &options, bool rename);
    QTabWidget *tabs() const { return m_tabs; }
    /// True when no tab is still loading.
    bool allLoaded() const;
    /// Errors from the last openFiles() call.
    QStringList lastErrors() const { return m_lastErrors; }

signals:
    /// Emitted whenever a tab finishes loading (successfully or not).
    void pageLoaded();

protected:
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dropEvent(QDropEvent *e) override;
    void closeEvent(QCloseEvent *e) override;

private:
    void openDialog();
    void goToKeyDialog();
    void exportRows(bool json);
    void closeTab(int index);
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void updateProgress();
    /// Go → Back / Forward enabled as the current tab's bytes pane allows.
    void updateHistoryActions();
    void about();
    void editSummary();
    void tabTitle(int index);

    QTabWidget *m_tabs;
    QMenu *m_recentMenu;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
    QLabel *m_status;
    QAction *m_back = nullptr;
    QAction *m_forward = nullptr;
    QUndoGroup *m_undoGroup;
    QStringList m_lastErrors;
};

} // namespace layerscope::ui
