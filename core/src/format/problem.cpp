#include <layerscope/format/problem.h>

namespace layerscope {

const char *severityName(Severity s)
{
    switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
    }
    return "error";
}

} // namespace layerscope
