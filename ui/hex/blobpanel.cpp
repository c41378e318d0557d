#include "blobpanel.h"

#include "hexview.h"
#include "valuedescription.h"

#include <layerscope/inspect.h>

#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace layerscope::ui {

namespace {
const QColor kHeaderColor(255, 196, 0, 110);
const QColor kPayloadColor(64, 160, 255, 60);
} // namespace

BlobPanel::BlobPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_stored(new HexView(this))
    , m_decompressed(new HexView(this))
    , m_decoded(new QTextBrowser(this))
{
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    m_tabs->addTab(m_stored, tr("Stored bytes"));
    m_tabs->addTab(m_decompressed, tr("Decompressed"));
    m_tabs->setTabEnabled(1, false);
    m_decoded->setOpenLinks(false);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_tabs);
    split->addWidget(m_decoded);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    m_decoded->setMinimumWidth(300);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(split, 1);
    clearEntry();
}

void BlobPanel::setLayer(const Layer *layer)
{
    m_layer = layer;
    m_stored->setBytes(layer ? layer->bytes() : Bytes{}, 0);
    clearEntry();
}

void BlobPanel::showRange(FileOffset offset, std::uint64_t length, const QString &what)
{
    if (!m_layer)
        return;
    m_tabs->setCurrentIndex(0);
    m_stored->setHighlights({{offset, offset + std::max<std::uint64_t>(length, 1), QColor(220, 50, 47, 110)}});
    m_stored->scrollToOffset(offset);
    m_title->setText(tr("<span style='background:rgba(220,50,47,0.35)'>&nbsp;%1&nbsp;</span> at 0x%2 (%L3), %L4 "
                        "byte(s): %5")
                         .arg(length ? tr("bytes at fault") : tr("offset"))
                         .arg(offset, 0, 16)
                         .arg(offset)
                         .arg(length)
                         .arg(what.toHtmlEscaped()));
}

void BlobPanel::clearEntry()
{
    m_title->setText(tr("Select an entry to see its blob. <span style='background:rgba(255,196,0,0.45)'>&nbsp;header&nbsp;</span> "
                        "<span style='background:rgba(64,160,255,0.3)'>&nbsp;payload&nbsp;</span>"));
    m_decoded->clear();
    m_stored->setHighlights({});
    m_decompressed->setBytes({}, 0);
    m_decompressedBytes.clear();
    m_tabs->setTabEnabled(1, false);
}

void BlobPanel::showEntry(const Entry &entry)
{
    if (!m_layer)
        return;
    auto details = inspectEntry(*m_layer, entry);
    auto header = m_layer->blobHeader(entry);
    std::vector<HexView::Highlight> hl;
    if (header) {
        hl.push_back({header->offset, header->payloadOffset(), kHeaderColor});
        hl.push_back({header->payloadOffset(), header->end(), kPayloadColor});
        m_title->setText(tr("Blob at offset <b>%1</b>: %2-byte header <span style='background:rgba(255,196,0,0.45)'>&nbsp;%3&nbsp;</span>, "
                            "<span style='background:rgba(64,160,255,0.3)'>&nbsp;%4 stored bytes&nbsp;</span>%5")
                             .arg(header->offset)
                             .arg(header->headerLen)
                             .arg(QString::fromStdString(toHex(m_layer->bytes().subspan(header->offset, header->headerLen))))
                             .arg(header->storedLen)
                             .arg(header->compression == Compression::Zstd && details
                                      ? tr(", zstd → %1 bytes (ratio %2)").arg(details->payloadLen)
                                            .arg(double(details->payloadLen) / double(std::max<std::uint64_t>(1, header->storedLen)), 0, 'f', 2)
                                      : QString()));
    } else {
        hl.push_back({entry.blobOffset, entry.blobOffset + 1, QColor(220, 50, 47, 120)});
        m_title->setText(tr("<span style='color:#c0392b'>Blob at offset %1 cannot be read: %2</span>")
                             .arg(entry.blobOffset)
                             .arg(QString::fromStdString(header.error().message()).toHtmlEscaped()));
    }
    m_stored->setHighlights(std::move(hl));
    m_stored->scrollToOffset(entry.blobOffset);
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
}

} // namespace layerscope::ui
