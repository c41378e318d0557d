#pragma once

#include <layerscope/io/byte_source.h>

#include <QFutureWatcher>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace layerscope::ui {

/// Find bytes or text in the whole file (Ctrl+F; Enter / F3 next, Shift+Enter / Shift+F3
/// previous, Esc closes). The search runs on a worker thread with progress and cancel, over a
/// shared reference to the file's bytes, so closing the layer mid-search is safe; a newer
/// search drops an older one's result (generation token). Destruction cancels and waits.
class FindBar : public QWidget
{
    Q_OBJECT
public:
    explicit FindBar(QWidget *parent = nullptr);
    ~FindBar() override;

    /// The bytes searched; nullptr clears (and cancels a running search).
    void setSource(std::shared_ptr<const ByteSource> source);
    /// Where the next search starts when there is no previous match (the top of the view).
    void setStartOffset(FileOffset offset) { m_start = offset; }
    /// Shows the bar with the focus in its text box.
    void activate();
    /// Searches forward or backward from the last match (or the start offset), wrapping.
    /// Returns at once; `found` or a status text follows.
    void find(bool backward);
    bool isSearching() const { return m_watcher.isRunning(); }
    QLineEdit *input() const { return m_input; }
    QComboBox *mode() const { return m_mode; }
    QLabel *status() const { return m_status; }

signals:
    /// A match: `length` bytes at `offset`; `pattern` as typed.
    void found(quint64 offset, quint64 length, const QString &pattern);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    struct Hit
    {
        quint64 generation = 0;
        std::optional<std::uint64_t> offset;
        std::uint64_t length = 0;
        bool cancelled = false;
        bool backward = false;
    };
    void onFinished();
    void cancel();

    QLineEdit *m_input;
    QComboBox *m_mode;
    QToolButton *m_prev;
    QToolButton *m_next;
    QLabel *m_status;
    std::shared_ptr<const ByteSource> m_source;
    FileOffset m_start = 0;
    std::optional<FileOffset> m_last;  // offset of the last match, searches go on from it
    quint64 m_generation = 0;
    QString m_pattern;
    QFutureWatcher<Hit> m_watcher;
};

} // namespace layerscope::ui
