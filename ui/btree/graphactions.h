#pragma once

// The B-tree graph's commands.

#include "pageaction.h"

namespace layerscope::ui {

/// View → Zoom In, Zoom Out, Fit Tree.
PageActions graphActions();

} // namespace layerscope::ui
