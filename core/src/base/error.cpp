#include <layerscope/base/error.h>

#include <fmt/format.h>

namespace layerscope {

std::string Error::message() const
{
    if (pathLevel)
        return found.empty() ? fmt::format("expected {}", expected)
                             : fmt::format("expected {}, found {}", expected, found);
    if (found.empty())
        return fmt::format("at offset {}: expected {}", offset, expected);
    return fmt::format("at offset {}: expected {}, found {}", offset, expected, found);
}

Error makeError(FileOffset offset, std::string expected, std::string found, ErrorKind kind)
{
    return Error{offset, std::move(expected), std::move(found), kind};
}

Error pathError(std::string expected, std::string found, ErrorKind kind)
{
    Error e{0, std::move(expected), std::move(found), kind};
    e.pathLevel = true;
    return e;
}

} // namespace layerscope
