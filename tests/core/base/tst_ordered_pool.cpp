// runOrdered: every task runs once, results merge in task order on the calling thread whatever
// the thread count, workers stay within their window ahead of the merge, results are reused,
// and a merge that says stop ends the run with nothing merged after it.
#include <layerscope/base/ordered_pool.h>

#include <QTest>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace layerscope;

class TestOrderedPool : public QObject
{
    Q_OBJECT
private slots:
    void mergesInOrder_data();
    void mergesInOrder();
    void stopEndsTheRun_data();
    void stopEndsTheRun();
};

void TestOrderedPool::mergesInOrder_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("threads");
    QTest::newRow("none") << 0 << 4;
    QTest::newRow("one-task-four-threads") << 1 << 4;
    QTest::newRow("calling-thread-only") << 100 << 1;
    QTest::newRow("two-threads") << 1000 << 2;
    QTest::newRow("more-threads-than-tasks") << 3 << 8;
    QTest::newRow("eight-threads") << 5000 << 8;
}

void TestOrderedPool::mergesInOrder()
{
    QFETCH(int, count);
    QFETCH(int, threads);
    const std::size_t window = 2 * std::size_t(threads) + 2;
    std::atomic<std::size_t> merged{0}, aheadViolations{0}, dirtyResults{0};
    std::mutex mu;
    std::multiset<std::size_t> ran;
    std::vector<std::size_t> order;
    const auto caller = std::this_thread::get_id();
    bool mergedOnCaller = true;
    const bool done = runOrdered<std::vector<std::size_t>>(
        std::size_t(count),
        unsigned(threads),
        [&](std::size_t i, std::vector<std::size_t> &r) {
            // A reused result still holds what an earlier task put in it; work resets it.
            if (!r.empty() && r.front() == i)
                ++dirtyResults;
            if (threads > 1 && i >= merged.load() + window)
                ++aheadViolations;
            r.assign(i % 7 + 1, i);
            std::lock_guard lock(mu);
            ran.insert(i);
        },
        [&](std::size_t i, const std::vector<std::size_t> &r) {
            mergedOnCaller = mergedOnCaller && std::this_thread::get_id() == caller;
            order.push_back(i);
            if (r != std::vector<std::size_t>(i % 7 + 1, i))
                ++dirtyResults;
            merged = i + 1;
            return true;
        });
    QVERIFY(done);
    QVERIFY(mergedOnCaller);
    QCOMPARE(order.size(), std::size_t(count));
    for (std::size_t i = 0; i < order.size(); ++i)
        QCOMPARE(order[i], i);
    QCOMPARE(ran.size(), std::size_t(count));
    QCOMPARE(std::set<std::size_t>(ran.begin(), ran.end()).size(), std::size_t(count));
    QCOMPARE(aheadViolations.load(), std::size_t(0));
    QCOMPARE(dirtyResults.load(), std::size_t(0));
}

void TestOrderedPool::stopEndsTheRun_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("stopAt");
    QTest::newRow("calling-thread-stops-at-0") << 1 << 0;
    QTest::newRow("calling-thread-stops-at-50") << 1 << 50;
    QTest::newRow("four-threads-stop-at-0") << 4 << 0;
    QTest::newRow("four-threads-stop-at-500") << 4 << 500;
}

void TestOrderedPool::stopEndsTheRun()
{
    QFETCH(int, threads);
    QFETCH(int, stopAt);
    const std::size_t count = 10000, window = 2 * std::size_t(threads) + 2;
    std::atomic<std::size_t> highestStarted{0};
    std::vector<std::size_t> order;
    const bool done = runOrdered<int>(
        count,
        unsigned(threads),
        [&](std::size_t i, int &r) {
            r = int(i);
            std::size_t seen = highestStarted.load();
            while (i > seen && !highestStarted.compare_exchange_weak(seen, i)) {
            }
        },
        [&](std::size_t i, int r) {
            order.push_back(std::size_t(r));
            return i != std::size_t(stopAt);
        });
    QVERIFY(!done);
    QCOMPARE(order.size(), std::size_t(stopAt) + 1);
    QCOMPARE(order.back(), std::size_t(stopAt));
    // No task starts once the stop is seen: at most the window beyond the last merge.
    QVERIFY2(highestStarted.load() <= std::size_t(stopAt) + window,
             qPrintable(QString::number(highestStarted.load())));
}

QTEST_GUILESS_MAIN(TestOrderedPool)
#include "tst_ordered_pool.moc"
