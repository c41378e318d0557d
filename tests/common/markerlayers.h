#pragma once
// A timeline whose user data carries a marker string: a heap page whose tuple holds it (image
// layer), a heap insert record whose tuple is it and an aux file whose content is it (delta
// layer). What may leave a region under --redact must never contain the marker.

#include "testutil.h"

#include <layerscope/format/layer_name.h>
#include <layerscope/write/synth.h>
#include <layerscope/write/writer.h>

#include <QDir>

namespace markerlayers {

using namespace layerscope;

inline const QByteArray kMarker = QByteArrayLiteral("SECRET-TUPLE-7f3a9c");
inline const Key kBlock = Key::fromFields(0, 1663, 5, 16384, 0, 3);
inline const Key kAux = Key::auxFile("pg_logical/replorigin_checkpoint");

/// A heap page at `lsn` with one normal tuple whose data is the marker, repeated.
inline ByteVector heapPage(std::uint64_t lsn)
{
    const std::uint16_t len = 24 + 4 * std::uint16_t(kMarker.size());
    const std::uint16_t upper = kBlockSize - len;
    ByteVector p = testutil::pgPage(lsn, 28, upper);
    const std::uint32_t lp = upper | (1u << 15) | (std::uint32_t(len) << 17);
    for (int i = 0; i < 4; ++i)
        p[24 + std::size_t(i)] = std::uint8_t(lp >> (8 * i));
    p[upper + 22] = 24; // t_hoff
    for (int r = 0; r < 4; ++r)
        std::copy(kMarker.begin(), kMarker.end(), p.begin() + upper + 24 + r * kMarker.size());
    return p;
}

inline QString write(const QString &dir,
                     LayerName name,
                     const std::function<void(LayerWriter &)> &fill)
{
    Summary s = testutil::testSummary(name.kind);
    s.keyStart = name.keyStart;
    s.keyEnd = name.keyEnd;
    s.lsnStart = name.lsnStart;
    s.lsnEnd = name.kind == LayerKind::Delta ? name.lsnEnd : Lsn{name.lsnStart.value + 1};
    MemorySink sink;
    LayerWriter w(s, sink);
    fill(w);
    if (!w.finish())
        qFatal("finishing a marker layer failed");
    const QString path = dir + '/' + QString::fromStdString(name.canonical());
    if (!testutil::writeFile(path, Bytes(sink.data().data(), sink.data().size())))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

struct Layers
{
    QString image, delta;
};

/// The two layers, in `dir` (a timeline directory).
inline Layers write(const QString &dir)
{
    LayerName image;
    image.kind = LayerKind::Image;
    image.keyStart = kBlock;
    image.keyEnd = *kBlock.next();
    image.lsnStart = Lsn{0x1000};
    LayerName delta = image;
    delta.kind = LayerKind::Delta;
    delta.keyEnd = *kAux.next();
    delta.lsnStart = Lsn{0x1000};
    delta.lsnEnd = Lsn{0x3000};
    Layers out;
    out.image = write(dir, image, [](LayerWriter &w) {
        if (!w.addImage(kBlock, heapPage(0x1000)))
            qFatal("adding the page failed");
    });
    out.delta = write(dir, delta, [](LayerWriter &w) {
        ByteVector tuple(24, 0);
        tuple.insert(tuple.end(), kMarker.begin(), kMarker.end());
        Value insert;
        insert.v = NeonWalRecord{
            wal::Postgres{false,
                          Synth::walRecord(10, 0x00, 700, Lsn{0x2000}, kBlock, false, tuple)}};
        Value aux;
        aux.v = NeonWalRecord{wal::AuxFile{"pg_logical/replorigin_checkpoint",
                                           ByteVector(kMarker.begin(), kMarker.end())}};
        if (!w.addDelta(kBlock, Lsn{0x2000}, insert) || !w.addDelta(kAux, Lsn{0x2008}, aux))
            qFatal("adding a record failed");
    });
    return out;
}

} // namespace markerlayers
