#pragma once

#include <layerscope/format/summary.h>
#include <layerscope/write/edit.h>

#include <QDialog>

#include <map>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTextBrowser;

namespace layerscope::ui {

/// Edit Summary dialog: every editable field validated as it is typed (OK stays disabled until
/// the whole summary is valid; each field's error under it, naming the bad character), the
/// decoded keys shown live, the old summary bytes over the new with the changed bytes highlighted, the file name the new summary implies, and the
/// risks of the edit (entries Neon could no longer read), which must be acknowledged.
/// Reads the layer's bytes only to assess risks; writes nothing itself.
class SummaryEditDialog : public QDialog
{
    Q_OBJECT
public:
    SummaryEditDialog(const Summary &current, Bytes file, const QString &fileName,
                      QWidget *parent = nullptr);

    /// The edited summary (valid when the dialog was accepted).
    Summary edited() const { return m_edited; }
    bool inPlace() const;
    bool keepBackup() const;
    bool renameToImpliedName() const;
    /// True when the OK button is enabled.
    bool canAccept() const;

    // Field access for tests and for pre-filling.
    QLineEdit *tenantEdit() const { return m_tenant; }
    QLineEdit *keyStartEdit() const { return m_keyStart; }
    QLineEdit *keyEndEdit() const { return m_keyEnd; }
    QLineEdit *lsnStartEdit() const { return m_lsnStart; }
    QTextBrowser *preview() const { return m_preview; }
    /// The error shown under a field (empty when its text is valid).
    QString fieldError(QLineEdit *field) const;

private:
    void revalidate();
    /// Shows `error` under `field` (hidden when empty) and marks the field.
    void setFieldError(QLineEdit *field, const QString &error);

    Summary m_current;
    Summary m_edited;
    Bytes m_file;
    QString m_fileName;
    QLineEdit *m_tenant;
    QLineEdit *m_timeline;
    QLineEdit *m_keyStart;
    QLineEdit *m_keyEnd;
    QLabel *m_keyStartText;
    QLabel *m_keyEndText;
    QLineEdit *m_lsnStart;
    QLineEdit *m_lsnEnd;
    QCheckBox *m_advanced;
    QSpinBox *m_indexStart;
    QSpinBox *m_indexRoot;
    QLabel *m_errors;  // errors across fields and the risks
    std::map<QLineEdit *, QLabel *> m_fieldErrors;
    QTextBrowser *m_preview;
    QCheckBox *m_force;
    QCheckBox *m_inPlace;
    QCheckBox *m_backup;
    QCheckBox *m_rename;
    QDialogButtonBox *m_buttons;
};

} // namespace layerscope::ui
