#pragma once

#include <QWidget>

#include <layerscope/validate.h>

#include <memory>

class QSplitter;
class QTabWidget;
class QUndoStack;

namespace layerscope::ui {

class BTreeGraphView;
class BlobPanel;
class KeyTableWidget;
class LayerDocument;
class ProblemsPanel;
class SummaryPanel;

/// Everything about one open layer (one tab): summary, B-tree graph, key table and blob view,
/// wired together. Owns its LayerDocument; starts its load on construction.
class LayerPage : public QWidget
{
    Q_OBJECT
public:
    explicit LayerPage(std::unique_ptr<LayerDocument> doc, QWidget *parent = nullptr);
    ~LayerPage() override;

    LayerDocument *document() const { return m_doc.get(); }
    SummaryPanel *summary() const { return m_summary; }
    BTreeGraphView *graph() const { return m_graph; }
    KeyTableWidget *keys() const { return m_keys; }
    BlobPanel *blob() const { return m_blob; }
    ProblemsPanel *problems() const { return m_problems; }
    /// Jumps to a problem: its bytes in the hex view, its node in the graph, its entry.
    void showProblem(const layerscope::Problem &problem);
    /// Re-opens the layer from `path` (after an edit) and re-attaches every view. On failure
    /// the current document stays and `error` says why.
    bool reload(const QString &path, QString *error);
    QUndoStack *undoStack() const { return m_undo; }
    /// Brings the Problems tab to the front.
    void showProblemsTab();
    bool isLoaded() const;

signals:
    void statusMessage(const QString &text);
    void documentReplaced();

private:
    std::unique_ptr<LayerDocument> m_doc;
    SummaryPanel *m_summary;
    BTreeGraphView *m_graph;
    KeyTableWidget *m_keys;
    BlobPanel *m_blob;
    ProblemsPanel *m_problems;
    QTabWidget *m_leftTabs;
    QUndoStack *m_undo;
    void attach();
};

} // namespace layerscope::ui
