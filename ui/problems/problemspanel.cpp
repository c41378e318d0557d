#include "problemspanel.h"

#include "document/layerdocument.h"

#include <QApplication>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace layerscope::ui {

ProblemModel::ProblemModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ProblemModel::setReport(std::shared_ptr<const ValidationReport> report)
{
    beginResetModel();
    m_report = std::move(report);
    endResetModel();
}

const Problem *ProblemModel::problem(int row) const
{
    if (!m_report || row < 0 || row >= int(m_report->problems.size()))
        return nullptr;
    return &m_report->problems[std::size_t(row)];
}

int ProblemModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_report ? 0 : int(m_report->problems.size());
}

int ProblemModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemModel::data(const QModelIndex &index, int role) const
{
    const Problem *p = problem(index.row());
    if (!p)
        return {};
    if (role == Qt::DecorationRole && index.column() == SeverityColumn) {
        const auto icon = p->severity == Severity::Error     ? QStyle::SP_MessageBoxCritical
                          : p->severity == Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                             : QStyle::SP_MessageBoxInformation;
        return QApplication::style()->standardIcon(icon);
    }
    if (role == SortRole) {
        switch (index.column()) {
        case SeverityColumn: return int(p->severity);
        case OffsetColumn: return qulonglong(p->offset);
        case BlockColumn: return p->block ? qlonglong(*p->block) : -1;
        case EntryColumn: return p->entry ? qlonglong(*p->entry) : -1;
        default: break;
        }
    }
    if (role == Qt::ToolTipRole)
        return QString::fromStdString(p->message);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case SeverityColumn: return QString::fromLatin1(severityName(p->severity));
    case CheckColumn: return QString::fromStdString(p->check);
    case MessageColumn: return QString::fromStdString(p->message);
    case OffsetColumn: return QString::number(p->offset);
    case BlockColumn: return p->block ? QString::number(*p->block) : QString();
    case EntryColumn: return p->entry ? QString::number(*p->entry) : QString();
    default: return {};
    }
}

QVariant ProblemModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Severity", "Check", "Message", "Offset", "Node", "Entry"};
    return tr(names[section]);
}

ProblemsPanel::ProblemsPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new ProblemModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
    , m_pages(new QCheckBox(tr("Check Postgres pages"), this))
    , m_status(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ProblemModel::SortRole);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ProblemModel::OffsetColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setSectionResizeMode(ProblemModel::MessageColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(ProblemModel::SeverityColumn, 90);
    m_view->setColumnWidth(ProblemModel::CheckColumn, 150);
    for (int c : {ProblemModel::OffsetColumn, ProblemModel::BlockColumn, ProblemModel::EntryColumn})
        m_view->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_pages->setToolTip(tr("Also check 8 KiB relation pages: header sanity and checksums (not every 8 KiB value is a heap page)"));
    auto *rerun = new QPushButton(tr("Validate"), this);
    connect(rerun, &QPushButton::clicked, this, &ProblemsPanel::validate);
    connect(m_pages, &QCheckBox::toggled, this, &ProblemsPanel::validate);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_pages);
    bar->addWidget(rerun);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    auto activate = [this](const QModelIndex &idx) {
        if (const Problem *p = m_model->problem(m_proxy->mapToSource(idx).row()))
            emit problemActivated(*p);
    };
    connect(m_view, &QTableView::activated, this, activate);
    connect(m_view, &QTableView::clicked, this, activate);
}

void ProblemsPanel::setDocument(LayerDocument *doc)
{
    m_doc = doc;
    m_model->setReport(nullptr);
    if (!doc)
        return;
    connect(doc, &LayerDocument::validationReady, this, &ProblemsPanel::onReady);
    connect(doc, &LayerDocument::validationProgress, this, [this](int pct) {
        m_status->setText(tr("Validating… %1%").arg(pct));
    });
}

void ProblemsPanel::validate()
{
    if (!m_doc)
        return;
    m_status->setText(tr("Validating…"));
    emit countsChanged(QString());
    m_doc->startValidation(m_pages->isChecked());
}

QString ProblemsPanel::countsText() const
{
    const ValidationReport *r = m_doc ? m_doc->report() : nullptr;
    if (!r)
        return {};
    if (r->errors == 0 && r->warnings == 0)
        return tr("no problems");
    return tr("%n error(s)", "", int(r->errors)) + tr(", %n warning(s)", "", int(r->warnings));
}

void ProblemsPanel::onReady()
{
    const ValidationReport *r = m_doc->report();
    m_model->setReport(m_doc->sharedReport());
    m_status->setText(tr("%1 — %L2 entries, %L3 nodes checked%4")
                          .arg(countsText())
                          .arg(r->entriesChecked)
                          .arg(r->nodesChecked)
                          .arg(r->truncated ? tr(" (list truncated)") : QString()));
    emit countsChanged(countsText());
}

} // namespace layerscope::ui
