#include "loglinedialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace layerscope::ui {

LogLineDialog::LogLineDialog(const QString &root, QWidget *parent)
    : QDialog(parent)
    , m_line(new QPlainTextEdit(this))
    , m_root(new QLineEdit(root, this))
    , m_found(new QLabel(this))
{
    setWindowTitle(tr("Open from Log Line"));
    auto *layout = new QVBoxLayout(this);
    auto *lineLabel = new QLabel(tr("&Log line (a pageserver or compute line, pasted whole):"),
                                 this);
    lineLabel->setBuddy(m_line);
    m_line->setPlaceholderText(
        tr("… handle_get_page_request{rel=1663/16384/16385 blkno=7 req_lsn=0/2A3F1E8 "
           "shard_id=0104}: … could not find data for key …"));
    m_line->setTabChangesFocus(true);
    m_line->setMinimumSize(720, 110);
    layout->addWidget(lineLabel);
    layout->addWidget(m_line);

    auto *rootLabel = new QLabel(tr("&Where the layers are (region root with tenants/, tenant, "
                                    "shard or timeline; a directory or s3:// prefix):"),
                                 this);
    rootLabel->setBuddy(m_root);
    auto *browse = new QToolButton(this);
    browse->setText(tr("Browse…"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this,
                                                              tr("Where the layers are"),
                                                              m_root->text());
        if (!dir.isEmpty())
            m_root->setText(dir);
    });
    auto *rootRow = new QHBoxLayout;
    rootRow->addWidget(m_root, 1);
    rootRow->addWidget(browse);
    layout->addWidget(rootLabel);
    layout->addLayout(rootRow);

    m_found->setWordWrap(true);
    m_found->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_found->setMinimumHeight(m_found->fontMetrics().lineSpacing() * 3);
    layout->addWidget(m_found);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_open = buttons->addButton(tr("&Open Read Path"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_line, &QPlainTextEdit::textChanged, this, &LogLineDialog::update);
    connect(m_root, &QLineEdit::textChanged, this, &LogLineDialog::update);
    update();
}

QString LogLineDialog::line() const
{
    return m_line->toPlainText().trimmed();
}

QString LogLineDialog::root() const
{
    return m_root->text().trimmed();
}

void LogLineDialog::update()
{
    m_location = parseLogLine(line().toStdString());
    QStringList missing;
    for (const std::string &m : m_location.missingForRead())
        missing << QString::fromStdString(m);
    if (root().isEmpty())
        missing << tr("where the layers are");
    QString text = line().isEmpty() ? tr(
                       "Paste a line: its tenant, shard, timeline, key and LSN are read from it.")
                                    : tr("<b>Found:</b> %1")
                                          .arg(QString::fromStdString(m_location.found())
                                                   .toHtmlEscaped());
    if (!line().isEmpty() && !missing.isEmpty())
        text += tr("<br><span style='color:#c0392b'><b>Missing:</b> %1</span>")
                    .arg(missing.join(tr("; ")).toHtmlEscaped());
    m_found->setText(text);
    m_open->setEnabled(missing.isEmpty());
}

} // namespace layerscope::ui
