// The GUI on objects in a real S3-compatible server (s3rver on 127.0.0.1): a remote layer says
// where it is and what it cost, refuses edits, and a lost connection shows a banner with Retry.

#include "../remote/s3server.h"
#include "testutil.h"

#include <document/layerdocument.h>
#include <layerpage.h>
#include <keys/keytablewidget.h>
#include <mainwindow.h>
#include <timeline/timelinepage.h>

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace layerscope;
using namespace layerscope::ui;
using namespace testremote;

class TestRemotePage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init() { useEndpoint(m_server->endpoint()); }
    void remoteLayerSaysWhereAndWhatItCost();
    void editsAreRefused();
    void lostConnectionShowsRetry();
    void timelinePrefixOpens();
    void recentKeepsNoSecret();
    void damagedRemoteByKeyboard();

private:
    /// Points the AWS environment at `endpoint` (the server or a proxy).
    static void useEndpoint(const QString &endpoint)
    {
        qputenv("AWS_ENDPOINT_URL", endpoint.toUtf8());
        qputenv("LAYERSCOPE_REMOTE_ATTEMPTS", "2");
        qputenv("LAYERSCOPE_REMOTE_BACKOFF_MS", "10");
        qputenv("LAYERSCOPE_REMOTE_STALL_TIMEOUT_MS", "1000");
    }
    QString url() const { return "s3://layers/tl/" + m_name + "-00000001"; }
    /// The image fixture: more than one fetch block, so that reading its index needs a GET
    /// after the one that opened it.
    QString imageUrl() const { return "s3://layers/other/" + m_image + "-00000001"; }

    S3Server *m_server = nullptr;
    QString m_name, m_image;
};

void TestRemotePage::initTestCase()
{
    qputenv("AWS_ACCESS_KEY_ID", "S3RVER");
    qputenv("AWS_SECRET_ACCESS_KEY", kSecret);
    m_server = new S3Server(QStringLiteral("layers"));
    QVERIFY(m_server->ok());
    const QString f = testutil::fixtureLayers().filter("-0000000005000050").first();
    m_name = QFileInfo(f).fileName();
    QVERIFY(m_server->put("tl/" + m_name + "-00000001", testutil::readAll(f)));
    const QString image = testutil::fixtureLayers().filter("__0000000001696070").first();
    m_image = QFileInfo(image).fileName();
    QVERIFY(testutil::readAll(image).size() > 64 * 1024);
    QVERIFY(m_server->put("other/" + m_image + "-00000001", testutil::readAll(image)));
    useEndpoint(m_server->endpoint());
}

void TestRemotePage::cleanupTestCase()
{
    delete m_server;
}

void TestRemotePage::remoteLayerSaysWhereAndWhatItCost()
{
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::pageLoaded);
    QCOMPARE(w.openFiles({url()}), 1);
    QVERIFY(loaded.wait(20000));
    LayerPage *p = w.currentPage();
    QVERIFY(p && p->document()->remote());
    QCOMPARE(p->document()->path(), url());
    QVERIFY(p->remoteBar());
    p->retryRemote(); // also refreshes the bar
    const QString text = p->remoteBar()->findChild<QLabel *>()->text();
    QVERIFY2(text.contains("Remote") && text.contains(url()) && text.contains("fetched of 32.0 KiB"),
             qPrintable(text));
    QVERIFY(!p->remoteBar()->findChild<QPushButton *>()->isVisibleTo(p));
    QCOMPARE(p->document()->shape() ? p->document()->shape()->totalEntries : 0, 15u);
}

void TestRemotePage::editsAreRefused()
{
    MainWindow w;
    QCOMPARE(w.openFiles({url()}), 1);
    Summary s = w.currentPage()->document()->layer().summary();
    s.lsnEnd = Lsn{s.lsnEnd.value + 1};
    QVERIFY(!w.applySummaryEdit(s, SafeWriteOptions{}, false));
}

void TestRemotePage::lostConnectionShowsRetry()
{
    Fault f;
    f.kind = Fault::Status503;
    f.from = 2; // the summary arrives; everything after it fails
    f.count = -1;
    FaultProxy proxy(*m_server, f);
    useEndpoint(proxy.endpoint());
    MainWindow w;
    QCOMPARE(w.openFiles({imageUrl()}), 1);
    LayerPage *p = w.currentPage();
    QVERIFY(p);
    QTRY_VERIFY_WITH_TIMEOUT(p->document()->remote()->failure().has_value(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(p->remoteBar()->findChild<QPushButton *>()->isVisibleTo(p), 5000);
    QVERIFY(p->remoteBar()->findChild<QPushButton *>()->focusPolicy() & Qt::TabFocus); // by keyboard too
    const QString text = p->remoteBar()->findChild<QLabel *>()->text();
    QVERIFY2(text.contains("Connection lost") && text.contains("bytes"), qPrintable(text));
    // Retry forgets the failure and reads again (here into the same fault, shown again).
    p->retryRemote();
    QVERIFY(!p->remoteBar()->findChild<QPushButton *>()->isVisibleTo(p)
            || p->document()->remote()->failure().has_value());
    QTRY_VERIFY_WITH_TIMEOUT(p->document()->remote()->failure().has_value(), 20000);
}

void TestRemotePage::timelinePrefixOpens()
{
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::pageLoaded);
    QCOMPARE(w.openFiles({"s3://layers/tl/"}), 1);
    QVERIFY(loaded.wait(20000));
    auto *page = w.findChild<TimelinePage *>();
    QVERIFY(page);
    QVERIFY(page->timeline());
    QCOMPARE(int(page->timeline()->layers.size()), 1);
    QCOMPARE(page->timeline()->storedWhere, std::string("in the bucket"));
    QVERIFY(page->timeline()->layers[0].summary.has_value());
}

// A presigned URL opens; Open Recent, the tab and the page keep it without its query.
void TestRemotePage::recentKeepsNoSecret()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().remove(QStringLiteral("recentFiles"));
    const QString secret = QStringLiteral("X-Amz-Security-Token=5ecret5ignature");
    const QString plain = m_server->endpoint() + "/layers/tl/" + m_name + "-00000001";
    MainWindow w;
    QCOMPARE(w.openFiles({plain + "?" + secret}), 1);
    QCOMPARE(w.currentPage()->document()->path(), plain);
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    QCOMPARE(recent.value(0), plain);
    for (const QString &r : recent)
        QVERIFY(!r.contains(QStringLiteral("5ecret")));
    QVERIFY(!w.currentPage()->remoteBar()->findChild<QLabel *>()->text().contains("5ecret"));
}

// A damaged remote layer: the same problems as the local copy, the damage banner beside the
// remote bar, and the keyboard alone moves through the panes (Tab leaves the key table).
void TestRemotePage::damagedRemoteByKeyboard()
{
    QTemporaryDir dir;
    const QString f = testutil::fixtureLayers().filter("-0000000005000050").first();
    QByteArray bytes = testutil::readAll(f);
    auto layer = Layer::open(std::make_shared<MemorySource>(testutil::toVector(bytes)));
    const auto entries = *layer->entries();
    bytes[qsizetype(entries[3].blobOffset)] = char(0xA0); // a broken blob header
    QVERIFY(m_server->put("damaged/" + m_name + "-00000001", bytes));
    const QString localCopy = dir.filePath(m_name + "-00000001");
    QVERIFY(testutil::writeFile(localCopy, bytes));

    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QCOMPARE(w.openFiles({localCopy, "s3://layers/damaged/" + m_name + "-00000001"}, true), 2);
    QTRY_VERIFY_WITH_TIMEOUT(w.allLoaded(), 20000);
    LayerPage *p = w.currentPage();
    QVERIFY(p->document()->remote());
    auto *tabs = w.findChild<QTabWidget *>();
    auto *localPage = qobject_cast<LayerPage *>(tabs->widget(0));
    QTRY_VERIFY_WITH_TIMEOUT(p->document()->report() && localPage->document()->report(), 20000);
    QCOMPARE(p->document()->report()->errors, localPage->document()->report()->errors);
    QVERIFY(p->document()->report()->errors > 0);
    QCOMPARE(p->document()->report()->problems.front().offset,
             localPage->document()->report()->problems.front().offset);
    p->focusPane(LayerPage::KeysPane);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QVERIFY(QApplication::focusWidget() != p->keys()->view());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_2, Qt::AltModifier);
    QCOMPARE(p->currentPane(), LayerPage::ProblemsPane);
}

QTEST_MAIN(TestRemotePage)
#include "tst_remotepage.moc"
