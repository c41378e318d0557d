#include "workerpool.h"

#include <QThread>
#include <QThreadPool>

#include <algorithm>

namespace layerscope::ui {

QThreadPool *workerPool()
{
    static QThreadPool *const pool = [] {
        auto *p = new QThreadPool;
        p->setObjectName(QStringLiteral("layerscope workers"));
        p->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

} // namespace layerscope::ui
