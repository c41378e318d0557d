#include "json.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdio>

namespace layerscope::cli {

std::string sha256Hex(Bytes bytes)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    return toHex(Bytes(md, len));
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

Json entryJson(const Layer &layer, const Entry &entry, const EntryDetails &d, bool withZstd)
{
    Json o;
    o["key"] = entry.key.toHex();
    o["offset"] = entry.blobOffset;
    o["kind"] = d.kind;
    o["len"] = d.content.size();
    o["sha256"] = sha256Hex(d.content);
    if (layer.kind() == LayerKind::Delta) {
        o["lsn"] = entry.lsn.toHex();
        o["will_init"] = entry.willInit;
        o["blob_len"] = d.payloadLen;
        o["value_will_init"] = d.valueWillInit;
        if (d.pgWillInit)
            o["pg_will_init"] = *d.pgWillInit;
    }
    if (withZstd)
        o["zstd"] = d.header.compression == Compression::Zstd;
    return o;
}

} // namespace layerscope::cli
