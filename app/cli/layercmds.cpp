// The commands that read one layer: summary, keys, tree, blob, dump.
#include "cli.h"
#include "json.h"
#include "redact.h"

#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/sparse_value.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <memory>
#include <thread>

namespace layerscope::cli {

namespace {

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

/// `entries`: the leaf entries, nullopt when they were not counted (a remote object's leaves
/// are not read without --count).
void printSummaryText(const Layer &layer, const std::vector<std::uint64_t> &nodesPerLevel,
                      std::optional<std::uint64_t> entries)
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
    for (auto n : nodesPerLevel)
        levels += fmt::format("{}{}", levels.empty() ? "" : ", ", n);
    fmt::print("b-tree           depth {}, nodes per level (root first) [{}], {}\n",
               nodesPerLevel.size(), levels,
               entries ? fmt::format("{} entries", *entries)
                       : std::string("entries not counted (a remote object: --count reads every "
                                     "leaf)"));
    const std::string name = baseName(layer.name());
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

/// "img N bytes" or "rec N bytes will_init: B <record>" (pagectl's words); `ours` adds the
/// stored → decompressed sizes of a zstd blob and what a sparse key's value means (false: only
/// pagectl's words).
std::string describeValueLine(const Layer &layer, const Entry &e, bool ours = true)
{
    auto d = inspectEntry(layer, e);
    if (!d)
        return fmt::format("ERROR: {}", d.error().message());
    std::string comp = ours && d->header.compression == Compression::Zstd
                           ? fmt::format(" zstd {}→{}", d->header.storedLen, d->payloadLen)
                           : std::string();
    if (layer.kind() == LayerKind::Image || d->value.isImage()) {
        const auto sparse = ours ? decodeSparseValue(e.key, d->content) : std::nullopt;
        if (sparse)
            comp += sparse->error.empty() ? " — " + sparse->meaning
                                          : " — not what Neon writes: " + sparse->error;
        return fmt::format("img {} bytes{}", d->content.size(), comp);
    }
    return fmt::format("rec {} bytes will_init: {} {}", d->payloadLen, d->valueWillInit,
                       describeRecord(d->value.record()));
}

int cmdSummary(const std::string &file, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer))
        return rc;
    // A remote object's summary reads the index's upper levels only, unless --count asks
    // for the entries; a damaged index is walked whole, as for a local file.
    if (!opt.count && dynamic_cast<const RemoteSource *>(layer->source().get())) {
        if (auto levels = nodesPerLevel(layer->tree())) {
            if (opt.json)
                printJson(summaryJson(*layer, *levels));
            else
                printSummaryText(*layer, *levels, std::nullopt);
            return ExitOk;
        }
    }
    auto st = buildTreeShape(layer->tree());
    if (!st) {
        reportError(displayPath(file), st.error());
        return ExitProblem;
    }
    if (opt.json)
        printJson(summaryJson(*layer, st->nodesPerLevel));
    else
        printSummaryText(*layer, st->nodesPerLevel, st->totalEntries);
    return ExitOk;
}

/// keys --json and dump --json: one line per entry from `from` on (at most `limit`, -1: all),
/// in key order. Entries are taken in batches; each batch is decoded, hashed and formatted on
/// every core, each thread into its own reused buffer, then written in order. An entry that
/// cannot be read gets an error line (and stderr) and exit 1; a broken index stops the walk.
int printEntryLines(const std::string &file, const Layer &layer, const ByteVector &from,
                    std::int64_t limit)
{
    // The walk fills one batch while the batch before it is decoded, hashed and formatted on
    // every core; batches are written in order, so the output does not depend on the threads.
    constexpr std::size_t kBatch = 16384;
    const bool withZstd = anyCompressed(layer);
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    struct Part
    {
        std::string out, errors;
        bool failed = false;
        Sha256 sha;
        ByteVector scratch;
    };
    struct Batch
    {
        std::vector<Entry> entries;
        std::vector<Part> parts;
        std::vector<std::thread> workers;
    };
    std::array<Batch, 2> batches;
    for (Batch &b : batches) {
        b.entries.reserve(kBatch);
        b.parts = std::vector<Part>(threads);
    }
    int rc = ExitOk;
    auto format = [&](const std::vector<Entry> &entries, Part &part, std::size_t first,
                      std::size_t last) {
        part.out.clear();
        part.errors.clear();
        part.failed = false;
        for (std::size_t i = first; i < last; ++i) {
            const Entry &e = entries[i];
            auto d = viewEntry(layer, e, part.scratch);
            if (d) {
                appendEntryLine(part.out, layer, e, *d, withZstd, part.sha);
                continue;
            }
            part.failed = true;
            part.errors += fmt::format("layerctl: {}: {}\n", file, d.error().message());
            part.out += jsonLine(
                Json{{"key", e.key.toHex()}, {"offset", e.blobOffset}, {"error", d.error().message()}});
        }
    };
    // Waits for a batch's formatting and writes it.
    auto finish = [&](Batch &b) {
        for (std::thread &w : b.workers)
            w.join();
        for (Part &part : b.parts) {
            std::fwrite(part.out.data(), 1, part.out.size(), stdout);
            std::fputs(part.errors.c_str(), stderr);
            if (part.failed)
                rc = ExitProblem;
            part.out.clear();
            part.errors.clear();
            part.failed = false;
        }
        b.workers.clear();
        b.entries.clear();
    };
    std::size_t current = 0;
    auto start = [&] {
        Batch &b = batches[current];
        const std::size_t n = b.entries.size();
        const std::size_t per = (n + threads - 1) / threads;
        for (unsigned t = 0; t < threads && t * per < n; ++t)
            b.workers.emplace_back(format, std::cref(b.entries), std::ref(b.parts[t]), t * per,
                                   std::min(n, (t + 1) * per));
        current ^= 1;
        finish(batches[current]);
    };
    std::int64_t taken = 0;
    auto s = layer.tree().visitForward(from, [&](Bytes k, std::uint64_t v) {
        if (limit >= 0 && taken >= limit)
            return false;
        ++taken;
        batches[current].entries.push_back(layer.entry(IndexKey::from(k), v));
        if (batches[current].entries.size() == kBatch)
            start();
        return true;
    });
    start();
    finish(batches[current ^ 1]);
    if (!s) {
        reportError(file, s.error());
        return ExitProblem;
    }
    return rc;
}

int printEntries(const std::string &file, const Layer &layer, const Options &opt, bool text)
{
    ByteVector from(layer.summary().indexKeyLen(), 0);
    const auto parsed = opt.from.empty() ? std::nullopt : parseIndexKey(opt.from, layer.kind());
    if (parsed)
        from.assign(parsed->bytes.begin(), parsed->bytes.begin() + parsed->len);
    if (!opt.from.empty() && !parsed) {
        std::fprintf(stderr, "layerctl keys: --from: cannot parse \"%s\": expected KEY (36 hex digits) or KEY@LSN\n",
                     opt.from.c_str());
        return ExitUsage;
    }
    if (opt.json)
        return printEntryLines(file, layer, from, opt.limit);
    std::int64_t printed = 0;
    auto s = layer.tree().visitForward(from, [&](Bytes k, std::uint64_t v) {
        if (opt.limit >= 0 && printed >= opt.limit)
            return false;
        ++printed;
        const Entry e = layer.entry(IndexKey::from(k), v);
        if (text) {
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
    return ExitOk;
}

int cmdKeys(const std::string &file, const Options &opt)
{
    std::optional<Layer> layer;
    // Every value of the layer is read (and hashed) for --json over all of it.
    if (int rc = openLayer(file, layer, opt.json && opt.limit < 0 && opt.from.empty()))
        return rc;
    return printEntries(file, *layer, opt, true);
}

int cmdTree(const std::string &file, const Options &opt)
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
            Json entries = Json::array();
            for (std::size_t i = 0; i < n.count; ++i) {
                Json e{{"key", toHex(n.key(i).view())}, {"value", toHex(n.rawValue(i))}};
                if (!n.isLeaf())
                    e["child"] = n.child(i);
                entries.push_back(std::move(e));
            }
            printJson(Json{{"block", n.block},
                           {"absolute_block", std::uint64_t(tree.indexStart()) + n.block},
                           {"offset", n.offset},
                           {"depth", depth},
                           {"level", n.level},
                           {"prefix", toHex(n.prefix)},
                           {"suffix_len", n.suffixLen},
                           {"used_bytes", n.usedBytes()},
                           {"entries", std::move(entries)}});
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

int cmdBlob(const std::string &file, const std::string &keyArg, const std::string &lsnArg,
            const Options &opt)
{
    // KEY@LSN, or KEY LSN (kept as an alias), or KEY alone (the newest entry of a delta key).
    const auto at = keyArg.find('@');
    if (at != std::string::npos && !lsnArg.empty()) {
        std::fprintf(stderr, "layerctl blob: give KEY@LSN or KEY LSN, not both\n");
        return ExitUsage;
    }
    const std::string keyText = keyArg.substr(0, at);
    const std::string lsnText = at == std::string::npos ? lsnArg : keyArg.substr(at + 1);
    const auto key = Key::fromHex(keyText);
    std::optional<Lsn> lsn;
    if (!lsnText.empty())
        lsn = Lsn::parse(lsnText);
    if (!key || (!lsnText.empty() && !lsn)) {
        std::fprintf(stderr,
                     "layerctl blob: cannot parse \"%s\": expected KEY (36 hex digits) or KEY@LSN (LSN as X/Y or "
                     "16 hex digits)\n",
                     keyArg.c_str());
        return ExitUsage;
    }
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer))
        return rc;
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
        std::fprintf(stderr, "layerctl: %s: no entry for key %s%s%s\n", file.c_str(), keyText.c_str(),
                     lsn ? " at " : "", lsn ? lsn->toString().c_str() : "");
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
        ByteVector scratch;
        auto view = viewEntry(*layer, *found, scratch);
        Json o = entryJson(*layer, *found, *view, true);
        o["header_len"] = d->header.headerLen;
        o["stored_len"] = d->header.storedLen;
        o["description"] = layer->kind() == LayerKind::Image || d->value.isImage()
                               ? fmt::format("image of {} bytes", d->content.size())
                               : describeRecord(d->value.record());
        o["stored_hex"] = redacting() ? redacted(stored) : toHex(stored);
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
    if (redacting())
        fmt::print("\nstored    {}\n", redacted(stored));
    else
        fmt::print("\n{}", hexDump(stored, d->header.offset));
    return ExitOk;
}

/// What `pagectl layer dump-layer` prints for a file (Neon's DeltaLayer/ImageLayer dump with
/// verbose on): a header line, the index location (deltas), Neon's B-tree dump, then one line
/// per entry. Keys are Neon's 36-hex display, LSNs its X/Y display.
int dumpPagectl(const std::string &file, const Layer &layer)
{
    const Summary &s = layer.summary();
    if (s.kind == LayerKind::Delta) {
        fmt::print("----- delta layer for ten {} tli {} keys {}-{} lsn {}-{} is_incremental true size {} ----\n",
                   s.tenant.toHex(), s.timeline.toHex(), s.keyStart.toHex(), s.keyEnd.toHex(),
                   s.lsnStart.toString(), s.lsnEnd.toString(), layer.fileSize());
        fmt::print("index_start_blk: {}, root {}\n", s.indexStartBlk, s.indexRootBlk);
    } else {
        fmt::print("----- image layer for ten {} tli {} key {}-{} at {} is_incremental false size {} ----\n",
                   s.tenant.toHex(), s.timeline.toHex(), s.keyStart.toHex(), s.keyEnd.toHex(),
                   s.lsnStart.toString(), layer.fileSize());
    }
    auto text = layer.tree().dumpNeon();
    if (!text) {
        reportError(file, text.error());
        return ExitProblem;
    }
    std::fputs(text->c_str(), stdout);
    const ByteVector zero(s.indexKeyLen(), 0);
    auto walk = layer.tree().visitForward(zero, [&](Bytes k, std::uint64_t v) {
        const Entry e = layer.entry(IndexKey::from(k), v);
        if (s.kind == LayerKind::Image) {
            fmt::print("key: {} offset {}\n", toHex(k), v);
            return true;
        }
        // pagectl puts a space before img/rec, none before ERROR.
        const std::string desc = describeValueLine(layer, e, false);
        fmt::print("  key {} at {}: {}{}\n", e.key.toHex(), e.lsn.toString(), desc.rfind("ERROR", 0) == 0 ? "" : " ",
                   desc);
        return true;
    });
    if (!walk) {
        reportError(file, walk.error());
        return ExitProblem;
    }
    return ExitOk;
}

int cmdDump(const std::string &file, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(file, layer, true))
        return rc;
    if (opt.format == "pagectl")
        return dumpPagectl(file, *layer);
    auto st = buildTreeShape(layer->tree());
    if (!st) {
        reportError(file, st.error());
        return ExitProblem;
    }
    if (opt.json || opt.format == "json") {
        printJson(summaryJson(*layer, st->nodesPerLevel));
        Options all = opt;
        all.json = true;
        all.from.clear();
        all.limit = -1;
        return printEntries(file, *layer, all, false);
    }
    printSummaryText(*layer, st->nodesPerLevel, st->totalEntries);
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

} // namespace

void addLayerCommands(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string file, key, lsn;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;

    auto *summary = app.add_subcommand("summary", "the summary block and the index shape");
    summary->add_option("FILE", st->file, "layer file")->required();
    summary->add_flag("--json",
                      opt.json,
                      "one JSON object: the fields of the fixtures' .expect.jsonl first line");
    summary->add_flag("--count",
                      opt.count,
                      "count the entries of a remote object too (reads every leaf of its index; "
                      "a local file's are always counted)");
    summary->footer(fmt::format("Example:\n  layerctl summary --json {}", kExampleLayer));
    summary->callback([st, &run] { run = [st] { return cmdSummary(st->file, st->opt); }; });

    auto *keys = app.add_subcommand("keys", "index entries, in index order");
    keys->add_option("FILE", st->file, "layer file")->required();
    keys->add_option("--from", opt.from, "start at this key: KEY (36 hex digits) or KEY@LSN")
        ->option_text("KEY[@LSN]");
    keys->add_option("--limit", opt.limit, "print at most N entries")
        ->check(CLI::NonNegativeNumber)
        ->option_text("N");
    keys->add_flag("--json", opt.json, "one JSON object per entry");
    keys->footer(fmt::format(
        "Example:\n  layerctl keys --from 000000067F00000005000040000000000001@0/5000018 "
        "--limit 3 {}",
        kExampleLayer));
    keys->callback([st, &run] { run = [st] { return cmdKeys(st->file, st->opt); }; });

    auto *tree = app.add_subcommand("tree", "every B-tree node of the index");
    tree->add_option("FILE", st->file, "layer file")->required();
    auto *neon = tree->add_flag("--neon",
                                opt.neon,
                                "exactly what Neon's DiskBtreeReader::dump prints");
    tree->add_flag("--json", opt.json, "one JSON object per node")->excludes(neon);
    tree->footer(fmt::format("Example:\n  layerctl tree --neon {}", kExampleLayer));
    tree->callback([st, &run] { run = [st] { return cmdTree(st->file, st->opt); }; });

    auto *blob = app.add_subcommand("blob", "one entry's blob: header, hex dump and decoded value");
    blob->add_option("FILE", st->file, "layer file")->required();
    blob->add_option("KEY",
                     st->key,
                     "KEY (36 hex digits) or KEY@LSN; a delta key alone means its newest entry")
        ->required();
    blob->add_option("LSN", st->lsn, "the LSN as a separate argument (alias of KEY@LSN)");
    blob->add_flag("--json", opt.json, "one JSON object");
    blob->footer(
        fmt::format("Example:\n  layerctl blob {} 000000067F00000005000040000000000001@0/5000028",
                    kExampleLayer));
    blob->callback(
        [st, &run] { run = [st] { return cmdBlob(st->file, st->key, st->lsn, st->opt); }; });

    auto *dump = app.add_subcommand("dump",
                                    "everything: summary, B-tree, entries with decoded values");
    dump->add_option("FILE", st->file, "layer file")->required();
    auto *dumpJson = dump->add_flag("--json", opt.json, "same as --format json");
    dump->add_option("--format",
                     opt.format,
                     "text; json (the fixtures' .expect.jsonl form); pagectl (what 'pagectl layer "
                     "dump-layer' "
                     "prints)")
        ->check(CLI::IsMember({"text", "json", "pagectl"}))
        ->excludes(dumpJson)
        ->option_text("text|json|pagectl");
    dump->footer(fmt::format("Example:\n  layerctl dump --format pagectl {}", kExampleLayer));
    dump->callback([st, &run] { run = [st] { return cmdDump(st->file, st->opt); }; });
}

} // namespace layerscope::cli
