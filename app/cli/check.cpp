#include "commands.h"

#include "json.h"

#include <layerscope/inspect.h>
#include <layerscope/layer.h>
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
        vo.threads = std::max(1u, std::thread::hardware_concurrency());
        const ValidationReport r = validateLayer((*mapped)->bytes(), vo);
        for (const Problem &p : r.problems) {
            if (opt.json)
                print(QJsonDocument(problemJson(p)).toJson(QJsonDocument::Compact).toStdString());
            else
                print(problemLine(file, p));
        }
        if (opt.json)
            print(QJsonDocument(QJsonObject{{"file", file},
                                            {"errors", qint64(r.errors)},
                                            {"warnings", qint64(r.warnings)},
                                            {"entries_checked", qint64(r.entriesChecked)}})
                      .toJson(QJsonDocument::Compact)
                      .toStdString());
        else
            print(fmt::format("{}: {} error(s), {} warning(s), {} entries checked{}", file.toStdString(),
                              r.errors, r.warnings, r.entriesChecked,
                              r.truncated ? " (problem list truncated)" : ""));
        if (!opt.evidence.isEmpty() && !writeEvidence(opt.evidence, file, (*mapped)->bytes(), r)) {
            std::fprintf(stderr, "layerctl: cannot write evidence to %s\n", qPrintable(opt.evidence));
            rc = ExitUsage;
        }
        if ((r.errors || r.warnings) && rc == ExitOk)
            rc = ExitProblem;
    }
    std::fflush(stdout);
    return rc;
}

int cmdSalvage(const QString &in, const QString &out, const Options &)
{
    auto mapped = MappedFile::open(in.toStdString());
    if (!mapped) {
        std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(in), mapped.error().message().c_str());
        return ExitUsage;
    }
    const Bytes bytes = (*mapped)->bytes();
    auto summary = Summary::decode(bytes.first(std::min<std::size_t>(bytes.size(), kBlockSize)));
    if (!summary || bytes.size() < kBlockSize) {
        std::fprintf(stderr, "layerctl: %s: the summary cannot be decoded (%s); salvage needs the layer kind\n",
                     qPrintable(in), summary ? "file too short" : summary.error().message().c_str());
        return ExitProblem;
    }
    Summary s = *summary;
    const std::uint64_t blocks = bytes.size() / kBlockSize;
    const bool startOk = s.indexStartBlk >= 2 && s.indexStartBlk < blocks;
    const SalvageScan scan = scanLeaves(bytes, startOk ? s.indexStartBlk : 1, s.indexKeyLen());
    const FileOffset valuesEnd = startOk ? FileOffset(s.indexStartBlk) * kBlockSize : bytes.size();

    auto sink = AtomicFileSink::create(out.toStdString());
    if (!sink) {
        std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(out), sink.error().message().c_str());
        return ExitUsage;
    }
    // Key and LSN ranges: the summary's when sane, else what the entries cover.
    std::uint64_t recovered = 0, lost = 0;
    std::vector<const SalvagedEntry *> keep;
    for (const SalvagedEntry &e : scan.entries) {
        const bool delta = s.kind == LayerKind::Delta;
        const FileOffset at = delta ? e.value >> 1 : e.value;
        auto h = readBlobHeader(bytes, at, kBlockSize, valuesEnd);
        bool ok = bool(h);
        if (ok) {
            auto p = decodePayload(bytes, *h);
            ok = bool(p) && (!delta || bool(decodeValue(*p, h->payloadOffset())));
        }
        if (ok)
            keep.push_back(&e);
        else
            ++lost;
    }
    if (keep.empty()) {
        std::fprintf(stderr, "layerctl: %s: no readable entries found (%llu leaves scanned)\n", qPrintable(in),
                     static_cast<unsigned long long>(scan.leavesFound));
        return ExitProblem;
    }
    const Key first = Key::fromBytes(keep.front()->indexKey.data());
    const Key last = Key::fromBytes(keep.back()->indexKey.data());
    if (!(s.keyStart <= first) || !(last < s.keyEnd) || !(s.keyStart < s.keyEnd)) {
        s.keyStart = std::min(s.keyStart, first);
        s.keyEnd = last.next().value_or(Key::max());
    }
    s.formatVersion = kFormatVersion;
    LayerWriter w(s, **sink);
    for (const SalvagedEntry *e : keep) {
        const bool delta = s.kind == LayerKind::Delta;
        const FileOffset at = delta ? e->value >> 1 : e->value;
        auto h = readBlobHeader(bytes, at, kBlockSize, valuesEnd);
        auto st = w.addRawBlob(IndexKey::from(e->indexKey), bytes.subspan(at, h->headerLen + h->storedLen),
                               delta && (e->value & 1));
        if (!st) {
            std::fprintf(stderr, "layerctl: %s: %s\n", qPrintable(out), st.error().message().c_str());
            return ExitUsage;
        }
        ++recovered;
    }
    auto done = w.finish();
    if (!done || !(*sink)->commit()) {
        std::fprintf(stderr, "layerctl: %s: write failed\n", qPrintable(out));
        return ExitUsage;
    }
    std::printf("%s: recovered %llu entries from %llu leaves, lost %llu (unreadable blobs or values), "
                "%llu duplicates dropped\n",
                qPrintable(out), static_cast<unsigned long long>(recovered),
                static_cast<unsigned long long>(scan.leavesFound), static_cast<unsigned long long>(lost),
                static_cast<unsigned long long>(scan.duplicates));
    return lost ? ExitProblem : ExitOk;
}

} // namespace layerscope::cli
