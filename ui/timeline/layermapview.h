#pragma once

#include <layerscope/timeline/timeline.h>

#include <QColor>
#include <QString>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

namespace layerscope::ui {

/// The layer map of a timeline: key space across (compressed to the layers' distinct key
/// boundaries), LSN upwards (compressed to their distinct LSNs); delta layers are rectangles
/// (L0 deltas, which cover every key, in their own colour), image layers lines at their LSN,
/// layers only listed in an index drawn as outlines. Wheel zooms around the pointer (Shift:
/// keys only, Ctrl: LSNs only), dragging pans, 0 resets. Hover names the layer; a click
/// selects it, a double click asks for it to be opened. Does not own the timeline: the owner
/// keeps it alive while it is shown (setTimeline(nullptr) before releasing it).
class LayerMapView : public QWidget
{
    Q_OBJECT
public:
    explicit LayerMapView(QWidget *parent = nullptr);
    void setTimeline(const Timeline *timeline);
    /// Draws on `shared`'s key and LSN boundaries instead of the timeline's own (maps of one
    /// timeline's shard copies, stacked, line up); call after setTimeline.
    void shareBoundaries(const MapLayout &shared);

    /// A stretch of the key axis (unit coordinates, as MapLayout::u) in a colour, drawn as a
    /// band under the plot: which shard owns those keys.
    struct Band
    {
        double u0 = 0, u1 = 0;
        QColor colour;
        bool hatched = false; ///< several owners
        QString text;         ///< the hover text
    };
    /// The owner band under the plot (empty: none); follows zoom and pan like the layers.
    void setOwnerBand(std::vector<Band> band);
    /// The band's stretch at `pos`, for tests and the hover text.
    const Band *bandAt(QPoint pos) const;
    /// Highlights these layers (a read path, a filter) and scrolls nothing.
    void setMarked(std::vector<std::size_t> layers);
    void setSelected(std::optional<std::size_t> layer);
    /// More lines for a layer's hover text (HTML), computed by the owner when the pointer rests
    /// on the layer; may be empty.
    void setHoverDetails(std::function<QString(std::size_t layer)> details)
    {
        m_hoverDetails = std::move(details);
    }
    std::optional<std::size_t> selected() const { return m_selected; }
    /// The layer drawn at `pos` (widget coordinates): an image line within a few pixels, else
    /// the newest delta whose rectangle holds the point.
    std::optional<std::size_t> layerAt(QPoint pos) const;
    /// Where layer `i` is drawn (widget coordinates), for tests and tooltips.
    QRectF layerRect(std::size_t i) const;
    void resetView();

signals:
    void layerSelected(std::size_t layer);
    void layerActivated(std::size_t layer);

protected:
    void paintEvent(QPaintEvent *) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseMoveEvent(QMouseEvent *e) override;
    void mouseReleaseEvent(QMouseEvent *e) override;
    void mouseDoubleClickEvent(QMouseEvent *e) override;
    void wheelEvent(QWheelEvent *e) override;
    void keyPressEvent(QKeyEvent *e) override;
    bool event(QEvent *e) override;

private:
    /// The plot area (margins for the axes' labels).
    QRectF plotArea() const;
    double xOfKey(const Key &k) const;
    double xOfUnit(double u) const;
    double bottomMargin() const;
    double yOfLsn(std::uint64_t lsn) const;

    const Timeline *m_timeline = nullptr;
    MapLayout m_layout;
    std::vector<bool> m_marked;
    std::vector<Band> m_band;
    std::optional<std::size_t> m_selected;
    // View transform over the unit square [0,1]²: zoom and the unit point at the plot's origin.
    double m_zoomX = 1, m_zoomY = 1, m_panX = 0, m_panY = 0;
    std::optional<QPointF> m_dragFrom;
    bool m_dragged = false;
    std::function<QString(std::size_t)> m_hoverDetails;
};

} // namespace layerscope::ui
