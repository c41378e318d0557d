#pragma once

#include <layerscope/layer.h>

#include <QWidget>

class QLabel;
class QTabWidget;
class QTextBrowser;

namespace layerscope::ui {

class HexView;

/// Shows one entry's blob: the stored bytes in place in the mapped file (length header and
/// payload in different colours), the decompressed bytes of zstd blobs, and a decoded view.
class BlobPanel : public QWidget
{
    Q_OBJECT
public:
    explicit BlobPanel(QWidget *parent = nullptr);
    /// Non-owning; pass nullptr before the layer goes away.
    void setLayer(const Layer *layer);
    void showEntry(const Entry &entry);
    void clearEntry();
    /// Highlights [offset, offset + length) of the file (a problem's bytes) and scrolls to it.
    void showRange(FileOffset offset, std::uint64_t length, const QString &what);
    HexView *storedView() const { return m_stored; }
    QTextBrowser *decodedView() const { return m_decoded; }

private:
    const Layer *m_layer = nullptr;
    QLabel *m_title;
    QTabWidget *m_tabs;
    HexView *m_stored;
    HexView *m_decompressed;
    QTextBrowser *m_decoded;
    ByteVector m_decompressedBytes;
};

} // namespace layerscope::ui
