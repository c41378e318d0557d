#pragma once

// A key as an on-call engineer has it: typed, pasted from a layer listing, or cut from a
// pageserver log line's span ("rel=1663/5/1259 blkno=3").

#include <layerscope/format/key.h>

#include <optional>
#include <string_view>

namespace layerscope {

/// Every form Key::parse reads (36 hex digits, what describe() prints), plus a log span's
/// `rel=SPC/DB/REL[_fsm|_vm|_init] blkno=N` (also `blk=N`, `block=N`, blanks around '='), and a
/// relation tag and a block: `SPC/DB/REL[_fork] N`. nullopt when the text is none of these.
std::optional<Key> parseKeyInput(std::string_view text);

} // namespace layerscope
