#pragma once

#include <layerscope/inspect.h>
#include <layerscope/layer.h>

#include <QJsonObject>

namespace layerscope::cli {

/// Summary object with exactly the fields of the fixtures' first .expect.jsonl line.
QJsonObject summaryJson(const Layer &layer, const TreeShape &shape);
/// Entry object with exactly the fields of the fixtures' entry lines; `withZstd` adds "zstd".
QJsonObject entryJson(const Layer &layer, const Entry &entry, const EntryDetails &details,
                      bool withZstd);
/// Lowercase hex sha256.
QString sha256Hex(Bytes bytes);

} // namespace layerscope::cli
