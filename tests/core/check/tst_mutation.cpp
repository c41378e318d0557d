#include "testutil.h"

#include <layerscope/check/salvage.h>
#include <layerscope/check/validate.h>
#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/value.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/index/tree_shape.h>
#include <layerscope/write/synth.h>

#include <fmt/format.h>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <optional>
#include <random>
#include <set>

using namespace layerscope;

// The mutation suite: real layers (Neon-written fixtures, layers of a real Postgres 15 cluster's
// records and generated ones) mutated with byte flips, node-header and child-pointer rewrites,
// leaf-value and length-header rewrites, key rewrites, truncations, appended bytes and block
// copies. For each mutant, what Neon's reader would see (the same reading as `layerctl dump`) is
// compared with the clean file's: wherever it changed in more than payload bytes and
// tenant/timeline ids (which no check can see: the format has no checksums), the validator must
// report an error or a warning (exit 1). Whole Postgres records carry their own CRC and name
// their blocks: a change to their bytes or to the key they are filed under must be reported too.
// Every salvage of a mutant must itself check clean.
class TestMutation : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void mutantsAreReported_data();
    void mutantsAreReported();
    void salvageOutputChecksClean_data();
    void salvageOutputChecksClean();

private:
    QTemporaryDir m_dir;
    QStringList m_layers;
};

namespace {

/// What Neon's reader sees in a file, split into structure (every summary field but the ids,
/// the index shape, each entry's key, LSN, blob offset, flags, kind and lengths) and payload
/// bytes. `readable` is false when the reading fails anywhere (as `dump` would).
struct NeonView
{
    bool readable = false;
    std::string structure;
    std::string payload;
    /// Entries without where they are stored: key, LSN, flags, kind, length, payload hash.
    std::string entries;
    /// Per entry, in index order: a Postgres record that is a whole XLogRecord whose xl_crc
    /// matches. Its bytes and the block it is filed under are checkable, so no change to them
    /// is excused as undetectable.
    std::vector<bool> wholeRecord;
};

bool isWholeRecord(const EntryDetails &d)
{
    if (d.kind != "wal:Postgres")
        return false;
    const auto h = parseXLogRecordHeader(d.content);
    return h && h->totLen == d.content.size() && xlogRecordCrc(d.content) == h->crc;
}

NeonView neonView(const ByteVector &bytes)
{
    NeonView v;
    auto layer = Layer::open(std::make_shared<MemorySource>(bytes));
    if (!layer)
        return v;
    const Summary &s = layer->summary();
    auto shape = buildTreeShape(layer->tree());
    if (!shape || !shape->errors.empty())
        return v;
    std::string &out = v.structure;
    out = fmt::format("{} {:04x} v{} {}..{} {}..{} start {} root {} size {} depth {} levels {}\n",
                      int(s.kind), s.magic, s.formatVersion, s.keyStart.toHex(), s.keyEnd.toHex(),
                      s.lsnStart.value, s.lsnEnd.value, s.indexStartBlk, s.indexRootBlk,
                      bytes.size(), shape->depth(), fmt::join(shape->nodesPerLevel, ","));
    bool ok = true;
    const ByteVector zero(s.indexKeyLen(), 0);
    auto walk = layer->tree().visitForward(zero, [&](Bytes k, std::uint64_t raw) {
        const Entry e = layer->entry(IndexKey::from(k), raw);
        auto d = inspectEntry(*layer, e);
        if (!d) {
            ok = false;
            return false;
        }
        out += fmt::format("{} {} {} {} {} {} {} {} {} {}\n", e.key.toHex(), e.lsn.value,
                           e.blobOffset, e.willInit, d->kind, d->content.size(), d->payloadLen,
                           d->valueWillInit, d->pgWillInit ? int(*d->pgWillInit) : -1,
                           int(d->header.compression));
        const std::string hash = std::to_string(std::hash<std::string_view>()(
            std::string_view(reinterpret_cast<const char *>(d->content.data()), d->content.size())));
        v.payload += hash + "\n";
        v.entries += fmt::format("{} {} {} {} {} {}\n", e.key.toHex(), e.lsn.value, e.willInit, d->kind,
                                 d->content.size(), hash);
        v.wholeRecord.push_back(isWholeRecord(*d));
        return true;
    });
    v.readable = walk.ok() && ok;
    return v;
}

/// The first line where two views differ (of `b` when `second`), for failure messages.
std::string firstDifference(const NeonView &a, const NeonView &b, bool second)
{
    if (!b.readable)
        return second ? "unreadable" : "readable";
    std::size_t i = 0;
    while (i < a.structure.size() && i < b.structure.size() && a.structure[i] == b.structure[i])
        ++i;
    const std::string &s = second ? b.structure : a.structure;
    const std::size_t from = s.rfind('\n', i ? i - 1 : 0);
    const std::size_t start = from == std::string::npos || i == 0 ? 0 : from + 1;
    return s.substr(start, s.find('\n', start) - start);
}

/// A view's text, a line each.
std::vector<std::string> lines(const std::string &s)
{
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < s.size()) {
        const std::size_t nl = s.find('\n', at);
        out.push_back(s.substr(at, nl - at));
        at = nl + 1;
    }
    return out;
}

/// A mutant that differs from the clean file in one entry's key or LSN only.
struct KeySwap
{
    std::size_t entry = 0;  ///< in index order
    bool keyChanged = false;  ///< else only the LSN
};

/// The swap when the mutant differs from the clean file in one entry's key or LSN only, and the
/// new key is of a class Neon writes: another valid key that still sorts between its
/// neighbours and inside the layer's ranges (else key-order or key-range would report it).
/// Without checksums nothing can tell such a key from the original, unless the entry is a
/// whole Postgres record: it names the blocks it may be filed under.
std::optional<KeySwap> validKeySwap(const NeonView &clean, const NeonView &mutant)
{
    if (!mutant.readable)
        return std::nullopt;
    const auto a = lines(clean.structure), b = lines(mutant.structure);
    if (a.size() != b.size())
        return std::nullopt;
    std::optional<KeySwap> swap;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == b[i])
            continue;
        if (swap)
            return std::nullopt;
        const std::size_t keyEnd = a[i].find(' '), lsnEnd = a[i].find(' ', keyEnd + 1);
        if (a[0] != b[0] || a[i].substr(lsnEnd) != b[i].substr(lsnEnd))
            return std::nullopt;
        const auto key = Key::fromHex(b[i].substr(0, keyEnd));
        if (!key || !key->implausibility().empty())
            return std::nullopt;
        swap = KeySwap{i - 1, a[i].substr(0, keyEnd) != b[i].substr(0, keyEnd)};
    }
    return swap;
}

/// Entries (in index order) whose payload differs between two views of the same structure.
std::vector<std::size_t> payloadChanges(const NeonView &clean, const NeonView &mutant)
{
    const auto a = lines(clean.payload), b = lines(mutant.payload);
    std::vector<std::size_t> out;
    for (std::size_t entry = 0; entry < std::min(a.size(), b.size()); ++entry)
        if (a[entry] != b[entry])
            out.push_back(entry);
    return out;
}

struct Mutant
{
    ByteVector bytes;
    std::string what;
};

/// Places in a clean layer that mutations aim at.
struct Anatomy
{
    Summary summary;
    std::vector<FileOffset> indexBlocks;              ///< absolute offsets of reachable nodes
    std::vector<std::pair<FileOffset, bool>> values;  ///< leaf value offsets (true: internal)
    std::vector<std::pair<FileOffset, std::size_t>> keys;  ///< key suffix offsets and widths
    std::vector<FileOffset> blobs;                    ///< blob header offsets
};

Anatomy anatomy(const ByteVector &bytes)
{
    Anatomy a;
    auto layer = Layer::open(std::make_shared<MemorySource>(bytes));
    a.summary = layer->summary();
    (void)layer->tree().walkNodes([&](const NodeView &n, int) {
        a.indexBlocks.push_back(n.offset);
        for (std::size_t i = 0; i < n.count; ++i) {
            a.values.emplace_back(n.offset + 5 + n.prefixLen + std::size_t(n.count) * n.suffixLen + i * 5,
                                  !n.isLeaf());
            if (n.suffixLen)
                a.keys.emplace_back(n.offset + 5 + n.prefixLen + i * n.suffixLen, n.suffixLen);
        }
        return true;
    });
    const auto entries = *layer->entries();
    for (const Entry &e : entries)
        a.blobs.push_back(e.blobOffset);
    return a;
}

/// Deterministic mutants of `clean`, `count` of them, from `seed`, handed to `use` one by one.
/// A report as comparable lines: every field of every problem, in order.
QStringList reportLines(const ValidationReport &r)
{
    QStringList out;
    for (const Problem &p : r.problems)
        out << QString::fromStdString(fmt::format("{} {} @{}+{} b{} e{} {}", p.check, severityName(p.severity), p.offset,
                                                  p.length, p.block ? std::int64_t(*p.block) : -1,
                                                  p.entry ? std::int64_t(*p.entry) : -1, p.message));
    out << QString("counts %1/%2/%3 entries %4 nodes %5 truncated %6")
               .arg(r.errors).arg(r.warnings).arg(r.infos).arg(r.entriesChecked).arg(r.nodesChecked).arg(r.truncated);
    return out;
}

void forEachMutant(const ByteVector &clean, std::uint64_t seed, int count,
                   const std::function<void(const Mutant &)> &use)
{
    std::mt19937_64 rng(seed);
    auto pick = [&](std::uint64_t n) { return n ? std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng) : 0; };
    const Anatomy a = anatomy(clean);
    const std::uint64_t size = clean.size();
    const std::uint64_t blocks = size / kBlockSize;
    int made = 0;
    while (made < count) {
        Mutant m{clean, {}};
        ByteVector &b = m.bytes;
        switch (pick(12)) {
        case 0: {  // a bit anywhere
            const FileOffset at = pick(size);
            const int bit = int(pick(8));
            b[at] ^= std::uint8_t(1 << bit);
            m.what = fmt::format("flip bit {} at {}", bit, at);
            break;
        }
        case 1: {  // a bit of the summary
            const FileOffset at = pick(a.summary.encodedLen());
            const int bit = int(pick(8));
            b[at] ^= std::uint8_t(1 << bit);
            m.what = fmt::format("flip summary bit {} at {}", bit, at);
            break;
        }
        case 2: {  // a bit of a reachable node's used bytes
            const FileOffset node = a.indexBlocks[pick(a.indexBlocks.size())];
            const std::size_t used = 5 + b[node + 3] + std::size_t(readBe16(&b[node])) * (b[node + 4] + 5);
            const FileOffset at = node + pick(std::min<std::size_t>(used, kBlockSize));
            const int bit = int(pick(8));
            b[at] ^= std::uint8_t(1 << bit);
            m.what = fmt::format("flip node bit {} at {}", bit, at);
            break;
        }
        case 3: {  // node header field
            const FileOffset node = a.indexBlocks[pick(a.indexBlocks.size())];
            const int field = int(pick(4));
            if (field == 0) {
                const std::uint16_t vals[] = {0, 1, 65535, std::uint16_t(readBe16(&b[node]) + 1),
                                              std::uint16_t(readBe16(&b[node]) - 1), std::uint16_t(pick(65536))};
                const std::uint16_t v = vals[pick(6)];
                b[node] = std::uint8_t(v >> 8);
                b[node + 1] = std::uint8_t(v);
                m.what = fmt::format("node at {}: num_children {}", node, v);
            } else {
                const std::uint8_t v = std::uint8_t(pick(3) == 0 ? pick(256) : b[node + 1 + field] + (pick(2) ? 1 : -1));
                b[node + 1 + field] = v;
                m.what = fmt::format("node at {}: header byte {} = {}", node, 1 + field, v);
            }
            break;
        }
        case 4: {  // a child pointer or a leaf value
            const auto [at, internal] = a.values[pick(a.values.size())];
            if (internal) {
                const std::uint32_t indexBlocks = std::uint32_t(blocks - a.summary.indexStartBlk);
                const std::uint32_t v = std::uint32_t(pick(3) == 0 ? pick(1ull << 32) : pick(indexBlocks + 2));
                for (int i = 0; i < 4; ++i)
                    b[at + 1 + std::size_t(i)] = std::uint8_t(v >> (24 - 8 * i));
                m.what = fmt::format("child pointer at {} = {}", at, v);
            } else {
                const auto other = a.values[pick(a.values.size())].first;
                const std::uint64_t cur = readBe40(&b[at]);
                const std::uint64_t choices[] = {readBe40(&clean[other]), cur + 1, cur - 1, cur + 2, cur ^ 1,
                                                 pick(std::uint64_t(1) << 40)};
                const std::uint64_t v = choices[pick(6)] & 0xFF'FFFF'FFFF;
                for (int i = 0; i < 5; ++i)
                    b[at + std::size_t(i)] = std::uint8_t(v >> (32 - 8 * i));
                m.what = fmt::format("leaf value at {} = 0x{:x}", at, v);
            }
            break;
        }
        case 5: {  // a blob's length header
            const FileOffset at = a.blobs[pick(a.blobs.size())];
            if (b[at] < 0x80) {
                const std::uint8_t v = std::uint8_t(pick(2) ? pick(128) : b[at] + (pick(2) ? 1 : -1)) & 0x7F;
                b[at] = v;
                m.what = fmt::format("1-byte blob header at {} = {}", at, v);
            } else {
                const std::uint32_t word = readBe32(&b[at]);
                const std::uint32_t len = word & 0x0FFF'FFFF;
                const std::uint32_t lens[] = {len + 1, len - 1, 0, 8191, 12288, std::uint32_t(pick(1u << 28))};
                std::uint32_t v = (word & 0xF000'0000) | (lens[pick(6)] & 0x0FFF'FFFF);
                if (pick(4) == 0)
                    v = (std::uint32_t(0x80 + 0x10 * pick(8)) << 24) | len;
                for (int i = 0; i < 4; ++i)
                    b[at + std::size_t(i)] = std::uint8_t(v >> (24 - 8 * i));
                m.what = fmt::format("4-byte blob header at {} = 0x{:08x}", at, v);
            }
            break;
        }
        case 6: {  // a key byte
            if (a.keys.empty())
                continue;
            const auto [at, width] = a.keys[pick(a.keys.size())];
            const FileOffset byte = at + pick(width);
            b[byte] = std::uint8_t(pick(2) ? pick(256) : b[byte] + 1);
            m.what = fmt::format("key byte at {} = {}", byte, b[byte]);
            break;
        }
        case 7: {  // truncation
            const std::uint64_t to = pick(2) ? pick(size) : pick(blocks) * kBlockSize;
            b.resize(to);
            m.what = fmt::format("truncate to {}", to);
            break;
        }
        case 8: {  // appended bytes
            const int how = int(pick(3));
            if (how == 0) {
                const std::uint64_t n = 1 + pick(100);
                for (std::uint64_t i = 0; i < n; ++i)
                    b.push_back(std::uint8_t(pick(256)));
                m.what = fmt::format("append {} random bytes", n);
            } else if (how == 1) {
                b.resize(size + kBlockSize, 0);
                m.what = "append a zero block";
            } else {
                const std::uint64_t from = pick(blocks);
                b.insert(b.end(), clean.begin() + std::ptrdiff_t(from * kBlockSize),
                         clean.begin() + std::ptrdiff_t((from + 1) * kBlockSize));
                m.what = fmt::format("append a copy of block {}", from);
            }
            break;
        }
        case 9: {  // block copy
            const std::uint64_t from = pick(blocks), to = pick(blocks);
            std::copy_n(clean.begin() + std::ptrdiff_t(from * kBlockSize), kBlockSize,
                        b.begin() + std::ptrdiff_t(to * kBlockSize));
            m.what = fmt::format("copy block {} over block {}", from, to);
            break;
        }
        case 10: {  // a summary field set to a neighbouring or random value
            const FileOffset fields[] = {36, 53, 54, 71, 72, 79, 80, 87, 88, 91, 92, 95};
            FileOffset at = fields[pick(12)];
            if (at >= a.summary.encodedLen())
                at = a.summary.encodedLen() - 1;
            b[at] = std::uint8_t(pick(2) ? b[at] + (pick(2) ? 1 : -1) : pick(256));
            m.what = fmt::format("summary byte {} = {}", at, b[at]);
            break;
        }
        default: {  // a bit in or right after a blob header
            const FileOffset at = a.blobs[pick(a.blobs.size())] + pick(5);
            if (at >= size)
                continue;
            const int bit = int(pick(8));
            b[at] ^= std::uint8_t(1 << bit);
            m.what = fmt::format("flip blob-header bit {} at {}", bit, at);
            break;
        }
        }
        if (b != clean) {
            ++made;
            use(m);
        }
    }
}

} // namespace

void TestMutation::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_layers = testutil::fixtureLayers();
    m_layers << testutil::sharedDir() + "/fixtures/layers/pg-pages/"
                    + QFileInfo(m_layers.first()).fileName();
    m_layers << testutil::demoLayers(m_dir.path());
    // Layers of a real Postgres 15 cluster's records and pages (tests/data/pg15).
    for (const QString &name : QDir(QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15"))
                                   .entryList({QStringLiteral("0000*")}, QDir::Files, QDir::Name))
        m_layers << QStringLiteral(LAYERSCOPE_TEST_DATA_DIR "/pg15/") + name;
    // Generated layers with 2- and 3-level indexes, plain and zstd.
    struct Gen
    {
        LayerKind kind;
        std::uint64_t entries;
        Compression comp;
        std::uint32_t valueSize;
    };
    const Gen gens[] = {{LayerKind::Delta, 3000, Compression::None, 0},
                        {LayerKind::Image, 700, Compression::Zstd, 0},
                        {LayerKind::Delta, 8000, Compression::Zstd, 0}};
    int i = 0;
    for (const Gen &g : gens) {
        SynthOptions so;
        so.kind = g.kind;
        so.entries = g.entries;
        so.compression = g.comp;
        so.valueSize = g.valueSize;
        so.seed = std::uint64_t(7 + i);
        MemorySink sink;
        auto s = synthLayer(so, sink);
        QVERIFY(s.ok());
        const QString path = m_dir.filePath(QString::fromStdString(s->impliedName().canonical()));
        QVERIFY(testutil::writeFile(path, sink.data()));
        m_layers << path;
        ++i;
    }
    for (const QString &l : m_layers) {
        const ByteVector b = testutil::toVector(testutil::readAll(l));
        const ValidationReport r = validateLayer(b);
        QCOMPARE(r.errors, 0u);
        // The Neon-written delta holds a 100-byte RelBlock image (synthetic content): one
        // value-size warning, as for any page Postgres could not be served.
        QVERIFY2(r.warnings == 0 || (r.warnings == 1 && r.problems.front().check == "value-size"),
                 qPrintable(l));
        QVERIFY2(neonView(b).readable, qPrintable(l));
    }
}

void TestMutation::mutantsAreReported_data()
{
    QTest::addColumn<QString>("layer");
    QTest::addColumn<int>("count");
    const char *names[] = {"neon-image", "neon-delta", "neon-image-pg-pages", "demo-image",
                           "demo-image-zstd", "demo-delta", "pg15-delta", "pg15-image",
                           "synth-delta-3000", "synth-image-zstd", "synth-delta-zstd-8000"};
    // Neon-written fixtures and the layers of real Postgres records get the most mutants;
    // generated layers (larger, slower to read) fewer: 3,750 in all (a twentieth under the
    // sanitizers).
#ifndef LAYERSCOPE_MUTANT_SHARE
#define LAYERSCOPE_MUTANT_SHARE 1
#endif
    for (int i = 0; i < m_layers.size(); ++i) {
        const bool neonOrPostgres = i < 3 || QByteArray(names[i]).startsWith("pg15-");
        QTest::newRow(names[i]) << m_layers[i]
                                << (neonOrPostgres ? 600 : QFileInfo(m_layers[i]).size() > (1 << 20) ? 50 : 200)
                                       / LAYERSCOPE_MUTANT_SHARE;
    }
}

void TestMutation::mutantsAreReported()
{
    QFETCH(QString, layer);
    QFETCH(int, count);
    const ByteVector clean = testutil::toVector(testutil::readAll(layer));
    const NeonView cleanView = neonView(clean);
    ValidateOptions vo;
    vo.fileName = QFileInfo(layer).fileName().toStdString();
    // A mutant is reported when it has an error or warning the clean file does not have.
    std::set<std::pair<std::string, FileOffset>> known;
    for (const Problem &p : validateLayer(clean, vo).problems)
        known.insert({p.check, p.offset});
    int changed = 0, payloadOnly = 0, same = 0, keySwaps = 0;
    int changedReported = 0, recordPayloads = 0, recordPayloadsReported = 0;
    int recordKeys = 0, recordKeysReported = 0, recordLsns = 0, recordLsnsReported = 0;
    QStringList missed;
    // Every fourth mutant is also checked in small tasks on one thread and on three: the
    // reports must be identical, problem for problem, in the same order.
    ValidateOptions one = vo, three = vo;
    one.taskEntries = three.taskEntries = 7;
    three.threads = 3;
    int mutantIndex = 0, threadRuns = 0;
    forEachMutant(clean, qHash(QFileInfo(layer).fileName()), count, [&](const Mutant &m) {
        const NeonView v = neonView(m.bytes);
        const ValidationReport r = validateLayer(m.bytes, vo);
        if (mutantIndex++ % 4 == 0) {
            ++threadRuns;
            const ValidationReport a = validateLayer(m.bytes, one), b = validateLayer(m.bytes, three);
            QCOMPARE(reportLines(a), reportLines(b));
            QCOMPARE(a.entriesChecked, r.entriesChecked);
            QCOMPARE(a.errors + a.warnings + a.infos, r.errors + r.warnings + r.infos);
        }
        const bool structureChanged = !v.readable || v.structure != cleanView.structure;
        const bool reported = std::any_of(r.problems.begin(), r.problems.end(), [&](const Problem &p) {
            return p.severity != Severity::Info && !known.count({p.check, p.offset});
        });
        auto miss = [&] {
            missed << QString::fromStdString(m.what + "\n  clean:  " + firstDifference(cleanView, v, false)
                                             + "\n  mutant: " + firstDifference(cleanView, v, true));
        };
        if (structureChanged) {
            ++changed;
            changedReported += reported;
            // One entry's key or LSN rewritten into another plausible value. A whole record
            // names its blocks: its key cannot change unseen.
            const auto swap = validKeySwap(cleanView, v);
            const bool record = swap && cleanView.wholeRecord[swap->entry];
            if (record) {
                int &n = swap->keyChanged ? recordKeys : recordLsns;
                int &seen = swap->keyChanged ? recordKeysReported : recordLsnsReported;
                ++n;
                seen += reported;
            }
            if (!reported && swap && !(record && swap->keyChanged))
                ++keySwaps;
            else if (!reported)
                miss();
        } else if (v.payload != cleanView.payload) {
            ++payloadOnly;
            // Changed bytes of a whole record are seen by its CRC.
            const auto entries = payloadChanges(cleanView, v);
            if (std::any_of(entries.begin(), entries.end(), [&](std::size_t e) { return cleanView.wholeRecord[e]; })) {
                ++recordPayloads;
                if (reported)
                    ++recordPayloadsReported;
                else
                    miss();
            }
        } else {
            ++same;
        }
    });
    const auto records = std::count(cleanView.wholeRecord.begin(), cleanView.wholeRecord.end(), true);
    qInfo("%s: %d mutants, %d changed what Neon reads (%d of them reported), %d payload only, "
          "%d no change; %d undetectable key/LSN changes; %lld missed; %d checked on 1 and 3 threads",
          qPrintable(QFileInfo(layer).fileName().left(24)), count, changed, changedReported, payloadOnly,
          same, keySwaps, qlonglong(missed.size()), threadRuns);
    if (records)
        qInfo("  whole Postgres records (%lld of %zu entries): %d payload changes (%d reported), "
              "%d in-place key rewrites (%d reported), %d in-place LSN rewrites (%d reported)",
              qlonglong(records), cleanView.wholeRecord.size(), recordPayloads, recordPayloadsReported,
              recordKeys, recordKeysReported, recordLsns, recordLsnsReported);
    QVERIFY(threadRuns > 0);
    QVERIFY2(missed.isEmpty(), qPrintable(missed.join("\n")));
}

void TestMutation::salvageOutputChecksClean_data()
{
    mutantsAreReported_data();
}

void TestMutation::salvageOutputChecksClean()
{
    QFETCH(QString, layer);
    QFETCH(int, count);
    const ByteVector clean = testutil::toVector(testutil::readAll(layer));
    const std::string name = QFileInfo(layer).fileName().toStdString();
    const NeonView cleanView = neonView(clean);
    QStringList bad;
    forEachMutant(clean, qHash(QFileInfo(layer).fileName()) + 1, count / 6, [&](const Mutant &m) {
        MemorySink sink;
        const SalvageResult r = salvageLayer(ViewSource(m.bytes), name, sink);
        if (!r.written)
            return;
        ValidateOptions vo;
        vo.fileName = r.summary.impliedName().canonical();
        const ValidationReport check = validateLayer(sink.data(), vo);
        if (check.errors + check.warnings)
            bad << QString::fromStdString(m.what + ": " + check.problems.front().message);
        // Exit 0 (nothing dropped or repaired) promises the entries are the original's, except
        // where the mutation touched only bytes no check can see.
        const NeonView out = neonView(sink.data()), mutant = neonView(m.bytes);
        const bool undetectable = mutant.readable
                                  && (mutant.structure == cleanView.structure || validKeySwap(cleanView, mutant));
        if (r.lossless() && out.entries != cleanView.entries && !(undetectable && out.entries == mutant.entries))
            bad << QString::fromStdString(m.what + ": salvage lost nothing, yet its entries differ");
    });
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join("\n")));
}

QTEST_GUILESS_MAIN(TestMutation)
#include "tst_mutation.moc"
