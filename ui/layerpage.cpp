#include "layerpage.h"

#include "focusring.h"

#include "btree/btreegraphview.h"
#include "details/fieldtreemodel.h"
#include "document/layerdocument.h"
#include "hex/blobpanel.h"
#include "keys/entrytablemodel.h"
#include "keys/keytablewidget.h"
#include "problems/problemspanel.h"
#include "summary/summarypanel.h"
#include "workerpool.h"

#include <layerscope/check/salvage.h>

#include <QApplication>
#include <QColor>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <layerscope/report/table.h>

#include <QFrame>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QtConcurrent>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QUndoStack>
#include <QTimer>
#include <QVBoxLayout>

namespace layerscope::ui {

LayerPage::LayerPage(std::unique_ptr<LayerDocument> doc, QWidget *parent)
    : QWidget(parent)
    , m_doc(std::move(doc))
    , m_summary(new SummaryPanel(this))
    , m_graph(new BTreeGraphView(this))
    , m_keys(new KeyTableWidget(this))
    , m_blob(new BlobPanel(this))
    , m_problems(new ProblemsPanel(this))
    , m_leftTabs(new QTabWidget(this))
    , m_undo(new QUndoStack(this))
    , m_banner(new QFrame(this))
    , m_bannerText(new QLabel(m_banner))
    , m_focusRing(nullptr)
{
    connect(m_blob, &BlobPanel::historyChanged, this, &LayerPage::navigationChanged);
    // The damage banner: what is wrong, and a way out that never touches the original.
    m_banner->setObjectName(QStringLiteral("damageBanner"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setStyleSheet(QStringLiteral("#damageBanner { background: #fdecea; border: 1px solid #c0392b; }"
                                           "#damageBanner QLabel { color: #7b1f16; }"));
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *salvage = new QPushButton(tr("Salvage into a new file…"), m_banner);
    salvage->setToolTip(tr("layerctl salvage: write a new layer from every entry that can be trusted and open it; "
                           "this file is not changed"));
    connect(salvage, &QPushButton::clicked, this, &LayerPage::askSalvage);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(8, 4, 8, 4);
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(salvage);
    m_banner->hide();

    if (m_doc->remote()) {
        // Remote: where the object is and what reading it cost; a lost connection shows here
        // with Retry instead of freezing anything.
        m_remoteBar = new QFrame(this);
        m_remoteBar->setObjectName(QStringLiteral("remoteBar"));
        m_remoteBar->setFrameShape(QFrame::StyledPanel);
        m_remoteText = new QLabel(m_remoteBar);
        m_remoteText->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_retry = new QPushButton(tr("Retry"), m_remoteBar);
        m_retry->setToolTip(tr("Read the object again (the bytes that failed are fetched anew)"));
        connect(m_retry, &QPushButton::clicked, this, &LayerPage::retryRemote);
        auto *remoteLayout = new QHBoxLayout(m_remoteBar);
        remoteLayout->setContentsMargins(8, 2, 8, 2);
        remoteLayout->addWidget(m_remoteText, 1);
        remoteLayout->addWidget(m_retry);
        auto *timer = new QTimer(this);
        connect(timer, &QTimer::timeout, this, &LayerPage::updateRemoteBar);
        timer->start(500);
        updateRemoteBar();
    }

    m_leftTabs->addTab(m_summary, tr("Summary"));
    m_leftTabs->addTab(m_problems, tr("Problems"));
    auto *top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_leftTabs);
    top->addWidget(m_graph);
    top->setStretchFactor(0, 2);
    top->setStretchFactor(1, 3);
    auto *bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(m_keys);
    bottom->addWidget(m_blob);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    if (m_remoteBar)
        layout->addWidget(m_remoteBar);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);
    m_focusRing = new FocusRing(this);

    connect(this, &LayerPage::statusMessage, this, [this](const QString &text) {
        if (!text.isEmpty())
            m_lastStatus = text;
    });
    connect(m_problems, &ProblemsPanel::problemActivated, this, &LayerPage::showProblem);
    connect(m_keys, &KeyTableWidget::statusMessage, this, &LayerPage::statusMessage);
    connect(m_keys, &KeyTableWidget::currentPositionChanged, this, [this](qint64 pos) {
        if (pos < 0) {
            m_blob->clearEntry();
            m_graph->highlightPosition(std::nullopt);
            return;
        }
        if (const auto e = m_keys->model()->entryAtPosition(std::uint64_t(pos)))
            m_blob->showEntry(*e, std::uint64_t(pos));
        m_graph->highlightPosition(std::uint64_t(pos));
    });
    connect(m_graph, &BTreeGraphView::nodeActivated, this, [this](quint32 node) {
        if (const TreeShape *shape = m_doc->shape()) {
            const auto &s = shape->nodes[node];
            m_keys->selectRange(s.firstEntry, s.entries);
            m_blob->showNode(s.block);  // after the table: the node's fields stay shown
        }
    });
    connect(m_summary, &SummaryPanel::summaryFieldSelected, m_blob, &BlobPanel::showSummaryField);
    attach();
}

void LayerPage::attach()
{
    m_summary->setDocument(m_doc.get());
    m_graph->setDocument(m_doc.get());
    m_keys->setDocument(m_doc.get());
    m_blob->setLayer(&m_doc->layer());
    m_problems->setDocument(m_doc.get());
    connect(m_doc.get(), &LayerDocument::validationReady, this, [this] {
        const ValidationReport *r = m_doc->report();
        m_blob->setReport(r);
        std::vector<std::uint32_t> blocks;
        std::vector<std::uint64_t> entries;
        for (const Problem &p : r->problems) {
            if (p.severity == Severity::Info)
                continue;
            if (p.block)
                blocks.push_back(*p.block);
            if (p.entry)
                entries.push_back(*p.entry);
        }
        std::sort(entries.begin(), entries.end());
        m_graph->setProblemBlocks(std::move(blocks));
        m_keys->model()->setProblemPositions(std::move(entries));
        const QString counts = m_problems->countsText();
        m_leftTabs->setTabText(1, r->errors + r->warnings ? tr("Problems (%1)").arg(r->errors + r->warnings) : tr("Problems"));
        if (r->errors + r->warnings > 0)
            m_leftTabs->tabBar()->setTabTextColor(1, QColor(0xc0, 0x39, 0x2b));
        emit statusMessage(tr("%1: %2").arg(m_doc->fileName(), counts));
    });

    updateBanner();
    connect(m_doc.get(), &LayerDocument::shapeReady, this, [this] {
        updateBanner();
        m_problems->validate();
        m_summary->refresh();
        m_graph->rebuild();
        QTimer::singleShot(0, m_graph, &BTreeGraphView::showDefaultView);
        emit statusMessage(tr("%1: %L2 entries in %L3 nodes")
                               .arg(m_doc->fileName())
                               .arg(m_doc->shape()->totalEntries)
                               .arg(m_doc->shape()->nodes.size()));
    });
    connect(m_doc.get(), &LayerDocument::loadFailed, this, [this](const QString &why) {
        updateBanner();
        m_problems->validate();
        m_summary->refresh();
        m_graph->rebuild();
        // Nothing to list: the bytes are still there to look at.
        m_blob->showRange(0, std::min<std::uint64_t>(kBlockSize, m_doc->layer().fileSize()),
                          tr("block 0 (the index cannot be read: %1)").arg(why));
        emit statusMessage(tr("%1: %2").arg(m_doc->fileName(), why));
    });
    if (m_remoteBar)
        for (auto signal : {&LayerDocument::shapeReady, &LayerDocument::validationReady})
            connect(m_doc.get(), signal, this, &LayerPage::updateRemoteBar);
    m_doc->startLoading();
}

bool LayerPage::reload(const QString &path, QString *error)
{
    auto doc = LayerDocument::open(path, error);
    if (!doc)
        return false;
    // Views drop the old document before it goes.
    m_blob->setReport(nullptr);
    m_blob->setLayer(nullptr);
    m_keys->setDocument(nullptr);
    m_graph->setDocument(nullptr);
    m_summary->setDocument(nullptr);
    m_problems->setDocument(nullptr);
    m_doc = std::move(doc);
    attach();
    emit documentReplaced();
    return true;
}

std::optional<FileOffset> LayerPage::parseOffset(const QString &text)
{
    const QString t = text.trimmed().remove(QLatin1Char('_')).remove(QLatin1Char(','));
    bool ok = false;
    const qulonglong offset = t.startsWith(QLatin1String("0x"), Qt::CaseInsensitive) ? t.mid(2).toULongLong(&ok, 16)
                                                                                    : t.toULongLong(&ok, 10);
    return ok ? std::optional<FileOffset>(offset) : std::nullopt;
}

bool LayerPage::goToOffset(const QString &text)
{
    const auto offset = parseOffset(text);
    if (!offset || *offset >= m_doc->layer().fileSize())
        return false;
    m_blob->showRange(*offset, 0, tr("go to offset"));
    return true;
}

void LayerPage::focusPane(Pane pane)
{
    switch (pane) {
    case SummaryPane:
        m_leftTabs->setCurrentWidget(m_summary);
        m_summary->setFocus(Qt::ShortcutFocusReason);
        if (QWidget *w = m_summary->focusProxy() ? m_summary->focusProxy() : m_summary->nextInFocusChain())
            w->setFocus(Qt::ShortcutFocusReason);
        break;
    case ProblemsPane:
        showProblemsTab();
        m_problems->view()->setFocus(Qt::ShortcutFocusReason);
        break;
    case GraphPane: m_graph->view()->setFocus(Qt::ShortcutFocusReason); break;
    case KeysPane: m_keys->view()->setFocus(Qt::ShortcutFocusReason); break;
    case BlobPane:
        // The field tree: arrows walk the fields, each highlighting its bytes; Tab reaches
        // the bytes.
        m_blob->fieldView()->setFocus(Qt::ShortcutFocusReason);
        if (!m_blob->fieldView()->currentIndex().isValid() && m_blob->fieldModel()->rowCount() > 0)
            m_blob->fieldView()->setCurrentIndex(m_blob->fieldModel()->index(0, 0));
        break;
    case PaneCount: break;
    }
}

LayerPage::Pane LayerPage::currentPane() const
{
    const QWidget *f = QApplication::focusWidget();
    const std::pair<const QWidget *, Pane> panes[] = {{m_summary, SummaryPane}, {m_problems, ProblemsPane},
                                                     {m_graph, GraphPane},     {m_keys, KeysPane},
                                                     {m_blob, BlobPane}};
    for (const auto &[w, pane] : panes)
        if (f && (f == w || w->isAncestorOf(f)))
            return pane;
    return PaneCount;
}

void LayerPage::cyclePane(bool forward)
{
    const Pane cur = currentPane();
    const int n = PaneCount;
    const int next = cur == PaneCount ? (forward ? 0 : n - 1) : (int(cur) + (forward ? 1 : n - 1)) % n;
    focusPane(Pane(next));
}

void LayerPage::updateRemoteBar()
{
    const auto &remote = m_doc->remote();
    if (!remote)
        return;
    const RemoteCounters c = remote->counters();
    const auto failure = remote->failure();
    m_remoteBar->setStyleSheet(
        failure ? QStringLiteral("#remoteBar { background: #fdecea; border: 1px solid #c0392b; }"
                                 "#remoteBar QLabel { color: #7b1f16; }")
                : QStringLiteral("#remoteBar { background: palette(alternate-base); }"));
    const QString counts = (c.requests == 1 ? tr("1 request") : tr("%L1 requests").arg(c.requests))
                           + tr(", %1 fetched of %2")
                                 .arg(QString::fromStdString(humanBytes(c.bytesFetched)),
                                    QString::fromStdString(humanBytes(remote->size())));
    if (failure)
        m_remoteText->setText(
            tr("<b>Connection lost</b> reading %1: %2.<br>What is shown from the missing bytes "
               "is zeros and cannot be trusted. %3")
                .arg(m_doc->path().toHtmlEscaped(),
                     QString::fromStdString(failure->message()).toHtmlEscaped(),
                     counts));
    else
        m_remoteText->setText(tr("<b>Remote</b> %1 — read in place; %2")
                                  .arg(m_doc->path().toHtmlEscaped(), counts));
    m_retry->setVisible(failure.has_value());
}

void LayerPage::retryRemote()
{
    if (!m_doc->remote())
        return;
    m_doc->remote()->retry();
    updateRemoteBar();
    m_doc->startLoading();
}

void LayerPage::updateBanner()
{
    QStringList lines = m_doc->damage();
    if (const TreeShape *shape = m_doc->shape(); shape && shape->reconstructed)
        lines << tr("the index root cannot be read: showing the %L1 entries of %L2 leaves found by scanning the "
                    "index")
                     .arg(shape->totalEntries)
                     .arg(shape->leaves.size());
    else if (!m_doc->isLoading() && !m_doc->shape() && !m_doc->loadError().isEmpty())
        lines << tr("the index cannot be read: %1").arg(m_doc->loadError());
    m_banner->setVisible(!lines.isEmpty());
    if (lines.isEmpty())
        return;
    m_bannerText->setText(tr("<b>This file is damaged</b> and is shown read-only, as far as it can be read:<br>• %1<br>"
                             "The Problems tab lists everything found. <i>layerctl salvage</i> can write a new layer "
                             "from every entry that can be trusted.")
                              .arg([&] {
                                  for (QString &l : lines)
                                      l = l.toHtmlEscaped();
                                  return lines.join(QStringLiteral("<br>• "));
                              }()));
}

void LayerPage::askSalvage()
{
    const QFileInfo in(m_doc->path());
    const QString suggested = in.dir().filePath(in.fileName() + QStringLiteral(".salvaged"));
    const QString out = QFileDialog::getSaveFileName(this, tr("Salvage into"), suggested);
    if (!out.isEmpty())
        salvageTo(out);
}

void LayerPage::salvageTo(const QString &out)
{
    emit statusMessage(tr("Salvaging %1…").arg(m_doc->fileName()));
    const auto source = m_doc->layer().source();
    const std::string name = m_doc->fileName().toStdString();
    auto *watcher = new QFutureWatcher<std::pair<QString, QString>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        const auto [path, summary] = watcher->result();
        watcher->deleteLater();
        emit statusMessage(summary);
        emit salvageFinished(path, summary);
        if (!path.isEmpty())
            emit openRequested(path);
    });
    watcher->setFuture(QtConcurrent::run(workerPool(), [source, name, out]() -> std::pair<QString, QString> {
        const SalvageResult r = salvageToPath(*source, name, out.toStdString());
        if (!r.written)
            return {QString(), QObject::tr("Salvage wrote nothing: %1").arg(QString::fromStdString(r.error.message()))};
        const QString written = QString::fromStdString(r.path);
        return {written, QObject::tr("Salvaged into %1: kept %L2 of %L3 entries, dropped %L4, repaired %L5")
                             .arg(written)
                             .arg(r.kept)
                             .arg(r.entriesFound)
                             .arg(r.dropped.size())
                             .arg(r.repairs.size())};
    }));
}

LayerPage::~LayerPage()
{
    // A salvage still writing finishes first (it holds the mapping, not this page).
    for (QFutureWatcherBase *w : findChildren<QFutureWatcherBase *>())
        w->waitForFinished();
    // Views hold non-owning pointers into the document: they go first, then the document
    // (whose destructor cancels and awaits its worker).
    delete m_keys;
    delete m_graph;
    delete m_blob;
    delete m_summary;
    delete m_problems;
}

void LayerPage::showProblem(const Problem &p)
{
    if (p.entry)
        m_keys->selectPosition(*p.entry);
    if (p.block && m_doc->shape()) {
        const std::int64_t node = m_doc->shape()->nodeForBlock(*p.block);
        if (node >= 0) {
            m_graph->expandNode(std::uint32_t(node));
            m_graph->selectNode(std::uint32_t(node));
        }
    }
    m_blob->showRange(p.offset, p.length, QString::fromStdString(p.check + ": " + p.message));
}

void LayerPage::showNode(std::uint32_t block)
{
    if (const TreeShape *shape = m_doc->shape()) {
        const std::int64_t node = shape->nodeForBlock(block);
        if (node >= 0) {
            m_graph->expandNode(std::uint32_t(node));
            m_graph->selectNode(std::uint32_t(node));
        }
    }
    m_blob->showNode(block);
}

bool LayerPage::isLoaded() const
{
    return !m_doc->isLoading() && !m_doc->isValidating();
}

void LayerPage::showProblemsTab()
{
    m_leftTabs->setCurrentWidget(m_problems);
}

PageActions LayerPage::paneActions()
{
    PageActions actions = {
        {QT_TRANSLATE_NOOP("PageAction", "Next Pa&ne"),
         QKeySequence(Qt::Key_F6),
         [](LayerPage &p, QWidget *) { p.cyclePane(true); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "Previous Pan&e"),
         QKeySequence(Qt::SHIFT | Qt::Key_F6),
         [](LayerPage &p, QWidget *) { p.cyclePane(false); },
         {}},
    };
    const char *const names[] = {QT_TRANSLATE_NOOP("PageAction", "&Summary"),
                                 QT_TRANSLATE_NOOP("PageAction", "P&roblems"),
                                 QT_TRANSLATE_NOOP("PageAction", "B-&tree Graph"),
                                 QT_TRANSLATE_NOOP("PageAction", "Ke&ys"),
                                 QT_TRANSLATE_NOOP("PageAction", "&Blob")};
    static_assert(std::size(names) == PaneCount);
    for (int i = 0; i < PaneCount; ++i)
        actions.push_back({names[i],
                           QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)),
                           [i](LayerPage &p, QWidget *) { p.focusPane(Pane(i)); },
                           {}});
    return actions;
}

} // namespace layerscope::ui
