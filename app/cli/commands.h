#pragma once

#include <layerscope/error.h>
#include <layerscope/layer.h>
#include <layerscope/timeline.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layerscope::cli {

enum ExitCode { ExitOk = 0, ExitProblem = 1, ExitUsage = 2 };
enum class Color { Auto, Always, Never };

/// Options of the subcommands (each command reads only its own; main rejects the others).
struct Options
{
    bool json = false;
    bool quiet = false;
    bool neon = false;           ///< tree: Neon's dump format
    std::string format = "text"; ///< dump: text, json or pagectl
    std::string from;            ///< keys: KEY[@LSN]
    std::int64_t limit = -1;
    std::string compression;   ///< rewrite, synth: empty (verbatim), none or zstd
    std::string kind;          ///< synth: image or delta
    std::uint64_t size = 0;    ///< synth: target bytes
    std::uint64_t entries = 0; ///< synth: entry count
    std::uint32_t valueSize = 0;
    bool pages = false;   ///< check: Postgres page checks
    std::string evidence; ///< check: directory for bug-report evidence
    std::string csv;      ///< stats: directory for one CSV file per table
    bool csvOut = false;  ///< diff: CSV on stdout
    std::string index;    ///< ls, find, map: an index_part.json to cross-check the directory with
    std::string svg;      ///< map: the SVG file to write
    std::string page;     ///< find: the file the reconstructed page is written to
    std::uint64_t maxProblems = 100000;
    unsigned threads = 0; ///< check: 0 = one per core
    Color color = Color::Auto;
    // rewrite-summary: unset = keep; set (maybe empty) = change, validated by the command.
    std::optional<std::string> tenant, timeline, keyStart, keyEnd, lsn, lsnStart, lsnEnd;
    bool inPlace = false, noBackup = false, dryRun = false, force = false;
    unsigned keepBackups = 5; ///< rewrite-summary: FILE.bak.1 … FILE.bak.N
};

/// dissect: which part of the file (exactly one of summary, node, entry, offset).
struct DissectSelection
{
    bool summary = false;
    std::optional<std::uint64_t> node, entry, offset;
    bool problems = false; ///< validate and attach the problems to the fields
};

/// True for a regular file named *.json (taken for an index_part.json).
bool isIndexFile(const std::string &path);
/// A timeline: a directory, an index_part.json (its layers only listed), or a directory with
/// the `index` file merged (may be empty). Nullopt, the reason printed, when it cannot be read.
std::optional<Timeline> openTimeline(const std::string &path, const std::string &index);

/// Writes `text` to `path` (created or truncated); false when it cannot be written (errno).
bool writeText(const std::string &path, const std::string &text);
/// Opens a layer; returns ExitOk, ExitUsage (I/O, not a file) or ExitProblem (not a valid
/// layer), the error printed naming the file and offset.
int openLayer(const std::string &file, std::optional<Layer> &out);
/// Exit 0 same content, 1 differences, 2 error (a layer that cannot be opened or walked).
int cmdDiff(const std::string &a, const std::string &b, const Options &opt);
/// Space statistics of a layer, or of every layer in a directory (one row each, then the
/// sum). Exit 1 when a layer cannot be read in full (the rest is still counted), 2 on I/O.
int cmdStats(const std::string &path, const Options &opt);
/// The files of a timeline directory (or the layers of an index_part.json, or both with
/// --index): parsed names, sizes, summaries checked against the names, the index against the
/// files. Exit 1 when a summary is unreadable or disagrees with its name, or the index and the
/// files disagree; 2 on I/O.
int cmdLs(const std::string &dir, const Options &opt);
/// Neon's read path for KEY@LSN over a timeline directory: the layers in the order Neon visits
/// them and the chain of values. Exit 0 complete, 1 broken (the reason is printed), 2 on usage
/// or I/O errors.
int cmdFind(const std::string &dir, const std::string &keyAt, const Options &opt);
/// The layer map of a timeline as an SVG file (opt.svg). Exit 2 when it cannot be written.
int cmdMap(const std::string &path, const Options &opt);

/// Each command prints to stdout, errors to stderr naming the file and offset, and returns
/// an ExitCode.
int cmdSummary(const std::string &file, const Options &opt);
int cmdKeys(const std::string &file, const Options &opt);
int cmdTree(const std::string &file, const Options &opt);
/// Exit 1 when a field cannot be read (the damage is printed), 2 on I/O errors.
int cmdDissect(const std::string &file, const DissectSelection &what, const Options &opt);
/// `key` is KEY, KEY@LSN, or KEY with `lsn` given separately.
int cmdBlob(const std::string &file,
            const std::string &key,
            const std::string &lsn,
            const Options &opt);
int cmdDump(const std::string &file, const Options &opt);
int cmdRewrite(const std::string &in, const std::string &out, const Options &opt);
int cmdDemo(const std::string &dir, const Options &opt);
int cmdSynth(const std::string &out, const Options &opt);
/// Validates each file; 0 clean (info allowed), 1 errors or warnings, 2 a file cannot be read.
int cmdCheck(const std::vector<std::string> &files, const Options &opt);
/// Writes a new layer from every entry that can be trusted; 0 nothing lost, 1 something
/// dropped or repaired, 2 nothing written.
int cmdSalvage(const std::string &in, const std::string &out, const Options &opt);
/// Edits the summary safely (new file swapped in + backups, or --in-place); refuses edits that
/// would hide entries from Neon unless --force; --dry-run prints the changed bytes.
int cmdRewriteSummary(const std::string &file, const Options &opt);

/// "layerctl: FILE: message" on stderr.
void reportError(const std::string &file, const std::string &message);
void reportError(const std::string &file, const Error &error);
/// The last path component.
std::string baseName(const std::string &path);

} // namespace layerscope::cli
