#pragma once

#include "diff/diffmodel.h"

#include <layerscope/format/layer.h>

#include "workerjob.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTableView;
class QTextBrowser;
class QToolButton;

namespace layerscope::ui {

class HexView;
class ReportTableModel;

/// A comparison of two layers (one tab): summary fields that differ, a filterable table of
/// entry differences, and for the selected one both values side by side in hex with the
/// differing bytes marked, each with its decoded view. Holds its own copies of both Layers
/// (shared mappings). The diff runs on a worker thread; Cancel and the destructor cancel it
/// and wait.
class DiffPage : public QWidget
{
    Q_OBJECT
public:
    /// Differences listed in the table at most (all are counted).
    static constexpr std::size_t kMaxListed = 100000;

    DiffPage(Layer a, QString pathA, Layer b, QString pathB, QWidget *parent = nullptr);
    ~DiffPage() override;

    /// (Re)runs the comparison; a running one is cancelled and its result dropped.
    void start();
    void cancel();
    bool isBusy() const;
    /// Why the comparison failed (names the damaged layer) or was cancelled; empty otherwise.
    QString error() const { return m_error; }
    const std::optional<DiffReport> &report() const { return m_report; }

    DiffModel *model() const { return m_model; }
    DiffFilterModel *filter() const { return m_filter; }
    QTableView *table() const { return m_table; }
    ReportTableModel *summaryModel() const { return m_summaryModel; }
    QComboBox *kindBox() const { return m_kind; }
    QLineEdit *textFilter() const { return m_text; }
    HexView *hexA() const { return m_hexA; }
    HexView *hexB() const { return m_hexB; }
    QTextBrowser *decodedA() const { return m_decodedA; }
    QTextBrowser *decodedB() const { return m_decodedB; }
    /// The values shown side by side (of the selected difference).
    const DiffSides &sides() const { return m_sides; }
    /// Selects row `row` of the (filtered) table and shows both values.
    void selectRow(int row);
    /// Writes the rows shown (after filtering) as CSV; false with `error` naming the file.
    bool exportCsv(const QString &file, QString *error) const;

signals:
    void finished();
    void statusMessage(const QString &text);

private:
    struct Outcome
    {
        std::optional<DiffReport> report;
        std::vector<EntryDifference> listed;
        QString error;
    };
    void onFinished();
    void showSides(const QModelIndex &current);
    void updateHeader();
    void updateCount();

    Layer m_a, m_b;
    QString m_pathA, m_pathB;
    std::optional<DiffReport> m_report;
    QString m_error;
    DiffSides m_sides;
    WorkerJob<Outcome> m_job;

    QLabel *m_header;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
    QTableView *m_summary;
    ReportTableModel *m_summaryModel;
    QComboBox *m_kind;
    QLineEdit *m_text;
    QLabel *m_count;
    QTableView *m_table;
    DiffModel *m_model;
    DiffFilterModel *m_filter;
    QLabel *m_titleA, *m_titleB;
    HexView *m_hexA, *m_hexB;
    QTextBrowser *m_decodedA, *m_decodedB;
};

} // namespace layerscope::ui
