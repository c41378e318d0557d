#include "entrytablemodel.h"

#include "document/layerdocument.h"

#include <layerscope/format/value.h>
#include <layerscope/index/tree_walk.h>

#include <QColor>
#include <QFontDatabase>

namespace layerscope::ui {

EntryTableModel::EntryTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void EntryTableModel::setDocument(const LayerDocument *doc)
{
    beginResetModel();
    m_doc = doc;
    m_filter.reset();
    m_partial.clear();
    m_cachedLeaf = -1;
    m_cachedNode.reset();
    if (doc && !doc->shape()) {
        const Layer &layer = doc->layer();
        const ByteVector from(layer.summary().indexKeyLen(), 0);
        (void)layer.tree().visitForward(from, [&](Bytes k, std::uint64_t v) {
            m_partial.push_back(layer.entry(IndexKey::from(k), v));
            return m_partial.size() < std::size_t(kPartialRows);
        });
    }
    endResetModel();
}

void EntryTableModel::refreshFromShape()
{
    beginResetModel();
    m_partial.clear();
    m_cachedLeaf = -1;
    m_cachedNode.reset();
    endResetModel();
}

void EntryTableModel::setRowFilter(std::optional<std::vector<std::uint64_t>> positions)
{
    beginResetModel();
    m_filter = std::move(positions);
    endResetModel();
}

bool EntryTableModel::isPartial() const
{
    return m_doc && !m_doc->shape();
}

std::uint64_t EntryTableModel::totalEntries() const
{
    if (!m_doc)
        return 0;
    return m_doc->shape() ? m_doc->shape()->totalEntries : m_partial.size();
}

int EntryTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_doc)
        return 0;
    if (m_filter)
        return int(std::min<std::size_t>(m_filter->size(), INT_MAX));
    if (!m_doc->shape())
        return int(m_partial.size());
    return int(std::min<std::uint64_t>(m_doc->shape()->totalEntries, INT_MAX));
}

int EntryTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::uint64_t EntryTableModel::positionAt(int row) const
{
    if (m_filter)
        return (*m_filter)[std::size_t(row)];
    return std::uint64_t(row);
}

int EntryTableModel::rowForPosition(std::uint64_t position) const
{
    if (m_filter) {
        auto it = std::lower_bound(m_filter->begin(), m_filter->end(), position);
        return it != m_filter->end() && *it == position ? int(it - m_filter->begin()) : -1;
    }
    return position < std::uint64_t(rowCount()) ? int(position) : -1;
}

std::optional<Entry> EntryTableModel::entryAtPosition(std::uint64_t position) const
{
    if (!m_doc)
        return std::nullopt;
    const TreeShape *shape = m_doc->shape();
    if (!shape) {
        if (position < m_partial.size())
            return m_partial[position];
        return std::nullopt;
    }
    if (position >= shape->totalEntries || shape->leaves.empty())
        return std::nullopt;
    const std::size_t leafSlot = shape->leafForPosition(position);
    const std::uint32_t leafNode = shape->leaves[leafSlot];
    if (m_cachedLeaf != std::int64_t(leafNode)) {
        auto n = m_doc->layer().tree().node(shape->nodes[leafNode].block);
        if (!n)
            return std::nullopt;
        m_cachedNode = *n;
        m_cachedLeaf = leafNode;
    }
    const std::size_t i = position - shape->nodes[leafNode].firstEntry;
    if (i >= m_cachedNode->count)
        return std::nullopt;
    std::uint8_t key[kMaxIndexKeyLen];
    m_cachedNode->keyInto(i, key);
    return m_doc->layer().entry(IndexKey::from({key, m_doc->layer().summary().indexKeyLen()}),
                                m_cachedNode->value(i));
}

std::optional<Entry> EntryTableModel::entryAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    return entryAtPosition(positionAt(row));
}

std::optional<std::uint64_t> EntryTableModel::lowerBound(Bytes key) const
{
    if (!m_doc || !m_doc->shape())
        return std::nullopt;
    const TreeShape &shape = *m_doc->shape();
    auto slot = seekEntry(m_doc->layer().tree(), key);
    if (!slot)
        return std::nullopt;
    if (!*slot)
        return shape.totalEntries;  // every key is below: the end
    const std::int64_t leaf = shape.nodeForBlock((*slot)->leaf);
    if (leaf < 0)
        return std::nullopt;
    return shape.nodes[std::size_t(leaf)].firstEntry + (*slot)->index;
}

void EntryTableModel::setProblemPositions(std::vector<std::uint64_t> positions)
{
    m_problems = std::move(positions);
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::ForegroundRole});
}

QString valueKindText(const Layer &layer, const BlobHeader &h)
{
    if (layer.kind() == LayerKind::Image) {
        return h.compression == Compression::Zstd ? QStringLiteral("image (zstd)")
                                                  : QStringLiteral("image %1 B").arg(h.storedLen);
    }
    if (h.compression == Compression::Zstd)
        return QStringLiteral("value (zstd)");
    const auto shape = scanValue(storedPayload(layer.bytes(), h), h.payloadOffset());
    if (!shape)
        return QStringLiteral("bad value: %1").arg(QString::fromStdString(shape.error().found));
    if (shape->isImage)
        return QStringLiteral("image %1 B").arg(shape->imageLen);
    return QStringLiteral("wal:%1").arg(QLatin1String(recordTagName(shape->recordTag)));
}

QString EntryTableModel::cellText(int row, int column) const
{
    const auto e = entryAt(row);
    if (!e)
        return {};
    const Layer &layer = m_doc->layer();
    const bool delta = layer.kind() == LayerKind::Delta;
    switch (column) {
    case PositionColumn: return QString::number(positionAt(row));
    case KeyColumn: return QString::fromStdString(e->key.toHex());
    case DecodedKeyColumn: return QString::fromStdString(e->key.describe());
    case LsnColumn: return delta ? QString::fromStdString(e->lsn.toString()) : QString();
    case WillInitColumn: return delta ? (e->willInit ? tr("yes") : tr("no")) : QString();
    case OffsetColumn: return QString::number(e->blobOffset);
    case StoredSizeColumn:
    case CompressionColumn:
    case KindColumn: {
        auto h = layer.blobHeader(*e);
        if (!h)
            return column == KindColumn ? tr("error: %1").arg(QString::fromStdString(h.error().found))
                                        : QStringLiteral("?");
        if (column == StoredSizeColumn)
            return QString::number(h->headerLen + h->storedLen);
        if (column == CompressionColumn)
            return h->compression == Compression::Zstd ? QStringLiteral("zstd")
                                                       : QStringLiteral("none");
        return valueKindText(layer, *h);
    }
    default: return {};
    }
}

QVariant EntryTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_doc)
        return {};
    switch (role) {
    case Qt::DisplayRole: return cellText(index.row(), index.column());
    case Qt::ToolTipRole:
        if (index.column() == KeyColumn || index.column() == DecodedKeyColumn)
            return cellText(index.row(), KeyColumn) + "\n" + cellText(index.row(), DecodedKeyColumn);
        return {};
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case PositionColumn:
        case OffsetColumn:
        case StoredSizeColumn:
        case LsnColumn: return int(Qt::AlignRight | Qt::AlignVCenter);
        default: return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::FontRole:
        if (index.column() == KeyColumn || index.column() == LsnColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case Qt::ForegroundRole:
        if (std::binary_search(m_problems.begin(), m_problems.end(), positionAt(index.row())))
            return QColor(0xc0, 0x39, 0x2b);
        return {};
    case PositionRole: return QVariant::fromValue(quint64(positionAt(index.row())));
    case BlobOffsetRole: {
        const auto e = entryAt(index.row());
        return e ? QVariant::fromValue(quint64(e->blobOffset)) : QVariant();
    }
    case KeyHexRole: return cellText(index.row(), KeyColumn);
    default: return {};
    }
}

QVariant EntryTableModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PositionColumn: return tr("#");
    case KeyColumn: return tr("Key");
    case DecodedKeyColumn: return tr("Decoded key");
    case LsnColumn: return tr("LSN");
    case WillInitColumn: return tr("will_init");
    case OffsetColumn: return tr("Blob offset");
    case StoredSizeColumn: return tr("Stored size");
    case CompressionColumn: return tr("Compression");
    case KindColumn: return tr("Value");
    default: return {};
    }
}

} // namespace layerscope::ui
