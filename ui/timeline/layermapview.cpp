#include "layermapview.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace layerscope::ui {

namespace {

constexpr double kLeftMargin = 96;   // LSN labels
constexpr double kBottomMargin = 40; // key labels
constexpr double kBandHeight = 14;   // the owner band, when there is one
constexpr double kMargin = 8;
constexpr double kInset = 8; // keeps layers on the plot's edges (oldest image, newest delta) visible

QString shortKey(const Key &k)
{
    if (k == Key::min())
        return QStringLiteral("MIN");
    if (k == Key::max())
        return QStringLiteral("MAX");
    return QString::fromStdString(k.describe());
}

} // namespace

LayerMapView::LayerMapView(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(320, 240);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void LayerMapView::setTimeline(const Timeline *timeline)
{
    m_timeline = timeline;
    m_layout = timeline ? layoutMap(*timeline) : MapLayout{};
    m_marked.assign(timeline ? timeline->layers.size() : 0, false);
    m_selected.reset();
    resetView();
}

void LayerMapView::shareBoundaries(const MapLayout &shared)
{
    m_layout.keys = shared.keys;
    m_layout.lsns = shared.lsns;
    update();
}

void LayerMapView::setOwnerBand(std::vector<Band> band)
{
    m_band = std::move(band);
    update();
}

const LayerMapView::Band *LayerMapView::bandAt(QPoint pos) const
{
    const QRectF plot = plotArea();
    if (m_band.empty() || pos.y() < plot.bottom() + 2 || pos.y() > plot.bottom() + 2 + kBandHeight)
        return nullptr;
    for (const Band &b : m_band)
        if (pos.x() >= xOfUnit(b.u0) && pos.x() < std::max(xOfUnit(b.u1), xOfUnit(b.u0) + 1))
            return &b;
    return nullptr;
}

double LayerMapView::bottomMargin() const
{
    return kBottomMargin + (m_band.empty() ? 0 : kBandHeight + 4);
}

void LayerMapView::setMarked(std::vector<std::size_t> layers)
{
    std::fill(m_marked.begin(), m_marked.end(), false);
    for (std::size_t i : layers)
        if (i < m_marked.size())
            m_marked[i] = true;
    update();
}

void LayerMapView::setSelected(std::optional<std::size_t> layer)
{
    m_selected = layer;
    update();
}

void LayerMapView::resetView()
{
    m_zoomX = m_zoomY = 1;
    m_panX = m_panY = 0;
    update();
}

QRectF LayerMapView::plotArea() const
{
    return QRectF(kLeftMargin,
                  kMargin,
                  std::max(10.0, width() - kLeftMargin - kMargin),
                  std::max(10.0, height() - bottomMargin() - kMargin));
}

double LayerMapView::xOfKey(const Key &k) const
{
    return xOfUnit(m_layout.u(k));
}

double LayerMapView::xOfUnit(double u) const
{
    const QRectF p = plotArea().adjusted(kInset, kInset, -kInset, -kInset);
    return p.left() + (u - m_panX) * m_zoomX * p.width();
}

double LayerMapView::yOfLsn(std::uint64_t lsn) const
{
    const QRectF p = plotArea().adjusted(kInset, kInset, -kInset, -kInset);
    return p.bottom() - (m_layout.v(lsn) - m_panY) * m_zoomY * p.height();
}

QRectF LayerMapView::layerRect(std::size_t i) const
{
    if (!m_timeline || i >= m_timeline->layers.size() || !m_timeline->layers[i].isMapped())
        return {};
    const LayerName &n = *m_timeline->layers[i].name;
    const double x0 = xOfKey(n.keyStart), x1 = xOfKey(n.keyEnd);
    if (n.kind == LayerKind::Image) {
        const double y = yOfLsn(n.lsnStart.value);
        return QRectF(QPointF(x0, y - 1.5), QPointF(x1, y + 1.5));
    }
    return QRectF(QPointF(x0, yOfLsn(n.lsnEnd.value)), QPointF(x1, yOfLsn(n.lsnStart.value)));
}

std::optional<std::size_t> LayerMapView::layerAt(QPoint pos) const
{
    if (!m_timeline)
        return std::nullopt;
    // Images first (thin lines, drawn on top), with a few pixels of slack; then the newest delta.
    for (auto it = m_layout.order.rbegin(); it != m_layout.order.rend(); ++it) {
        const bool image = m_timeline->layers[*it].name->kind == LayerKind::Image;
        const QRectF r = layerRect(*it);
        if (image ? r.adjusted(0, -3, 0, 3).contains(pos) : r.contains(pos))
            return *it;
    }
    return std::nullopt;
}

void LayerMapView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    const QRectF plot = plotArea();
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(plot);
    if (!m_timeline || m_layout.order.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No layers to draw"));
        return;
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    p.save();
    p.setClipRect(plot);
    const QColor deltaFill(52, 152, 219, 55), deltaLine(41, 128, 185);
    const QColor l0Fill(230, 126, 34, 45), l0Line(211, 84, 0);
    const QColor imageLine(39, 174, 96), marked(231, 76, 60);
    for (std::size_t i : m_layout.order) {
        const TimelineLayer &l = m_timeline->layers[i];
        const QRectF r = layerRect(i);
        if (!r.intersects(plot))
            continue;
        const bool sel = m_selected == i;
        QPen pen;
        pen.setCosmetic(true);
        if (l.name->kind == LayerKind::Image) {
            pen.setColor(sel ? pal.color(QPalette::Highlight) : m_marked[i] ? marked : imageLine);
            pen.setWidthF(sel || m_marked[i] ? 3 : 2);
            if (!l.onDisk)
                pen.setStyle(Qt::DashLine);
            p.setPen(pen);
            p.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()));
            continue;
        }
        const bool l0 = isL0(*l.name);
        pen.setColor(sel           ? pal.color(QPalette::Highlight)
                     : m_marked[i] ? marked
                     : l0          ? l0Line
                                   : deltaLine);
        pen.setWidthF(sel || m_marked[i] ? 2.5 : 1);
        if (!l.onDisk)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.setBrush(!l.onDisk ? QBrush(Qt::NoBrush) : QBrush(l0 ? l0Fill : deltaFill));
        p.drawRect(r.adjusted(0, 0, -0.5, -0.5));
    }
    p.restore();

    // The owner band: under the plot, clipped to its width.
    double labelsTop = plot.bottom();
    if (!m_band.empty()) {
        const QRectF strip(plot.left(), plot.bottom() + 2, plot.width(), kBandHeight);
        p.save();
        p.setClipRect(strip);
        p.setPen(Qt::NoPen);
        for (const Band &b : m_band) {
            const double x0 = xOfUnit(b.u0), x1 = std::max(xOfUnit(b.u1), x0 + 1);
            if (x1 < strip.left() || x0 > strip.right())
                continue;
            p.setBrush(b.hatched ? QBrush(pal.color(QPalette::Mid), Qt::BDiagPattern)
                                 : QBrush(b.colour));
            p.drawRect(QRectF(x0, strip.top(), x1 - x0, strip.height()));
        }
        p.restore();
        labelsTop = strip.bottom();
    }

    // Axes: LSNs on the left, keys along the bottom, a label every ~90 / ~70 pixels.
    p.setPen(pal.color(QPalette::Text));
    QFont f = font();
    f.setPointSizeF(std::max(7.0, f.pointSizeF() - 1));
    p.setFont(f);
    const QFontMetrics fm(f);
    double lastY = 1e9;
    for (std::size_t i = 0; i < m_layout.lsns.size(); ++i) {
        const double y = yOfLsn(m_layout.lsns[i]);
        if (y < plot.top() - 1 || y > plot.bottom() + 1 || std::abs(y - lastY) < fm.height() * 2.5)
            continue;
        lastY = y;
        p.drawText(QRectF(0, y - fm.height() / 2.0, kLeftMargin - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter,
                   QString::fromStdString(Lsn{m_layout.lsns[i]}.toString()));
    }
    double lastX = -1e9;
    for (std::size_t i = 0; i < m_layout.keys.size(); ++i) {
        const double x = xOfKey(m_layout.keys[i]);
        const QString label = shortKey(m_layout.keys[i]);
        const double w = fm.horizontalAdvance(label);
        if (x < plot.left() - 1 || x > plot.right() + 1 || x - lastX < w + 16)
            continue;
        const double left = std::clamp(x - w / 2, plot.left(), plot.right() - w);
        if (left < lastX + 8)
            continue;
        lastX = left + w;
        p.drawText(QPointF(left, labelsTop + fm.ascent() + 4), label);
    }
    p.drawText(QRectF(plot.left(), labelsTop + fm.height() + 6, plot.width(), fm.height()),
               Qt::AlignCenter,
               tr("keys (%L1 distinct boundaries) →   ·   LSN ↑ (%L2 distinct)")
                   .arg(m_layout.keys.size())
                   .arg(m_layout.lsns.size()));
}

void LayerMapView::mousePressEvent(QMouseEvent *e)
{
    if (e->button() == Qt::LeftButton) {
        m_dragFrom = e->position();
        m_dragged = false;
    }
}

void LayerMapView::mouseMoveEvent(QMouseEvent *e)
{
    if (!m_dragFrom)
        return;
    const QPointF d = e->position() - *m_dragFrom;
    if (!m_dragged && d.manhattanLength() < 4)
        return;
    m_dragged = true;
    const QRectF p = plotArea();
    m_panX -= d.x() / (m_zoomX * p.width());
    m_panY += d.y() / (m_zoomY * p.height());
    m_dragFrom = e->position();
    update();
}

void LayerMapView::mouseReleaseEvent(QMouseEvent *e)
{
    if (e->button() != Qt::LeftButton)
        return;
    if (!m_dragged)
        if (auto i = layerAt(e->position().toPoint())) {
            setSelected(*i);
            emit layerSelected(*i);
        }
    m_dragFrom.reset();
}

void LayerMapView::mouseDoubleClickEvent(QMouseEvent *e)
{
    if (auto i = layerAt(e->position().toPoint()))
        emit layerActivated(*i);
}

void LayerMapView::wheelEvent(QWheelEvent *e)
{
    const double factor = std::pow(1.0015, e->angleDelta().y());
    const QRectF p = plotArea();
    const QPointF at = e->position();
    // Keep the unit point under the pointer where it is.
    const double u = m_panX + (at.x() - p.left()) / (m_zoomX * p.width());
    const double v = m_panY + (p.bottom() - at.y()) / (m_zoomY * p.height());
    if (!(e->modifiers() & Qt::ControlModifier))
        m_zoomX = std::clamp(m_zoomX * factor, 1.0, 1e6);
    if (!(e->modifiers() & Qt::ShiftModifier))
        m_zoomY = std::clamp(m_zoomY * factor, 1.0, 1e6);
    m_panX = u - (at.x() - p.left()) / (m_zoomX * p.width());
    m_panY = v - (p.bottom() - at.y()) / (m_zoomY * p.height());
    update();
    e->accept();
}

void LayerMapView::keyPressEvent(QKeyEvent *e)
{
    if (e->key() == Qt::Key_0) {
        resetView();
        return;
    }
    if ((e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) && m_selected) {
        emit layerActivated(*m_selected);
        return;
    }
    QWidget::keyPressEvent(e);
}

bool LayerMapView::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip && m_timeline) {
        auto *help = static_cast<QHelpEvent *>(e);
        if (const Band *b = bandAt(help->pos())) {
            QToolTip::showText(help->globalPos(), b->text, this);
        } else if (auto i = layerAt(help->pos())) {
            const TimelineLayer &l = m_timeline->layers[*i];
            const LayerName &n = *l.name;
            QString text = QStringLiteral("<b>%1</b><br>%2 %3<br>keys %4 – %5<br>%6")
                               .arg(QString::fromStdString(l.fileName).toHtmlEscaped(),
                                    n.kind == LayerKind::Image
                                        ? tr("image at")
                                        : (isL0(n) ? tr("L0 delta") : tr("delta")),
                                    n.kind == LayerKind::Image
                                        ? QString::fromStdString(n.lsnStart.toString())
                                        : QString::fromStdString(n.lsnStart.toString() + " – "
                                                                 + n.lsnEnd.toString()),
                                    shortKey(n.keyStart).toHtmlEscaped(),
                                    shortKey(n.keyEnd).toHtmlEscaped(),
                                    l.onDisk ? tr("%L1 bytes on disk").arg(l.fileSize)
                                             : tr("%L1 bytes, listed in the index only")
                                                   .arg(l.listedSize));
            if (m_hoverDetails) {
                const QString more = m_hoverDetails(*i);
                if (!more.isEmpty())
                    text += QStringLiteral("<br>") + more;
            }
            for (const std::string &p : l.indexProblems)
                text += QStringLiteral("<br><span style='color:#c0392b'>%1</span>")
                            .arg(QString::fromStdString(p).toHtmlEscaped());
            QToolTip::showText(help->globalPos(), text, this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(e);
}

} // namespace layerscope::ui
