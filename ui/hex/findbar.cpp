#include "findbar.h"
#include "workerpool.h"

#include <layerscope/dissect/find.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPromise>
#include <QToolButton>
#include <QtConcurrent>

namespace layerscope::ui {

FindBar::FindBar(QWidget *parent)
    : QWidget(parent)
    , m_input(new QLineEdit(this))
    , m_mode(new QComboBox(this))
    , m_prev(new QToolButton(this))
    , m_next(new QToolButton(this))
    , m_status(new QLabel(this))
{
    m_mode->addItem(tr("Text"));
    m_mode->addItem(tr("Hex"));
    m_mode->setAccessibleName(tr("Find as"));
    m_input->setPlaceholderText(tr("Find text or hex bytes (de ad be ef)"));
    m_input->setClearButtonEnabled(true);
    m_input->setAccessibleName(tr("Find"));
    m_prev->setText(tr("Previous"));
    m_prev->setToolTip(tr("Find previous (Shift+F3)"));
    m_next->setText(tr("Next"));
    m_next->setToolTip(tr("Find next (F3)"));
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Close (Esc)"));
    close->setAutoRaise(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_mode);
    layout->addWidget(m_input, 1);
    layout->addWidget(m_prev);
    layout->addWidget(m_next);
    layout->addWidget(m_status);
    layout->addWidget(close);
    connect(m_input, &QLineEdit::returnPressed, this, [this] { find(false); });
    connect(m_input, &QLineEdit::textEdited, this, [this] { m_last.reset(); });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] { m_last.reset(); });
    connect(m_prev, &QToolButton::clicked, this, [this] { find(true); });
    connect(m_next, &QToolButton::clicked, this, [this] { find(false); });
    connect(close, &QToolButton::clicked, this, [this] {
        cancel();
        hide();
    });
    connect(&m_watcher, &QFutureWatcher<Hit>::progressValueChanged, this, [this](int percent) {
        m_status->setText(tr("Searching… %1%").arg(percent));
    });
    connect(&m_watcher, &QFutureWatcher<Hit>::finished, this, &FindBar::onFinished);
    hide();
}

FindBar::~FindBar()
{
    cancel();
}

void FindBar::setSource(std::shared_ptr<const ByteSource> source)
{
    cancel();
    m_source = std::move(source);
    m_last.reset();
    m_start = 0;
    m_status->clear();
}

void FindBar::activate()
{
    show();
    m_input->setFocus(Qt::ShortcutFocusReason);
    m_input->selectAll();
}

void FindBar::cancel()
{
    ++m_generation;
    m_watcher.cancel();
    m_watcher.waitForFinished();
}

void FindBar::find(bool backward)
{
    if (!m_source)
        return;
    if (isHidden() || m_input->text().isEmpty()) {
        activate();
        if (m_input->text().isEmpty())
            return;
    }
    const std::string text = m_input->text().toStdString();
    auto pattern = parseFindPattern(text, m_mode->currentIndex() == 1 ? FindMode::Hex : FindMode::Text);
    if (!pattern) {
        m_status->setText(tr("<span style='color:#c0392b'>%1</span>")
                              .arg(QString::fromStdString(pattern.error().message()).toHtmlEscaped()));
        return;
    }
    cancel();
    m_pattern = m_input->text();
    const quint64 generation = m_generation;
    // Forward goes on after the last match, backward before it.
    const std::uint64_t from = m_last ? (backward ? *m_last : *m_last + 1) : m_start;
    m_status->setText(tr("Searching…"));
    m_watcher.setFuture(QtConcurrent::run(workerPool(), 
        [source = m_source, needle = std::move(pattern.value()), from, backward,
         generation](QPromise<Hit> &promise) {
            promise.setProgressRange(0, 100);
            Hit hit{generation, std::nullopt, needle.size(), false, backward};
            hit.offset = findBytes(source->bytes(), needle, from, backward,
                                   [&](std::uint64_t done, std::uint64_t total) {
                                       promise.setProgressValue(int(done * 100 / std::max<std::uint64_t>(total, 1)));
                                       return !promise.isCanceled();
                                   },
                                   &hit.cancelled);
            promise.addResult(hit);
        }));
}

void FindBar::onFinished()
{
    if (m_watcher.isCanceled() || m_watcher.future().resultCount() == 0)
        return;
    const Hit hit = m_watcher.result();
    if (hit.generation != m_generation || hit.cancelled)
        return;
    if (!hit.offset) {
        m_status->setText(tr("<span style='color:#c0392b'>Not found</span>"));
        return;
    }
    const bool wrapped = m_last && (hit.backward ? *hit.offset >= *m_last : *hit.offset <= *m_last);
    m_last = *hit.offset;
    m_status->setText(tr("at 0x%1 (%L2)%3").arg(*hit.offset, 0, 16).arg(*hit.offset).arg(wrapped ? tr(", wrapped") : QString()));
    emit found(*hit.offset, hit.length, m_pattern);
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        cancel();
        m_status->clear();
        hide();
        if (parentWidget())
            parentWidget()->setFocus(Qt::OtherFocusReason);
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && event->modifiers() & Qt::ShiftModifier) {
        find(true);
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace layerscope::ui
