#include "problemspanel.h"

#include "document/layerdocument.h"

#include <layerscope/check/registry.h>

#include <QApplication>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTreeView>

#include <map>
#include <QVBoxLayout>

namespace layerscope::ui {

ProblemModel::ProblemModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void ProblemModel::setReport(std::shared_ptr<const ValidationReport> report)
{
    beginResetModel();
    m_report = std::move(report);
    m_rows.clear();
    if (m_report) {
        const auto &all = m_report->problems;
        std::map<std::pair<std::string, Severity>, const CheckTally *> tally;
        for (const CheckTally &t : m_report->tallies)
            tally[{t.check, t.severity}] = &t;
        std::map<const CheckTally *, std::size_t> groupRow;
        for (std::uint32_t i = 0; i < all.size(); ++i) {
            const CheckTally *t = tally[{all[i].check, all[i].severity}];
            if (!t || t->count <= kGroupAfter) {
                m_rows.push_back({nullptr, {i}});
                continue;
            }
            auto [it, fresh] = groupRow.try_emplace(t, m_rows.size());
            if (fresh)
                m_rows.push_back({t, {}});
            m_rows[it->second].problems.push_back(i);
        }
        // Severity first, then the offset of the (first) problem.
        std::stable_sort(m_rows.begin(), m_rows.end(), [&](const Row &a, const Row &b) {
            const Problem &pa = all[a.problems.front()], &pb = all[b.problems.front()];
            return std::pair(int(pa.severity), pa.offset) < std::pair(int(pb.severity), pb.offset);
        });
    }
    endResetModel();
}

const Problem *ProblemModel::problem(const QModelIndex &index) const
{
    if (!m_report || !index.isValid())
        return nullptr;
    const std::size_t parentRow = index.internalId();
    if (parentRow == 0) {
        const Row &r = m_rows[std::size_t(index.row())];
        return r.group ? nullptr : &m_report->problems[r.problems.front()];
    }
    return &m_report->problems[m_rows[parentRow - 1].problems[std::size_t(index.row())]];
}

QModelIndex ProblemModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || row >= rowCount(parent))
        return {};
    // internalId: 0 for a top-level row, else 1 + the group's row.
    return createIndex(row, column, parent.isValid() ? quintptr(parent.row() + 1) : quintptr(0));
}

QModelIndex ProblemModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int ProblemModel::rowCount(const QModelIndex &parent) const
{
    if (!m_report)
        return 0;
    if (!parent.isValid())
        return int(m_rows.size());
    if (parent.internalId() != 0 || parent.column() != 0)
        return 0;
    const Row &r = m_rows[std::size_t(parent.row())];
    return r.group ? int(r.problems.size()) : 0;
}

int ProblemModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ProblemModel::data(const QModelIndex &index, int role) const
{
    if (!m_report || !index.isValid())
        return {};
    const Problem *p = problem(index);
    const CheckTally *group = p ? nullptr : m_rows[std::size_t(index.row())].group;
    const Problem &first = p ? *p : m_report->problems[m_rows[std::size_t(index.row())].problems.front()];
    if (role == Qt::DecorationRole && index.column() == SeverityColumn) {
        const auto icon = first.severity == Severity::Error     ? QStyle::SP_MessageBoxCritical
                          : first.severity == Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                                : QStyle::SP_MessageBoxInformation;
        return QApplication::style()->standardIcon(icon);
    }
    if (role == SortRole) {
        switch (index.column()) {
        case SeverityColumn: return int(first.severity) * 1e15 + double(first.offset);
        case OffsetColumn: return qulonglong(first.offset);
        case BlockColumn: return p && p->block ? qlonglong(*p->block) : -1;
        case EntryColumn: return p && p->entry ? qlonglong(*p->entry) : -1;
        default: break;
        }
    }
    const QString groupText = group ? tr("%1 × %L2 (%L3 listed; first at 0x%4)")
                                          .arg(QString::fromStdString(group->check))
                                          .arg(group->count)
                                          .arg(m_rows[std::size_t(index.row())].problems.size())
                                          .arg(group->firstOffset, 0, 16)
                                    : QString();
    if (role == Qt::ToolTipRole && index.column() == CheckColumn)
        if (const CheckInfo *c = findCheck(first.check))
            return tr("%1 (%2, %3): %4.\nNames %5.")
                .arg(QString::fromUtf8(c->id.data(), qsizetype(c->id.size())),
                     QString::fromLatin1(checkGroupName(c->group)),
                     QString::fromLatin1(severityName(c->severity)),
                     QString::fromUtf8(c->meaning.data(), qsizetype(c->meaning.size())),
                     QString::fromUtf8(c->bytes.data(), qsizetype(c->bytes.size())));
    if (role == Qt::ToolTipRole)
        return group ? groupText + tr("\nExpand to see each one; the first: %1").arg(QString::fromStdString(first.message))
                     : QString::fromStdString(p->message);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case SeverityColumn: return QString::fromLatin1(severityName(first.severity));
    case CheckColumn: return QString::fromStdString(first.check);
    case MessageColumn: return group ? groupText : QString::fromStdString(p->message);
    case OffsetColumn:
        return QStringLiteral("0x%1").arg(group ? group->firstOffset : p->offset, 0, 16);
    case BlockColumn: return p && p->block ? QString::number(*p->block) : QString();
    case EntryColumn: return p && p->entry ? QString::number(*p->entry) : QString();
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
    , m_view(new QTreeView(this))
    , m_pages(new QCheckBox(tr("Check Postgres pages"), this))
    , m_status(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ProblemModel::SortRole);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ProblemModel::SeverityColumn, Qt::AscendingOrder);  // severity, then offset
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setRootIsDecorated(true);
    m_view->setTabKeyNavigation(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setWordWrap(false);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(ProblemModel::MessageColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(ProblemModel::SeverityColumn, 110);
    m_view->setColumnWidth(ProblemModel::CheckColumn, 150);
    for (int c : {ProblemModel::OffsetColumn, ProblemModel::BlockColumn, ProblemModel::EntryColumn})
        m_view->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
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
        if (const Problem *p = m_model->problem(m_proxy->mapToSource(idx)))
            emit problemActivated(*p);
    };
    // The panes follow the current row, whether moved by mouse or keyboard (Wireshark's way);
    // Enter on a row jumps again.
    connect(m_view, &QTreeView::activated, this, activate);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, activate);
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

bool ProblemsPanel::stepProblem(bool forward)
{
    // Rows in display order, groups expanded into their problems.
    QAbstractItemModel *m = m_view->model();
    std::vector<QModelIndex> rows;
    for (int r = 0; r < m->rowCount(); ++r) {
        const QModelIndex top = m->index(r, 0);
        if (m->rowCount(top) == 0)
            rows.push_back(top);
        for (int c = 0; c < m->rowCount(top); ++c)
            rows.push_back(m->index(c, 0, top));
    }
    if (rows.empty())
        return false;
    const QModelIndex cur = m_view->currentIndex().siblingAtColumn(0);
    auto it = std::find(rows.begin(), rows.end(), cur);
    std::size_t next = 0;
    if (it == rows.end())
        next = forward ? 0 : rows.size() - 1;
    else
        next = forward ? (std::size_t(it - rows.begin()) + 1) % rows.size()
                       : (std::size_t(it - rows.begin()) + rows.size() - 1) % rows.size();
    if (rows[next].parent().isValid())
        m_view->expand(rows[next].parent());
    m_view->setCurrentIndex(rows[next]);  // follows: currentChanged shows the problem
    m_view->scrollTo(rows[next]);
    return true;
}

QString ProblemsPanel::countsText() const
{
    const ValidationReport *r = m_doc ? m_doc->report() : nullptr;
    if (!r)
        return {};
    if (r->errors == 0 && r->warnings == 0)
        return r->infos ? tr("no problems (%L1 info)").arg(r->infos) : tr("no problems");
    return tr("%L1 error(s), %L2 warning(s)").arg(r->errors).arg(r->warnings)
           + (r->infos ? tr(", %L1 info").arg(r->infos) : QString());
}

void ProblemsPanel::onReady()
{
    const ValidationReport *r = m_doc->report();
    m_model->setReport(m_doc->sharedReport());
    m_status->setText(tr("%1 — %L2 entries, %L3 nodes checked%4")
                          .arg(countsText())
                          .arg(r->entriesChecked)
                          .arg(r->nodesChecked)
                          .arg(r->truncated ? tr(" (%L1 of %L2 listed; counts are exact)")
                                                  .arg(r->problems.size())
                                                  .arg(r->errors + r->warnings + r->infos)
                                            : QString()));
    emit countsChanged(countsText());
}

} // namespace layerscope::ui
