#pragma once

#include <layerscope/check/validate.h>
#include <layerscope/dissect/dissect.h>
#include <layerscope/format/layer.h>

#include "hexview.h"

#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QTabWidget;
class QTextBrowser;
class QTreeView;

namespace layerscope::ui {

class FieldTreeModel;
class FindBar;

/// The bytes pane and the details pane, linked: the stored bytes in place in the mapped file,
/// the decompressed bytes of zstd blobs, and the field tree of what is shown (an entry, an
/// index node, the summary) from core's dissection, beside a prose description of an entry.
/// Selecting a field highlights its bytes; clicking a byte selects the innermost field over it
/// (dissecting the part of the file it belongs to when needed). Fields with problems are red.
class BlobPanel : public QWidget
{
    Q_OBJECT
public:
    explicit BlobPanel(QWidget *parent = nullptr);
    /// Non-owning; pass nullptr before the layer goes away.
    void setLayer(const Layer *layer);
    /// Non-owning; problems are shown on the fields they touch. nullptr: none.
    void setReport(const ValidationReport *report);
    /// An entry: its blob in the hex view; with its position, its dissection in the fields.
    void showEntry(const Entry &entry, std::optional<std::uint64_t> position = std::nullopt);
    /// Index node `block` (relative to index_start_blk): its fields and its 8 KiB.
    void showNode(std::uint32_t block);
    /// The summary, with the field named `field` (a summaryField() name) selected.
    void showSummaryField(const QString &field);
    /// Selects the innermost field over file offset `at`, dissecting its part of the file if
    /// the fields shown do not cover it. False when nothing there can be dissected.
    bool selectOffset(FileOffset at);
    void clearEntry();
    QTreeView *fieldView() const { return m_fieldView; }
    FieldTreeModel *fieldModel() const { return m_fieldModel; }
    /// What a highlighted range is: damage (red) or a find match.
    enum class Mark { Fault, Match };
    /// Highlights [offset, offset + length) of the file (a problem's bytes, a match) and
    /// scrolls to it; the fields of the part holding it are shown.
    void showRange(FileOffset offset, std::uint64_t length, const QString &what,
                   Mark mark = Mark::Fault);
    /// Every show* call is a jump: back and forward replay them (Alt+Left / Alt+Right).
    /// False when there is nothing to go back or forward to.
    bool goBack();
    bool goForward();
    bool canGoBack() const { return !m_back.empty(); }
    bool canGoForward() const { return !m_forward.empty(); }
    /// The find bar under the bytes (Ctrl+F shows it, F3 / Shift+F3 search on).
    FindBar *findBar() const { return m_find; }
    /// The bytes pane's title line (what is shown and where).
    QString title() const;
    HexView *storedView() const { return m_stored; }
    QTextBrowser *decodedView() const { return m_decoded; }

signals:
    /// Back or forward became possible or impossible.
    void historyChanged();

private:
    /// Records a jump: `again` shows it again when the history is replayed.
    void remember(std::function<void()> again);
    void replay();
    void showFields(Field root, const QString &select = {});
    void fieldChanged();
    DissectContext context() const;

    const Layer *m_layer = nullptr;
    const ValidationReport *m_report = nullptr;
    QLabel *m_title;
    QTabWidget *m_tabs;
    HexView *m_stored;
    HexView *m_decompressed;
    QTabWidget *m_detailTabs;
    QTreeView *m_fieldView;
    FieldTreeModel *m_fieldModel;
    QTextBrowser *m_decoded;
    ByteVector m_decompressedBytes;
    /// The highlights of what is shown (blob header and payload, node, ...); the selected
    /// field's bytes are drawn over them.
    std::vector<HexView::Highlight> m_base;
    FindBar *m_find;
    std::vector<std::function<void()>> m_back;
    std::vector<std::function<void()>> m_forward;
    std::function<void()> m_current;
    bool m_replaying = false;
};

} // namespace layerscope::ui
