#pragma once

#include "timeline/timelinepage.h"
#include "workerjob.h"

#include <layerscope/timeline/shard_set.h>
#include <layerscope/timeline/tenant_shards.h>

#include <QWidget>

#include <optional>
#include <vector>

class QLabel;
class QProgressBar;
class QStandardItemModel;
class QTableView;
class QVBoxLayout;

namespace layerscope::ui {

class LayerMapView;

/// One timeline of a sharded tenant across its shards, opened from the timeline's path named
/// without a shard (ROOT/tenants/<tenant>/timelines/<timeline>, a directory or s3:// prefix):
/// every shard's copy (split parents too) read on a worker with progress, then a table of the
/// copies (layers, size, disk_consistent_lsn, problems), the problems of the set (missing
/// shards, ancestry, LSN spread), and the copies' layer maps stacked on shared axes, each with a
/// band saying which shard owns each key range (Neon's rule, the tenant manifest's stripe).
/// Activating a copy asks for its timeline page; a layer, for the layer. Owns the copies; the
/// destructor cancels the worker and waits for it.
class ShardsPage : public QWidget
{
    Q_OBJECT
public:
    explicit ShardsPage(QString path, QWidget *parent = nullptr);
    ~ShardsPage() override;

    bool isBusy() const { return m_job.isBusy(); }
    QString path() const { return m_path; }
    /// Why the copies could not be read (empty otherwise).
    QString error() const { return m_error; }
    /// The copies read, in TimelineCopies order (empty until loaded).
    const std::vector<Timeline> &copies() const { return m_copies; }
    QTableView *shardTable() const { return m_table; }
    /// The maps, one per copy, in the copies' order.
    const std::vector<LayerMapView *> &maps() const { return m_maps; }
    /// The problems of the set (checkShardSet), as shown.
    const std::vector<ShardSetProblem> &problems() const { return m_problems; }
    /// The stripe and count the owner bands are drawn with.
    std::uint8_t shardCount() const { return m_count; }
    std::uint32_t stripePages() const { return m_stripe.pages; }

signals:
    void finished();
    void statusMessage(const QString &text);
    /// A copy's own timeline page should be opened.
    void openTimeline(const QString &path);
    /// A layer on disk should be opened in its own tab.
    void openLayer(const QString &path);
    /// The tenant turned out unsharded: `path` is its one timeline, for a timeline page
    /// instead of this one (nothing was read but the listings).
    void unsharded(const QString &path);

private:
    struct Outcome
    {
        std::optional<TimelineCopies> copies;
        std::vector<TimelinePage::Outcome> read; ///< per copy
        QString error;
    };
    static Outcome load(const QString &path, const std::function<bool(int)> &progress);
    void onFinished();
    void showMaps();

    QString m_path, m_error;
    std::vector<Timeline> m_copies;
    std::vector<std::size_t> m_copyProblems; ///< timeline problems per copy
    std::vector<ShardSetProblem> m_problems;
    std::uint8_t m_count = 0;
    TenantStripe m_stripe;
    WorkerJob<Outcome> m_job;

    QLabel *m_header;
    QProgressBar *m_progress;
    QTableView *m_table;
    QStandardItemModel *m_model;
    QLabel *m_problemText;
    QVBoxLayout *m_mapsLayout;
    std::vector<LayerMapView *> m_maps;
};

} // namespace layerscope::ui
