#include "shardspage.h"

#include "timeline/layermapview.h"

#include <layerscope/io/remote.h>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

namespace layerscope::ui {

namespace {

enum Column {
    ShardColumn,
    LayersColumn,
    SizeColumn,
    LsnColumn,
    ProblemsColumn,
    PathColumn,
    ColumnCount
};
constexpr int kCopyRole = Qt::UserRole + 1;
constexpr int kMapHeight = 230;

QString shardName(const Timeline &t)
{
    return t.shard && !t.shard->empty() ? QString::fromStdString(*t.shard)
                                        : ShardsPage::tr("(unsharded)");
}

QColor colourOf(const std::optional<std::string> &slug)
{
    const auto shard = ShardIdentity::fromSlug(slug.value_or(""));
    return QColor(QString::fromStdString(shardColour(shard ? shard->number : 0)));
}

} // namespace

ShardsPage::ShardsPage(QString path, QWidget *parent)
    : QWidget(parent)
    , m_path(std::move(path))
    , m_header(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_table(new QTableView(this))
    , m_model(new QStandardItemModel(0, ColumnCount, this))
    , m_problemText(new QLabel(this))
    , m_mapsLayout(new QVBoxLayout)
{
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setText(tr("<b>%1</b><br>looking for the timeline's copies on the tenant's shards…")
                          .arg(m_path.toHtmlEscaped()));
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(260);
    m_progress->setFormat(tr("reading copies %p%"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_progress);

    m_model->setHorizontalHeaderLabels({tr("Shard"),
                                        tr("Layers"),
                                        tr("Size"),
                                        tr("disk_consistent_lsn"),
                                        tr("Problems"),
                                        tr("Path")});
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setTabKeyNavigation(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->setToolTip(tr("Enter or double-click: open this shard's copy of the timeline"));
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &i) {
        const QVariant copy = i.siblingAtColumn(0).data(kCopyRole);
        if (copy.isValid() && copy.toULongLong() < m_copies.size())
            emit openTimeline(QString::fromStdString(m_copies[copy.toULongLong()].dir));
    });
    m_problemText->setTextFormat(Qt::RichText);
    m_problemText->setWordWrap(true);
    m_problemText->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *upper = new QWidget(this);
    auto *upperLayout = new QVBoxLayout(upper);
    upperLayout->setContentsMargins(0, 0, 0, 0);
    upperLayout->addWidget(m_table);
    upperLayout->addWidget(m_problemText);
    upperLayout->addStretch(1);
    auto *mapsHolder = new QWidget(this);
    mapsHolder->setLayout(m_mapsLayout);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(mapsHolder);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(upper);
    split->addWidget(scroll);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    connect(&m_job.watcher(),
            &QFutureWatcher<WorkerJob<Outcome>::Tagged>::progressValueChanged,
            m_progress,
            &QProgressBar::setValue);
    connect(&m_job.watcher(),
            &QFutureWatcher<WorkerJob<Outcome>::Tagged>::finished,
            this,
            &ShardsPage::onFinished);
    m_job.start([path = m_path](QPromise<WorkerJob<Outcome>::Tagged> &promise) {
        return load(path, [&promise](int percent) {
            promise.setProgressValue(std::min(percent, 99));
            return !promise.isCanceled();
        });
    });
}

ShardsPage::~ShardsPage()
{
    for (LayerMapView *m : m_maps)
        m->setTimeline(nullptr);
    m_job.cancel();
}

ShardsPage::Outcome ShardsPage::load(const QString &path, const std::function<bool(int)> &progress)
{
    Outcome out;
    auto copies = timelineCopies(path.toStdString(), 0, RemoteOptions::interactive());
    if (!copies) {
        out.error = QString::fromStdString(copies.error().message());
        return out;
    }
    // An unsharded tenant's one copy is a timeline page's to read.
    if (copies->paths.size() == 1 && copies->slugs.front().empty()) {
        out.copies = std::move(*copies);
        return out;
    }
    const std::size_t n = copies->paths.size();
    for (std::size_t i = 0; i < n; ++i) {
        bool stopped = false;
        out.read.push_back(
            TimelinePage::load(QString::fromStdString(copies->paths[i]), {}, [&](int percent) {
                stopped = !progress(int((100 * i + percent) / n));
                return !stopped;
            }));
        if (stopped || !progress(int(100 * (i + 1) / n)))
            return {};
    }
    out.copies = std::move(*copies);
    return out;
}

void ShardsPage::onFinished()
{
    bool cancelled = false;
    std::optional<Outcome> out = m_job.take(&cancelled);
    m_progress->hide();
    if (cancelled || !out || !out->copies) {
        m_error = cancelled || !out ? tr("Reading the copies was cancelled.") : out->error;
        m_header->setText(tr("<b>%1</b><br><span style='color:#c0392b'>%2</span>")
                              .arg(m_path.toHtmlEscaped(), m_error.toHtmlEscaped()));
        emit finished();
        return;
    }
    if (out->read.empty()) {
        emit unsharded(QString::fromStdString(out->copies->paths.front()));
        emit finished();
        return;
    }
    m_count = out->copies->count;
    m_stripe = out->copies->stripe;
    std::vector<ShardTimeline> set;
    QStringList unread;
    for (std::size_t i = 0; i < out->read.size(); ++i) {
        TimelinePage::Outcome &r = out->read[i];
        if (!r.timeline) {
            unread << tr("%1: %2").arg(QString::fromStdString(out->copies->paths[i]), r.error);
            continue;
        }
        if (const auto s = ShardTimeline::of(*r.timeline))
            set.push_back(*s);
        m_copyProblems.push_back(r.problems.size());
        m_copies.push_back(std::move(*r.timeline));
    }
    m_problems = checkShardSet(set);

    std::size_t current = 0;
    for (const Timeline &t : m_copies)
        if (const auto s = ShardIdentity::fromSlug(t.shard.value_or("")); s && s->count == m_count)
            ++current;
    const auto place = parseLayoutPath(m_path.toStdString() + "/");
    m_header->setText(
        tr("<b>Timeline %1 of tenant %2</b><br>%3 copies: %4 of the %5 shards%6 · stripe %L7 "
           "pages (%8)")
            .arg(place ? QString::fromStdString(place->timeline) : m_path,
                 place ? QString::fromStdString(place->tenant) : QString(),
                 QString::number(m_copies.size()),
                 QString::number(current),
                 QString::number(m_count),
                 m_copies.size() > current
                     ? tr(", %1 of split parents").arg(m_copies.size() - current)
                     : QString())
            .arg(m_stripe.pages)
            .arg(QString::fromStdString(m_stripe.from).toHtmlEscaped()));

    for (std::size_t i = 0; i < m_copies.size(); ++i) {
        const Timeline &t = m_copies[i];
        std::uint64_t bytes = 0;
        for (const TimelineLayer &l : t.layers)
            bytes += l.onDisk ? l.fileSize : l.listedSize;
        auto item = [](const QString &text, const QVariant &sort = {}) {
            auto *it = new QStandardItem(text);
            if (sort.isValid())
                it->setData(sort, Qt::UserRole + 2);
            return it;
        };
        QList<QStandardItem *> row{item(shardName(t)),
                                   item(QLocale().toString(qulonglong(t.layers.size()))),
                                   item(QLocale().formattedDataSize(qint64(bytes))),
                                   item(t.diskConsistentLsn
                                            ? QString::fromStdString(t.diskConsistentLsn->toString())
                                            : tr("(no index)")),
                                   item(QString::number(m_copyProblems[i])),
                                   item(QString::fromStdString(t.dir))};
        row[ShardColumn]->setData(QVariant::fromValue(qulonglong(i)), kCopyRole);
        row[ShardColumn]->setForeground(colourOf(t.shard));
        if (m_copyProblems[i])
            row[ProblemsColumn]->setForeground(QColor(0xc0, 0x39, 0x2b));
        m_model->appendRow(row);
    }
    m_table->resizeColumnsToContents();
    // As tall as its rows (up to eight), so the maps get the rest.
    m_table->resizeRowsToContents();
    int rowsHeight = 0;
    for (int r = 0; r < std::min(m_model->rowCount(), 8); ++r)
        rowsHeight += m_table->rowHeight(r);
    m_table->setMaximumHeight(m_table->horizontalHeader()->sizeHint().height() + rowsHeight
                              + 2 * m_table->frameWidth() + 2);

    QStringList lines;
    for (const ShardSetProblem &p : m_problems)
        lines << tr("<span style='color:%1'>%2</span> <b>%3</b>: %4")
                     .arg(p.severity == Severity::Error     ? QStringLiteral("#c0392b")
                          : p.severity == Severity::Warning ? QStringLiteral("#d35400")
                                                            : QStringLiteral("#555"),
                          QString::fromLatin1(severityName(p.severity)),
                          QString::fromStdString(p.check),
                          QString::fromStdString(p.message).toHtmlEscaped());
    for (const QString &u : unread)
        lines << tr("<span style='color:#c0392b'>unreadable</span> %1").arg(u.toHtmlEscaped());
    // The owner band's legend, after the set's problems.
    QStringList legend;
    for (std::uint8_t n = 0; n < std::max<std::uint8_t>(m_count, 1); ++n)
        legend << tr("<span style='color:%1'>■</span> %2")
                      .arg(QString::fromStdString(shardColour(n)),
                           m_count >= 2 ? QString::fromStdString(ShardIdentity{n, m_count}.slug())
                                        : QStringLiteral("0"));
    legend << tr("<span style='color:#555'>■</span> every shard (relation sizes)")
           << tr("▨ several shards (a stretch over stripes of different owners)");
    lines << tr("Key owners, in the band under each map: %1")
                 .arg(legend.join(QStringLiteral(" &nbsp; ")));
    m_problemText->setText(lines.size() == 1 ? tr("The copies agree: every shard is there, with "
                                                  "one ancestry.<br>")
                                                   + lines.front()
                                             : lines.join(QStringLiteral("<br>")));
    showMaps();
    emit statusMessage(tr("%1 copies of the timeline read").arg(m_copies.size()));
    emit finished();
}

void ShardsPage::showMaps()
{
    std::vector<MapLayout> layouts;
    for (const Timeline &t : m_copies)
        layouts.push_back(layoutMap(t));
    shareBoundaries(layouts);
    if (layouts.empty())
        return;
    std::vector<LayerMapView::Band> band;
    for (const OwnerSpan &s : ownerSpans(layouts.front(), m_count, m_stripe.pages)) {
        LayerMapView::Band b;
        b.u0 = s.u0;
        b.u1 = s.u1;
        b.hatched = s.range.owner.kind == KeyRangeOwner::Kind::Several;
        b.colour = s.range.owner.kind == KeyRangeOwner::Kind::Every
                       ? QColor(0x55, 0x55, 0x55)
                       : QColor(QString::fromStdString(shardColour(s.range.owner.shard)));
        b.text = tr("<b>%1</b><br>%2 – %3")
                     .arg(QString::fromStdString(describeOwner(s.range.owner, m_count)),
                          QString::fromStdString(s.range.from.describe()).toHtmlEscaped(),
                          QString::fromStdString(s.range.to.describe()).toHtmlEscaped());
        band.push_back(std::move(b));
    }
    for (std::size_t i = 0; i < m_copies.size(); ++i) {
        const Timeline &t = m_copies[i];
        auto *title = new QLabel(this);
        title->setTextFormat(Qt::RichText);
        title->setText(tr("<b style='color:%1'>shard %2</b> &nbsp; %3 layers · %4")
                           .arg(colourOf(t.shard).name(),
                                shardName(t),
                                QString::number(layouts[i].order.size()),
                                QString::fromStdString(t.dir).toHtmlEscaped()));
        auto *map = new LayerMapView(this);
        map->setTimeline(&t);
        map->shareBoundaries(layouts.front());
        map->setOwnerBand(band);
        map->setMinimumHeight(kMapHeight);
        map->setMaximumHeight(kMapHeight);
        connect(map, &LayerMapView::layerActivated, this, [this, i](std::size_t layer) {
            const TimelineLayer &l = m_copies[i].layers[layer];
            if (l.onDisk)
                emit openLayer(QString::fromStdString(l.path));
            else
                emit statusMessage(tr("%1 is only listed in the index: there is no file to open")
                                       .arg(QString::fromStdString(l.fileName)));
        });
        m_mapsLayout->addWidget(title);
        m_mapsLayout->addWidget(map);
        m_maps.push_back(map);
    }
    m_mapsLayout->addStretch(1);
}

} // namespace layerscope::ui
