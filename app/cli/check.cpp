#include "commands.h"

#include "json.h"

#include <layerscope/inspect.h>
#include <layerscope/layer.h>
#include <layerscope/layer_name.h>
#include <layerscope/salvage.h>
#include <layerscope/validate.h>
#include <layerscope/writer.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <set>
#include <thread>

namespace layerscope::cli {

namespace {

QJsonObject problemJson(const Problem &p)
{
    QJsonObject o{{"check", QString::fromStdString(p.check)},
                  {"severity", severityName(p.severity)},
                  {"message", QString::fromStdString(p.message)},
                  {"offset", qint64(p.offset)},
                  {"length", qint64(p.length)}};
    if (!p.related.empty()) {
        QJsonArray rel;
        for (const auto &r : p.related)
            rel.append(QJsonObject{{"offset", qint64(r.offset)},
                                   {"length", qint64(r.length)},
                                   {"what", QString::fromStdString(r.what)}});
        o["related"] = rel;
    }
    if (p.block)
        o["block"] = qint64(*p.block);
    if (p.entry)
        o["entry"] = qint64(*p.entry);
    if (p.key)
        o["key"] = QString::fromStdString(p.key->toHex());
    if (p.lsn)
        o["lsn"] = QString::fromStdString(p.lsn->toString());
    return o;
}

std::string problemLine(const QString &file, const Problem &p)
{
    return fmt::format("{}:{}: {}[{}]: {}", file.toStdString(), p.offset, severityName(p.severity), p.check,
                       p.message);
}

void print(const std::string &line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

/// Text report: problems in offset order; of a check found more than kGroupAfter times at one
/// severity, the first kGroupAfter are listed and one line counts the rest (--json lists all).
void printGrouped(const QString &file, const ValidationReport &r)
{
    constexpr std::uint64_t kGroupAfter = 5;
    std::map<std::pair<std::string, Severity>, std::uint64_t> shown;
    std::map<std::pair<std::string, Severity>, const CheckTally *> tally;
    for (const CheckTally &t : r.tallies)
        tally[{t.check, t.severity}] = &t;
    for (const Problem &p : r.problems) {
        const auto key = std::make_pair(p.check, p.severity);
        const std::uint64_t n = ++shown[key];
        const CheckTally &t = *tally[key];
        if (n <= kGroupAfter || t.count <= kGroupAfter + 1)
            print(problemLine(file, p));
        else if (n == kGroupAfter + 1)
            print(fmt::format("{}:{}: {}[{}]: … and {} more like this ({} × {} in all, first at offset {}; "
                              "--json lists each)",
                              file.toStdString(), p.offset, severityName(p.severity), p.check,
                              t.count - kGroupAfter, p.check, t.count, t.firstOffset));
    }
    // Checks whose problems were all left out of the list (see --max-problems).
    for (const CheckTally &t : r.tallies)
        if (!shown.count({t.check, t.severity}))
            print(fmt::format("{}:{}: {}[{}]: {} × {} (not listed: over --max-problems)", file.toStdString(),
                              t.firstOffset, severityName(t.severity), t.check, t.check, t.count));
    print(fmt::format("{}: {} error(s), {} warning(s), {} info, {} entries checked{}", file.toStdString(),
                      r.errors, r.warnings, r.infos, r.entriesChecked,
                      r.truncated ? fmt::format(" ({} of {} problems listed)", r.problems.size(),
                                                r.errors + r.warnings + r.infos)
                                  : std::string()));
}

bool writeEvidence(const QString &dir, const QString &file, Bytes bytes, const ValidationReport &r)
{
    const QString base = QDir(dir).filePath(QFileInfo(file).fileName());
    QFile report(base + ".report.txt");
    if (!report.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray sha = QCryptographicHash::hash(QByteArrayView(bytes.data(), qsizetype(bytes.size())),
                                                    QCryptographicHash::Sha256).toHex();
    std::string text = fmt::format("file: {}\nsize: {} bytes\nsha256: {}\nlayerctl: {}\n"
                                   "errors: {}, warnings: {}, info: {}, entries checked: {}\n\n",
                                   file.toStdString(), bytes.size(), sha.toStdString(), LAYERSCOPE_VERSION,
                                   r.errors, r.warnings, r.infos, r.entriesChecked);
    for (const Problem &p : r.problems)
        text += problemLine(file, p) + "\n";
    // Summary: decoded when it decodes, and block 0's first bytes in hex either way.
    text += "\n--- summary (block 0, first 128 bytes) ---\n";
    text += hexDump(bytes.first(std::min<std::size_t>(128, bytes.size())), 0);
    if (auto s = Summary::decode(bytes.first(std::min<std::size_t>(bytes.size(), kBlockSize)))) {
        text += fmt::format("kind {}, version {}, tenant {}, timeline {}\nkeys {}..{}\nlsn {}..{}\n"
                            "index_start_blk {}, index_root_blk {}\n",
                            s->kind == LayerKind::Image ? "image" : "delta", s->formatVersion, s->tenant.toHex(),
                            s->timeline.toHex(), s->keyStart.toHex(), s->keyEnd.toHex(), s->lsnStart.toString(),
                            s->lsnEnd.toString(), s->indexStartBlk, s->indexRootBlk);
    }
    // Every block at fault, with one line of context around the bytes.
    std::set<std::uint64_t> blocks;
    for (const Problem &p : r.problems) {
        if (p.severity == Severity::Info)
            continue;
        const std::uint64_t first = p.offset / kBlockSize;
        const std::uint64_t last = (p.offset + std::max<std::uint64_t>(p.length, 1) - 1) / kBlockSize;
        for (std::uint64_t b = first; b <= std::min(last, first + 3); ++b)
            blocks.insert(b);
        if (blocks.size() > 256)
            break;
    }
    for (std::uint64_t b : blocks) {
        const FileOffset off = b * kBlockSize;
        if (off >= bytes.size())
            continue;
        const Bytes blk = bytes.subspan(off, std::min<std::uint64_t>(kBlockSize, bytes.size() - off));
        QFile hex(base + QString(".block-%1.hex").arg(b));
        if (!hex.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        std::string h = fmt::format("block {} (offset {}) of {}\n", b, off, file.toStdString());
        h += hexDump(blk, off);
        hex.write(h.data(), qint64(h.size()));
        text += fmt::format("\nblock {} at offset {}: {}.block-{}.hex\n", b, off,
                            QFileInfo(file).fileName().toStdString(), b);
    }
    report.write(text.data(), qint64(text.size()));
    QFile shaFile(base + ".sha256");
    if (!shaFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    shaFile.write(sha + "  " + QFileInfo(file).fileName().toUtf8() + "\n");
    return true;
}

} // namespace

int cmdCheck(const QStringList &files, const Options &opt)
{
    int rc = ExitOk;
    if (!opt.evidence.isEmpty() && !QDir().mkpath(opt.evidence)) {
        std::fprintf(stderr, "layerctl: cannot create %s\n", qPrintable(opt.evidence));
        return ExitUsage;
    }
    for (const QString &file : files) {
        auto mapped = MappedFile::open(file.toStdString());
        if (!mapped) {
            std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(file), mapped.error().message().c_str());
            rc = ExitUsage;
            continue;
        }
        ValidateOptions vo;
        vo.fileName = QFileInfo(file).fileName().toStdString();
        vo.pages = opt.pages;
        vo.maxProblems = std::size_t(opt.maxProblems);
        vo.threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
        const ValidationReport r = validateLayer(**mapped, vo);
        if (opt.json) {
            for (const Problem &p : r.problems)
                print(QJsonDocument(problemJson(p)).toJson(QJsonDocument::Compact).toStdString());
            QJsonArray tallies;
            for (const CheckTally &t : r.tallies)
                tallies.append(QJsonObject{{"check", QString::fromStdString(t.check)},
                                           {"severity", severityName(t.severity)},
                                           {"count", qint64(t.count)},
                                           {"first_offset", qint64(t.firstOffset)}});
            print(QJsonDocument(QJsonObject{{"file", file},
                                            {"errors", qint64(r.errors)},
                                            {"warnings", qint64(r.warnings)},
                                            {"infos", qint64(r.infos)},
                                            {"listed", qint64(r.problems.size())},
                                            {"truncated", r.truncated},
                                            {"checks", tallies},
                                            {"entries_checked", qint64(r.entriesChecked)}})
                      .toJson(QJsonDocument::Compact)
                      .toStdString());
        } else {
            printGrouped(file, r);
        }
        if (!opt.evidence.isEmpty() && !writeEvidence(opt.evidence, file, (*mapped)->bytes(), r)) {
            std::fprintf(stderr, "layerctl: cannot write evidence to %s\n", qPrintable(opt.evidence));
            rc = ExitUsage;
        }
        if (!r.clean() && rc == ExitOk)
            rc = ExitProblem;
    }
    std::fflush(stdout);
    return rc;
}

int cmdSalvage(const QString &in, const QString &outArg, const Options &)
{
    auto mapped = MappedFile::open(in.toStdString());
    if (!mapped) {
        std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(in), mapped.error().message().c_str());
        return ExitUsage;
    }
    // OUT may be a directory: the output then gets the canonical name of its summary.
    const bool toDir = QFileInfo(outArg).isDir();
    const QString target = toDir ? QDir(outArg).filePath(".layerctl-salvage") : outArg;
    auto sink = AtomicFileSink::create(target.toStdString());
    if (!sink) {
        std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(target), sink.error().message().c_str());
        return ExitUsage;
    }
    const SalvageResult r = salvageLayer(**mapped, QFileInfo(in).fileName().toStdString(), **sink);
    if (!r.written) {
        std::fprintf(stderr, "layerctl: %s: nothing written: %s\n", qPrintable(in), r.error.message().c_str());
        return ExitUsage;
    }
    if (auto c = (*sink)->commit(); !c) {
        std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(target), c.error().message().c_str());
        return ExitUsage;
    }
    QString out = target;
    const std::string implied = r.summary.impliedName().canonical();
    if (toDir) {
        out = QDir(outArg).filePath(QString::fromStdString(implied));
        if (QFileInfo::exists(out) || !QFile::rename(target, out)) {
            std::fprintf(stderr, "layerctl: %s exists or cannot be created; the output is %s\n", qPrintable(out),
                         qPrintable(target));
            out = target;
        }
    }
    for (const SalvageNote &n : r.dropped)
        print(fmt::format("{}:{}: dropped: {}", in.toStdString(), n.offset, n.what));
    for (const SalvageNote &n : r.repairs)
        print(fmt::format("{}:{}: repaired: {}", in.toStdString(), n.offset, n.what));
    print(fmt::format("{}: kept {} of {} entries ({} leaves found), dropped {}, repaired {}, {} duplicate(s) merged",
                      out.toStdString(), r.kept, r.entriesFound, r.leavesFound, r.dropped.size(), r.repairs.size(),
                      r.duplicates));
    // The output must check clean; say so if it does not (a bug in salvage, never hidden).
    ValidateOptions vo;
    vo.fileName = QFileInfo(out).fileName().toStdString();
    if (auto written = MappedFile::open(out.toStdString())) {
        const ValidationReport check = validateLayer(**written, vo);
        if (!check.clean()) {
            for (const Problem &p : check.problems)
                if (p.severity != Severity::Info)
                    print(problemLine(out, p));
            std::fprintf(stderr, "layerctl: %s: the salvaged layer does not check clean\n", qPrintable(out));
            return ExitProblem;
        }
    }
    if (vo.fileName != implied && LayerName::parse(vo.fileName))
        std::fprintf(stderr, "layerctl: note: %s names another layer; its summary implies %s\n", qPrintable(out),
                     implied.c_str());
    return r.lossless() ? ExitOk : ExitProblem;
}

} // namespace layerscope::cli
