#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace layerscope {

/// Postgres WAL position.
struct Lsn
{
    std::uint64_t value = 0;

    static constexpr std::uint64_t kMax = ~std::uint64_t(0);

    /// "HI/LO" (uppercase hex, unpadded), e.g. "178/B8B10551".
    std::string toString() const;
    /// 16 uppercase zero-padded hex digits (file-name form).
    std::string toHex() const;
    /// "X/Y" form (each half 1-8 hex digits), whitespace trimmed.
    static std::optional<Lsn> parseDisplay(std::string_view text);
    /// 1-16 hex digits (Neon's from_hex).
    static std::optional<Lsn> parseHex(std::string_view text);
    /// Either form: contains '/' → display form, otherwise hex.
    static std::optional<Lsn> parse(std::string_view text);

    auto operator<=>(const Lsn &) const = default;
};

} // namespace layerscope
