#pragma once
// A tenant split from 2 shards into 4, in Neon's remote layout, made from the two Neon-written
// fixture layers with every key placed by Neon's rule (stripe 2 pages, said by each shard's
// tenant manifest), plus two planted faults: a stray key in shard 0204's own image layer, and a
// delta layer of the parent shard 0102 that child 0304's index still lists but that is gone
// (physical GC deleted what a child reads). The parents keep their layers and no index, as after
// a split; each child has its own image layer and an index listing it and its parent's layers.
// (tst_checkcmd checks it on disk, tst_remote in the real S3 server.)

#include "testutil.h"

#include <layerscope/format/layer_name.h>
#include <layerscope/format/shard.h>
#include <layerscope/write/writer.h>

#include <QDir>
#include <QStringList>

namespace shardedtenant {

using namespace layerscope;

inline const QString kTenant = QStringLiteral("0123456789abcdef0123456789abcdef");
inline const QString kTimeline = QStringLiteral("fedcba9876543210fedcba9876543210");
inline constexpr std::uint32_t kStripe = 2;
inline constexpr std::uint64_t kChildImageLsn = 0x5000050;

inline QString tenantDir(const QString &slug)
{
    return "tenants/" + kTenant + "-" + slug + "/";
}
inline QString timelineDir(const QString &slug)
{
    return tenantDir(slug) + "timelines/" + kTimeline + "/";
}

/// What was planted, relative to the tree's root.
struct Planted
{
    QString strayLayer; ///< the layer holding the stray key
    Key strayKey;
    std::uint8_t strayOwner = 0; ///< the shard that owns it
    QString missingName;         ///< the deleted parent layer (canonical name)
    QString missingShard;        ///< its shard ("0102")
    QString missingListedBy;     ///< the child timeline whose index lists it
};

struct Source
{
    Summary summary;
    std::vector<std::pair<Entry, Value>> values;
};

inline Source readFixture(const QString &name)
{
    auto layer = Layer::openFile((testutil::sharedDir() + "/fixtures/layers/" + name).toStdString());
    if (!layer)
        qFatal("cannot open the fixture %s", qPrintable(name));
    Source s{layer->summary(), {}};
    auto entries = layer->entries();
    if (!entries)
        qFatal("cannot read the fixture %s", qPrintable(name));
    for (const Entry &e : *entries) {
        auto v = layer->value(e);
        if (!v)
            qFatal("cannot read a value of %s", qPrintable(name));
        // The delta's short page image (a value shape the fixture covers, which check rightly
        // reports as value-size) is left out: this tenant's only faults are the planted ones.
        if (v->isImage() && v->image().size() != 8192 && e.key.field1() == 0)
            continue;
        s.values.emplace_back(e, std::move(*v));
    }
    return s;
}

/// A layer of `source`'s summary (image LSN `imageLsn` if given) holding the values `keep`
/// accepts; empty when it keeps none (Neon writes no empty layer).
template<typename Keep>
QByteArray layerOf(const Source &source, Keep keep, std::uint64_t imageLsn = 0)
{
    Summary s = source.summary;
    if (imageLsn) {
        s.lsnStart = Lsn{imageLsn};
        s.lsnEnd = Lsn{imageLsn + 1};
    }
    MemorySink sink;
    LayerWriter w(s, sink);
    int kept = 0;
    for (const auto &[e, v] : source.values) {
        if (!keep(e.key))
            continue;
        ++kept;
        const bool ok = s.kind == LayerKind::Image ? bool(w.addImage(e.key, v.image()))
                                                   : bool(w.addDelta(e.key, e.lsn, v));
        if (!ok)
            qFatal("adding a value failed");
    }
    if (!kept)
        return {};
    if (!w.finish())
        qFatal("finishing a layer failed");
    return QByteArray(reinterpret_cast<const char *>(sink.data().data()),
                      qsizetype(sink.data().size()));
}

inline QString nameOf(const Summary &s)
{
    LayerName n;
    n.kind = s.kind;
    n.keyStart = s.keyStart;
    n.keyEnd = s.keyEnd;
    n.lsnStart = s.lsnStart;
    n.lsnEnd = s.lsnEnd;
    return QString::fromStdString(n.canonical());
}

/// One layer_metadata entry of an index.
inline QString listed(const QString &name, qsizetype size, int generation, const QString &shard)
{
    return QStringLiteral(R"("%1":{"file_size":%2,"generation":%3,"shard":"%4"})")
        .arg(name)
        .arg(size)
        .arg(generation)
        .arg(shard);
}

inline void put(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    if (!testutil::writeFile(path, bytes))
        qFatal("cannot write %s", qPrintable(path));
}

/// Writes the tenant below `root` (a directory that becomes a region root).
inline Planted write(const QString &root)
{
    const Source image = readFixture("000000067F00000005000040000000000000-"
                                     "000000067F0000000500004000000000000A__0000000001696070");
    const Source delta = readFixture(
        "000000067F00000005000040000000000000-030000000000000000000000000000000003__"
        "0000000005000010-0000000005000050");
    const QString imageName = nameOf(image.summary);
    const QString deltaName = nameOf(delta.summary);
    const QByteArray manifest = QStringLiteral(
                                    R"({"version":2,"stripe_size":%1,"offloaded_timelines":[]})")
                                    .arg(kStripe)
                                    .toUtf8();
    Planted planted;
    // The parents: each shard of 2 keeps what Neon's rule gives it, at generation 1.
    QByteArray parentImage[2], parentDelta[2];
    for (std::uint8_t p = 0; p < 2; ++p) {
        const ShardIdentity shard{p, 2, kStripe};
        const QString slug = QString::fromStdString(shard.slug());
        auto keep = [&](const Key &k) { return !isKeyDisposable(shard, k); };
        parentImage[p] = layerOf(image, keep);
        parentDelta[p] = layerOf(delta, keep);
        put(root + "/" + tenantDir(slug) + "tenant-manifest-00000001.json", manifest);
        put(root + "/" + timelineDir(slug) + imageName + "-00000001", parentImage[p]);
        if (p == 1) { // the planted fault: gone, though child 0304 lists it
            planted.missingName = deltaName;
            planted.missingShard = slug;
        } else {
            put(root + "/" + timelineDir(slug) + deltaName + "-00000001", parentDelta[p]);
        }
    }
    // The children: an image layer of their own keys at a newer LSN (generation 2), and an
    // index listing it and their parent's layers (the parent of child c is c % 2).
    for (std::uint8_t c = 0; c < 4; ++c) {
        const ShardIdentity shard{c, 4, kStripe};
        const QString slug = QString::fromStdString(shard.slug());
        const std::uint8_t p = c % 2;
        const QString parentSlug = QString::fromStdString(ShardIdentity{p, 2}.slug());
        bool strayPlanted = false;
        auto keep = [&](const Key &k) {
            if (!isKeyDisposable(shard, k))
                return true;
            if (c == 2 && !strayPlanted) { // the planted fault: one key of another shard
                strayPlanted = true;
                planted.strayKey = k;
                planted.strayOwner = keyToShardNumber(4, kStripe, k);
                return true;
            }
            return false;
        };
        const QByteArray own = layerOf(image, keep, kChildImageLsn);
        Summary ownSummary = image.summary;
        ownSummary.lsnStart = Lsn{kChildImageLsn};
        const QString ownName = nameOf(ownSummary);
        put(root + "/" + tenantDir(slug) + "tenant-manifest-00000002.json", manifest);
        QStringList entries;
        if (!own.isEmpty()) {
            put(root + "/" + timelineDir(slug) + ownName + "-00000002", own);
            entries << listed(ownName, own.size(), 2, slug);
        }
        if (c == 2)
            planted.strayLayer = timelineDir(slug) + ownName + "-00000002";
        entries << listed(imageName, parentImage[p].size(), 1, parentSlug);
        // Child 0104 has compacted its parent's delta away; 0304 still reads it.
        if (c != 1)
            entries << listed(deltaName, parentDelta[p].size(), 1, parentSlug);
        if (c == 3)
            planted.missingListedBy = timelineDir(slug);
        put(root + "/" + timelineDir(slug) + "index_part.json-00000002",
            QStringLiteral(
                R"({"version":11,"layer_metadata":{%1},"disk_consistent_lsn":"0/5000050",)"
                R"("metadata_bytes":{"disk_consistent_lsn":"0/5000050","prev_record_lsn":null,)"
                R"("ancestor_timeline":null,"ancestor_lsn":"0/0","latest_gc_cutoff_lsn":"0/1696070",)"
                R"("initdb_lsn":"0/1696070","pg_version":16}})")
                .arg(entries.join(','))
                .toUtf8());
    }
    if (planted.strayLayer.isEmpty() || planted.strayKey == Key{})
        qFatal("the stray key was not planted");
    return planted;
}

} // namespace shardedtenant
