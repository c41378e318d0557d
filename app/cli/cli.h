#pragma once

#include <layerscope/base/error.h>
#include <layerscope/dissect/dissect.h>
#include <layerscope/format/layer.h>
#include <layerscope/io/remote.h>
#include <layerscope/timeline/timeline.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
class Validator;
} // namespace CLI

namespace layerscope::cli {

enum ExitCode { ExitOk = 0, ExitProblem = 1, ExitUsage = 2 };
enum class Color { Auto, Always, Never };

/// Options of the subcommands (each command reads only its own; main rejects the others).
struct Options
{
    bool redo = false;         ///< check: rebuild image pages from the data below them
    bool history = false;      ///< page: every record applied, with the bytes it changed
    std::string out;           ///< page: the file the raw 8192 bytes are written to
    int pgVersion = 0;         ///< page, find, check: --pg-version (0: the index's, or unknown)
    std::uint32_t stripePages = 0; ///< check: --stripe-size (0: the tenant manifest's, or Neon's default)
    bool json = false;
    bool quiet = false;
    bool neon = false;           ///< tree: Neon's dump format
    bool count = false;          ///< summary: count a remote object's entries
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
    bool recursive = false;          ///< check: each path is a region of timelines
    std::uint64_t shardIndex = 0;    ///< check --shard K/N: K (1-based); 0 = every timeline
    std::uint64_t shardCount = 0;    ///< N
    unsigned jobs = 1;               ///< check: layers in flight
    std::string resume;              ///< check: the resume file
    bool list = false;               ///< check --recursive: list the timelines only
    Color color = Color::Auto;
    // rewrite-summary: unset = keep; set (maybe empty) = change, validated by the command.
    std::optional<std::string> tenant, timeline, keyStart, keyEnd, lsn, lsnStart, lsnEnd;
    bool inPlace = false, noBackup = false, dryRun = false, force = false;
    unsigned keepBackups = 5; ///< rewrite-summary: FILE.bak.1 … FILE.bak.N
};

/// True for a regular file named *.json (taken for an index_part.json).
bool isIndexFile(const std::string &path);
/// A timeline: a directory, an index_part.json (its layers only listed), a directory with the
/// `index` file merged (may be empty), or an s3:// prefix (its objects, cross-checked with
/// its live index_part.json-<generation>, opened in place). Nullopt, the reason printed, when
/// it cannot be read.
std::optional<Timeline> openTimeline(const std::string &path, const std::string &index);

/// Writes `text` to `path` (created or truncated); false when it cannot be written (errno).
bool writeText(const std::string &path, const std::string &text);
/// Opens a layer file, or a remote object (s3://, http://, https://) read in place. With
/// `wholeFile` the command is about to read all of it (a remote object is fetched ahead).
/// Errors name the path or URL (never a credential). With `options` a remote object is opened
/// with those and not kept for the next command step (a scrub's layers, each read once).
Result<std::shared_ptr<const ByteSource>> openSource(const std::string &path,
                                                     bool wholeFile = false,
                                                     const RemoteOptions *options = nullptr);
/// Opens a layer through openSource; returns ExitOk, ExitUsage (I/O, not a file) or
/// ExitProblem (not a valid layer), the error printed naming the file and offset.
int openLayer(const std::string &file, std::optional<Layer> &out, bool wholeFile = false);
/// How remote objects are read (--cache-size and the environment).
RemoteOptions &remoteOptions();
/// Run by main after the command: when a remote object could not be read in full, whatever
/// the command concluded from the bytes it had is void; the error (URL and byte range) is
/// printed and ExitUsage returned. Otherwise `rc`.
int finishRemote(int rc);
/// Refuses a URL where a command writes: prints "download it first" and returns true.
bool refuseRemote(const std::string &command, const std::string &path);

/// The work of the subcommand given on the command line: set by that subcommand's parse
/// callback once its options are known to be valid, run by main; returns an ExitCode.
using CommandRun = std::function<int()>;

/// Command families, one file each. Each adds its subcommands with their options and help to
/// `app`; the parsed one checks what CLI11 cannot (printing a one-line usage error and
/// setting `run` to return ExitUsage) and sets `run`.
void addLayerCommands(CLI::App &app, CommandRun &run);    ///< summary keys tree blob dump
void addDiffCommand(CLI::App &app, CommandRun &run);      ///< diff
void addTimelineCommands(CLI::App &app, CommandRun &run); ///< ls find map
void addStatsCommand(CLI::App &app, CommandRun &run);     ///< stats
void addDissectCommand(CLI::App &app, CommandRun &run);   ///< dissect
void addWriteCommands(CLI::App &app, CommandRun &run);    ///< rewrite demo synth ingest
void addCheckCommands(CLI::App &app, CommandRun &run);    ///< check
void addSalvageCommand(CLI::App &app, CommandRun &run);   ///< salvage
void addEditCommand(CLI::App &app, CommandRun &run);      ///< rewrite-summary
void addPageCommand(CLI::App &app, CommandRun &run);      ///< page
void addKeyCommand(CLI::App &app, CommandRun &run);       ///< key
void addLocateCommand(CLI::App &app, CommandRun &run);    ///< locate

/// --stripe-size PAGES (1 to 2^32-1) on `cmd`, with `help` (what the default is for it).
void addStripeSizeOption(CLI::App *cmd, std::uint32_t &pages, const std::string &help);

/// find: the read path of KEY@LSN in the timeline at `dir` (also run by locate).
int cmdFind(const std::string &dir, const std::string &keyAt, const Options &opt);

/// A layer file name used in the commands' examples.
extern const char *const kExampleLayer;

/// "64K", "1G", "1000": bytes, with K/M/G (1024-based) suffixes; nullopt on garbage or overflow.
std::optional<std::uint64_t> parseSize(std::string text);
/// CLI11 validators: a size as parseSize reads it, and a whole number from 1 to 2^64 - 1
/// (its message names what it found, e.g. a sign).
CLI::Validator sizeValidator();
CLI::Validator countValidator();
/// -q/--quiet into opt.quiet.
void addQuiet(CLI::App *cmd, Options &opt);
/// Prints "layerctl COMMAND: message" on stderr and sets `run` to return ExitUsage.
void usageError(CommandRun &run, const std::string &command, const std::string &message);

/// A path as messages show it: a URL without its query (a presigned signature) or
/// user:password; a local path as given.
std::string displayPath(const std::string &path);
/// The Postgres version a timeline's records are replayed as: --pg-version, else the merged
/// index's pg_version, else unknown (kPgVersionUnknown); `source` says which.
int replayVersion(const Options &opt, const Timeline &t, std::string *source = nullptr);
/// Prints a dissected field and its children, indented by `depth`, with their byte ranges.
void printField(const Field &f, int depth);
/// "layerctl: FILE: message" on stderr.
void reportError(const std::string &file, const std::string &message);
void reportError(const std::string &file, const Error &error);
/// The last path component.
std::string baseName(const std::string &path);

} // namespace layerscope::cli
