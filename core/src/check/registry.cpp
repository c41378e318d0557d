#include <layerscope/check/registry.h>

namespace layerscope {

const char *checkGroupName(CheckGroup g)
{
    switch (g) {
    case CheckGroup::File: return "file";
    case CheckGroup::Summary: return "summary";
    case CheckGroup::Index: return "index";
    case CheckGroup::Entry: return "entry";
    case CheckGroup::Blob: return "blob";
    case CheckGroup::Value: return "value";
    case CheckGroup::Record: return "record";
    case CheckGroup::Page: return "page";
    case CheckGroup::Timeline: return "timeline";
    case CheckGroup::Shards: return "shards";
    case CheckGroup::Redo: return "redo";
    }
    return "?";
}

std::span<const CheckInfo> checkRegistry()
{
    return kChecks;
}

const CheckInfo *findCheck(std::string_view id)
{
    for (const CheckInfo &c : kChecks)
        if (c.id == id)
            return &c;
    return nullptr;
}

Problem makeProblem(CheckAs c, std::string message, FileOffset offset, std::uint64_t length)
{
    Problem p;
    p.check = std::string(c.info->id);
    p.severity = c.severity;
    p.message = std::move(message);
    p.offset = offset;
    p.length = length;
    return p;
}

Problem &pushProblem(std::vector<Problem> &out,
                     CheckAs c,
                     std::string message,
                     FileOffset offset,
                     std::uint64_t length)
{
    out.push_back(makeProblem(c, std::move(message), offset, length));
    return out.back();
}

} // namespace layerscope
