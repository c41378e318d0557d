#include "shards.h"

#include "cli.h"
#include "json.h"

#include <layerscope/format/shard.h>
#include <layerscope/io/remote.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace layerscope::cli {

namespace {

/// The text of the newest tenant-manifest*.json in the tenant shard's directory or prefix
/// `tenantDir` (ending in '/'), and its path; nullopt when there is none (or, remote, when the
/// prefix cannot be listed or the manifest fetched: said).
std::optional<std::pair<std::string, std::string>> newestManifest(const std::string &tenantDir)
{
    // tenant-manifest-<generation>.json; the one without a generation is the oldest.
    auto newer = [](const std::string &name, const std::string &than) {
        auto order = [](const std::string &n) {
            return n == "tenant-manifest.json" ? std::string("-") : n;
        };
        return name.starts_with("tenant-manifest") && name.ends_with(".json")
               && (than.empty() || order(name) > order(than));
    };
    std::string newest;
    if (isRemotePath(tenantDir)) {
        auto url = parseObjectUrl(tenantDir + "tenant-manifest");
        auto listed = url ? listObjects(*url, remoteOptions())
                          : Result<std::vector<ObjectInfo>>(url.error());
        if (!listed) {
            reportError(displayPath(tenantDir), listed.error());
            return std::nullopt;
        }
        for (const ObjectInfo &o : *listed)
            if (const std::string name = o.key.substr(o.key.rfind('/') + 1); newer(name, newest))
                newest = name;
        if (newest.empty())
            return std::nullopt;
        const ObjectUrl manifest = url->withKey(url->key.substr(0, url->key.rfind('/') + 1)
                                                + newest);
        auto bytes = fetchObject(manifest, remoteOptions(), 1 << 20);
        if (!bytes) {
            reportError(manifest.display, bytes.error());
            return std::nullopt;
        }
        return std::pair(manifest.display, std::string(bytes->begin(), bytes->end()));
    }
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto &f : fs::directory_iterator(tenantDir, ec))
        if (const std::string name = f.path().filename().string(); newer(name, newest))
            newest = name;
    if (newest.empty())
        return std::nullopt;
    std::ifstream in(tenantDir + newest);
    return std::pair(tenantDir + newest,
                     std::string(std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>()));
}

} // namespace

/// The stripe_size of the newest tenant manifest of the tenant shard at `tenantDir`; Neon's
/// original 32768 pages for a manifest without one (Neon reads it so); Neon's default without
/// a manifest (one that is not JSON is said, once).
std::uint32_t manifestStripe(const std::string &tenantDir)
{
    const auto manifest = newestManifest(tenantDir);
    if (!manifest)
        return kDefaultStripePages;
    try {
        const Json j = Json::parse(manifest->second);
        if (!j.contains("stripe_size"))
            return kLegacyStripePages;
        if (j["stripe_size"].is_number_unsigned() && j["stripe_size"].get<std::uint64_t>() > 0)
            return j["stripe_size"].get<std::uint32_t>();
    } catch (const Json::exception &) {
        reportError(manifest->first, "not a tenant manifest (JSON): Neon's default stripe used");
    }
    return kDefaultStripePages;
}

std::vector<std::string> tenantShards(const std::string &root, const std::string &tenant)
{
    std::set<std::string> slugs;
    auto add = [&](const std::string &name) {
        if (name.size() == 37 && name.starts_with(tenant) && name[32] == '-'
            && ShardIdentity::fromSlug(name.substr(33)))
            slugs.insert(name.substr(33));
        else if (name == tenant)
            slugs.insert("");
    };
    if (isRemotePath(root)) {
        auto url = parseObjectUrl(root + "tenants/" + tenant);
        std::vector<std::string> prefixes;
        if (url && listObjects(*url, remoteOptions(), &prefixes))
            for (const std::string &p : prefixes) {
                const std::string dir = p.ends_with('/') ? p.substr(0, p.size() - 1) : p;
                add(dir.substr(dir.rfind('/') + 1));
            }
    } else {
        std::error_code ec;
        for (const auto &d : std::filesystem::directory_iterator(root + "tenants", ec))
            add(d.path().filename().string());
    }
    return {slugs.begin(), slugs.end()};
}

std::optional<OwningShard> owningShard(const std::string &root,
                                       const std::string &tenant,
                                       const Key &key,
                                       std::uint32_t stripePages)
{
    std::uint8_t count = 0;
    bool unsharded = false;
    for (const std::string &slug : tenantShards(root, tenant)) {
        if (slug.empty())
            unsharded = true;
        else
            count = std::max(count, ShardIdentity::fromSlug(slug)->count);
    }
    if (!count && !unsharded)
        return std::nullopt;
    OwningShard o;
    if (count) {
        LayoutPath place;
        place.root = root;
        place.tenant = tenant;
        o.stripePages = stripePages
                            ? stripePages
                            : manifestStripe(place.tenantPath(ShardIdentity{0, count}.slug()));
        o.slug = ShardIdentity{keyToShardNumber(count, o.stripePages, key), count}.slug();
    }
    return o;
}

} // namespace layerscope::cli
