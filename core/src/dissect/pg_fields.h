#pragma once

// The Postgres structures inside a layer's values, as fields: an 8 KiB page (header, line
// pointers, heap or index tuples, btree special space) and a whole WAL record (header, block
// references, images, main data). Private to dissect/; dissectPgPage is their public face.

#include <layerscope/dissect/dissect.h>

namespace layerscope {

/// Lays `page` (8192 bytes at `base`) out as children of `into` and sets its detail line.
/// `decompressed`: the offsets are in a decompressed payload's space, not the file's.
void dissectPage(Field &into, Bytes page, FileOffset base, bool decompressed);
/// Lays the XLogRecord `rec` (at `base`) out as children of `into` and sets its detail line;
/// a record that does not decode keeps what was read and names the error.
void dissectXLogRecord(Field &into, Bytes rec, FileOffset base, bool decompressed);

} // namespace layerscope
