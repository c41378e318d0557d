#include "tablechart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QPalette>
#include <QPieSeries>
#include <QPieSlice>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace layerscope::ui {

namespace {

/// Bars beyond this many are left to the table (the chart stays readable).
constexpr std::size_t kMaxBars = 24;

struct Scale
{
    double divisor = 1.0;
    QString unit;
};

/// One unit for every value of a column, chosen by the largest.
Scale scaleFor(const Table &table)
{
    double largest = 0;
    TableCell::Unit unit = TableCell::Unit::None;
    for (const auto &row : table.rows) {
        const TableCell &cell = row[std::size_t(table.valueColumn)];
        largest = std::max(largest, cell.number.value_or(0.0));
        if (cell.number)
            unit = cell.unit;
    }
    switch (unit) {
    case TableCell::Unit::Bytes:
        if (largest >= double(1ull << 30))
            return {double(1ull << 30), QStringLiteral("GiB")};
        if (largest >= double(1ull << 20))
            return {double(1ull << 20), QStringLiteral("MiB")};
        if (largest >= 1024.0)
            return {1024.0, QStringLiteral("KiB")};
        return {1.0, QStringLiteral("bytes")};
    case TableCell::Unit::Percent:
        return {1.0, QStringLiteral("%")};
    default:
        return {};
    }
}

QString axisTitle(const Table &table, const Scale &scale)
{
    const QString name = QString::fromStdString(table.columns[std::size_t(table.valueColumn)]);
    return scale.unit.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, scale.unit);
}

double valueOf(const Table &table, std::size_t row, const Scale &scale)
{
    return table.rows[row][std::size_t(table.valueColumn)].number.value_or(0.0) / scale.divisor;
}

QString labelOf(const Table &table, std::size_t row)
{
    return QString::fromStdString(table.rows[row][std::size_t(table.labelColumn)].text);
}

void styleAxis(QAbstractAxis *axis, const QPalette &palette)
{
    axis->setLabelsColor(palette.color(QPalette::Text));
    axis->setTitleBrush(palette.color(QPalette::Text));
    axis->setGridLineColor(palette.color(QPalette::Mid));
    axis->setLinePenColor(palette.color(QPalette::Mid));
}

void addBars(QChart *chart, const Table &table, const Scale &scale, const QPalette &palette)
{
    const bool histogram = table.chart == ChartKind::Histogram;
    const std::size_t n = histogram ? table.rows.size() : std::min(table.rows.size(), kMaxBars);
    auto *set = new QBarSet(axisTitle(table, scale));
    set->setColor(palette.color(QPalette::Highlight));
    set->setBorderColor(palette.color(QPalette::Highlight).darker(120));
    QStringList labels;
    double top = 0;
    // Horizontal bars draw the first category at the bottom: add the largest last.
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t row = histogram ? i : n - 1 - i;
        const double v = valueOf(table, row, scale);
        *set << v;
        // The exact figure as the table shows it, beside the name ("relation main  8.4 KiB").
        labels << (histogram ? labelOf(table, row)
                             : QStringLiteral("%1  %2").arg(labelOf(table, row),
                                                            QString::fromStdString(
                                                                table.rows[row][std::size_t(table.valueColumn)].text)));
        top = std::max(top, v);
    }
    QAbstractBarSeries *series = histogram ? static_cast<QAbstractBarSeries *>(new QBarSeries)
                                           : static_cast<QAbstractBarSeries *>(new QHorizontalBarSeries);
    series->append(set);
    series->setBarWidth(histogram ? 0.9 : 0.7);
    // Histogram bars carry their counts (the bucket is on the axis); bars carry them in the label.
    series->setLabelsVisible(histogram);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    series->setLabelsFormat(QStringLiteral("@value"));
    series->setLabelsPrecision(12);
    set->setLabelColor(palette.color(QPalette::Text));
    chart->addSeries(series);

    auto *categories = new QBarCategoryAxis;
    categories->append(labels);
    auto *values = new QValueAxis;
    values->setTitleText(axisTitle(table, scale));
    values->setRange(0, top > 0 ? top * 1.15 : 1.0);  // room for the labels past the bars' ends
    values->setLabelFormat(scale.divisor > 1.0 || scale.unit == QLatin1String("%") ? QStringLiteral("%.1f")
                                                                                   : QStringLiteral("%.0f"));
    values->applyNiceNumbers();
    if (histogram) {
        categories->setLabelsAngle(labels.size() > 8 ? -45 : 0);
        categories->setTitleText(QString::fromStdString(table.columns[std::size_t(table.labelColumn)]));
    }
    styleAxis(categories, palette);
    styleAxis(values, palette);
    chart->addAxis(categories, histogram ? Qt::AlignBottom : Qt::AlignLeft);
    chart->addAxis(values, histogram ? Qt::AlignLeft : Qt::AlignBottom);
    series->attachAxis(categories);
    series->attachAxis(values);
    chart->legend()->hide();
}

void addPie(QChart *chart, const Table &table, const Scale &scale, const QPalette &palette)
{
    auto *series = new QPieSeries;
    double total = 0;
    for (std::size_t r = 0; r < table.rows.size(); ++r)
        total += valueOf(table, r, scale);
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const double v = valueOf(table, r, scale);
        if (v <= 0)
            continue;  // an empty part has no slice (the table still lists it)
        QPieSlice *slice = series->append(QStringLiteral("%1 %2%").arg(labelOf(table, r)).arg(100.0 * v / total, 0, 'f', 1), v);
        slice->setLabelVisible(true);
        slice->setLabelColor(palette.color(QPalette::Text));
        slice->setBorderColor(palette.color(QPalette::Base));
    }
    series->setPieSize(0.6);
    chart->addSeries(series);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setLabelColor(palette.color(QPalette::Text));
}

} // namespace

QChart *chartForTable(const Table &table, const QPalette &palette)
{
    if (table.chart == ChartKind::None || table.rows.empty() || table.valueColumn < 0
        || std::size_t(table.valueColumn) >= table.columns.size())
        return nullptr;
    const Scale scale = scaleFor(table);
    auto *chart = new QChart;
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundRoundness(0);
    chart->setTitle(QString::fromStdString(table.title));
    chart->setTitleBrush(palette.color(QPalette::Text));
    chart->setAnimationOptions(QChart::NoAnimation);
    if (table.chart == ChartKind::Pie)
        addPie(chart, table, scale, palette);
    else
        addBars(chart, table, scale, palette);
    return chart;
}

} // namespace layerscope::ui
