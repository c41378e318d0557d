#pragma once

#include <layerscope/base/bytes.h>

#include <QAbstractScrollArea>
#include <QColor>

#include <optional>
#include <vector>

namespace layerscope::ui {

/// Offset | hex | ASCII view over a byte span, virtualised: only visible lines are painted,
/// so a multi-GiB mapping scrolls instantly. Does not own the bytes; the owner keeps them
/// alive while they are shown (setBytes({}) before releasing them).
class HexView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    struct Highlight
    {
        FileOffset begin;
        FileOffset end;
        QColor color;
    };

    explicit HexView(QWidget *parent = nullptr);
    /// `base` is the offset shown for bytes[0].
    void setBytes(Bytes bytes, FileOffset base = 0);
    void setHighlights(std::vector<Highlight> highlights);
    /// Scrolls so that `offset` (absolute) is on the second visible line.
    void scrollToOffset(FileOffset offset);
    FileOffset topOffset() const;
    Bytes bytes() const { return m_bytes; }
    FileOffset base() const { return m_base; }
    /// The absolute offset of the byte drawn at `pos` (hex or ASCII column), if any.
    std::optional<FileOffset> offsetAt(QPoint pos) const;
    /// The centre of byte `offset`'s hex digits in viewport coordinates (it may be off screen).
    QPoint pointOf(FileOffset offset) const;
    const std::vector<Highlight> &highlights() const { return m_highlights; }

signals:
    /// A byte was clicked (hex or ASCII column).
    void offsetClicked(quint64 offset);

protected:
    void paintEvent(QPaintEvent *) override;
    void mousePressEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *) override;

private:
    void updateScrollBar();
    std::uint64_t lineCount() const { return (m_bytes.size() + 15) / 16; }
    Bytes m_bytes;
    FileOffset m_base = 0;
    std::vector<Highlight> m_highlights;
    std::uint64_t m_scale = 1;  // lines per scrollbar step (files beyond INT_MAX lines)
};

} // namespace layerscope::ui
