#include <layerscope/format/lsn.h>

#include <fmt/format.h>

namespace layerscope {

std::string Lsn::toString() const
{
    return fmt::format("{:X}/{:X}", value >> 32, value & 0xFFFFFFFF);
}

std::string Lsn::toHex() const
{
    return fmt::format("{:016X}", value);
}

namespace {
std::optional<std::uint64_t> parseHexDigits(std::string_view s, std::size_t maxDigits)
{
    if (s.empty() || s.size() > maxDigits)
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return std::nullopt;
        v = (v << 4) | std::uint64_t(d);
    }
    return v;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}
} // namespace

std::optional<Lsn> Lsn::parseDisplay(std::string_view text)
{
    text = trim(text);
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos)
        return std::nullopt;
    const auto hi = parseHexDigits(text.substr(0, slash), 8);
    const auto lo = parseHexDigits(text.substr(slash + 1), 8);
    if (!hi || !lo)
        return std::nullopt;
    return Lsn{(*hi << 32) | *lo};
}

std::optional<Lsn> Lsn::parseHex(std::string_view text)
{
    const auto v = parseHexDigits(text, 16);
    if (!v)
        return std::nullopt;
    return Lsn{*v};
}

std::optional<Lsn> Lsn::parse(std::string_view text)
{
    return text.find('/') != std::string_view::npos ? parseDisplay(text) : parseHex(trim(text));
}

} // namespace layerscope
