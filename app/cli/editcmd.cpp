#include "commands.h"

#include <layerscope/edit.h>
#include <layerscope/layer.h>
#include <layerscope/validate.h>

#include <QFileInfo>

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace layerscope::cli {

namespace {
template<typename T>
bool parseInto(const QString &text, std::optional<T> &out, std::optional<T> (*parse)(std::string_view),
               const char *what)
{
    if (text.isEmpty())
        return true;
    out = parse(text.toStdString());
    if (!out)
        std::fprintf(stderr, "layerctl: %s: cannot parse \"%s\"\n", what, qPrintable(text));
    return bool(out);
}
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

// Test hook: LAYERSCOPE_TEST_KILL_AT=temp-written|temp-synced|renamed kills this process there.
void killHook(WriteStage stage)
{
    const char *at = std::getenv("LAYERSCOPE_TEST_KILL_AT");
    if (!at)
        return;
    const char *name = stage == WriteStage::TempWritten ? "temp-written"
                       : stage == WriteStage::TempSynced ? "temp-synced"
                       : stage == WriteStage::Renamed    ? "renamed"
                                                         : "done";
    if (std::string_view(at) == name)
        ::kill(::getpid(), SIGKILL);
}
} // namespace

int cmdRewriteSummary(const QString &file, const Options &opt)
{
    SummaryEdit e;
    if (!parseInto<Id128>(opt.tenant, e.tenant, parseId, "--tenant-id")
        || !parseInto<Id128>(opt.timeline, e.timeline, parseId, "--timeline-id")
        || !parseInto<Key>(opt.keyStart, e.keyStart, parseKey, "--key-start")
        || !parseInto<Key>(opt.keyEnd, e.keyEnd, parseKey, "--key-end")
        || !parseInto<Lsn>(opt.lsn.isEmpty() ? opt.lsnStart : opt.lsn, e.lsnStart, parseLsn, "--lsn")
        || !parseInto<Lsn>(opt.lsnEnd, e.lsnEnd, parseLsn, "--lsn-end"))
        return ExitUsage;
    if (!opt.lsn.isEmpty() && (!opt.lsnStart.isEmpty() || !opt.lsnEnd.isEmpty())) {
        std::fprintf(stderr, "layerctl: give --lsn (image) or --lsn-start/--lsn-end (delta), not both\n");
        return ExitUsage;
    }
    const std::string path = file.toStdString();
    auto identity = identifyFile(path);
    auto mapped = MappedFile::open(path);
    if (!identity || !mapped) {
        std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(file),
                     (!identity ? identity.error() : mapped.error()).message().c_str());
        return ExitUsage;
    }
    auto layer = Layer::open(*mapped);
    if (!layer) {
        std::fprintf(stderr, "layerctl: %s: not an image or delta layer: %s\n", qPrintable(file),
                     layer.error().message().c_str());
        return ExitProblem;
    }
    if (layer->kind() == LayerKind::Image && (!opt.lsnStart.isEmpty() || !opt.lsnEnd.isEmpty())) {
        std::fprintf(stderr, "layerctl: %s is an image layer: use --lsn\n", qPrintable(file));
        return ExitUsage;
    }
    if (layer->kind() == LayerKind::Delta && !opt.lsn.isEmpty()) {
        std::fprintf(stderr, "layerctl: %s is a delta layer: use --lsn-start/--lsn-end\n", qPrintable(file));
        return ExitUsage;
    }
    auto edited = applyEdit(layer->summary(), e);
    if (!edited) {
        std::fprintf(stderr, "layerctl: %s: summary field at offset %llu: expected %s, found %s\n", qPrintable(file),
                     static_cast<unsigned long long>(edited.error().offset), edited.error().expected.c_str(),
                     edited.error().found.c_str());
        return ExitUsage;
    }
    const auto risks = editRisks(layer->bytes(), *edited);
    for (const auto &r : risks)
        std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(file), r.c_str());
    const ByteVector before = layer->summary().encode(), after = edited->encode();
    const auto changed = changedBytes(before, after);
    const std::string implied = edited->impliedName().canonical();
    const auto name = LayerName::parse(QFileInfo(file).fileName().toStdString());
    if (opt.dryRun) {
        std::printf("%zu byte(s) of block 0 would change:\n", changed.size());
        for (std::size_t i : changed)
            std::printf("  offset %3zu: %02x -> %02x\n", i, before[i], after[i]);
        if (!name || name->canonical() != implied)
            std::printf("the new summary implies the file name %s\n", implied.c_str());
        return risks.empty() || opt.force ? ExitOk : ExitProblem;
    }
    if (!risks.empty() && !opt.force) {
        std::fprintf(stderr, "layerctl: %s: refusing to write (use --force to write anyway)\n", qPrintable(file));
        return ExitProblem;
    }
    SafeWriteOptions wo;
    wo.inPlace = opt.inPlace;
    wo.backup = !opt.noBackup;
    wo.expected = *identity;
    wo.stageHook = killHook;
    if (auto s = writeSummarySafely(path, *edited, wo); !s) {
        std::fprintf(stderr, "layerctl: %s: %s (the original is unchanged)\n", qPrintable(file),
                     s.error().message().c_str());
        return ExitUsage;
    }
    std::printf("Successfully rewrote summary of %s layer %s (%zu byte(s) changed%s)\n",
                edited->kind == LayerKind::Image ? "image" : "delta", qPrintable(file), changed.size(),
                wo.backup ? (opt.inPlace ? ", old block 0 in .block0.bak" : ", backup in .bak") : "");
    if (!name || name->canonical() != implied)
        std::printf("note: the new summary implies the file name %s\n", implied.c_str());
    // Re-validate what is now on disk.
    auto again = MappedFile::open(path);
    if (again) {
        ValidateOptions vo;
        vo.fileName = QFileInfo(file).fileName().toStdString();
        const auto r = validateLayer((*again)->bytes(), vo);
        std::printf("re-validated: %zu error(s), %zu warning(s)\n", r.errors, r.warnings);
    }
    return ExitOk;
}

} // namespace layerscope::cli
