#pragma once

#include <QIcon>
#include <QImage>

namespace layerscope::ui {

/// The application icon (stacked layers under a magnifier), painted at any size; used for the
/// window and rendered to the PNGs the installer ships.
QImage paintAppIcon(int size);
QIcon appIcon();

} // namespace layerscope::ui
