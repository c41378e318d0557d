#include "testutil.h"

#include <document/layerdocument.h>
#include <edit/summaryeditdialog.h>
#include <layerpage.h>
#include <mainwindow.h>

#include <layerscope/format/layer.h>

#include <QCheckBox>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QScrollBar>
#include <QScopeGuard>
#include <QSemaphore>
#include <QThreadPool>
#include <QTest>
#include <QTextBrowser>
#include <QUndoStack>

#include <atomic>
#include <thread>

using namespace layerscope;
using namespace layerscope::ui;

class TestSummaryEdit : public QObject
{
    Q_OBJECT
private slots:
    void dialogValidatesAsTyped_data();
    void dialogValidatesAsTyped();
    void riskyEditNeedsAcknowledgement();
    void applyUndoRedo();
    void fileChangedBehindTheTabIsRefused();
    void jobsLeaveQtsPoolFree();
};

namespace {
QString deltaFixture()
{
    for (const QString &f : testutil::fixtureLayers())
        if (QFileInfo(f).fileName().count('-') > 1)
            return f;
    return {};
}

/// A writable copy of the delta fixture in `dir` (empty when it cannot be made).
QString copyOfDeltaFixture(const QTemporaryDir &dir)
{
    const QString file = dir.filePath(QFileInfo(deltaFixture()).fileName());
    if (!QFile::copy(deltaFixture(), file))
        return {};
    QFile(file).setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    return file;
}
} // namespace

void TestSummaryEdit::dialogValidatesAsTyped_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("fieldError");  // the error under the field itself
    QTest::newRow("unchanged-is-not-an-edit") << "tenant" << "0123456789abcdef0123456789abcdef" << false << "";
    QTest::newRow("valid-tenant") << "tenant" << "11111111111111111111111111111111" << true << "";
    QTest::newRow("short-tenant") << "tenant" << "1111111111111111111111111111111" << false
                                  << "32 hex digits needed, 31 typed";
    QTest::newRow("non-hex-tenant") << "tenant" << "1111111111111111111111111111111x" << false
                                    << "'x' at position 32 is not a hex digit";
    QTest::newRow("non-hex-key") << "keyStart" << "000000067F0000000500004000000000000Z" << false
                                 << "'Z' at position 36 is not a hex digit";
    QTest::newRow("key-start-above-end") << "keyStart" << "FF0000000000000000000000000000000000" << false << "";
    QTest::newRow("bad-lsn") << "lsn" << "0/5000010/1" << false << "'/' at position 10 does not belong";
    QTest::newRow("lsn-start-after-end") << "lsn" << "0/6000000" << false << "";
}

void TestSummaryEdit::dialogValidatesAsTyped()
{
    QFETCH(QString, field);
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QString, fieldError);
    const QByteArray bytes = testutil::readAll(deltaFixture());
    auto layer = Layer::openFile(deltaFixture().toStdString());
    SummaryEditDialog dlg(layer->summary(), Bytes(reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())),
                          QFileInfo(deltaFixture()).fileName());
    QVERIFY(!dlg.canAccept());  // nothing changed yet
    QLineEdit *edit = field == "tenant" ? dlg.tenantEdit() : field == "keyStart" ? dlg.keyStartEdit() : dlg.lsnStartEdit();
    edit->selectAll();
    QTest::keyClicks(edit, text);
    QCOMPARE(dlg.canAccept(), ok);
    if (fieldError.isEmpty())
        QCOMPARE(dlg.fieldError(edit), QString());
    else
        QVERIFY2(dlg.fieldError(edit).contains(fieldError), qPrintable(dlg.fieldError(edit)));
    // Only the field typed in shows an error.
    for (QLineEdit *other : {dlg.tenantEdit(), dlg.keyStartEdit(), dlg.lsnStartEdit()})
        if (other != edit)
            QCOMPARE(dlg.fieldError(other), QString());
    // The preview shows both blocks whole: nothing to scroll sideways.
    dlg.show();
    QCoreApplication::processEvents();
    QCOMPARE(dlg.preview()->horizontalScrollBar()->maximum(), 0);
    if (ok) {
        QCOMPARE(QString::fromStdString(dlg.edited().tenant.toHex()), text);
        QVERIFY(dlg.preview()->toPlainText().contains("16 byte(s) change"));
    }
}

void TestSummaryEdit::riskyEditNeedsAcknowledgement()
{
    const QByteArray bytes = testutil::readAll(deltaFixture());
    auto layer = Layer::openFile(deltaFixture().toStdString());
    SummaryEditDialog dlg(layer->summary(), Bytes(reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())),
                          QFileInfo(deltaFixture()).fileName());
    dlg.keyStartEdit()->setText("010000000000000000000000000000000000");
    QVERIFY(!dlg.canAccept());
    QCheckBox *force = nullptr;
    for (QCheckBox *c : dlg.findChildren<QCheckBox *>())
        if (c->text().startsWith("Write anyway"))
            force = c;
    QVERIFY(force && force->isVisibleTo(&dlg));
    force->setChecked(true);
    QVERIFY(dlg.canAccept());
    if (qEnvironmentVariableIsSet("LAYERSCOPE_SHOT_DIR")) {  // for the README screenshot
        dlg.resize(900, 760);
        dlg.grab().save(qEnvironmentVariable("LAYERSCOPE_SHOT_DIR") + "/edit-summary.png");
    }
    QVERIFY(dlg.renameToImpliedName() == false);
}

void TestSummaryEdit::applyUndoRedo()
{
    QTemporaryDir dir;
    const QString file = copyOfDeltaFixture(dir);
    QVERIFY(!file.isEmpty());
    const QByteArray original = testutil::readAll(file);
    MainWindow w;
    QCOMPARE(w.openFiles({file}, true), 1);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    LayerPage *page = w.currentPage();
    Summary edited = page->document()->layer().summary();
    edited.tenant = *Id128::fromHex("55555555555555555555555555555555");
    SafeWriteOptions o;
    QVERIFY(w.applySummaryEdit(edited, o, false));
    QCOMPARE(QString::fromStdString(page->document()->layer().summary().tenant.toHex()), QString("55555555555555555555555555555555"));
    const QByteArray after = testutil::readAll(file);
    QCOMPARE(after.size(), original.size());
    QCOMPARE(after.mid(8192), original.mid(8192));  // only block 0 changed
    QCOMPARE(testutil::readAll(file + ".orig"), original);
    QCOMPARE(testutil::readAll(file + ".bak.1"), original);
    QVERIFY(w.statusText().contains("original kept as " + file + ".orig"));
    QVERIFY(page->undoStack()->canUndo());
    QCOMPARE(page->undoStack()->undoText(), QString("tenant id change"));
    // A second edit, then undo both: the file is the original again, and NAME.orig never changed.
    edited.timeline = *Id128::fromHex("66666666666666666666666666666666");
    QVERIFY(w.applySummaryEdit(edited, o, false));
    QCOMPARE(page->undoStack()->undoText(), QString("timeline id change"));
    page->undoStack()->undo();
    QCOMPARE(testutil::readAll(file), after);
    page->undoStack()->undo();
    QCOMPARE(testutil::readAll(file), original);
    QCOMPARE(testutil::readAll(file + ".orig"), original);
    QCOMPARE(QString::fromStdString(page->document()->layer().summary().tenant.toHex()), QString("0123456789abcdef0123456789abcdef"));
    page->undoStack()->redo();
    QCOMPARE(testutil::readAll(file), after);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
}

// Promise: a file changed on disk behind an open tab is never written over: the edit is
// refused, the file keeps the other program's bytes, and the undo stack is unchanged.
void TestSummaryEdit::fileChangedBehindTheTabIsRefused()
{
    QTemporaryDir dir;
    const QString file = copyOfDeltaFixture(dir);
    QVERIFY(!file.isEmpty());
    MainWindow w;
    QCOMPARE(w.openFiles({file}, true), 1);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    LayerPage *page = w.currentPage();
    // Another program changes one byte of block 0 (same size, same inode).
    QByteArray theirs = testutil::readAll(file);
    theirs[100] = 'T';
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.write(theirs.left(8192));
    f.close();
    Summary edited = page->document()->layer().summary();
    edited.tenant = *Id128::fromHex("55555555555555555555555555555555");
    QVERIFY(!w.applySummaryEdit(edited, SafeWriteOptions{}, false));
    QCOMPARE(testutil::readAll(file), theirs);
    QCOMPARE(page->undoStack()->count(), 0);
    QVERIFY2(w.statusText().contains("changed since it was read"), qPrintable(w.statusText()));
    QVERIFY(!QFile::exists(file + ".orig"));
}

QTEST_MAIN(TestSummaryEdit)
// Qt's raster painting and image conversions cut big jobs into pieces on Qt's global pool and
// wait for them on the UI thread, so a window whose own jobs held that pool's threads stalled
// while a write ran. Here, once the window exists (its icon is painted), every thread of the
// global pool is held: the load, the validation, an edit's write and its undo still finish,
// so none of them runs there. (A watchdog lets the threads go after 15 s, so a regression
// fails instead of hanging.)
void TestSummaryEdit::jobsLeaveQtsPoolFree()
{
    QTemporaryDir dir;
    const QString file = copyOfDeltaFixture(dir);
    QVERIFY(!file.isEmpty());
    const QByteArray original = testutil::readAll(file);
    MainWindow w;
    QThreadPool *global = QThreadPool::globalInstance();
    QSemaphore release, started;
    const int held = global->maxThreadCount();
    for (int i = 0; i < held; ++i)
        global->start([&] {
            started.release();
            release.acquire();
        });
    QVERIFY(started.tryAcquire(held, 10000));
    // The watchdog is a thread of its own: a stalled UI thread runs no timers.
    std::atomic<bool> starved = false;
    QSemaphore done;
    std::thread watchdog([&] {
        if (!done.tryAcquire(1, 15000))
            starved = true;
        release.release(held);
    });
    const auto letGo = qScopeGuard([&] {
        done.release();
        watchdog.join();
        global->waitForDone();
    });
    QCOMPARE(w.openFiles({file}, true), 1);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    LayerPage *page = w.currentPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->document()->report(), 10000);  // the validation ran
    Summary edited = page->document()->layer().summary();
    edited.tenant = *Id128::fromHex("77777777777777777777777777777777");
    QVERIFY(w.applySummaryEdit(edited, SafeWriteOptions{}, false));
    QVERIFY(!starved);
    QVERIFY(testutil::readAll(file) != original);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 10000);
    page->undoStack()->undo();
    QVERIFY(!starved);
    QCOMPARE(testutil::readAll(file), original);
    QTRY_VERIFY_WITH_TIMEOUT(page->document()->report(), 10000);
    QCOMPARE(global->activeThreadCount(), held);
}

#include "tst_summaryedit.moc"
