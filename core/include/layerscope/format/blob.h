#pragma once

#include <layerscope/base/bytes.h>

#include <cstdint>

namespace layerscope {

enum class Compression : std::uint8_t { None, Zstd };

inline constexpr std::uint32_t kMaxBlobLenHead = 0x0FFF'FFFF;
/// Upper bound on a decompressed blob; larger frames are refused (bounded allocation).
inline constexpr std::uint64_t kMaxDecompressedLen = 0x1000'0000;

/// A decoded blob header (FORMAT.md §5.2).
struct BlobHeader
{
    FileOffset offset = 0;        ///< absolute offset of the header's first byte
    std::uint8_t headerLen = 1;   ///< 1 or 4
    std::uint64_t storedLen = 0;  ///< payload bytes on disk (compressed length for zstd)
    Compression compression = Compression::None;
    std::uint8_t bits = 0;        ///< high nibble of a 4-byte header (0x80 / 0x90)

    FileOffset payloadOffset() const { return offset + headerLen; }
    FileOffset end() const { return payloadOffset() + storedLen; }
};

/// Reads the header at `offset`; header and payload must lie inside [regionStart, regionEnd).
/// Reserved compression nibbles (0xA0..0xF0) and lengths past the region are errors.
Result<BlobHeader> readBlobHeader(Bytes file, FileOffset offset, FileOffset regionStart,
                                  FileOffset regionEnd);

/// The stored payload bytes (a view into the file).
Bytes storedPayload(Bytes file, const BlobHeader &header);

/// Payload after decompression, copied nowhere it need not be: a view into `file` for a plain
/// blob, or into `scratch` (overwritten) for a zstd one; valid while both live. Errors as
/// decodePayload's.
Result<Bytes> viewPayload(Bytes file, const BlobHeader &header, ByteVector &scratch);

/// Payload after decompression (copy). A broken zstd frame or one decompressing to more than
/// kMaxDecompressedLen is an error at the payload offset.
Result<ByteVector> decodePayload(Bytes file, const BlobHeader &header);

/// zstd decompression of a whole frame, bounded by `limit` output bytes.
Result<ByteVector> zstdDecompress(Bytes frame, FileOffset offset, std::uint64_t limit);
/// zstd compression at `level`.
ByteVector zstdCompress(Bytes data, int level = 1);

/// Appends header + payload as Neon's writer would. With Compression::Zstd the payload is
/// compressed and stored compressed only when shorter and at least 128 bytes long.
/// Returns the compression actually used. Payloads over kMaxBlobLenHead are the caller's error.
Compression appendBlob(ByteVector &out, Bytes payload, Compression requested);

} // namespace layerscope
