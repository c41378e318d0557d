#pragma once

#include <layerscope/format/layer.h>
#include <layerscope/report/stats.h>

#include "workerjob.h"

#include <QWidget>

#include <optional>
#include <vector>

class QChartView;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;

namespace layerscope::ui {

class ReportTableModel;

/// The Statistics tab of one layer: where its bytes go, as sections (key categories,
/// relations, blob sizes, compression, index levels...), each a chart beside its table.
/// Holds its own copy of the Layer (shared mapping), so it outlives the layer's tab. Counting
/// runs on a worker thread with progress; Cancel and the destructor cancel it and wait.
class StatsPage : public QWidget
{
    Q_OBJECT
public:
    StatsPage(Layer layer, QString path, QWidget *parent = nullptr);
    ~StatsPage() override;

    /// (Re)counts on a worker thread; a running count is cancelled and its result dropped.
    void start();
    void cancel();
    bool isBusy() const;
    QString path() const { return m_path; }
    /// Why counting failed or was cancelled (empty while busy or after success).
    QString error() const { return m_error; }
    /// The counts and their tables once counting finished.
    const std::optional<LayerStats> &stats() const { return m_stats; }
    const std::vector<Table> &tables() const { return m_tables; }
    /// Shows the section with table id `id` ("categories"); false when there is none.
    bool showSection(const QString &id);
    /// The id of the section shown (empty before counting finished).
    QString currentSection() const;

    QListWidget *sections() const { return m_sections; }
    ReportTableModel *model() const { return m_model; }
    QTableView *tableView() const { return m_table; }
    /// The chart of the section shown (hidden for sections without one).
    QChartView *chartView() const { return m_chart; }

    /// Writes the shown table as CSV to `file`; false with `error` naming the file and why.
    bool exportCsv(const QString &file, QString *error) const;
    /// Writes every table as DIR/<id>.csv.
    bool exportAllCsv(const QString &dir, QString *error) const;
    /// Saves the shown chart as PNG or SVG (by the file's suffix).
    bool saveChart(const QString &file, QString *error) const;
    /// Puts the selected rows (all when none is selected) on the clipboard as tab-separated text.
    void copyRows() const;

signals:
    /// Counting finished, failed or was cancelled.
    void finished();
    void statusMessage(const QString &text);

private:
    struct Outcome
    {
        std::optional<LayerStats> stats;
        QString error;
    };
    void onFinished();
    void showTable(int index);
    void updateHeader();

    Layer m_layer;
    QString m_path;
    std::optional<LayerStats> m_stats;
    std::vector<Table> m_tables;
    QString m_error;
    WorkerJob<Outcome> m_job;

    QLabel *m_header;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
    QListWidget *m_sections;
    QChartView *m_chart;
    QTableView *m_table;
    ReportTableModel *m_model;
    QWidget *m_buttons;
    QPushButton *m_saveChart = nullptr;
};

} // namespace layerscope::ui
