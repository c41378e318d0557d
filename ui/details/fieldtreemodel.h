#pragma once

#include <layerscope/dissect/dissect.h>

#include <QAbstractItemModel>
#include <QHash>

namespace layerscope::ui {

/// A dissection (core Field tree) as an item model: name, value, offset, length. Owns its copy
/// of the fields (plain data); never the file. Fields with an error or problems are red.
class FieldTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ValueColumn, OffsetColumn, LengthColumn, ColumnCount };
    enum Role {
        OffsetRole = Qt::UserRole + 1,  ///< qulonglong
        LengthRole,                      ///< qulonglong
        InFileRole,                      ///< bool: false inside a decompressed payload
        ProblemRole,                     ///< bool: the field has an error or problems
    };

    explicit FieldTreeModel(QObject *parent = nullptr);
    void setRoot(Field root);
    void clear();
    const Field *root() const { return m_root ? &*m_root : nullptr; }
    const Field *field(const QModelIndex &index) const;
    /// The innermost field covering file offset `at`, or an invalid index.
    QModelIndex indexAt(FileOffset at) const;
    /// The first field (pre-order) named `name`, or an invalid index.
    QModelIndex indexNamed(const QString &name) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Link
    {
        const Field *parent;
        int row;
    };
    void index(const Field &f, const Field *parent, int row);
    QModelIndex indexOf(const Field *f) const;
    std::optional<Field> m_root;
    QHash<const Field *, Link> m_links;
};

} // namespace layerscope::ui
