#include <layerscope/dissect/find.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fmt/format.h>

namespace layerscope {

namespace {

constexpr std::uint64_t kChunk = 64ull << 20;

/// First match starting in [begin, end) (the match itself may run past end).
std::optional<std::uint64_t> firstIn(Bytes hay, Bytes needle, std::uint64_t begin,
                                     std::uint64_t end)
{
    const std::uint64_t stop = std::min<std::uint64_t>(end + needle.size() - 1, hay.size());
    if (begin >= stop || stop - begin < needle.size())
        return std::nullopt;
    const void *hit = memmem(hay.data() + begin, stop - begin, needle.data(), needle.size());
    if (!hit)
        return std::nullopt;
    return std::uint64_t(static_cast<const std::uint8_t *>(hit) - hay.data());
}

/// Last match starting in [begin, end), searched from the end.
std::optional<std::uint64_t> lastIn(Bytes hay, Bytes needle, std::uint64_t begin,
                                    std::uint64_t end)
{
    const std::uint64_t stop = std::min<std::uint64_t>(end + needle.size() - 1, hay.size());
    if (begin >= stop || stop - begin < needle.size())
        return std::nullopt;
    const auto first = hay.begin() + std::ptrdiff_t(begin);
    const auto last = hay.begin() + std::ptrdiff_t(stop);
    const auto hit = std::find_end(first, last, needle.begin(), needle.end());
    if (hit == last)
        return std::nullopt;
    return std::uint64_t(hit - hay.begin());
}

} // namespace

Result<ByteVector> parseFindPattern(std::string_view text, FindMode mode)
{
    ByteVector out;
    if (mode == FindMode::Text) {
        out.assign(text.begin(), text.end());
        if (out.empty())
            return makeError(0, "text to find", "nothing");
        return out;
    }
    int high = -1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == ':' || c == '\t')
            continue;
        if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')
            && high < 0) {
            ++i;
            continue;
        }
        const int v = hexDigit(c);
        if (v < 0)
            return makeError(i, "hex digits",
                             fmt::format("'{}' at character {}",
                                         std::isprint(static_cast<unsigned char>(c)) ? c : '?',
                                         i + 1));
        if (high < 0) {
            high = v;
        } else {
            out.push_back(std::uint8_t(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0)
        return makeError(text.size(), "hex digits in pairs", "an odd number of digits");
    if (out.empty())
        return makeError(0, "hex digits", "nothing");
    return out;
}

std::optional<std::uint64_t> findBytes(Bytes hay, Bytes needle, std::uint64_t from,
                                       bool backward, const FindProgress &progress,
                                       bool *cancelled)
{
    if (cancelled)
        *cancelled = false;
    if (needle.empty() || needle.size() > hay.size())
        return std::nullopt;
    from = std::min<std::uint64_t>(from, hay.size());
    // Two ranges of start positions: from `from` to the end, then the part before it
    // (backward: before `from` going down, then the rest from the end down).
    const std::uint64_t total = hay.size();
    std::uint64_t done = 0;
    auto step = [&](std::uint64_t length) {
        done += length;
        if (progress && !progress(std::min(done, total), total)) {
            if (cancelled)
                *cancelled = true;
            return false;
        }
        return true;
    };
    if (!backward) {
        for (const auto &[begin, end] : {std::pair{from, total}, std::pair{std::uint64_t(0), from}}) {
            for (std::uint64_t at = begin; at < end; at += kChunk) {
                const std::uint64_t chunkEnd = std::min(end, at + kChunk);
                if (auto hit = firstIn(hay, needle, at, chunkEnd))
                    return hit;
                if (!step(chunkEnd - at))
                    return std::nullopt;
            }
        }
        return std::nullopt;
    }
    for (const auto &[begin, end] : {std::pair{std::uint64_t(0), from}, std::pair{from, total}}) {
        for (std::uint64_t at = end; at > begin;) {
            const std::uint64_t chunkBegin = at - std::min(at - begin, kChunk);
            if (auto hit = lastIn(hay, needle, chunkBegin, at))
                return hit;
            if (!step(at - chunkBegin))
                return std::nullopt;
            at = chunkBegin;
        }
    }
    return std::nullopt;
}

} // namespace layerscope
