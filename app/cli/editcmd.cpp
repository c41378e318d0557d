// layerctl rewrite-summary: safe summary edits (core/write/edit.h).
#include "cli.h"

#include <layerscope/check/validate.h>
#include <layerscope/format/layer.h>
#include <layerscope/write/edit.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include <cstdio>

namespace layerscope::cli {

namespace {
/// Parses an option that was given (`text` non-null); an empty or malformed value is an error
/// saying what was expected.
template<typename T>
bool parseInto(const std::optional<std::string> &text, std::optional<T> &out,
               std::optional<T> (*parse)(std::string_view), const char *what, const char *expected)
{
    if (!text)
        return true;
    out = text->empty() ? std::nullopt : parse(*text);
    if (!out)
        std::fprintf(stderr, "layerctl rewrite-summary: %s: cannot parse \"%s\": expected %s\n", what,
                     text->c_str(), expected);
    return bool(out);
}
constexpr const char *kLsnFormat = "X/Y with X, Y <= FFFFFFFF, or 16 hex digits";
constexpr const char *kKeyFormat = "36 hex digits";
constexpr const char *kIdFormat = "32 hex digits";
std::optional<Lsn> parseLsn(std::string_view s)
{
    return Lsn::parse(s);
}
std::optional<Key> parseKey(std::string_view s)
{
    return Key::fromHex(s);
}
std::optional<Id128> parseId(std::string_view s)
{
    return Id128::fromHex(s);
}

} // namespace

namespace {

int cmdRewriteSummary(const std::string &file, const Options &opt)
{
    if (refuseRemote("rewrite-summary", file))
        return ExitUsage;
    SummaryEdit e;
    if (!parseInto<Id128>(opt.tenant, e.tenant, parseId, "--tenant-id", kIdFormat)
        || !parseInto<Id128>(opt.timeline, e.timeline, parseId, "--timeline-id", kIdFormat)
        || !parseInto<Key>(opt.keyStart, e.keyStart, parseKey, "--key-start", kKeyFormat)
        || !parseInto<Key>(opt.keyEnd, e.keyEnd, parseKey, "--key-end", kKeyFormat)
        || !parseInto<Lsn>(opt.lsn, e.lsnStart, parseLsn, "--lsn", kLsnFormat)
        || !parseInto<Lsn>(opt.lsnStart, e.lsnStart, parseLsn, "--lsn-start", kLsnFormat)
        || !parseInto<Lsn>(opt.lsnEnd, e.lsnEnd, parseLsn, "--lsn-end", kLsnFormat))
        return ExitUsage;
    if (!(e.tenant || e.timeline || e.keyStart || e.keyEnd || e.lsnStart || e.lsnEnd)) {
        std::fprintf(stderr, "layerctl rewrite-summary: nothing to change (give --tenant-id, --timeline-id, "
                             "--key-start, --key-end, --lsn or --lsn-start/--lsn-end)\n");
        return ExitUsage;
    }
    if (opt.lsn && (opt.lsnStart || opt.lsnEnd)) {
        std::fprintf(stderr, "layerctl: give --lsn (image) or --lsn-start/--lsn-end (delta), not both\n");
        return ExitUsage;
    }
    const std::string &path = file;
    // Refuses FIFOs and other non-files before anything else (never blocks on them).
    auto identity = identifyFile(path);
    if (!identity) {
        std::fprintf(stderr, "layerctl: %s: %s\n", file.c_str(), identity.error().message().c_str());
        return ExitUsage;
    }
    auto mapped = MappedFile::open(path);
    if (!identity || !mapped) {
        std::fprintf(stderr, "layerctl: %s: %s\n", file.c_str(),
                     (!identity ? identity.error() : mapped.error()).message().c_str());
        return ExitUsage;
    }
    auto layer = Layer::open(*mapped);
    if (!layer) {
        std::fprintf(stderr, "layerctl: %s: not an image or delta layer: %s\n", file.c_str(),
                     layer.error().message().c_str());
        return ExitProblem;
    }
    if (layer->kind() == LayerKind::Image && (opt.lsnStart || opt.lsnEnd)) {
        std::fprintf(stderr, "layerctl: %s is an image layer: use --lsn\n", file.c_str());
        return ExitUsage;
    }
    if (layer->kind() == LayerKind::Delta && opt.lsn) {
        std::fprintf(stderr, "layerctl: %s is a delta layer: use --lsn-start/--lsn-end\n", file.c_str());
        return ExitUsage;
    }
    auto edited = applyEdit(layer->summary(), e);
    if (!edited) {
        std::fprintf(stderr, "layerctl: %s: summary field at offset %llu: expected %s, found %s\n", file.c_str(),
                     static_cast<unsigned long long>(edited.error().offset), edited.error().expected.c_str(),
                     edited.error().found.c_str());
        return ExitUsage;
    }
    const auto risks = editRisks(layer->bytes(), *edited);
    for (const auto &r : risks)
        std::fprintf(stderr, "layerctl: %s: %s\n", file.c_str(), r.c_str());
    const ByteVector before = layer->summary().encode(), after = edited->encode();
    const auto changed = changedBytes(before, after);
    const std::string implied = edited->impliedName().canonical();
    const auto name = LayerName::parse(baseName(file));
    if (opt.dryRun) {
        std::printf("%zu byte(s) of block 0 would change:\n", changed.size());
        for (std::size_t i : changed)
            std::printf("  offset %3zu: %02x -> %02x\n", i, before[i], after[i]);
        if (!name || name->canonical() != implied)
            std::printf("the new summary implies the file name %s\n", implied.c_str());
        return risks.empty() || opt.force ? ExitOk : ExitProblem;
    }
    if (!risks.empty() && !opt.force) {
        std::fprintf(stderr, "layerctl: %s: refusing to write (use --force to write anyway)\n", file.c_str());
        return ExitProblem;
    }
    SafeWriteOptions wo;
    wo.inPlace = opt.inPlace;
    wo.backup = !opt.noBackup;
    wo.keepBackups = opt.keepBackups;
    wo.expected = *identity;
    wo.allowReadOnly = opt.force;
    const auto written = writeSummarySafely(path, *edited, wo);
    if (!written) {
        std::fprintf(stderr, "layerctl: %s: %s\n", file.c_str(), written.error().message().c_str());
        return ExitUsage;
    }
    if (opt.quiet)
        return ExitOk;
    std::printf("Successfully rewrote summary of %s layer %s (%zu byte(s) changed)\n",
                edited->kind == LayerKind::Image ? "image" : "delta", written->path.c_str(), changed.size());
    if (!written->original.empty())
        std::printf("the original (before the first edit) is kept as %s\n", written->original.c_str());
    if (!written->backup.empty())
        std::printf("the file before this edit is kept as %s\n", written->backup.c_str());
    if (!written->note.empty())
        std::printf("note: %s\n", written->note.c_str());
    if (!name || name->canonical() != implied)
        std::printf("note: the new summary implies the file name %s\n", implied.c_str());
    // Re-validate what is now on disk.
    auto again = MappedFile::open(path);
    if (again) {
        ValidateOptions vo;
        vo.fileName = baseName(file);
        const auto r = validateLayer(**again, vo);
        std::printf("re-validated: %s\n", fmt::format("{} error(s), {} warning(s)", r.errors, r.warnings).c_str());
    }
    return ExitOk;
}

} // namespace

void addEditCommand(CLI::App &app, CommandRun &run)
{
    struct State
    {
        Options opt;
        std::string file;
    };
    auto st = std::make_shared<State>();
    Options &opt = st->opt;
    auto *edit = app.add_subcommand("rewrite-summary",
                                    "edit the summary safely (backups: FILE.orig, FILE.bak.1..5)");
    edit->add_option("FILE", st->file, "layer file (a symlink is followed)")->required();
    edit->add_option("--tenant-id,--new-tenant-id", opt.tenant, "new tenant id (32 hex digits)")
        ->option_text("ID");
    edit->add_option("--timeline-id,--new-timeline-id",
                     opt.timeline,
                     "new timeline id (32 hex digits)")
        ->option_text("ID");
    edit->add_option("--key-start", opt.keyStart, "new key range start (36 hex digits)")
        ->option_text("KEY");
    edit->add_option("--key-end", opt.keyEnd, "new key range end (36 hex digits)")
        ->option_text("KEY");
    edit->add_option("--lsn", opt.lsn, "new image LSN (X/Y or 16 hex digits)")->option_text("LSN");
    edit->add_option("--lsn-start", opt.lsnStart, "new delta LSN range start")->option_text("LSN");
    edit->add_option("--lsn-end", opt.lsnEnd, "new delta LSN range end")->option_text("LSN");
    edit->add_flag("--in-place",
                   opt.inPlace,
                   "rewrite block 0 in place (old block saved to FILE.block0.bak first)");
    edit->add_flag("--no-backup", opt.noBackup, "keep no FILE.orig / FILE.bak.N");
    edit->add_option("--keep-backups",
                     opt.keepBackups,
                     "keep FILE.bak.1 … FILE.bak.N, newest first (default 5; "
                     "FILE.orig is always kept)")
        ->check(CLI::Range(0, 100))
        ->option_text("N");
    edit->add_flag("--dry-run", opt.dryRun, "print the bytes that would change, write nothing");
    edit->add_flag("--force",
                   opt.force,
                   "write even when Neon could no longer read every entry, or the file is "
                   "read-only");
    addQuiet(edit, opt);
    edit->footer(fmt::format(
        "Example:\n  layerctl rewrite-summary --new-tenant-id 11111111111111111111111111111111 "
        "--dry-run {}",
        kExampleLayer));
    edit->callback([st, &run] { run = [st] { return cmdRewriteSummary(st->file, st->opt); }; });
}

} // namespace layerscope::cli
