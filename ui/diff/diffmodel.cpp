#include "diffmodel.h"

#include "hex/valuedescription.h"
#include "stats/reporttablemodel.h"

#include <QColor>
#include <QFont>

namespace layerscope::ui {

DiffModel::DiffModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void DiffModel::setDifferences(std::vector<EntryDifference> differences, bool delta)
{
    beginResetModel();
    m_differences = std::move(differences);
    m_delta = delta;
    m_cells.clear();
    m_cells.reserve(m_differences.size());
    for (const EntryDifference &d : m_differences)
        m_cells.push_back(differenceCells(d, delta));
    endResetModel();
}

const EntryDifference *DiffModel::difference(int row) const
{
    return row >= 0 && std::size_t(row) < m_differences.size() ? &m_differences[std::size_t(row)] : nullptr;
}

int DiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_differences.size());
}

int DiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(differenceColumns().size());
}

QVariant DiffModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || std::size_t(index.row()) >= m_cells.size())
        return {};
    const auto &row = m_cells[std::size_t(index.row())];
    if (std::size_t(index.column()) >= row.size())
        return {};
    switch (role) {
    case KindRole:
        return QString::fromLatin1(differenceKindName(m_differences[std::size_t(index.row())].kind));
    case Qt::FontRole:
        if (index.column() == 1) {
            QFont f(QStringLiteral("monospace"));
            f.setStyleHint(QFont::TypeWriter);
            return f;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == 0) {
            switch (m_differences[std::size_t(index.row())].kind) {
            case EntryDifference::Kind::OnlyInA: return QColor(0xc0, 0x39, 0x2b);
            case EntryDifference::Kind::OnlyInB: return QColor(0x27, 0xae, 0x60);
            case EntryDifference::Kind::Changed: return QColor(0xd3, 0x84, 0x00);
            }
        }
        return {};
    default:
        return tableCellData(row[std::size_t(index.column())], role, SortRole);
    }
}

QVariant DiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    const auto columns = differenceColumns();
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || std::size_t(section) >= columns.size())
        return {};
    return QString::fromStdString(columns[std::size_t(section)]);
}

QByteArray DiffModel::toCsv(const QList<int> &rows) const
{
    std::vector<TableCell> header;
    for (const std::string &c : differenceColumns())
        header.push_back(textCell(c));
    std::string out = csvLine(header);
    for (int r : rows)
        if (r >= 0 && std::size_t(r) < m_cells.size())
            out += csvLine(m_cells[std::size_t(r)]);
    return QByteArray::fromStdString(out);
}

void DiffFilterModel::setKind(const QString &kind)
{
    m_kind = kind;
    invalidateFilter();
}

void DiffFilterModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

bool DiffFilterModel::filterAcceptsRow(int row, const QModelIndex &parent) const
{
    const QAbstractItemModel *m = sourceModel();
    if (!m_kind.isEmpty() && m->index(row, 0, parent).data(DiffModel::KindRole).toString() != m_kind)
        return false;
    if (m_text.isEmpty())
        return true;
    for (int c : {1, 2, 3})
        if (m->index(row, c, parent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

DiffSides readDiffSides(const Layer &a, const Layer &b, const EntryDifference &difference)
{
    DiffSides sides;
    auto side = [](const Layer &layer, const std::optional<Entry> &entry, ByteVector &bytes, bool &has, QString &error,
                   QString &html) {
        if (!entry)
            return;
        has = true;
        if (auto payload = layer.payload(*entry))
            bytes = std::move(*payload);
        else
            error = QString::fromStdString(payload.error().message());
        html = describeEntryHtml(layer, *entry, inspectEntry(layer, *entry));
    };
    side(a, difference.a, sides.a, sides.hasA, sides.errorA, sides.htmlA);
    side(b, difference.b, sides.b, sides.hasB, sides.errorB, sides.htmlB);
    if (sides.hasA && sides.hasB)
        sides.runs = differingRuns(sides.a, sides.b);
    return sides;
}

} // namespace layerscope::ui
