#pragma once

#include <QPalette>
#include <QString>

namespace layerscope::ui {

/// The application's colour scheme: the platform's, or Fusion with a light or dark palette.
enum class Theme { System, Light, Dark };

/// Applies `theme` to the application (style and palette; widgets repaint). The first call
/// remembers the platform's style and palette for Theme::System.
void applyTheme(Theme theme);
Theme currentTheme();
QString themeName(Theme theme);
/// Theme by name ("system", "light", "dark"); System for anything else.
Theme themeFromName(const QString &name);

/// Colours of the B-tree graph derived from a palette, so that every theme reads well.
struct GraphColors
{
    QColor internalFill, leafFill, problemFill, brokenFill;
    QColor border, problemBorder, brokenBorder, pathBorder, selectedBorder;
    QColor text, hint, ellipsisFill, ellipsisBorder;
    static GraphColors from(const QPalette &palette);
};

} // namespace layerscope::ui
