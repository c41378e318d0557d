#include "layerpage.h"

#include "btree/btreegraphview.h"
#include "document/layerdocument.h"
#include "hex/blobpanel.h"
#include "keys/entrytablemodel.h"
#include "keys/keytablewidget.h"
#include "summary/summarypanel.h"

#include <QSplitter>
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
{
    auto *top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_summary);
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

    m_summary->setDocument(m_doc.get());
    m_graph->setDocument(m_doc.get());
    m_keys->setDocument(m_doc.get());
    m_blob->setLayer(&m_doc->layer());

    connect(m_doc.get(), &LayerDocument::shapeReady, this, [this] {
        m_summary->refresh();
        m_graph->rebuild();
        QTimer::singleShot(0, m_graph, &BTreeGraphView::fitToView);
        emit statusMessage(tr("%1: %L2 entries in %L3 nodes")
                               .arg(m_doc->fileName())
                               .arg(m_doc->shape()->totalEntries)
                               .arg(m_doc->shape()->nodes.size()));
    });
    connect(m_doc.get(), &LayerDocument::loadFailed, this, [this](const QString &why) {
        m_summary->refresh();
        m_graph->rebuild();
        emit statusMessage(tr("%1: %2").arg(m_doc->fileName(), why));
    });
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
    m_doc->startLoading();
}

LayerPage::~LayerPage()
{
    // Views hold non-owning pointers into the document: they go first, then the document
    // (whose destructor cancels and awaits its worker).
    delete m_keys;
    delete m_graph;
    delete m_blob;
    delete m_summary;
}

bool LayerPage::isLoaded() const
{
    return !m_doc->isLoading();
}

} // namespace layerscope::ui
