#pragma once

#include <layerscope/timeline.h>

#include "workerjob.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;
class QTextBrowser;

namespace layerscope::ui {

class LayerMapView;

/// A timeline (one tab): a directory of layer files, an index_part.json, or both. Its layers
/// are read on a worker thread (names, sizes, summaries against names, the index against the
/// files) with progress; then the layer map, a filterable layer list and Find key@LSN (Neon's
/// read path and chain) are shown. Owns its Timeline; the destructor cancels and waits.
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
    /// Shows Neon's read path for "KEY@LSN" and marks its layers on the map; false (with the
    /// reason shown) when the text does not parse or nothing is loaded.
    bool findKey(const QString &keyAt);
    /// The last read path found.
    const std::optional<ReadPath> &lastReadPath() const { return m_readPath; }

signals:
    void finished();
    void statusMessage(const QString &text);
    /// A layer on disk should be opened in its own tab.
    void openLayer(const QString &path);

private:
    struct Outcome
    {
        std::optional<Timeline> timeline;
        QString error;
    };
    void onFinished();
    void fillList();
    void selectLayer(std::size_t layer);
    void activate(std::size_t layer);

    QString m_path, m_index;
    std::optional<Timeline> m_timeline;
    std::optional<ReadPath> m_readPath;
    QString m_error;
    WorkerJob<Outcome> m_job;

    QLabel *m_header;
    QProgressBar *m_progress;
    LayerMapView *m_map;
    QLineEdit *m_filter;
    QTableView *m_list;
    QStandardItemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_find;
    QTextBrowser *m_result;
};

} // namespace layerscope::ui
