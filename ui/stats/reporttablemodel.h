#pragma once

#include <layerscope/report/table.h>

#include <QAbstractTableModel>

namespace layerscope::ui {

/// What a view shows of one report cell for `role`: its text (DisplayRole), its number or text
/// (`sortRole`), right alignment for numbers, and the exact figure behind a rounded one
/// (ToolTipRole). Invalid for other roles.
QVariant tableCellData(const TableCell &cell, int role, int sortRole);

/// Writes an export (CSV, ...) to `file` through a temporary file renamed into place, so a
/// failed write leaves no half file; false with `error` naming the file and why.
bool saveExport(const QString &file, const QByteArray &bytes, QString *error);

/// A read-only model over one core Table (statistics, diff summaries). Holds its own copy.
/// Numbers sort by value (SortRole) and align right; the display text is the table's.
class ReportTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit ReportTableModel(QObject *parent = nullptr);
    void setTable(Table table);
    const Table &table() const { return m_table; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The given rows (all when empty) as tab-separated text with a header line, as shown:
    /// what a spreadsheet takes from the clipboard.
    QString toTsv(const QList<int> &rows = {}) const;

private:
    Table m_table;
};

} // namespace layerscope::ui
