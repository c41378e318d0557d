#include <hex/blobpanel.h>
#include <hex/findbar.h>
#include <keys/keytablewidget.h>
#include <layerpage.h>
#include <mainwindow.h>
#include <page/pagehistorypanel.h>
#include <problems/problemspanel.h>
#include <stats/statspage.h>
#include <theme.h>
#include <timeline/loglinedialog.h>
#include <timeline/timelinepage.h>

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

#include <layerscope/write/synth.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <optional>

namespace {
/// Where the bundled demo layers live (written on first use): per user, in the application
/// data directory (never a shared path in /tmp that another user could prepare).
QStringList demoLayers()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)
                        + QStringLiteral("/demo-") + QStringLiteral(LAYERSCOPE_VERSION);
    QDir().mkpath(dir);
    QStringList existing;
    for (const QString &f : QDir(dir).entryList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name))
        if (!f.endsWith(QStringLiteral("___temp")))
            existing << dir + '/' + f;
    if (existing.size() >= 3)
        return existing;
    auto paths = layerscope::writeDemoLayers(dir.toStdString());
    QStringList out;
    if (paths)
        for (const auto &p : *paths)
            out << QString::fromStdString(p);
    return out;
}
/// True when argv holds one of `names` (before a "--").
bool hasArg(int argc, char **argv, std::initializer_list<const char *> names)
{
    for (int i = 1; i < argc && std::strcmp(argv[i], "--"); ++i)
        for (const char *n : names)
            if (!std::strcmp(argv[i], n))
                return true;
    return false;
}

/// Qt's default platform plugin aborts the process when there is no display. Help and
/// screenshots need none, so they get the offscreen platform; a window without a display is
/// refused in one line. False (after printing why) when the GUI cannot start.
bool choosePlatform(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))
        return true;
    if (hasArg(argc, argv, {"-h", "--help", "--help-all", "--screenshot"})) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        return true;
    }
    std::fprintf(stderr,
                 "layerscope: no display (DISPLAY and WAYLAND_DISPLAY are unset): run it in a "
                 "desktop session, use --screenshot OUT.png, or use layerctl\n");
    return false;
}
/// The command line's options (what `layerscope --help` lists).
struct CommandLine
{
    const QCommandLineOption shot{
        QStringLiteral("screenshot"),
        QStringLiteral("Open the files, wait for loading, save the window to PNG and exit."),
        QStringLiteral("OUT.png")};
    const QCommandLineOption select{
        QStringLiteral("select"),
        QStringLiteral("With --screenshot: select entry N of the first layer before the shot."),
        QStringLiteral("N")};
    const QCommandLineOption size{QStringLiteral("size"),
                                  QStringLiteral("Window size WxH."),
                                  QStringLiteral("WxH")};
    const QCommandLineOption problem{
        QStringLiteral("problem"),
        QStringLiteral("With --screenshot: show the Problems tab and jump to problem N "
                       "(a layer's or a timeline's)."),
        QStringLiteral("N")};
    const QCommandLineOption nodeOpt{
        QStringLiteral("node"),
        QStringLiteral("With --screenshot: show index node BLOCK's fields and bytes."),
        QStringLiteral("BLOCK")};
    const QCommandLineOption offsetOpt{
        QStringLiteral("offset"),
        QStringLiteral("With --screenshot: select the field over byte OFFSET (decimal or 0x)."),
        QStringLiteral("OFFSET")};
    const QCommandLineOption themeOpt{
        QStringLiteral("theme"),
        QStringLiteral(
            "Colour theme for this run: system, light or dark (View → Theme keeps one)."),
        QStringLiteral("NAME")};
    const QCommandLineOption findOpt{
        QStringLiteral("find"),
        QStringLiteral("With --screenshot: find TEXT in the bytes (hex:DEADBEEF for bytes); "
                       "on a timeline, find KEY@LSN (its read path)."),
        QStringLiteral("TEXT")};
    const QCommandLineOption logLineOpt{
        QStringLiteral("log-line"),
        QStringLiteral("Open the timeline a pageserver or compute log line points into, below "
                       "the one path given (a region root, tenant, shard or timeline), with the "
                       "line's key and LSN found. With --screenshot and no path: shoot the "
                       "Open from Log Line dialog with the line in it."),
        QStringLiteral("LINE")};
    const QCommandLineOption statsOpt{
        QStringLiteral("stats"),
        QStringLiteral("Open the Statistics tab of the first layer at SECTION (categories, "
                       "relations, blob_sizes, compression, index_levels, ...)."),
        QStringLiteral("SECTION")};
    const QCommandLineOption pageOpt{
        QStringLiteral("page"),
        QStringLiteral("With --screenshot and --find on a timeline: show the page, rebuilt.")};
    const QCommandLineOption stepOpt{
        QStringLiteral("step"),
        QStringLiteral("With --page: show the page after step N of its chain (0 = the base), the "
                       "bytes that record changed highlighted."),
        QStringLiteral("N")};
    const QCommandLineOption compareOpt{
        QStringLiteral("compare"),
        QStringLiteral("Compare the two files given (a Compare tab) instead of opening them.")};

    /// Adds every option and the FILE arguments to `parser`.
    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({shot,
                           select,
                           size,
                           problem,
                           nodeOpt,
                           offsetOpt,
                           themeOpt,
                           findOpt,
                           logLineOpt,
                           pageOpt,
                           stepOpt,
                           statsOpt,
                           compareOpt});
        parser.addPositionalArgument(QStringLiteral("files"),
                                     QStringLiteral("Layer files to open."),
                                     QStringLiteral("[FILE...]"));
    }
};

/// What a --screenshot shows, read from the command line.
struct Shot
{
    QString out;
    qint64 selectRow = -1;
    int problemRow = -1;
    qint64 nodeBlock = -1;
    std::optional<layerscope::FileOffset> offset;
    std::optional<QString> find;
    bool page = false;
    std::optional<int> step;

    static Shot of(const QCommandLineParser &parser, const CommandLine &cl)
    {
        Shot s;
        s.out = parser.value(cl.shot);
        s.selectRow = parser.isSet(cl.select) ? parser.value(cl.select).toLongLong() : -1;
        s.problemRow = parser.isSet(cl.problem) ? parser.value(cl.problem).toInt() : -1;
        s.nodeBlock = parser.isSet(cl.nodeOpt) ? parser.value(cl.nodeOpt).toLongLong() : -1;
        if (parser.isSet(cl.offsetOpt))
            s.offset = layerscope::ui::LayerPage::parseOffset(parser.value(cl.offsetOpt));
        if (parser.isSet(cl.findOpt))
            s.find = parser.value(cl.findOpt);
        s.page = parser.isSet(cl.pageOpt);
        if (parser.isSet(cl.stepOpt))
            s.step = parser.value(cl.stepOpt).toInt();
        return s;
    }
};

/// Puts the window in the state the screenshot is asked to show.
void arrangeShot(layerscope::ui::MainWindow &window, const Shot &shot)
{
    if (shot.selectRow >= 0 && window.tabs()->count() > 0) {
        window.tabs()->setCurrentIndex(0);
        if (auto *page = window.currentPage()) {
            page->keys()->selectPosition(std::uint64_t(shot.selectRow));
            window.activateWindow();
            page->focusPane(layerscope::ui::LayerPage::KeysPane);
        }
    }
    if (auto *timeline = qobject_cast<layerscope::ui::TimelinePage *>(
            window.tabs()->currentWidget())) {
        if (shot.problemRow >= 0
            && shot.problemRow < timeline->problemsView()->model()->rowCount()) {
            timeline->sideTabs()->setCurrentIndex(1);
            timeline->problemsView()->setCurrentIndex(
                timeline->problemsView()->model()->index(shot.problemRow, 0));
        }
        if (shot.find) {
            timeline->findKey(*shot.find);
            timeline->findTabs()->setCurrentIndex(shot.page ? 1 : 0);
            if (shot.step) {
                timeline->pagePanel()->setHighlightMode(
                    layerscope::ui::PageHistoryPanel::Highlight::ThisStep);
                timeline->pagePanel()->selectStep(*shot.step);
            }
        }
    }
    if (shot.problemRow >= 0 && window.currentPage()) {
        auto *page = window.currentPage();
        page->showProblemsTab();
        auto *model = page->problems()->model();
        if (const auto *p = model->problem(model->index(shot.problemRow, 0)))
            page->showProblem(*p);
    }
    if (shot.nodeBlock >= 0 && window.currentPage())
        window.currentPage()->showNode(std::uint32_t(shot.nodeBlock));
    if (shot.offset && window.currentPage())
        window.currentPage()->blob()->selectOffset(*shot.offset);
    if (shot.find && window.currentPage()) {
        layerscope::ui::FindBar *bar = window.currentPage()->blob()->findBar();
        const QString text = *shot.find;
        const bool hex = text.startsWith(QLatin1String("hex:"));
        bar->activate();
        bar->mode()->setCurrentIndex(hex ? 1 : 0);
        bar->input()->setText(hex ? text.mid(4) : text);
        bar->find(false);
    }
}

} // namespace

int main(int argc, char **argv)
{
    // --version must work without a display (packaging checks, servers).
    if (hasArg(argc, argv, {"--version", "-v"})) {
        std::printf("layerscope %s\n", LAYERSCOPE_VERSION);
        return 0;
    }
    if (!choosePlatform(argc, argv))
        return 2;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Layerscope"));
    QApplication::setOrganizationName(QStringLiteral("Layerscope"));
    QApplication::setApplicationVersion(QStringLiteral(LAYERSCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Explore Neon pageserver layer files."));
    parser.addHelpOption();
    const CommandLine cl;
    cl.addTo(parser);
    parser.process(app);

    layerscope::ui::MainWindow window;
    if (parser.isSet(cl.themeOpt))
        layerscope::ui::applyTheme(layerscope::ui::themeFromName(parser.value(cl.themeOpt)));
    if (parser.isSet(cl.size)) {
        const QStringList wh = parser.value(cl.size).split('x');
        if (wh.size() == 2)
            window.resize(wh[0].toInt(), wh[1].toInt());
    }
    QStringList files = parser.positionalArguments();
    const bool screenshot = parser.isSet(cl.shot);
    if (parser.isSet(cl.logLineOpt)) {
        if (files.size() > 1) {
            std::fprintf(stderr, "layerscope: --log-line takes one path: where the layers are\n");
            return 2;
        }
        if (files.isEmpty() && screenshot) {
            layerscope::ui::LogLineDialog dialog({}, &window);
            dialog.lineEdit()->setPlainText(parser.value(cl.logLineOpt));
            dialog.show();
            QApplication::processEvents();
            return dialog.grab().save(parser.value(cl.shot)) ? 0 : 2;
        }
        window.openLogLine(parser.value(cl.logLineOpt), files.value(0));
        files.clear();
    } else if (files.isEmpty()) {
        files = demoLayers();
    }
    if (parser.isSet(cl.compareOpt)) {
        if (files.size() != 2) {
            std::fprintf(stderr, "layerscope: --compare needs exactly two files\n");
            return 2;
        }
        if (!window.compareFiles(files[0], files[1], screenshot) && screenshot) {
            std::fprintf(stderr, "layerscope: %s\n", qPrintable(window.statusText()));
            return 1;
        }
    } else if (!files.isEmpty()) {
        window.openFiles(files, screenshot);
    }
    if (parser.isSet(cl.statsOpt) && window.tabs()->count() > 0) {
        window.tabs()->setCurrentIndex(0);
        if (auto *stats = window.openStatistics()) {
            const QString section = parser.value(cl.statsOpt);
            QObject::connect(stats, &layerscope::ui::StatsPage::finished, stats, [stats, section] {
                if (!stats->showSection(section))
                    std::fprintf(stderr,
                                 "layerscope: no statistics section %s\n",
                                 qPrintable(section));
            });
        }
    }
    window.show();
    if (!screenshot)
        return app.exec();

    const Shot shotOptions = Shot::of(parser, cl);
    int rc = 0;
    auto finish = [&] {
        arrangeShot(window, shotOptions);
        QTimer::singleShot(300, &app, [&] {
            if (!window.grab().save(shotOptions.out)) {
                std::fprintf(stderr, "layerscope: cannot write %s\n", qPrintable(shotOptions.out));
                rc = 2;
            }
            if (!window.lastErrors().isEmpty()) {
                std::fprintf(stderr, "layerscope: %s\n", qPrintable(window.lastErrors().join("\n")));
                rc = rc ? rc : 1;
            }
            app.quit();
        });
    };
    QElapsedTimer timer;
    timer.start();
    auto *poll = new QTimer(&app);
    QObject::connect(poll, &QTimer::timeout, &app, [&] {
        if (window.allLoaded() || timer.elapsed() > 120000) {
            poll->stop();
            finish();
        }
    });
    poll->start(50);
    const int code = app.exec();
    return rc ? rc : code;
}
