#include "layerscope/key.h"

#include <fmt/format.h>

#include <cstring>

namespace layerscope {

Key Key::fromBytes(const std::uint8_t *p)
{
    Key k;
    std::memcpy(k.bytes.data(), p, kSize);
    return k;
}

Key Key::fromFields(std::uint8_t f1, std::uint32_t f2, std::uint32_t f3, std::uint32_t f4,
                    std::uint8_t f5, std::uint32_t f6)
{
    ByteVector b;
    b.push_back(f1);
    appendBe32(b, f2);
    appendBe32(b, f3);
    appendBe32(b, f4);
    b.push_back(f5);
    appendBe32(b, f6);
    return fromBytes(b.data());
}

Key Key::min()
{
    return Key{};
}

Key Key::max()
{
    Key k;
    k.bytes.fill(0xFF);
    return k;
}

std::optional<Key> Key::fromHex(std::string_view text)
{
    ByteVector b;
    if (text.size() != kSize * 2 || !layerscope::fromHex(text, b))
        return std::nullopt;
    return fromBytes(b.data());
}

std::string Key::toHex() const
{
    return toHexUpper(bytes);
}

std::optional<Key> Key::next() const
{
    if (*this == max())
        return std::nullopt;
    // Carry goes field6 (u32) → field5 (u8) → field4 → field3 → field2 (u32) → field1 (u8),
    // which is plain big-endian increment of the 18 bytes.
    Key k = *this;
    for (int i = int(kSize) - 1; i >= 0; --i) {
        if (++k.bytes[std::size_t(i)] != 0)
            break;
    }
    return k;
}

bool Key::isRelBlock() const
{
    return field1() == 0 && field4() != 0 && field6() != 0xFFFFFFFF;
}

std::string_view forkSuffix(std::uint8_t fork)
{
    switch (fork) {
    case 0: return "";
    case 1: return "_fsm";
    case 2: return "_vm";
    case 3: return "_init";
    default: return "_UNKNOWN FORKNUM";
    }
}

namespace {
const char *slruName(std::uint32_t kind)
{
    switch (kind) {
    case 0: return "pg_xact";
    case 1: return "pg_multixact/members";
    case 2: return "pg_multixact/offsets";
    default: return nullptr;
    }
}

const char *auxCategory(std::uint8_t d1, std::uint8_t d2)
{
    if (d1 == 0x01 && d2 == 0x01) return "pg_logical/mappings/";
    if (d1 == 0x01 && d2 == 0x02) return "pg_logical/snapshots/";
    if (d1 == 0x01 && d2 == 0x03) return "pg_logical/replorigin_checkpoint";
    if (d1 == 0x01 && d2 == 0xFF) return "pg_logical/";
    if (d1 == 0x02 && d2 == 0x01) return "pg_replslot/";
    if (d1 == 0x03 && d2 == 0x01) return "pg_stat/";
    if (d1 == 0xFF && d2 == 0xFF) return "other/";
    return nullptr;
}

using Class = KeyClass;

Class classify(const Key &k)
{
    if (k == Key::max())
        return Class::Max;
    const auto f1 = k.field1();
    const auto f2 = k.field2(), f3 = k.field3(), f4 = k.field4(), f6 = k.field6();
    const auto f5 = k.field5();
    switch (f1) {
    case 0x00:
        if (f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0 && f6 == 0) return Class::DbDir;
        if (f4 == 0 && f5 == 0 && f6 == 0) return Class::RelMap;
        if (f4 == 0 && f5 == 0 && f6 == 1) return Class::RelDir;
        if (f4 != 0 && f6 == 0xFFFFFFFF) return Class::RelSize;
        if (f4 != 0) return Class::RelBlock;
        return Class::Unknown;
    case 0x01:
        if (f3 == 0 && f4 == 0 && f5 == 0 && f6 == 0)
            return f2 <= 2 ? Class::SlruDir : Class::Unknown;
        if (f3 == 1 && f5 == 0 && f2 <= 2)
            return f6 == 0xFFFFFFFF ? Class::SlruSegSize : Class::SlruBlock;
        return Class::Unknown;
    case 0x02:
        if (f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0 && f6 == 0) return Class::TwoPhaseDir;
        if (f2 == 0 && f3 == 0) return Class::TwoPhaseFile;
        return Class::Unknown;
    case 0x03:
        if (f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0) {
            if (f6 == 0) return Class::ControlFile;
            if (f6 == 1) return Class::Checkpoint;
            if (f6 == 2) return Class::AuxFilesV1;
        }
        return Class::Unknown;
    default: break;
    }
    if (f1 >= 0x60 && f1 < 0x7F) {
        if (f1 == 0x62 && (f2 >> 16) == 0) return Class::AuxV2;
        if (f1 == 0x63 && f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0 && f6 <= 0xFFFF)
            return Class::ReplOrigin;
        if (f1 == 0x65 && f6 == 1) return Class::RelDirV2;
        return Class::Metadata;
    }
    return Class::Unknown;
}

std::string relTag(const Key &k)
{
    return fmt::format("{}/{}/{}{}", k.field2(), k.field3(), k.field4(), forkSuffix(k.field5()));
}
} // namespace

KeyClass Key::keyClass() const
{
    return classify(*this);
}

std::string_view Key::className() const
{
    switch (classify(*this)) {
    case Class::DbDir: return "DbDir";
    case Class::RelMap: return "RelMap";
    case Class::RelDir: return "RelDir";
    case Class::RelBlock: return "RelBlock";
    case Class::RelSize: return "RelSize";
    case Class::SlruDir: return "SlruDir";
    case Class::SlruBlock: return "SlruBlock";
    case Class::SlruSegSize: return "SlruSegSize";
    case Class::TwoPhaseDir: return "TwoPhaseDir";
    case Class::TwoPhaseFile: return "TwoPhaseFile";
    case Class::ControlFile: return "ControlFile";
    case Class::Checkpoint: return "Checkpoint";
    case Class::AuxFilesV1: return "AuxFilesV1";
    case Class::AuxV2: return "AuxFileV2";
    case Class::ReplOrigin: return "ReplOrigin";
    case Class::RelDirV2: return "RelDirV2";
    case Class::Metadata: return "Metadata";
    case Class::Max: return "Max";
    case Class::Unknown: break;
    }
    return "Unknown";
}

std::string Key::implausibility() const
{
    const Class c = classify(*this);
    if (c == Class::Unknown)
        return "it fits none of Neon's key classes (FORMAT.md §9)";
    if (c == Class::Max)
        return {};
    // Neon's write path only takes keys whose field2 fits its i128 form.
    if (field2() > 0xFFFF && field2() != 0xFFFFFFFF && field2() != 0x22222222)
        return fmt::format("field2 {:08X} is not one Neon's key encoding can write", field2());
    if (field1() == 0x00 && field2() != 0 && field2() != 1663 && field2() != 1664)
        return fmt::format("tablespace {} is none of 0, 1663 and 1664, the only ones Neon writes", field2());
    switch (c) {
    case Class::RelBlock:
    case Class::RelSize:
        if (field5() > 3)
            return fmt::format("relation fork {} does not exist (Postgres has forks 0 to 3)", field5());
        return {};
    case Class::SlruBlock:
        if (field6() >= 32)
            return fmt::format("SLRU page {} is beyond the 32 pages of a segment", field6());
        [[fallthrough]];
    case Class::SlruSegSize: {
        // The last segment of each SLRU for 32-bit transaction and multixact ids.
        static constexpr std::uint32_t kLastSegment[3] = {0xFFF, 0x14078, 0xFFFF};
        if (field4() > kLastSegment[field2()])
            return fmt::format("SLRU segment {:X} is beyond the last one of {} ({:X})", field4(),
                               slruName(field2()), kLastSegment[field2()]);
        return {};
    }
    default: return {};
    }
}

std::string Key::describe() const
{
    switch (classify(*this)) {
    case Class::DbDir: return *this == Key::min() ? "dbdir (Key::MIN)" : "dbdir";
    case Class::RelMap: return fmt::format("relmap {}/{}", field2(), field3());
    case Class::RelDir: return fmt::format("reldir {}/{}", field2(), field3());
    case Class::RelBlock: return fmt::format("rel {} blk {}", relTag(*this), field6());
    case Class::RelSize: return fmt::format("rel {} size", relTag(*this));
    case Class::SlruDir: return fmt::format("slrudir {}", slruName(field2()));
    case Class::SlruBlock:
        return fmt::format("slru {} seg {} blk {}", slruName(field2()), field4(), field6());
    case Class::SlruSegSize: return fmt::format("slru {} seg {} size", slruName(field2()), field4());
    case Class::TwoPhaseDir: return "twophase dir";
    case Class::TwoPhaseFile: {
        const std::uint64_t xid = (std::uint64_t(field4()) << 40) | (std::uint64_t(field5()) << 32)
                                  | field6();
        return fmt::format("twophase xid {}", xid);
    }
    case Class::ControlFile: return "controlfile";
    case Class::Checkpoint: return "checkpoint";
    case Class::AuxFilesV1: return "aux files v1";
    case Class::AuxV2: {
        const auto d1 = std::uint8_t(field2() >> 8), d2 = std::uint8_t(field2());
        const char *cat = auxCategory(d1, d2);
        const std::string hash = layerscope::toHex(Bytes(bytes).subspan(5));
        if (cat)
            return fmt::format("aux {}#{}", cat, hash);
        return fmt::format("aux {:02x}{:02x}#{}", d1, d2, hash);
    }
    case Class::ReplOrigin: return fmt::format("replorigin {}", field6());
    case Class::RelDirV2: return fmt::format("reldir v2 {}", relTag(*this));
    case Class::Metadata: return fmt::format("metadata {}", toHex());
    case Class::Max: return "Key::MAX";
    case Class::Unknown: break;
    }
    return fmt::format("{:02X} {:08X} {:08X} {:08X} {:02X} {:08X}", field1(), field2(), field3(),
                       field4(), field5(), field6());
}

Id128 Id128::fromBytes(const std::uint8_t *p)
{
    Id128 id;
    std::memcpy(id.bytes.data(), p, 16);
    return id;
}

std::optional<Id128> Id128::fromHex(std::string_view text)
{
    ByteVector b;
    if (text.size() != 32 || !layerscope::fromHex(text, b))
        return std::nullopt;
    return fromBytes(b.data());
}

std::string Id128::toHex() const
{
    return layerscope::toHex(bytes);
}

} // namespace layerscope
