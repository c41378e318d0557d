#include "valuedescription.h"

#include <layerscope/format/pg_page.h>

#include <QObject>
#include <QStringList>

namespace layerscope::ui {

namespace {
QString esc(const std::string &s)
{
    return QString::fromStdString(s).toHtmlEscaped();
}

class Table
{
public:
    explicit Table(const QString &title) { m_html = QStringLiteral("<h4>%1</h4><table cellspacing=0 cellpadding=2>").arg(title); }
    Table &row(const QString &k, const QString &v)
    {
        m_html += QStringLiteral("<tr><td style='color:palette(mid);padding-right:12px'>%1</td><td><tt>%2</tt></td></tr>").arg(k, v);
        return *this;
    }
    QString html() const { return m_html + QStringLiteral("</table>"); }

private:
    QString m_html;
};

QString hex(std::uint64_t v, int width = 0)
{
    return QStringLiteral("0x%1").arg(v, width, 16, QLatin1Char('0'));
}

QString pageHtml(Bytes page, const Key &key)
{
    const auto h = parsePageHeader(page);
    if (!h)
        return {};
    if (isZeroPage(page))
        return QStringLiteral("<h4>Postgres page</h4><p>All-zero page (a new, never initialised page).</p>");
    // Not every 8 KiB value is a heap page: when the header cannot be one, say why once
    // instead of listing nonsense fields.
    if (const auto problems = pageHeaderProblems(*h); !problems.empty())
        return QObject::tr("<h4>Not a Postgres page</h4><p>Not decoded as a page header: %1.</p>")
            .arg(esc(problems.front()));
    Table t(QObject::tr("Postgres page header"));
    t.row("pd_lsn", QStringLiteral("%1/%2").arg(h->lsn >> 32, 0, 16).arg(h->lsn & 0xFFFFFFFF, 0, 16).toUpper());
    const std::uint16_t computed = pageChecksum(page, key.blockNumber());
    QString sum = hex(h->checksum, 4);
    if (h->checksum != 0)
        sum += h->checksum == computed ? QObject::tr("  ✔ valid for block %1").arg(key.blockNumber())
                                       : QObject::tr("  ✘ computed %1 for block %2").arg(hex(computed, 4)).arg(key.blockNumber());
    else
        sum += QObject::tr("  (no checksum)");
    t.row("pd_checksum", sum);
    t.row("pd_flags", hex(h->flags, 4));
    t.row("pd_lower", QString::number(h->lower));
    t.row("pd_upper", QString::number(h->upper));
    t.row("pd_special", QString::number(h->special));
    t.row("page size / version", QStringLiteral("%1 / %2").arg(h->pageSize()).arg(h->layoutVersion()));
    t.row("pd_prune_xid", QString::number(h->pruneXid));
    t.row(QObject::tr("line pointers"), QString::number(h->linePointerCount()));
    QString html = t.html();
    {
        static const char *const flags[] = {"unused", "normal", "redirect", "dead"};
        QString lp = QStringLiteral("<h4>%1</h4><table cellspacing=0 cellpadding=1><tr><th>#</th><th>offset</th><th>length</th><th>state</th></tr>").arg(QObject::tr("Line pointers"));
        const auto lps = linePointers(page, 64);
        for (std::size_t i = 0; i < lps.size(); ++i)
            lp += QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td><td>%4</td></tr>")
                      .arg(i + 1).arg(lps[i].offset).arg(lps[i].length).arg(flags[lps[i].flags]);
        lp += QStringLiteral("</table>");
        if (h->linePointerCount() > lps.size())
            lp += QObject::tr("<p>… %1 more</p>").arg(h->linePointerCount() - lps.size());
        html += lp;
    }
    return html;
}

QString xlogHtml(Bytes rec)
{
    const auto h = parseXLogRecordHeader(rec);
    if (!h)
        return QObject::tr("<p>The record is %1 bytes, shorter than the 24-byte XLogRecord header.</p>").arg(rec.size());
    Table t(QObject::tr("XLogRecord header"));
    t.row("xl_tot_len", QString::number(h->totLen) + (h->totLen == rec.size() ? QString() : QObject::tr("  (record holds %1 bytes)").arg(rec.size())));
    t.row("xl_xid", QString::number(h->xid));
    t.row("xl_prev", QStringLiteral("%1/%2").arg(h->prev >> 32, 0, 16).arg(h->prev & 0xFFFFFFFF, 0, 16).toUpper());
    t.row("xl_info", hex(h->info, 2));
    t.row("xl_rmid", QStringLiteral("%1 (%2)").arg(h->rmid).arg(QString::fromStdString(rmgrName(h->rmid))));
    t.row(QObject::tr("kind (pagectl)"), QString::fromStdString(pagectlRecordKind(*h)));
    t.row("xl_crc", hex(h->crc, 8));
    return t.html();
}
} // namespace

QString describeEntryHtml(const Layer &layer, const Entry &entry, const Result<EntryDetails> &d)
{
    QString html;
    Table e(QObject::tr("Entry"));
    e.row(QObject::tr("key"), esc(entry.key.toHex()) + "<br>" + esc(entry.key.describe()));
    if (layer.kind() == LayerKind::Delta) {
        e.row("lsn", QStringLiteral("%1 (%2)").arg(esc(entry.lsn.toString()), esc(entry.lsn.toHex())));
        e.row("will_init (BlobRef)", entry.willInit ? "true" : "false");
    }
    e.row(QObject::tr("blob offset"), QString::number(entry.blobOffset));
    html += e.html();
    if (!d) {
        return html + QObject::tr("<p style='color:#c0392b'><b>Cannot decode:</b> %1</p>").arg(esc(d.error().message()));
    }
    Table b(QObject::tr("Blob"));
    b.row(QObject::tr("header"), QObject::tr("%1 byte(s) at %2").arg(d->header.headerLen).arg(d->header.offset));
    b.row(QObject::tr("stored"), QObject::tr("%1 bytes at %2").arg(d->header.storedLen).arg(d->header.payloadOffset()));
    if (d->header.compression == Compression::Zstd)
        b.row(QObject::tr("zstd"), QObject::tr("%1 → %2 bytes (ratio %3)").arg(d->header.storedLen).arg(d->payloadLen)
                                       .arg(double(d->payloadLen) / double(std::max<std::uint64_t>(1, d->header.storedLen)), 0, 'f', 2));
    html += b.html();

    if (d->value.isImage()) {
        const ByteVector &img = d->value.image();
        Table v(QObject::tr("Value"));
        v.row(QObject::tr("variant"), layer.kind() == LayerKind::Delta ? "Value::Image" : QObject::tr("image"));
        v.row(QObject::tr("length"), QString::number(img.size()));
        html += v.html();
        const KeyClass cls = entry.key.keyClass();
        if (img.size() == 8192 && cls == KeyClass::RelBlock)
            html += pageHtml(img, entry.key);
        else if (img.size() == 8192 && cls == KeyClass::SlruBlock)
            html += QObject::tr("<p>SLRU page (no page header).</p>");
        else if ((cls == KeyClass::RelSize || cls == KeyClass::SlruSegSize) && img.size() == 4)
            html += QObject::tr("<p>Size: <b>%1</b> blocks (u32 little-endian).</p>").arg(readLe32(img.data()));
        else if (img.empty())
            html += QObject::tr("<p>Empty value (a tombstone in the sparse key space).</p>");
        else
            html += QObject::tr("<p>Not decoded: a %1 value of %2 bytes is not an 8 KiB relation page.</p>")
                        .arg(QString::fromLatin1(entry.key.className())).arg(img.size());
        return html;
    }
    const NeonWalRecord &rec = d->value.record();
    Table v(QObject::tr("Value::WalRecord"));
    v.row(QObject::tr("variant"), QString::fromLatin1(recordName(rec)));
    v.row(QObject::tr("fields"), esc(describeRecord(rec)));
    v.row(QObject::tr("serialized"), QObject::tr("%1 bytes").arg(d->payloadLen));
    v.row(QObject::tr("will_init (value)"), d->valueWillInit ? "true" : "false");
    html += v.html();
    if (d->valueWillInit != entry.willInit)
        html += QObject::tr("<p style='color:#c0392b'>✘ The BlobRef's will_init bit (%1) disagrees with the value (%2).</p>")
                    .arg(entry.willInit).arg(d->valueWillInit);
    if (const auto *pg = std::get_if<wal::Postgres>(&rec))
        html += xlogHtml(pg->rec);
    return html;
}

} // namespace layerscope::ui
