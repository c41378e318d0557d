#pragma once

// FNV-1a, 64 bits: the one non-cryptographic hash (change detection, stable sharding,
// fingerprints), never for security.

#include <layerscope/base/bytes.h>

#include <cstdint>
#include <string_view>

namespace layerscope {

inline constexpr std::uint64_t kFnv1aOffset = 0xcbf29ce484222325ull;

/// FNV-1a of `data`, continuing from `h` (chain calls to hash several pieces as one).
inline std::uint64_t fnv1a(Bytes data, std::uint64_t h = kFnv1aOffset)
{
    for (const std::uint8_t c : data)
        h = (h ^ c) * 0x100000001b3ull;
    return h;
}

inline std::uint64_t fnv1a(std::string_view text, std::uint64_t h = kFnv1aOffset)
{
    return fnv1a(Bytes(reinterpret_cast<const std::uint8_t *>(text.data()), text.size()), h);
}

} // namespace layerscope
