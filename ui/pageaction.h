#pragma once

// The commands a layer tab offers, each declared by the feature that carries it out (as Tiled
// and Okteta let each part of the program register its own actions). MainWindow only places
// them in its menus and runs them on the current tab: it never reaches into a tab's panes.

#include <QCoreApplication>
#include <QKeySequence>

#include <functional>
#include <vector>

class QWidget;

namespace layerscope::ui {

class LayerPage;

struct PageAction
{
    /// Menu text with its & mnemonic, marked with QT_TRANSLATE_NOOP("PageAction", ...).
    const char *text = nullptr;
    QKeySequence shortcut;
    /// Runs on the current tab; `dialogParent` parents any dialog it opens.
    std::function<void(LayerPage &page, QWidget *dialogParent)> run;
    /// When set, the action is enabled only while this holds for the current tab (the window
    /// asks again when the tab changes and when the tab says its navigation changed).
    std::function<bool(const LayerPage &page)> enabled;
};

using PageActions = std::vector<PageAction>;

/// A page action's text (or its dialogs' texts), translated in the "PageAction" context.
inline QString pageActionText(const char *text)
{
    return QCoreApplication::translate("PageAction", text);
}

} // namespace layerscope::ui
