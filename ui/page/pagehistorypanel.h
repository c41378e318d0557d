#pragma once

#include <layerscope/timeline/redo.h>

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QTableView;
class QTreeView;

namespace layerscope::ui {

class FieldTreeModel;
class HexView;
class PageHistoryModel;

/// A page and how it came to be: the chain's steps (a list and a slider, record by record), the
/// page after the chosen step as fields (core's dissection) over its bytes, the bytes that step
/// changed (or every byte changed since the base) highlighted, the chosen field outlined. Owns
/// its copy of the replay; parses no bytes itself.
class PageHistoryPanel : public QWidget
{
    Q_OBJECT
public:
    enum class Highlight { SinceBase, ThisStep };

    explicit PageHistoryPanel(QWidget *parent = nullptr);
    /// Shows `redo` (replayed with history and pages kept) of `key` at `lsn`, at its last step.
    void setRedo(const Key &key, Lsn lsn, Redo redo);
    /// The Postgres version the records are replayed as (kPgVersionUnknown or 14 to 17), and
    /// where it came from ("index_part.json", "chosen"); changing it asks for a new replay.
    int pgVersion() const;
    void setPgVersion(int version, const QString &source);
    /// No page: `caption` says why.
    void clear(const QString &caption);
    /// Shows the page after step `row` (0 = the base).
    void selectStep(int row);
    int currentStep() const;
    void setHighlightMode(Highlight mode);

    QLabel *caption() const { return m_caption; }
    HexView *hexView() const { return m_hex; }
    QTableView *stepsView() const { return m_steps; }
    QTreeView *fieldView() const { return m_fieldView; }
    QSlider *slider() const { return m_slider; }
    QComboBox *highlightCombo() const { return m_mode; }
    QComboBox *versionCombo() const { return m_version; }
    const PageHistoryModel *model() const { return m_model; }

signals:
    /// The user chose another Postgres version: the page should be replayed again.
    void pgVersionChanged(int version);

private:
    void showStep(int row);
    void showField();

    Redo m_redo;
    QString m_what; ///< "rel 1663/5/16396 blk 0 at 0/27F53E8"
    QString m_versionSource;
    QLabel *m_caption;
    QTableView *m_steps;
    QSlider *m_slider;
    QComboBox *m_mode;
    QComboBox *m_version;
    QTreeView *m_fieldView;
    FieldTreeModel *m_fields;
    HexView *m_hex;
    PageHistoryModel *m_model;
};

} // namespace layerscope::ui
