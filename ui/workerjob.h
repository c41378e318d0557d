#pragma once

#include "workerpool.h"

#include <QFutureWatcher>
#include <QPromise>
#include <QtConcurrent>

#include <algorithm>
#include <cstdint>
#include <optional>

namespace layerscope::ui {

/// One background computation at a time for its owner (a page): start() cancels and awaits
/// the previous run, then runs `T work(auto &promise)` (the promise for
/// setProgressValue and isCanceled) on workerPool(); connect to watcher()
/// for progress and finished. isBusy() holds from start() until the finished handler has
/// taken the result. A result of an earlier run (generation token) is dropped by take().
/// cancel() and the destructor cancel and wait, so the owner's members outlive the work.
template<class T>
class WorkerJob
{
public:
    struct Tagged
    {
        quint64 generation = 0;
        std::optional<T> value;
    };

    ~WorkerJob() { cancel(); }

    template<class Work>
    void start(Work work)
    {
        cancel();
        m_busy = true;
        const quint64 generation = ++m_generation;
        m_watcher.setFuture(QtConcurrent::run(workerPool(), [work = std::move(work), generation](QPromise<Tagged> &promise) {
            Tagged out{generation, std::nullopt};
            out.value = work(promise);
            promise.addResult(std::move(out));
        }));
    }
    void cancel()
    {
        m_watcher.cancel();
        m_watcher.waitForFinished();
        m_busy = false;
    }
    bool isBusy() const { return m_busy; }
    QFutureWatcher<Tagged> &watcher() { return m_watcher; }

    /// In the finished handler: the current run's result; nullopt when it was cancelled
    /// (`*cancelled` set) or belongs to an earlier run (then a newer one is still busy).
    std::optional<T> take(bool *cancelled)
    {
        *cancelled = false;
        if (m_watcher.isCanceled() || m_watcher.future().resultCount() == 0) {
            m_busy = m_watcher.isRunning();
            *cancelled = true;
            return std::nullopt;
        }
        Tagged r = m_watcher.result();
        if (r.generation != m_generation)
            return std::nullopt;
        m_busy = false;
        return std::move(r.value);
    }

private:
    QFutureWatcher<Tagged> m_watcher;
    quint64 m_generation = 0;
    bool m_busy = false;
};

/// A core progress callback (entries done, blob offset reached) that reports the offset's share
/// of [0, end) to `promise` in percent (at most 99 until the result is there) and returns false
/// once the promise is cancelled.
template<class Promise>
auto offsetProgress(Promise &promise, std::uint64_t end)
{
    promise.setProgressRange(0, 100);
    const double total = double(std::max<std::uint64_t>(1, end));
    return [&promise, total](std::uint64_t, std::uint64_t at) {
        promise.setProgressValue(int(std::min(99.0, 100.0 * double(at) / total)));
        return !promise.isCanceled();
    };
}

} // namespace layerscope::ui
