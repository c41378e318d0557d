#include "btreegraphview.h"

#include "theme.h"

#include "document/layerdocument.h"

#include <layerscope/format/layer.h>

#include <QApplication>
#include <QFontDatabase>
#include <QGraphicsItem>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStyle>
#include <QStyleOptionGraphicsItem>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace layerscope::ui {

namespace {
constexpr qreal kNodeW = 280;
constexpr qreal kNodeH = 92;
constexpr qreal kGapX = 18;
constexpr qreal kGapY = 70;
/// Space around the boxes in the scene (the fit fits exactly this rectangle).
constexpr qreal kMargin = 20;

QString shortKey(const Key &k, const IndexKey &full)
{
    QString s = QString::fromStdString(k.describe());
    if (full.len == kDeltaIndexKeyLen)
        s += QStringLiteral(" @") + QString::fromStdString(deltaKeyLsn(full.view()).toString());
    return s;
}
} // namespace

/// One box of the graph. Painted by hand; text is prepared at build time.
class NodeItem : public QGraphicsItem
{
public:
    enum class State { Ok, Problem, Broken };
    NodeItem(std::uint32_t node, QStringList lines, bool leaf, bool collapsed, State state)
        : m_node(node), m_lines(std::move(lines)), m_leaf(leaf), m_collapsed(collapsed), m_state(state)
    {
        setToolTip(m_lines.join('\n'));
        setCacheMode(QGraphicsItem::DeviceCoordinateCache);
    }
    QRectF boundingRect() const override { return {-3, -3, kNodeW + 6, kNodeH + 6}; }
    void paint(QPainter *p, const QStyleOptionGraphicsItem *opt, QWidget *) override
    {
        const GraphColors c = GraphColors::from(QApplication::palette());
        QColor fill = m_leaf ? c.leafFill : c.internalFill;
        QPen pen(c.border, 1);
        if (m_state == State::Problem) {
            fill = c.problemFill;
            pen = QPen(c.problemBorder, 2);
        } else if (m_state == State::Broken) {
            fill = c.brokenFill;
            pen = QPen(c.brokenBorder, 1, Qt::DashLine);
        }
        if (m_onPath)
            pen = QPen(c.pathBorder, 3);
        if (m_selected)
            pen = QPen(c.selectedBorder, 4);
        p->setPen(pen);
        p->setBrush(fill);
        p->drawRoundedRect(QRectF(0, 0, kNodeW, kNodeH), 6, 6);
        const qreal lod = opt->levelOfDetailFromTransform(p->worldTransform());
        if (lod < 0.3)
            return;
        QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        f.setPointSizeF(BTreeGraphView::kNodeFontPt);
        p->setFont(f);
        p->setPen(c.text);
        const QFontMetricsF fm(f);
        qreal y = 4 + fm.ascent();
        for (int i = 0; i < m_lines.size(); ++i) {
            QFont lf = f;
            lf.setBold(i == 0);
            p->setFont(lf);
            p->drawText(QPointF(6, y), fm.elidedText(m_lines[i], Qt::ElideRight, kNodeW - 12));
            y += fm.height();
        }
        if (m_collapsed) {
            p->setPen(c.hint);
            p->drawText(QRectF(0, 0, kNodeW - 6, kNodeH - 2), Qt::AlignRight | Qt::AlignBottom, QStringLiteral("⊕"));
        }
    }
    std::uint32_t node() const { return m_node; }
    State state() const { return m_state; }
    void setOnPath(bool on) { m_onPath = on; update(); }
    void setSelected(bool on) { m_selected = on; update(); }

private:
    std::uint32_t m_node;
    QStringList m_lines;
    bool m_leaf;
    bool m_collapsed;
    State m_state;
    bool m_onPath = false;
    bool m_selected = false;
};

/// Stands for children of `node` outside its visible window; clicking pages the window.
class EllipsisItem : public QGraphicsItem
{
public:
    EllipsisItem(std::uint32_t node, int direction, std::size_t hidden)
        : m_node(node), m_direction(direction), m_hidden(hidden)
    {
        setToolTip(QObject::tr("%1 more nodes — click to page").arg(hidden));
    }
    QRectF boundingRect() const override { return {0, 0, kNodeW * 0.6, kNodeH}; }
    void paint(QPainter *p, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        const GraphColors c = GraphColors::from(QApplication::palette());
        p->setPen(QPen(c.ellipsisBorder, 1, Qt::DashLine));
        p->setBrush(c.ellipsisFill);
        p->drawRoundedRect(boundingRect(), 6, 6);
        p->setPen(c.text);
        p->drawText(boundingRect(), Qt::AlignCenter,
                    QStringLiteral("%1 ⋯\n%2 more").arg(m_direction < 0 ? "◀" : "▶").arg(m_hidden));
    }
    std::uint32_t node() const { return m_node; }
    int direction() const { return m_direction; }

private:
    std::uint32_t m_node;
    int m_direction;
    std::size_t m_hidden;
};

/// "children 1,601–1,616 of 2,426" under a node whose children do not all show.
class PageLabelItem : public QGraphicsItem
{
public:
    explicit PageLabelItem(QString text) : m_text(std::move(text)) { setZValue(1); }
    QRectF boundingRect() const override
    {
        const QFontMetricsF fm(font());
        return {0, 0, fm.horizontalAdvance(m_text) + 14, fm.height() + 6};
    }
    void paint(QPainter *p, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        const GraphColors c = GraphColors::from(QApplication::palette());
        p->setPen(QPen(c.ellipsisBorder, 1));
        p->setBrush(c.ellipsisFill);
        p->drawRoundedRect(boundingRect(), 4, 4);
        p->setFont(font());
        p->setPen(c.text);
        p->drawText(boundingRect(), Qt::AlignCenter, m_text);
    }

private:
    static QFont font()
    {
        QFont f = QApplication::font();
        f.setPointSizeF(BTreeGraphView::kNodeFontPt);
        return f;
    }
    QString m_text;
};

/// Overview of the whole scene with the main view's visible area outlined.
class MiniMap : public QGraphicsView
{
public:
    MiniMap(QGraphicsView *main, QWidget *parent)
        : QGraphicsView(main->scene(), parent), m_main(main)
    {
        setInteractive(false);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setRenderHint(QPainter::Antialiasing, false);
        setFrameShape(QFrame::Box);
        setFixedSize(150, 44);
        setToolTip(QObject::tr("Overview: click or drag to move the view"));
    }
    void refit()
    {
        // Beside the buttons, never over the boxes, and always shown (showing it only when
        // part of the tree is off-screen would change the view's size, and so the fit).
        if (scene())
            fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
        setBackgroundBrush(QApplication::palette().base());  // follows View → Theme
        viewport()->update();
    }

protected:
    void drawForeground(QPainter *p, const QRectF &) override
    {
        const QRectF visible = m_main->mapToScene(m_main->viewport()->rect()).boundingRect();
        QColor outline = GraphColors::from(QApplication::palette()).selectedBorder;
        p->setPen(QPen(outline, 0));
        outline.setAlpha(40);
        p->setBrush(outline);
        p->drawRect(visible);
    }
    void mousePressEvent(QMouseEvent *e) override { m_main->centerOn(mapToScene(e->pos())); }
    void mouseMoveEvent(QMouseEvent *e) override
    {
        if (e->buttons() & Qt::LeftButton)
            m_main->centerOn(mapToScene(e->pos()));
    }

private:
    QGraphicsView *m_main;
};

BTreeGraphView::BTreeGraphView(QWidget *parent)
    : QWidget(parent)
    , m_scene(new QGraphicsScene(this))
    , m_view(new QGraphicsView(m_scene, this))
    , m_minimap(nullptr)
    , m_details(new QLabel(this))
{
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setDragMode(QGraphicsView::ScrollHandDrag);
    m_view->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    m_view->setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    m_view->viewport()->installEventFilter(this);
    m_view->installEventFilter(this);
    m_view->setFocusPolicy(Qt::StrongFocus);
    m_minimap = new MiniMap(m_view, this);
    connect(m_view->horizontalScrollBar(), &QScrollBar::valueChanged, this, [this] { m_minimap->refit(); });
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] { m_minimap->refit(); });

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    auto button = [&](const QString &text, const QString &tip, auto slot) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        connect(b, &QToolButton::clicked, this, slot);
        bar->addWidget(b);
    };
    button(QStringLiteral("+"), tr("Zoom in (+ or Ctrl+wheel)"), &BTreeGraphView::zoomIn);
    button(QStringLiteral("−"), tr("Zoom out (-)"), &BTreeGraphView::zoomOut);
    button(tr("Fit"), tr("Fit the tree in the view (0)"), &BTreeGraphView::fitToView);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);
    bar->addWidget(m_details, 1);
    bar->addWidget(m_minimap);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    updateHint();
}

void BTreeGraphView::updateHint()
{
    if (m_selected >= 0)
        return;
    if (m_items.empty()) {
        m_details->clear();
        return;
    }
    m_details->setText(m_collapsedShown ? tr("Click a node to select it; double-click ⊕ (or Enter) to expand; "
                                             "arrow keys walk the tree.")
                                        : tr("Click a node to select it; arrow keys walk the tree."));
}

BTreeGraphView::~BTreeGraphView()
{
    // The scene is deleted by ~QWidget, after this object stopped being a BTreeGraphView:
    // its scroll bars must not call back into us then.
    m_view->horizontalScrollBar()->disconnect(this);
    m_view->verticalScrollBar()->disconnect(this);
}

void BTreeGraphView::setDocument(const LayerDocument *doc)
{
    m_doc = doc;
    m_expanded.clear();
    m_path.clear();
    m_selected = -1;
    rebuild();
}

void BTreeGraphView::rebuild()
{
    m_scene->clear();
    m_items.clear();
    m_collapsedShown = 0;
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || shape->nodes.empty()) {
        m_itemOfNode.clear();
        auto *t = m_scene->addSimpleText(m_doc && !m_doc->loadError().isEmpty()
                                             ? tr("Index not available: %1").arg(m_doc->loadError())
                                             : tr("Walking the index…"));
        t->setBrush(palette().text());
        m_minimap->refit();
        return;
    }
    const std::size_t n = shape->nodes.size();
    if (m_expanded.size() != n) {
        // Initial expansion: level by level while the box budget allows.
        m_expanded.assign(n, false);
        m_window.assign(n, 0);
        std::vector<std::uint32_t> frontier{0};
        std::size_t visible = 1;
        while (!frontier.empty()) {
            std::size_t add = 0;
            for (auto i : frontier)
                add += shape->nodes[i].level > 0 ? std::min<std::size_t>(shape->nodes[i].count, kChildWindow) : 0;
            if (add == 0 || visible + add > std::size_t(kInitialBudget))
                break;
            std::vector<std::uint32_t> next;
            for (auto i : frontier) {
                m_expanded[i] = true;
                const auto &s = shape->nodes[i];
                if (s.level > 0)
                    for (std::size_t c = 0; c < std::min<std::size_t>(s.count, kChildWindow); ++c)
                        next.push_back(shape->children[s.childBegin + c]);
            }
            visible += add;
            frontier = std::move(next);
        }
    }
    m_itemOfNode.assign(n, -1);
    const BTreeReader tree = m_doc->layer().tree();
    qreal slot = 0;
    QPen edgePen(palette().color(QPalette::Mid), 1.2);
    // Post-order layout: leaves of the visible tree take consecutive slots, parents centre.
    std::function<qreal(std::uint32_t)> place = [&](std::uint32_t i) -> qreal {
        const TreeShape::Node &s = shape->nodes[i];
        const bool open = s.level > 0 && m_expanded[i];
        qreal x;
        std::vector<qreal> childX;
        const qreal childY = (s.depth + 1) * (kNodeH + kGapY);
        auto ellipsis = [&](int direction, std::size_t hidden) {
            auto *e = new EllipsisItem(i, direction, hidden);
            e->setPos(slot, childY);
            m_scene->addItem(e);
            childX.push_back(slot - kNodeW * 0.2);
            slot += kNodeW * 0.6 + kGapX;
        };
        if (open) {
            const std::size_t first = std::min<std::size_t>(m_window[i], s.count - 1);
            const std::size_t last = std::min<std::size_t>(s.count, first + std::size_t(kChildWindow));
            if (first > 0)
                ellipsis(-1, first);
            for (std::size_t c = first; c < last; ++c)
                childX.push_back(place(shape->children[s.childBegin + c]));
            if (last < s.count)
                ellipsis(+1, s.count - last);
            x = (childX.front() + childX.back()) / 2;
            if (const QString page = pageLabel(i); !page.isEmpty()) {
                auto *label = new PageLabelItem(page);
                label->setPos(x + kNodeW / 2 - label->boundingRect().width() / 2,
                              s.depth * (kNodeH + kGapY) + kNodeH + 8);
                m_scene->addItem(label);
            }
        } else {
            x = slot;
            slot += kNodeW + kGapX;
        }
        QStringList lines;
        lines << tr("#%1  (block %2)  L%3").arg(s.block).arg(std::uint64_t(tree.indexStart()) + s.block).arg(s.level);
        lines << tr("%1 entries · %2 below").arg(s.count).arg(QLocale().toString(qulonglong(s.entries)));
        if (s.broken) {
            const auto err = std::find_if(shape->errors.begin(), shape->errors.end(),
                                          [i](const TreeShape::NodeError &e) { return e.node == i; });
            lines << tr("unreadable / not followed");
            if (err != shape->errors.end())
                lines << QString::fromStdString(err->error.found) << tr("at offset %1").arg(err->error.offset);
        } else if (auto node = tree.node(s.block)) {
            lines << tr("prefix %1").arg(node->prefixLen ? QString::fromStdString(toHex(node->prefix)) : tr("(none)"));
            const IndexKey first = node->key(0), last = node->key(node->count - 1);
            lines << shortKey(Key::fromBytes(first.bytes.data()), first);
            lines << QStringLiteral("… ") + shortKey(Key::fromBytes(last.bytes.data()), last);
        } else {
            lines << tr("unreadable: %1").arg(QString::fromStdString(node.error().message()));
        }
        const auto state = s.broken ? NodeItem::State::Broken
                           : std::binary_search(m_problemBlocks.begin(), m_problemBlocks.end(), s.block)
                               ? NodeItem::State::Problem
                               : NodeItem::State::Ok;
        m_collapsedShown += s.level > 0 && !open;
        auto *item = new NodeItem(i, lines, s.level == 0, s.level > 0 && !open, state);
        item->setPos(x, s.depth * (kNodeH + kGapY));
        m_scene->addItem(item);
        m_itemOfNode[i] = std::int32_t(m_items.size());
        m_items.push_back(item);
        const qreal y = s.depth * (kNodeH + kGapY);
        for (qreal cx : childX) {
            QPainterPath path(QPointF(x + kNodeW / 2, y + kNodeH));
            const QPointF end(cx + kNodeW / 2, y + kNodeH + kGapY);
            path.cubicTo(QPointF(x + kNodeW / 2, y + kNodeH + kGapY / 2), QPointF(end.x(), end.y() - kGapY / 2), end);
            m_scene->addPath(path, edgePen)->setZValue(-1);
        }
        return x;
    };
    place(0);
    m_scene->setSceneRect(m_scene->itemsBoundingRect().adjusted(-kMargin, -kMargin, kMargin, kMargin));
    applyHighlight();
    updateHint();
    m_minimap->refit();
}

QString BTreeGraphView::pageLabel(std::uint32_t node) const
{
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || node >= shape->nodes.size() || node >= m_expanded.size() || !m_expanded[node])
        return {};
    const auto &s = shape->nodes[node];
    if (s.level == 0 || s.count <= kChildWindow)
        return {};
    const std::size_t first = std::min<std::size_t>(m_window[node], std::size_t(s.count) - 1);
    const std::size_t last = std::min<std::size_t>(s.count, first + std::size_t(kChildWindow));
    return tr("children %L1–%L2 of %L3").arg(first + 1).arg(last).arg(s.count);
}

void BTreeGraphView::expandNode(std::uint32_t node)
{
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || node >= shape->nodes.size())
        return;
    // Expand every ancestor and centre its child window on the path.
    std::int64_t child = -1;
    for (std::int64_t i = node; i >= 0; child = i, i = shape->nodes[std::size_t(i)].parent) {
        const auto &s = shape->nodes[std::size_t(i)];
        if (s.level == 0)
            continue;
        m_expanded[std::size_t(i)] = true;
        if (child >= 0) {
            for (std::size_t c = 0; c < s.count; ++c)
                if (shape->children[s.childBegin + c] == std::uint32_t(child)) {
                    const std::size_t start = c > std::size_t(kChildWindow / 2) ? c - kChildWindow / 2 : 0;
                    if (c < m_window[std::size_t(i)] || c >= m_window[std::size_t(i)] + std::size_t(kChildWindow))
                        m_window[std::size_t(i)] = std::uint32_t(start);
                    break;
                }
        }
    }
    rebuild();
}

void BTreeGraphView::shiftWindow(std::uint32_t node, int direction)
{
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || node >= shape->nodes.size())
        return;
    const std::int64_t next = std::int64_t(m_window[node]) + direction * kChildWindow;
    m_window[node] = std::uint32_t(std::clamp<std::int64_t>(next, 0, std::max(0, shape->nodes[node].count - 1)));
    rebuild();
    // The parent stays in view while its children page.
    ensureNodeVisible(node);
}

std::optional<std::uint32_t> BTreeGraphView::selectedNode() const
{
    return m_selected >= 0 ? std::optional<std::uint32_t>(std::uint32_t(m_selected)) : std::nullopt;
}

void BTreeGraphView::ensureNodeVisible(std::uint32_t node)
{
    const auto c = nodeCenter(node);
    if (!c)
        return;
    m_view->ensureVisible(QRectF(*c - QPointF(kNodeW / 2, kNodeH / 2), QSizeF(kNodeW, kNodeH)), 30, 30);
}

void BTreeGraphView::moveTo(std::uint32_t node)
{
    selectNode(node);
    emit nodeActivated(node);
    const TreeShape *shape = m_doc->shape();
    // The parent first, then the node itself wins if both do not fit.
    if (const std::int64_t parent = shape->nodes[node].parent; parent >= 0)
        ensureNodeVisible(std::uint32_t(parent));
    ensureNodeVisible(node);
}

bool BTreeGraphView::selectParent()
{
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || m_selected < 0)
        return false;
    const std::int64_t parent = shape->nodes[std::size_t(m_selected)].parent;
    if (parent < 0)
        return false;
    moveTo(std::uint32_t(parent));
    return true;
}

bool BTreeGraphView::selectFirstChild()
{
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || m_selected < 0)
        return false;
    const auto node = std::uint32_t(m_selected);
    const auto &s = shape->nodes[node];
    if (s.level == 0 || s.count == 0 || s.broken)
        return false;
    if (!m_expanded[node]) {
        m_expanded[node] = true;
        rebuild();
    }
    const std::size_t first = std::min<std::size_t>(m_window[node], std::size_t(s.count) - 1);
    moveTo(shape->children[s.childBegin + first]);
    return true;
}

bool BTreeGraphView::selectSibling(int direction)
{
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || m_selected < 0)
        return false;
    const std::int64_t parent = shape->nodes[std::size_t(m_selected)].parent;
    if (parent < 0)
        return false;
    const auto p = std::size_t(parent);
    const auto &ps = shape->nodes[p];
    std::size_t c = 0;
    while (c < ps.count && shape->children[ps.childBegin + c] != std::uint32_t(m_selected))
        ++c;
    const std::int64_t target = std::int64_t(c) + direction;
    if (c == ps.count || target < 0 || target >= ps.count)
        return false;
    // Page the window when the sibling is outside it.
    const auto t = std::size_t(target);
    if (t < m_window[p] || t >= m_window[p] + std::size_t(kChildWindow)) {
        m_window[p] = std::uint32_t(direction > 0 ? t : (t + 1 >= std::size_t(kChildWindow) ? t + 1 - kChildWindow : 0));
        rebuild();
    }
    moveTo(shape->children[ps.childBegin + t]);
    return true;
}

void BTreeGraphView::toggleExpanded(std::uint32_t node)
{
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || node >= shape->nodes.size() || shape->nodes[node].level == 0)
        return;
    m_expanded[node] = !m_expanded[node];
    rebuild();
    ensureNodeVisible(node);
}

void BTreeGraphView::highlightPosition(std::optional<std::uint64_t> position)
{
    m_path.clear();
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || !position || *position >= shape->totalEntries) {
        applyHighlight();
        return;
    }
    const std::uint32_t leaf = shape->leaves[shape->leafForPosition(*position)];
    for (std::int64_t i = leaf; i >= 0; i = shape->nodes[std::size_t(i)].parent)
        m_path.insert(m_path.begin(), std::uint32_t(i));
    if (!nodeCenter(leaf))
        expandNode(leaf);
    else
        applyHighlight();
    if (const auto c = nodeCenter(leaf))
        m_view->ensureVisible(QRectF(*c - QPointF(kNodeW / 2, kNodeH / 2), QSizeF(kNodeW, kNodeH)), 40, 40);
}

void BTreeGraphView::selectNode(std::uint32_t node)
{
    m_selected = node;
    applyHighlight();
    const TreeShape *shape = m_doc ? m_doc->shape() : nullptr;
    if (!shape || node >= shape->nodes.size())
        return;
    const auto &s = shape->nodes[node];
    m_details->setText(tr("Node #%1 (absolute block %2, offset %3): level %4, %5 entries, subtree positions %6–%7")
                           .arg(s.block)
                           .arg(std::uint64_t(m_doc->layer().tree().indexStart()) + s.block)
                           .arg((std::uint64_t(m_doc->layer().tree().indexStart()) + s.block) * 8192)
                           .arg(s.level)
                           .arg(s.count)
                           .arg(QLocale().toString(qulonglong(s.firstEntry)))
                           .arg(QLocale().toString(qulonglong(s.firstEntry + s.entries - 1))));
}

void BTreeGraphView::applyHighlight()
{
    for (NodeItem *item : m_items) {
        item->setOnPath(std::find(m_path.begin(), m_path.end(), item->node()) != m_path.end());
        item->setSelected(std::int64_t(item->node()) == m_selected);
    }
}

void BTreeGraphView::setProblemBlocks(std::vector<std::uint32_t> blocks)
{
    std::sort(blocks.begin(), blocks.end());
    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    m_problemBlocks = std::move(blocks);
    rebuild();
}

bool BTreeGraphView::nodeMarkedBad(std::uint32_t node) const
{
    if (node >= m_itemOfNode.size() || m_itemOfNode[node] < 0)
        return false;
    return m_items[std::size_t(m_itemOfNode[node])]->state() != NodeItem::State::Ok;
}

std::optional<QPointF> BTreeGraphView::nodeCenter(std::uint32_t node) const
{
    if (node >= m_itemOfNode.size() || m_itemOfNode[node] < 0)
        return std::nullopt;
    return m_items[std::size_t(m_itemOfNode[node])]->pos() + QPointF(kNodeW / 2, kNodeH / 2);
}

void BTreeGraphView::zoomIn()
{
    m_zoom = ZoomMode::User;
    m_view->scale(1.25, 1.25);
    m_minimap->refit();
}

void BTreeGraphView::zoomOut()
{
    m_zoom = ZoomMode::User;
    m_view->scale(0.8, 0.8);
    m_minimap->refit();
}

double BTreeGraphView::onScreenFontPoints() const
{
    return kNodeFontPt * m_view->transform().m11();
}

void BTreeGraphView::fitToView()
{
    m_zoom = ZoomMode::Fit;
    applyZoomMode();
}

void BTreeGraphView::showDefaultView()
{
    m_zoom = ZoomMode::Readable;
    applyZoomMode();
}

void BTreeGraphView::applyZoomMode()
{
    if (m_zoom == ZoomMode::User)
        return;
    // The scale comes from the area the view has with its scroll bars counted as present, so
    // it does not depend on whether they show: fitting can then never make them appear and
    // disappear in turn (each resize fitting again).
    const QRectF r = m_scene->sceneRect();
    const int bar = m_view->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, m_view);
    const QSize area = m_view->maximumViewportSize() - QSize(bar, bar);
    const qreal fit = r.isEmpty() || area.isEmpty() ? 1.0 : std::min(area.width() / r.width(), area.height() / r.height());
    // Never zoom in beyond 1:1; the default view never zooms out (text stays kNodeFontPt).
    const qreal scale = m_zoom == ZoomMode::Fit ? std::clamp(fit, 0.01, 1.0) : 1.0;
    m_view->setTransform(QTransform::fromScale(scale, scale));
    if (fit >= scale) {
        m_view->centerOn(r.center());
    } else {
        // Not everything shows: the highlighted leaf, else the selected node, else the root
        // near the top of the view.
        const std::uint32_t focus = !m_path.empty() ? m_path.back() : m_selected >= 0 ? std::uint32_t(m_selected) : 0;
        if (const auto c = nodeCenter(focus)) {
            const qreal half = area.height() / scale / 2;
            const qreal y = focus == 0 ? c->y() - kNodeH / 2 - 24 + half : c->y();
            m_view->centerOn(QPointF(c->x(), y));
        }
    }
    m_minimap->refit();
}

void BTreeGraphView::activateAt(const QPoint &viewPos, bool expand)
{
    for (QGraphicsItem *it : m_view->items(viewPos)) {
        if (auto *more = dynamic_cast<EllipsisItem *>(it)) {
            shiftWindow(more->node(), more->direction());
            return;
        }
        if (auto *node = dynamic_cast<NodeItem *>(it)) {
            if (expand) {
                const auto n = node->node();
                const TreeShape *shape = m_doc->shape();
                if (shape->nodes[n].level > 0 && !m_expanded[n]) {
                    m_expanded[n] = true;
                    rebuild();
                }
                return;
            }
            selectNode(node->node());
            emit nodeActivated(node->node());
            return;
        }
    }
}

void BTreeGraphView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_doc)
        rebuild();
}

bool BTreeGraphView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport()) {
        switch (event->type()) {
        case QEvent::MouseButtonPress: {
            auto *e = static_cast<QMouseEvent *>(event);
            if (e->button() == Qt::LeftButton)
                activateAt(e->position().toPoint(), false);
            break;
        }
        case QEvent::MouseButtonDblClick:
            activateAt(static_cast<QMouseEvent *>(event)->position().toPoint(), true);
            return true;
        case QEvent::Wheel: {
            auto *e = static_cast<QWheelEvent *>(event);
            const qreal f = e->angleDelta().y() > 0 ? 1.15 : 1 / 1.15;
            m_zoom = ZoomMode::User;
            m_view->scale(f, f);
            m_minimap->refit();
            return true;
        }
        case QEvent::Resize:
            applyZoomMode();
            break;
        default: break;
        }
    } else if (watched == m_view && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Plus || key == Qt::Key_Equal) {
            zoomIn();
            return true;
        }
        if (key == Qt::Key_Minus) {
            zoomOut();
            return true;
        }
        if (key == Qt::Key_0) {
            fitToView();
            return true;
        }
        const bool arrow = key == Qt::Key_Up || key == Qt::Key_Down || key == Qt::Key_Left || key == Qt::Key_Right;
        if (arrow && m_selected < 0) {
            // The first arrow key selects the root.
            if (m_doc && m_doc->shape() && !m_doc->shape()->nodes.empty())
                moveTo(0);
            return true;
        }
        switch (key) {
        case Qt::Key_Up:
            selectParent();
            return true;
        case Qt::Key_Down:
            selectFirstChild();
            return true;
        case Qt::Key_Left:
        case Qt::Key_Right:
            selectSibling(key == Qt::Key_Left ? -1 : +1);
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Space:
            if (m_selected >= 0)
                toggleExpanded(std::uint32_t(m_selected));
            return true;
        default: break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace layerscope::ui
