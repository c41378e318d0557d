#include <layerscope/report/table.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace layerscope {

TableCell textCell(std::string text)
{
    return {std::move(text), std::nullopt};
}

TableCell countCell(std::uint64_t n)
{
    return {fmt::format("{}", n), double(n), TableCell::Unit::Count};
}

TableCell bytesCell(std::uint64_t n)
{
    return {humanBytes(n), double(n), TableCell::Unit::Bytes};
}

TableCell percentCell(double percent)
{
    return {fmt::format("{:.1f}%", percent), percent, TableCell::Unit::Percent};
}

TableCell ratioCell(double ratio)
{
    return {fmt::format("{:.2f}x", ratio), ratio, TableCell::Unit::Ratio};
}

std::string humanBytes(std::uint64_t n)
{
    if (n >= (1ull << 30))
        return fmt::format("{:.2f} GiB", double(n) / double(1ull << 30));
    if (n >= (1ull << 20))
        return fmt::format("{:.2f} MiB", double(n) / double(1ull << 20));
    if (n >= (1ull << 10))
        return fmt::format("{:.1f} KiB", double(n) / 1024.0);
    return fmt::format("{} B", n);
}

namespace {

std::string csvField(const TableCell &cell)
{
    if (cell.number) {
        const double v = *cell.number;
        if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0)
            return fmt::format("{}", std::int64_t(v));
        return fmt::format("{}", v);
    }
    if (cell.text.find_first_of(",\"\r\n") == std::string::npos)
        return cell.text;
    std::string out = "\"";
    for (char c : cell.text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

/// Display width of UTF-8 text (code points; the tables hold no wide characters).
std::size_t width(const std::string &s)
{
    return std::size_t(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

} // namespace

std::string csvLine(const std::vector<TableCell> &cells)
{
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
        if (c)
            out += ',';
        out += csvField(cells[c]);
    }
    return out + "\r\n";
}

std::string tableCsv(const Table &table)
{
    std::vector<TableCell> header;
    for (const std::string &c : table.columns)
        header.push_back(textCell(c));
    std::string out = csvLine(header);
    for (const auto &row : table.rows)
        out += csvLine(row);
    return out;
}

std::string tableText(const Table &table)
{
    std::vector<std::size_t> widths(table.columns.size(), 0);
    for (std::size_t c = 0; c < table.columns.size(); ++c)
        widths[c] = width(table.columns[c]);
    for (const auto &row : table.rows)
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], width(row[c].text));
    auto line = [&](auto cellAt, auto numericAt) {
        std::string out;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string text = cellAt(c);
            const std::string pad(widths[c] - std::min(widths[c], width(text)), ' ');
            out += "  " + (numericAt(c) ? pad + text : text + pad);
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out + '\n';
    };
    auto numericColumn = [&](std::size_t c) {
        return !table.rows.empty() && c < table.rows.front().size() && table.rows.front()[c].number.has_value();
    };
    std::string out = line([&](std::size_t c) { return table.columns[c]; }, numericColumn);
    for (const auto &row : table.rows)
        out += line([&](std::size_t c) { return c < row.size() ? row[c].text : std::string(); }, numericColumn);
    return out;
}

} // namespace layerscope
