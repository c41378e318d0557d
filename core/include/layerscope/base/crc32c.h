#pragma once

#include <layerscope/base/bytes.h>

#include <cstdint>

namespace layerscope {

/// CRC-32C (Castagnoli), as Postgres computes WAL record checksums: `crc32c(0, a)` is the
/// finished CRC of `a`, and `crc32c(crc32c(0, a), b)` that of a ‖ b. Uses the SSE 4.2 CRC
/// instruction when the CPU has it, a table otherwise; both give the same values.
std::uint32_t crc32c(std::uint32_t crc, Bytes bytes);

/// The table implementation alone (tests compare it with the instruction).
std::uint32_t crc32cPortable(std::uint32_t crc, Bytes bytes);

} // namespace layerscope
