#pragma once

#include "workerjob.h"

#include <layerscope/timeline/tenant_shards.h>

#include <QMainWindow>
#include <QStringList>

#include "pageaction.h"

#include <layerscope/write/edit.h>

#include <functional>
#include <utility>
#include <vector>

class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QToolButton;
class QUndoGroup;

namespace layerscope::ui {

class DiffPage;
class LayerPage;
class StatsPage;
class ShardsPage;
class TimelinePage;

/// The application window: one tab per open layer, menus, recent files, drag and drop, and a
/// status bar with load progress and Cancel.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens each file in a new tab (a directory or a .json file as a timeline); unreadable files get a message naming the reason and
    /// offset (a dialog, or only the status bar when `quiet`). Returns how many opened.
    int openFiles(const QStringList &paths, bool quiet = false);
    LayerPage *currentPage() const;
    /// What a drop of `files` does: two are compared (a Compare tab), any other number opens
    /// each in its tab.
    void openDropped(const QStringList &files);
    /// Opens a timeline tab: a directory of layers or an index_part.json (`index`: one to
    /// cross-check the directory with). Reading runs on a worker; returns the page at once.
    TimelinePage *openTimeline(const QString &path, const QString &index = {});
    /// A sharded tenant's timeline named without its shard: every shard's copy side by side.
    ShardsPage *openShards(const QString &path);
    /// Opens a Statistics tab for the current layer (counting starts at once); null without one.
    StatsPage *openStatistics();
    /// Opens a Compare tab of two layer files (the diff starts at once). A file that cannot be
    /// opened gets a message naming it and why (a dialog, or only the status bar when `quiet`),
    /// and null is returned.
    DiffPage *compareFiles(const QString &a, const QString &b, bool quiet = false);
    /// Applies a summary edit to the current tab as an undoable safe write and reloads it.
    /// Returns false (with the reason in the status bar) when the write failed.
    /// The status bar's message (what the last action did, where backups went).
    QString statusText() const;
    bool applySummaryEdit(const Summary &edited, const SafeWriteOptions &options, bool rename);
    QTabWidget *tabs() const { return m_tabs; }
    /// True when no tab is still loading, counting or comparing.
    bool allLoaded() const;
    /// Errors from the last openFiles() or openLogLine() call.
    QStringList lastErrors() const { return m_lastErrors; }
    /// File → Open from Log Line, without the dialog: the line's timeline below `root` is
    /// found on a worker (a listing of the tenant's shards, their manifest: the network for a
    /// remote root), opened in a tab, and its read path for the line's key and LSN shown. What
    /// the line lacks, or a timeline that cannot be found, goes to lastErrors() and the status
    /// bar (and pageLoaded is emitted). A newer call drops an older one's result.
    void openLogLine(const QString &line, const QString &root);

signals:
    /// Emitted whenever a tab finishes loading (successfully or not).
    void pageLoaded();

protected:
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dropEvent(QDropEvent *e) override;
    void closeEvent(QCloseEvent *e) override;

private:
    void openDialog();
    /// File → Compare With…: the current layer against a chosen file, or two chosen files.
    void compareDialog();
    void closeTab(int index);
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void updateProgress();
    /// The page actions that are enabled only in some states, asked again for the current tab.
    void updatePageActions();
    /// Puts a feature's actions into `menu`, each run on the current tab.
    void addPageActions(QMenu *menu, const PageActions &actions);
    void createFileMenu();
    /// Edit, Go and View: the window's own commands and the features' page actions.
    void createPageMenus();
    void about();
    void editSummary();
    /// File → Open URL (Ctrl+Shift+O): a layer object or a timeline prefix, read in place.
    void openUrlDialog();
    /// File → Open from Log Line (Ctrl+Shift+L).
    void logLineDialog();
    /// A timeline located for a log line: opened, and its read path shown once loaded.
    void openLocated(const QString &timeline, const QString &keyAt, const QStringList &notes);
    void tabTitle(int index);
    /// Adds a tab that is not a layer (statistics, comparison) and makes it current.
    void addToolTab(QWidget *page, const QString &title, const QString &toolTip);

    QTabWidget *m_tabs;
    QMenu *m_recentMenu;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
    QLabel *m_status;
    std::vector<std::pair<QAction *, std::function<bool(const LayerPage &)>>> m_conditionalActions;
    QUndoGroup *m_undoGroup;
    QStringList m_lastErrors;
    /// Where the last log line was looked up (the dialog's default).
    QString m_logLineRoot;
    /// The timeline a log line points into, found off the UI thread; cancelled and awaited
    /// when the window goes.
    struct Located
    {
        LogLocation line;
        Result<LocatedTimeline> timeline;
    };
    WorkerJob<Located> m_locate;
};

} // namespace layerscope::ui
