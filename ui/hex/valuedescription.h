#pragma once

#include <layerscope/dissect/inspect.h>

#include <QString>

namespace layerscope::ui {

/// HTML description of an entry's value: the Postgres page header and line pointers for 8 KiB
/// relation pages, the Value / NeonWalRecord fields and the XLogRecord header for WAL records,
/// sizes for size keys; anything that does not decode says why.
QString describeEntryHtml(const Layer &layer, const Entry &entry,
                          const Result<EntryDetails> &details);

} // namespace layerscope::ui
