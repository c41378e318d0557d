#pragma once

#include <QPointer>
#include <QWidget>

namespace layerscope::ui {

/// A visible focus ring: a frame in the palette's highlight colour drawn around the view that
/// holds the keyboard focus inside `area` (the nearest scroll area — table, tree, hex view,
/// graph — or the focused widget itself). Transparent to the mouse; follows moves, resizes
/// and theme changes. Owned by `area` (its parent).
class FocusRing : public QWidget
{
    Q_OBJECT
public:
    explicit FocusRing(QWidget *area);
    /// The widget the ring is drawn around, or nullptr when the focus is elsewhere.
    QWidget *target() const { return m_target; }

protected:
    void paintEvent(QPaintEvent *) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void follow(QWidget *focus);
    void place();
    QPointer<QWidget> m_target;
};

} // namespace layerscope::ui
