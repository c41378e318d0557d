#include <layerscope/format/shard.h>
#include <layerscope/timeline/tenant_manifest.h>
#include <layerscope/timeline/tenant_shards.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace layerscope {

namespace {

/// tenant-manifest-<generation>.json orders by generation; tenant-manifest.json is the oldest.
bool newerManifest(const std::string &name, const std::string &than)
{
    auto order = [](const std::string &n) {
        return n == "tenant-manifest.json" ? std::string("-") : n;
    };
    return name.starts_with("tenant-manifest") && name.ends_with(".json")
           && (than.empty() || order(name) > order(than));
}

/// The newest manifest's name and text; an empty name when there is none.
Result<std::pair<std::string, std::string>> newestManifest(const std::string &tenantDir,
                                                           const RemoteOptions &options)
{
    std::string newest;
    if (tenantDir.starts_with("s3://")) {
        auto url = parseObjectUrl(tenantDir + "tenant-manifest");
        if (!url)
            return url.error();
        auto listed = listObjects(*url, options);
        if (!listed)
            return listed.error();
        for (const ObjectInfo &o : *listed)
            if (const std::string name = o.key.substr(o.key.rfind('/') + 1);
                newerManifest(name, newest))
                newest = name;
        if (newest.empty())
            return std::pair<std::string, std::string>();
        auto bytes = fetchObject(url->withKey(url->key.substr(0, url->key.rfind('/') + 1) + newest),
                                 options,
                                 1 << 20);
        if (!bytes)
            return bytes.error();
        return std::pair(newest, std::string(bytes->begin(), bytes->end()));
    }
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto &f : fs::directory_iterator(tenantDir, ec))
        if (const std::string name = f.path().filename().string(); newerManifest(name, newest))
            newest = name;
    if (newest.empty())
        return std::pair<std::string, std::string>();
    std::ifstream in(tenantDir + newest);
    return std::pair(newest,
                     std::string(std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>()));
}

/// The common prefixes directly below the s3:// `prefix` (one delimited listing).
Result<std::vector<std::string>> subPrefixes(const std::string &prefix, const RemoteOptions &options)
{
    auto url = parseObjectUrl(prefix);
    if (!url)
        return url.error();
    std::vector<std::string> prefixes;
    auto listed = listObjects(*url, options, &prefixes);
    if (!listed)
        return listed.error();
    return prefixes;
}

} // namespace

TenantStripe readTenantStripe(const std::string &tenantDir, const RemoteOptions &options)
{
    TenantStripe s{kDefaultStripePages, "Neon's default (no tenant manifest)", {}};
    auto manifest = newestManifest(tenantDir, options);
    if (!manifest) {
        s.problem = fmt::format("{}: {}: Neon's default stripe used",
                                tenantDir,
                                manifest.error().message());
        return s;
    }
    if (manifest->first.empty())
        return s;
    const auto parsed = parseTenantManifest(manifest->second);
    if (!parsed) {
        s.problem = fmt::format("{}{}: not a tenant manifest ({}): Neon's default stripe used",
                                tenantDir,
                                manifest->first,
                                parsed.error().message());
        return s;
    }
    s.pages = parsed->stripeSize.value_or(kLegacyStripePages);
    s.from = parsed->stripeSize ? manifest->first
                                : manifest->first + " (no stripe_size: Neon's original 32768)";
    return s;
}

Result<std::vector<std::string>> tenantShardSlugs(const std::string &root,
                                                  const std::string &tenant,
                                                  const RemoteOptions &options)
{
    std::set<std::string> slugs;
    auto add = [&](std::string_view name) {
        if (name.size() == 37 && name.starts_with(tenant) && name[32] == '-'
            && ShardIdentity::fromSlug(name.substr(33)))
            slugs.insert(std::string(name.substr(33)));
        else if (name == tenant)
            slugs.insert("");
    };
    if (root.starts_with("s3://")) {
        auto prefixes = subPrefixes(root + "tenants/" + tenant, options);
        if (!prefixes)
            return prefixes.error();
        for (std::string p : *prefixes) {
            if (p.ends_with('/'))
                p.pop_back();
            add(std::string_view(p).substr(p.rfind('/') + 1));
        }
        // Some stores (s3rver) leave the unsharded tenant's own "<tenant>/" out of the common
        // prefixes of "<tenant>": its timelines are asked for directly.
        if (!slugs.contains("")) {
            auto below = subPrefixes(root + "tenants/" + tenant + "/timelines/", options);
            if (!below)
                return below.error();
            if (!below->empty())
                slugs.insert("");
        }
    } else {
        std::error_code ec;
        for (const auto &d : std::filesystem::directory_iterator(root + "tenants", ec))
            add(d.path().filename().string());
    }
    return std::vector<std::string>(slugs.begin(), slugs.end());
}

Result<LocatedTimeline> locateTimeline(const LogLocation &loc,
                                       const std::string &rootArg,
                                       std::uint32_t stripePages,
                                       const RemoteOptions &options)
{
    auto fail = [](std::string expected, std::string found) {
        Error e;
        e.expected = std::move(expected);
        e.found = std::move(found);
        e.pathLevel = true;
        return e;
    };
    const std::string root = rootArg.ends_with('/') ? rootArg : rootArg + "/";
    LocatedTimeline out;
    LayoutPath place;
    if (const auto named = parseLayoutPath(root))
        place = *named;
    else
        place.root = root;
    if (place.tenant.empty())
        place.tenant = loc.tenant;
    else if (!loc.tenant.empty() && loc.tenant != place.tenant)
        out.notes.push_back(fmt::format("the line names tenant {}; {} is tenant {}'s",
                                        loc.tenant,
                                        rootArg,
                                        place.tenant));
    if (place.timeline.empty())
        place.timeline = loc.timeline;
    if (place.tenant.empty() || place.timeline.empty())
        return fail(fmt::format("{} (in the line, or a {} directory or prefix as the root)",
                                place.tenant.empty() ? "the tenant id (tenant_id=…)"
                                                     : "the timeline id (timeline_id=…)",
                                place.tenant.empty() ? "tenant's" : "timeline's"),
                    loc.found());
    if (!place.slug.empty()) { // the shard the root names
        out.timeline = place.timelinePath(place.slug);
        return out;
    }
    auto slugs = tenantShardSlugs(place.root, place.tenant, options);
    if (!slugs)
        return slugs.error();
    if (slugs->empty())
        return fail(fmt::format("tenants/{}[-<shard>]/ below {}", place.tenant, place.root), "none");
    std::uint8_t count = 0;
    for (const std::string &s : *slugs)
        if (!s.empty())
            count = std::max(count, ShardIdentity::fromSlug(s)->count);
    std::string slug;
    if (count) {
        const std::uint32_t stripe = stripePages
                                         ? stripePages
                                         : readTenantStripe(place.tenantPath(
                                                                ShardIdentity{0, count}.slug()),
                                                            options)
                                               .pages;
        const std::string owner = loc.key ? ShardIdentity{keyToShardNumber(count, stripe, *loc.key),
                                                          count}
                                                .slug()
                                          : std::string();
        slug = owner;
        if (loc.shardSlug && !loc.shardSlug->empty()) {
            slug = *loc.shardSlug; // where the line's read happened
            if (!owner.empty() && slug != owner)
                out.notes.push_back(fmt::format("the line names shard {}; by Neon's rule (stripe "
                                                "{} pages) the key is shard {}'s",
                                                slug,
                                                stripe,
                                                owner));
        } else if (loc.shardNumber && *loc.shardNumber < count) {
            slug = ShardIdentity{*loc.shardNumber, count}.slug();
        }
    }
    out.timeline = place.timelinePath(slug);
    return out;
}

Result<TimelineCopies> timelineCopies(const std::string &pathArg,
                                      std::uint32_t stripePages,
                                      const RemoteOptions &options)
{
    const std::string path = pathArg.ends_with('/') ? pathArg : pathArg + "/";
    const auto place = parseLayoutPath(path);
    if (!place || place->timeline.empty()) {
        Error e;
        e.expected = "a timeline in Neon's layout (ROOT/tenants/<tenant>[-<shard>]/timelines/"
                     "<timeline>)";
        e.found = path;
        e.pathLevel = true;
        return e;
    }
    auto slugs = tenantShardSlugs(place->root, place->tenant, options);
    if (!slugs)
        return slugs.error();
    std::vector<std::pair<ShardIdentity, std::string>> found;
    for (const std::string &slug : *slugs) {
        bool holds = false;
        if (path.starts_with("s3://")) {
            auto prefixes = subPrefixes(place->tenantPath(slug) + "timelines/", options);
            if (!prefixes)
                return prefixes.error();
            holds = std::any_of(prefixes->begin(), prefixes->end(), [&](const std::string &p) {
                return p.find(place->timeline) != std::string::npos;
            });
        } else {
            std::error_code ec;
            holds = std::filesystem::is_directory(place->timelinePath(slug), ec);
        }
        if (holds)
            found.emplace_back(ShardIdentity::fromSlug(slug).value_or(ShardIdentity{}), slug);
    }
    if (found.empty()) {
        Error e;
        e.expected = fmt::format("tenants/{}[-<shard>]/timelines/{}/ below {}",
                                 place->tenant,
                                 place->timeline,
                                 place->root);
        e.found = slugs->empty()
                      ? "no directory of the tenant"
                      : fmt::format("{} shard(s) of the tenant, none with it", slugs->size());
        e.pathLevel = true;
        return e;
    }
    std::sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
        return std::pair(-int(a.first.count), a.first.number)
               < std::pair(-int(b.first.count), b.first.number);
    });
    TimelineCopies out;
    out.count = found.front().first.count;
    for (const auto &[shard, slug] : found) {
        out.paths.push_back(place->timelinePath(slug));
        out.slugs.push_back(slug);
    }
    if (stripePages)
        out.stripe = {stripePages, "--stripe-size", {}};
    else if (out.count >= 2)
        out.stripe = readTenantStripe(place->tenantPath(found.front().second), options);
    else
        out.stripe = {kDefaultStripePages, "unsharded", {}};
    return out;
}

} // namespace layerscope
