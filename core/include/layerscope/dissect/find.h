#pragma once

#include <layerscope/base/bytes.h>

#include <functional>
#include <optional>
#include <string_view>

namespace layerscope {

/// What to look for in a file's bytes: text as typed (UTF-8) or hex digits.
enum class FindMode { Text, Hex };

/// The bytes a pattern stands for. Hex: pairs of digits of either case, with spaces, `:`
/// and `0x` prefixes ignored ("de ad", "0xDEAD", "de:ad"). The error says what is wrong and
/// at which character (offset = character index).
Result<ByteVector> parseFindPattern(std::string_view text, FindMode mode);

/// Gets (bytes searched, bytes to search); returns false to cancel.
using FindProgress = std::function<bool(std::uint64_t, std::uint64_t)>;

/// The first occurrence of `needle` in `hay` starting at `from` (forward), or the last one
/// starting before `from` (backward), wrapping around the end once. Searches in chunks, so
/// `progress` is called about every 64 MiB and a cancel stops within one chunk. nullopt when
/// the needle is empty, absent, or the search was cancelled (`*cancelled` says which).
std::optional<std::uint64_t> findBytes(Bytes hay, Bytes needle, std::uint64_t from,
                                       bool backward, const FindProgress &progress = {},
                                       bool *cancelled = nullptr);

} // namespace layerscope
