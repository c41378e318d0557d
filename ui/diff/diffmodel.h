#pragma once

#include <layerscope/report/diff.h>

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>

#include <vector>

namespace layerscope::ui {

/// The listed entry differences of a comparison, one row each, in key order; columns as
/// differenceColumns(). Holds its own copies.
class DiffModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role {
        KindRole = Qt::UserRole + 1,  ///< differenceKindName ("changed", "only-in-a", "only-in-b")
        SortRole,                     ///< numbers by value, text as shown
    };

    explicit DiffModel(QObject *parent = nullptr);
    /// `delta`: the layers have LSNs (the LSN column is filled).
    void setDifferences(std::vector<EntryDifference> differences, bool delta);
    const EntryDifference *difference(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The given rows as CSV under a differenceColumns() header.
    QByteArray toCsv(const QList<int> &rows = {}) const;

private:
    std::vector<EntryDifference> m_differences;
    std::vector<std::vector<TableCell>> m_cells;
    bool m_delta = false;
};

/// Shows the rows of one kind (all when empty) whose key (hex or described) contains a text.
class DiffFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setKind(const QString &kind);
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override;

private:
    QString m_kind;
    QString m_text;
};

/// Both values of one difference, decoded for the side-by-side view.
struct DiffSides
{
    ByteVector a, b;        ///< decompressed payloads (empty where the entry is absent)
    bool hasA = false, hasB = false;
    QString errorA, errorB;  ///< why a payload could not be read
    QString htmlA, htmlB;   ///< decoded descriptions (describeEntryHtml)
    std::vector<ByteRange> runs;  ///< where the payloads differ
};

/// Reads and decodes both sides of `difference` (on the calling thread: one value each).
DiffSides readDiffSides(const Layer &a, const Layer &b, const EntryDifference &difference);

} // namespace layerscope::ui
