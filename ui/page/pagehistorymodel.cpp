#include "pagehistorymodel.h"

#include <QColor>

namespace layerscope::ui {

namespace {
std::uint64_t changedBytes(const RedoStep &s)
{
    std::uint64_t n = 0;
    for (const auto &[a, b] : s.changed)
        n += b - a;
    return n;
}

QString actionText(RedoStep::Action a)
{
    switch (a) {
    case RedoStep::Action::Base: return PageHistoryModel::tr("base");
    case RedoStep::Action::Applied: return PageHistoryModel::tr("applied");
    case RedoStep::Action::Restored: return PageHistoryModel::tr("image restored");
    case RedoStep::Action::Skipped: return PageHistoryModel::tr("skipped (page newer)");
    }
    return {};
}
} // namespace

PageHistoryModel::PageHistoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void PageHistoryModel::setSteps(std::vector<RedoStep> steps)
{
    beginResetModel();
    m_steps = std::move(steps);
    endResetModel();
}

const RedoStep *PageHistoryModel::step(int row) const
{
    return row >= 0 && std::size_t(row) < m_steps.size() ? &m_steps[std::size_t(row)] : nullptr;
}

int PageHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_steps.size());
}

int PageHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PageHistoryModel::data(const QModelIndex &index, int role) const
{
    const RedoStep *s = step(index.row());
    if (!s)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case LsnColumn: return QString::fromStdString(s->lsn.toString());
        case KindColumn: return QString::fromStdString(s->kind);
        case ActionColumn: return actionText(s->action);
        case ChangedColumn: return tr("%L1 B").arg(changedBytes(*s));
        }
        break;
    case Qt::ToolTipRole:
        return tr("%1 at %2: %L3 byte(s) changed in %L4 run(s)")
            .arg(QString::fromStdString(s->kind), QString::fromStdString(s->lsn.toString()))
            .arg(changedBytes(*s))
            .arg(s->changed.size());
    case Qt::ForegroundRole:
        if (s->action == RedoStep::Action::Skipped || s->changed.empty())
            return QColor(Qt::gray);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == LsnColumn || index.column() == ChangedColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case LsnRole: return qulonglong(s->lsn.value);
    case ChangedBytesRole: return qulonglong(changedBytes(*s));
    }
    return {};
}

QVariant PageHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case LsnColumn: return tr("LSN");
    case KindColumn: return tr("Record");
    case ActionColumn: return tr("Did");
    case ChangedColumn: return tr("Changed");
    }
    return {};
}

} // namespace layerscope::ui
