#pragma once

// --redact: output that may leave a region. Content (a value's bytes, a page, a record's data,
// a tuple, an aux file's content) is never printed; structure, offsets, check ids, sizes, LSNs
// and keys are. Where content would be printed, redacted() prints its size and a keyed hash, so
// that equal contents can still be matched.

#include <layerscope/base/bytes.h>

#include <string>

namespace CLI {
class App;
}

namespace layerscope::cli {

/// Whether this process redacts (set once by the command's --redact, before any output).
bool redacting();
void setRedacting(bool on);

/// "[redacted: N bytes, hmac 16 hex]": HMAC-SHA256 of `content` keyed with
/// LAYERSCOPE_REDACT_KEY, else with a key drawn for this run (hashes then match within one run).
std::string redacted(Bytes content);

/// Adds --redact to every command that prints what a layer holds (check, find, page, dump,
/// blob, dissect, stats, diff, keys, map, ls, summary, tree, locate).
void addRedactFlags(CLI::App &app);

/// For an option that writes content to a file (check --evidence, find --page, page --out):
/// under --redact, says on stderr that `what` is not written with --redact and returns true
/// (the command then exits 2).
bool refusedUnderRedact(const std::string &command,
                        const std::string &option,
                        const std::string &value,
                        const char *what);

} // namespace layerscope::cli
