#pragma once

// How `check` prints what it found: a problem as a text line or a JSON object, a layer's
// grouped text report, the evidence files, and the check registry itself (--list-checks).

#include "json.h"

#include <layerscope/base/bytes.h>
#include <layerscope/check/validate.h>

#include <fmt/format.h>

#include <optional>
#include <string>

namespace layerscope::cli {

/// Severity colours for a terminal (--color=auto: only when stdout is one).
struct Palette
{
    bool on = false;
    std::string severity(Severity s) const
    {
        if (!on)
            return severityName(s);
        const char *c = s == Severity::Error     ? "\033[1;31m"
                        : s == Severity::Warning ? "\033[1;33m"
                                                 : "\033[36m";
        return fmt::format("{}{}\033[0m", c, severityName(s));
    }
};

/// A problem as JSON: check, severity, message, offset, length, and what it concerns.
Json problemJson(const Problem &p);
/// "FILE:OFFSET: severity[check]: message".
std::string problemLine(const std::string &file, const Problem &p, const Palette &pal = {});
/// `line` and a newline on stdout.
void printLine(const std::string &line);
/// Text report: problems in offset order; of a check found more than 5 times at one severity,
/// the first 5 are listed and one line counts the rest (--json lists all).
std::string groupedText(const std::string &file, const ValidationReport &r, const Palette &pal);
/// The report, summary, hex of every block at fault and the sha256 of `file` into `dir`;
/// false when a file cannot be written.
bool writeEvidence(const std::string &dir,
                   const std::string &file,
                   Bytes bytes,
                   const ValidationReport &r);
/// The check registry as `format` says: "text" (aligned columns), "json" (one object per
/// check), "markdown" (the user guide's table) or "man" (roff, for layerctl.1); nullopt for
/// another format.
std::optional<std::string> checkList(const std::string &format);

} // namespace layerscope::cli
