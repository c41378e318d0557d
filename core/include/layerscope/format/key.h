#pragma once

#include <layerscope/base/bytes.h>
#include <layerscope/format/lsn.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace layerscope {

/// The classes of keys Neon defines (FORMAT.md §9), plus Unknown for none of them.
enum class KeyClass : std::uint8_t {
    DbDir,
    RelMap,
    RelDir,
    RelBlock,
    RelSize,
    SlruDir,
    SlruBlock,
    SlruSegSize,
    TwoPhaseDir,
    TwoPhaseFile,
    ControlFile,
    Checkpoint,
    AuxFilesV1,
    AuxV2,
    ReplOrigin,
    RelDirV2,
    Metadata,
    Max,
    Unknown
};

/// A pageserver key: six fields, 18 bytes on disk, ordered bytewise.
struct Key
{
    static constexpr std::size_t kSize = 18;
    std::array<std::uint8_t, kSize> bytes{};

    static Key fromBytes(const std::uint8_t *p);
    static Key fromFields(std::uint8_t f1,
                          std::uint32_t f2,
                          std::uint32_t f3,
                          std::uint32_t f4,
                          std::uint8_t f5,
                          std::uint32_t f6);
    static Key min();
    static Key max();
    /// Exactly 36 hex digits, either case; nullopt otherwise.
    static std::optional<Key> fromHex(std::string_view text);
    /// A key typed by a person: 36 hex digits, or any form describe() prints ("rel
    /// 1663/16384/2619 blk 7", "rel 1663/16384/2619_vm size", "slru pg_xact seg 0 blk 3",
    /// "twophase xid 42", "aux pg_logical/mappings/#<26 hex digits>", the six-field form, ...),
    /// plus the SLRU aliases clog, multixact_members and multixact_offsets and "aux PATH" for an
    /// aux v2 file by its path. Words are separated by blanks, blanks around the text are ignored;
    /// case matters only in paths.
    /// nullopt when the text is none of these.
    static std::optional<Key> parse(std::string_view text);
    /// The aux file v2 key of a file path (FORMAT.md §9.4: category bytes, then 13 bytes of the
    /// path's 128-bit FNV-1a hash).
    static Key auxFile(std::string_view path);

    std::uint8_t field1() const { return bytes[0]; }
    std::uint32_t field2() const { return readBe32(&bytes[1]); }
    std::uint32_t field3() const { return readBe32(&bytes[5]); }
    std::uint32_t field4() const { return readBe32(&bytes[9]); }
    std::uint8_t field5() const { return bytes[13]; }
    std::uint32_t field6() const { return readBe32(&bytes[14]); }

    // The fields by what they mean, for the key classes that use them (FORMAT.md §9).
    /// Relation keys (block, size...): tablespace, database, relfilenode and fork.
    std::uint32_t spcOid() const { return field2(); }
    std::uint32_t dbOid() const { return field3(); }
    std::uint32_t relNumber() const { return field4(); }
    std::uint8_t forkNumber() const { return field5(); }
    /// Relation and SLRU block keys: the block in the fork, or the page in the SLRU segment.
    std::uint32_t blockNumber() const { return field6(); }
    /// SLRU keys: which SLRU (0 clog, 1 multixact members, 2 multixact offsets) and the segment.
    std::uint32_t slruKind() const { return field2(); }
    std::uint32_t slruSegment() const { return field4(); }

    /// 36 uppercase hex digits (Neon's Display form).
    std::string toHex() const;
    /// Human rendering by key class (FORMAT.md §9.6), e.g. "rel 1663/16389/24819 blk 7".
    std::string describe() const;
    /// The key's class, and its name ("RelBlock", "SlruBlock", ...).
    KeyClass keyClass() const;
    std::string_view className() const;
    /// Successor (field6 + 1 with carry); nullopt for Key::MAX.
    std::optional<Key> next() const;
    /// True for a relation block key (Neon's is_rel_block_key).
    bool isRelBlock() const;
    /// Why no Neon writer produces this key, or empty when it could: a key of no class, a
    /// relation fork above 3 (Postgres has main, fsm, vm and init), an SLRU block number of 32
    /// or more (Neon keys SLRU pages by segment and page within it), an SLRU segment number
    /// above 2^24.
    std::string implausibility() const;

    /// Bytewise order, compared as big-endian words (no call per comparison).
    std::strong_ordering operator<=>(const Key &o) const
    {
        if (const std::uint64_t a = readBe64(bytes.data()), b = readBe64(o.bytes.data()); a != b)
            return a <=> b;
        if (const std::uint64_t a = readBe64(bytes.data() + 8), b = readBe64(o.bytes.data() + 8);
            a != b)
            return a <=> b;
        return readBe16(bytes.data() + 16) <=> readBe16(o.bytes.data() + 16);
    }
    bool operator==(const Key &o) const
    {
        return readBe64(bytes.data()) == readBe64(o.bytes.data())
               && readBe64(bytes.data() + 8) == readBe64(o.bytes.data() + 8)
               && readBe16(bytes.data() + 16) == readBe16(o.bytes.data() + 16);
    }
};

/// A delta layer's index key: the 18-byte key, then the record's LSN (BE u64).
inline constexpr std::size_t kDeltaIndexKeyLen = Key::kSize + 8;
/// The LSN part of a delta index key (`indexKey` holds kDeltaIndexKeyLen bytes).
inline Lsn deltaKeyLsn(Bytes indexKey)
{
    return Lsn{readBe64(indexKey.data() + Key::kSize)};
}

/// Postgres fork suffix as Neon prints it: "", "_fsm", "_vm", "_init", "_UNKNOWN FORKNUM".
std::string_view forkSuffix(std::uint8_t fork);

/// 16-byte tenant or timeline id.
struct Id128
{
    std::array<std::uint8_t, 16> bytes{};
    static Id128 fromBytes(const std::uint8_t *p);
    /// Exactly 32 hex digits, either case.
    static std::optional<Id128> fromHex(std::string_view text);
    /// 32 lowercase hex digits.
    std::string toHex() const;
    auto operator<=>(const Id128 &) const = default;
};
using TenantId = Id128;
using TimelineId = Id128;

} // namespace layerscope
