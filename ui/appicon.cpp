#include "appicon.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

namespace layerscope::ui {

QImage paintAppIcon(int size)
{
    QImage img(size, size, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::transparent);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 256.0, size / 256.0);
    QLinearGradient bg(0, 0, 0, 256);
    bg.setColorAt(0, QColor(0x1f, 0x3a, 0x5f));
    bg.setColorAt(1, QColor(0x0f, 0x1f, 0x33));
    p.setPen(Qt::NoPen);
    p.setBrush(bg);
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 44, 44);
    QPen green(QColor(0x00, 0xe5, 0x99), 10, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(green);
    QPainterPath top;
    top.moveTo(56, 92);
    top.lineTo(128, 56);
    top.lineTo(200, 92);
    top.lineTo(128, 128);
    top.closeSubpath();
    p.setBrush(QColor(0x00, 0xe5, 0x99, 0x33));
    p.drawPath(top);
    p.setBrush(Qt::NoBrush);
    p.drawPolyline(QPolygonF({{56, 128}, {128, 164}, {200, 128}}));
    p.drawPolyline(QPolygonF({{56, 164}, {128, 200}, {200, 164}}));
    p.setPen(QPen(Qt::white, 12));
    p.drawEllipse(QPointF(176, 176), 34, 34);
    p.setPen(QPen(Qt::white, 16, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(QPointF(200, 200), QPointF(228, 228));
    return img;
}

QIcon appIcon()
{
    QIcon icon;
    for (int s : {16, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(QPixmap::fromImage(paintAppIcon(s)));
    return icon;
}

} // namespace layerscope::ui
