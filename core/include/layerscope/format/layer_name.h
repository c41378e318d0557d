#pragma once

#include <layerscope/format/key.h>
#include <layerscope/format/lsn.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace layerscope {

enum class LayerKind { Image, Delta };

/// A parsed layer file name (FORMAT.md §10).
struct LayerName
{
    enum class Suffix {
        None,        ///< canonical name
        Generation,  ///< "-v1-xxxxxxxx" (local, HEAD)
        Legacy,      ///< "-xxxxxxxx" (remote object name)
    };

    LayerKind kind = LayerKind::Image;
    Key keyStart;
    Key keyEnd;
    Lsn lsnStart;  ///< image: the image LSN
    Lsn lsnEnd;    ///< delta only (exclusive)
    Suffix suffix = Suffix::None;
    std::uint32_t generation = 0;
    /// ".<counter>.___temp" / ".temp_download" trailer, if any (kept verbatim).
    std::string tempSuffix;

    /// Strict parse: uppercase 36-hex keys and 16-hex LSNs, 8 lowercase-hex generation,
    /// key start < end, delta LSN start < end. Returns an explanation on failure.
    static std::optional<LayerName> parse(std::string_view name, std::string *why = nullptr);

    /// Canonical name without any suffix.
    std::string canonical() const;
    /// The full name with suffixes as parsed.
    std::string toString() const;

    bool operator==(const LayerName &) const = default;
};

} // namespace layerscope
