#include "timelinepage.h"

#include "timeline/layermapview.h"

#include <layerscope/index_part.h>
#include <layerscope/table.h>

#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace layerscope::ui {

namespace {

enum Column { NameColumn, KindColumn, LsnColumn, SizeColumn, NotesColumn, ColumnCount };
constexpr int kLayerRole = Qt::UserRole + 1;

QString lsnText(const LayerName &n)
{
    return n.kind == LayerKind::Image
               ? QString::fromStdString(n.lsnStart.toString())
               : QString::fromStdString(n.lsnStart.toString() + " – " + n.lsnEnd.toString());
}

} // namespace

TimelinePage::TimelinePage(QString path, QString index, QWidget *parent)
    : QWidget(parent)
    , m_path(std::move(path))
    , m_index(std::move(index))
    , m_header(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_map(new LayerMapView(this))
    , m_filter(new QLineEdit(this))
    , m_list(new QTableView(this))
    , m_model(new QStandardItemModel(0, ColumnCount, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_find(new QLineEdit(this))
    , m_result(new QTextBrowser(this))
{
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(260);
    m_progress->setFormat(tr("reading summaries %p%"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_progress);

    m_model->setHorizontalHeaderLabels(
        {tr("Layer"), tr("Kind"), tr("LSN"), tr("Size"), tr("Notes")});
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(kLayerRole + 1);
    m_list->setModel(m_proxy);
    m_list->setSortingEnabled(true);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setTabKeyNavigation(false); // Tab leaves the list (arrows move in it)
    m_result->setTabChangesFocus(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->verticalHeader()->hide();
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->setWordWrap(false);
    m_filter->setPlaceholderText(tr("Filter layers (name, kind, LSN, notes)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter,
            &QLineEdit::textChanged,
            m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_list->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex &i) {
                if (i.isValid())
                    m_map->setSelected(
                        std::size_t(m_proxy->index(i.row(), 0).data(kLayerRole).toULongLong()));
            });
    connect(m_list, &QTableView::activated, this, [this](const QModelIndex &i) {
        activate(std::size_t(m_proxy->index(i.row(), 0).data(kLayerRole).toULongLong()));
    });
    connect(m_map, &LayerMapView::layerSelected, this, &TimelinePage::selectLayer);
    connect(m_map, &LayerMapView::layerActivated, this, &TimelinePage::activate);

    m_find->setPlaceholderText(
        tr("KEY@LSN, e.g. 000000067F00004005000060F300039A4000@1BC/B5734CD8"));
    auto *findButton = new QPushButton(tr("Find Read Path"), this);
    connect(findButton, &QPushButton::clicked, this, [this] { findKey(m_find->text()); });
    connect(m_find, &QLineEdit::returnPressed, this, [this] { findKey(m_find->text()); });
    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_find, 1);
    findRow->addWidget(findButton);

    auto *right = new QWidget(this);
    auto *rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(m_filter);
    rl->addWidget(m_list, 3);
    rl->addLayout(findRow);
    rl->addWidget(m_result, 2);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_map);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    m_header->setText(tr("<b>%1</b><br>Reading the layers…").arg(m_path.toHtmlEscaped()));
    connect(&m_job.watcher(),
            &QFutureWatcherBase::progressValueChanged,
            m_progress,
            &QProgressBar::setValue);
    connect(&m_job.watcher(), &QFutureWatcherBase::finished, this, &TimelinePage::onFinished);
    m_job.start([path = m_path, index = m_index](auto &promise) {
        promise.setProgressRange(0, 100);
        Outcome out;
        auto listedFrom = [&](const QString &file) -> std::optional<IndexPart> {
            auto index = readIndexPart(file.toStdString());
            if (!index) {
                out.error = tr("%1: %2").arg(file, QString::fromStdString(index.error().message()));
                return std::nullopt;
            }
            return std::move(*index);
        };
        if (QFileInfo(path).isFile()) {
            if (auto listed = listedFrom(path)) {
                out.timeline = timelineFromIndex(*listed);
                out.timeline->dir = path.toStdString();
            }
        } else if (auto t = scanTimeline(path.toStdString())) {
            out.timeline = std::move(*t);
            if (!index.isEmpty()) {
                if (auto listed = listedFrom(index))
                    mergeIndex(*out.timeline, *listed);
                else
                    out.timeline.reset();
            }
        } else {
            out.error = QString::fromStdString(t.error().message());
        }
        if (out.timeline) {
            const std::size_t n = std::max<std::size_t>(1, out.timeline->layers.size());
            readSummaries(*out.timeline, 0, [&](std::size_t done) {
                promise.setProgressValue(int(100 * done / n));
                return !promise.isCanceled();
            });
        }
        return out;
    });
}

TimelinePage::~TimelinePage()
{
    m_map->setTimeline(nullptr);
    m_job.cancel();
}

void TimelinePage::onFinished()
{
    bool cancelled = false;
    std::optional<Outcome> out = m_job.take(&cancelled);
    m_progress->hide();
    if (cancelled) {
        m_error = tr("Reading the timeline was cancelled.");
    } else if (out) {
        m_error = out->error;
        m_timeline = std::move(out->timeline);
    }
    if (!m_timeline) {
        m_header->setText(tr("<b>%1</b><br><span style='color:#c0392b'>%2</span>")
                              .arg(m_path.toHtmlEscaped(), m_error.toHtmlEscaped()));
        emit finished();
        return;
    }
    m_map->setTimeline(&*m_timeline);
    fillList();
    std::size_t images = 0, deltas = 0, other = 0, problems = 0, onDisk = 0;
    std::uint64_t bytes = 0;
    for (const TimelineLayer &l : m_timeline->layers) {
        if (!l.name)
            ++other;
        else
            ++(l.name->kind == LayerKind::Image ? images : deltas);
        onDisk += l.onDisk;
        bytes += l.onDisk ? l.fileSize : l.listedSize;
        problems += !l.indexProblems.empty() || !l.disagreements.empty()
                    || (l.name && l.onDisk && !l.summaryError.empty());
    }
    QString line = tr("%L1 image and %L2 delta layers, %3")
                       .arg(images)
                       .arg(deltas)
                       .arg(QString::fromStdString(humanBytes(bytes)));
    if (other)
        line += tr(" · %L1 other files").arg(other);
    if (onDisk < m_timeline->layers.size())
        line += tr(" · %L1 only listed in the index (outlines)")
                    .arg(m_timeline->layers.size() - onDisk);
    line += problems ? tr(" · <span style='color:#c0392b'>%L1 with problems</span>").arg(problems)
                     : tr(" · no problems");
    m_header->setText(tr("<b>%1</b><br>%2").arg(m_path.toHtmlEscaped(), line));
    emit statusMessage(
        tr("%1: %2 layers").arg(QFileInfo(m_path).fileName()).arg(m_timeline->layers.size()));
    emit finished();
}

void TimelinePage::fillList()
{
    m_model->removeRows(0, m_model->rowCount());
    for (std::size_t i = 0; i < m_timeline->layers.size(); ++i) {
        const TimelineLayer &l = m_timeline->layers[i];
        QStringList notes;
        if (!l.name)
            notes << tr("not a layer name: %1").arg(QString::fromStdString(l.nameError));
        else if (!l.name->tempSuffix.empty())
            notes << tr("temporary file");
        if (!l.onDisk)
            notes << tr("not on disk");
        for (const std::string &p : l.indexProblems)
            if (p != "listed in the index but not on disk")
                notes << QString::fromStdString(p);
        for (const std::string &d : l.disagreements)
            notes << tr("summary: %1").arg(QString::fromStdString(d));
        if (l.name && l.onDisk && !l.summaryError.empty())
            notes << tr("summary unreadable: %1").arg(QString::fromStdString(l.summaryError));
        const std::uint64_t size = l.onDisk ? l.fileSize : l.listedSize;
        QList<QStandardItem *> row;
        auto item = [&](const QString &text, const QVariant &sortKey) {
            auto *it = new QStandardItem(text);
            it->setEditable(false);
            it->setData(QVariant::fromValue(qulonglong(i)), kLayerRole);
            it->setData(sortKey, kLayerRole + 1);
            row << it;
        };
        item(QString::fromStdString(l.fileName), QString::fromStdString(l.fileName));
        row.last()->setToolTip(QString::fromStdString(l.fileName));
        item(!l.name                            ? QString()
             : l.name->kind == LayerKind::Image ? tr("image")
                                                : tr("delta"),
             !l.name                            ? QString()
             : l.name->kind == LayerKind::Image ? QStringLiteral("image")
                                                : QStringLiteral("delta"));
        item(l.name ? lsnText(*l.name) : QString(),
             QVariant::fromValue(qulonglong(l.name ? l.name->lsnStart.value : 0)));
        item(QString::fromStdString(humanBytes(size)), QVariant::fromValue(qulonglong(size)));
        item(notes.join(QStringLiteral("; ")), notes.join(QStringLiteral("; ")));
        if (!notes.isEmpty() && (l.name && (l.onDisk || !l.indexProblems.empty())))
            row.last()->setForeground(QColor(0xc0, 0x39, 0x2b));
        m_model->appendRow(row);
    }
    m_list->sortByColumn(LsnColumn, Qt::DescendingOrder); // newest first
    m_list->setColumnWidth(NameColumn, 300);
    m_list->resizeColumnToContents(KindColumn);
    m_list->resizeColumnToContents(LsnColumn);
    m_list->resizeColumnToContents(SizeColumn);
}

void TimelinePage::selectLayer(std::size_t layer)
{
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        if (std::size_t(m_proxy->index(r, 0).data(kLayerRole).toULongLong()) == layer) {
            m_list->selectionModel()->setCurrentIndex(m_proxy->index(r, 0),
                                                      QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
            m_list->scrollTo(m_proxy->index(r, 0));
            return;
        }
}

void TimelinePage::activate(std::size_t layer)
{
    if (!m_timeline || layer >= m_timeline->layers.size())
        return;
    const TimelineLayer &l = m_timeline->layers[layer];
    if (!l.onDisk) {
        emit statusMessage(tr("%1 is only listed in the index: there is no file to open")
                               .arg(QString::fromStdString(l.fileName)));
        return;
    }
    emit openLayer(QString::fromStdString(l.path));
}

bool TimelinePage::findKey(const QString &keyAt)
{
    const QStringList parts = keyAt.trimmed().split(QLatin1Char('@'));
    const auto key = parts.size() == 2 ? Key::fromHex(parts[0].trimmed().toStdString())
                                       : std::nullopt;
    const auto lsn = parts.size() == 2 ? Lsn::parse(parts[1].trimmed().toStdString())
                                       : std::nullopt;
    if (!m_timeline || !key || !lsn) {
        m_result->setHtml(
            tr("<p style='color:#c0392b'>%1</p>")
                .arg(!m_timeline
                         ? tr("The timeline is not loaded.")
                         : tr("Expected KEY@LSN: 36 hex digits, then @, then the LSN as X/Y or 16 "
                              "hex digits.")));
        return false;
    }
    m_readPath = findReadPath(*m_timeline, *key, *lsn);
    std::vector<std::size_t> marked;
    QString html = tr("<p><b>%1</b> (%2) at <b>%3</b>: the layers Neon reads, newest first</p><ol>")
                       .arg(QString::fromStdString(key->toHex()),
                            QString::fromStdString(key->describe()).toHtmlEscaped(),
                            QString::fromStdString(lsn->toString()));
    for (const ReadStep &s : m_readPath->steps) {
        const TimelineLayer &l = m_timeline->layers[s.layer];
        marked.push_back(s.layer);
        html += tr("<li>%1<br>reads [%2, %3): %L4 value(s)")
                    .arg(QString::fromStdString(l.fileName).toHtmlEscaped(),
                         QString::fromStdString(s.lsnFloor.toString()),
                         QString::fromStdString(s.endLsn.toString()))
                    .arg(s.values.size());
        if (!s.values.empty()) {
            html += QStringLiteral("<ul>");
            for (const Entry &e : s.values)
                html += tr("<li>%1 — blob at 0x%2%3</li>")
                            .arg(l.name->kind == LayerKind::Image
                                     ? tr("image at %1")
                                           .arg(QString::fromStdString(l.name->lsnStart.toString()))
                                     : QString::fromStdString(e.lsn.toString()))
                            .arg(e.blobOffset, 0, 16)
                            .arg(l.name->kind == LayerKind::Delta && e.willInit
                                     ? tr(" — <b>will_init</b>")
                                     : QString());
            html += QStringLiteral("</ul>");
        }
        html += QStringLiteral("</li>");
    }
    html += QStringLiteral("</ol>");
    html += m_readPath->complete
                ? tr("<p style='color:#27ae60'><b>Complete</b>: the chain reaches an image or a "
                     "will_init record.</p>")
                : tr("<p style='color:#c0392b'><b>Broken</b>: %1</p>")
                      .arg(QString::fromStdString(m_readPath->why).toHtmlEscaped());
    m_result->setHtml(html);
    m_map->setMarked(std::move(marked));
    return true;
}

} // namespace layerscope::ui
