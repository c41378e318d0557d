#pragma once

// A field-level model of a layer's bytes, like a protocol tree: every part of a file — the
// summary, an index node, a leaf entry, a blob and the value in it (WAL record, XLogRecord
// header, Postgres page header and line pointers) — as a tree of named fields with their byte
// ranges and decoded values. Works on damaged files: a field that cannot be read carries the
// reason, and the dissection of the other parts goes on.

#include <layerscope/base/bytes.h>
#include <layerscope/format/problem.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/format/summary.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope {

/// One field. A group's range covers its children's; a leaf field's range is its own bytes. A
/// group of length 0 with children (an entry: its key in a leaf, its blob elsewhere) has no
/// bytes of its own and stands for what its children cover.
struct Field
{
    std::string name;
    FileOffset offset = 0;
    std::uint64_t length = 0;
    std::string value;   ///< decoded ("0x5A61 (delta)", a key's hex, a leaf value's hex ...)
    std::string detail;  ///< what the value means, when that needs saying ("blob at 8192")
    std::string error;   ///< why the field could not be read; empty when it was
    /// Offsets are inside a decompressed zstd payload, not the file (no bytes to highlight).
    bool decompressed = false;
    /// User data (a tuple's data, an index tuple's key, a value's or record's bytes): reports
    /// that may leave a region (--redact) print its size, never its value.
    bool content = false;
    std::vector<std::string> problems;  ///< "check: message" of problems touching these bytes
    std::vector<Field> children;

    FileOffset end() const { return offset + length; }
    /// The innermost field (in file bytes) covering `at`, or null when none does.
    const Field *innermostAt(FileOffset at) const;
    /// Path of child indices to the innermost field covering `at` (empty: this one or none).
    std::vector<std::size_t> pathTo(FileOffset at) const;
};

/// What a dissection knows of the file: the summary when it decodes; else the kind from a
/// hint (the file name) and the index fields read where that kind keeps them, so that nodes
/// and entries can still be laid out. Does not own the bytes.
struct DissectContext
{
    Bytes file;
    std::optional<Summary> summary;
    LayerKind kind = LayerKind::Image;
    std::size_t keyLen = Key::kSize;
    std::uint32_t indexStartBlk = 0;
    std::uint32_t indexRootBlk = 0;

    static DissectContext of(Bytes file, std::optional<LayerKind> kindHint = std::nullopt);
};

/// Block 0: each summary field (from the summary field table) and the padding after it.
Field dissectSummary(const DissectContext &ctx);
/// Index node `relBlock`: header fields, prefix, keys, values (child pointers or blob
/// pointers) and padding; the fields tile the whole block.
Field dissectNode(const DissectContext &ctx, std::uint32_t relBlock);
/// Leaf entry `position` (0-based, in key order): its key and value in the leaf, the blob
/// header, and the value decoded field by field. Errors: no such entry, or an unreadable index.
Result<Field> dissectEntry(const DissectContext &ctx, std::uint64_t position);
/// The part of the file holding byte `at`: the summary, the node of an index block, or the
/// entry whose blob covers it (the value area between blobs is reported as such).
Result<Field> dissectOffset(const DissectContext &ctx, FileOffset at);
/// The blob at `blobAt` as the value of an entry with key `key` (image layers: a page, or what a
/// sparse key's value means; delta layers: a Value), inside [8192, valuesEnd).
Field dissectBlob(const DissectContext &ctx, FileOffset blobAt, const std::optional<Key> &key = {});

/// An 8192-byte Postgres page on its own (a reconstructed page, `base` its first byte's
/// offset): header, line pointers, each item (heap tuple headers with their infomask bits by
/// name, index tuples with their TIDs and posting lists) and a btree page's special space.
Field dissectPgPage(Bytes page, FileOffset base = 0);

/// Adds each problem to the innermost fields its bytes overlap (a zero-length problem to the
/// field holding its offset).
void attachProblems(Field &root, const std::vector<Problem> &problems);

} // namespace layerscope
