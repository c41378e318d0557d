#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// One cell: text for people, and the exact number when the cell holds one (CSV, sorting and
/// charts use the number, never the rounded text).
struct TableCell
{
    enum class Unit { None, Count, Bytes, Percent, Ratio };
    std::string text;
    std::optional<double> number;
    Unit unit = Unit::None;
};

TableCell textCell(std::string text);
/// A count: "1234567", number 1234567.
TableCell countCell(std::uint64_t n);
/// A byte size: "1.50 MiB", number 1572864.
TableCell bytesCell(std::uint64_t n);
/// A share in percent: "12.3%", number 12.3456.
TableCell percentCell(double percent);
/// A ratio: "2.41x", number 2.4132.
TableCell ratioCell(double ratio);

/// How a table is best drawn: bars (one per row), a histogram (rows are ordered buckets), a
/// pie (rows are the parts of a whole), or not at all.
enum class ChartKind { None, Bars, Histogram, Pie };

/// A titled table of report data, rendered as text, CSV, a model or a chart by its user.
struct Table
{
    std::string id;     ///< short and file-name safe ("categories"); the CSV file's name
    std::string title;  ///< "Bytes by key category"
    std::vector<std::string> columns;
    std::vector<std::vector<TableCell>> rows;
    ChartKind chart = ChartKind::None;
    int labelColumn = 0;   ///< the chart's labels
    int valueColumn = -1;  ///< the chart's values (numeric cells)
};

/// "512 B", "1.5 KiB", "2.00 MiB", "3.00 GiB".
std::string humanBytes(std::uint64_t n);
/// One RFC 4180 CSV line (ending in CRLF) of cells, for streaming rows.
std::string csvLine(const std::vector<TableCell> &cells);
/// RFC 4180 CSV: a header row, then one line per row; numeric cells as exact numbers, text
/// quoted when it holds a comma, quote or line break.
std::string tableCsv(const Table &table);
/// Aligned columns for a terminal (numbers right-aligned), indented by two spaces.
std::string tableText(const Table &table);

} // namespace layerscope
