#include "hexactions.h"

#include "blobpanel.h"
#include "document/layerdocument.h"
#include "findbar.h"
#include "layerpage.h"

#include <QCoreApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>

namespace layerscope::ui {

PageActions hexFindActions()
{
    return {
        {QT_TRANSLATE_NOOP("PageAction", "&Find Bytes…"),
         QKeySequence::Find,
         [](LayerPage &p, QWidget *) { p.blob()->findBar()->activate(); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "Find &Next"),
         QKeySequence::FindNext,
         [](LayerPage &p, QWidget *) { p.blob()->findBar()->find(false); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "Find Pre&vious"),
         QKeySequence::FindPrevious,
         [](LayerPage &p, QWidget *) { p.blob()->findBar()->find(true); },
         {}},
    };
}

PageActions hexNavigationActions()
{
    return {
        {QT_TRANSLATE_NOOP("PageAction", "Go to &Offset…"),
         QKeySequence(Qt::CTRL | Qt::Key_L),
         [](LayerPage &p, QWidget *parent) {
             bool ok = false;
             const QString text = QInputDialog::getText(
                 parent,
                 pageActionText("Go to offset"),
                 pageActionText("Byte offset (decimal, or hex with 0x), below %L1:")
                     .arg(p.document()->layer().fileSize()),
                 QLineEdit::Normal,
                 QString(),
                 &ok);
             if (ok && !p.goToOffset(text))
                 QMessageBox::information(parent,
                                          pageActionText("Go to offset"),
                                          pageActionText("%1 is not an offset inside the file.")
                                              .arg(text));
         },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "&Back"),
         QKeySequence(Qt::ALT | Qt::Key_Left),
         [](LayerPage &p, QWidget *) { p.blob()->goBack(); },
         [](const LayerPage &p) { return p.blob()->canGoBack(); }},
        {QT_TRANSLATE_NOOP("PageAction", "&Forward"),
         QKeySequence(Qt::ALT | Qt::Key_Right),
         [](LayerPage &p, QWidget *) { p.blob()->goForward(); },
         [](const LayerPage &p) { return p.blob()->canGoForward(); }},
    };
}

} // namespace layerscope::ui
