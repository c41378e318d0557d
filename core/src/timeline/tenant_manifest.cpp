#include <layerscope/timeline/tenant_manifest.h>

#include <nlohmann/json.hpp>

#include <string>

namespace layerscope {

Result<TenantManifest> parseTenantManifest(std::string_view text)
{
    using Json = nlohmann::json;
    Json j;
    try {
        j = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error &e) {
        return makeError(e.byte > 0 ? e.byte - 1 : 0,
                         "tenant manifest: valid JSON",
                         std::string(e.what()).substr(std::string(e.what()).find(']') + 2));
    }
    auto wrong = [](const char *expected, const Json &found) {
        Error e;
        e.expected = expected;
        e.found = found.type_name();
        e.pathLevel = true;
        return e;
    };
    if (!j.is_object())
        return wrong("tenant manifest: a JSON object", j);
    TenantManifest m;
    if (const auto v = j.find("version"); v != j.end()) {
        if (!v->is_number_unsigned())
            return wrong("tenant manifest: an unsigned \"version\"", *v);
        m.version = v->get<std::uint64_t>();
    }
    if (const auto s = j.find("stripe_size"); s != j.end() && !s->is_null()) {
        if (!s->is_number_unsigned() || s->get<std::uint64_t>() == 0
            || s->get<std::uint64_t>() > 0xFFFFFFFFu)
            return wrong("tenant manifest: \"stripe_size\" in pages (1 to 2^32-1)", *s);
        m.stripeSize = s->get<std::uint32_t>();
    }
    return m;
}

} // namespace layerscope
