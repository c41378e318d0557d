#include "keytablewidget.h"

#include "document/layerdocument.h"
#include "entrytablemodel.h"
#include "workerpool.h"

#include <layerscope/format/layer.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPromise>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <functional>

namespace layerscope::ui {

KeyTableWidget::KeyTableWidget(QWidget *parent)
    : QWidget(parent)
    , m_model(new EntryTableModel(this))
    , m_view(new QTableView(this))
    , m_goTo(new QLineEdit(this))
    , m_filterKind(new QComboBox(this))
    , m_filterText(new QLineEdit(this))
    , m_status(new QLabel(this))
{
    m_view->setTabKeyNavigation(false);  // Tab leaves the table (arrows move in it)
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    const int charW = m_view->fontMetrics().horizontalAdvance('0');
    const int widths[] = {7, 37, 27, 12, 8, 11, 10, 11, 22};
    for (int c = 0; c < EntryTableModel::ColumnCount; ++c)
        m_view->setColumnWidth(c, widths[c] * charW + 12);
    // Decoded key, LSN and will_init first: what an engineer scans for; the hex key follows.
    m_view->horizontalHeader()->moveSection(EntryTableModel::KeyColumn, EntryTableModel::WillInitColumn);

    auto *copy = new QAction(tr("Copy rows"), m_view);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this,
            [this] { QApplication::clipboard()->setText(selectedRowsText()); });
    m_view->addAction(copy);

    m_goTo->setPlaceholderText(tr("Go to key (36 hex, optional @LSN)"));
    m_goTo->setClearButtonEnabled(true);
    connect(m_goTo, &QLineEdit::returnPressed, this, [this] { goToKey(m_goTo->text()); });

    m_filterKind->addItems({tr("Key prefix"), tr("Relation"), tr("LSN range")});
    // The placeholder shows the form the chosen kind takes (short enough for a narrow pane).
    const QStringList examples{tr("e.g. 000000067F"), tr("e.g. 1663/16384/16397"), tr("e.g. 0/16960E8..0/1697000")};
    auto setExample = [this, examples](int kind) { m_filterText->setPlaceholderText(examples.value(kind)); };
    setExample(0);
    connect(m_filterKind, &QComboBox::currentIndexChanged, this, setExample);
    m_filterText->setToolTip(tr("Key prefix: hex digits (000000067F)\nRelation: spc/db/rel (1663/16384/16397)\n"
                                "LSN range: FROM..TO (0/16960E8..0/1697000)"));
    m_filterText->setClearButtonEnabled(true);
    connect(m_filterText, &QLineEdit::returnPressed, this,
            [this] { applyFilter(m_filterKind->currentIndex(), m_filterText->text()); });
    auto *apply = new QPushButton(tr("Filter"), this);
    connect(apply, &QPushButton::clicked, this,
            [this] { applyFilter(m_filterKind->currentIndex(), m_filterText->text()); });
    auto *clear = new QPushButton(tr("Clear"), this);
    connect(clear, &QPushButton::clicked, this, &KeyTableWidget::clearFilter);

    // Two rows, so both boxes keep their placeholder in a pane half of a 1024 px window.
    auto *filterBar = new QHBoxLayout;
    filterBar->setContentsMargins(0, 0, 0, 0);
    filterBar->addWidget(m_filterKind);
    filterBar->addWidget(m_filterText, 1);
    filterBar->addWidget(apply);
    filterBar->addWidget(clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_goTo);
    layout->addLayout(filterBar);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) {
                emit currentPositionChanged(cur.isValid() ? qint64(m_model->positionAt(cur.row()))
                                                          : -1);
            });
    connect(&m_filterWatcher, &QFutureWatcher<FilterResult>::finished, this, [this] {
        if (m_filterWatcher.future().resultCount() == 0)
            return;  // cancelled
        FilterResult r = m_filterWatcher.result();
        if (r.generation != m_filterGeneration)
            return;  // stale
        m_model->setRowFilter(std::move(r.positions));
        updateStatus();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &KeyTableWidget::updateStatus);
    updateStatus();
}

KeyTableWidget::~KeyTableWidget()
{
    m_filterWatcher.cancel();
    m_filterWatcher.waitForFinished();
}

void KeyTableWidget::setDocument(LayerDocument *doc)
{
    m_filterWatcher.cancel();
    m_filterWatcher.waitForFinished();
    m_doc = doc;
    m_model->setDocument(doc);
    if (doc) {
        const bool delta = doc->layer().kind() == LayerKind::Delta;
        m_view->setColumnHidden(EntryTableModel::LsnColumn, !delta);
        m_view->setColumnHidden(EntryTableModel::WillInitColumn, !delta);
        connect(doc, &LayerDocument::shapeReady, this, [this] {
            m_model->refreshFromShape();
            updateStatus();
        });
        connect(doc, &LayerDocument::loadFailed, this, &KeyTableWidget::updateStatus);
    }
}

void KeyTableWidget::updateStatus()
{
    if (!m_doc) {
        m_status->setText(tr("No layer"));
        return;
    }
    QString text;
    if (m_model->isPartial() && !m_doc->isLoading() && !m_doc->loadError().isEmpty())
        text = m_model->rowCount() ? tr("%L1 entries could be read; the rest of the index cannot").arg(m_model->rowCount())
                                   : tr("No entry can be read: the index is damaged (see Problems)");
    else if (m_model->isPartial())
        text = tr("Showing the first %L1 entries — counting the rest…").arg(m_model->rowCount());
    else if (m_model->isFiltered())
        text = tr("%L1 of %L2 entries match the filter").arg(m_model->rowCount()).arg(m_model->totalEntries());
    else
        text = tr("%L1 entries").arg(m_model->totalEntries());
    m_status->setText(text);
}

void KeyTableWidget::selectPosition(std::uint64_t position)
{
    int row = m_model->rowForPosition(position);
    if (row < 0 && m_model->isFiltered()) {
        clearFilter();
        row = m_model->rowForPosition(position);
    }
    if (row < 0)
        return;
    const QModelIndex idx = m_model->index(row, 0);
    m_view->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect
                                                       | QItemSelectionModel::Rows);
    m_view->scrollTo(idx, QAbstractItemView::PositionAtCenter);
}

void KeyTableWidget::selectRange(std::uint64_t first, std::uint64_t count)
{
    if (count == 0)
        return;
    if (m_model->isFiltered())
        clearFilter();
    const int a = m_model->rowForPosition(first);
    const int b = m_model->rowForPosition(first + count - 1);
    if (a < 0 || b < 0)
        return;
    QItemSelection sel(m_model->index(a, 0), m_model->index(b, EntryTableModel::ColumnCount - 1));
    m_view->selectionModel()->setCurrentIndex(m_model->index(a, 0), QItemSelectionModel::NoUpdate);
    m_view->selectionModel()->select(sel, QItemSelectionModel::ClearAndSelect);
    m_view->scrollTo(m_model->index(a, 0), QAbstractItemView::PositionAtTop);
    emit statusMessage(tr("Selected %L1 entries (positions %L2–%L3)").arg(count).arg(first).arg(first + count - 1));
}

bool KeyTableWidget::goToKey(const QString &text)
{
    const auto key = m_doc ? parseIndexKey(text.toStdString(), m_doc->layer().kind()) : std::nullopt;
    if (!key) {
        m_status->setText(tr("Go to: expected a 36-hex key, optionally followed by @LSN"));
        return false;
    }
    const auto pos = m_model->lowerBound(key->view());
    if (!pos) {
        m_status->setText(tr("Go to: the index is still loading"));
        return false;
    }
    if (*pos >= m_model->totalEntries()) {
        m_status->setText(tr("Go to: no key at or after %1").arg(text));
        return false;
    }
    selectPosition(*pos);
    return true;
}

bool KeyTableWidget::applyFilter(int kind, const QString &rawText)
{
    const QString text = rawText.trimmed();
    if (!m_doc || text.isEmpty()) {
        clearFilter();
        return text.isEmpty();
    }
    std::function<bool(const Entry &)> match;
    if (kind == 0) {
        ByteVector prefix;
        if (!fromHex(text.toStdString(), prefix) || prefix.empty() || prefix.size() > 26) {
            m_status->setText(tr("Filter: a key prefix is an even number of hex digits"));
            return false;
        }
        match = [prefix](const Entry &e) {
            return std::equal(prefix.begin(), prefix.end(), e.indexKey.bytes.begin(),
                              e.indexKey.bytes.begin() + std::min<std::size_t>(prefix.size(), e.indexKey.len));
        };
    } else if (kind == 1) {
        const QStringList p = text.split('/');
        bool ok1 = false, ok2 = false, ok3 = false;
        if (p.size() != 3) {
            m_status->setText(tr("Filter: a relation is spcOid/dbOid/relNode, e.g. 1663/16384/16397"));
            return false;
        }
        const quint32 spc = p[0].toUInt(&ok1), db = p[1].toUInt(&ok2), rel = p[2].toUInt(&ok3);
        if (!ok1 || !ok2 || !ok3) {
            m_status->setText(tr("Filter: a relation is spcOid/dbOid/relNode, e.g. 1663/16384/16397"));
            return false;
        }
        match = [spc, db, rel](const Entry &e) {
            return e.key.field1() == 0 && e.key.spcOid() == spc && e.key.dbOid() == db
                   && e.key.relNumber() == rel;
        };
    } else {
        const QStringList p = text.split("..");
        const auto a = p.size() == 2 ? Lsn::parse(p[0].trimmed().toStdString()) : std::nullopt;
        const auto b = p.size() == 2 ? Lsn::parse(p[1].trimmed().toStdString()) : std::nullopt;
        if (!a || !b) {
            m_status->setText(tr("Filter: an LSN range is FROM..TO (X/Y or hex), both inclusive"));
            return false;
        }
        match = [lo = *a, hi = *b](const Entry &e) { return lo <= e.lsn && e.lsn <= hi; };
    }
    m_filterWatcher.cancel();
    const quint64 generation = ++m_filterGeneration;
    const Layer layer = m_doc->layer();
    m_status->setText(tr("Filtering…"));
    m_filterWatcher.setFuture(
        QtConcurrent::run(workerPool(), [layer, match, generation](QPromise<FilterResult> &promise) {
            FilterResult r;
            r.generation = generation;
            std::uint64_t pos = 0;
            const ByteVector from(layer.summary().indexKeyLen(), 0);
            (void)layer.tree().visitForward(from, [&](Bytes k, std::uint64_t v) {
                if ((pos & 0xFFFF) == 0 && promise.isCanceled())
                    return false;
                if (match(layer.entry(IndexKey::from(k), v)))
                    r.positions.push_back(pos);
                ++pos;
                return true;
            });
            if (!promise.isCanceled())
                promise.addResult(std::move(r));
        }));
    return true;
}

void KeyTableWidget::clearFilter()
{
    m_filterWatcher.cancel();
    ++m_filterGeneration;
    if (m_model->isFiltered())
        m_model->setRowFilter(std::nullopt);
    updateStatus();
}

std::vector<int> KeyTableWidget::selectedRows() const
{
    std::vector<int> rows;
    for (const QModelIndex &i : m_view->selectionModel()->selectedRows())
        rows.push_back(i.row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

QString KeyTableWidget::selectedRowsText() const
{
    QStringList lines;
    for (int row : selectedRows()) {
        QStringList cells;
        for (int c = 0; c < EntryTableModel::ColumnCount; ++c)
            if (!m_view->isColumnHidden(c))
                cells << m_model->cellText(row, c);
        lines << cells.join('\t');
    }
    return lines.join('\n');
}

bool KeyTableWidget::exportRows(const QString &path, bool json, QString *error) const
{
    std::vector<int> rows = selectedRows();
    if (rows.empty())
        for (int r = 0; r < m_model->rowCount(); ++r)
            rows.push_back(r);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    QStringList headers;
    QList<int> cols;
    for (int c = 0; c < EntryTableModel::ColumnCount; ++c)
        if (!m_view->isColumnHidden(c)) {
            cols << c;
            headers << m_model->headerData(c, Qt::Horizontal).toString();
        }
    auto csvCell = [](QString s) {
        if (s.contains(',') || s.contains('"'))
            s = '"' + s.replace('"', "\"\"") + '"';
        return s;
    };
    if (!json) {
        QStringList h;
        for (const QString &s : headers)
            h << csvCell(s);
        f.write((h.join(',') + '\n').toUtf8());
    }
    for (int row : rows) {
        if (json) {
            QJsonObject o;
            for (qsizetype i = 0; i < cols.size(); ++i)
                o[headers[i]] = m_model->cellText(row, cols[i]);
            f.write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
        } else {
            QStringList cells;
            for (int c : cols)
                cells << csvCell(m_model->cellText(row, c));
            f.write((cells.join(',') + '\n').toUtf8());
        }
    }
    if (!f.flush()) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace layerscope::ui
