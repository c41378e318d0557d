#pragma once

// The key table's commands.

#include "pageaction.h"

namespace layerscope::ui {

/// Go → Go to Key (a dialog: a key, optionally @LSN; the table then keeps the focus).
PageActions keyActions();
/// File → Export rows as CSV, as JSON (a save dialog; the table's rows as the table shows them).
PageActions keyExportActions();

} // namespace layerscope::ui
