#include <layerscope/timeline/index_part.h>

#include <layerscope/base/bytes.h>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace layerscope {

namespace {

using Json = nlohmann::json;

Error fieldError(std::string expected, std::string found)
{
    return makeError(0, std::move(expected), std::move(found));
}

std::optional<Lsn> lsnField(const Json &o, const char *name)
{
    const auto it = o.find(name);
    if (it == o.end() || !it->is_string())
        return std::nullopt;
    return Lsn::parse(it->get<std::string>());
}

// The binary TimelineMetadata of versions 1 to 6: an 8-byte header (crc32, size, format
// version), then the BeSer body: disk_consistent_lsn, prev_record_lsn (Option), ancestor_timeline
// (Option<16 bytes>), ancestor_lsn, latest_gc_cutoff_lsn, initdb_lsn, and pg_version (u32) from
// format version 4 on.
std::optional<std::string> readBinaryMetadata(const Json &array, IndexPart &out)
{
    ByteVector b;
    for (const Json &v : array) {
        if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 255)
            return "metadata_bytes: expected bytes (0 to 255)";
        b.push_back(std::uint8_t(v.get<std::uint64_t>()));
    }
    std::size_t at = 8;
    const auto need = [&](std::size_t n) { return at + n <= b.size(); };
    const auto lsn = [&] {
        const Lsn l{readBe64(&b[at])};
        at += 8;
        return l;
    };
    if (b.size() < 8)
        return fmt::format("metadata_bytes: expected at least 8 header bytes, found {}", b.size());
    const std::uint16_t format = readBe16(&b[6]);
    if (!need(8 + 1))
        return "metadata_bytes: the body ends before prev_record_lsn";
    out.diskConsistentLsn = lsn();
    if (b[at++] == 1) {
        if (!need(8))
            return "metadata_bytes: the body ends inside prev_record_lsn";
        at += 8;
    }
    if (!need(1))
        return "metadata_bytes: the body ends before ancestor_timeline";
    if (b[at++] == 1) {
        if (!need(16))
            return "metadata_bytes: the body ends inside ancestor_timeline";
        out.ancestorTimeline = Id128::fromBytes(&b[at]).toHex();
        at += 16;
    }
    if (!need(24))
        return "metadata_bytes: the body ends before ancestor_lsn, latest_gc_cutoff_lsn and "
               "initdb_lsn";
    out.ancestorLsn = lsn();
    out.gcCutoff = lsn();
    lsn(); // initdb_lsn
    if (format >= 4 && need(4))
        out.pgVersion = readBe32(&b[at]);
    return std::nullopt;
}

} // namespace

Result<IndexPart> parseIndexPart(std::string_view text)
{
    Json j;
    try {
        j = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error &e) {
        return makeError(e.byte > 0 ? e.byte - 1 : 0,
                         "index_part.json: valid JSON",
                         std::string(e.what()).substr(std::string(e.what()).find(']') + 2));
    }
    if (!j.is_object())
        return fieldError("index_part.json: a JSON object", std::string(j.type_name()));
    const auto meta = j.find("layer_metadata");
    if (meta == j.end() || !meta->is_object())
        return fieldError("index_part.json: an object \"layer_metadata\"",
                          meta == j.end() ? "none" : std::string(meta->type_name()));
    IndexPart out;
    if (const auto v = j.find("version"); v != j.end() && v->is_number_unsigned())
        out.version = v->get<std::uint64_t>();
    for (const auto &[name, m] : meta->items()) {
        ListedLayer l{name, 0, std::nullopt, {}};
        const auto size = m.is_object() ? m.find("file_size") : m.end();
        if (!m.is_object() || size == m.end() || !size->is_number_unsigned())
            return fieldError(
                fmt::format("layer_metadata[\"{}\"]: an object with an unsigned \"file_size\"",
                            name),
                m.dump());
        l.fileSize = size->get<std::uint64_t>();
        if (const auto g = m.find("generation"); g != m.end() && g->is_number_unsigned())
            l.generation = std::uint32_t(g->get<std::uint64_t>());
        if (const auto s = m.find("shard"); s != m.end() && s->is_string())
            l.shard = s->get<std::string>();
        out.layers.push_back(std::move(l));
    }
    out.diskConsistentLsn = lsnField(j, "disk_consistent_lsn");
    auto md = j.find("metadata_bytes");
    if (md == j.end())
        md = j.find("metadata");
    if (md != j.end() && md->is_array()) {
        if (auto why = readBinaryMetadata(*md, out))
            return fieldError("index_part.json: the binary timeline metadata", *why);
    } else if (md != j.end() && md->is_object()) {
        out.diskConsistentLsn = lsnField(*md, "disk_consistent_lsn");
        out.gcCutoff = lsnField(*md, "latest_gc_cutoff_lsn");
        out.ancestorLsn = lsnField(*md, "ancestor_lsn");
        if (const auto a = md->find("ancestor_timeline"); a != md->end() && a->is_string())
            out.ancestorTimeline = a->get<std::string>();
        if (const auto p = md->find("pg_version"); p != md->end() && p->is_number_unsigned())
            out.pgVersion = std::uint32_t(p->get<std::uint64_t>());
    }
    return out;
}

Result<IndexPart> readIndexPart(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return pathError("a readable file", std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return parseIndexPart(text.str());
}

std::optional<std::uint64_t> indexPartOrder(std::string_view name)
{
    constexpr std::string_view base = "index_part.json";
    if (name == base)
        return 0;
    if (name.size() != base.size() + 9 || name.substr(0, base.size()) != base
        || name[base.size()] != '-')
        return std::nullopt;
    std::uint64_t g = 0;
    for (char c : name.substr(base.size() + 1)) {
        const int d = hexDigit(c);
        if (d < 0)
            return std::nullopt;
        g = g * 16 + std::uint64_t(d);
    }
    return g + 1;
}

} // namespace layerscope
