#pragma once

#include <layerscope/format/log_line.h>

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace layerscope::ui {

/// File → Open from Log Line: a pasted pageserver or compute log line and where the layers are
/// (a region root, a tenant, a tenant shard or a timeline; a directory or s3:// prefix). As the
/// line is typed it shows what the line names and what a read still needs; Open is enabled once
/// it names a key and an LSN and a place is given. Reads no file: it parses the text only.
class LogLineDialog : public QDialog
{
    Q_OBJECT
public:
    /// `root`: where the layers are, as last used (may be empty).
    explicit LogLineDialog(const QString &root, QWidget *parent = nullptr);

    QString line() const;
    QString root() const;
    /// What the line names, as parsed now.
    const LogLocation &location() const { return m_location; }

    QPlainTextEdit *lineEdit() const { return m_line; }
    QLineEdit *rootEdit() const { return m_root; }
    QLabel *foundLabel() const { return m_found; }
    QPushButton *openButton() const { return m_open; }

private:
    void update();

    QPlainTextEdit *m_line;
    QLineEdit *m_root;
    QLabel *m_found;
    QPushButton *m_open;
    LogLocation m_location;
};

} // namespace layerscope::ui
