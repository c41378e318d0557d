#include "testutil.h"

#include <layerpage.h>
#include <mainwindow.h>

#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QDir>
#include <QTest>

using namespace layerscope::ui;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void opensFixturesInTabs();
    void badFilesAreReportedAndSkipped_data();
    void badFilesAreReportedAndSkipped();
    void damagedFilesOpen();
    void screenshotGrab();
};

void TestMainWindow::opensFixturesInTabs()
{
    MainWindow w;
    const QStringList files = testutil::fixtureLayers();
    QCOMPARE(w.openFiles(files, true), int(files.size()));
    QCOMPARE(w.tabs()->count(), int(files.size()));
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    QVERIFY(w.tabs()->tabText(0).startsWith("delta ") || w.tabs()->tabText(0).startsWith("image "));
    QVERIFY(w.windowTitle().contains("Layerscope"));
}

void TestMainWindow::badFilesAreReportedAndSkipped_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    QTest::newRow("directory") << QByteArray("dir") << "a directory";
    QTest::newRow("empty") << QByteArray() << "the file is empty";
}

void TestMainWindow::badFilesAreReportedAndSkipped()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString bad = dir.filePath("not-a-layer");
    if (content == "dir") {
        QVERIFY(QDir().mkpath(bad));
    } else {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
    }
    MainWindow w;
    QCOMPARE(w.openFiles({bad, testutil::fixtureLayers().first()}, true), 1);
    QCOMPARE(w.tabs()->count(), 1);
    QCOMPARE(w.lastErrors().size(), 1);
    QVERIFY(w.lastErrors().first().contains(bad));
    QVERIFY2(w.lastErrors().first().contains(message), qPrintable(w.lastErrors().first()));
}

// Damaged files are not refused: they open in a reduced view with a banner.
void TestMainWindow::damagedFilesOpen()
{
    QTemporaryDir dir;
    const QString bad = dir.filePath("not-a-layer");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(8192, 'z'));
    f.close();
    MainWindow w;
    QCOMPARE(w.openFiles({bad, testutil::fixtureLayers().first()}, true), 2);
    QCOMPARE(w.tabs()->count(), 2);
    QVERIFY(w.lastErrors().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
}

void TestMainWindow::screenshotGrab()
{
    MainWindow w;
    w.openFiles(testutil::fixtureLayers(), true);
    w.show();
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    const QImage img = w.grab().toImage();
    QCOMPARE(img.size(), w.size());
    // Not a blank window: many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
        for (int x = 0; x < img.width(); x += 7)
            colours.insert(img.pixel(x, y));
    QVERIFY(colours.size() > 20);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
