#pragma once

#include <layerscope/timeline/redo.h>

#include <QAbstractTableModel>

#include <vector>

namespace layerscope::ui {

/// The steps of a replayed chain, oldest first, one row each: LSN, record kind, what it did to
/// the page, the bytes it changed. Owns its copy of the steps (each with the page after it);
/// never a file.
class PageHistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { LsnColumn, KindColumn, ActionColumn, ChangedColumn, ColumnCount };
    enum Role {
        LsnRole = Qt::UserRole + 1, ///< qulonglong: the step's LSN
        ChangedBytesRole,           ///< qulonglong: bytes the step changed
    };

    explicit PageHistoryModel(QObject *parent = nullptr);
    /// Replaces the rows (a model reset).
    void setSteps(std::vector<RedoStep> steps);
    const RedoStep *step(int row) const;
    const std::vector<RedoStep> &steps() const { return m_steps; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<RedoStep> m_steps;
};

} // namespace layerscope::ui
