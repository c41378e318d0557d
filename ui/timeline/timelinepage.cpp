#include "timelinepage.h"

#include "page/pagehistorypanel.h"

#include "hex/hexview.h"
#include "timeline/layermapview.h"

#include <layerscope/report/table.h>
#include <layerscope/timeline/index_part.h>
#include <layerscope/timeline/local_timeline.h>
#include <layerscope/timeline/remote_timeline.h>

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
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace layerscope::ui {

namespace {

enum Column { NameColumn, KindColumn, LsnColumn, SizeColumn, NotesColumn, ColumnCount };
enum ProblemColumn { SeverityColumn, CheckColumn, LayerColumn, MessageColumn, ProblemColumnCount };
/// The layer a row is about (Timeline::layers index; absent for a timeline-wide problem).
constexpr int kLayerRole = Qt::UserRole + 1;
constexpr int kSortRole = Qt::UserRole + 2;

/// A read-only cell of a layer or problem row.
QStandardItem *cell(const QString &text, std::optional<std::size_t> layer, const QVariant &sortKey)
{
    auto *it = new QStandardItem(text);
    it->setEditable(false);
    if (layer)
        it->setData(QVariant::fromValue(qulonglong(*layer)), kLayerRole);
    it->setData(sortKey, kSortRole);
    return it;
}

std::optional<std::size_t> layerOf(const QModelIndex &index)
{
    const QVariant v = index.siblingAtColumn(0).data(kLayerRole);
    return v.isValid() ? std::optional(std::size_t(v.toULongLong())) : std::nullopt;
}

/// A table of the timeline page: rows selected whole, Tab leaves it (arrows move inside).
void setUpTable(QTableView *view, QAbstractItemModel *model)
{
    view->setModel(model);
    view->setSortingEnabled(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setTabKeyNavigation(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->setWordWrap(false);
}

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
    , m_sideTabs(new QTabWidget(this))
    , m_problemsView(new QTableView(this))
    , m_problems(new QStandardItemModel(0, ProblemColumnCount, this))
    , m_find(new QLineEdit(this))
    , m_findTabs(new QTabWidget(this))
    , m_result(new QTextBrowser(this))
    , m_pagePanel(new PageHistoryPanel(this))
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
    m_proxy->setSortRole(kSortRole);
    setUpTable(m_list, m_proxy);
    m_result->setTabChangesFocus(true);
    m_filter->setPlaceholderText(tr("Filter layers (name, kind, LSN, notes)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter,
            &QLineEdit::textChanged,
            m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_list->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex &i) { m_map->setSelected(layerOf(i)); });
    connect(m_list, &QTableView::activated, this, [this](const QModelIndex &i) {
        if (const auto layer = layerOf(i))
            activate(*layer);
    });
    connect(m_map, &LayerMapView::layerSelected, this, &TimelinePage::selectLayer);
    connect(m_map, &LayerMapView::layerActivated, this, &TimelinePage::activate);
    m_map->setHoverDetails([this](std::size_t layer) { return entriesText(layer); });

    m_problems->setHorizontalHeaderLabels({tr("Severity"), tr("Check"), tr("Layer"), tr("Message")});
    m_problems->setSortRole(kSortRole);
    setUpTable(m_problemsView, m_problems);
    // A problem's row selects its layer on the map and in the list; Enter or a double click
    // opens it.
    connect(m_problemsView->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex &i) {
                if (const auto layer = layerOf(i)) {
                    m_map->setSelected(layer);
                    selectLayer(*layer);
                }
            });
    connect(m_problemsView, &QTableView::activated, this, [this](const QModelIndex &i) {
        if (const auto layer = layerOf(i))
            activate(*layer);
    });

    m_find->setPlaceholderText(
        tr("KEY@LSN, e.g. rel 1663/16384/2619 blk 7@1BC/B5734CD8 (or the key's 36 hex digits)"));
    m_find->setToolTip(QString::fromLatin1(kKeyAtSyntax));
    auto *findButton = new QPushButton(tr("Find Read Path"), this);
    connect(findButton, &QPushButton::clicked, this, [this] { findKey(m_find->text()); });
    connect(m_find, &QLineEdit::returnPressed, this, [this] { findKey(m_find->text()); });
    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_find, 1);
    findRow->addWidget(findButton);

    auto *layersTab = new QWidget(this);
    auto *ll = new QVBoxLayout(layersTab);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addWidget(m_filter);
    ll->addWidget(m_list, 1);
    m_sideTabs->addTab(layersTab, tr("Layers"));
    m_sideTabs->addTab(m_problemsView, tr("Problems"));

    m_result->setHtml(tr(
        "<p style='color:gray'>Type a key and an LSN above (KEY@LSN) and press Enter: the layers "
        "Neon's read path visits, newest first, and the chain of values each one holds — down to "
        "the base image or will_init record — are listed here. The Page tab rebuilds the page, "
        "record by record: Neon's records and Postgres's, replayed offline.</p>"));
    m_findTabs->addTab(m_result, tr("Read Path"));
    m_findTabs->addTab(m_pagePanel, tr("Page"));
    connect(m_pagePanel, &PageHistoryPanel::pgVersionChanged, this, [this] {
        if (m_readPath)
            findKey(m_find->text());
    });
    auto *findBox = new QWidget(this);
    auto *fl = new QVBoxLayout(findBox);
    fl->setContentsMargins(0, 0, 0, 0);
    fl->addLayout(findRow);
    fl->addWidget(m_findTabs, 1);

    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_sideTabs);
    right->addWidget(findBox);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
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
        return load(path, index, [&promise](int percent) {
            promise.setProgressValue(percent);
            return !promise.isCanceled();
        });
    });
}

TimelinePage::Outcome TimelinePage::load(const QString &path,
                                         const QString &index,
                                         const std::function<bool(int)> &progress)
{
    Outcome out;
    auto listedFrom = [&](const QString &file) -> std::optional<IndexPart> {
        auto index = readIndexPart(file.toStdString());
        if (!index) {
            out.error = tr("%1: %2").arg(file, QString::fromStdString(index.error().message()));
            return std::nullopt;
        }
        return std::move(*index);
    };
    if (isTimelinePrefix(path.toStdString())) {
        // In an object store: listed, cross-checked with its live index, layers opened in
        // place (each object once per command: the summaries here, values later).
        std::optional<IndexPart> listed;
        if (!index.isEmpty())
            listed = listedFrom(index);
        const RemoteOptions options = RemoteOptions::interactive();
        auto prefix = parseObjectUrl(path.toStdString());
        auto t = prefix ? openRemoteTimeline(
                     *prefix,
                     options,
                     [options](const std::string &url) -> Result<std::shared_ptr<const ByteSource>> {
                         auto r = RemoteSource::open(url, options);
                         if (!r)
                             return r.error();
                         return std::shared_ptr<const ByteSource>(std::move(*r));
                     },
                     listed)
                        : Result<Timeline>(prefix.error());
        if (t)
            out.timeline = std::move(*t);
        else
            out.error = QString::fromStdString(t.error().message());
    } else if (QFileInfo(path).isFile()) {
        if (auto listed = listedFrom(path)) {
            out.timeline = timelineFromIndex(*listed);
            out.timeline->dir = path.toStdString();
        }
    } else {
        std::optional<IndexPart> listed;
        if (index.isEmpty() || (listed = listedFrom(index))) {
            if (auto t = openLocalTimeline(path.toStdString(), listed))
                out.timeline = std::move(*t);
            else
                out.error = QString::fromStdString(t.error().message());
        }
    }
    if (out.timeline) {
        const std::size_t n = std::max<std::size_t>(1, out.timeline->layers.size());
        readSummaries(*out.timeline, 0, [&](std::size_t done) {
            return progress(int(100 * done / n));
        });
        out.problems = checkTimeline(*out.timeline);
    }
    return out;
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
        if (m_timeline->pgVersion)
            m_pagePanel->setPgVersion(int(*m_timeline->pgVersion), tr("from index_part.json"));
        if (m_timeline)
            fillProblems(out->problems);
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
        problems += !l.indexProblems.empty() || !l.disagreements.empty() || !l.shardMissing.empty()
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
    if (m_timeline->gcCutoff)
        line += tr(" · GC cutoff %1").arg(QString::fromStdString(m_timeline->gcCutoff->toString()));
    if (!m_timeline->ancestorTimeline.empty())
        line += tr(" · ancestor %1 at %2")
                    .arg(QString::fromStdString(m_timeline->ancestorTimeline),
                         QString::fromStdString(
                             m_timeline->ancestorLsn ? m_timeline->ancestorLsn->toString() : "?"));
    const QString title = m_index.isEmpty()
                              ? m_path.toHtmlEscaped()
                              : tr("%1</b>, cross-checked with <b>%2")
                                    .arg(m_path.toHtmlEscaped(), m_index.toHtmlEscaped());
    m_header->setText(tr("<b>%1</b><br>%2").arg(title, line));
    emit statusMessage(
        tr("%1: %2 layers")
            .arg(isTimelinePrefix(m_path.toStdString()) ? m_path : QFileInfo(m_path).fileName())
            .arg(m_timeline->layers.size()));
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
        const QString shard = !l.otherShard ? QString()
                              : l.otherShard->empty()
                                  ? tr("the unsharded tenant")
                                  : tr("shard %1").arg(QString::fromStdString(*l.otherShard));
        if (!l.shardMissing.empty())
            notes << tr("missing from %1's directory: reads of its keys fail").arg(shard);
        else if (l.otherShard)
            notes << tr("from %1 (a split's parent)").arg(shard);
        else if (!l.onDisk)
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
        const QString kind = !l.name                            ? QString()
                             : l.name->kind == LayerKind::Image ? tr("image")
                                                                : tr("delta");
        row << cell(QString::fromStdString(l.fileName), i, QString::fromStdString(l.fileName))
            << cell(kind, i, kind)
            << cell(l.name ? lsnText(*l.name) : QString(),
                    i,
                    QVariant::fromValue(qulonglong(l.name ? l.name->lsnStart.value : 0)))
            << cell(QString::fromStdString(humanBytes(size)),
                    i,
                    QVariant::fromValue(qulonglong(size)))
            << cell(notes.join(QStringLiteral("; ")), i, notes.join(QStringLiteral("; ")));
        row.first()->setToolTip(QString::fromStdString(l.fileName));
        // Red for a problem; a parent shard's layer found where it belongs is only a note.
        const bool problem = !l.indexProblems.empty() || !l.shardMissing.empty()
                             || !l.disagreements.empty()
                             || (l.onDisk
                                 && (!l.summaryError.empty() || !l.name
                                     || !l.name->tempSuffix.empty()));
        if (!notes.isEmpty() && l.name && problem)
            row.last()->setForeground(QColor(0xc0, 0x39, 0x2b));
        m_model->appendRow(row);
    }
    m_list->sortByColumn(LsnColumn, Qt::DescendingOrder); // newest first
    m_list->setColumnWidth(NameColumn, 300);
    m_list->resizeColumnToContents(KindColumn);
    m_list->resizeColumnToContents(LsnColumn);
    m_list->resizeColumnToContents(SizeColumn);
}

QString TimelinePage::entriesText(std::size_t layer)
{
    if (!m_timeline || layer >= m_timeline->layers.size() || !m_timeline->layers[layer].onDisk)
        return {};
    m_entriesText.resize(m_timeline->layers.size());
    if (!m_entriesText[layer]) {
        const auto n = countEntries(m_timeline->layers[layer].path);
        m_entriesText[layer] = n ? (*n == 1 ? tr("1 entry") : tr("%L1 entries").arg(*n))
                                 : tr("<span style='color:#c0392b'>index unreadable: %1</span>")
                                       .arg(QString::fromStdString(n.error().message())
                                                .toHtmlEscaped());
    }
    return *m_entriesText[layer];
}

void TimelinePage::fillProblems(const std::vector<TimelineProblem> &problems)
{
    m_problems->removeRows(0, m_problems->rowCount());
    std::size_t errors = 0, warnings = 0;
    for (std::size_t i = 0; i < problems.size(); ++i) {
        const TimelineProblem &p = problems[i];
        errors += p.severity == Severity::Error;
        warnings += p.severity == Severity::Warning;
        const std::optional<std::size_t> layer = p.layer == TimelineProblem::npos
                                                     ? std::nullopt
                                                     : std::optional(p.layer);
        const QString where = layer ? QString::fromStdString(m_timeline->layers[*layer].fileName)
                                    : tr("(the timeline)");
        // Severity first, then the order checkTimeline reports in.
        QList<QStandardItem *> row{
            cell(QString::fromLatin1(severityName(p.severity)),
                 layer,
                 qulonglong(p.severity) << 32 | i),
            cell(QString::fromStdString(p.check), layer, QString::fromStdString(p.check)),
            cell(where, layer, where),
            cell(QString::fromStdString(p.message), layer, QString::fromStdString(p.message))};
        row[0]->setIcon(style()->standardIcon(
            p.severity == Severity::Error     ? QStyle::SP_MessageBoxCritical
            : p.severity == Severity::Warning ? QStyle::SP_MessageBoxWarning
                                              : QStyle::SP_MessageBoxInformation));
        row[2]->setToolTip(where);
        row[3]->setToolTip(QString::fromStdString(p.message));
        m_problems->appendRow(row);
    }
    m_problemsView->sortByColumn(SeverityColumn, Qt::AscendingOrder);
    m_problemsView->resizeColumnToContents(SeverityColumn);
    m_problemsView->resizeColumnToContents(CheckColumn);
    m_problemsView->setColumnWidth(LayerColumn, 260);
    m_sideTabs->setTabText(1,
                           problems.empty() ? tr("Problems")
                                            : tr("Problems (%L1)").arg(problems.size()));
    m_sideTabs->setTabToolTip(1,
                              tr("%L1 errors, %L2 warnings, %L3 notes from the timeline checks")
                                  .arg(errors)
                                  .arg(warnings)
                                  .arg(problems.size() - errors - warnings));
}

void TimelinePage::selectLayer(std::size_t layer)
{
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        if (layerOf(m_proxy->index(r, 0)) == layer) {
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
    if (m_find->text() != keyAt)
        m_find->setText(keyAt);
    const auto request = parseKeyAt(keyAt.toStdString());
    if (!m_timeline || !request) {
        m_result->setHtml(tr("<p style='color:#c0392b'>%1</p>")
                              .arg(!m_timeline ? tr("The timeline is not loaded.")
                                               : tr("Expected %1.")
                                                     .arg(QString::fromLatin1(kKeyAtSyntax))
                                                     .toHtmlEscaped()));
        m_findTabs->setCurrentIndex(0);
        return false;
    }
    const Key &key = request->key;
    const Lsn lsn = request->lsn;
    m_readPath = findReadPath(*m_timeline, key, lsn);
    const auto chain = readChain(*m_timeline, *m_readPath);
    std::vector<std::size_t> marked;
    QString html = tr("<p><b>%1</b> (%2) at <b>%3</b>: the layers Neon reads, newest first</p><ol>")
                       .arg(QString::fromStdString(key.toHex()),
                            QString::fromStdString(key.describe()).toHtmlEscaped(),
                            QString::fromStdString(lsn.toString()));
    // The chain is oldest first; the steps list their values newest first.
    std::size_t next = chain ? chain->size() : 0;
    for (const ReadStep &s : m_readPath->steps) {
        const TimelineLayer &l = m_timeline->layers[s.layer];
        marked.push_back(s.layer);
        html += tr("<li>%1<br>reads [%2, %3): %L4 value(s)")
                    .arg(QString::fromStdString(l.fileName).toHtmlEscaped(),
                         QString::fromStdString(s.lsnFloor.toString()),
                         QString::fromStdString(s.endLsn.toString()))
                    .arg(s.values.size());
        if (!s.values.empty())
            html += QStringLiteral("<ul>");
        for (const Entry &e : s.values) {
            const ChainValue *v = chain && next ? &(*chain)[--next] : nullptr;
            const QString at = QString::fromStdString(
                (l.name->kind == LayerKind::Image ? l.name->lsnStart : e.lsn).toString());
            html += tr("<li><b>%1</b> %2 <span style='color:gray'>(%L3 bytes stored, blob at "
                       "0x%4)</span>%5</li>")
                        .arg(at,
                             v ? QString::fromStdString(describeChainValue(v->value)).toHtmlEscaped()
                               : QStringLiteral("?"))
                        .arg(v ? v->storedLen : 0)
                        .arg(e.blobOffset, 0, 16)
                        .arg(l.name->kind == LayerKind::Delta && e.willInit
                                 ? tr(" — <b>will_init</b>")
                                 : QString());
        }
        if (!s.values.empty())
            html += QStringLiteral("</ul>");
        html += QStringLiteral("</li>");
    }
    html += QStringLiteral("</ol>");
    html += m_readPath->complete
                ? tr("<p style='color:#27ae60'><b>Complete</b>: the chain reaches an image or a "
                     "will_init record.</p>")
                : tr("<p style='color:#c0392b'><b>Broken</b>: %1</p>")
                      .arg(QString::fromStdString(m_readPath->why).toHtmlEscaped());
    if (!chain)
        html += tr("<p style='color:#c0392b'><b>The chain cannot be read</b>: %1</p>")
                    .arg(QString::fromStdString(chain.error().message()).toHtmlEscaped());
    m_redo.reset();
    if (chain && m_readPath->complete) {
        m_redo = redoChain(key, *chain, {true, true, m_pagePanel->pgVersion()});
        html += tr("<p><b>Page</b>: %1</p>")
                    .arg(QString::fromStdString(m_redo->message).toHtmlEscaped());
    }
    m_result->setHtml(html);
    showPage(key, lsn);
    m_map->setMarked(std::move(marked));
    return true;
}

HexView *TimelinePage::pageView() const
{
    return m_pagePanel->hexView();
}

QLabel *TimelinePage::pageCaption() const
{
    return m_pagePanel->caption();
}

void TimelinePage::showPage(const Key &key, Lsn lsn)
{
    const QString what = QString::fromStdString(key.describe()).toHtmlEscaped();
    if (!m_redo || (m_redo->page.empty() && m_redo->steps.empty())) {
        m_pagePanel->clear(
            m_redo ? tr("No page for %1 at %2: %3")
                         .arg(what,
                              QString::fromStdString(lsn.toString()),
                              QString::fromStdString(m_redo->message).toHtmlEscaped())
                   : tr("No page for %1 at %2: the read path is broken or cannot be "
                        "read (see Read Path).")
                         .arg(what, QString::fromStdString(lsn.toString())));
        return;
    }
    m_pagePanel->setRedo(key, lsn, *m_redo);
}

} // namespace layerscope::ui
