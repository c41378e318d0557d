#include "theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace layerscope::ui {

namespace {
struct Original
{
    bool saved = false;
    QString style;
    QPalette palette;
};
Original &original()
{
    static Original o;
    return o;
}
Theme &current()
{
    static Theme t = Theme::System;
    return t;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8f, 0x98));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x38, 0x3d));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xd9));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::Mid, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Light, QColor(0x50, 0x53, 0x58));
    for (auto role : {QPalette::Text, QPalette::WindowText, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x7a, 0x7e, 0x86));
    return p;
}

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}
} // namespace

void applyTheme(Theme theme)
{
    Original &o = original();
    if (!o.saved) {
        o.saved = true;
        o.style = QApplication::style()->name();
        o.palette = QApplication::palette();
    }
    current() = theme;
    switch (theme) {
    case Theme::System:
        QApplication::setStyle(QStyleFactory::create(o.style));
        QApplication::setPalette(o.palette);
        break;
    case Theme::Light:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
        break;
    case Theme::Dark:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
        break;
    }
}

Theme currentTheme()
{
    return current();
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
    }
    return QStringLiteral("system");
}

Theme themeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

GraphColors GraphColors::from(const QPalette &pal)
{
    const QColor base = pal.color(QPalette::Base), text = pal.color(QPalette::Text);
    const bool dark = base.lightnessF() < 0.5;
    GraphColors c;
    // Tints of the base colour: blue for internal nodes, green for leaves, red for problems.
    c.internalFill = mix(base, QColor(0x4a, 0x86, 0xe8), dark ? 0.30 : 0.18);
    c.leafFill = mix(base, QColor(0x3c, 0xb3, 0x71), dark ? 0.28 : 0.18);
    c.problemFill = mix(base, QColor(0xe7, 0x4c, 0x3c), dark ? 0.35 : 0.22);
    c.brokenFill = mix(base, text, 0.15);
    c.border = mix(base, text, 0.55);
    c.problemBorder = dark ? QColor(0xff, 0x6b, 0x5b) : QColor(0xc0, 0x39, 0x2b);
    c.brokenBorder = mix(base, text, 0.45);
    c.pathBorder = QColor(0xf3, 0x9c, 0x12);
    c.selectedBorder = dark ? QColor(0xff, 0x8c, 0x2a) : QColor(0xd3, 0x54, 0x00);
    c.text = text;
    c.hint = mix(base, text, 0.75);
    c.ellipsisFill = mix(base, text, 0.06);
    c.ellipsisBorder = mix(base, text, 0.4);
    return c;
}

} // namespace layerscope::ui
