#include "reporttablemodel.h"

#include <QLocale>
#include <QSaveFile>

namespace layerscope::ui {

QVariant tableCellData(const TableCell &cell, int role, int sortRole)
{
    if (role == Qt::DisplayRole)
        return QString::fromStdString(cell.text);
    if (role == sortRole)
        return cell.number ? QVariant(*cell.number) : QVariant(QString::fromStdString(cell.text));
    if (role == Qt::TextAlignmentRole)
        return cell.number ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    // The exact figure behind a rounded one ("1.50 MiB" is 1,572,864 bytes).
    if (role == Qt::ToolTipRole && cell.number && *cell.number == double(qint64(*cell.number))
        && QString::fromStdString(cell.text) != QString::number(qint64(*cell.number)))
        return QLocale().toString(qint64(*cell.number));
    return {};
}

bool saveExport(const QString &file, const QByteArray &bytes, QString *error)
{
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        if (error)
            *error = QObject::tr("%1: %2").arg(file, f.errorString());
        return false;
    }
    return true;
}

ReportTableModel::ReportTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ReportTableModel::setTable(Table table)
{
    beginResetModel();
    m_table = std::move(table);
    endResetModel();
}

int ReportTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_table.rows.size());
}

int ReportTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_table.columns.size());
}

QVariant ReportTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || std::size_t(index.row()) >= m_table.rows.size())
        return {};
    const auto &row = m_table.rows[std::size_t(index.row())];
    if (std::size_t(index.column()) >= row.size())
        return {};
    return tableCellData(row[std::size_t(index.column())], role, SortRole);
}

QVariant ReportTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || std::size_t(section) >= m_table.columns.size())
        return {};
    return QString::fromStdString(m_table.columns[std::size_t(section)]);
}

QString ReportTableModel::toTsv(const QList<int> &rows) const
{
    QStringList lines;
    QStringList header;
    for (const std::string &c : m_table.columns)
        header << QString::fromStdString(c);
    lines << header.join(QLatin1Char('\t'));
    auto addRow = [&](int r) {
        QStringList cells;
        for (const TableCell &cell : m_table.rows[std::size_t(r)])
            cells << QString::fromStdString(cell.text);
        lines << cells.join(QLatin1Char('\t'));
    };
    if (rows.isEmpty())
        for (int r = 0; r < rowCount(); ++r)
            addRow(r);
    else
        for (int r : rows)
            if (r >= 0 && r < rowCount())
                addRow(r);
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace layerscope::ui
