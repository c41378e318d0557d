#include "summaryeditdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace layerscope::ui {

namespace {
QString q(const std::string &s)
{
    return QString::fromStdString(s);
}
QString hexBlock(const ByteVector &bytes, const std::vector<std::size_t> &changed, const char *colour)
{
    QString html = QStringLiteral("<pre style='margin:0'>");
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i % 16 == 0)
            html += QStringLiteral("%1  ").arg(i, 4, 16, QLatin1Char('0'));
        const QString b = QStringLiteral("%1").arg(bytes[i], 2, 16, QLatin1Char('0'));
        html += std::binary_search(changed.begin(), changed.end(), i)
                    ? QStringLiteral("<b style='background:%1'>%2</b>").arg(QLatin1String(colour), b)
                    : b;
        html += (i % 16 == 15) ? QStringLiteral("\n") : QStringLiteral(" ");
    }
    return html + QStringLiteral("</pre>");
}

bool isHexDigit(QChar c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// Why `text` is not `digits` hex digits: the first bad character by name and position, or
/// the count; empty when it is.
QString hexError(const QString &text, int digits)
{
    for (int i = 0; i < text.size(); ++i)
        if (!isHexDigit(text[i]))
            return SummaryEditDialog::tr("'%1' at position %2 is not a hex digit").arg(text[i]).arg(i + 1);
    if (text.size() != digits)
        return SummaryEditDialog::tr("%1 hex digits needed, %2 typed").arg(digits).arg(text.size());
    return {};
}

/// Why `text` is not an LSN (X/Y with up to 8 hex digits each side, or up to 16 hex digits).
QString lsnError(const QString &text)
{
    if (text.isEmpty())
        return SummaryEditDialog::tr("an LSN is needed: X/Y or up to 16 hex digits");
    const int slash = int(text.indexOf('/'));
    for (int i = 0; i < text.size(); ++i)
        if (!isHexDigit(text[i]) && i != slash)
            return SummaryEditDialog::tr("'%1' at position %2 does not belong in an LSN (X/Y or hex)").arg(text[i]).arg(i + 1);
    if (slash >= 0 && (slash == 0 || slash == text.size() - 1 || slash > 8 || text.size() - slash - 1 > 8))
        return SummaryEditDialog::tr("X/Y needs 1 to 8 hex digits on each side of '/'");
    if (slash < 0 && text.size() > 16)
        return SummaryEditDialog::tr("at most 16 hex digits, %1 typed").arg(text.size());
    return SummaryEditDialog::tr("not an LSN: X/Y or up to 16 hex digits");
}
} // namespace

SummaryEditDialog::SummaryEditDialog(const Summary &current, Bytes file, const QString &fileName, QWidget *parent)
    : QDialog(parent)
    , m_current(current)
    , m_edited(current)
    , m_file(file)
    , m_fileName(fileName)
    , m_tenant(new QLineEdit(q(current.tenant.toHex()), this))
    , m_timeline(new QLineEdit(q(current.timeline.toHex()), this))
    , m_keyStart(new QLineEdit(q(current.keyStart.toHex()), this))
    , m_keyEnd(new QLineEdit(q(current.keyEnd.toHex()), this))
    , m_keyStartText(new QLabel(this))
    , m_keyEndText(new QLabel(this))
    , m_lsnStart(new QLineEdit(q(current.lsnStart.toString()), this))
    , m_lsnEnd(new QLineEdit(q(current.lsnEnd.toString()), this))
    , m_advanced(new QCheckBox(tr("Advanced: edit where the index is read (can make the file unreadable)"), this))
    , m_indexStart(new QSpinBox(this))
    , m_indexRoot(new QSpinBox(this))
    , m_errors(new QLabel(this))
    , m_preview(new QTextBrowser(this))
    , m_force(new QCheckBox(tr("Write anyway — I understand Neon will not read every entry"), this))
    , m_inPlace(new QCheckBox(tr("Rewrite block 0 in place (like pagectl) instead of writing a new file"), this))
    , m_backup(new QCheckBox(tr("Keep a backup (.bak)"), this))
    , m_rename(new QCheckBox(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Edit Summary — %1").arg(fileName));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (QLineEdit *e : {m_tenant, m_timeline, m_keyStart, m_keyEnd, m_lsnStart, m_lsnEnd}) {
        e->setFont(mono);
        connect(e, &QLineEdit::textChanged, this, &SummaryEditDialog::revalidate);
    }
    m_tenant->setMaxLength(32);
    m_timeline->setMaxLength(32);
    m_keyStart->setMaxLength(36);
    m_keyEnd->setMaxLength(36);
    for (QSpinBox *s : {m_indexStart, m_indexRoot}) {
        s->setRange(0, INT_MAX);
        s->setEnabled(false);
        connect(s, &QSpinBox::valueChanged, this, &SummaryEditDialog::revalidate);
    }
    m_indexStart->setValue(int(current.indexStartBlk));
    m_indexRoot->setValue(int(current.indexRootBlk));
    connect(m_advanced, &QCheckBox::toggled, this, [this](bool on) {
        m_indexStart->setEnabled(on);
        m_indexRoot->setEnabled(on);
        revalidate();
    });
    m_backup->setChecked(true);
    connect(m_force, &QCheckBox::toggled, this, &SummaryEditDialog::revalidate);

    auto *form = new QFormLayout;
    // Each field has its error right under it (red, hidden while the text is valid).
    auto addField = [&](const QString &label, QLineEdit *edit, QLabel *below = nullptr) {
        form->addRow(label, edit);
        if (below)
            form->addRow(QString(), below);
        auto *error = new QLabel(this);
        error->setStyleSheet(QStringLiteral("color:#c0392b"));
        error->setWordWrap(true);
        error->hide();
        form->addRow(QString(), error);
        m_fieldErrors[edit] = error;
    };
    addField(tr("Tenant id"), m_tenant);
    addField(tr("Timeline id"), m_timeline);
    addField(tr("Key range start"), m_keyStart, m_keyStartText);
    addField(tr("Key range end (excl.)"), m_keyEnd, m_keyEndText);
    if (current.kind == LayerKind::Image) {
        addField(tr("LSN (X/Y or hex)"), m_lsnStart);
        m_lsnEnd->hide();
    } else {
        addField(tr("LSN start (X/Y or hex)"), m_lsnStart);
        addField(tr("LSN end (excl.)"), m_lsnEnd);
    }
    form->addRow(m_advanced);
    form->addRow(tr("index_start_blk"), m_indexStart);
    form->addRow(tr("index_root_blk (relative)"), m_indexRoot);
    m_errors->setWordWrap(true);
    m_errors->setStyleSheet(QStringLiteral("color:#c0392b"));
    // Current over new, each 16 bytes a line: the preview is as wide as one block and tall
    // enough for both, so nothing is cut off.
    const QFontMetrics fm(mono);
    m_preview->setMinimumWidth(fm.horizontalAdvance(QString(58, QLatin1Char('0'))) + 40);
    m_preview->setMinimumHeight(fm.lineSpacing() * 20);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_errors);
    layout->addWidget(new QLabel(tr("Summary bytes, changes highlighted"), this));
    layout->addWidget(m_preview, 1);
    layout->addWidget(m_force);
    layout->addWidget(m_rename);
    layout->addWidget(m_inPlace);
    layout->addWidget(m_backup);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    revalidate();
}

bool SummaryEditDialog::inPlace() const
{
    return m_inPlace->isChecked();
}
bool SummaryEditDialog::keepBackup() const
{
    return m_backup->isChecked();
}
bool SummaryEditDialog::renameToImpliedName() const
{
    return m_rename->isEnabled() && m_rename->isChecked();
}
bool SummaryEditDialog::canAccept() const
{
    return m_buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

QString SummaryEditDialog::fieldError(QLineEdit *field) const
{
    const auto it = m_fieldErrors.find(field);
    return it == m_fieldErrors.end() ? QString() : it->second->text();
}

void SummaryEditDialog::setFieldError(QLineEdit *field, const QString &error)
{
    const auto it = m_fieldErrors.find(field);
    if (it == m_fieldErrors.end())
        return;  // during construction, before the form exists
    QLabel *label = it->second;
    label->setText(error);
    label->setVisible(!error.isEmpty());
    field->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c0392b; }"));
    field->setToolTip(error);
}

void SummaryEditDialog::revalidate()
{
    QStringList errors;
    bool fieldsOk = true;
    SummaryEdit e;
    auto id = [&](QLineEdit *w, std::optional<Id128> &out) {
        out = Id128::fromHex(w->text().trimmed().toStdString());
        setFieldError(w, out ? QString() : hexError(w->text().trimmed(), 32));
        fieldsOk &= out.has_value();
    };
    auto key = [&](QLineEdit *w, QLabel *label, std::optional<Key> &out) {
        out = Key::fromHex(w->text().trimmed().toStdString());
        label->setText(out ? q(out->describe()) : QString());
        label->setVisible(out.has_value());
        setFieldError(w, out ? QString() : hexError(w->text().trimmed(), 36));
        fieldsOk &= out.has_value();
    };
    auto lsn = [&](QLineEdit *w, std::optional<Lsn> &out) {
        out = Lsn::parse(w->text().trimmed().toStdString());
        setFieldError(w, out ? QString() : lsnError(w->text().trimmed()));
        fieldsOk &= out.has_value();
    };
    id(m_tenant, e.tenant);
    id(m_timeline, e.timeline);
    key(m_keyStart, m_keyStartText, e.keyStart);
    key(m_keyEnd, m_keyEndText, e.keyEnd);
    lsn(m_lsnStart, e.lsnStart);
    if (m_current.kind == LayerKind::Delta)
        lsn(m_lsnEnd, e.lsnEnd);
    if (m_advanced->isChecked()) {
        e.indexStartBlk = std::uint32_t(m_indexStart->value());
        e.indexRootBlk = std::uint32_t(m_indexRoot->value());
    }
    bool ok = fieldsOk;
    std::vector<std::string> risks;
    if (ok) {
        auto s = applyEdit(m_current, e);
        if (!s) {
            errors << tr("%1 (found %2)").arg(q(s.error().expected), q(s.error().found));
            ok = false;
        } else {
            m_edited = *s;
            risks = editRisks(m_file, m_edited);
        }
    }
    for (const auto &r : risks)
        errors << tr("Risk: %1").arg(q(r));
    m_force->setVisible(!risks.empty());
    m_errors->setText(errors.join('\n'));
    const ByteVector before = m_current.encode();
    const ByteVector after = ok ? m_edited.encode() : before;
    const auto changed = changedBytes(before, after);
    QString html = tr("<p style='margin:0'>Current</p>%1<p style='margin:6px 0 0 0'>New</p>%2")
                       .arg(hexBlock(before, changed, "#f5b7b1"), hexBlock(after, changed, "#abebc6"));
    html += tr("<p>%n byte(s) change.</p>", "", int(changed.size()));
    const std::string implied = (ok ? m_edited : m_current).impliedName().canonical();
    const auto name = LayerName::parse(m_fileName.toStdString());
    const bool nameDiffers = !name || name->canonical() != implied;
    if (nameDiffers)
        html += tr("<p>The new summary implies the file name <tt>%1</tt>.</p>").arg(q(implied));
    m_rename->setEnabled(ok && nameDiffers);
    m_rename->setText(nameDiffers ? tr("Rename the file to %1").arg(q(implied)) : tr("The file name already matches the summary"));
    m_preview->setHtml(html);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok && !changed.empty() && (risks.empty() || m_force->isChecked()));
}

} // namespace layerscope::ui
