#pragma once

#include <layerscope/format/summary.h>
#include <layerscope/format/value.h>
#include <layerscope/write/writer.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace layerscope {

/// Generators of realistic layer content: Postgres heap pages with valid headers and line
/// pointers, XLogRecord-framed WAL records, and whole demo layers. Deterministic for a seed.
class Synth
{
public:
    explicit Synth(std::uint64_t seed) : m_rng(seed) {}

    /// An 8192-byte heap page with `tuples` tuples of about `tupleLen` bytes, pd_lsn = lsn,
    /// and a valid Postgres page checksum for block `blkno`.
    ByteVector heapPage(Lsn lsn, int tuples, int tupleLen, std::uint32_t blkno);
    /// A whole XLogRecord as Postgres writes it: header (rmgr/info, xid, xl_prev), one block
    /// reference to `block` (a relation block key; WILL_INIT with `willInit`) carrying the first
    /// half of `data`, the rest as main data, and a correct xl_crc. `storedAt` (a multiple of 8)
    /// is the LSN it is filed at, as Neon files it: the one just past its end; xl_prev points
    /// 64 bytes before its start.
    static ByteVector walRecord(std::uint8_t rmid, std::uint8_t info, std::uint32_t xid, Lsn storedAt,
                                const Key &block, bool willInit, Bytes data);
    /// `n` bytes from the generator.
    ByteVector randomBytes(std::size_t n);
    std::mt19937_64 &rng() { return m_rng; }

private:
    std::mt19937_64 m_rng;
};

/// Parameters of a generated large layer (layerctl synth, benchmarks).
struct SynthOptions
{
    LayerKind kind = LayerKind::Image;
    std::uint64_t targetBytes = 0;  ///< stop once the value area reaches this size (0: unused)
    std::uint64_t entries = 0;      ///< or stop after this many entries (0: unused)
    std::uint32_t valueSize = 0;    ///< image payload / average WAL record size (0: default)
    Compression compression = Compression::None;
    std::uint64_t seed = 1;
};

/// Streams a realistic large layer into `sink`: image layers hold 8 KiB heap pages of many
/// relations (valid headers and checksums); delta layers hold, per key, one page image
/// followed by heap WAL records of varied sizes at rising LSNs. `progress` gets the bytes
/// written so far and returns false to stop (an error "cancelled"). Memory: the index only.
Result<Summary> synthLayer(const SynthOptions &options, OutputSink &sink,
                           const std::function<bool(std::uint64_t)> &progress = {});

/// Writes the demo set into `dir`: an image layer (two relations, 2-level B-tree), a
/// zstd-compressed image layer, and an L0 delta layer with every value kind. Returns the
/// paths written, or the first error.
Result<std::vector<std::string>> writeDemoLayers(const std::string &dir);

/// Writes one layer atomically to `dir`/<canonical name><nameSuffix>; returns its path.
/// `fill` adds the entries to the writer.
Result<std::string> writeLayerFile(const std::string &dir, const Summary &summary,
                                   const std::function<Status(LayerWriter &)> &fill,
                                   const std::string &nameSuffix = {});

} // namespace layerscope
