#include "diffpage.h"

#include "hex/hexview.h"
#include "stats/reporttablemodel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

namespace layerscope::ui {

namespace {

QString kindWord(const Layer &layer)
{
    const Summary &s = layer.summary();
    return s.kind == LayerKind::Image
               ? QObject::tr("image at %1").arg(QString::fromStdString(s.lsnStart.toString()))
               : QObject::tr("delta %1–%2").arg(QString::fromStdString(s.lsnStart.toString()),
                                                 QString::fromStdString(s.lsnEnd.toString()));
}

/// One side of the values pane: a title, the payload in hex, its decoded view.
QWidget *sidePane(QLabel *title, HexView *hex, QTextBrowser *decoded)
{
    auto *w = new QWidget;
    auto *l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    title->setTextFormat(Qt::RichText);
    title->setWordWrap(true);
    l->addWidget(title);
    l->addWidget(hex, 3);
    l->addWidget(decoded, 2);
    return w;
}

} // namespace

DiffPage::DiffPage(Layer a, QString pathA, Layer b, QString pathB, QWidget *parent)
    : QWidget(parent)
    , m_a(std::move(a))
    , m_b(std::move(b))
    , m_pathA(std::move(pathA))
    , m_pathB(std::move(pathB))
    , m_header(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
    , m_summary(new QTableView(this))
    , m_summaryModel(new ReportTableModel(this))
    , m_kind(new QComboBox(this))
    , m_text(new QLineEdit(this))
    , m_count(new QLabel(this))
    , m_table(new QTableView(this))
    , m_model(new DiffModel(this))
    , m_filter(new DiffFilterModel(this))
    , m_titleA(new QLabel(this))
    , m_titleB(new QLabel(this))
    , m_hexA(new HexView(this))
    , m_hexB(new HexView(this))
    , m_decodedA(new QTextBrowser(this))
    , m_decodedB(new QTextBrowser(this))
{
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(260);
    m_progress->setFormat(tr("comparing %p%"));
    m_cancel->setText(tr("Cancel"));
    connect(m_cancel, &QToolButton::clicked, this, &DiffPage::cancel);
    auto *top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_progress);
    top->addWidget(m_cancel);

    m_summary->setModel(m_summaryModel);
    m_summary->setTabKeyNavigation(false);  // Tab leaves the tables (arrows move in them)
    m_table->setTabKeyNavigation(false);
    m_summary->verticalHeader()->hide();
    m_summary->horizontalHeader()->setStretchLastSection(true);
    m_summary->hide();

    m_kind->addItem(tr("All differences"), QString());
    m_kind->addItem(tr("Changed"), QStringLiteral("changed"));
    m_kind->addItem(tr("Only in A"), QStringLiteral("only-in-a"));
    m_kind->addItem(tr("Only in B"), QStringLiteral("only-in-b"));
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setKind(m_kind->currentData().toString());
        updateCount();
    });
    m_count->setObjectName(QStringLiteral("differenceCount"));
    m_text->setPlaceholderText(tr("Filter by key (hex or described, e.g. 1663/5/16384)"));
    m_text->setClearButtonEnabled(true);
    connect(m_text, &QLineEdit::textChanged, this, [this](const QString &t) {
        m_filter->setText(t);
        updateCount();
    });
    auto *csv = new QPushButton(tr("Export &CSV…"), this);
    csv->setToolTip(tr("The differences shown, as CSV"));
    connect(csv, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export differences"), QStringLiteral("differences.csv"),
                                                          tr("CSV (*.csv)"));
        QString error;
        if (!file.isEmpty())
            emit statusMessage(exportCsv(file, &error) ? tr("Differences written to %1").arg(file) : error);
    });
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show:"), this));
    filters->addWidget(m_kind);
    filters->addWidget(m_text, 1);
    filters->addWidget(m_count);
    filters->addWidget(csv);

    m_filter->setSourceModel(m_model);
    m_filter->setSortRole(DiffModel::SortRole);
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);  // key order until a header is clicked
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DiffPage::showSides);

    for (QTextBrowser *d : {m_decodedA, m_decodedB}) {
        d->setOpenLinks(false);
        d->setTabChangesFocus(true);
    }
    auto *values = new QSplitter(Qt::Horizontal);
    values->addWidget(sidePane(m_titleA, m_hexA, m_decodedA));
    values->addWidget(sidePane(m_titleB, m_hexB, m_decodedB));
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_table);
    split->addWidget(values);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_summary);
    layout->addLayout(filters);
    layout->addWidget(split, 1);

    connect(&m_job.watcher(), &QFutureWatcherBase::progressValueChanged, m_progress, &QProgressBar::setValue);
    connect(&m_job.watcher(), &QFutureWatcherBase::finished, this, &DiffPage::onFinished);
    showSides({});
    start();
}

DiffPage::~DiffPage()
{
    cancel();
}

void DiffPage::start()
{
    cancel();
    m_report.reset();
    m_error.clear();
    m_model->setDifferences({}, false);
    m_summaryModel->setTable({});
    m_summary->hide();
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    updateHeader();
    m_job.start([a = m_a, b = m_b](auto &promise) {
        DiffOptions options;
        options.progress = offsetProgress(promise, std::uint64_t(a.summary().indexStartBlk) * 8192);
        Outcome out;
        char failed = 0;
        auto report = diffLayers(
            a, b,
            [&out](const EntryDifference &d) {
                if (out.listed.size() >= kMaxListed)
                    return false;
                out.listed.push_back(d);
                return true;
            },
            options, &failed);
        if (report)
            out.report = std::move(*report);
        else
            out.error = QObject::tr("Layer %1: %2").arg(QChar(failed ? failed : 'A'),
                                                        QString::fromStdString(report.error().message()));
        return out;
    });
}

void DiffPage::cancel()
{
    m_job.cancel();
}

bool DiffPage::isBusy() const
{
    return m_job.isBusy();
}

void DiffPage::onFinished()
{
    bool cancelled = false;
    std::optional<Outcome> taken = m_job.take(&cancelled);
    if (!taken && !cancelled)
        return;  // an earlier comparison's result: a newer one is running
    m_progress->hide();
    m_cancel->hide();
    if (cancelled) {
        m_error = tr("The comparison was cancelled.");
        updateHeader();
        emit finished();
        return;
    }
    Outcome &out = *taken;
    m_error = out.error;
    m_report = std::move(out.report);
    const bool delta = m_a.kind() == LayerKind::Delta || m_b.kind() == LayerKind::Delta;
    m_model->setDifferences(std::move(out.listed), delta);
    m_table->resizeColumnsToContents();
    if (m_report && !(m_report->summary.empty() && m_report->layout.empty())) {
        Table t{"summary", "Summary fields", {"Field", "A", "B", "Meaning"}, {}, ChartKind::None, 0, -1};
        for (const SummaryDifference &d : m_report->summary)
            t.rows.push_back({textCell(d.field), textCell(d.a), textCell(d.b), textCell("content")});
        for (const SummaryDifference &d : m_report->layout)
            t.rows.push_back({textCell(d.field), textCell(d.a), textCell(d.b),
                              textCell("layout: where the index lies (not a difference in content)")});
        m_summaryModel->setTable(std::move(t));
        m_summary->resizeColumnsToContents();
        // As tall as its rows (up to six), so the differences keep the space.
        const int rows = std::min(m_summaryModel->rowCount(), 6);
        m_summary->setFixedHeight(m_summary->horizontalHeader()->sizeHint().height()
                                  + rows * m_summary->verticalHeader()->defaultSectionSize() + 2 * m_summary->frameWidth());
        m_summary->show();
    }
    updateHeader();
    updateCount();
    if (m_filter->rowCount() > 0)
        selectRow(0);
    emit finished();
}

void DiffPage::updateHeader()
{
    const QString names = tr("<b>A</b> %1 <span style='color:gray'>(%2)</span><br><b>B</b> %3 "
                             "<span style='color:gray'>(%4)</span>")
                              .arg(QFileInfo(m_pathA).fileName().toHtmlEscaped(), kindWord(m_a),
                                   QFileInfo(m_pathB).fileName().toHtmlEscaped(), kindWord(m_b));
    QString result;
    if (!m_error.isEmpty()) {
        result = tr("<span style='color:#c0392b'>%1</span>").arg(m_error.toHtmlEscaped());
    } else if (!m_report) {
        result = tr("Comparing…");
    } else {
        const DiffReport &r = *m_report;
        const QString counts = tr("%L1 changed · %L2 only in A · %L3 only in B · %L4 equal · %L5 summary field(s)")
                                   .arg(r.changed)
                                   .arg(r.onlyInA)
                                   .arg(r.onlyInB)
                                   .arg(r.equal)
                                   .arg(r.summary.size());
        result = r.same() ? tr("<span style='color:#27ae60'><b>Same content</b></span> — %1").arg(counts)
                          : tr("<span style='color:#c0392b'><b>Different</b></span> — %1").arg(counts);
        if (r.keysOnly)
            result += tr(" <i>(an image against a delta: keys compared, not values)</i>");
    }
    m_header->setText(names + QStringLiteral("<br>") + result);
}

void DiffPage::updateCount()
{
    if (!m_report) {
        m_count->clear();
        return;
    }
    const std::uint64_t all = m_report->changed + m_report->onlyInA + m_report->onlyInB;
    QString text = tr("%L1 shown").arg(m_filter->rowCount());
    if (std::uint64_t(m_model->rowCount()) < all)
        text += tr(" (the first %L1 of %L2 differences are listed)").arg(m_model->rowCount()).arg(all);
    m_count->setText(text);
}

void DiffPage::selectRow(int row)
{
    const QModelIndex index = m_filter->index(row, 0);
    if (!index.isValid())
        return;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void DiffPage::showSides(const QModelIndex &current)
{
    const EntryDifference *d = current.isValid() ? m_model->difference(m_filter->mapToSource(current).row()) : nullptr;
    m_hexA->setBytes({});
    m_hexB->setBytes({});
    m_sides = d ? readDiffSides(m_a, m_b, *d) : DiffSides{};
    const QColor mark(231, 76, 60, 110);
    std::vector<HexView::Highlight> marks;
    for (const ByteRange &r : m_sides.runs)
        marks.push_back({FileOffset(r.begin), FileOffset(r.end), mark});
    auto show = [&](QChar side, bool has, const ByteVector &bytes, const QString &error, const QString &html,
                    const std::optional<Entry> &entry, QLabel *title, HexView *hex, QTextBrowser *decoded) {
        if (!d) {
            title->setText(tr("<b>%1</b> — select a difference to see both values").arg(side));
            decoded->clear();
            return;
        }
        if (!has) {
            title->setText(tr("<b>%1</b> — <i>no such entry in %1</i>").arg(side));
            decoded->clear();
            return;
        }
        title->setText(tr("<b>%1</b> — value of %L2 bytes (decompressed), blob at 0x%3%4")
                           .arg(side)
                           .arg(bytes.size())
                           .arg(entry->blobOffset, 0, 16)
                           .arg(m_sides.runs.empty() ? QString()
                                                     : tr(", <span style='color:#c0392b'>%L1 differing run(s)</span>")
                                                           .arg(m_sides.runs.size())));
        hex->setBytes(Bytes(bytes.data(), bytes.size()), 0);
        hex->setHighlights(marks);
        if (!m_sides.runs.empty())
            hex->scrollToOffset(FileOffset(m_sides.runs.front().begin));
        decoded->setHtml(error.isEmpty() ? html : tr("<p style='color:#c0392b'>%1</p>%2").arg(error.toHtmlEscaped(), html));
    };
    show(QLatin1Char('A'), m_sides.hasA, m_sides.a, m_sides.errorA, m_sides.htmlA, d ? d->a : std::nullopt, m_titleA,
         m_hexA, m_decodedA);
    show(QLatin1Char('B'), m_sides.hasB, m_sides.b, m_sides.errorB, m_sides.htmlB, d ? d->b : std::nullopt, m_titleB,
         m_hexB, m_decodedB);
}

bool DiffPage::exportCsv(const QString &file, QString *error) const
{
    QList<int> rows;
    for (int r = 0; r < m_filter->rowCount(); ++r)
        rows << m_filter->mapToSource(m_filter->index(r, 0)).row();
    return saveExport(file, m_model->toCsv(rows), error);
}

} // namespace layerscope::ui
