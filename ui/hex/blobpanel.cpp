#include "blobpanel.h"

#include "details/fieldtreemodel.h"
#include "findbar.h"
#include "valuedescription.h"

#include <layerscope/dissect/inspect.h>

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

namespace layerscope::ui {

namespace {
const QColor kHeaderColor(255, 196, 0, 110);
const QColor kPayloadColor(64, 160, 255, 60);
const QColor kNodeColor(120, 200, 120, 50);
const QColor kFaultColor(220, 50, 47, 110);
const QColor kMatchColor(255, 140, 0, 140);
constexpr std::size_t kHistoryLimit = 200;
} // namespace

BlobPanel::BlobPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_stored(new HexView(this))
    , m_decompressed(new HexView(this))
    , m_detailTabs(new QTabWidget(this))
    , m_fieldView(new QTreeView(this))
    , m_fieldModel(new FieldTreeModel(this))
    , m_decoded(new QTextBrowser(this))
    , m_find(new FindBar(this))
{
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    m_tabs->addTab(m_stored, tr("Stored bytes"));
    m_tabs->addTab(m_decompressed, tr("Decompressed"));
    m_tabs->setTabEnabled(1, false);
    m_fieldView->setModel(m_fieldModel);
    m_fieldView->setUniformRowHeights(true);
    m_fieldView->setAlternatingRowColors(true);
    m_fieldView->header()->setStretchLastSection(false);
    m_fieldView->header()->setSectionResizeMode(FieldTreeModel::NameColumn, QHeaderView::Interactive);
    m_fieldView->header()->setSectionResizeMode(FieldTreeModel::ValueColumn, QHeaderView::Stretch);
    m_fieldView->setAccessibleName(tr("Fields"));
    m_decoded->setOpenLinks(false);
    m_detailTabs->addTab(m_fieldView, tr("Fields"));
    m_detailTabs->addTab(m_decoded, tr("Description"));
    // As in Wireshark: the field tree over the bytes, both the panel's full width.
    auto *split = new QSplitter(Qt::Vertical, this);
    auto *bytes = new QWidget(this);
    auto *bytesLayout = new QVBoxLayout(bytes);
    bytesLayout->setContentsMargins(0, 0, 0, 0);
    bytesLayout->setSpacing(0);
    bytesLayout->addWidget(m_tabs, 1);
    bytesLayout->addWidget(m_find);
    split->addWidget(m_detailTabs);
    split->addWidget(bytes);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    m_fieldView->setIndentation(14);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(split, 1);
    connect(m_fieldView->selectionModel(), &QItemSelectionModel::currentChanged, this, &BlobPanel::fieldChanged);
    connect(m_stored, &HexView::offsetClicked, this, [this](quint64 at) { selectOffset(at); });
    connect(m_find, &FindBar::found, this, [this](quint64 at, quint64 length, const QString &pattern) {
        showRange(at, length, tr("“%1”").arg(pattern), Mark::Match);
    });
    clearEntry();
}

void BlobPanel::setLayer(const Layer *layer)
{
    m_layer = layer;
    m_stored->setBytes(layer ? layer->bytes() : Bytes{}, 0);
    m_find->setSource(layer ? layer->source() : nullptr);
    m_fieldModel->clear();
    m_back.clear();
    m_forward.clear();
    m_current = nullptr;
    clearEntry();
    emit historyChanged();
}

QString BlobPanel::title() const
{
    return m_title->text();
}

void BlobPanel::remember(std::function<void()> again)
{
    if (m_replaying)
        return;
    if (m_current) {
        m_back.push_back(std::move(m_current));
        if (m_back.size() > kHistoryLimit)
            m_back.erase(m_back.begin());
    }
    m_forward.clear();
    m_current = std::move(again);
    emit historyChanged();
}

void BlobPanel::replay()
{
    m_replaying = true;
    m_current();
    m_replaying = false;
    emit historyChanged();
}

bool BlobPanel::goBack()
{
    if (m_back.empty())
        return false;
    m_forward.push_back(std::move(m_current));
    m_current = std::move(m_back.back());
    m_back.pop_back();
    replay();
    return true;
}

bool BlobPanel::goForward()
{
    if (m_forward.empty())
        return false;
    m_back.push_back(std::move(m_current));
    m_current = std::move(m_forward.back());
    m_forward.pop_back();
    replay();
    return true;
}

void BlobPanel::setReport(const ValidationReport *report)
{
    m_report = report;
}

DissectContext BlobPanel::context() const
{
    return DissectContext::of(m_layer->bytes(), m_layer->kind());
}

void BlobPanel::showFields(Field root, const QString &select)
{
    if (m_report)
        attachProblems(root, m_report->problems);
    m_fieldModel->setRoot(std::move(root));
    // Groups open down to their fields (an entry down to its record, a page to its header), but
    // a group of many (a node's keys, a page's line pointers and items) stays folded.
    auto open = [&](auto &self, const QModelIndex &parent) -> void {
        const int rows = m_fieldModel->rowCount(parent);
        if (parent.isValid() && rows > 40)
            return;
        if (parent.isValid())
            m_fieldView->expand(parent);
        for (int r = 0; r < rows; ++r)
            self(self, m_fieldModel->index(r, 0, parent));
    };
    open(open, QModelIndex());
    m_fieldView->resizeColumnToContents(FieldTreeModel::NameColumn);
    const QModelIndex pick = select.isEmpty() ? QModelIndex() : m_fieldModel->indexNamed(select);
    m_detailTabs->setCurrentWidget(m_fieldView);
    if (pick.isValid()) {
        m_fieldView->setCurrentIndex(pick);
        m_fieldView->scrollTo(pick);
    }
}

void BlobPanel::fieldChanged()
{
    const Field *f = m_fieldModel->field(m_fieldView->currentIndex());
    std::vector<HexView::Highlight> hl = m_base;
    if (f && !f->decompressed && f->length > 0) {
        QColor sel = palette().color(QPalette::Highlight);
        sel.setAlpha(120);
        hl.push_back({f->offset, f->end(), sel});
        // Drawn first wins: the selected field goes in front.
        std::rotate(hl.rbegin(), hl.rbegin() + 1, hl.rend());
        m_tabs->setCurrentIndex(0);
        m_stored->setHighlights(std::move(hl));
        const FileOffset top = m_stored->topOffset();
        const FileOffset shown = FileOffset(std::max(1, m_stored->viewport()->height() / m_stored->fontMetrics().height())) * 16;
        if (f->offset < top || f->offset >= top + shown)
            m_stored->scrollToOffset(f->offset);
    } else if (f && f->decompressed && m_tabs->isTabEnabled(1)) {
        QColor sel = palette().color(QPalette::Highlight);
        sel.setAlpha(120);
        m_tabs->setCurrentIndex(1);
        m_decompressed->setHighlights({{f->offset, f->end(), sel}});
        m_decompressed->scrollToOffset(f->offset);
        m_stored->setHighlights(std::move(hl));
    } else {
        m_stored->setHighlights(std::move(hl));
    }
}

bool BlobPanel::selectOffset(FileOffset at)
{
    if (!m_layer || at >= m_layer->fileSize())
        return false;
    QModelIndex idx = m_fieldModel->indexAt(at);
    if (!idx.isValid()) {
        auto part = dissectOffset(context(), at);
        if (!part)
            return false;
        m_base.clear();
        m_title->setText(tr("%1 at 0x%2 (%L3): %4")
                             .arg(QString::fromStdString(part->name).toHtmlEscaped())
                             .arg(part->offset, 0, 16)
                             .arg(part->offset)
                             .arg(QString::fromStdString(part->error.empty() ? part->value : part->error).toHtmlEscaped()));
        showFields(std::move(*part));
        idx = m_fieldModel->indexAt(at);
        if (!idx.isValid())
            return false;
    }
    m_fieldView->setCurrentIndex(idx);
    m_fieldView->scrollTo(idx);
    return true;
}

void BlobPanel::showRange(FileOffset offset, std::uint64_t length, const QString &what, Mark mark)
{
    if (!m_layer)
        return;
    remember([this, offset, length, what, mark] { showRange(offset, length, what, mark); });
    m_tabs->setCurrentIndex(0);
    const QColor color = mark == Mark::Match ? kMatchColor : kFaultColor;
    m_base = {{offset, offset + std::max<std::uint64_t>(length, 1), color}};
    m_stored->setHighlights(m_base);
    m_stored->scrollToOffset(offset);
    m_find->setStartOffset(offset);
    m_title->setText(tr("<span style='background:%1'>&nbsp;%2&nbsp;</span> at 0x%3 (%L4), %L5 "
                        "byte(s): %6")
                         .arg(color.name(QColor::HexArgb))
                         .arg(mark == Mark::Match ? tr("match") : length ? tr("bytes at fault") : tr("offset"))
                         .arg(offset, 0, 16)
                         .arg(offset)
                         .arg(length)
                         .arg(what.toHtmlEscaped()));
    // The fields of the part of the file holding those bytes, the innermost one selected.
    if (auto part = dissectOffset(context(), offset)) {
        showFields(std::move(*part));
        if (const QModelIndex idx = m_fieldModel->indexAt(offset); idx.isValid()) {
            QSignalBlocker block(m_fieldView->selectionModel());
            m_fieldView->setCurrentIndex(idx);
            m_fieldView->scrollTo(idx);
        }
    }
}

void BlobPanel::clearEntry()
{
    m_title->setText(tr("Select an entry, a node or a summary field to see its bytes and fields. "
                        "<span style='background:rgba(255,196,0,0.45)'>&nbsp;header&nbsp;</span> "
                        "<span style='background:rgba(64,160,255,0.3)'>&nbsp;payload&nbsp;</span>"));
    m_decoded->clear();
    m_base.clear();
    m_stored->setHighlights({});
    m_decompressed->setBytes({}, 0);
    m_decompressedBytes.clear();
    m_tabs->setTabEnabled(1, false);
}

void BlobPanel::showNode(std::uint32_t block)
{
    if (!m_layer)
        return;
    remember([this, block] { showNode(block); });
    const DissectContext ctx = context();
    Field node = dissectNode(ctx, block);
    m_base = {{node.offset, node.end(), kNodeColor}};
    m_title->setText(tr("Index node %L1 at 0x%2 (%L3): %4")
                         .arg(block)
                         .arg(node.offset, 0, 16)
                         .arg(node.offset)
                         .arg(QString::fromStdString(node.error.empty() ? node.value : node.error).toHtmlEscaped()));
    m_tabs->setCurrentIndex(0);
    m_stored->setHighlights(m_base);
    m_stored->scrollToOffset(node.offset);
    m_find->setStartOffset(node.offset);
    m_decoded->clear();
    showFields(std::move(node));
}

void BlobPanel::showSummaryField(const QString &field)
{
    if (!m_layer)
        return;
    remember([this, field] { showSummaryField(field); });
    Field summary = dissectSummary(context());
    m_base = {{0, summary.children.empty() ? 0 : summary.children.back().offset, kHeaderColor}};
    m_title->setText(tr("Summary block (block 0): %1").arg(QString::fromStdString(summary.value).toHtmlEscaped()));
    m_decoded->clear();
    showFields(std::move(summary), field);
    if (field.isEmpty()) {
        m_stored->setHighlights(m_base);
        m_stored->scrollToOffset(0);
    }
}

void BlobPanel::showEntry(const Entry &entry, std::optional<std::uint64_t> position)
{
    if (!m_layer)
        return;
    remember([this, entry, position] { showEntry(entry, position); });
    auto details = inspectEntry(*m_layer, entry);
    auto header = m_layer->blobHeader(entry);
    std::vector<HexView::Highlight> hl;
    if (header) {
        hl.push_back({header->offset, header->payloadOffset(), kHeaderColor});
        hl.push_back({header->payloadOffset(), header->end(), kPayloadColor});
        m_title->setText(tr("Blob at 0x%1 (%L2): %3-byte header <span style='background:rgba(255,196,0,0.45)'>&nbsp;%4&nbsp;</span>, "
                            "<span style='background:rgba(64,160,255,0.3)'>&nbsp;%L5 stored bytes&nbsp;</span>%6")
                             .arg(header->offset, 0, 16)
                             .arg(header->offset)
                             .arg(header->headerLen)
                             .arg(QString::fromStdString(toHex(m_layer->bytes().subspan(header->offset, header->headerLen))))
                             .arg(header->storedLen)
                             .arg(header->compression == Compression::Zstd && details
                                      ? tr(", zstd → %L1 bytes (ratio %2)").arg(details->payloadLen)
                                            .arg(double(details->payloadLen) / double(std::max<std::uint64_t>(1, header->storedLen)), 0, 'f', 2)
                                      : QString()));
    } else {
        hl.push_back({entry.blobOffset, entry.blobOffset + 1, kFaultColor});
        m_title->setText(tr("<span style='color:#c0392b'>Blob at 0x%1 (%L2) cannot be read: %3</span>")
                             .arg(entry.blobOffset, 0, 16)
                             .arg(entry.blobOffset)
                             .arg(QString::fromStdString(header.error().message()).toHtmlEscaped()));
    }
    m_base = hl;
    m_stored->setHighlights(std::move(hl));
    m_stored->scrollToOffset(entry.blobOffset);
    m_find->setStartOffset(entry.blobOffset);
    const bool zstd = header && header->compression == Compression::Zstd && details;
    m_tabs->setTabEnabled(1, zstd);
    if (zstd) {
        m_decompressedBytes = details->value.isImage() ? details->value.image() : encodeValue(details->value);
        m_decompressed->setBytes(m_decompressedBytes, 0);
    } else {
        m_decompressedBytes.clear();
        m_decompressed->setBytes({}, 0);
        m_tabs->setCurrentIndex(0);
    }
    m_decoded->setHtml(describeEntryHtml(*m_layer, entry, details));
    if (position) {
        if (auto f = dissectEntry(context(), *position)) {
            const QSignalBlocker block(m_fieldView->selectionModel());
            showFields(std::move(*f));
        } else {
            m_fieldModel->clear();
        }
    }
}

} // namespace layerscope::ui
