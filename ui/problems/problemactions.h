#pragma once

// The Problems pane's commands.

#include "pageaction.h"

namespace layerscope::ui {

/// Go → Next Problem (F8), Previous Problem (Shift+F8), Validate Again (F5).
PageActions problemActions();

} // namespace layerscope::ui
