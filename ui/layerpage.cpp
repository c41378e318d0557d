#include "layerpage.h"

#include "btree/btreegraphview.h"
#include "document/layerdocument.h"
#include "hex/blobpanel.h"
#include "keys/entrytablemodel.h"
#include "keys/keytablewidget.h"
#include "problems/problemspanel.h"
#include "summary/summarypanel.h"

#include <QColor>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QUndoStack>
#include <QTimer>
#include <QVBoxLayout>

namespace layerscope::ui {

LayerPage::LayerPage(std::unique_ptr<LayerDocument> doc, QWidget *parent)
    : QWidget(parent)
    , m_doc(std::move(doc))
    , m_summary(new SummaryPanel(this))
    , m_graph(new BTreeGraphView(this))
    , m_keys(new KeyTableWidget(this))
    , m_blob(new BlobPanel(this))
    , m_problems(new ProblemsPanel(this))
    , m_leftTabs(new QTabWidget(this))
    , m_undo(new QUndoStack(this))
{
    m_leftTabs->addTab(m_summary, tr("Summary"));
    m_leftTabs->addTab(m_problems, tr("Problems"));
    auto *top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_leftTabs);
    top->addWidget(m_graph);
    top->setStretchFactor(0, 2);
    top->setStretchFactor(1, 3);
    auto *bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(m_keys);
    bottom->addWidget(m_blob);
    bottom->setStretchFactor(0, 4);
    bottom->setStretchFactor(1, 3);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(m_problems, &ProblemsPanel::problemActivated, this, &LayerPage::showProblem);
    connect(m_keys, &KeyTableWidget::statusMessage, this, &LayerPage::statusMessage);
    connect(m_keys, &KeyTableWidget::currentPositionChanged, this, [this](qint64 pos) {
        if (pos < 0) {
            m_blob->clearEntry();
            m_graph->highlightPosition(std::nullopt);
            return;
        }
        if (const auto e = m_keys->model()->entryAtPosition(std::uint64_t(pos)))
            m_blob->showEntry(*e);
        m_graph->highlightPosition(std::uint64_t(pos));
    });
    connect(m_graph, &BTreeGraphView::nodeActivated, this, [this](quint32 node) {
        if (const TreeShape *shape = m_doc->shape()) {
            const auto &s = shape->nodes[node];
            m_keys->selectRange(s.firstEntry, s.entries);
        }
    });
    attach();
}

void LayerPage::attach()
{
    m_summary->setDocument(m_doc.get());
    m_graph->setDocument(m_doc.get());
    m_keys->setDocument(m_doc.get());
    m_blob->setLayer(&m_doc->layer());
    m_problems->setDocument(m_doc.get());
    connect(m_doc.get(), &LayerDocument::validationReady, this, [this] {
        const ValidationReport *r = m_doc->report();
        std::vector<std::uint32_t> blocks;
        std::vector<std::uint64_t> entries;
        for (const Problem &p : r->problems) {
            if (p.severity == Severity::Info)
                continue;
            if (p.block)
                blocks.push_back(*p.block);
            if (p.entry)
                entries.push_back(*p.entry);
        }
        std::sort(entries.begin(), entries.end());
        m_graph->setProblemBlocks(std::move(blocks));
        m_keys->model()->setProblemPositions(std::move(entries));
        const QString counts = m_problems->countsText();
        m_leftTabs->setTabText(1, r->errors + r->warnings ? tr("Problems (%1)").arg(r->errors + r->warnings) : tr("Problems"));
        if (r->errors + r->warnings > 0)
            m_leftTabs->tabBar()->setTabTextColor(1, QColor(0xc0, 0x39, 0x2b));
        emit statusMessage(tr("%1: %2").arg(m_doc->fileName(), counts));
    });

    connect(m_doc.get(), &LayerDocument::shapeReady, this, [this] {
        m_problems->validate();
        m_summary->refresh();
        m_graph->rebuild();
        QTimer::singleShot(0, m_graph, &BTreeGraphView::fitToView);
        emit statusMessage(tr("%1: %L2 entries in %L3 nodes")
                               .arg(m_doc->fileName())
                               .arg(m_doc->shape()->totalEntries)
                               .arg(m_doc->shape()->nodes.size()));
    });
    connect(m_doc.get(), &LayerDocument::loadFailed, this, [this](const QString &why) {
        m_problems->validate();
        m_summary->refresh();
        m_graph->rebuild();
        emit statusMessage(tr("%1: %2").arg(m_doc->fileName(), why));
    });
    m_doc->startLoading();
}

bool LayerPage::reload(const QString &path, QString *error)
{
    auto doc = LayerDocument::open(path, error);
    if (!doc)
        return false;
    // Views drop the old document before it goes.
    m_blob->setLayer(nullptr);
    m_keys->setDocument(nullptr);
    m_graph->setDocument(nullptr);
    m_summary->setDocument(nullptr);
    m_problems->setDocument(nullptr);
    m_doc = std::move(doc);
    attach();
    emit documentReplaced();
    return true;
}

LayerPage::~LayerPage()
{
    // Views hold non-owning pointers into the document: they go first, then the document
    // (whose destructor cancels and awaits its worker).
    delete m_keys;
    delete m_graph;
    delete m_blob;
    delete m_summary;
    delete m_problems;
}

void LayerPage::showProblem(const Problem &p)
{
    if (p.entry)
        m_keys->selectPosition(*p.entry);
    if (p.block && m_doc->shape()) {
        const std::int64_t node = m_doc->shape()->nodeForBlock(*p.block);
        if (node >= 0) {
            m_graph->expandNode(std::uint32_t(node));
            m_graph->selectNode(std::uint32_t(node));
        }
    }
    m_blob->showRange(p.offset, p.length, QString::fromStdString(p.check + ": " + p.message));
}

bool LayerPage::isLoaded() const
{
    return !m_doc->isLoading() && !m_doc->isValidating();
}

void LayerPage::showProblemsTab()
{
    m_leftTabs->setCurrentWidget(m_problems);
}

} // namespace layerscope::ui
