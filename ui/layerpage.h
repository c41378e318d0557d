#pragma once

#include "pageaction.h"

#include <QWidget>

#include <layerscope/check/validate.h>

#include <memory>
#include <optional>

class QFrame;
class QLabel;
class QPushButton;
class QSplitter;
class QTabWidget;
class QUndoStack;

namespace layerscope::ui {

class BTreeGraphView;
class FocusRing;
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
    /// Selects index node `block` (relative) in the graph and shows its fields and bytes.
    void showNode(std::uint32_t block);
    /// Jumps to a problem: its bytes in the hex view, its node in the graph, its entry.
    void showProblem(const layerscope::Problem &problem);
    /// Re-opens the layer from `path` (after an edit) and re-attaches every view. On failure
    /// the current document stays and `error` says why.
    bool reload(const QString &path, QString *error);
    QUndoStack *undoStack() const { return m_undo; }
    /// An offset typed as decimal or 0x hex (`_` and `,` separators allowed), or nullopt.
    static std::optional<FileOffset> parseOffset(const QString &text);
    /// Shows the bytes at an offset given as decimal or 0x hex in the hex view; false (and
    /// nothing moves) when the text is not an offset inside the file.
    bool goToOffset(const QString &text);
    /// Brings the Problems tab to the front.
    void showProblemsTab();
    /// The panes in keyboard order: summary, problems, graph, key table, blob.
    enum Pane { SummaryPane, ProblemsPane, GraphPane, KeysPane, BlobPane, PaneCount };
    /// Gives a pane the keyboard focus (Alt+1…5).
    void focusPane(Pane pane);
    /// Moves the focus to the next or previous pane (F6 / Shift+F6), wrapping.
    void cyclePane(bool forward);
    /// The pane holding the focus, or PaneCount.
    Pane currentPane() const;
    /// Go → Next Pane, Previous Pane and one action per pane (Alt+1…5).
    static PageActions paneActions();
    /// The ring drawn around the view that holds the focus.
    FocusRing *focusRing() const { return m_focusRing; }
    /// The last status line this page emitted (the status bar shows it again when the tab
    /// becomes current).
    QString lastStatus() const { return m_lastStatus; }
    bool isLoaded() const;
    /// The banner shown over a damaged file (hidden for a layer that reads normally).
    QFrame *damageBanner() const { return m_banner; }
    /// The remote bar (null for a local file): where the object is, requests and bytes so
    /// far, and, after a lost connection, what failed with a Retry button.
    QFrame *remoteBar() const { return m_remoteBar; }
    /// Forgets a remote failure and loads again (the Retry button).
    void retryRemote();
    /// Writes a salvaged copy of this layer to `out` (a file, or a directory for the canonical
    /// name) on a worker thread, then emits openRequested with the result, or statusMessage
    /// with the reason nothing was written. Returns at once.
    void salvageTo(const QString &out);

signals:
    void statusMessage(const QString &text);
    /// Where Back and Forward can go has changed (a page action's enabled state).
    void navigationChanged();
    void documentReplaced();
    /// A file this page produced (a salvaged copy) should be opened in its own tab.
    void openRequested(const QString &path);
    /// salvageTo finished: `path` written (empty if nothing), `summary` says what was kept.
    void salvageFinished(const QString &path, const QString &summary);

private:
    std::unique_ptr<LayerDocument> m_doc;
    SummaryPanel *m_summary;
    BTreeGraphView *m_graph;
    KeyTableWidget *m_keys;
    BlobPanel *m_blob;
    ProblemsPanel *m_problems;
    QTabWidget *m_leftTabs;
    QUndoStack *m_undo;
    QFrame *m_banner;
    QString m_lastStatus;
    QLabel *m_bannerText;
    QFrame *m_remoteBar = nullptr;
    QLabel *m_remoteText = nullptr;
    QPushButton *m_retry = nullptr;
    void updateRemoteBar();
    FocusRing *m_focusRing;
    void attach();
    void updateBanner();
    void askSalvage();
};

} // namespace layerscope::ui
