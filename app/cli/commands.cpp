#include "commands.h"

#include "json.h"

#include <layerscope/inspect.h>
#include <layerscope/layer.h>
#include <layerscope/synth.h>
#include <layerscope/writer.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <fmt/format.h>

#include <cstdio>

namespace layerscope::cli {

namespace {

void printJson(const QJsonObject &o)
{
    const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stdout);
    std::fputc('\n', stdout);
}

void reportError(const QString &file, const Error &e)
{
    std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(file), e.message().c_str());
}

/// Opens a layer; returns ExitOk, ExitUsage (I/O) or ExitProblem (not a valid layer).
int openLayer(const QString &file, std::optional<Layer> &out)
{
    auto mapped = MappedFile::open(file.toStdString());
    if (!mapped) {
        reportError(file, mapped.error());
        return ExitUsage;
    }
    auto layer = Layer::open(std::move(mapped.value()));
    if (!layer) {
        reportError(file, layer.error());
        return ExitProblem;
    }
    out.emplace(std::move(layer.value()));
    return ExitOk;
}

std::string kindName(LayerKind k)
{
    return k == LayerKind::Image ? "image" : "delta";
}

/// True if any blob of the layer is zstd-compressed (reads every blob header).
bool anyCompressed(const Layer &layer)
{
    bool any = false;
    const ByteVector zero(layer.summary().indexKeyLen(), 0);
    (void)layer.tree().visitForward(zero, [&](Bytes k, std::uint64_t v) {
        auto h = layer.blobHeader(layer.entry(IndexKey::from(k), v));
        any = h && h->compression == Compression::Zstd;
        return !any;
    });
    return any;
}

void printSummaryText(const Layer &layer, const TreeShape &st)
{
    const Summary &s = layer.summary();
    fmt::print("layer            {} (magic 0x{:04X}, format version {})\n", kindName(s.kind),
               s.magic, s.formatVersion);
    fmt::print("tenant           {}\n", s.tenant.toHex());
    fmt::print("timeline         {}\n", s.timeline.toHex());
    fmt::print("key range        {} .. {}\n", s.keyStart.toHex(), s.keyEnd.toHex());
    fmt::print("                 {} .. {}\n", s.keyStart.describe(), s.keyEnd.describe());
    if (s.kind == LayerKind::Image)
        fmt::print("lsn              {} ({})\n", s.lsnStart.toString(), s.lsnStart.toHex());
    else
        fmt::print("lsn range        {} .. {} ({} .. {})\n", s.lsnStart.toString(),
                   s.lsnEnd.toString(), s.lsnStart.toHex(), s.lsnEnd.toHex());
    fmt::print("file size        {} bytes ({} blocks)\n", layer.fileSize(),
               layer.fileSize() / kBlockSize);
    fmt::print("values           [{}, {}) {} bytes\n", layer.valuesStart(), layer.valuesEnd(),
               layer.valuesEnd() - layer.valuesStart());
    fmt::print("index            start block {}, root block {} (absolute {})\n", s.indexStartBlk,
               s.indexRootBlk, std::uint64_t(s.indexStartBlk) + s.indexRootBlk);
    std::string levels;
    for (auto n : st.nodesPerLevel)
        levels += fmt::format("{}{}", levels.empty() ? "" : ", ", n);
    fmt::print("b-tree           depth {}, nodes per level (root first) [{}], {} entries\n",
               st.depth(), levels, st.totalEntries);
    const std::string name = QFileInfo(QString::fromStdString(layer.name())).fileName().toStdString();
    const std::string implied = s.impliedName().canonical();
    const auto parsed = LayerName::parse(name);
    if (parsed && parsed->canonical() == implied)
        fmt::print("file name        matches the summary{}\n",
                   parsed->suffix != LayerName::Suffix::None
                       ? fmt::format(" (generation {:08x})", parsed->generation)
                       : std::string());
    else
        fmt::print("file name        DOES NOT MATCH the summary; expected {}\n", implied);
}

std::string describeValueLine(const Layer &layer, const Entry &e)
{
    auto d = inspectEntry(layer, e);
    if (!d)
        return fmt::format("ERROR: {}", d.error().message());
    std::string comp = d->header.compression == Compression::Zstd
                           ? fmt::format(" zstd {}→{}", d->header.storedLen, d->payloadLen)
                           : std::string();
    if (layer.kind() == LayerKind::Image || d->value.isImage())
        return fmt::format("img {} bytes{}", d->content.size(), comp);
    return fmt::format("rec {} bytes will_init: {} {}", d->payloadLen, d->valueWillInit,
                       describeRecord(d->value.record()));
}

} // namespace

int cmdSummary(const QString &file, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer))
        return rc;
    auto st = buildTreeShape(layer->tree());
    if (!st) {
        reportError(file, st.error());
        return ExitProblem;
    }
    if (opt.json)
        printJson(summaryJson(*layer, *st));
    else
        printSummaryText(*layer, *st);
    return ExitOk;
}

namespace {
int printEntries(const QString &file, const Layer &layer, const Options &opt, bool text)
{
    ByteVector from(layer.summary().indexKeyLen(), 0);
    const auto parsed = opt.from.isEmpty() ? std::nullopt : parseIndexKey(opt.from.toStdString(), layer.kind());
    if (parsed)
        from.assign(parsed->bytes.begin(), parsed->bytes.begin() + parsed->len);
    if (!opt.from.isEmpty() && !parsed) {
        std::fprintf(stderr, "layerctl: --from needs KEY (36 hex) or KEY@LSN, got %s\n",
                     qPrintable(opt.from));
        return ExitUsage;
    }
    const bool withZstd = opt.json && anyCompressed(layer);
    int rc = ExitOk;
    qint64 printed = 0;
    auto s = layer.tree().visitForward(from, [&](Bytes k, std::uint64_t v) {
        if (opt.limit >= 0 && printed >= opt.limit)
            return false;
        ++printed;
        const Entry e = layer.entry(IndexKey::from(k), v);
        if (opt.json) {
            auto d = inspectEntry(layer, e);
            if (!d) {
                reportError(file, d.error());
                rc = ExitProblem;
                printJson(QJsonObject{{"key", QString::fromStdString(e.key.toHex())},
                                      {"offset", qint64(e.blobOffset)},
                                      {"error", QString::fromStdString(d.error().message())}});
                return true;
            }
            printJson(entryJson(layer, e, *d, withZstd));
        } else if (text) {
            if (layer.kind() == LayerKind::Image)
                fmt::print("{} {:<40} offset {:>12} {}\n", e.key.toHex(), e.key.describe(),
                           e.blobOffset, describeValueLine(layer, e));
            else
                fmt::print("{} {:<40} {:>16} offset {:>12} {} {}\n", e.key.toHex(),
                           e.key.describe(), e.lsn.toString(), e.blobOffset,
                           e.willInit ? "init" : "    ", describeValueLine(layer, e));
        }
        return true;
    });
    if (!s) {
        reportError(file, s.error());
        return ExitProblem;
    }
    return rc;
}
} // namespace

int cmdKeys(const QString &file, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer))
        return rc;
    return printEntries(file, *layer, opt, true);
}

int cmdTree(const QString &file, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer))
        return rc;
    const BTreeReader tree = layer->tree();
    if (opt.neon) {
        auto text = tree.dumpNeon();
        if (!text) {
            reportError(file, text.error());
            return ExitProblem;
        }
        std::fputs(text->c_str(), stdout);
        return ExitOk;
    }
    auto s = tree.walkNodes([&](const NodeView &n, int depth) {
        if (opt.json) {
            QJsonArray entries;
            for (std::size_t i = 0; i < n.count; ++i) {
                QJsonObject e{{"key", QString::fromStdString(toHex(n.key(i).view()))},
                              {"value", QString::fromStdString(toHex(n.rawValue(i)))}};
                if (!n.isLeaf())
                    e["child"] = qint64(n.child(i));
                entries.append(e);
            }
            printJson(QJsonObject{{"block", qint64(n.block)},
                                  {"absolute_block", qint64(tree.indexStart() + n.block)},
                                  {"offset", qint64(n.offset)},
                                  {"depth", depth},
                                  {"level", n.level},
                                  {"prefix", QString::fromStdString(toHex(n.prefix))},
                                  {"suffix_len", n.suffixLen},
                                  {"used_bytes", qint64(n.usedBytes())},
                                  {"entries", entries}});
            return true;
        }
        const std::string pad(std::size_t(depth) * 2, ' ');
        fmt::print("{}node {} (block {}, offset {}): level {}, {} entries, prefix \"{}\", "
                   "suffix_len {}, {} bytes used\n",
                   pad, n.block, tree.indexStart() + n.block, n.offset, n.level, n.count,
                   toHex(n.prefix), n.suffixLen, n.usedBytes());
        for (std::size_t i = 0; i < n.count; ++i) {
            const IndexKey k = n.key(i);
            if (n.isLeaf())
                fmt::print("{}  [{}] {} → {}\n", pad, i, toHex(k.view()), n.value(i));
            else
                fmt::print("{}  [{}] {} → child {}\n", pad, i, toHex(k.view()), n.child(i));
        }
        return true;
    });
    if (!s) {
        reportError(file, s.error());
        return ExitProblem;
    }
    return ExitOk;
}

int cmdBlob(const QString &file, const QString &keyText, const QString &lsnText,
            const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer))
        return rc;
    const auto key = Key::fromHex(keyText.toStdString());
    std::optional<Lsn> lsn;
    if (!lsnText.isEmpty())
        lsn = Lsn::parse(lsnText.toStdString());
    if (!key || (!lsnText.isEmpty() && !lsn)) {
        std::fprintf(stderr, "layerctl: blob needs KEY (36 hex) and, for deltas, LSN (X/Y or hex)\n");
        return ExitUsage;
    }
    // Image: exact key. Delta: exact (key, lsn), or the newest entry of the key.
    std::optional<Entry> found;
    const BTreeReader tree = layer->tree();
    Status s = Ok{};
    if (layer->kind() == LayerKind::Image) {
        bool hit = false;
        auto v = tree.get(key->bytes, hit);
        s = v ? Status(Ok{}) : Status(v.error());
        if (v && hit)
            found = layer->entry(imageIndexKey(*key), *v);
    } else {
        const IndexKey probe = deltaIndexKey(*key, lsn ? *lsn : Lsn{Lsn::kMax});
        s = tree.visitBackward(probe.view(), [&](Bytes k, std::uint64_t v) {
            const Entry e = layer->entry(IndexKey::from(k), v);
            if (e.key == *key && (!lsn || e.lsn == *lsn))
                found = e;
            return false;
        });
    }
    if (!s) {
        reportError(file, s.error());
        return ExitProblem;
    }
    if (!found) {
        std::fprintf(stderr, "layerctl: %s: no entry for key %s%s%s\n", qPrintable(file),
                     qPrintable(keyText), lsn ? " at " : "", lsn ? lsn->toString().c_str() : "");
        return ExitProblem;
    }
    auto d = inspectEntry(*layer, *found);
    if (!d) {
        reportError(file, d.error());
        return ExitProblem;
    }
    const Bytes stored = layer->bytes().subspan(d->header.offset,
                                                d->header.headerLen + d->header.storedLen);
    if (opt.json) {
        QJsonObject o = entryJson(*layer, *found, *d, true);
        o["header_len"] = d->header.headerLen;
        o["stored_len"] = qint64(d->header.storedLen);
        o["description"] = QString::fromStdString(
            layer->kind() == LayerKind::Image || d->value.isImage()
                ? fmt::format("image of {} bytes", d->content.size())
                : describeRecord(d->value.record()));
        o["stored_hex"] = QString::fromStdString(toHex(stored));
        printJson(o);
        return ExitOk;
    }
    fmt::print("key       {} ({})\n", found->key.toHex(), found->key.describe());
    if (layer->kind() == LayerKind::Delta)
        fmt::print("lsn       {} ({}), will_init {}\n", found->lsn.toString(), found->lsn.toHex(),
                   found->willInit);
    fmt::print("blob      offset {}, {}-byte header, {} stored bytes{}\n", d->header.offset,
               d->header.headerLen, d->header.storedLen,
               d->header.compression == Compression::Zstd
                   ? fmt::format(" (zstd, {} bytes decompressed, ratio {:.2f})", d->payloadLen,
                                 double(d->payloadLen) / double(std::max<std::uint64_t>(1, d->header.storedLen)))
                   : std::string());
    fmt::print("value     {}\n", describeValueLine(*layer, *found));
    fmt::print("\n{}", hexDump(stored, d->header.offset));
    return ExitOk;
}

int cmdDump(const QString &file, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer))
        return rc;
    auto st = buildTreeShape(layer->tree());
    if (!st) {
        reportError(file, st.error());
        return ExitProblem;
    }
    if (opt.json) {
        printJson(summaryJson(*layer, *st));
        Options all = opt;
        all.from.clear();
        all.limit = -1;
        return printEntries(file, *layer, all, false);
    }
    printSummaryText(*layer, *st);
    fmt::print("\n--- b-tree (Neon dump format) ---\n");
    auto text = layer->tree().dumpNeon();
    if (!text) {
        reportError(file, text.error());
        return ExitProblem;
    }
    std::fputs(text->c_str(), stdout);
    fmt::print("\n--- entries ---\n");
    Options all = opt;
    all.from.clear();
    all.limit = -1;
    return printEntries(file, *layer, all, true);
}

int cmdRewrite(const QString &in, const QString &out, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(in, layer))
        return rc;
    auto sink = AtomicFileSink::create(out.toStdString());
    if (!sink) {
        reportError(out, sink.error());
        return ExitUsage;
    }
    LayerWriter writer(layer->summary(), **sink);
    const bool verbatim = opt.compression.isEmpty();
    const Compression comp = opt.compression == "zstd" ? Compression::Zstd : Compression::None;
    Status failed = Ok{};
    const ByteVector zero(layer->summary().indexKeyLen(), 0);
    auto walk = layer->tree().visitForward(zero, [&](Bytes kb, std::uint64_t v) {
        const IndexKey k = IndexKey::from(kb);
        const Entry e = layer->entry(k, v);
        Status s = Ok{};
        if (verbatim) {
            auto h = layer->blobHeader(e);
            if (!h) {
                failed = h.error();
                return false;
            }
            s = writer.addRawBlob(k, layer->bytes().subspan(h->offset, h->headerLen + h->storedLen),
                                  e.willInit);
        } else if (layer->kind() == LayerKind::Image) {
            auto p = layer->payload(e);
            s = p ? writer.addImage(e.key, *p, comp) : Status(p.error());
        } else {
            auto val = layer->value(e);
            s = val ? writer.addDelta(e.key, e.lsn, *val, comp) : Status(val.error());
        }
        if (!s) {
            failed = s;
            return false;
        }
        return true;
    });
    if (!walk) {
        reportError(in, walk.error());
        return ExitProblem;
    }
    if (!failed) {
        reportError(in, failed.error());
        return ExitProblem;
    }
    auto summary = writer.finish();
    if (!summary) {
        reportError(out, summary.error());
        return ExitUsage;
    }
    if (auto s = (*sink)->commit(); !s) {
        reportError(out, s.error());
        return ExitUsage;
    }
    std::fprintf(stderr, "layerctl: wrote %s: %llu entries, index at block %u, root %u\n",
                 qPrintable(out), static_cast<unsigned long long>(writer.entryCount()),
                 summary->indexStartBlk, summary->indexRootBlk);
    return ExitOk;
}

int cmdSynth(const QString &out, const Options &opt)
{
    const bool toDir = QFileInfo(out).isDir();
    const QString target = toDir ? QDir(out).filePath(".layerctl-synth") : out;
    auto sink = AtomicFileSink::create(target.toStdString());
    if (!sink) {
        reportError(out, sink.error());
        return ExitUsage;
    }
    SynthOptions so;
    so.kind = opt.kind == "delta" ? LayerKind::Delta : LayerKind::Image;
    so.targetBytes = opt.size;
    so.entries = opt.entries;
    so.valueSize = opt.valueSize;
    so.compression = opt.compression == "zstd" ? Compression::Zstd : Compression::None;
    auto summary = synthLayer(so, **sink);
    if (!summary) {
        reportError(out, summary.error());
        return ExitUsage;
    }
    if (auto s = (*sink)->commit(); !s) {
        reportError(out, s.error());
        return ExitUsage;
    }
    QString final = target;
    if (toDir) {
        final = QDir(out).filePath(QString::fromStdString(summary->impliedName().canonical()));
        QFile::remove(final);
        if (!QFile::rename(target, final)) {
            std::fprintf(stderr, "layerctl: cannot rename %s to %s\n", qPrintable(target), qPrintable(final));
            return ExitUsage;
        }
    }
    std::printf("%s\n", qPrintable(final));
    return ExitOk;
}

int cmdDemo(const QString &dir)
{
    if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "layerctl: cannot create directory %s\n", qPrintable(dir));
        return ExitUsage;
    }
    auto paths = writeDemoLayers(dir.toStdString());
    if (!paths) {
        reportError(dir, paths.error());
        return ExitUsage;
    }
    for (const auto &p : *paths)
        std::printf("%s\n", p.c_str());
    return ExitOk;
}

} // namespace layerscope::cli
