#pragma once
// A generated timeline directory whose read paths are known by construction (tst_timeline,
// tst_layerctl).

#include "testutil.h"

#include <layerscope/format/layer_name.h>
#include <layerscope/write/writer.h>

namespace timelinefixture {

using namespace layerscope;


/// Page 0 of clog segment `blk` (the records below are clog records, which apply to clog pages).
inline Key k(std::uint32_t blk)
{
    return Key::fromFields(1, 0, 1, blk, 0, 0);
}

inline Value image(std::uint8_t fill)
{
    Value v;
    v.v = ByteVector(8192, fill);
    return v;
}

/// A clog record for xid `x` of clog segment `segment` (the page of k(segment)).
inline Value record(std::uint32_t x, std::uint32_t segment = 0)
{
    Value v;
    v.v = NeonWalRecord{wal::ClogSetCommitted{{segment * 32 * 32768 + x}, 7}};
    return v;
}

struct Delta
{
    Key key;
    std::uint64_t lsn;
    Value value;
};

/// Writes a layer under its canonical name (or `fileName`) in `dir`; `summaryLsn` overrides
/// the summary's LSN (a summary that contradicts the name).
inline void write(const QString &dir, LayerName name, const std::vector<Delta> &values, std::uint64_t summaryLsn = 0,
           const QString &fileName = {})
{
    Summary s = testutil::testSummary(name.kind);
    s.keyStart = name.keyStart;
    s.keyEnd = name.keyEnd;
    s.lsnStart = summaryLsn ? Lsn{summaryLsn} : name.lsnStart;
    s.lsnEnd = name.kind == LayerKind::Delta ? name.lsnEnd : Lsn{s.lsnStart.value + 1};
    MemorySink sink;
    LayerWriter w(s, sink);
    for (const Delta &d : values) {
        const bool ok = name.kind == LayerKind::Image ? bool(w.addImage(d.key, d.value.image(), Compression::None))
                                                      : bool(w.addDelta(d.key, Lsn{d.lsn}, d.value));
        if (!ok)
            qFatal("adding a value failed");
    }
    if (!w.finish())
        qFatal("finishing the layer failed");
    const QString path = dir + '/' + (fileName.isEmpty() ? QString::fromStdString(name.canonical()) : fileName);
    if (!testutil::writeFile(path, Bytes(sink.data().data(), sink.data().size())))
        qFatal("cannot write %s", qPrintable(path));
}

inline LayerName imageName(Key from, Key to, std::uint64_t lsn)
{
    LayerName n;
    n.kind = LayerKind::Image;
    n.keyStart = from;
    n.keyEnd = to;
    n.lsnStart = Lsn{lsn};
    return n;
}

inline LayerName deltaName(Key from, Key to, std::uint64_t start, std::uint64_t end)
{
    LayerName n = imageName(from, to, start);
    n.kind = LayerKind::Delta;
    n.lsnEnd = Lsn{end};
    return n;
}

/// I1: image at 0x100 over [k0, k3) holding k0 and k1. D1: delta [0x100, 0x200) over every
/// key: k0 records at 0x110 and 0x120, k1 an image (will_init) at 0x150, k5 a record at 0x130.
/// I2: image at 0x200 over [k0, k1) holding k0. D2: delta [0x200, 0x300): k0 at 0x210, k5 at
/// 0x220. Plus a temp copy of D2, notes.txt, and an image named at 0x300 whose summary says 0x200.
inline void writeTimeline(const QString &dir)
{
    write(dir, imageName(k(0), k(3), 0x100), {{k(0), 0, image(1)}, {k(1), 0, image(2)}});
    write(dir, deltaName(Key::min(), Key::max(), 0x100, 0x200),
          {{k(0), 0x110, record(1)}, {k(0), 0x120, record(2)}, {k(1), 0x150, image(3)}, {k(5), 0x130, record(3, 5)}});
    write(dir, imageName(k(0), k(1), 0x200), {{k(0), 0, image(4)}});
    const LayerName d2 = deltaName(Key::min(), Key::max(), 0x200, 0x300);
    write(dir, d2, {{k(0), 0x210, record(4)}, {k(5), 0x220, record(5, 5)}});
    write(dir, d2, {{k(0), 0x210, record(9)}}, 0, QString::fromStdString(d2.canonical()) + ".1.___temp");
    write(dir, imageName(k(10), k(11), 0x300), {{k(10), 0, image(5)}}, 0x200);
    testutil::writeFile(dir + "/notes.txt", QByteArray("not a layer"));
}

} // namespace timelinefixture
