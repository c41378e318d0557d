#include "mainwindow.h"

#include "appicon.h"
#include "btree/graphactions.h"
#include "diff/diffpage.h"
#include "document/layerdocument.h"
#include "edit/summaryeditcommand.h"
#include "edit/summaryeditdialog.h"
#include "hex/hexactions.h"
#include "keys/keyactions.h"
#include "layerpage.h"
#include "problems/problemactions.h"
#include "stats/statspage.h"
#include "theme.h"
#include "timeline/loglinedialog.h"
#include "timeline/shardspage.h"
#include "timeline/timelinepage.h"

#include <layerscope/format/shard.h>
#include <layerscope/timeline/remote_timeline.h>

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QUndoGroup>
#include <QUndoStack>

namespace layerscope::ui {

namespace {

/// A timeline directory and an index_part.json given together (in either order): the directory
/// is cross-checked with the index.
std::optional<std::pair<QString, QString>> timelineWithIndex(const QStringList &paths)
{
    if (paths.size() != 2)
        return std::nullopt;
    for (int d = 0; d < 2; ++d) {
        const QString &dir = paths[d], &index = paths[1 - d];
        if (QFileInfo(dir).isDir() && QFileInfo(index).isFile()
            && index.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
            return std::pair(dir, index);
    }
    return std::nullopt;
}
constexpr int kMaxRecent = 10;
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_tabs(new QTabWidget(this))
    , m_recentMenu(nullptr)
    , m_progress(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
    , m_status(new QLabel(this))
    , m_undoGroup(new QUndoGroup(this))
{
    setWindowTitle(tr("Layerscope"));
    setWindowIcon(appIcon());
    setAcceptDrops(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setDocumentMode(true);
    m_tabs->setMovable(true);
    setCentralWidget(m_tabs);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateProgress);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        m_undoGroup->setActiveStack(currentPage() ? currentPage()->undoStack() : nullptr);
        // The status bar follows the current tab.
        m_status->setText(currentPage() ? currentPage()->lastStatus() : QString());
        updatePageActions();
    });

    createFileMenu();
    createPageMenus();
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Layerscope"), this, &MainWindow::about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    m_progress->setMaximumWidth(220);
    m_progress->setRange(0, 100);
    m_progress->hide();
    m_cancel->setText(tr("Cancel"));
    m_cancel->hide();
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (LayerPage *p = currentPage()) {
            p->document()->cancelLoading();
            p->document()->cancelValidation();
        }
    });
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    rebuildRecentMenu();
    connect(&m_locate.watcher(), &QFutureWatcherBase::finished, this, [this] {
        bool cancelled = false;
        auto located = m_locate.take(&cancelled);
        if (!located)
            return;
        const LogLocation &loc = located->line;
        const Result<LocatedTimeline> &found = located->timeline;
        if (!found) {
            const QString error = tr("Open from log line: %1")
                                      .arg(QString::fromStdString(found.error().message()));
            m_lastErrors << error;
            m_status->setText(error);
            emit pageLoaded();
            return;
        }
        QStringList notes;
        for (const std::string &n : found->notes)
            notes << QString::fromStdString(n);
        openLocated(QString::fromStdString(found->timeline),
                    QString::fromStdString(loc.key->toHex() + "@" + loc.lsn->toString()),
                    notes);
    });
    resize(1600, 1000);
}

void MainWindow::logLineDialog()
{
    LogLineDialog dialog(m_logLineRoot, this);
    if (dialog.exec() == QDialog::Accepted)
        openLogLine(dialog.line(), dialog.root());
}

void MainWindow::openLogLine(const QString &line, const QString &root)
{
    m_lastErrors.clear();
    const LogLocation loc = parseLogLine(line.toStdString());
    QStringList missing;
    for (const std::string &m : loc.missingForRead())
        missing << QString::fromStdString(m);
    if (!missing.isEmpty()) {
        const QString error = tr("Open from log line: found %1; missing %2")
                                  .arg(QString::fromStdString(loc.found()),
                                       missing.join(tr(" and ")));
        m_lastErrors << error;
        m_status->setText(error);
        emit pageLoaded();
        return;
    }
    m_logLineRoot = root;
    m_status->setText(tr("Looking for the timeline of %1 below %2…")
                          .arg(QString::fromStdString(loc.key->describe()), root));
    const std::string where = root.toStdString();
    m_locate.start([loc, where](auto &) {
        return Located{loc, locateTimeline(loc, where, 0, RemoteOptions::interactive())};
    });
}

void MainWindow::openLocated(const QString &timeline, const QString &keyAt, const QStringList &notes)
{
    // A directory without its trailing '/', as the tab and status name it.
    TimelinePage *page = openTimeline(
        isRemotePath(timeline.toStdString()) ? timeline : QDir::cleanPath(timeline));
    auto *once = new QObject(page);
    connect(page, &TimelinePage::finished, once, [page, once, keyAt, notes, this] {
        delete once;
        if (!page->timeline())
            return;
        page->findKey(keyAt);
        if (!notes.isEmpty())
            m_status->setText(notes.join(QStringLiteral(" · ")));
    });
}

MainWindow::~MainWindow() = default;

LayerPage *MainWindow::currentPage() const
{
    return qobject_cast<LayerPage *>(m_tabs->currentWidget());
}

bool MainWindow::allLoaded() const
{
    if (m_locate.isBusy())
        return false;
    for (int i = 0; i < m_tabs->count(); ++i) {
        QWidget *w = m_tabs->widget(i);
        if (auto *p = qobject_cast<LayerPage *>(w); p && !p->isLoaded())
            return false;
        if (auto *s = qobject_cast<StatsPage *>(w); s && s->isBusy())
            return false;
        if (auto *d = qobject_cast<DiffPage *>(w); d && d->isBusy())
            return false;
        if (auto *t = qobject_cast<TimelinePage *>(w); t && t->isBusy())
            return false;
        if (auto *t = qobject_cast<ShardsPage *>(w); t && t->isBusy())
            return false;
    }
    return true;
}

void MainWindow::addToolTab(QWidget *page, const QString &title, const QString &toolTip)
{
    const int idx = m_tabs->addTab(page, title);
    m_tabs->setTabToolTip(idx, toolTip);
    m_tabs->setCurrentIndex(idx);
}

TimelinePage *MainWindow::openTimeline(const QString &path, const QString &index)
{
    auto *page = new TimelinePage(path, index, m_tabs);
    connect(page, &TimelinePage::statusMessage, this, [this](const QString &text) {
        m_status->setText(text);
    });
    connect(page, &TimelinePage::finished, this, &MainWindow::pageLoaded);
    connect(page, &TimelinePage::openLayer, this, [this](const QString &file) {
        openFiles({file});
    });
    const QFileInfo info(path);
    const QString remoteName = path.section(QLatin1Char('/'), -2, -2);
    // A tenant shard's copy of a timeline says which shard: several can be open side by side.
    const auto place = parseLayoutPath(path.toStdString());
    const QString shard = place && !place->slug.empty() && !place->timeline.empty()
                              ? tr(" · shard %1").arg(QString::fromStdString(place->slug))
                              : QString();
    addToolTab(page,
               tr("Timeline: %1%2")
                   .arg(isTimelinePrefix(path.toStdString())
                            ? remoteName + QStringLiteral(" (remote)")
                        : info.isDir() ? info.fileName()
                                       : info.dir().dirName() + '/' + info.fileName(),
                        shard),
               path);
    return page;
}

ShardsPage *MainWindow::openShards(const QString &path)
{
    auto *page = new ShardsPage(path, m_tabs);
    connect(page, &ShardsPage::statusMessage, this, [this](const QString &text) {
        m_status->setText(text);
    });
    connect(page, &ShardsPage::finished, this, &MainWindow::pageLoaded);
    connect(page, &ShardsPage::openLayer, this, [this](const QString &file) { openFiles({file}); });
    connect(page, &ShardsPage::openTimeline, this, [this](const QString &copy) {
        openTimeline(copy);
    });
    connect(page, &ShardsPage::unsharded, this, [this, page](const QString &timeline) {
        m_tabs->removeTab(m_tabs->indexOf(page));
        page->deleteLater();
        openTimeline(timeline);
    });
    const auto place = parseLayoutPath(path.toStdString() + "/");
    addToolTab(page,
               tr("Shards: %1")
                   .arg(place ? QString::fromStdString(place->timeline).left(8) + QStringLiteral("…")
                              : path.section(QLatin1Char('/'), -1)),
               path);
    return page;
}

/// A sharded tenant's timeline named without its shard (ROOT/tenants/<tenant>/timelines/<tl>),
/// which a sharded tenant does not have on disk; remotely, every such prefix is looked at (an
/// unsharded tenant's becomes a timeline page once its listing says so).
bool namesShardSet(const QString &path)
{
    const auto place = parseLayoutPath(path.toStdString() + "/");
    if (!place || !place->slug.empty() || place->timeline.empty() || !place->rest.empty())
        return false;
    return isRemotePath(path.toStdString()) || !QFileInfo::exists(path);
}

StatsPage *MainWindow::openStatistics()
{
    LayerPage *p = currentPage();
    if (!p)
        return nullptr;
    auto *stats = new StatsPage(p->document()->layer(), p->document()->path(), m_tabs);
    connect(stats, &StatsPage::statusMessage, this, [this](const QString &text) {
        m_status->setText(text);
    });
    connect(stats, &StatsPage::finished, this, &MainWindow::pageLoaded);
    const QString name = p->document()->fileName();
    addToolTab(stats,
               tr("Statistics: %1")
                   .arg(name.size() > 28 ? name.left(27) + QStringLiteral("…") : name),
               tr("Where the bytes of %1 go").arg(p->document()->path()));
    return stats;
}

int MainWindow::openFiles(const QStringList &paths, bool quiet)
{
    m_lastErrors.clear();
    if (const auto pair = timelineWithIndex(paths)) {
        openTimeline(pair->first, pair->second);
        return 1;
    }
    int opened = 0;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (namesShardSet(path)) {
            openShards(path);
            ++opened;
            continue;
        }
        if (isTimelinePrefix(path.toStdString())) {
            openTimeline(path);
            ++opened;
            continue;
        }
        if (info.isDir()
            || (info.isFile() && path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))) {
            openTimeline(path);
            ++opened;
            continue;
        }
        QString error;
        auto doc = LayerDocument::open(path, &error);
        if (!doc) {
            m_lastErrors << error;
            continue;
        }
        LayerDocument *raw = doc.get();
        auto *page = new LayerPage(std::move(doc), m_tabs);
        const int idx = m_tabs->addTab(page, QString());
        tabTitle(idx);
        m_undoGroup->addStack(page->undoStack());
        m_tabs->setCurrentIndex(idx);
        m_undoGroup->setActiveStack(page->undoStack());
        connect(page, &LayerPage::documentReplaced, this, [this, page] {
            tabTitle(m_tabs->indexOf(page));
        });
        connect(page, &LayerPage::navigationChanged, this, &MainWindow::updatePageActions);
        connect(page, &LayerPage::openRequested, this, [this](const QString &file) {
            openFiles({file}, true);
        });
        connect(page, &LayerPage::statusMessage, this, [this, page](const QString &text) {
            if (page == currentPage())
                m_status->setText(text);
        });
        connect(raw, &LayerDocument::loadProgress, this, &MainWindow::updateProgress);
        connect(raw, &LayerDocument::shapeReady, this, [this] {
            updateProgress();
            emit pageLoaded();
        });
        connect(raw, &LayerDocument::loadFailed, this, [this] {
            updateProgress();
            emit pageLoaded();
        });
        connect(raw, &LayerDocument::validationProgress, this, &MainWindow::updateProgress);
        connect(raw, &LayerDocument::validationReady, this, [this] {
            updateProgress();
            emit pageLoaded();
        });
        addRecent(raw->remote() ? raw->path() : QFileInfo(path).absoluteFilePath());
        ++opened;
    }
    updateProgress();
    if (!m_lastErrors.isEmpty()) {
        m_status->setText(m_lastErrors.join(QStringLiteral("; ")));
        if (!quiet)
            QMessageBox::warning(this,
                                 tr("Cannot open layer"),
                                 m_lastErrors.join(QStringLiteral("\n\n")));
    }
    return opened;
}

void MainWindow::updatePageActions()
{
    const LayerPage *p = currentPage();
    for (const auto &[action, enabled] : m_conditionalActions)
        action->setEnabled(p && enabled(*p));
}

void MainWindow::addPageActions(QMenu *menu, const PageActions &actions)
{
    for (const PageAction &a : actions) {
        QAction *action = menu->addAction(pageActionText(a.text));
        action->setShortcut(a.shortcut);
        connect(action, &QAction::triggered, this, [this, run = a.run] {
            if (LayerPage *p = currentPage())
                run(*p, this);
        });
        if (a.enabled)
            m_conditionalActions.emplace_back(action, a.enabled);
    }
}

void MainWindow::createFileMenu()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::openDialog);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Open &URL…"),
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                    this,
                    &MainWindow::openUrlDialog);
    file->addAction(tr("Open &Timeline…"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a timeline directory"));
        if (!dir.isEmpty())
            openTimeline(dir);
    });
    file->addAction(tr("Open Remote &Index (index_part.json)…"), this, [this] {
        const QString f = QFileDialog::getOpenFileName(this,
                                                       tr("Open index_part.json"),
                                                       QString(),
                                                       tr("JSON (*.json)"));
        if (!f.isEmpty())
            openTimeline(f);
    });
    file->addAction(tr("Open Timeline &With Its Index…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a timeline directory"));
        if (dir.isEmpty())
            return;
        const QString f = QFileDialog::getOpenFileName(this,
                                                       tr("Its index_part.json (to cross-check)"),
                                                       dir,
                                                       tr("JSON (*.json)"));
        if (!f.isEmpty())
            openTimeline(dir, f);
    });
    file->addAction(tr("Open from &Log Line…"),
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
                    this,
                    &MainWindow::logLineDialog);
    file->addAction(tr("Co&mpare With…"),
                    QKeySequence(Qt::CTRL | Qt::Key_D),
                    this,
                    &MainWindow::compareDialog);
    file->addSeparator();
    addPageActions(file, keyExportActions());
    file->addSeparator();
    file->addAction(tr("&Close Tab"), QKeySequence::Close, this, [this] {
        closeTab(m_tabs->currentIndex());
    });
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
}

void MainWindow::createPageMenus()
{
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undoGroup->createUndoAction(this, tr("&Undo:"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undoGroup->createRedoAction(this, tr("&Redo:"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(tr("Edit &Summary…"),
                    QKeySequence(Qt::CTRL | Qt::Key_E),
                    this,
                    &MainWindow::editSummary);
    edit->addSeparator();
    addPageActions(edit, hexFindActions());

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    addPageActions(go, keyActions());
    addPageActions(go, hexNavigationActions());
    go->addSeparator();
    addPageActions(go, problemActions());
    go->addSeparator();
    addPageActions(go, LayerPage::paneActions());
    updatePageActions();

    QMenu *view = menuBar()->addMenu(tr("&View"));
    addPageActions(view, graphActions());
    view->addSeparator();
    view->addAction(tr("&Statistics"),
                    QKeySequence(Qt::CTRL | Qt::Key_I),
                    this,
                    &MainWindow::openStatistics);
    view->addSeparator();
    QMenu *themes = view->addMenu(tr("&Theme"));
    auto *themeGroup = new QActionGroup(this);
    const Theme saved = themeFromName(QSettings().value(QStringLiteral("theme")).toString());
    for (const auto &[theme, label] : {std::pair{Theme::System, tr("&System")},
                                       std::pair{Theme::Light, tr("&Light")},
                                       std::pair{Theme::Dark, tr("&Dark")}}) {
        QAction *a = themes->addAction(label);
        a->setCheckable(true);
        a->setChecked(theme == saved);
        a->setData(themeName(theme));
        themeGroup->addAction(a);
        connect(a, &QAction::triggered, this, [chosen = theme] {
            applyTheme(chosen);
            QSettings().setValue(QStringLiteral("theme"), themeName(chosen));
        });
    }
    if (saved != Theme::System)
        applyTheme(saved);
}

void MainWindow::updateProgress()
{
    LayerPage *p = currentPage();
    const bool loading = p && !p->isLoaded();
    m_progress->setVisible(loading);
    m_cancel->setVisible(loading);
    if (loading) {
        m_progress->setFormat(p->document()->isLoading() ? tr("walking index %p%")
                                                         : tr("validating %p%"));
        setWindowTitle(tr("%1 — Layerscope").arg(p->document()->fileName()));
    } else if (p) {
        setWindowTitle(tr("%1 — Layerscope").arg(p->document()->fileName()));
    } else {
        setWindowTitle(tr("Layerscope"));
    }
    if (auto *doc = p ? p->document() : nullptr; doc && loading) {
        connect(doc,
                &LayerDocument::loadProgress,
                m_progress,
                &QProgressBar::setValue,
                Qt::UniqueConnection);
        connect(doc,
                &LayerDocument::validationProgress,
                m_progress,
                &QProgressBar::setValue,
                Qt::UniqueConnection);
    }
}

void MainWindow::tabTitle(int index)
{
    auto *page = qobject_cast<LayerPage *>(m_tabs->widget(index));
    if (!page)
        return;
    // Named after the file: with its directory when another tab has the same name, and the
    // middle elided (the start and the end are what tell layers and their copies apart).
    const QFileInfo info(page->document()->path());
    QString title = info.fileName();
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto *other = qobject_cast<LayerPage *>(m_tabs->widget(i));
            other && other != page && QFileInfo(other->document()->path()).fileName() == title)
            title = info.dir().dirName() + QLatin1Char('/') + title;
    constexpr int kMax = 44;
    if (title.size() > kMax)
        title = title.left(18) + QStringLiteral("…") + title.right(kMax - 19);
    m_tabs->setTabText(index, title);
    const Summary &s = page->document()->layer().summary();
    const QString what = s.kind == LayerKind::Image
                             ? tr("image layer at %1")
                                   .arg(QString::fromStdString(s.lsnStart.toString()))
                             : tr("delta layer %1–%2")
                                   .arg(QString::fromStdString(s.lsnStart.toString()),
                                        QString::fromStdString(s.lsnEnd.toString()));
    m_tabs->setTabToolTip(index, tr("%1\n%2").arg(page->document()->path(), what));
}

void MainWindow::openUrlDialog()
{
    bool ok = false;
    const QString url = QInputDialog::getText(
        this,
        tr("Open URL"),
        tr("A layer object or a timeline prefix (ending in /):\n"
           "s3://bucket/…/timelines/TL/  ·  s3://bucket/…/LAYER-00000001  ·  https://… (presigned)\n"
           "Credentials come from the AWS environment (AWS_PROFILE, AWS_ACCESS_KEY_ID…), never "
           "from the URL."),
        QLineEdit::Normal,
        QString(),
        &ok);
    if (!ok || url.trimmed().isEmpty())
        return;
    if (!isRemotePath(url.trimmed().toStdString())) {
        QMessageBox::warning(this, tr("Open URL"),
                             tr("%1 is not an s3://, http:// or https:// URL").arg(url.trimmed()));
        return;
    }
    if (openFiles({url.trimmed()}) == 0 && !m_lastErrors.isEmpty())
        QMessageBox::warning(this, tr("Open URL"), m_lastErrors.join(QLatin1Char('\n')));
}

void MainWindow::editSummary()
{
    LayerPage *p = currentPage();
    if (!p)
        return;
    const LayerDocument *doc = p->document();
    if (doc->remote()) {
        QMessageBox::information(this, tr("Edit Summary"),
                                 tr("%1 is a remote object: download it first and edit the local "
                                    "copy.").arg(doc->path()));
        return;
    }
    SummaryEditDialog dlg(doc->layer().summary(), doc->layer().bytes(), doc->fileName(), this);
    if (dlg.exec() != QDialog::Accepted)
        return;
    SafeWriteOptions o;
    o.inPlace = dlg.inPlace();
    o.backup = dlg.keepBackup();
    applySummaryEdit(dlg.edited(), o, dlg.renameToImpliedName());
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

bool MainWindow::applySummaryEdit(const Summary &edited,
                                  const SafeWriteOptions &options,
                                  bool rename)
{
    LayerPage *p = currentPage();
    if (!p || p->document()->remote())
        return false; // a remote object is read-only: editSummary says to download it
    auto done = [this, p](const QString &path, const QString &status, const QString &error) {
        if (!error.isEmpty()) {
            m_status->setText(tr("Edit failed: %1").arg(error));
            return;
        }
        QString why;
        if (!p->reload(path, &why))
            m_status->setText(tr("%1, but reopening failed: %2").arg(status, why));
        else
            m_status->setText(tr("%1 (re-validating…)").arg(status));
    };
    // QUndoStack::push runs the first redo(): the write. A failed write marks the command
    // obsolete, so the stack drops it and stays as it was.
    const int steps = p->undoStack()->count();
    const auto expected = [p] { return p->document()->identity(); };
    p->undoStack()->push(new SummaryEditCommand(this,
                                                p->document()->path(),
                                                expected,
                                                p->document()->layer().summary(),
                                                edited,
                                                options,
                                                rename,
                                                done));
    return p->undoStack()->count() > steps;
}

DiffPage *MainWindow::compareFiles(const QString &a, const QString &b, bool quiet)
{
    std::optional<Layer> layers[2];
    QStringList errors;
    const QString paths[2] = {a, b};
    for (int i = 0; i < 2; ++i) {
        auto layer = Layer::openFile(paths[i].toStdString());
        if (layer)
            layers[i].emplace(std::move(*layer));
        else
            errors << tr("%1: %2").arg(paths[i], QString::fromStdString(layer.error().message()));
    }
    if (!errors.isEmpty()) {
        m_status->setText(tr("Cannot compare: %1").arg(errors.join(QStringLiteral("; "))));
        if (!quiet)
            QMessageBox::warning(this, tr("Cannot compare"), errors.join(QStringLiteral("\n\n")));
        return nullptr;
    }
    auto *page = new DiffPage(std::move(*layers[0]), a, std::move(*layers[1]), b, m_tabs);
    connect(page, &DiffPage::statusMessage, this, [this](const QString &text) {
        m_status->setText(text);
    });
    connect(page, &DiffPage::finished, this, &MainWindow::pageLoaded);
    auto shortName = [](const QString &path) {
        const QString n = QFileInfo(path).fileName();
        return n.size() > 20 ? n.left(19) + QStringLiteral("…") : n;
    };
    addToolTab(page, tr("%1 ⇄ %2").arg(shortName(a), shortName(b)), tr("A: %1\nB: %2").arg(a, b));
    return page;
}

void MainWindow::compareDialog()
{
    if (LayerPage *p = currentPage()) {
        const QString other = QFileDialog::getOpenFileName(this,
                                                           tr("Compare %1 with")
                                                               .arg(p->document()->fileName()),
                                                           QFileInfo(p->document()->path()).path());
        if (!other.isEmpty())
            compareFiles(p->document()->path(), other);
        return;
    }
    const QStringList files = QFileDialog::getOpenFileNames(this,
                                                            tr("Choose two layers to compare"));
    if (files.size() == 2)
        compareFiles(files[0], files[1]);
    else if (!files.isEmpty())
        QMessageBox::information(this,
                                 tr("Compare"),
                                 tr("Choose exactly two layer files (%1 chosen).").arg(files.size()));
}

void MainWindow::openDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open layer files"));
    if (!files.isEmpty())
        openFiles(files);
}

void MainWindow::closeTab(int index)
{
    if (QWidget *w = m_tabs->widget(index)) {
        m_tabs->removeTab(index);
        delete w;
    }
    updateProgress();
}

void MainWindow::addRecent(const QString &path)
{
    QSettings s;
    QStringList recent = s.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent)
        m_recentMenu
            ->addAction(QFileInfo(path).fileName(), this, [this, path] { openFiles({path}); })
            ->setToolTip(path);
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::about()
{
    QMessageBox::about(
        this,
        tr("About Layerscope"),
        tr("<h3>Layerscope %1</h3><p>Explorer and editor for Neon pageserver layer files.</p>"
           "<p>Reads image and delta layers byte-compatibly with Neon: summary, B-tree index, "
           "blobs (zstd), values and WAL records.</p>")
            .arg(QStringLiteral(LAYERSCOPE_VERSION)));
}

void MainWindow::dragEnterEvent(QDragEnterEvent *e)
{
    if (e->mimeData()->hasUrls())
        e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *e)
{
    QStringList files;
    for (const QUrl &u : e->mimeData()->urls())
        if (u.isLocalFile())
            files << u.toLocalFile();
    openDropped(files);
}

void MainWindow::openDropped(const QStringList &files)
{
    if (files.size() == 2 && !timelineWithIndex(files))
        compareFiles(files[0], files[1]);
    else
        openFiles(files);
}

void MainWindow::closeEvent(QCloseEvent *e)
{
    while (m_tabs->count() > 0)
        closeTab(0);
    e->accept();
}

} // namespace layerscope::ui
