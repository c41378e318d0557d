#pragma once

#include <layerscope/check/registry.h>
#include <layerscope/check/validate.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/layer_name.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace layerscope {

/// One layer file of a timeline directory.
struct TimelineLayer
{
    std::string fileName;
    std::string path;
    std::uint64_t fileSize = 0;
    /// What changes when the content is replaced: a remote object's ETag, a local file's
    /// modification time in nanoseconds (empty when unknown, e.g. a layer only listed).
    std::string version;
    /// The parsed name; nullopt when the name is not a layer name (`nameError` says why).
    std::optional<LayerName> name;
    std::string nameError;
    /// Read by readSummaries: the summary, or why it could not be read (offset at fault).
    std::optional<Summary> summary;
    std::string summaryError;
    /// Where the summary contradicts the name, one sentence each
    /// ("lsn_start: 0/1696070 in the name, 0/1696078 in the summary").
    std::vector<std::string> disagreements;

    /// False for a layer only listed in a remote index (no file here: `path` is empty).
    bool onDisk = true;
    /// What a remote index (index_part.json) says of this layer, when one was merged.
    bool listed = false;
    std::uint64_t listedSize = 0;
    std::optional<std::uint32_t> listedGeneration;
    /// Set when the index lists this layer under another shard of the tenant (a layer a shard
    /// split left in the parent shard, which the child still reads): that shard's slug, "" for
    /// the unsharded parent. resolveShardLayers looks for it there.
    std::optional<std::string> otherShard;
    /// Why that shard's directory does not hold it (empty when it does, or before
    /// resolveShardLayers).
    std::string shardMissing;
    /// Where the files and the index disagree, one sentence each ("listed in the index but not
    /// on disk", "4096 bytes on disk, 8192 in the index", ...).
    std::vector<std::string> indexProblems;

    /// A layer Neon's layer map would hold: a parsed name without a temp or download trailer.
    bool isMapped() const { return name && name->tempSuffix.empty(); }
};

/// The tenant shard slugs the index writes ("0104"; "0000" or nothing for an unsharded tenant)
/// as paths have them: "" for unsharded.
std::string pathSlug(std::string_view indexShard);

/// One layer of a remote index (index_part.json's layer_metadata): its name as the index
/// writes it (canonical, the generation apart), file size and generation.
struct ListedLayer
{
    std::string name;
    std::uint64_t fileSize = 0;
    std::optional<std::uint32_t> generation;
    std::string shard; ///< "0104" style shard index; empty for an unsharded layer
};

/// What a remote index (index_part.json, versions 1 to 15) says of its timeline: the layers of
/// layer_metadata and the timeline metadata (an object since version 7, before that the binary
/// TimelineMetadata as a byte array).
struct IndexPart
{
    std::uint64_t version = 0;
    std::vector<ListedLayer> layers;
    std::optional<Lsn> diskConsistentLsn;
    std::optional<Lsn> gcCutoff; ///< latest_gc_cutoff_lsn: reads below it are refused
    std::optional<Lsn> ancestorLsn;
    std::string ancestorTimeline; ///< 32 hex digits; empty for a timeline without one
    std::optional<std::uint32_t> pgVersion;
};

/// The layer files of one directory, by file name.
struct Timeline
{
    std::string dir;
    std::vector<TimelineLayer> layers;
    /// The tenant shard slug of `dir` when it lies in Neon's remote layout ("0104", "" for an
    /// unsharded tenant); nullopt outside the layout, where every listed layer is taken as
    /// this directory's.
    std::optional<std::string> shard;
    /// From a merged index: how far the shard's layers are durable (disk_consistent_lsn).
    std::optional<Lsn> diskConsistentLsn;
    /// From a merged index (nullopt without one): LSNs below it may have lost their WAL to GC.
    std::optional<Lsn> gcCutoff;
    /// From a merged index: the ancestor timeline (empty if none) and the branch point; reads
    /// that find no base here continue there.
    std::string ancestorTimeline;
    std::optional<Lsn> ancestorLsn;
    /// From a merged index: the Postgres major version that wrote the timeline's records
    /// (index_part.json's pg_version); unknown without one.
    std::optional<std::uint32_t> pgVersion;
    /// How a layer is opened by its `path`: unset maps the file from disk; a remote timeline
    /// opens objects in place. Called from readSummaries' threads too: must be thread-safe.
    std::function<Result<Layer>(const std::string &path)> opener;
    /// Where the layers are, in messages: "on disk", or "in the bucket" for a remote prefix.
    std::string storedWhere = "on disk";
};

/// The layer at `path` through the timeline's opener (or mapped from disk).
Result<Layer> openTimelineLayer(const Timeline &timeline, const std::string &path);

/// A local file's TimelineLayer::version: its modification time in nanoseconds; empty when it
/// cannot be read.
std::string localFileVersion(const std::filesystem::directory_entry &file);

/// One file (or object) of a timeline: its name parsed, nothing read.
TimelineLayer timelineFile(std::string fileName, std::string path, std::uint64_t size,
                           std::string version = {});

/// Lists the regular files of `dir` (not recursive) in name order, parsing each name; files
/// whose names do not parse are kept (listed, not hidden). Error: the directory cannot be read.
Result<Timeline> scanTimeline(const std::string &dir);

/// A timeline of the layers a remote index lists, none on disk. Names that do not parse are
/// kept (with nameError).
Timeline timelineFromIndex(const IndexPart &index);

/// Cross-checks a directory with its remote index: each listed layer is matched to the file of
/// the same canonical name (any generation suffix); listed layers without a file are added
/// (onDisk false); files with a layer name that the index does not list, sizes and
/// generations that differ are said in indexProblems.
void mergeIndex(Timeline &timeline, const IndexPart &index);

/// Lists the layer files of the timeline directory (or prefix) `dir`; an error when it cannot be
/// listed.
using TimelineLister = std::function<Result<std::vector<TimelineLayer>>(const std::string &dir)>;

/// After mergeIndex: finds each layer the index lists under another shard (TimelineLayer::
/// otherShard) in that shard's directory of the same tenant and timeline, through `list` (once
/// per shard): a layer found there gets its path, size and version; one that is not (the name and
/// generation the index gives), or whose shard cannot be listed, gets `shardMissing`. Does
/// nothing for a timeline outside Neon's layout.
void resolveShardLayers(Timeline &timeline, const TimelineLister &list);

/// Reads every on-disk layer's summary (O(1) each, on up to `threads` threads; 0 = one per core) and
/// compares it with the name. `progress` gets layers done and returns false to stop (the rest
/// stay unread).
void readSummaries(Timeline &timeline,
                   unsigned threads = 0,
                   const std::function<bool(std::size_t done)> &progress = {});

/// The index entries of the layer file at `path`: the leaf entry counts summed over one walk of
/// its B-tree (only the index blocks are read). Error: the file cannot be opened or its index
/// cannot be walked (the offset at fault).
Result<std::uint64_t> countEntries(const std::string &path);

/// Where the layer map draws each layer: key space and LSNs each compressed to the layers'
/// distinct boundaries, as unit coordinates (u across for keys, v upwards for LSNs, 0..1).
struct MapLayout
{
    std::vector<Key> keys;           ///< distinct key boundaries, sorted
    std::vector<std::uint64_t> lsns; ///< distinct LSN boundaries, sorted
    /// Mapped layers in drawing order: deltas by LSN start, then images (on top).
    std::vector<std::size_t> order;

    double u(const Key &key) const;
    double v(std::uint64_t lsn) const;
};

MapLayout layoutMap(const Timeline &timeline);
/// True for an L0 delta: it covers every key.
bool isL0(const LayerName &name);
/// Gives every layout the key and LSN boundaries of all of them, so that maps drawn side by
/// side (one timeline's copies across shards) line up.
void shareBoundaries(std::span<MapLayout> layouts);

/// Where a map panel is drawn in an SVG (pixels; the plot is inset a little from the frame).
struct MapBox
{
    double left = 0, top = 0, right = 0, bottom = 0;
    /// The x of a key boundary in this box.
    double keyX(const MapLayout &m, const Key &k) const;
};

/// The SVG pieces maps are made of: the document's opening (a white page), one timeline's
/// layers in a framed box with LSN labels left of it, and the key labels under a box at
/// `baseline`. Text is escaped with xmlEscape.
std::string svgOpen(int width, int height);
std::string mapPanelSvg(const Timeline &timeline, const MapLayout &m, const MapBox &box);
std::string mapKeyAxisSvg(const MapLayout &m, const MapBox &box, double baseline);
std::string xmlEscape(const std::string &s);

/// The layer map as a standalone SVG drawing of `width` × `height` pixels: deltas as
/// rectangles (L0 in orange), images as lines, index-only layers dashed, LSN labels on the left,
/// key labels below, a title line.
std::string mapSvg(const Timeline &timeline, int width = 1600, int height = 1000);

/// A problem of the timeline as a whole (the layers' own contents are checked by
/// validateLayer): `layer` is an index into Timeline::layers, or npos for the timeline.
struct TimelineProblem
{
    static constexpr std::size_t npos = std::size_t(-1);
    TimelineProblem() = default;
    /// A problem of check `c` (the timeline-* and redo-* rows of the registry) about `layer`.
    TimelineProblem(CheckAs c, std::size_t layer, std::string message)
        : check(c.info->id)
        , severity(c.severity)
        , layer(layer)
        , message(std::move(message))
    {}
    std::string check; ///< a check id of the registry
    Severity severity = Severity::Error;
    std::size_t layer = npos;
    std::string message;
};

/// The timeline-level checks, after readSummaries (and mergeIndex, if any): layers that cannot be
/// opened, summaries that contradict names and index disagreements (errors); image layers at one LSN with overlapping
/// key ranges, and LSN ranges no delta layer covers between the oldest delta and the newest
/// (warnings: WAL missing for every key; infos when a merged index puts the gap below its GC
/// cutoff, where GC removes such deltas); key ranges with no image layer below their oldest
/// delta layer, key ranges no layer holds, temp files and files that are not layers (infos).
std::vector<TimelineProblem> checkTimeline(const Timeline &timeline);

/// One layer Neon's read path visits for a key, with the values it reads there.
struct ReadStep
{
    std::size_t layer = 0; ///< index into Timeline::layers
    /// The LSN window read in this layer: [lsnFloor, endLsn).
    Lsn lsnFloor;
    Lsn endLsn;
    /// The key's values in the window, newest first, down to the first image or will_init
    /// record (image layers: the image, if the layer holds the key).
    std::vector<Entry> values;
};

/// Neon's read order for key@lsn and the chain of values it reconstructs the page from.
struct ReadPath
{
    std::vector<ReadStep> steps;
    /// The chain reaches an image or a will_init record.
    bool complete = false;
    /// Why the chain is broken or stops (empty when complete): no layer below, an image layer
    /// without the key, a layer that cannot be read.
    std::string why;
};

/// Follows Neon's layer-map search (LayerMap::search and select_layer) over the layers'
/// names: starting at end_lsn = lsn + 1, the newest covering delta (by LSN start) and image
/// are compared, the chosen layer is read from its LSN floor up, and the search repeats below
/// the floor until an image or will_init value completes the chain. Layers are opened as they
/// are visited; temp and download files are not part of the map. Never fails: what stops the
/// walk is said in `why`.
ReadPath findReadPath(const Timeline &timeline, const Key &key, Lsn lsn);

/// A read request: "KEY@LSN", KEY in any form Key::parse accepts (it may contain spaces, not
/// '@'), LSN as X/Y or 16 hex digits.
struct KeyAt
{
    Key key;
    Lsn lsn;
};
std::optional<KeyAt> parseKeyAt(std::string_view text);
/// What parseKeyAt expects, for error messages.
extern const char *const kKeyAtSyntax;

} // namespace layerscope
