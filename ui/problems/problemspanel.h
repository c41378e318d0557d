#pragma once

#include <layerscope/check/validate.h>

#include <QAbstractItemModel>
#include <QWidget>

class QCheckBox;
class QLabel;
class QSortFilterProxyModel;
class QTreeView;

namespace layerscope::ui {

class LayerDocument;

/// Problems of a validation report as a two-level tree: single problems, and groups of one
/// check at one severity found more than kGroupAfter times ("value-size × 116,012"), whose
/// children are the listed problems. Rows come sorted by severity, then offset. Holds a shared
/// pointer to the report; never touches the file.
class ProblemModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { SeverityColumn, CheckColumn, MessageColumn, OffsetColumn, BlockColumn, EntryColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };
    static constexpr std::uint64_t kGroupAfter = 10;
    explicit ProblemModel(QObject *parent = nullptr);
    void setReport(std::shared_ptr<const ValidationReport> report);
    /// The problem of a row; nullptr for a group row.
    const Problem *problem(const QModelIndex &index) const;
    /// Top-level rows (problems and groups).
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        const CheckTally *group = nullptr;   ///< a group row, else a single problem
        std::vector<std::uint32_t> problems; ///< indices into the report's problems
    };
    std::shared_ptr<const ValidationReport> m_report;
    std::vector<Row> m_rows;
};

/// The Problems panel: runs validation on the document's worker, shows the sortable list, and
/// emits the problem a user activates. Does not own the document.
class ProblemsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ProblemsPanel(QWidget *parent = nullptr);
    void setDocument(LayerDocument *doc);
    /// (Re)validates with the current "check pages" setting.
    void validate();
    QTreeView *view() const { return m_view; }
    ProblemModel *model() const { return m_model; }
    /// "3 errors, 1 warning" (exact, whatever was listed) or "no problems"; empty while
    /// validating.
    QString countsText() const;
    /// Moves to the next (or previous) problem, wrapping, into groups too; the panes follow.
    /// False when there is none.
    bool stepProblem(bool forward);

signals:
    void problemActivated(const layerscope::Problem &problem);
    void countsChanged(const QString &text);

private:
    void onReady();
    LayerDocument *m_doc = nullptr;
    ProblemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QCheckBox *m_pages;
    QLabel *m_status;
};

} // namespace layerscope::ui
