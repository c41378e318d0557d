#include "statspage.h"

#include "reporttablemodel.h"
#include "tablechart.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QSvgGenerator>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace layerscope::ui {

StatsPage::StatsPage(Layer layer, QString path, QWidget *parent)
    : QWidget(parent)
    , m_layer(std::move(layer))
    , m_path(std::move(path))
    , m_header(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
    , m_sections(new QListWidget(this))
    , m_chart(new QChartView(this))
    , m_table(new QTableView(this))
    , m_model(new ReportTableModel(this))
    , m_buttons(new QWidget(this))
{
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(260);
    m_progress->setFormat(tr("counting %p%"));
    m_cancel->setText(tr("Cancel"));
    connect(m_cancel, &QToolButton::clicked, this, &StatsPage::cancel);
    auto *top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_progress);
    top->addWidget(m_cancel);

    m_sections->setMaximumWidth(300);
    m_sections->setSpacing(2);
    m_sections->setMinimumWidth(200);
    connect(m_sections, &QListWidget::currentRowChanged, this, &StatsPage::showTable);

    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumWidth(320);
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(ReportTableModel::SortRole);
    m_table->setModel(proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);  // the report's own order until a header is clicked
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setTabKeyNavigation(false);  // Tab leaves the table (arrows move in it)
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    auto *copyAction = new QAction(tr("Copy Rows"), m_table);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetShortcut);
    connect(copyAction, &QAction::triggered, this, &StatsPage::copyRows);
    m_table->addAction(copyAction);

    auto *copy = new QPushButton(tr("&Copy Rows"), m_buttons);
    copy->setToolTip(tr("The selected rows (all when none is selected) as tab-separated text (Ctrl+C)"));
    connect(copy, &QPushButton::clicked, this, &StatsPage::copyRows);
    auto *csv = new QPushButton(tr("Export &CSV…"), m_buttons);
    connect(csv, &QPushButton::clicked, this, [this] {
        const QString suggested = QFileInfo(m_path).completeBaseName().left(40) + QLatin1Char('-') + currentSection() + ".csv";
        const QString file = QFileDialog::getSaveFileName(this, tr("Export table as CSV"), suggested, tr("CSV (*.csv)"));
        QString error;
        if (!file.isEmpty())
            emit statusMessage(exportCsv(file, &error) ? tr("Table written to %1").arg(file) : error);
    });
    auto *all = new QPushButton(tr("Export &All Tables…"), m_buttons);
    connect(all, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Directory for one CSV file per table"));
        QString error;
        if (!dir.isEmpty())
            emit statusMessage(exportAllCsv(dir, &error) ? tr("%1 tables written to %2").arg(m_tables.size()).arg(dir) : error);
    });
    auto *save = new QPushButton(tr("Save C&hart…"), m_buttons);
    m_saveChart = save;
    connect(save, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Save chart"), currentSection() + ".png",
                                                          tr("PNG image (*.png);;SVG drawing (*.svg)"));
        QString error;
        if (!file.isEmpty())
            emit statusMessage(saveChart(file, &error) ? tr("Chart saved to %1").arg(file) : error);
    });
    auto *buttons = new QHBoxLayout(m_buttons);
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(copy);
    buttons->addWidget(csv);
    buttons->addWidget(all);
    buttons->addWidget(save);
    buttons->addStretch(1);

    auto *right = new QSplitter(Qt::Horizontal);
    right->addWidget(m_chart);
    right->addWidget(m_table);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 0);
    auto *body = new QSplitter(Qt::Horizontal);
    body->addWidget(m_sections);
    body->addWidget(right);
    body->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(body, 1);
    layout->addWidget(m_buttons);

    connect(&m_job.watcher(), &QFutureWatcherBase::progressValueChanged, m_progress, &QProgressBar::setValue);
    connect(&m_job.watcher(), &QFutureWatcherBase::finished, this, &StatsPage::onFinished);
    start();
}

StatsPage::~StatsPage()
{
    cancel();
}

void StatsPage::start()
{
    cancel();
    m_stats.reset();
    m_tables.clear();
    m_error.clear();
    m_sections->clear();
    m_model->setTable({});
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    m_buttons->setEnabled(false);
    updateHeader();
    m_job.start([layer = m_layer](auto &promise) {
        StatsOptions options;
        options.progress = offsetProgress(promise, std::uint64_t(layer.summary().indexStartBlk) * 8192);
        Outcome out;
        auto stats = computeStats(layer, options);
        if (stats) {
            finishStats(*stats);
            out.stats = std::move(*stats);
        } else {
            out.error = QString::fromStdString(stats.error().message());
        }
        return out;
    });
}

void StatsPage::cancel()
{
    m_job.cancel();
}

bool StatsPage::isBusy() const
{
    return m_job.isBusy();
}

void StatsPage::onFinished()
{
    bool cancelled = false;
    std::optional<Outcome> out = m_job.take(&cancelled);
    if (!out && !cancelled)
        return;  // an earlier count's result: a newer one is running
    m_progress->hide();
    m_cancel->hide();
    if (cancelled) {
        m_error = tr("Counting was cancelled.");
        updateHeader();
        emit finished();
        return;
    }
    m_error = out->error;
    m_stats = std::move(out->stats);
    if (m_stats) {
        m_tables = statsTables(*m_stats);
        for (const Table &t : m_tables)
            m_sections->addItem(QString::fromStdString(t.title));
        m_buttons->setEnabled(true);
        if (!showSection(QStringLiteral("categories")))
            m_sections->setCurrentRow(0);
    }
    updateHeader();
    emit finished();
}

void StatsPage::updateHeader()
{
    const QString name = QFileInfo(m_path).fileName().toHtmlEscaped();
    if (!m_stats) {
        m_header->setText(m_error.isEmpty() ? tr("<b>%1</b><br>Counting entries and bytes…").arg(name)
                                            : tr("<b>%1</b><br><span style='color:#c0392b'>%2</span>")
                                                  .arg(name, m_error.toHtmlEscaped()));
        return;
    }
    const LayerStats &s = *m_stats;
    QString figures = tr("%1 · %L2 entries · %L3 keys · values %4 stored, %5 decompressed · index %6")
                          .arg(QString::fromStdString(humanBytes(s.fileBytes)))
                          .arg(s.total.entries)
                          .arg(s.keys)
                          .arg(QString::fromStdString(humanBytes(s.total.storedBytes)),
                               QString::fromStdString(humanBytes(s.total.payloadBytes)),
                               QString::fromStdString(humanBytes(s.indexBytes)));
    if (s.unreadableValues)
        figures += tr(" · <span style='color:#c0392b'>%L1 values could not be read</span>").arg(s.unreadableValues);
    m_header->setText(tr("<b>%1</b><br>%2").arg(name, figures));
}

bool StatsPage::showSection(const QString &id)
{
    for (std::size_t i = 0; i < m_tables.size(); ++i)
        if (QString::fromStdString(m_tables[i].id) == id) {
            m_sections->setCurrentRow(int(i));
            return true;
        }
    return false;
}

QString StatsPage::currentSection() const
{
    const int row = m_sections->currentRow();
    return row >= 0 && std::size_t(row) < m_tables.size() ? QString::fromStdString(m_tables[std::size_t(row)].id)
                                                          : QString();
}

void StatsPage::showTable(int index)
{
    if (index < 0 || std::size_t(index) >= m_tables.size())
        return;
    const Table &t = m_tables[std::size_t(index)];
    m_model->setTable(t);
    QChart *chart = chartForTable(t, palette());
    QChart *old = m_chart->chart();
    m_chart->setChart(chart ? chart : new QChart);
    delete old;
    m_chart->setVisible(chart != nullptr);
    // Columns as wide as their contents (a stretched last column would part labels from their
    // values); beside a chart the table is as wide as its columns and the chart takes the rest.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->resizeColumnsToContents();
    int tableWidth = m_table->verticalScrollBar()->sizeHint().width() + 2 * m_table->frameWidth() + 4;
    for (int c = 0; c < m_model->columnCount(); ++c)
        tableWidth += m_table->columnWidth(c);
    m_table->setMinimumWidth(chart ? std::min(tableWidth, 700) : 0);
    m_table->setMaximumWidth(chart ? std::min(tableWidth, 700) : QWIDGETSIZE_MAX);
    m_saveChart->setEnabled(chart != nullptr);
}

bool StatsPage::exportCsv(const QString &file, QString *error) const
{
    const int row = m_sections->currentRow();
    if (row < 0 || std::size_t(row) >= m_tables.size()) {
        if (error)
            *error = tr("No table to export yet.");
        return false;
    }
    return saveExport(file, QByteArray::fromStdString(tableCsv(m_tables[std::size_t(row)])), error);
}

bool StatsPage::exportAllCsv(const QString &dir, QString *error) const
{
    if (m_tables.empty()) {
        if (error)
            *error = tr("No table to export yet.");
        return false;
    }
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = tr("%1: cannot create the directory").arg(dir);
        return false;
    }
    for (const Table &t : m_tables)
        if (!saveExport(QDir(dir).filePath(QString::fromStdString(t.id) + ".csv"), QByteArray::fromStdString(tableCsv(t)),
                       error))
            return false;
    return true;
}

bool StatsPage::saveChart(const QString &file, QString *error) const
{
    const int row = m_sections->currentRow();
    if (row < 0 || std::size_t(row) >= m_tables.size() || m_chart->chart()->series().isEmpty()) {
        if (error)
            *error = tr("This section has no chart (only its table).");
        return false;
    }
    const QSize size = m_chart->size().expandedTo(QSize(640, 400));
    if (file.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setFileName(file);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QString::fromStdString(m_tables[std::size_t(row)].title));
        QPainter painter;
        if (!painter.begin(&svg)) {
            if (error)
                *error = tr("%1: cannot write the SVG file").arg(file);
            return false;
        }
        m_chart->render(&painter, QRectF(QPoint(0, 0), size));
        painter.end();
        if (!QFileInfo(file).isFile() || QFileInfo(file).size() == 0) {
            if (error)
                *error = tr("%1: cannot write the SVG file").arg(file);
            return false;
        }
        return true;
    }
    QPixmap pixmap(size);
    pixmap.fill(palette().color(QPalette::Base));
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        m_chart->render(&painter, QRectF(QPoint(0, 0), size));
    }
    if (!pixmap.save(file, "PNG")) {
        if (error)
            *error = tr("%1: cannot write the PNG file").arg(file);
        return false;
    }
    return true;
}

void StatsPage::copyRows() const
{
    QList<int> rows;
    const auto *proxy = static_cast<const QSortFilterProxyModel *>(m_table->model());
    for (const QModelIndex &i : m_table->selectionModel()->selectedRows())
        rows << proxy->mapToSource(i).row();
    std::sort(rows.begin(), rows.end());
    QApplication::clipboard()->setText(m_model->toTsv(rows));
}

} // namespace layerscope::ui
