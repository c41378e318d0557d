#pragma once

#include <layerscope/timeline/redo.h>
#include <layerscope/timeline/timeline.h>

#include "workerjob.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class QTextBrowser;

namespace layerscope::ui {

class HexView;
class LayerMapView;
class PageHistoryPanel;

/// A timeline (one tab): a directory of layer files, an index_part.json, or both. Its layers
/// are read on a worker thread (names, sizes, summaries against names, the index against the
/// files, the timeline checks) with progress; then the layer map, a filterable layer list, the
/// timeline's problems and Find key@LSN (Neon's read path, the chain of values, and the page
/// where Neon can rebuild it without Postgres) are shown. Owns its Timeline and the page shown;
/// the destructor cancels the worker and waits for it.
class TimelinePage : public QWidget
{
    Q_OBJECT
public:
    /// `path`: a directory or an index_part.json; `index`: an index_part.json to cross-check a
    /// directory with (may be empty).
    explicit TimelinePage(QString path, QString index = {}, QWidget *parent = nullptr);
    ~TimelinePage() override;

    bool isBusy() const { return m_job.isBusy(); }
    QString path() const { return m_path; }
    /// Why the timeline could not be read (empty otherwise).
    QString error() const { return m_error; }
    /// Null until loaded.
    const Timeline *timeline() const { return m_timeline ? &*m_timeline : nullptr; }
    LayerMapView *map() const { return m_map; }
    QTableView *list() const { return m_list; }
    QLineEdit *filter() const { return m_filter; }
    QTextBrowser *readPathView() const { return m_result; }
    /// The timeline checks (checkTimeline), one row per problem.
    QTableView *problemsView() const { return m_problemsView; }
    /// Layers | Problems (N).
    QTabWidget *sideTabs() const { return m_sideTabs; }
    /// Read Path | Page.
    QTabWidget *findTabs() const { return m_findTabs; }
    /// The page of the last find: rebuilt (Neon's and Postgres's records replayed), or the page
    /// before a record that cannot be applied; bytes the records changed are highlighted.
    HexView *pageView() const;
    QLabel *pageCaption() const;
    /// The Page tab: the chain's records step by step, the page's fields over its bytes.
    PageHistoryPanel *pagePanel() const { return m_pagePanel; }
    /// Shows Neon's read path for "KEY@LSN" (KEY in hex or human form), the chain of values and
    /// the page, and marks the path's layers on the map; false (with the reason shown) when the
    /// text does not parse or nothing is loaded. Reads the path's layers on the calling thread
    /// (a B-tree search and a few blobs per layer).
    bool findKey(const QString &keyAt);
    /// The last read path found.
    const std::optional<ReadPath> &lastReadPath() const { return m_readPath; }
    /// The hover text's entry count of layer `layer`: counted on first use (a walk of the
    /// layer's index on the calling thread), then remembered; empty for a layer not on disk.
    QString entriesText(std::size_t layer);
    /// The last replay of the chain (none when the path is broken or unreadable).
    const std::optional<Redo> &lastRedo() const { return m_redo; }

signals:
    void finished();
    void statusMessage(const QString &text);
    /// A layer on disk should be opened in its own tab.
    void openLayer(const QString &path);

public:
    /// A timeline read for a page: its layers with summaries, its checks, or why not.
    struct Outcome
    {
        std::optional<Timeline> timeline;
        std::vector<TimelineProblem> problems;
        QString error;
    };
    /// Reads the timeline at `path` (a directory, an index_part.json or an object-store prefix;
    /// `index`: one to cross-check with), its summaries and its checks. Blocks (run it on a
    /// worker); `progress` gets percent done and returns false to stop.
    static Outcome load(const QString &path,
                        const QString &index,
                        const std::function<bool(int)> &progress);

private:
    void onFinished();
    void fillList();
    void fillProblems(const std::vector<TimelineProblem> &problems);
    void showPage(const Key &key, Lsn lsn);
    void selectLayer(std::size_t layer);
    void activate(std::size_t layer);

    QString m_path, m_index;
    std::optional<Timeline> m_timeline;
    std::optional<ReadPath> m_readPath;
    std::optional<Redo> m_redo;
    std::vector<std::optional<QString>> m_entriesText; ///< by layer, filled by entriesText
    QString m_error;
    WorkerJob<Outcome> m_job;

    QLabel *m_header;
    QProgressBar *m_progress;
    LayerMapView *m_map;
    QLineEdit *m_filter;
    QTableView *m_list;
    QStandardItemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTabWidget *m_sideTabs;
    QTableView *m_problemsView;
    QStandardItemModel *m_problems;
    QLineEdit *m_find;
    QTabWidget *m_findTabs;
    QTextBrowser *m_result;
    PageHistoryPanel *m_pagePanel;
};

} // namespace layerscope::ui
