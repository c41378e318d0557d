#pragma once

// Work on every core, results in order. The whole-file passes (the validator's leaf checks,
// the statistics) cut their input into tasks whose grouping does not depend on the thread
// count, run the tasks on a pool and merge the results in task order on the calling thread,
// so every thread count gives the same report.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace layerscope {

/// Runs work(i, result) for every task i in [0, count) on `threads` threads (1 = all on the
/// calling thread), and merge(i, result) on the calling thread in ascending i. Workers run at
/// most 2 × threads + 2 tasks ahead of the merge, so memory stays bounded. A result is reused
/// once merged: work() gets either a default-constructed R or one merged before, and must reset
/// what it fills. merge() returning false stops the run: no task starts after it, running ones
/// finish, and the call returns false once every thread is joined. work and merge must not throw.
template<class R, class Work, class Merge>
bool runOrdered(std::size_t count, unsigned threads, Work &&work, Merge &&merge)
{
    threads = std::max(1u, threads);
    if (threads == 1 || count < 2) {
        R r;
        for (std::size_t i = 0; i < count; ++i) {
            work(i, r);
            if (!merge(i, r))
                return false;
        }
        return true;
    }
    const std::size_t window = 2 * std::size_t(threads) + 2;
    std::vector<std::optional<R>> results(count);
    std::vector<R> spare;
    std::mutex mu;
    std::condition_variable cv;
    std::size_t next = 0, merged = 0;
    bool stop = false;
    auto worker = [&] {
        for (;;) {
            std::size_t i;
            R r;
            {
                std::unique_lock lock(mu);
                cv.wait(lock, [&] { return stop || next >= count || next < merged + window; });
                if (stop || next >= count)
                    return;
                i = next++;
                if (!spare.empty()) {
                    r = std::move(spare.back());
                    spare.pop_back();
                }
            }
            work(i, r);
            std::lock_guard lock(mu);
            results[i] = std::move(r);
            cv.notify_all();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back(worker);
    for (std::size_t i = 0; i < count && !stop; ++i) {
        R r;
        {
            std::unique_lock lock(mu);
            cv.wait(lock, [&] { return results[i].has_value(); });
            r = std::move(*results[i]);
            results[i].reset();
        }
        const bool go = merge(i, r);
        std::lock_guard lock(mu);
        spare.push_back(std::move(r));
        merged = i + 1;
        stop = !go;
        cv.notify_all();
    }
    for (std::thread &t : pool)
        t.join();
    return !stop;
}

} // namespace layerscope
