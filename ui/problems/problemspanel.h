#pragma once

#include <layerscope/validate.h>

#include <QAbstractTableModel>
#include <QWidget>

class QCheckBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace layerscope::ui {

class LayerDocument;

/// Problems of a validation report as a table (severity, check, message, offset, node, entry).
/// Holds a shared pointer to the report; never touches the file.
class ProblemModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { SeverityColumn, CheckColumn, MessageColumn, OffsetColumn, BlockColumn, EntryColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };
    explicit ProblemModel(QObject *parent = nullptr);
    void setReport(std::shared_ptr<const ValidationReport> report);
    const Problem *problem(int row) const;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const ValidationReport> m_report;
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
    QTableView *view() const { return m_view; }
    ProblemModel *model() const { return m_model; }
    /// "3 errors, 1 warning" or "no problems"; empty while validating.
    QString countsText() const;

signals:
    void problemActivated(const layerscope::Problem &problem);
    void countsChanged(const QString &text);

private:
    void onReady();
    LayerDocument *m_doc = nullptr;
    ProblemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QCheckBox *m_pages;
    QLabel *m_status;
};

} // namespace layerscope::ui
