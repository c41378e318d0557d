#include "pagehistorypanel.h"

#include "details/fieldtreemodel.h"
#include "hex/hexview.h"
#include "pagehistorymodel.h"

#include <layerscope/dissect/dissect.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace layerscope::ui {

PageHistoryPanel::PageHistoryPanel(QWidget *parent)
    : QWidget(parent)
    , m_caption(new QLabel(this))
    , m_steps(new QTableView(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_mode(new QComboBox(this))
    , m_version(new QComboBox(this))
    , m_fieldView(new QTreeView(this))
    , m_fields(new FieldTreeModel(this))
    , m_hex(new HexView(this))
    , m_model(new PageHistoryModel(this))
{
    m_caption->setWordWrap(true);
    m_caption->setTextFormat(Qt::RichText);
    m_steps->setModel(m_model);
    m_steps->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_steps->setSelectionMode(QAbstractItemView::SingleSelection);
    m_steps->setTabKeyNavigation(false); // Tab leaves the list; the arrows step through it
    m_steps->verticalHeader()->hide();
    m_steps->verticalHeader()->setDefaultSectionSize(m_steps->fontMetrics().height() + 6);
    m_steps->horizontalHeader()->setStretchLastSection(true);
    m_steps->setAccessibleName(tr("Records applied to the page"));
    m_slider->setAccessibleName(tr("Step through the records"));
    m_slider->setPageStep(1);
    m_mode->addItem(tr("Highlight: bytes changed since the base"));
    m_mode->addItem(tr("Highlight: bytes this record changed"));
    m_version->addItem(tr("Postgres version unknown"), kPgVersionUnknown);
    for (int v = kPgVersionFirst; v <= kPgVersionLast; ++v)
        m_version->addItem(tr("Postgres %1 records").arg(v), v);
    m_version->setAccessibleName(tr("Postgres version of the records"));
    m_version->setToolTip(tr("Whose record formats the chain's Postgres records have: the "
                             "timeline's index_part.json says (pg_version); unknown, records "
                             "whose format differs between versions are not replayed."));
    m_fieldView->setModel(m_fields);
    m_fieldView->setUniformRowHeights(true);
    m_fieldView->setAlternatingRowColors(true);
    m_fieldView->setIndentation(14);
    m_fieldView->header()->setStretchLastSection(false);
    m_fieldView->header()->setSectionResizeMode(FieldTreeModel::ValueColumn, QHeaderView::Stretch);
    m_fieldView->setAccessibleName(tr("Page fields"));

    auto *left = new QWidget(this);
    auto *ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addWidget(m_steps, 1);
    ll->addWidget(m_slider);
    auto *choices = new QHBoxLayout;
    choices->addWidget(m_mode, 1);
    choices->addWidget(m_version);
    ll->addLayout(choices);
    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_fieldView);
    right->addWidget(m_hex);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_caption);
    layout->addWidget(split, 1);

    connect(m_steps->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    selectStep(current.row());
            });
    connect(m_slider, &QSlider::valueChanged, this, &PageHistoryPanel::selectStep);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] { showStep(currentStep()); });
    connect(m_version, &QComboBox::activated, this, [this] {
        m_versionSource = tr("chosen");
        emit pgVersionChanged(pgVersion());
    });
    connect(m_fieldView->selectionModel(),
            &QItemSelectionModel::currentChanged,
            this,
            &PageHistoryPanel::showField);
    clear(tr("Find a key at an LSN: the page is rebuilt here, record by record."));
}

void PageHistoryPanel::clear(const QString &caption)
{
    m_redo = Redo{};
    m_model->setSteps({});
    m_fields->clear();
    m_hex->setBytes({});
    m_hex->setHighlights({});
    m_slider->setRange(0, 0);
    m_slider->setEnabled(false);
    m_caption->setText(caption);
}

int PageHistoryPanel::pgVersion() const
{
    return m_version->currentData().toInt();
}

void PageHistoryPanel::setPgVersion(int version, const QString &source)
{
    const int i = m_version->findData(version);
    m_version->setCurrentIndex(i < 0 ? 0 : i);
    m_versionSource = source;
}

void PageHistoryPanel::setRedo(const Key &key, Lsn lsn, Redo redo)
{
    m_redo = std::move(redo);
    m_what = tr("%1 at %2")
                 .arg(QString::fromStdString(key.describe()).toHtmlEscaped(),
                      QString::fromStdString(lsn.toString()));
    m_model->setSteps(std::move(m_redo.steps));
    m_redo.steps.clear();
    m_steps->resizeColumnsToContents();
    const int last = m_model->rowCount() - 1;
    m_slider->setRange(0, std::max(0, last));
    m_slider->setEnabled(last > 0);
    selectStep(last);
}

int PageHistoryPanel::currentStep() const
{
    return m_slider->value();
}

void PageHistoryPanel::setHighlightMode(Highlight mode)
{
    m_mode->setCurrentIndex(mode == Highlight::ThisStep ? 1 : 0);
}

void PageHistoryPanel::selectStep(int row)
{
    if (!m_model->step(row))
        return;
    if (m_slider->value() != row) {
        m_slider->setValue(row); // calls back here
        return;
    }
    const QModelIndex idx = m_model->index(row, 0);
    if (m_steps->currentIndex().row() != row) {
        m_steps->setCurrentIndex(idx);
        m_steps->scrollTo(idx);
    }
    showStep(row);
}

void PageHistoryPanel::showStep(int row)
{
    const RedoStep *s = m_model->step(row);
    if (!s)
        return;
    const ByteVector &page = s->page;
    m_hex->setBytes(Bytes(page.data(), page.size()));
    const bool thisStep = m_mode->currentIndex() == 1;
    const auto &base = m_model->steps().front().page;
    const auto ranges = thisStep ? s->changed : changedRanges(base, page);
    std::vector<HexView::Highlight> marks;
    std::uint64_t bytes = 0;
    const QColor mark(0xf1, 0xc4, 0x0f, 150);
    std::pair<std::uint32_t, std::uint32_t> largest{0, 0};
    for (const auto &[a, b] : ranges) {
        marks.push_back({a, b, mark});
        bytes += b - a;
        if (b - a > largest.second - largest.first)
            largest = {a, b};
    }
    m_hex->setHighlights(std::move(marks));
    m_hex->scrollToOffset(largest.first); // the tuple a record wrote, more than its header bits
    m_fields->setRoot(dissectPgPage(Bytes(page.data(), page.size())));
    m_fieldView->expandToDepth(0);
    m_fieldView->resizeColumnToContents(FieldTreeModel::NameColumn);
    const int n = m_model->rowCount();
    const bool last = row == n - 1;
    const bool rebuilt = m_redo.outcome == Redo::Outcome::Reconstructed;
    QString text;
    if (last && rebuilt)
        text = tr("<b>%1</b>: the page Neon returns, %L2 bytes; %L3 record(s) applied on the base "
                  "image, %L4 byte(s) they changed highlighted.")
                   .arg(m_what)
                   .arg(page.size())
                   .arg(m_redo.applied)
                   .arg(bytes);
    else
        text = tr("<b>%1</b>, step %L2 of %L3 (%4 at %5, %6): %L7 byte(s) %8 highlighted.")
                   .arg(m_what)
                   .arg(row + 1)
                   .arg(n)
                   .arg(QString::fromStdString(s->kind).toHtmlEscaped(),
                        QString::fromStdString(s->lsn.toString()),
                        m_model
                            ->data(m_model->index(row, PageHistoryModel::ActionColumn),
                                   Qt::DisplayRole)
                            .toString())
                   .arg(bytes)
                   .arg(thisStep ? tr("this record changed") : tr("changed since the base"));
    if (!rebuilt && last)
        text += tr("<br><span style='color:#c0392b'>The next record cannot be applied: %1</span>")
                    .arg(QString::fromStdString(m_redo.message).toHtmlEscaped());
    text += pgVersion() == kPgVersionUnknown
                ? tr(" <span style='color:gray'>(Postgres version unknown: records whose format "
                     "differs between versions are not replayed)</span>")
                : tr(" <span style='color:gray'>(Postgres %1 records replayed offline; version "
                     "%2)</span>")
                      .arg(pgVersion())
                      .arg(m_versionSource.isEmpty() ? tr("chosen") : m_versionSource);
    m_caption->setText(text);
}

void PageHistoryPanel::showField()
{
    const Field *f = m_fields->field(m_fieldView->currentIndex());
    std::vector<HexView::Highlight> marks = m_hex->highlights();
    const QColor sel = palette().highlight().color();
    marks.erase(std::remove_if(marks.begin(),
                               marks.end(),
                               [&](const HexView::Highlight &h) { return h.color == sel; }),
                marks.end());
    if (f && f->length) {
        marks.insert(marks.begin(), {f->offset, f->end(), sel});
        m_hex->scrollToOffset(f->offset);
    }
    m_hex->setHighlights(std::move(marks));
}

} // namespace layerscope::ui
