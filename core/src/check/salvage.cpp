#include <layerscope/check/salvage.h>

#include <layerscope/check/entry_check.h>
#include <layerscope/check/validate.h>
#include <layerscope/format/blob.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/index/btree.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace layerscope {

namespace {

/// A gap between two blobs longer than this is not walked to explain it (kept as is).
constexpr std::uint64_t kMaxGapWalk = 1 << 20;

struct Candidate
{
    IndexKey indexKey;
    Key key;
    Lsn lsn;
    FileOffset leafOffset = 0;
    FileOffset blobAt = 0;
    FileOffset blobEnd = 0;
    bool willInit = false;
    bool keep = true;
};

bool validRanges(const Summary &s)
{
    return s.keyStart < s.keyEnd
           && (s.kind == LayerKind::Delta ? s.lsnStart < s.lsnEnd : s.lsnStart.value != Lsn::kMax);
}

std::string rangesText(LayerKind kind, const Key &ks, const Key &ke, Lsn ls, Lsn le)
{
    return kind == LayerKind::Delta
               ? fmt::format("keys {}..{}, LSNs {}..{}", ks.toHex(), ke.toHex(), ls.toString(), le.toString())
               : fmt::format("keys {}..{}, LSN {}", ks.toHex(), ke.toHex(), ls.toString());
}

/// The summary to write: the input's where it is readable, with the kind and ranges fixed up.
/// Returns nullopt when not even the kind can be known.
std::optional<Summary> chooseSummary(Bytes file, const std::optional<LayerName> &name, SalvageResult &r)
{
    ByteVector block0(file.begin(), file.begin() + std::ptrdiff_t(std::min<std::size_t>(file.size(), kBlockSize)));
    block0.resize(kBlockSize, 0);
    auto s = Summary::decode(block0);
    if (!s) {
        if (!name)
            return std::nullopt;
        const std::uint16_t magic = name->kind == LayerKind::Image ? kImageMagic : kDeltaMagic;
        block0[0] = std::uint8_t(magic >> 8);
        block0[1] = std::uint8_t(magic);
        s = Summary::decode(block0);
        r.repairs.push_back({fmt::format("the summary's magic is unreadable ({}): the layer kind ({}) was taken "
                                         "from the file name",
                                         s ? "damaged" : "missing",
                                         name->kind == LayerKind::Image ? "image" : "delta"),
                             0, {}, {}});
    }
    Summary out = *s;
    out.magic = out.kind == LayerKind::Image ? kImageMagic : kDeltaMagic;
    if (out.formatVersion != kFormatVersion) {
        r.repairs.push_back({fmt::format("format_version {} was written as {}", out.formatVersion, kFormatVersion),
                             summaryField(out.kind, SummaryFieldId::Version).offset, {}, {}});
        out.formatVersion = kFormatVersion;
    }
    const FileOffset rangesAt = summaryField(out.kind, SummaryFieldId::KeyStart).offset;
    if (name && name->kind == out.kind) {
        const Summary fromName = [&] {
            Summary n = out;
            n.keyStart = name->keyStart;
            n.keyEnd = name->keyEnd;
            n.lsnStart = name->lsnStart;
            n.lsnEnd = out.kind == LayerKind::Delta ? name->lsnEnd : Lsn{};
            return n;
        }();
        if (fromName.impliedName().canonical() != out.impliedName().canonical()) {
            r.repairs.push_back(
                {fmt::format("the summary says {} but the file name says {}: the file name's ranges were used",
                             rangesText(out.kind, out.keyStart, out.keyEnd, out.lsnStart, out.lsnEnd),
                             rangesText(out.kind, name->keyStart, name->keyEnd, name->lsnStart, name->lsnEnd)),
                 rangesAt, {}, {}});
            out = fromName;
        }
    }
    return out;
}

/// Walks packed blob headers from `from`: true when they lead exactly to `to` (the gap holds
/// blobs whose entries were lost, not a length header that lies).
bool blobsLeadTo(Bytes file, FileOffset from, FileOffset to, FileOffset valuesEnd)
{
    if (to - from > kMaxGapWalk)
        return true;
    while (from < to) {
        auto h = readBlobHeader(file, from, kBlockSize, valuesEnd);
        if (!h)
            return false;
        from = h->end();
    }
    return from == to;
}

/// What the index's damage cost: a start outside the file (every block scanned), a root beyond
/// the end (a truncated file), unreadable blocks (their entries lost, or only the root of
/// several leaves, rebuilt).
void noteIndexDamage(const Summary &s, const SalvageScan &scan, bool startOk, std::uint64_t blocks,
                     std::uint64_t fileSize, SalvageResult &r)
{
    if (!startOk)
        r.repairs.push_back({fmt::format("index_start_blk {} is outside the file's {} blocks: every block was "
                                         "scanned for leaves",
                                         s.indexStartBlk, blocks),
                             summaryField(s.kind, SummaryFieldId::IndexStart).offset, {}, {}});
    else if (std::uint64_t(s.indexStartBlk) + s.indexRootBlk >= blocks)
        // Neon writes the root last: without it the file lost its end, and the leaves there.
        r.dropped.push_back({fmt::format("the index root (block {}) lies beyond the end of the file ({} blocks): "
                                         "the file is truncated and the entries of its missing index blocks are lost",
                                         std::uint64_t(s.indexStartBlk) + s.indexRootBlk, blocks),
                             fileSize, {}, {}});
    const FileOffset rootAt = (FileOffset(s.indexStartBlk) + s.indexRootBlk) * kBlockSize;
    if (startOk) {
        for (const FileOffset at : scan.unreadable) {
            if (at == rootAt && scan.leavesFound > 1) {
                // A tree of several leaves has an internal root: no entries were in it.
                r.repairs.push_back({fmt::format("the index root at {} is unreadable: the index was rebuilt from "
                                                 "the {} leaves found",
                                                 at, scan.leavesFound),
                                     at, {}, {}});
                continue;
            }
            r.dropped.push_back({fmt::format("index block at {} is neither an internal node nor a readable leaf: "
                                             "whatever entries it held are lost",
                                             at),
                                 at, {}, {}});
        }
    }

}

/// The leaves' entries as candidates; of two equal keys with different values neither is kept.
std::vector<Candidate> candidatesOf(const SalvageScan &scan, const Summary &s, SalvageResult &r)
{
    const bool delta = s.kind == LayerKind::Delta;
    std::vector<Candidate> cands;
    cands.reserve(scan.entries.size());
    for (std::size_t i = 0; i < scan.entries.size(); ++i) {
        const SalvagedEntry &e = scan.entries[i];
        Candidate c;
        c.indexKey = IndexKey::from(e.indexKey);
        c.key = Key::fromBytes(e.indexKey.data());
        c.lsn = delta ? deltaKeyLsn(e.indexKey) : s.lsnStart;
        c.leafOffset = e.leafOffset;
        c.blobAt = delta ? e.value >> 1 : e.value;
        c.willInit = delta && (e.value & 1);
        // scanLeaves keeps the first of equal keys; a second one with another value conflicts.
        if (!cands.empty() && cands.back().indexKey == c.indexKey) {
            r.dropped.push_back({fmt::format("two leaves hold key {} with different values (at {} and {})",
                                             toHex(c.indexKey.view()), cands.back().leafOffset, c.leafOffset),
                                 c.leafOffset, c.key, delta ? std::optional(c.lsn) : std::nullopt});
            cands.back().keep = false;
            continue;
        }
        cands.push_back(c);
    }
    r.entriesFound = cands.size();

    return cands;
}

/// Ranges: the summary's (or the name's) when usable, else what the entries cover.
void repairRanges(Summary &s, const std::vector<Candidate> &cands, SalvageResult &r)
{
    const bool delta = s.kind == LayerKind::Delta;
    if (!validRanges(s)) {
        Key lo = Key::max(), hi = Key::min();
        Lsn lsnLo{Lsn::kMax}, lsnHi{0};
        for (const Candidate &c : cands) {
            lo = std::min(lo, c.key);
            hi = std::max(hi, c.key);
            lsnLo = std::min(lsnLo, c.lsn);
            lsnHi = std::max(lsnHi, c.lsn);
        }
        if (!cands.empty()) {
            const Summary before = s;
            s.keyStart = lo;
            s.keyEnd = hi.next().value_or(Key::max());
            if (delta) {
                s.lsnStart = lsnLo;
                s.lsnEnd = Lsn{lsnHi.value == Lsn::kMax ? Lsn::kMax : lsnHi.value + 1};
            }
            r.repairs.push_back({fmt::format("the summary's ranges are unusable ({}): the entries' ({}) were used",
                                             rangesText(s.kind, before.keyStart, before.keyEnd, before.lsnStart,
                                                        before.lsnEnd),
                                             rangesText(s.kind, s.keyStart, s.keyEnd, s.lsnStart, s.lsnEnd)),
                                 summaryField(s.kind, SummaryFieldId::KeyStart).offset, {}, {}});
        }
    }

}

/// Each entry on its own: inside the ranges, a blob and value that pass the validator's checks.
void checkCandidates(std::vector<Candidate> &cands, Bytes file, const Summary &s, FileOffset valuesEnd,
                     SalvageResult &r)
{
    const bool delta = s.kind == LayerKind::Delta;
    std::uint64_t position = 0;
    for (Candidate &c : cands) {
        if (!c.keep)
            continue;
        auto drop = [&](std::string why, FileOffset at) {
            r.dropped.push_back({std::move(why), at, c.key, delta ? std::optional(c.lsn) : std::nullopt});
            c.keep = false;
        };
        if (const std::string why = c.key.implausibility(); !why.empty()) {
            drop(fmt::format("key {}: {} (damaged key)", c.key.toHex(), why), c.leafOffset);
            continue;
        }
        if (c.key < s.keyStart || !(c.key < s.keyEnd)) {
            drop(fmt::format("key {} is outside the layer's key range {}..{}", c.key.toHex(), s.keyStart.toHex(),
                             s.keyEnd.toHex()),
                 c.leafOffset);
            continue;
        }
        if (delta && (c.lsn < s.lsnStart || !(c.lsn < s.lsnEnd))) {
            drop(fmt::format("LSN {} of key {} is outside the layer's LSN range {}..{}", c.lsn.toString(),
                             c.key.toHex(), s.lsnStart.toString(), s.lsnEnd.toString()),
                 c.leafOffset);
            continue;
        }
        std::vector<Problem> problems;
        const EntryRef ref{position++, c.key, c.lsn, 0, c.blobAt, c.willInit, c.leafOffset};
        const BlobFacts facts = checkEntryBlob(file, s, valuesEnd, ref, false, problems);
        const auto bad = std::find_if(problems.begin(), problems.end(), [](const Problem &p) {
            return p.severity != Severity::Info && p.check != "will-init";
        });
        if (bad != problems.end() || !facts.header) {
            drop(fmt::format("key {}{}: {}", c.key.toHex(), delta ? fmt::format("@{}", c.lsn.toString()) : std::string(), bad->message),
                 bad->offset);
            continue;
        }
        c.blobEnd = facts.header->end();
        if (delta && facts.valueWillInit && *facts.valueWillInit != c.willInit) {
            r.repairs.push_back({fmt::format("key {}@{}: will_init bit was {}, the value says {}: written as {}",
                                             c.key.toHex(), c.lsn.toString(), c.willInit, *facts.valueWillInit,
                                             *facts.valueWillInit),
                                 c.blobAt, c.key, c.lsn});
            c.willInit = *facts.valueWillInit;
        }
    }

}

/// Placement: Neon packs blobs back to back in key order. The longest run of entries whose
/// blobs ascend with their keys is kept; an entry pointing elsewhere has a damaged pointer.
void keepAscendingRun(std::vector<Candidate> &cands, bool delta, SalvageResult &r)
{
    std::vector<std::size_t> live;
    for (std::size_t i = 0; i < cands.size(); ++i)
        if (cands[i].keep)
            live.push_back(i);
    std::vector<std::size_t> tails, prev(live.size(), SIZE_MAX), tailIdx;
    for (std::size_t k = 0; k < live.size(); ++k) {
        const FileOffset at = cands[live[k]].blobAt;
        const auto pos = std::lower_bound(tails.begin(), tails.end(), at,
                                          [&](std::size_t t, FileOffset v) { return cands[live[t]].blobAt < v; })
                         - tails.begin();
        if (pos > 0)
            prev[k] = tails[std::size_t(pos) - 1];
        if (std::size_t(pos) == tails.size())
            tails.push_back(k);
        else
            tails[std::size_t(pos)] = k;
    }
    std::vector<bool> inRun(live.size(), false);
    for (std::size_t k = tails.empty() ? SIZE_MAX : tails.back(); k != SIZE_MAX; k = prev[k])
        inRun[k] = true;
    for (std::size_t k = 0; k < live.size(); ++k) {
        Candidate &c = cands[live[k]];
        if (!inRun[k]) {
            r.dropped.push_back({fmt::format("key {}{}: its blob at {} is out of key order with its neighbours' "
                                             "(damaged pointer)",
                                             c.key.toHex(), delta ? fmt::format("@{}", c.lsn.toString()) : std::string(), c.blobAt),
                                 c.leafOffset, c.key, delta ? std::optional(c.lsn) : std::nullopt});
            c.keep = false;
        }
    }
}

/// Lengths: each blob must end where the next one begins, unless the gap holds the blob of an
/// entry dropped before or a run of blobs whose entries were lost.
void checkLengths(std::vector<Candidate> &cands, Bytes file, FileOffset valuesEnd, bool delta, SalvageResult &r)
{
    std::vector<FileOffset> starts;
    for (const Candidate &c : cands)
        starts.push_back(c.blobAt);
    std::sort(starts.begin(), starts.end());
    auto droppedBlobIn = [&](FileOffset from, FileOffset to) {
        const auto it = std::lower_bound(starts.begin(), starts.end(), from);
        return it != starts.end() && *it < to;
    };
    Candidate *last = nullptr;
    for (Candidate &c : cands) {
        if (!c.keep)
            continue;
        if (last && !(last->blobEnd == c.blobAt
                      || (last->blobEnd < c.blobAt
                          && (droppedBlobIn(last->blobEnd, c.blobAt)
                              || blobsLeadTo(file, last->blobEnd, c.blobAt, valuesEnd))))) {
            r.dropped.push_back({fmt::format("key {}{}: its blob [{}, {}) does not end where the next blob ({}) "
                                             "begins (damaged length header)",
                                             last->key.toHex(), delta ? fmt::format("@{}", last->lsn.toString()) : std::string(),
                                             last->blobAt, last->blobEnd, c.blobAt),
                                 last->blobAt, last->key, delta ? std::optional(last->lsn) : std::nullopt});
            last->keep = false;
        }
        last = &c;
    }

}

} // namespace

SalvageResult salvageLayer(const ByteSource &in, const std::string &fileName, OutputSink &out)
{
    SalvageResult r;
    const Bytes file = in.bytes();
    const auto name = fileName.empty() ? std::nullopt : LayerName::parse(fileName);
    if (file.size() < 2 * kBlockSize) {
        r.error = makeError(file.size(), "a layer of at least two 8192-byte blocks (summary and index)",
                            fmt::format("{} bytes", file.size()));
        return r;
    }
    auto chosen = chooseSummary(file, name, r);
    if (!chosen) {
        r.error = makeError(0, "layer magic 0x5A60 (image) or 0x5A61 (delta), or a layer file name to tell the kind",
                            fmt::format("0x{:02X}{:02X} and no layer name", file[0], file[1]));
        return r;
    }
    Summary s = *chosen;
    const bool delta = s.kind == LayerKind::Delta;
    const std::uint64_t blocks = file.size() / kBlockSize;
    const bool startOk = s.indexStartBlk >= 2 && s.indexStartBlk < blocks;
    const FileOffset valuesEnd = startOk ? FileOffset(s.indexStartBlk) * kBlockSize : file.size();
    SalvageScan scan = scanLeaves(in, startOk ? s.indexStartBlk : 1, s.indexKeyLen());
    r.leavesFound = scan.leavesFound;
    r.duplicates = scan.duplicates;
    noteIndexDamage(s, scan, startOk, blocks, file.size(), r);

    std::vector<Candidate> cands = candidatesOf(scan, s, r);
    repairRanges(s, cands, r);
    checkCandidates(cands, file, s, valuesEnd, r);
    keepAscendingRun(cands, delta, r);
    checkLengths(cands, file, valuesEnd, delta, r);

    LayerWriter w(s, out);
    for (const Candidate &c : cands) {
        if (!c.keep)
            continue;
        auto st = w.addRawBlob(c.indexKey, file.subspan(c.blobAt, c.blobEnd - c.blobAt), c.willInit);
        if (!st) {
            r.error = st.error();
            return r;
        }
        ++r.kept;
    }
    if (r.kept == 0) {
        r.error = makeError(startOk ? FileOffset(s.indexStartBlk) * kBlockSize : kBlockSize,
                            "at least one entry that can be trusted",
                            fmt::format("{} entries in {} leaves, none readable", r.entriesFound, r.leavesFound));
        return r;
    }
    auto done = w.finish();
    if (!done) {
        r.error = done.error();
        return r;
    }
    r.summary = *done;
    r.written = true;
    std::stable_sort(r.dropped.begin(), r.dropped.end(),
                     [](const SalvageNote &a, const SalvageNote &b) { return a.offset < b.offset; });
    return r;
}

SalvageResult salvageToPath(const ByteSource &in, const std::string &fileName, const std::string &out)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool toDir = fs::is_directory(out, ec);
    const std::string target = toDir ? (fs::path(out) / ".layerscope-salvage").string() : out;
    auto sink = AtomicFileSink::create(target);
    if (!sink) {
        SalvageResult r;
        r.error = sink.error();
        return r;
    }
    SalvageResult r = salvageLayer(in, fileName, **sink);
    if (!r.written)
        return r;
    if (auto c = (*sink)->commit(); !c) {
        r.written = false;
        r.error = c.error();
        return r;
    }
    r.path = target;
    if (toDir) {
        const std::string named = (fs::path(out) / r.summary.impliedName().canonical()).string();
        if (fs::exists(named, ec)) {
            r.pathNote = fmt::format("{} exists already; the output is {}", named, target);
        } else {
            fs::rename(target, named, ec);
            if (ec)
                r.pathNote = fmt::format("{} cannot be created ({}); the output is {}", named, ec.message(), target);
            else
                r.path = named;
        }
    }
    return r;
}

} // namespace layerscope
