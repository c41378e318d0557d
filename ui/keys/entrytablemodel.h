#pragma once

#include <layerscope/format/layer.h>

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace layerscope::ui {

class LayerDocument;

/// Lazy table over a layer's index entries. Rows are decoded from the mapped file when the
/// view asks for them; nothing per entry is stored (a filter stores 8 bytes per matching row).
/// Until the document's shape is loaded the model is "partial": it shows the first entries
/// read straight from the tree and says so through isPartial(). Does not own the document.
class EntryTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        PositionColumn,
        KeyColumn,
        DecodedKeyColumn,
        LsnColumn,
        WillInitColumn,
        OffsetColumn,
        StoredSizeColumn,
        CompressionColumn,
        KindColumn,
        ColumnCount
    };
    enum Role {
        PositionRole = Qt::UserRole + 1,  ///< quint64 entry position in index order
        BlobOffsetRole,                   ///< quint64 absolute blob offset
        KeyHexRole,                       ///< QString 36-hex key
    };
    static constexpr int kPartialRows = 1000;

    explicit EntryTableModel(QObject *parent = nullptr);

    /// Attaches a document (or none); resets the model.
    void setDocument(const LayerDocument *doc);
    /// Called when the document's shape arrives: switches to full random access.
    void refreshFromShape();
    /// Restricts rows to these positions (ascending); nullopt shows all.
    void setRowFilter(std::optional<std::vector<std::uint64_t>> positions);
    bool isFiltered() const { return m_filter.has_value(); }
    bool isPartial() const;
    std::uint64_t totalEntries() const;

    std::optional<Entry> entryAt(int row) const;
    std::uint64_t positionAt(int row) const;
    /// Row showing `position`, or -1 (filtered out / not loaded).
    int rowForPosition(std::uint64_t position) const;
    /// Position of the first entry with index key ≥ `key` (needs the shape).
    std::optional<std::uint64_t> lowerBound(Bytes key) const;
    /// Entry at a position (needs the shape).
    std::optional<Entry> entryAtPosition(std::uint64_t position) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

    /// Marks these entry positions (ascending) as having problems.
    void setProblemPositions(std::vector<std::uint64_t> positions);

    /// Text of a cell as shown (for copy and export).
    QString cellText(int row, int column) const;

private:
    const LayerDocument *m_doc = nullptr;
    std::vector<Entry> m_partial;
    std::optional<std::vector<std::uint64_t>> m_filter;
    std::vector<std::uint64_t> m_problems;
    // One-leaf cache: consecutive rows share their leaf.
    mutable std::int64_t m_cachedLeaf = -1;
    mutable std::optional<NodeView> m_cachedNode;
};

/// Short description of a blob's value without allocating: "image 8192 B", "wal:Postgres", ...
QString valueKindText(const Layer &layer, const BlobHeader &header);

} // namespace layerscope::ui
