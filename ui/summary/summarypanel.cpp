#include "summarypanel.h"

#include "document/layerdocument.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLocale>

namespace layerscope::ui {

SummaryPanel::SummaryPanel(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({tr("Field"), tr("Value")});
    setRootIsDecorated(true);
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item && item->data(0, Qt::UserRole).isValid())
            emit summaryFieldSelected(item->data(0, Qt::UserRole).toString());
    });
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(true);
}

void SummaryPanel::setDocument(const LayerDocument *doc)
{
    m_doc = doc;
    refresh();
}

namespace {
QString num(std::uint64_t v)
{
    return QLocale().toString(qulonglong(v));
}
QString bytesText(std::uint64_t v)
{
    return QStringLiteral("%1 (%2)").arg(QLocale().formattedDataSize(qint64(v)), num(v) + " B");
}
} // namespace

void SummaryPanel::refresh()
{
    clear();
    if (!m_doc)
        return;
    const Layer &layer = m_doc->layer();
    const Summary &s = layer.summary();
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto group = [this](const QString &name) {
        auto *g = new QTreeWidgetItem(this, {name});
        QFont f = g->font(0);
        f.setBold(true);
        g->setFont(0, f);
        g->setFirstColumnSpanned(true);
        return g;
    };
    auto row = [&](QTreeWidgetItem *g, const QString &field, const QString &value, bool fixed = false,
                   const QString &tip = {}) {
        auto *i = new QTreeWidgetItem(g, {field, value});
        if (fixed)
            i->setFont(1, mono);
        i->setToolTip(1, tip.isEmpty() ? value : tip);
        return i;
    };
    auto q = [](const std::string &v) { return QString::fromStdString(v); };

    // Rows of summary fields carry the field's name: selecting one shows its bytes in block 0.
    auto field = [&](QTreeWidgetItem *item, SummaryFieldId id) {
        item->setData(0, Qt::UserRole, QString::fromLatin1(summaryField(s.kind, id).name));
        item->setToolTip(0, tr("%1: %2 bytes at offset %3 of block 0")
                                .arg(QString::fromLatin1(summaryField(s.kind, id).name))
                                .arg(summaryField(s.kind, id).length)
                                .arg(summaryField(s.kind, id).offset));
        return item;
    };
    auto *g = group(tr("Layer"));
    row(g, tr("Kind"), s.kind == LayerKind::Image ? tr("image layer") : tr("delta layer"));
    field(row(g, tr("Magic"), QStringLiteral("0x%1").arg(s.magic, 4, 16, QLatin1Char('0')).toUpper().replace("0X", "0x"), true),
          SummaryFieldId::Magic);
    field(row(g, tr("Format version"), QString::number(s.formatVersion)), SummaryFieldId::Version);
    field(row(g, tr("Tenant"), q(s.tenant.toHex()), true), SummaryFieldId::Tenant);
    field(row(g, tr("Timeline"), q(s.timeline.toHex()), true), SummaryFieldId::Timeline);

    g = group(tr("Key range"));
    field(row(g, tr("Start"), q(s.keyStart.toHex()), true, q(s.keyStart.describe())), SummaryFieldId::KeyStart);
    field(row(g, tr(""), q(s.keyStart.describe())), SummaryFieldId::KeyStart);
    field(row(g, tr("End (excl.)"), q(s.keyEnd.toHex()), true, q(s.keyEnd.describe())), SummaryFieldId::KeyEnd);
    field(row(g, tr(""), q(s.keyEnd.describe())), SummaryFieldId::KeyEnd);

    g = group(tr("LSN"));
    if (s.kind == LayerKind::Image) {
        field(row(g, tr("LSN"), QStringLiteral("%1  (%2)").arg(q(s.lsnStart.toString()), q(s.lsnStart.toHex())), true),
              SummaryFieldId::LsnStart);
    } else {
        field(row(g, tr("Start"), QStringLiteral("%1  (%2)").arg(q(s.lsnStart.toString()), q(s.lsnStart.toHex())), true),
              SummaryFieldId::LsnStart);
        field(row(g, tr("End (excl.)"), QStringLiteral("%1  (%2)").arg(q(s.lsnEnd.toString()), q(s.lsnEnd.toHex())), true),
              SummaryFieldId::LsnEnd);
    }

    g = group(tr("File"));
    row(g, tr("Size"), bytesText(layer.fileSize()));
    row(g, tr("Values"), tr("%1 at [%2, %3)")
                             .arg(bytesText(layer.valuesEnd() - layer.valuesStart()), num(layer.valuesStart()),
                                  num(layer.valuesEnd())));
    auto *startRow = row(g, tr("Index start block"), tr("%1 (offset %2)").arg(num(s.indexStartBlk), num(std::uint64_t(s.indexStartBlk) * kBlockSize)));
    field(startRow, SummaryFieldId::IndexStart);
    field(row(g, tr("Index root block"), tr("%1 relative, %2 absolute").arg(num(s.indexRootBlk), num(std::uint64_t(s.indexStartBlk) + s.indexRootBlk))),
          SummaryFieldId::IndexRoot);

    g = group(tr("B-tree"));
    if (const TreeShape *shape = m_doc->shape()) {
        row(g, tr("Depth"), QString::number(shape->depth()));
        QStringList levels;
        for (auto n : shape->nodesPerLevel)
            levels << num(n);
        row(g, tr("Nodes per level"), levels.join(QStringLiteral(" → ")) + tr("  (root first)"));
        row(g, tr("Entries"), num(shape->totalEntries));
        row(g, tr("Index blocks"), tr("%1 in file, %2 reachable").arg(num(layer.tree().indexBlockCount()), num(shape->nodes.size())));
    } else if (!m_doc->loadError().isEmpty()) {
        row(g, tr("Error"), m_doc->loadError());
    } else {
        row(g, tr("Status"), tr("walking the index…"));
    }

    g = group(tr("File name"));
    const std::string name = m_doc->fileName().toStdString();
    const std::string implied = s.impliedName().canonical();
    std::string why;
    const auto parsed = LayerName::parse(name, &why);
    row(g, tr("Name"), q(name), true);
    if (parsed && parsed->canonical() == implied) {
        auto *ok = row(g, tr("Check"), tr("✔ matches the summary"));
        ok->setForeground(1, QColor(0x2e, 0x8b, 0x57));
        if (parsed->suffix != LayerName::Suffix::None)
            row(g, tr("Generation"), QStringLiteral("%1 (%2)").arg(parsed->generation, 8, 16, QLatin1Char('0'))
                                         .arg(parsed->suffix == LayerName::Suffix::Generation ? tr("local -v1- suffix") : tr("remote suffix")), true);
    } else {
        auto *bad = row(g, tr("Check"), parsed ? tr("✘ differs from the summary") : tr("✘ not a layer name: %1").arg(q(why)));
        bad->setForeground(1, QColor(0xc0, 0x39, 0x2b));
        row(g, tr("Expected"), q(implied), true);
    }
    expandAll();
}

} // namespace layerscope::ui
