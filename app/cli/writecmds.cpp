// The commands that write new layers: rewrite (re-encode), demo, synth.
#include "cli.h"

#include <layerscope/format/layer.h>
#include <layerscope/write/synth.h>
#include <layerscope/write/wal_ingest.h>
#include <layerscope/write/writer.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>

namespace layerscope::cli {

namespace {

int cmdRewrite(const std::string &in, const std::string &out, const Options &opt)
{
    std::optional<Layer> layer;
    if (int rc = openLayer(in, layer, true))
        return rc;
    auto sink = AtomicFileSink::create(out);
    if (!sink) {
        reportError(out, sink.error());
        return ExitUsage;
    }
    LayerWriter writer(layer->summary(), **sink);
    const bool verbatim = opt.compression.empty();
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
    if (!opt.quiet)
        std::fprintf(stderr, "layerctl: wrote %s: %llu entries, index at block %u, root %u\n", out.c_str(),
                     static_cast<unsigned long long>(writer.entryCount()), summary->indexStartBlk,
                     summary->indexRootBlk);
    return ExitOk;
}

int cmdSynth(const std::string &out, const Options &opt)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool toDir = fs::is_directory(out, ec);
    const std::string target = toDir ? (fs::path(out) / ".layerctl-synth").string() : out;
    auto sink = AtomicFileSink::create(target);
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
    std::string final = target;
    if (toDir) {
        final = (fs::path(out) / summary->impliedName().canonical()).string();
        fs::rename(target, final, ec);
        if (ec) {
            reportError(target, fmt::format("cannot rename it to {}: {}", final, ec.message()));
            return ExitUsage;
        }
    }
    std::printf("%s\n", final.c_str());
    return ExitOk;
}

int cmdDemo(const std::string &dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        reportError(dir, fmt::format("cannot create the directory: {}", ec.message()));
        return ExitUsage;
    }
    auto paths = writeDemoLayers(dir);
    if (!paths) {
        reportError(dir, paths.error());
        return ExitUsage;
    }
    for (const auto &p : *paths)
        std::printf("%s\n", p.c_str());
    return ExitOk;
}

/// Writes the layer into `dir` under its canonical name and prints its path.
int writeIngested(const std::string &dir, const Summary &summary, const std::function<Status(LayerWriter &)> &fill)
{
    auto path = writeLayerFile(dir, summary, fill);
    if (!path) {
        reportError(dir, path.error());
        return ExitUsage;
    }
    std::printf("%s\n", path->c_str());
    return ExitOk;
}

int cmdIngest(const std::string &records, const std::string &dir, const Options &opt)
{
    auto source = openSource(records, true);
    if (!source) {
        reportError(records, source.error());
        return ExitUsage;
    }
    const Compression c = opt.compression == "zstd" ? Compression::Zstd : Compression::None;
    const Bytes bytes = (*source)->bytes();
    if (isPagesFile(bytes)) {
        auto pages = parsePagesFile(bytes);
        if (!pages) {
            reportError(records, pages.error());
            return ExitProblem;
        }
        if (pages->pages.empty()) {
            reportError(records, "no pages: nothing to write");
            return ExitProblem;
        }
        return writeIngested(dir, pagesImageSummary(*pages), [&](LayerWriter &w) -> Status {
            for (const auto &[key, page] : pages->pages)
                if (auto s = w.addImage(key, page, c); !s)
                    return s;
            return Ok{};
        });
    }
    auto parsed = parseWalRecordsFile(bytes);
    if (!parsed) {
        reportError(records, parsed.error());
        return ExitProblem;
    }
    auto entries = fileWalRecords(*parsed, opt.pgVersion);
    if (!entries) {
        reportError(records, entries.error());
        return ExitProblem;
    }
    if (entries->empty()) {
        reportError(records, "no record refers to a relation block: nothing to write");
        return ExitProblem;
    }
    return writeIngested(dir, walDeltaSummary(*entries), [&](LayerWriter &w) -> Status {
        for (const DeltaEntry &e : *entries)
            if (auto s = w.addDelta(e.key, e.lsn, e.value, c); !s)
                return s;
        return Ok{};
    });
}

} // namespace

void addWriteCommands(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string file, file2, sizeText, entriesText, valueSizeText;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;

    auto *rewrite = app.add_subcommand("rewrite",
                                       "re-encode every entry through the writer into a new file");
    rewrite->add_option("IN", st->file, "layer file")->required();
    rewrite->add_option("OUT", st->file2, "new layer file")->required();
    rewrite
        ->add_option(
            "--compression",
            opt.compression,
            "none or zstd (default: copy every blob verbatim: byte-identical for Neon's files)")
        ->check(CLI::IsMember({"none", "zstd"}))
        ->option_text("none|zstd");
    addQuiet(rewrite, opt);
    rewrite->footer(
        fmt::format("Example:\n  layerctl rewrite --compression zstd {} /tmp/copy", kExampleLayer));
    rewrite->callback([st, &run] { run = [st] { return cmdRewrite(st->file, st->file2, st->opt); }; });

    auto *demo = app.add_subcommand("demo", "write a small realistic set of image and delta layers");
    demo->add_option("DIR", st->file, "directory (created if missing)")->required();
    demo->footer("Example:\n  layerctl demo /tmp/layers");
    demo->callback([st, &run] { run = [st] { return cmdDemo(st->file); }; });

    auto *ingest = app.add_subcommand(
        "ingest", "file Postgres WAL records (or a cluster's pages) into a layer as Neon does");
    ingest->add_option("RECORDS", st->file, "records or pages file (tests/data/pg15/make-wal.sh writes both)")->required();
    ingest->add_option("DIR", st->file2, "directory for the layer (canonical name)")->required();
    ingest->add_option("--compression", opt.compression, "none or zstd")
        ->check(CLI::IsMember({"none", "zstd"}))
        ->option_text("none|zstd");
    ingest->add_option("--pg-version", opt.pgVersion,
                       "the Postgres major version that wrote the records, 14 to 17 (its image "
                       "flags; default: 15's, then 14's)")
        ->check(CLI::Range(14, 17));
    ingest->footer("A records file becomes a delta layer: each record goes under every relation block\n"
                   "it refers to, at its end LSN; an FPI record's applied image becomes the page.\n"
                   "A pages file becomes an image layer at its LSN.\n\n"
                   "Example:\n  layerctl ingest tests/data/pg15/wal-records.bin /tmp/pg15/");
    ingest->callback([st, &run] { run = [st] { return cmdIngest(st->file, st->file2, st->opt); }; });

    auto *synth = app.add_subcommand("synth", "write one large realistic layer (benchmarks, tests)");
    synth->add_option("OUT", st->file, "file, or a directory to get the canonical layer name")
        ->required();
    synth->add_option("--kind", opt.kind, "image or delta")
        ->required()
        ->check(CLI::IsMember({"image", "delta"}))
        ->option_text("image|delta REQUIRED");
    auto *size = synth->add_option("--size", st->sizeText, "target size: bytes with K, M or G")
                     ->check(sizeValidator())
                     ->option_text("SIZE");
    auto *entries = synth->add_option("--entries", st->entriesText, "number of entries")
                        ->check(sizeValidator())
                        ->option_text("N");
    size->excludes(entries);
    synth
        ->add_option("--value-size",
                     st->valueSizeText,
                     "image payload or average WAL record size, bytes")
        ->check(sizeValidator())
        ->option_text("SIZE");
    synth->add_option("--compression", opt.compression, "none or zstd")
        ->check(CLI::IsMember({"none", "zstd"}))
        ->option_text("none|zstd");
    synth->footer("Example:\n  layerctl synth --kind delta --size 1G /tmp/big/");
    synth->callback([st, &run] {
        Options &o = st->opt;
        if (!st->sizeText.empty())
            o.size = *parseSize(st->sizeText);
        if (!st->entriesText.empty())
            o.entries = *parseSize(st->entriesText);
        if (!st->valueSizeText.empty()) {
            const std::uint64_t v = *parseSize(st->valueSizeText);
            if (v == 0 || v > 0x0FFFFFFF)
                return usageError(run, "synth", "--value-size needs a number of bytes from 1 to 256M - 1");
            o.valueSize = std::uint32_t(v);
        }
        if (!o.size && !o.entries)
            return usageError(run, "synth", "give --size or --entries (see 'layerctl synth --help')");
        run = [st] { return cmdSynth(st->file, st->opt); };
    });
}

} // namespace layerscope::cli
