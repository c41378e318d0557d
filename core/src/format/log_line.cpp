#include <layerscope/format/key_input.h>
#include <layerscope/format/log_line.h>

#include <fmt/format.h>

#include <regex>

namespace layerscope {

namespace {

/// The first capture of the first pattern that matches, with the label it was found by.
struct Hit
{
    std::string value, value2, label;
};

std::optional<Hit> first(const std::string &text,
                         std::initializer_list<std::pair<const char *, const char *>> patterns)
{
    for (const auto &[pattern, label] : patterns) {
        std::smatch m;
        if (std::regex_search(text, m, std::regex(pattern, std::regex::icase)))
            return Hit{m[1].str(), m.size() > 2 ? m[2].str() : std::string(), label};
    }
    return std::nullopt;
}

// A field as text spans write it (name=value), as JSON does ("name":"value"), or with ": ".
#define FIELD(name) "\\b" name "\"?\\s*[=:]\\s*\"?"
constexpr const char *kHex32 = "([0-9a-f]{32})";

} // namespace

LogLocation parseLogLine(std::string_view input)
{
    const std::string line(input);
    LogLocation loc;
    const std::string layerPattern
        = "([0-9A-F]{36}-[0-9A-F]{36}__[0-9A-F]{16}(?:-[0-9A-F]{16})?(?:-[0-9a-f]{8})?)";
    if (auto h = first(line,
                       {{"\\b(?:layer|layer_file_name|name)\"?\\s*[=:]\\s*\"?([0-9A-F]{36}-[0-9A-F]"
                         "{36}__[0-9A-F]{16}(?:-[0-9A-F]{16})?(?:-[0-9a-f]{8})?)",
                         "layer="}}))
        loc.layer = h->value;
    else if (auto any = first(line, {{layerPattern.c_str(), "layer"}}))
        loc.layer = any->value;
    // The line without the layer's name: its keys and LSNs are not the request's.
    std::string rest = line;
    if (!loc.layer.empty())
        rest.replace(rest.find(loc.layer), loc.layer.size(), " ");

    const std::string t = kHex32;
    if (auto h = first(rest,
                       {{(FIELD("tenant_shard_id") + t + "(?:-([0-9a-f]{4}))?").c_str(), ""},
                        {(FIELD("tenant_id") + t).c_str(), ""},
                        {(FIELD("tenant") + t + "(?:-([0-9a-f]{4}))?").c_str(), ""},
                        {("tenants?/" + t + "(?:-([0-9a-f]{4}))?").c_str(), ""}})) {
        loc.tenant = h->value;
        if (!h->value2.empty())
            loc.shardSlug = h->value2;
    }
    if (auto h = first(rest,
                       {{FIELD("shard_id") "([0-9a-f]{4})\\b", ""},
                        {FIELD("shard") "([0-9a-f]{4})\\b", ""}}))
        loc.shardSlug = h->value;
    if (loc.shardSlug == "0000")
        loc.shardSlug = "";
    if (auto h = first(rest, {{"ShardNumber\\((\\d{1,3})\\)", ""}, {"\\[shard (\\d{1,3})\\b", ""}}))
        loc.shardNumber = std::uint8_t(std::stoul(h->value) & 0xFF);
    if (auto h = first(rest,
                       {{(FIELD("timeline_id") + t).c_str(), ""},
                        {(FIELD("timeline") + t).c_str(), ""},
                        {("timelines?/" + t).c_str(), ""}}))
        loc.timeline = h->value;

    // The key: a key field, the missing key of "could not find data", a walredo error's, a
    // relation and block, then any 36 hex digits left.
    if (auto h = first(rest,
                       {{FIELD("key") "\\[?([0-9A-F]{36})\\b", "key="},
                        {"could not find data for key \\[?([0-9A-F]{36})",
                         "could not find data for key"},
                        {"to key ([0-9A-F]{36})", "walredo's key"},
                        {"\\bkey ([0-9A-F]{36})\\b", "key"}}))
        loc.key = Key::fromHex(h->value), loc.keyFrom = h->label;
    if (!loc.key) {
        std::smatch m;
        // rel=1663/5/1259 blkno=3 (spans); "block 7 in rel 1663/16384/16385.0" (compute).
        if (std::regex_search(
                rest,
                m,
                std::regex(
                    "\\brel\\s*=\\s*(\\d+/\\d+/"
                    "\\d+(?:_(?:fsm|vm|init))?)[^\\n]*?\\b(?:blkno|blk|block)\\s*=\\s*(\\d+)"))) {
            loc.key = parseKeyInput(m[1].str() + " " + m[2].str());
            loc.keyFrom = "rel= blkno=";
        } else if (std::regex_search(
                       rest, m, std::regex("\\bblock (\\d+) in rel (\\d+/\\d+/\\d+)\\.(\\d)"))) {
            static constexpr const char *kForks[] = {"", "_fsm", "_vm", "_init"};
            const int fork = std::stoi(m[3].str());
            if (fork < 4)
                loc.key = parseKeyInput(m[2].str() + kForks[fork] + " " + m[1].str());
            loc.keyFrom = "block … in rel …";
        } else if (std::regex_search(rest, m, std::regex("\\b([0-9A-F]{36})\\b"))) {
            loc.key = Key::fromHex(m[1].str());
            loc.keyFrom = "a 36-digit key";
        }
        if (!loc.key)
            loc.keyFrom.clear();
    }

    const std::string lsn = "([0-9A-F]{1,8}/[0-9A-F]{1,8})\\b";
    if (auto h = first(rest,
                       {{(FIELD("req_lsn") + lsn).c_str(), "req_lsn="},
                        {("request LSN " + lsn).c_str(), "request LSN"},
                        {("requested at " + lsn).c_str(), "requested at"},
                        {(FIELD("request_lsn") + lsn).c_str(), "request_lsn="},
                        {(FIELD("lsn") + lsn).c_str(), "lsn="},
                        {("reconstruct page image at LSN " + lsn).c_str(), "walredo's LSN"},
                        {("from page server at lsn " + lsn).c_str(), "at lsn"},
                        {("\\bat LSN " + lsn).c_str(), "at LSN"},
                        {("HWM LSN " + lsn).c_str(), "HWM LSN"},
                        {("@ " + lsn).c_str(), "@ LSN"}}))
        if ((loc.lsn = Lsn::parseDisplay(h->value)))
            loc.lsnFrom = h->label;
    return loc;
}

#undef FIELD

std::string LogLocation::found() const
{
    std::vector<std::string> parts;
    if (!tenant.empty())
        parts.push_back("tenant " + tenant);
    if (shardSlug)
        parts.push_back(shardSlug->empty() ? std::string("unsharded") : "shard " + *shardSlug);
    else if (shardNumber)
        parts.push_back(fmt::format("shard number {}", *shardNumber));
    if (!timeline.empty())
        parts.push_back("timeline " + timeline);
    if (key)
        parts.push_back(fmt::format("key {} ({}, from {})", key->toHex(), key->describe(), keyFrom));
    if (lsn)
        parts.push_back(fmt::format("LSN {} (from {})", lsn->toString(), lsnFrom));
    if (!layer.empty())
        parts.push_back("layer " + layer);
    if (parts.empty())
        return "nothing Layerscope can place";
    std::string out;
    for (const std::string &p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

std::vector<std::string> LogLocation::missingForRead() const
{
    std::vector<std::string> out;
    if (!key)
        out.push_back("the key (key=…, rel=… blkno=…, or 36 hex digits)");
    if (!lsn)
        out.push_back("the LSN (req_lsn=…, lsn=…, \"at LSN …\")");
    return out;
}

} // namespace layerscope
