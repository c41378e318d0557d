#include <layerscope/format/lsn.h>
#include <layerscope/format/sparse_value.h>

#include <fmt/format.h>

namespace layerscope {

namespace {

constexpr std::uint8_t kAuxEncodingVersion = 0x01; // aux_file.rs
constexpr std::uint8_t kRelExistsMarker = 'r';     // key.rs: RelDirExists::Exists

/// The aux v2 value: a version byte, then (u32 BE path length, path, u32 BE content length,
/// content) per file; empty: no files.
void decodeAux(Bytes v, SparseValue &out)
{
    if (v[0] != kAuxEncodingVersion) {
        out.error = fmt::format("encoding version {} (Neon writes {})", v[0], kAuxEncodingVersion);
        return;
    }
    std::size_t at = 1;
    while (at < v.size()) {
        if (v.size() - at < 4) {
            out.error = fmt::format("a path length cut short at byte {}", at);
            return;
        }
        const std::uint32_t pathLen = readBe32(v.data() + at);
        if (v.size() - at - 4 < pathLen + std::uint64_t(4)) {
            out.error = fmt::format("a path of {} bytes at byte {} runs past the value",
                                    pathLen,
                                    at);
            return;
        }
        std::string path(reinterpret_cast<const char *>(v.data() + at + 4), pathLen);
        at += 4 + pathLen;
        const std::uint32_t contentLen = readBe32(v.data() + at);
        if (v.size() - at - 4 < contentLen) {
            out.error = fmt::format("the content of {} ({} bytes) runs past the value",
                                    path,
                                    contentLen);
            return;
        }
        at += 4 + contentLen;
        out.auxFiles.emplace_back(std::move(path), contentLen);
    }
    out.meaning = fmt::format("aux files: {}", out.auxFiles.size());
}

} // namespace

std::optional<SparseValue> decodeSparseValue(const Key &key, Bytes v)
{
    SparseValue out;
    const KeyClass c = key.keyClass();
    const bool sparse = key.field1() >= 0x60 && key.field1() < 0x7F;
    if (sparse && v.empty()) {
        out.tombstone = true;
        out.meaning = "tombstone: the key is deleted (an empty value in the sparse keyspace)";
        return out;
    }
    switch (c) {
    case KeyClass::RelSize:
    case KeyClass::SlruSegSize:
        if (v.size() != 4)
            out.error = fmt::format("{} bytes (Neon writes a 4-byte block count)", v.size());
        else
            out.meaning = fmt::format("{} size: {} blocks",
                                      c == KeyClass::RelSize ? "relation" : "SLRU segment",
                                      readLe32(v.data()));
        return out;
    case KeyClass::ReplOrigin:
        if (v.size() != 8) {
            out.error = fmt::format("{} bytes (Neon writes an 8-byte LSN)", v.size());
        } else {
            const Lsn lsn{readBe64(v.data())};
            out.meaning = lsn.value ? fmt::format("replication origin {}: remote LSN {}",
                                                  key.field6(),
                                                  lsn.toString())
                                    : fmt::format("replication origin {}: dropped (LSN 0/0)",
                                                  key.field6());
        }
        return out;
    case KeyClass::RelDirV2:
        if (v.size() == 1 && v[0] == kRelExistsMarker)
            out.meaning = fmt::format("relation {}/{}/{} fork {} exists",
                                      key.field2(),
                                      key.field3(),
                                      key.field4(),
                                      key.field5());
        else
            out.error = fmt::format("{} bytes (Neon writes \"r\", or nothing for a removed "
                                    "relation)",
                                    v.size());
        return out;
    case KeyClass::AuxV2: decodeAux(v, out); return out;
    default: return std::nullopt;
    }
}

} // namespace layerscope
