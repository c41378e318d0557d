#include <layerscope/format/key.h>

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <vector>

namespace layerscope {

Key Key::fromBytes(const std::uint8_t *p)
{
    Key k;
    std::memcpy(k.bytes.data(), p, kSize);
    return k;
}

Key Key::fromFields(std::uint8_t f1,
                    std::uint32_t f2,
                    std::uint32_t f3,
                    std::uint32_t f4,
                    std::uint8_t f5,
                    std::uint32_t f6)
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
    if (d1 == 0x01 && d2 == 0x01)
        return "pg_logical/mappings/";
    if (d1 == 0x01 && d2 == 0x02)
        return "pg_logical/snapshots/";
    if (d1 == 0x01 && d2 == 0x03)
        return "pg_logical/replorigin_checkpoint";
    if (d1 == 0x01 && d2 == 0xFF)
        return "pg_logical/";
    if (d1 == 0x02 && d2 == 0x01)
        return "pg_replslot/";
    if (d1 == 0x03 && d2 == 0x01)
        return "pg_stat/";
    if (d1 == 0xFF && d2 == 0xFF)
        return "other/";
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
        if (f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0 && f6 == 0)
            return Class::DbDir;
        if (f4 == 0 && f5 == 0 && f6 == 0)
            return Class::RelMap;
        if (f4 == 0 && f5 == 0 && f6 == 1)
            return Class::RelDir;
        if (f4 != 0 && f6 == 0xFFFFFFFF)
            return Class::RelSize;
        if (f4 != 0)
            return Class::RelBlock;
        return Class::Unknown;
    case 0x01:
        if (f3 == 0 && f4 == 0 && f5 == 0 && f6 == 0)
            return f2 <= 2 ? Class::SlruDir : Class::Unknown;
        if (f3 == 1 && f5 == 0 && f2 <= 2)
            return f6 == 0xFFFFFFFF ? Class::SlruSegSize : Class::SlruBlock;
        return Class::Unknown;
    case 0x02:
        if (f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0 && f6 == 0)
            return Class::TwoPhaseDir;
        if (f2 == 0 && f3 == 0)
            return Class::TwoPhaseFile;
        return Class::Unknown;
    case 0x03:
        if (f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0) {
            if (f6 == 0)
                return Class::ControlFile;
            if (f6 == 1)
                return Class::Checkpoint;
            if (f6 == 2)
                return Class::AuxFilesV1;
        }
        return Class::Unknown;
    default: break;
    }
    if (f1 >= 0x60 && f1 < 0x7F) {
        if (f1 == 0x62 && (f2 >> 16) == 0)
            return Class::AuxV2;
        if (f1 == 0x63 && f2 == 0 && f3 == 0 && f4 == 0 && f5 == 0 && f6 <= 0xFFFF)
            return Class::ReplOrigin;
        if (f1 == 0x65 && f6 == 1)
            return Class::RelDirV2;
        return Class::Metadata;
    }
    return Class::Unknown;
}

std::string relTag(const Key &k)
{
    return fmt::format("{}/{}/{}{}", k.field2(), k.field3(), k.field4(), forkSuffix(k.field5()));
}

// Parsing the human forms.

std::vector<std::string_view> words(std::string_view text)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t')
            ++i;
        if (i > start)
            out.push_back(text.substr(start, i - start));
    }
    return out;
}

template<typename T>
std::optional<T> number(std::string_view text, int base = 10)
{
    T v{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return v;
}

std::optional<std::uint32_t> slruKind(std::string_view name)
{
    for (std::uint32_t kind = 0; kind < 3; ++kind)
        if (name == slruName(kind))
            return kind;
    if (name == "clog" || name == "xact")
        return 0;
    if (name == "multixact_members" || name == "members")
        return 1;
    if (name == "multixact_offsets" || name == "offsets")
        return 2;
    return std::nullopt;
}

struct RelTag
{
    std::uint32_t spc = 0, db = 0, rel = 0;
    std::uint8_t fork = 0;
};

// "SPC/DB" (rel == false) or "SPC/DB/REL" with an optional fork suffix.
std::optional<RelTag> parseRelTag(std::string_view text, bool withRel)
{
    RelTag t;
    for (std::uint8_t fork = 1; fork <= 3 && withRel; ++fork)
        if (const auto suffix = forkSuffix(fork); text.ends_with(suffix)) {
            t.fork = fork;
            text.remove_suffix(suffix.size());
            break;
        }
    std::uint32_t *parts[] = {&t.spc, &t.db, &t.rel};
    const std::size_t count = withRel ? 3 : 2;
    for (std::size_t i = 0; i < count; ++i) {
        const auto slash = i + 1 < count ? text.find('/') : text.size();
        const auto n = slash == std::string_view::npos
                           ? std::nullopt
                           : number<std::uint32_t>(text.substr(0, slash));
        if (!n)
            return std::nullopt;
        *parts[i] = *n;
        text.remove_prefix(std::min(text.size(), slash + 1));
    }
    return t;
}

std::optional<Key> parseAux(std::string_view text)
{
    const auto hash = text.rfind('#');
    if (hash == std::string_view::npos)
        return Key::auxFile(text);
    const std::string_view category = text.substr(0, hash);
    ByteVector h;
    if (!fromHex(text.substr(hash + 1), h) || h.size() != 13)
        return std::nullopt;
    std::optional<std::uint16_t> d1d2;
    for (unsigned d = 0; d <= 0xFFFF && !d1d2; ++d)
        if (const char *cat = auxCategory(std::uint8_t(d >> 8), std::uint8_t(d));
            cat && category == cat)
            d1d2 = std::uint16_t(d);
    if (!d1d2 && category.size() == 4)
        d1d2 = number<std::uint16_t>(category, 16);
    if (!d1d2)
        return std::nullopt;
    ByteVector b{0x62, 0, 0, std::uint8_t(*d1d2 >> 8), std::uint8_t(*d1d2)};
    b.insert(b.end(), h.begin(), h.end());
    return Key::fromBytes(b.data());
}

// The key the words name and the class such a key must have, or nullopt.
std::optional<std::pair<Key, Class>> parseWords(const std::vector<std::string_view> &w)
{
    const std::size_t n = w.size();
    const auto is = [&](std::size_t i, std::string_view word) { return i < n && w[i] == word; };
    if (n == 1 && w[0] == "Key::MAX")
        return std::pair{Key::max(), Class::Max};
    if ((n == 1 || (n == 2 && w[1] == "(Key::MIN)")) && w[0] == "dbdir")
        return std::pair{Key::min(), Class::DbDir};
    if (n == 1 && w[0] == "controlfile")
        return std::pair{Key::fromFields(3, 0, 0, 0, 0, 0), Class::ControlFile};
    if (n == 1 && w[0] == "checkpoint")
        return std::pair{Key::fromFields(3, 0, 0, 0, 0, 1), Class::Checkpoint};
    if (n == 3 && is(0, "aux") && is(1, "files") && is(2, "v1"))
        return std::pair{Key::fromFields(3, 0, 0, 0, 0, 2), Class::AuxFilesV1};
    if (n == 2 && is(0, "twophase") && is(1, "dir"))
        return std::pair{Key::fromFields(2, 0, 0, 0, 0, 0), Class::TwoPhaseDir};
    if (n == 3 && is(0, "twophase") && is(1, "xid"))
        if (const auto xid = number<std::uint64_t>(w[2]); xid && *xid >> 48 == 0)
            return std::pair{Key::fromFields(2,
                                             0,
                                             0,
                                             std::uint32_t(*xid >> 40),
                                             std::uint8_t(*xid >> 32),
                                             std::uint32_t(*xid)),
                             Class::TwoPhaseFile};
    if (n == 2 && (is(0, "relmap") || is(0, "reldir")))
        if (const auto t = parseRelTag(w[1], false))
            return is(0, "relmap")
                       ? std::pair{Key::fromFields(0, t->spc, t->db, 0, 0, 0), Class::RelMap}
                       : std::pair{Key::fromFields(0, t->spc, t->db, 0, 0, 1), Class::RelDir};
    if (n == 3 && is(0, "reldir") && is(1, "v2"))
        if (const auto t = parseRelTag(w[2], true))
            return std::pair{Key::fromFields(0x65, t->spc, t->db, t->rel, t->fork, 1),
                             Class::RelDirV2};
    if (n >= 3 && is(0, "rel"))
        if (const auto t = parseRelTag(w[1], true)) {
            if (n == 3 && is(2, "size"))
                return std::pair{Key::fromFields(0, t->spc, t->db, t->rel, t->fork, 0xFFFFFFFF),
                                 Class::RelSize};
            if (const auto blk = n == 4 && is(2, "blk") ? number<std::uint32_t>(w[3]) : std::nullopt)
                return std::pair{Key::fromFields(0, t->spc, t->db, t->rel, t->fork, *blk),
                                 Class::RelBlock};
        }
    if (n == 2 && is(0, "slrudir"))
        if (const auto kind = slruKind(w[1]))
            return std::pair{Key::fromFields(1, *kind, 0, 0, 0, 0), Class::SlruDir};
    if (n >= 5 && is(0, "slru") && is(2, "seg")) {
        const auto kind = slruKind(w[1]);
        const auto seg = number<std::uint32_t>(w[3]);
        if (kind && seg && n == 5 && is(4, "size"))
            return std::pair{Key::fromFields(1, *kind, 1, *seg, 0, 0xFFFFFFFF), Class::SlruSegSize};
        if (const auto blk = n == 6 && is(4, "blk") ? number<std::uint32_t>(w[5]) : std::nullopt;
            kind && seg && blk)
            return std::pair{Key::fromFields(1, *kind, 1, *seg, 0, *blk), Class::SlruBlock};
    }
    if (n == 2 && is(0, "replorigin"))
        if (const auto id = number<std::uint16_t>(w[1]))
            return std::pair{Key::fromFields(0x63, 0, 0, 0, 0, *id), Class::ReplOrigin};
    if (n == 2 && is(0, "metadata"))
        if (const auto k = Key::fromHex(w[1]))
            return std::pair{*k, Class::Metadata};
    if (n == 6) {
        static constexpr std::size_t widths[] = {2, 8, 8, 8, 2, 8};
        std::uint32_t f[6] = {};
        for (std::size_t i = 0; i < 6; ++i) {
            const auto v = w[i].size() == widths[i] ? number<std::uint32_t>(w[i], 16)
                                                    : std::nullopt;
            if (!v)
                return std::nullopt;
            f[i] = *v;
        }
        const Key k = Key::fromFields(std::uint8_t(f[0]), f[1], f[2], f[3], std::uint8_t(f[4]), f[5]);
        return std::pair{k, k.keyClass()};
    }
    return std::nullopt;
}
} // namespace

std::optional<Key> Key::parse(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (const auto k = fromHex(text))
        return k;
    const auto w = words(text);
    if (w.size() >= 2 && w[0] == "aux" && !(w.size() == 3 && w[1] == "files")) {
        // A path may hold blanks: everything after "aux " is the path.
        const auto k = parseAux(text.substr(std::size_t(w[1].data() - text.data())));
        return k && k->keyClass() == Class::AuxV2 ? k : std::nullopt;
    }
    const auto parsed = parseWords(w);
    if (!parsed || parsed->first.keyClass() != parsed->second)
        return std::nullopt;
    return parsed->first;
}

Key Key::auxFile(std::string_view path)
{
    struct Rule
    {
        std::string_view prefix;
        std::uint8_t d1, d2;
        bool exact;
    };
    static constexpr Rule rules[] = {{"pg_logical/mappings/", 1, 1, false},
                                     {"pg_logical/snapshots/", 1, 2, false},
                                     {"pg_logical/replorigin_checkpoint", 1, 3, true},
                                     {"pg_logical/", 1, 0xFF, false},
                                     {"pg_replslot/", 2, 1, false},
                                     {"pg_stat/", 3, 1, false}};
    std::uint8_t d1 = 0xFF, d2 = 0xFF;
    std::string_view hashed = path;
    for (const Rule &r : rules)
        if (r.exact ? path == r.prefix : path.starts_with(r.prefix)) {
            d1 = r.d1;
            d2 = r.d2;
            hashed = path.substr(r.prefix.size());
            break;
        }
    __extension__ using U128 = unsigned __int128;
    U128 h = (U128(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
    const U128 prime = (U128(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
    for (const char c : hashed) {
        h ^= std::uint8_t(c);
        h *= prime;
    }
    std::uint8_t b[kSize] = {0x62, 0, 0, d1, d2};
    for (int i = 0; i < 13; ++i) // bytes 3..15 of the big-endian hash
        b[5 + i] = std::uint8_t(h >> (8 * (12 - i)));
    return fromBytes(b);
}

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
        return fmt::format("tablespace {} is none of 0, 1663 and 1664, the only ones Neon writes",
                           field2());
    switch (c) {
    case Class::RelBlock:
    case Class::RelSize:
        if (field5() > 3)
            return fmt::format("relation fork {} does not exist (Postgres has forks 0 to 3)",
                               field5());
        return {};
    case Class::SlruBlock:
        if (field6() >= 32)
            return fmt::format("SLRU page {} is beyond the 32 pages of a segment", field6());
        [[fallthrough]];
    case Class::SlruSegSize: {
        // The last segment of each SLRU for 32-bit transaction and multixact ids.
        static constexpr std::uint32_t kLastSegment[3] = {0xFFF, 0x14078, 0xFFFF};
        if (field4() > kLastSegment[field2()])
            return fmt::format("SLRU segment {:X} is beyond the last one of {} ({:X})",
                               field4(),
                               slruName(field2()),
                               kLastSegment[field2()]);
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
    case Class::SlruSegSize:
        return fmt::format("slru {} seg {} size", slruName(field2()), field4());
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
    return fmt::format("{:02X} {:08X} {:08X} {:08X} {:02X} {:08X}",
                       field1(),
                       field2(),
                       field3(),
                       field4(),
                       field5(),
                       field6());
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
