// Opens a layer in the real main window (offscreen) and reports time to the summary and first
// table page, time to the full index, and the longest event-loop stall while loading.
#include <keys/entrytablemodel.h>
#include <document/layerdocument.h>
#include <keys/keytablewidget.h>
#include <layerpage.h>
#include <mainwindow.h>

#include <layerscope/write/edit.h>

#include <QApplication>
#include <QFile>
#include <QUndoStack>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_gui_load LAYER...\n");
        return 2;
    }
    for (int i = 1; i < argc; ++i) {
        layerscope::ui::MainWindow window;
        window.show();
        QCoreApplication::processEvents();
        // The first tab of a process also pays for Qt's one-time set-up (fonts, styles, widget
        // classes): measure it, close it, and measure the open an engineer sees afterwards.
        {
            QElapsedTimer cold;
            cold.start();
            window.openFiles({QString::fromLocal8Bit(argv[i])}, true);
            window.currentPage()->keys()->view()->viewport()->repaint();
            std::printf("  first tab in a fresh process   %.1f ms (UI thread, includes Qt's one-time set-up)\n",
                        double(cold.nsecsElapsed()) / 1e6);
            while (!window.allLoaded())
                QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
            delete window.tabs()->widget(0);
            QCoreApplication::processEvents();
        }

        // Stall probe: a 1 ms timer; the longest gap between its ticks is the longest time
        // the event loop could not run.
        QElapsedTimer clock;
        qint64 lastTick = 0, longest = 0;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        QObject::connect(&probe, &QTimer::timeout, [&] {
            const qint64 now = clock.nsecsElapsed();
            longest = std::max(longest, now - lastTick);
            lastTick = now;
        });
        clock.start();
        probe.start(1);
        const qint64 t0 = clock.nsecsElapsed();
        window.openFiles({QString::fromLocal8Bit(argv[i])}, true);
        auto *page = window.currentPage();
        if (!page) {
            std::fprintf(stderr, "cannot open %s\n", argv[i]);
            return 1;
        }
        // First page: the table has rows and has painted them.
        page->keys()->view()->viewport()->repaint();
        const qint64 firstPage = clock.nsecsElapsed() - t0;
        const qint64 openStall = firstPage;  // openFiles ran on the UI thread
        lastTick = clock.nsecsElapsed();
        longest = 0;
        while (!window.allLoaded())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        const qint64 loaded = clock.nsecsElapsed() - t0;
        QCoreApplication::processEvents();
        const qint64 loadStall = longest;  // includes validation: allLoaded() waits for it
        // Scroll through the whole table in steps of one page (what a user dragging does).
        QTableView *view = page->keys()->view();
        const int rows = page->keys()->model()->rowCount();
        lastTick = clock.nsecsElapsed();
        longest = 0;
        const qint64 s0 = clock.nsecsElapsed();
        for (int r = 0; r < rows; r += std::max(1, rows / 200)) {
            view->scrollTo(page->keys()->model()->index(r, 0), QAbstractItemView::PositionAtTop);
            view->viewport()->repaint();
            QCoreApplication::processEvents();
        }
        const qint64 scroll = clock.nsecsElapsed() - s0;
        std::printf("%s\n", argv[i]);
        std::printf("  entries                      %d\n", rows);
        std::printf("  open → summary + first page  %.1f ms (UI thread)\n", double(firstPage) / 1e6);
        std::printf("  open → whole index loaded    %.1f ms\n", double(loaded) / 1e6);
        std::printf("  longest UI stall, open call  %.1f ms\n", double(openStall) / 1e6);
        std::printf("  longest UI stall, load+valid. %.1f ms\n", double(loadStall) / 1e6);
        std::printf("  200 jumps across the table   %.1f ms (%.2f ms each, longest stall %.1f ms)\n",
                    double(scroll) / 1e6, double(scroll) / 2e8, double(longest) / 1e6);
        std::ifstream status("/proc/self/status");
        std::string line;
        long anon = 0;
        while (std::getline(status, line))
            if (line.rfind("RssAnon:", 0) == 0)
                anon = std::stol(line.substr(8));
        std::printf("  anonymous memory after scrolling the whole table %ld KiB (%.2f bytes/entry, whole process)\n",
                    anon, rows ? double(anon) * 1024 / rows : 0.0);

        // A summary edit (a safe write: the whole file is copied on a worker) and its undo,
        // with the stall probe running; the backups it leaves are removed afterwards.
        const QString path = page->document()->path();
        layerscope::Summary edited = page->document()->layer().summary();
        edited.tenant.bytes[0] ^= 0xFF;
        lastTick = clock.nsecsElapsed();
        longest = 0;
        const qint64 e0 = clock.nsecsElapsed();
        const bool ok = window.applySummaryEdit(edited, layerscope::SafeWriteOptions{}, false);
        const qint64 edit = clock.nsecsElapsed() - e0;
        const qint64 editStall = longest;
        while (!window.allLoaded())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        lastTick = clock.nsecsElapsed();
        longest = 0;
        const qint64 u0 = clock.nsecsElapsed();
        window.currentPage()->undoStack()->undo();
        const qint64 undo = clock.nsecsElapsed() - u0;
        std::printf("  summary edit (safe write)    %.1f ms%s, longest UI stall %.1f ms; undo %.1f ms, stall %.1f ms\n",
                    double(edit) / 1e6, ok ? "" : " (FAILED)", double(editStall) / 1e6, double(undo) / 1e6,
                    double(longest) / 1e6);
        for (const char *suffix : {".orig", ".bak.1", ".bak.2"})
            QFile::remove(path + QLatin1String(suffix));
    }
    return 0;
}
