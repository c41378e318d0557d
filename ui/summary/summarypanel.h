#pragma once

#include <QTreeWidget>

namespace layerscope::ui {

class LayerDocument;

/// Every summary field decoded, the file's geometry, the index shape (once loaded) and the
/// file name checked against the summary. Read-only; does not own the document.
class SummaryPanel : public QTreeWidget
{
    Q_OBJECT
public:
    explicit SummaryPanel(QWidget *parent = nullptr);
    void setDocument(const LayerDocument *doc);
    /// Re-reads the document (e.g. when its shape arrived).
    void refresh();

signals:
    /// The current row shows a summary field (its summaryField() name, e.g. "key_start").
    void summaryFieldSelected(const QString &field);

private:
    const LayerDocument *m_doc = nullptr;
};

} // namespace layerscope::ui
