#include "graphactions.h"

#include "btreegraphview.h"
#include "layerpage.h"

#include <QCoreApplication>

namespace layerscope::ui {

PageActions graphActions()
{
    return {
        {QT_TRANSLATE_NOOP("PageAction", "Zoom &In"),
         QKeySequence::ZoomIn,
         [](LayerPage &p, QWidget *) { p.graph()->zoomIn(); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "Zoom &Out"),
         QKeySequence::ZoomOut,
         [](LayerPage &p, QWidget *) { p.graph()->zoomOut(); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "&Fit Tree"),
         QKeySequence(Qt::CTRL | Qt::Key_0),
         [](LayerPage &p, QWidget *) { p.graph()->fitToView(); },
         {}},
    };
}

} // namespace layerscope::ui
