#include <layerscope/format/layer_name.h>

#include <fmt/format.h>

namespace layerscope {

namespace {
bool isUpperHex(std::string_view s)
{
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
            return false;
    return true;
}
bool isLowerHex(std::string_view s)
{
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}
bool fail(std::string *why, std::string text)
{
    if (why)
        *why = std::move(text);
    return false;
}
bool parseLsn16(std::string_view s, Lsn &out, std::string *why, const char *what)
{
    if (s.size() != 16 || !isUpperHex(s))
        return fail(why, fmt::format("{} must be 16 uppercase hex digits, found \"{}\"", what, s));
    out = *Lsn::parseHex(s);
    return true;
}
bool parseGeneration(std::string_view s, std::uint32_t &gen, std::string *why)
{
    if (s.size() != 8 || !isLowerHex(s))
        return fail(why, fmt::format("generation must be 8 lowercase hex digits, found \"{}\"", s));
    gen = std::uint32_t(Lsn::parseHex(s)->value);
    return true;
}
} // namespace

std::optional<LayerName> LayerName::parse(std::string_view name, std::string *why)
{
    LayerName n;
    // Temporary / download trailers.
    constexpr std::string_view kDownload = ".temp_download";
    constexpr std::string_view kTemp = ".___temp";
    if (name.ends_with(kDownload)) {
        n.tempSuffix = std::string(name.substr(name.size() - kDownload.size()));
        name.remove_suffix(kDownload.size());
    } else if (name.ends_with(kTemp)) {
        const std::string_view head = name.substr(0, name.size() - kTemp.size());
        const auto dot = head.rfind('.');
        if (dot == std::string_view::npos || dot + 1 == head.size()) {
            fail(why, "temporary name lacks its \".<id>.___temp\" trailer");
            return std::nullopt;
        }
        n.tempSuffix = std::string(name.substr(dot));
        name = head.substr(0, dot);
    }

    const auto sep = name.find("__");
    if (sep == std::string_view::npos) {
        fail(why, "no \"__\" between the key range and the LSN part");
        return std::nullopt;
    }
    const std::string_view keys = name.substr(0, sep);
    std::string_view rest = name.substr(sep + 2);
    if (keys.size() != 73 || keys[36] != '-') {
        fail(why, "key range must be <36 hex>-<36 hex>");
        return std::nullopt;
    }
    const auto ks = keys.substr(0, 36), ke = keys.substr(37);
    if (!isUpperHex(ks) || !isUpperHex(ke)) {
        fail(why, fmt::format("keys must be uppercase hex, found \"{}\"", keys));
        return std::nullopt;
    }
    n.keyStart = *Key::fromHex(ks);
    n.keyEnd = *Key::fromHex(ke);

    if (!parseLsn16(rest.substr(0, 16), n.lsnStart, why, "LSN"))
        return std::nullopt;
    rest.remove_prefix(std::min<std::size_t>(16, rest.size()));
    n.kind = LayerKind::Image;
    if (rest.size() >= 17 && rest[0] == '-' && isUpperHex(rest.substr(1, 16))
        && (rest.size() == 17 || rest[17] == '-')) {
        n.kind = LayerKind::Delta;
        if (!parseLsn16(rest.substr(1, 16), n.lsnEnd, why, "LSN end"))
            return std::nullopt;
        rest.remove_prefix(17);
    }
    if (rest.starts_with("-v1-")) {
        n.suffix = Suffix::Generation;
        if (!parseGeneration(rest.substr(4), n.generation, why))
            return std::nullopt;
    } else if (rest.starts_with("-")) {
        n.suffix = Suffix::Legacy;
        if (!parseGeneration(rest.substr(1), n.generation, why))
            return std::nullopt;
    } else if (!rest.empty()) {
        fail(why, fmt::format("unexpected trailer \"{}\"", rest));
        return std::nullopt;
    }
    if (n.kind == LayerKind::Delta) {
        if (!(n.keyStart < n.keyEnd)) {
            fail(why, "delta key range start must be below its end");
            return std::nullopt;
        }
        if (!(n.lsnStart < n.lsnEnd)) {
            fail(why, "delta LSN range start must be below its end");
            return std::nullopt;
        }
    }
    return n;
}

std::string LayerName::canonical() const
{
    if (kind == LayerKind::Image)
        return fmt::format("{}-{}__{}", keyStart.toHex(), keyEnd.toHex(), lsnStart.toHex());
    return fmt::format("{}-{}__{}-{}", keyStart.toHex(), keyEnd.toHex(), lsnStart.toHex(),
                       lsnEnd.toHex());
}

std::string LayerName::toString() const
{
    std::string s = canonical();
    switch (suffix) {
    case Suffix::None: break;
    case Suffix::Generation: s += fmt::format("-v1-{:08x}", generation); break;
    case Suffix::Legacy: s += fmt::format("-{:08x}", generation); break;
    }
    return s + tempSuffix;
}

} // namespace layerscope
