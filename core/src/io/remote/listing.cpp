// ListObjectsV2 (every page, pugixml) and whole small objects.

#include "credentials.h"
#include "http.h"

#include <layerscope/io/remote.h>

#include <fmt/format.h>
#include <pugixml.hpp>

namespace layerscope {

namespace {

/// A query parameter value, percent-encoded (RFC 3986 unreserved kept).
std::string encodeQuery(std::string_view v)
{
    std::string out;
    for (unsigned char ch : v) {
        if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
            out += char(ch);
        else
            out += fmt::format("%{:02X}", ch);
    }
    return out;
}

} // namespace

Result<std::vector<ObjectInfo>> listObjects(const ObjectUrl &prefix, const RemoteOptions &options,
                                            std::vector<std::string> *prefixes)
{
    if (!prefix.s3)
        return pathError("an s3:// prefix to list", prefix.display + " (HTTP has no listing)");
    std::vector<ObjectInfo> out;
    remote::Http http(options);
    std::string token;
    const ObjectUrl bucketUrl = prefix.withKey("");
    for (int page = 0; page < 100000; ++page) {
        ObjectUrl u = bucketUrl;
        u.requestUrl = u.requestUrl.substr(0, u.requestUrl.size() - (u.requestUrl.back() == '/'));
        // In SigV4's canonical order (names sorted, values encoded as it encodes them): libcurl
        // before 8.x signs the query as sent, and S3 rejects any other order.
        u.requestUrl += fmt::format("?{}{}list-type=2&prefix={}",
                                    token.empty()
                                        ? ""
                                        : "continuation-token=" + encodeQuery(token) + "&",
                                    prefixes ? "delimiter=%2F&" : "",
                                    encodeQuery(prefix.key));
        u.display = prefix.display;
        auto r = http.get(u, 0, 0, {}, nullptr, nullptr, nullptr);
        if (!r)
            return r.error();
        pugi::xml_document doc;
        const auto parsed = doc.load_buffer(r->body.data(), r->body.size());
        if (!parsed)
            return makeError(std::uint64_t(parsed.offset),
                             fmt::format("a ListObjectsV2 answer for {}", prefix.display),
                             parsed.description(), ErrorKind::Io);
        const pugi::xml_node root = doc.child("ListBucketResult");
        if (!root)
            return pathError(fmt::format("a ListBucketResult for {}", prefix.display),
                             doc.first_child().name(), ErrorKind::Io);
        for (pugi::xml_node c : root.children("Contents")) {
            ObjectInfo o;
            o.key = c.child_value("Key");
            o.size = std::strtoull(c.child_value("Size"), nullptr, 10);
            o.etag = c.child_value("ETag");
            out.push_back(std::move(o));
        }
        if (prefixes)
            for (pugi::xml_node c : root.children("CommonPrefixes"))
                prefixes->push_back(c.child_value("Prefix"));
        if (std::string(root.child_value("IsTruncated")) != "true")
            return out;
        token = root.child_value("NextContinuationToken");
        if (token.empty())
            return pathError(fmt::format("a continuation token from {}", prefix.display),
                             "a truncated listing without one", ErrorKind::Io);
    }
    return pathError(fmt::format("a listing of {} that ends", prefix.display),
                     "more than 100000 pages", ErrorKind::Io);
}

Result<ByteVector> fetchObject(const ObjectUrl &url, const RemoteOptions &options,
                               std::uint64_t maxBytes)
{
    remote::Http http(options, maxBytes);
    auto r = http.get(url, 0, 0, {}, nullptr, nullptr, nullptr);
    if (!r)
        return r.error();
    return std::move(r->body);
}

} // namespace layerscope
