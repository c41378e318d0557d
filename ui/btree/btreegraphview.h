#pragma once

#include <QGraphicsView>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QLabel;

namespace layerscope::ui {

class LayerDocument;
class NodeItem;
class MiniMap;

/// The index as a node graph: boxes laid out by level, edges parent → child. Lazy: the top
/// levels are shown up to a budget of boxes and any collapsed node expands on double-click or
/// Enter, so trees with 100,000 leaves stay responsive. The keyboard walks the tree: Up to the
/// parent, Down to the first child, Left / Right to siblings (paging wide nodes). Zoom with
/// the wheel or +/-, pan by dragging, 0 fits the view; a minimap beside the buttons shows
/// where the view is. Does not own the document.
class BTreeGraphView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kInitialBudget = 40;
    /// Point size of the text in the boxes at scale 1; the default view keeps scale 1, so
    /// the text is this size on screen until the user zooms or fits.
    static constexpr double kNodeFontPt = 9.0;
    /// An expanded node shows at most this many children; the rest fold into "⋯" boxes
    /// that page through them.
    static constexpr int kChildWindow = 16;

    explicit BTreeGraphView(QWidget *parent = nullptr);
    ~BTreeGraphView() override;

    void setDocument(const LayerDocument *doc);
    /// Rebuilds the scene from the document's shape (placeholder text while loading).
    void rebuild();
    /// Expands the node (shape index) and its ancestors, then rebuilds.
    void expandNode(std::uint32_t node);
    /// Highlights the root-to-leaf path of entry `position`, expanding what is needed;
    /// nullopt clears the highlight.
    void highlightPosition(std::optional<std::uint64_t> position);
    /// Marks a node as selected (shape index) as if clicked, without emitting.
    void selectNode(std::uint32_t node);

    void zoomIn();
    void zoomOut();
    /// Fits every expanded level into the view (zooming out as far as that takes, never in
    /// beyond 1:1); resizes refit until the user zooms.
    void fitToView();
    /// The default view: 1:1 (text at kNodeFontPt) on the root or the highlighted leaf, or
    /// the whole tree when it fits at that size; resizes keep it until the user zooms.
    void showDefaultView();
    /// The point size the boxes' text has on screen now.
    double onScreenFontPoints() const;
    /// The selected node (shape index), or nullopt.
    std::optional<std::uint32_t> selectedNode() const;
    /// Keyboard moves from the selected node: parent, first child (expanding), sibling (paging
    /// the window). Each selects the target as a click would (emitting nodeActivated). False
    /// when nothing is selected or there is no such node (the first arrow key selects the root).
    bool selectParent();
    bool selectFirstChild();
    bool selectSibling(int direction);
    /// Expands a collapsed node or collapses an expanded one.
    void toggleExpanded(std::uint32_t node);
    /// The "children 1,601–1,616 of 2,426" label of an expanded wide node, or empty.
    QString pageLabel(std::uint32_t node) const;

    QGraphicsView *view() const { return m_view; }
    int visibleNodeCount() const { return int(m_items.size()); }
    /// Scene position of a visible node's centre (for tests), or nullopt.
    std::optional<QPointF> nodeCenter(std::uint32_t node) const;
    /// Nodes (relative blocks) with validation problems are drawn red.
    void setProblemBlocks(std::vector<std::uint32_t> blocks);
    /// Pages an expanded node's child window (+1 / -1 windows).
    void shiftWindow(std::uint32_t node, int direction);
    /// Whether a visible node is drawn as having problems (for tests).
    bool nodeMarkedBad(std::uint32_t node) const;
    /// Shape indices of the highlighted path.
    const std::vector<std::uint32_t> &highlightedPath() const { return m_path; }

signals:
    /// A node was clicked (shape index).
    void nodeActivated(quint32 node);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    /// A new palette (View → Theme) redraws the boxes in its colours.
    void changeEvent(QEvent *event) override;

private:
    enum class ZoomMode { Readable, Fit, User };
    void activateAt(const QPoint &viewPos, bool expand);
    void applyHighlight();
    /// Selects `node` as a click would and scrolls it (and its parent) into view.
    void moveTo(std::uint32_t node);
    void ensureNodeVisible(std::uint32_t node);
    /// Applies m_zoom after a resize or a rebuild.
    void applyZoomMode();
    void updateHint();

    const LayerDocument *m_doc = nullptr;
    QGraphicsScene *m_scene;
    QGraphicsView *m_view;
    MiniMap *m_minimap;
    QLabel *m_details;
    std::vector<bool> m_expanded;
    std::vector<std::uint32_t> m_window;     // first visible child per node
    std::vector<NodeItem *> m_items;        // visible items
    std::vector<std::int32_t> m_itemOfNode;  // shape index → m_items index or -1
    std::vector<std::uint32_t> m_path;
    std::int64_t m_selected = -1;
    ZoomMode m_zoom = ZoomMode::Readable;  // kept on resize until the user zooms
    int m_collapsedShown = 0;              // boxes drawn with the ⊕ expander
    std::vector<std::uint32_t> m_problemBlocks;  // sorted
};

} // namespace layerscope::ui
