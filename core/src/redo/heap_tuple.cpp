#include <layerscope/redo/heap_tuple.h>

#include <layerscope/redo/page_edit.h>

#include <fmt/format.h>

namespace layerscope::redo::heap {

TupleHeader::TupleHeader(std::span<std::uint8_t> tuple)
    : m_p(tuple.data())
{
    if (tuple.size() < kTupleHeaderLen)
        fault(fmt::format("a heap tuple of {} bytes, shorter than its {}-byte header",
                          tuple.size(),
                          kTupleHeaderLen));
}

namespace {
template<std::size_t N>
std::string names(std::uint16_t bits, const std::pair<std::uint16_t, const char *> (&table)[N])
{
    std::string out;
    for (const auto &[bit, name] : table)
        if (bits & bit) {
            if (!out.empty())
                out += '|';
            out += name;
        }
    return out;
}
} // namespace

std::string infomaskNames(std::uint16_t m)
{
    static const std::pair<std::uint16_t, const char *> table[] = {
        {kHasNull, "HASNULL"},
        {kHasVarwidth, "HASVARWIDTH"},
        {kHasExternal, "HASEXTERNAL"},
        {kHasOidOld, "HASOID_OLD"},
        {kXmaxKeyshrLock, "XMAX_KEYSHR_LOCK"},
        {kComboCid, "COMBOCID"},
        {kXmaxExclLock, "XMAX_EXCL_LOCK"},
        {kXmaxLockOnly, "XMAX_LOCK_ONLY"},
        {kXminCommitted, "XMIN_COMMITTED"},
        {kXminInvalid, "XMIN_INVALID"},
        {kXmaxCommitted, "XMAX_COMMITTED"},
        {kXmaxInvalid, "XMAX_INVALID"},
        {kXmaxIsMulti, "XMAX_IS_MULTI"},
        {kUpdated, "UPDATED"},
        {kMovedOff, "MOVED_OFF"},
        {kMovedIn, "MOVED_IN"}};
    const std::string s = names(m, table);
    return s.empty() ? "0" : s;
}

std::string infomask2Names(std::uint16_t m)
{
    static const std::pair<std::uint16_t, const char *> table[] = {{kKeysUpdated, "KEYS_UPDATED"},
                                                                   {kHotUpdated, "HOT_UPDATED"},
                                                                   {kOnlyTuple, "HEAP_ONLY_TUPLE"}};
    const std::string s = names(m, table);
    const unsigned natts = m & kNattsMask;
    return s.empty() ? fmt::format("{} attributes", natts)
                     : fmt::format("{}, {} attributes", s, natts);
}

} // namespace layerscope::redo::heap
