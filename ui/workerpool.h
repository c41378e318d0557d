#pragma once

class QThreadPool;

namespace layerscope::ui {

/// The pool every long job of the UI runs on: QtConcurrent::run(workerPool(), ...). Qt's
/// global pool is left to Qt, whose image conversions and scaling cut their work into tasks
/// on it and wait for them on the UI thread: with a 1 GiB write and a validation holding both
/// threads of a 2-core machine's global pool, a repaint waited 170–330 ms for one to finish.
/// Owned by the function (created on first use, lives until exit); at least 4 threads, so a
/// write never queues behind two validations.
QThreadPool *workerPool();

} // namespace layerscope::ui
