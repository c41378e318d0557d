#include "commands.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

using namespace layerscope::cli;

namespace {
const char *kCommands = R"(Commands:
  summary FILE             the summary block and index shape
  keys FILE                index entries [--from KEY[@LSN]] [--limit N]
  tree FILE                every B-tree node [--neon: Neon's DiskBtreeReader::dump format]
  blob FILE KEY [LSN]      one entry's blob: header, hex dump and decoded value
  dump FILE                everything (summary, tree, entries with decoded values)
  rewrite IN OUT           re-encode every entry through the writer [--compression none|zstd]
  demo DIR                 write a small realistic set of image and delta layers
  check FILE...            validate every invariant; [--pages] Postgres page checks,
                           [--evidence DIR] write a bug-report bundle, [--max-problems N]
                           list at most N (counts stay exact), [--threads N];
                           exit 0 clean, 1 errors or warnings, 2 a file cannot be read
  rewrite-summary FILE     edit the summary: [--tenant-id X] [--timeline-id Y] [--key-start K]
                           [--key-end K] [--lsn L | --lsn-start L --lsn-end L] [--in-place]
                           [--no-backup] [--dry-run] [--force]
  salvage IN OUT           write a new layer from every entry that can be trusted; lists
                           what was dropped or re-derived; exit 0 nothing lost, 1 something
                           dropped or repaired, 2 nothing written; OUT may be a directory
  synth OUT                a large realistic layer: --kind image|delta, --size BYTES (K/M/G
                           suffixes) or --entries N, [--value-size N] [--compression none|zstd];
                           OUT is a file, or a directory to get the canonical name

Read commands take --json (one JSON object per line).
Exit status: 0 ok, 1 content problem in a layer, 2 usage or I/O error.)";

int usage(const QCommandLineParser &parser, const QString &why)
{
    std::fprintf(stderr, "layerctl: %s\n\n%s\n%s\n", qPrintable(why),
                 qPrintable(parser.helpText()), kCommands);
    return ExitUsage;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("layerctl");
    QCoreApplication::setApplicationVersion(LAYERSCOPE_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Inspect, check and rewrite Neon pageserver layer files.");
    parser.addPositionalArgument("command", "summary | keys | tree | blob | dump | rewrite | demo");
    parser.addPositionalArgument("args", "the command's arguments", "[args...]");
    const QCommandLineOption help({"h", "help"}, "Show this help.");
    const QCommandLineOption version({"v", "version"}, "Show the version.");
    const QCommandLineOption json("json", "Print one JSON object per line.");
    const QCommandLineOption neon("neon", "tree: print exactly Neon's B-tree dump.");
    const QCommandLineOption from("from", "keys: start at this key (36 hex, optional @LSN).", "KEY");
    const QCommandLineOption limit("limit", "keys: print at most N entries.", "N");
    const QCommandLineOption compression("compression", "rewrite, synth: none or zstd.", "MODE");
    const QCommandLineOption kind("kind", "synth: image or delta.", "KIND");
    const QCommandLineOption size("size", "synth: target size in bytes (K, M, G suffixes).", "BYTES");
    const QCommandLineOption entries("entries", "synth: number of entries.", "N");
    const QCommandLineOption valueSize("value-size", "synth: image payload or average WAL record size.", "N");
    const QCommandLineOption pages("pages", "check: also check 8 KiB relation pages (header, checksum).");
    const QCommandLineOption evidence("evidence", "check: write report, summary, hex of bad blocks and sha256 to DIR.", "DIR");
    const QCommandLineOption maxProblems("max-problems", "check: list at most N problems (counts stay exact).", "N");
    const QCommandLineOption threads("threads", "check: threads for the blob checks (default: all cores).", "N");
    parser.addOptions({help, version, json, neon, from, limit, compression, kind, size, entries, valueSize, pages,
                       evidence, maxProblems, threads});
    const QCommandLineOption tenant("tenant-id", "rewrite-summary: new tenant id (32 hex).", "ID");
    const QCommandLineOption timeline("timeline-id", "rewrite-summary: new timeline id (32 hex).", "ID");
    const QCommandLineOption keyStart("key-start", "rewrite-summary: new key range start (36 hex).", "KEY");
    const QCommandLineOption keyEnd("key-end", "rewrite-summary: new key range end (36 hex).", "KEY");
    const QCommandLineOption lsn("lsn", "rewrite-summary: new image LSN (X/Y or hex).", "LSN");
    const QCommandLineOption lsnStart("lsn-start", "rewrite-summary: new delta LSN start.", "LSN");
    const QCommandLineOption lsnEnd("lsn-end", "rewrite-summary: new delta LSN end.", "LSN");
    const QCommandLineOption inPlace("in-place", "rewrite-summary: rewrite block 0 in place (old block saved to FILE.block0.bak).");
    const QCommandLineOption noBackup("no-backup", "rewrite-summary: keep no backup.");
    const QCommandLineOption dryRun("dry-run", "rewrite-summary: print the bytes that would change, write nothing.");
    const QCommandLineOption force("force", "rewrite-summary: write even when Neon could no longer read all entries.");
    parser.addOptions({tenant, timeline, keyStart, keyEnd, lsn, lsnStart, lsnEnd, inPlace, noBackup, dryRun, force});

    if (!parser.parse(app.arguments()))
        return usage(parser, parser.errorText());
    if (parser.isSet(help)) {
        std::printf("%s\n%s\n", qPrintable(parser.helpText()), kCommands);
        return ExitOk;
    }
    if (parser.isSet(version)) {
        std::printf("layerctl %s\n", LAYERSCOPE_VERSION);
        return ExitOk;
    }
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty())
        return usage(parser, "no command given");

    Options opt;
    opt.json = parser.isSet(json);
    opt.neon = parser.isSet(neon);
    opt.from = parser.value(from);
    if (parser.isSet(limit)) {
        bool ok = false;
        opt.limit = parser.value(limit).toLongLong(&ok);
        if (!ok || opt.limit < 0)
            return usage(parser, "--limit needs a non-negative number");
    }
    if (parser.isSet(compression)) {
        opt.compression = parser.value(compression);
        if (opt.compression != "none" && opt.compression != "zstd")
            return usage(parser, "--compression must be none or zstd");
    }

    auto number = [&](const QCommandLineOption &o, quint64 &out) {
        QString v = parser.value(o).trimmed().toUpper();
        quint64 mult = 1;
        if (v.endsWith('K') || v.endsWith('M') || v.endsWith('G')) {
            mult = v.endsWith('K') ? 1ull << 10 : v.endsWith('M') ? 1ull << 20 : 1ull << 30;
            v.chop(1);
        }
        bool ok = false;
        out = v.toULongLong(&ok) * mult;
        return ok;
    };
    opt.kind = parser.value(kind);
    opt.pages = parser.isSet(pages);
    opt.evidence = parser.value(evidence);
    // rewrite-summary values: null when not given, non-null (maybe empty) when given.
    auto given = [&](const QCommandLineOption &o) {
        if (!parser.isSet(o))
            return QString();
        const QString v = parser.value(o);
        return v.isNull() ? QString("") : v;
    };
    opt.tenant = given(tenant);
    opt.timeline = given(timeline);
    opt.keyStart = given(keyStart);
    opt.keyEnd = given(keyEnd);
    opt.lsn = given(lsn);
    opt.lsnStart = given(lsnStart);
    opt.lsnEnd = given(lsnEnd);
    opt.inPlace = parser.isSet(inPlace);
    opt.noBackup = parser.isSet(noBackup);
    opt.dryRun = parser.isSet(dryRun);
    opt.force = parser.isSet(force);
    if (parser.isSet(maxProblems) && (!number(maxProblems, opt.maxProblems) || opt.maxProblems == 0))
        return usage(parser, "--max-problems needs a positive number");
    if (parser.isSet(threads)) {
        quint64 t = 0;
        if (!number(threads, t) || t == 0 || t > 64)
            return usage(parser, "--threads needs a number from 1 to 64");
        opt.threads = unsigned(t);
    }
    if (parser.isSet(size) && !number(size, opt.size))
        return usage(parser, "--size needs a number of bytes");
    if (parser.isSet(entries) && !number(entries, opt.entries))
        return usage(parser, "--entries needs a number");
    if (parser.isSet(valueSize)) {
        quint64 v = 0;
        if (!number(valueSize, v) || v == 0 || v > 0x0FFFFFFF)
            return usage(parser, "--value-size needs a number of bytes below 256 MiB");
        opt.valueSize = quint32(v);
    }

    const QString cmd = args[0];
    const qsizetype n = args.size() - 1;
    auto need = [&](qsizetype lo, qsizetype hi) { return n >= lo && n <= hi; };
    if (cmd == "summary" && need(1, 1))
        return cmdSummary(args[1], opt);
    if (cmd == "keys" && need(1, 1))
        return cmdKeys(args[1], opt);
    if (cmd == "tree" && need(1, 1))
        return cmdTree(args[1], opt);
    if (cmd == "blob" && need(2, 3))
        return cmdBlob(args[1], args[2], n == 3 ? args[3] : QString(), opt);
    if (cmd == "dump" && need(1, 1))
        return cmdDump(args[1], opt);
    if (cmd == "rewrite" && need(2, 2))
        return cmdRewrite(args[1], args[2], opt);
    if (cmd == "demo" && need(1, 1))
        return cmdDemo(args[1]);
    if (cmd == "check" && n >= 1)
        return cmdCheck(args.mid(1), opt);
    if (cmd == "rewrite-summary" && need(1, 1))
        return cmdRewriteSummary(args[1], opt);
    if (cmd == "salvage" && need(2, 2))
        return cmdSalvage(args[1], args[2], opt);
    if (cmd == "synth" && need(1, 1)) {
        if (opt.kind != "image" && opt.kind != "delta")
            return usage(parser, "synth needs --kind image or --kind delta");
        if (!opt.size && !opt.entries)
            return usage(parser, "synth needs --size or --entries");
        return cmdSynth(args[1], opt);
    }
    return usage(parser, QString("unknown command or wrong number of arguments: %1").arg(args.join(' ')));
}
