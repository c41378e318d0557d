#include "hexview.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace layerscope::ui {

HexView::HexView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setFont(f);
    setMinimumWidth(fontMetrics().horizontalAdvance(QString(78, '0')) + 24);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, viewport(), qOverload<>(&QWidget::update));
}

void HexView::setBytes(Bytes bytes, FileOffset base)
{
    m_bytes = bytes;
    m_base = base;
    m_highlights.clear();
    updateScrollBar();
    verticalScrollBar()->setValue(0);
    viewport()->update();
}

void HexView::setHighlights(std::vector<Highlight> highlights)
{
    m_highlights = std::move(highlights);
    viewport()->update();
}

void HexView::updateScrollBar()
{
    const int lineH = fontMetrics().height();
    const int visible = std::max(1, viewport()->height() / lineH);
    const std::uint64_t lines = lineCount();
    m_scale = std::max<std::uint64_t>(1, lines / (1u << 30) + 1);
    const std::uint64_t steps = lines / m_scale;
    verticalScrollBar()->setRange(0, int(steps > std::uint64_t(visible) ? steps - std::uint64_t(visible) + 1 : 0));
    verticalScrollBar()->setPageStep(visible);
}

FileOffset HexView::topOffset() const
{
    return m_base + std::uint64_t(verticalScrollBar()->value()) * m_scale * 16;
}

void HexView::scrollToOffset(FileOffset offset)
{
    if (offset < m_base)
        return;
    const std::uint64_t line = (offset - m_base) / 16;
    verticalScrollBar()->setValue(int(std::min<std::uint64_t>((line > 0 ? line - 1 : 0) / m_scale, INT_MAX)));
}

std::optional<FileOffset> HexView::offsetAt(QPoint pos) const
{
    const QFontMetrics fm = fontMetrics();
    const int lineH = fm.height();
    const int cw = fm.horizontalAdvance('0');
    const int hexX = cw * 11;
    const int asciiX = hexX + cw * (16 * 3 + 2);
    int column = -1;
    if (pos.x() >= asciiX && pos.x() < asciiX + 16 * cw) {
        column = (pos.x() - asciiX) / cw;
    } else if (pos.x() >= hexX - cw / 2 && pos.x() < asciiX - cw) {
        // Byte i's two digits start at hexX + cw * (3 i + (i >= 8)); the gap after each belongs to it.
        const int rel = pos.x() - (hexX - cw / 2);
        const int i = rel / (3 * cw);
        column = i >= 8 ? (rel - cw) / (3 * cw) : i;
        column = std::clamp(column, 0, 15);
    }
    if (column < 0 || pos.y() < 0)
        return std::nullopt;
    const std::uint64_t line = std::uint64_t(verticalScrollBar()->value()) * m_scale + std::uint64_t(pos.y() / lineH);
    const std::uint64_t rel = line * 16 + std::uint64_t(column);
    if (rel >= m_bytes.size())
        return std::nullopt;
    return m_base + rel;
}

QPoint HexView::pointOf(FileOffset offset) const
{
    const QFontMetrics fm = fontMetrics();
    const int cw = fm.horizontalAdvance('0');
    const std::uint64_t rel = offset - m_base;
    const std::int64_t line = std::int64_t(rel / 16) - std::int64_t(std::uint64_t(verticalScrollBar()->value()) * m_scale);
    const int i = int(rel % 16);
    return {cw * 11 + cw * (i * 3 + (i >= 8 ? 1 : 0)) + cw, int(line) * fm.height() + fm.height() / 2};
}

void HexView::mousePressEvent(QMouseEvent *event)
{
    if (const auto at = offsetAt(event->position().toPoint()))
        emit offsetClicked(*at);
    QAbstractScrollArea::mousePressEvent(event);
}

void HexView::resizeEvent(QResizeEvent *e)
{
    QAbstractScrollArea::resizeEvent(e);
    updateScrollBar();
}

void HexView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    const QPalette pal = palette();
    p.fillRect(viewport()->rect(), pal.base());
    const QFontMetrics fm = fontMetrics();
    const int lineH = fm.height();
    const int cw = fm.horizontalAdvance('0');
    const int hexX = cw * 11;
    const int asciiX = hexX + cw * (16 * 3 + 2);
    const std::uint64_t first = std::uint64_t(verticalScrollBar()->value()) * m_scale;
    const int visible = viewport()->height() / lineH + 1;
    const QColor offsetColor = pal.color(QPalette::Disabled, QPalette::Text);
    p.setPen(offsetColor);
    p.drawLine(hexX - cw, 0, hexX - cw, viewport()->height());
    p.drawLine(asciiX - cw, 0, asciiX - cw, viewport()->height());
    for (int l = 0; l < visible; ++l) {
        const std::uint64_t line = first + std::uint64_t(l);
        if (line >= lineCount())
            break;
        const int y = l * lineH;
        const std::uint64_t rel = line * 16;
        p.setPen(offsetColor);
        p.drawText(cw / 2, y + fm.ascent(), QStringLiteral("%1").arg(m_base + rel, 9, 16, QLatin1Char('0')));
        for (int i = 0; i < 16 && rel + std::uint64_t(i) < m_bytes.size(); ++i) {
            const std::uint8_t b = m_bytes[rel + std::uint64_t(i)];
            const FileOffset abs = m_base + rel + std::uint64_t(i);
            const int x = hexX + cw * (i * 3 + (i >= 8 ? 1 : 0));
            const int ax = asciiX + cw * i;
            bool highlighted = false;
            for (const Highlight &h : m_highlights)
                if (abs >= h.begin && abs < h.end) {
                    p.fillRect(QRect(x - cw / 2, y, cw * 3, lineH), h.color);
                    p.fillRect(QRect(ax, y, cw, lineH), h.color);
                    highlighted = true;
                    break;
                }
            // Zero bytes are dimmed, except where highlighted: bytes at fault stay readable.
            p.setPen(b == 0 && !highlighted ? offsetColor : pal.color(QPalette::Text));
            p.drawText(x, y + fm.ascent(), QStringLiteral("%1").arg(b, 2, 16, QLatin1Char('0')));
            p.drawText(ax, y + fm.ascent(), (b >= 0x20 && b < 0x7f) ? QString(QChar(b)) : QStringLiteral("·"));
        }
    }
}

} // namespace layerscope::ui
