#pragma once

// The full-page image a WAL record carries for one block: its hole and its compression
// (pglz, LZ4, zstd), restored as Postgres's RestoreBlockImage restores it.

#include <layerscope/base/bytes.h>
#include <layerscope/base/error.h>
#include <layerscope/format/xlog_record.h>

namespace layerscope::redo {

/// Restores block `b`'s image of record `rec` (decoded with base 0) into `page` (resized to
/// 8192 bytes); `imageFlagsOf` is XLogRecordDecoded::imageFlagsOf (14 or 15: which bits name
/// the compression). Errors name the image's offset in the record: no image, a compression method
/// the record does not name, a stream that does not decompress to 8192 bytes less the hole.
Status restoreBlockImage(Bytes rec, const XLogBlockRef &b, int imageFlagsOf, ByteVector &page);

/// pglz_decompress with check_complete: `out.size()` bytes exactly from `in`; false when the
/// stream is malformed or does not fill `out` exactly.
bool pglzDecompress(Bytes in, std::span<std::uint8_t> out);
/// LZ4 block format: `out.size()` bytes exactly; false when malformed or short.
bool lz4Decompress(Bytes in, std::span<std::uint8_t> out);

} // namespace layerscope::redo
