#include "json.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <charconv>
#include <cstdio>
#include <iterator>

namespace layerscope::cli {

std::string sha256Hex(Bytes bytes)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    return toHex(Bytes(md, len));
}

Sha256::Sha256()
    : m_ctx(EVP_MD_CTX_new())
{}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(m_ctx));
}

void Sha256::appendHex(Bytes bytes, std::string &out)
{
    auto *ctx = static_cast<EVP_MD_CTX *>(m_ctx);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // Fetched once: EVP_sha256() looks the algorithm up (under a lock) on every init.
    static EVP_MD *const md256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_DigestInit_ex(ctx, md256, nullptr);
    EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
    EVP_DigestFinal_ex(ctx, md, &len);
    layerscope::appendHex(out, Bytes(md, len));
}

namespace {

/// A JSON string as nlohmann's dump writes it (ensure_ascii off): quote, backslash and control
/// characters escaped, everything else as is.
void appendString(std::string &out, std::string_view s)
{
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned char>(c));
            else
                out += c;
        }
    }
    out += '"';
}

void appendNumber(std::string &out, std::uint64_t v)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void appendBool(std::string &out, bool v)
{
    out += v ? "true" : "false";
}

} // namespace

void appendEntryLine(std::string &out, const Layer &layer, const Entry &entry,
                     const EntryView &d, bool withZstd, Sha256 &sha)
{
    out += "{\"key\":\"";
    appendHex(out, entry.key.bytes, true);
    out += "\",\"offset\":";
    appendNumber(out, entry.blobOffset);
    out += ",\"kind\":";
    appendString(out, d.kind);
    out += ",\"len\":";
    appendNumber(out, d.content.size());
    out += ",\"sha256\":\"";
    sha.appendHex(d.content, out);
    out += '"';
    if (layer.kind() == LayerKind::Delta) {
        out += ",\"lsn\":\"";
        std::uint8_t lsn[8];
        for (int i = 0; i < 8; ++i)
            lsn[i] = std::uint8_t(entry.lsn.value >> (56 - 8 * i));
        appendHex(out, Bytes(lsn, 8), true);
        out += "\",\"will_init\":";
        appendBool(out, entry.willInit);
        out += ",\"blob_len\":";
        appendNumber(out, d.payload.size());
        out += ",\"value_will_init\":";
        appendBool(out, d.valueWillInit);
        if (d.pgWillInit) {
            out += ",\"pg_will_init\":";
            appendBool(out, *d.pgWillInit);
        }
    }
    if (withZstd) {
        out += ",\"zstd\":";
        appendBool(out, d.header.compression == Compression::Zstd);
    }
    out += "}\n";
}

std::string jsonLine(const Json &object)
{
    return object.dump(-1, ' ', false, Json::error_handler_t::replace) + '\n';
}

void printJson(const Json &object)
{
    const std::string line = jsonLine(object);
    std::fwrite(line.data(), 1, line.size(), stdout);
}

Json summaryJson(const Layer &layer, const std::vector<std::uint64_t> &levels)
{
    const Summary &s = layer.summary();
    Json o;
    o["layer"] = s.kind == LayerKind::Image ? "image" : "delta";
    o["magic"] = fmt::format("0x{:04X}", s.magic);
    o["format_version"] = s.formatVersion;
    o["tenant_id"] = s.tenant.toHex();
    o["timeline_id"] = s.timeline.toHex();
    o["key_range"] = {{"start", s.keyStart.toHex()}, {"end", s.keyEnd.toHex()}};
    if (s.kind == LayerKind::Image)
        o["lsn"] = s.lsnStart.toHex();
    else
        o["lsn_range"] = {{"start", s.lsnStart.toHex()}, {"end", s.lsnEnd.toHex()}};
    o["index_start_blk"] = s.indexStartBlk;
    o["index_root_blk"] = s.indexRootBlk;
    o["btree_depth"] = levels.size();
    o["nodes_per_level_root_first"] = levels;
    o["file_size"] = layer.fileSize();
    o["summary_len"] = s.encodedLen();
    return o;
}

Json entryJson(const Layer &layer, const Entry &entry, const EntryView &d, bool withZstd)
{
    std::string line;
    Sha256 sha;
    appendEntryLine(line, layer, entry, d, withZstd, sha);
    return Json::parse(line);
}

} // namespace layerscope::cli
