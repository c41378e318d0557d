#include "problemactions.h"

#include "layerpage.h"
#include "problemspanel.h"

#include <QCoreApplication>

namespace layerscope::ui {

PageActions problemActions()
{
    return {
        {QT_TRANSLATE_NOOP("PageAction", "&Next Problem"),
         QKeySequence(Qt::Key_F8),
         [](LayerPage &p, QWidget *) { p.problems()->stepProblem(true); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "&Previous Problem"),
         QKeySequence(Qt::SHIFT | Qt::Key_F8),
         [](LayerPage &p, QWidget *) { p.problems()->stepProblem(false); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "&Validate Again"),
         QKeySequence(Qt::Key_F5),
         [](LayerPage &p, QWidget *) { p.problems()->validate(); },
         {}},
    };
}

} // namespace layerscope::ui
