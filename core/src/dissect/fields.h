#pragma once

// Building blocks of field trees, shared by the dissection of a layer's structures and of the
// Postgres structures inside its values. Private to dissect/.

#include <layerscope/dissect/dissect.h>

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace layerscope::dissect_fields {

inline Field leaf(std::string name, FileOffset offset, std::uint64_t length, std::string value)
{
    Field f;
    f.name = std::move(name);
    f.offset = offset;
    f.length = length;
    f.value = std::move(value);
    return f;
}

inline Field group(std::string name, FileOffset offset, std::uint64_t length, std::string value = {})
{
    return leaf(std::move(name), offset, length, std::move(value));
}

inline std::string hexShort(Bytes b, std::size_t max = 32)
{
    if (b.size() <= max)
        return toHex(b);
    return toHex(b.first(max)) + fmt::format("… ({} bytes)", b.size());
}

inline std::string bytesCount(std::uint64_t n)
{
    return n == 1 ? std::string("1 byte") : fmt::format("{} bytes", n);
}

/// The rest of a region that could not be laid out, named with the reason.
inline Field unparsed(FileOffset at, std::uint64_t length, std::string why)
{
    Field f = leaf("unparsed", at, length, bytesCount(length));
    f.error = std::move(why);
    return f;
}

inline Field padding(Bytes file, FileOffset at, std::uint64_t length)
{
    const Bytes b = file.subspan(at, length);
    const auto nonZero = std::size_t(
        std::count_if(b.begin(), b.end(), [](std::uint8_t c) { return c != 0; }));
    Field f = leaf("padding",
                   at,
                   length,
                   nonZero ? fmt::format("{}, {} non-zero", bytesCount(length), nonZero)
                           : fmt::format("{} of zeros", bytesCount(length)));
    return f;
}

} // namespace layerscope::dissect_fields
