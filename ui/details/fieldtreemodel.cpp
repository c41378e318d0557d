#include "fieldtreemodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QFontDatabase>
#include <QLocale>

namespace layerscope::ui {

FieldTreeModel::FieldTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void FieldTreeModel::setRoot(Field root)
{
    beginResetModel();
    m_links.clear();
    m_root = std::move(root);
    index(*m_root, nullptr, 0);
    endResetModel();
}

void FieldTreeModel::clear()
{
    beginResetModel();
    m_links.clear();
    m_root.reset();
    endResetModel();
}

void FieldTreeModel::index(const Field &f, const Field *parent, int row)
{
    m_links.insert(&f, {parent, row});
    for (std::size_t i = 0; i < f.children.size(); ++i)
        index(f.children[i], &f, int(i));
}

const Field *FieldTreeModel::field(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<const Field *>(index.internalPointer()) : nullptr;
}

QModelIndex FieldTreeModel::indexOf(const Field *f) const
{
    if (!f)
        return {};
    const auto it = m_links.constFind(f);
    if (it == m_links.constEnd())
        return {};
    return createIndex(it->row, 0, const_cast<Field *>(f));
}

QModelIndex FieldTreeModel::indexAt(FileOffset at) const
{
    if (!m_root)
        return {};
    const Field *f = m_root->innermostAt(at);
    return indexOf(f);
}

QModelIndex FieldTreeModel::indexNamed(const QString &name) const
{
    if (!m_root)
        return {};
    const std::string n = name.toStdString();
    std::vector<const Field *> todo{&*m_root};
    while (!todo.empty()) {
        const Field *f = todo.back();
        todo.pop_back();
        if (f->name == n)
            return indexOf(f);
        for (auto it = f->children.rbegin(); it != f->children.rend(); ++it)
            todo.push_back(&*it);
    }
    return {};
}

QModelIndex FieldTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!m_root || row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row == 0 ? createIndex(0, column, const_cast<Field *>(&*m_root)) : QModelIndex();
    const Field *p = field(parent);
    if (std::size_t(row) >= p->children.size())
        return {};
    return createIndex(row, column, const_cast<Field *>(&p->children[std::size_t(row)]));
}

QModelIndex FieldTreeModel::parent(const QModelIndex &child) const
{
    const Field *f = field(child);
    if (!f)
        return {};
    const Link l = m_links.value(f, {nullptr, 0});
    return l.parent ? indexOf(l.parent) : QModelIndex();
}

int FieldTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!m_root)
        return 0;
    if (!parent.isValid())
        return 1;
    if (parent.column() != 0)
        return 0;
    return int(field(parent)->children.size());
}

int FieldTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant FieldTreeModel::data(const QModelIndex &index, int role) const
{
    const Field *f = field(index);
    if (!f)
        return {};
    const bool bad = !f->error.empty() || !f->problems.empty();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return QString::fromStdString(f->name);
        case ValueColumn: {
            QString v = QString::fromStdString(f->value);
            if (!f->detail.empty())
                v += (v.isEmpty() ? QString() : QStringLiteral("  ")) + QStringLiteral("(%1)").arg(QString::fromStdString(f->detail));
            if (!f->error.empty())
                v += (v.isEmpty() ? QString() : QStringLiteral("  ")) + QStringLiteral("✘ %1").arg(QString::fromStdString(f->error));
            return v;
        }
        case OffsetColumn:
            if (f->length == 0 && !f->children.empty())
                return QString();  // a container (an entry): its parts have the bytes
            return f->decompressed ? QStringLiteral("+%1").arg(f->offset) : QStringLiteral("0x%1").arg(f->offset, 0, 16);
        case LengthColumn:
            if (f->length == 0 && !f->children.empty())
                return QString();
            return QLocale().toString(qulonglong(f->length));
        }
        return {};
    case Qt::ToolTipRole: {
        QStringList lines{QStringLiteral("<b>%1</b>").arg(QString::fromStdString(f->name).toHtmlEscaped())};
        lines << tr("%1 byte(s) at %2")
                     .arg(QLocale().toString(qulonglong(f->length)),
                          f->decompressed ? tr("+%1 in the decompressed payload").arg(f->offset)
                                          : QStringLiteral("0x%1 (%2)").arg(f->offset, 0, 16).arg(QLocale().toString(qulonglong(f->offset))));
        if (!f->value.empty())
            lines << QString::fromStdString(f->value).toHtmlEscaped();
        if (!f->detail.empty())
            lines << QString::fromStdString(f->detail).toHtmlEscaped();
        if (!f->error.empty())
            lines << QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(QString::fromStdString(f->error).toHtmlEscaped());
        for (const std::string &p : f->problems)
            lines << QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(QString::fromStdString(p).toHtmlEscaped());
        return lines.join(QStringLiteral("<br>"));
    }
    case Qt::ForegroundRole:
        if (bad)
            return QBrush(QColor(0xc0, 0x39, 0x2b));
        return {};
    case Qt::FontRole:
        if (index.column() == ValueColumn || index.column() == OffsetColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case OffsetRole: return qulonglong(f->offset);
    case LengthRole: return qulonglong(f->length);
    case InFileRole: return !f->decompressed;
    case ProblemRole: return bad;
    }
    return {};
}

QVariant FieldTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Field");
    case ValueColumn: return tr("Value");
    case OffsetColumn: return tr("Offset");
    case LengthColumn: return tr("Bytes");
    }
    return {};
}

} // namespace layerscope::ui
