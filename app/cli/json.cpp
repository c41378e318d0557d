#include "json.h"

#include <QCryptographicHash>
#include <QJsonArray>

namespace layerscope::cli {

namespace {
QString q(const std::string &s)
{
    return QString::fromStdString(s);
}
} // namespace

QString sha256Hex(Bytes bytes)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(QByteArrayView(bytes.data(), qsizetype(bytes.size())),
                                 QCryptographicHash::Sha256)
            .toHex());
}

QJsonObject summaryJson(const Layer &layer, const TreeShape &shape)
{
    const Summary &s = layer.summary();
    QJsonObject o;
    o["layer"] = s.kind == LayerKind::Image ? "image" : "delta";
    o["magic"] = QString::asprintf("0x%04X", s.magic);
    o["format_version"] = s.formatVersion;
    o["tenant_id"] = q(s.tenant.toHex());
    o["timeline_id"] = q(s.timeline.toHex());
    o["key_range"] = QJsonObject{{"start", q(s.keyStart.toHex())}, {"end", q(s.keyEnd.toHex())}};
    if (s.kind == LayerKind::Image)
        o["lsn"] = q(s.lsnStart.toHex());
    else
        o["lsn_range"] = QJsonObject{{"start", q(s.lsnStart.toHex())},
                                     {"end", q(s.lsnEnd.toHex())}};
    o["index_start_blk"] = qint64(s.indexStartBlk);
    o["index_root_blk"] = qint64(s.indexRootBlk);
    o["btree_depth"] = shape.depth();
    QJsonArray levels;
    for (auto n : shape.nodesPerLevel)
        levels.append(qint64(n));
    o["nodes_per_level_root_first"] = levels;
    o["file_size"] = qint64(layer.fileSize());
    o["summary_len"] = qint64(s.encodedLen());
    return o;
}

QJsonObject entryJson(const Layer &layer, const Entry &entry, const EntryDetails &d,
                      bool withZstd)
{
    QJsonObject o;
    o["key"] = q(entry.key.toHex());
    o["offset"] = qint64(entry.blobOffset);
    o["kind"] = q(d.kind);
    o["len"] = qint64(d.content.size());
    o["sha256"] = sha256Hex(d.content);
    if (layer.kind() == LayerKind::Delta) {
        o["lsn"] = q(entry.lsn.toHex());
        o["will_init"] = entry.willInit;
        o["blob_len"] = qint64(d.payloadLen);
        o["value_will_init"] = d.valueWillInit;
        if (d.pgWillInit)
            o["pg_will_init"] = *d.pgWillInit;
    }
    if (withZstd)
        o["zstd"] = d.header.compression == Compression::Zstd;
    return o;
}

} // namespace layerscope::cli
