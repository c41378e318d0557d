#pragma once

#include <layerscope/base/bytes.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/summary.h>
#include <layerscope/write/synth.h>
#include <layerscope/write/writer.h>

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace testutil {

/// Finishes `writer` into `sink` and opens the result; a failure ends the test run.
inline layerscope::Layer finishAndOpen(layerscope::LayerWriter &writer, layerscope::MemorySink &sink)
{
    if (!writer.finish())
        qFatal("writing the layer failed");
    auto layer = layerscope::Layer::open(std::make_shared<layerscope::MemorySource>(sink.data()));
    if (!layer)
        qFatal("%s", layer.error().message().c_str());
    return *layer;
}

/// A copy of `layer` whose root node says suffix_len 5 (no longer the key width): the layer
/// opens, its index cannot be walked. `*root` gets the root node's offset.
inline layerscope::Layer withDamagedRoot(const layerscope::Layer &layer, layerscope::FileOffset *root)
{
    layerscope::ByteVector bytes(layer.bytes().begin(), layer.bytes().end());
    *root = (std::uint64_t(layer.summary().indexStartBlk) + layer.summary().indexRootBlk) * 8192;
    bytes[*root + 4] = 5;
    auto bad = layerscope::Layer::open(std::make_shared<layerscope::MemorySource>(bytes));
    if (!bad)
        qFatal("%s", bad.error().message().c_str());
    return *bad;
}

/// A summary for generated layers: fixed ids, the whole key range, LSNs 0x1000..0x1000000.
inline layerscope::Summary testSummary(layerscope::LayerKind kind)
{
    layerscope::Summary s;
    s.kind = kind;
    s.tenant = *layerscope::Id128::fromHex("0123456789abcdef0123456789abcdef");
    s.timeline = *layerscope::Id128::fromHex("fedcba9876543210fedcba9876543210");
    s.keyStart = layerscope::Key::min();
    s.keyEnd = layerscope::Key::max();
    s.lsnStart = layerscope::Lsn{0x1000};
    s.lsnEnd = layerscope::Lsn{0x1000000};
    return s;
}

/// An empty 8 KiB Postgres page: pd_lsn `lsn`, pd_lower, pd_upper and pd_special as given,
/// page size and layout version 4.
inline layerscope::ByteVector pgPage(std::uint64_t lsn,
                                     std::uint16_t lower = 24,
                                     std::uint16_t upper = 8192,
                                     std::uint16_t special = 8192)
{
    layerscope::ByteVector p(layerscope::kBlockSize, 0);
    auto le16 = [&p](std::size_t at, std::uint16_t v) {
        p[at] = std::uint8_t(v);
        p[at + 1] = std::uint8_t(v >> 8);
    };
    for (int i = 0; i < 4; ++i)
        p[std::size_t(i)] = std::uint8_t(lsn >> (32 + 8 * i));
    for (int i = 0; i < 4; ++i)
        p[std::size_t(4 + i)] = std::uint8_t(lsn >> (8 * i));
    le16(12, lower);
    le16(14, upper);
    le16(16, special);
    le16(18, 0x2004);
    return p;
}

inline QString sharedDir()
{
    return QStringLiteral(LAYERSCOPE_SHARED_DIR);
}

/// The Neon-written layer files of shared/fixtures/layers (names without extension).
inline QStringList fixtureLayers()
{
    QDir dir(sharedDir() + "/fixtures/layers");
    QStringList out;
    for (const QString &f : dir.entryList(QDir::Files, QDir::Name))
        if (!f.contains('.'))
            out << dir.filePath(f);
    return out;
}

/// Writes the demo layers into `dir`: [0] 2-level image, [1] zstd image, [2] 2-level delta.
/// Empty on failure.
inline QStringList demoLayers(const QString &dir)
{
    QStringList out;
    if (auto paths = layerscope::writeDemoLayers(dir.toStdString()))
        for (const auto &p : *paths)
            out << QString::fromStdString(p);
    return out;
}

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

/// Writes `bytes` to `path`, replacing it; false when it cannot.
inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}
inline bool writeFile(const QString &path, layerscope::Bytes bytes)
{
    return writeFile(path, QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())));
}

inline QList<QJsonObject> readJsonLines(const QString &path)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : readAll(path).split('\n'))
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    return out;
}

inline layerscope::ByteVector toVector(const QByteArray &a)
{
    return layerscope::ByteVector(a.begin(), a.end());
}

inline layerscope::ByteVector hexBytes(const char *hex)
{
    QByteArray a = QByteArray::fromHex(QByteArray(hex).replace(' ', ""));
    return toVector(a);
}

inline QString sha256(layerscope::Bytes b)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(QByteArrayView(b.data(), qsizetype(b.size())),
                                 QCryptographicHash::Sha256)
            .toHex());
}

} // namespace testutil
