#pragma once

#include <layerscope/report/table.h>

class QChart;
class QPalette;

namespace layerscope::ui {

/// Draws `table` as its ChartKind says: horizontal bars (largest on top), a histogram with
/// one bar per bucket, or a pie with each part's share. Byte values are scaled to one unit
/// (B, KiB, MiB or GiB) named in the axis title. Colours follow `palette` (light or dark).
/// Returns null for ChartKind::None or a table without values; the caller owns the chart.
QChart *chartForTable(const Table &table, const QPalette &palette);

} // namespace layerscope::ui
