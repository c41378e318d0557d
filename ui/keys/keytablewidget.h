#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace layerscope::ui {

class EntryTableModel;
class LayerDocument;

/// Key range table with go-to-key, filters (key prefix, relation, LSN range), copy and
/// export. Filters run on a worker thread; a newer filter drops an older one's result.
class KeyTableWidget : public QWidget
{
    Q_OBJECT
public:
    explicit KeyTableWidget(QWidget *parent = nullptr);
    ~KeyTableWidget() override;

    /// Non-owning; the document must outlive this widget or be replaced first.
    void setDocument(LayerDocument *doc);
    EntryTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

    /// Selects positions [first, first + count) (clearing a filter that hides them).
    void selectRange(std::uint64_t first, std::uint64_t count);
    /// Scrolls to and selects the entry at `position`.
    void selectPosition(std::uint64_t position);
    /// Go to the first entry whose key is ≥ `text` (36 hex, optional @LSN). False on bad input.
    bool goToKey(const QString &text);
    /// Applies a filter: kind 0 key prefix (hex), 1 relation "spc/db/rel", 2 LSN range "A..B".
    /// Returns false (and says why in the status label) on bad input.
    bool applyFilter(int kind, const QString &text);
    void clearFilter();
    /// Writes the selected rows (or all visible rows when none are selected) as CSV or JSON.
    bool exportRows(const QString &path, bool json, QString *error) const;
    /// Tab-separated text of the selected rows.
    QString selectedRowsText() const;

signals:
    /// The current entry changed (position in index order), or -1 for none.
    void currentPositionChanged(qint64 position);
    void statusMessage(const QString &text);

private:
    void updateStatus();
    std::vector<int> selectedRows() const;

    LayerDocument *m_doc = nullptr;
    EntryTableModel *m_model;
    QTableView *m_view;
    QLineEdit *m_goTo;
    QComboBox *m_filterKind;
    QLineEdit *m_filterText;
    QLabel *m_status;
    quint64 m_filterGeneration = 0;
    struct FilterResult
    {
        quint64 generation = 0;
        std::vector<std::uint64_t> positions;
    };
    QFutureWatcher<FilterResult> m_filterWatcher;
};

} // namespace layerscope::ui
