#pragma once

// The bytes pane's commands: find, and navigation by offset and through its history.

#include "pageaction.h"

namespace layerscope::ui {

/// Edit → Find Bytes, Find Next, Find Previous.
PageActions hexFindActions();
/// Go → Go to Offset (a dialog), Back, Forward (enabled as the pane's history allows).
PageActions hexNavigationActions();

} // namespace layerscope::ui
