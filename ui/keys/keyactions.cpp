#include "keyactions.h"

#include "keytablewidget.h"
#include "layerpage.h"

#include <QCoreApplication>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QTableView>

namespace layerscope::ui {

namespace {

void exportRows(LayerPage &p, QWidget *parent, bool json)
{
    const QString path = QFileDialog::getSaveFileName(parent,
                                                      pageActionText("Export rows"),
                                                      QString(),
                                                      json ? pageActionText("JSON lines (*.jsonl)")
                                                           : pageActionText("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!p.keys()->exportRows(path, json, &error))
        QMessageBox::warning(parent, pageActionText("Export failed"), error);
    else
        emit p.statusMessage(pageActionText("Exported to %1").arg(path));
}
} // namespace

PageActions keyActions()
{
    return {
        {QT_TRANSLATE_NOOP("PageAction", "Go to &Key…"),
         QKeySequence(Qt::CTRL | Qt::Key_G),
         [](LayerPage &p, QWidget *parent) {
             bool ok = false;
             const QString text = QInputDialog::getText(
                 parent,
                 pageActionText("Go to key"),
                 pageActionText("Key (36 hex digits), optionally @LSN:"),
                 QLineEdit::Normal,
                 QString(),
                 &ok);
             if (ok && !p.keys()->goToKey(text))
                 QMessageBox::information(parent,
                                          pageActionText("Go to key"),
                                          pageActionText("No entry found for %1.").arg(text));
             else if (ok)
                 p.keys()->view()->setFocus(Qt::OtherFocusReason); // go on with the arrow keys
         },
         {}},
    };
}

PageActions keyExportActions()
{
    return {
        {QT_TRANSLATE_NOOP("PageAction", "Export rows as &CSV…"),
         {},
         [](LayerPage &p, QWidget *parent) { exportRows(p, parent, false); },
         {}},
        {QT_TRANSLATE_NOOP("PageAction", "Export rows as &JSON…"),
         {},
         [](LayerPage &p, QWidget *parent) { exportRows(p, parent, true); },
         {}},
    };
}

} // namespace layerscope::ui
