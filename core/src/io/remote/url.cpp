#include "credentials.h"

#include <layerscope/io/remote.h>

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

namespace layerscope {

namespace {

bool startsWith(std::string_view s, std::string_view p)
{
    return s.substr(0, p.size()) == p;
}

std::string env(const char *name)
{
    const char *v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string trimmed(std::string s)
{
    const auto b = s.find_first_not_of(" \t\r");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

} // namespace

bool isRemotePath(std::string_view text)
{
    return startsWith(text, "s3://") || startsWith(text, "http://") || startsWith(text, "https://");
}

namespace remote {

Credentials awsCredentials()
{
    Credentials c;
    c.region = env("AWS_REGION");
    if (c.region.empty())
        c.region = env("AWS_DEFAULT_REGION");
    c.accessKey = env("AWS_ACCESS_KEY_ID");
    c.secretKey = env("AWS_SECRET_ACCESS_KEY");
    c.sessionToken = env("AWS_SESSION_TOKEN");
    if (c.accessKey.empty() || c.secretKey.empty()) {
        // AWS_PROFILE (or "default") from the shared credentials file.
        std::string profile = env("AWS_PROFILE");
        if (profile.empty())
            profile = "default";
        std::string file = env("AWS_SHARED_CREDENTIALS_FILE");
        if (file.empty() && !env("HOME").empty())
            file = env("HOME") + "/.aws/credentials";
        std::ifstream in(file);
        std::string line, section;
        while (std::getline(in, line)) {
            line = trimmed(line);
            if (line.empty() || line[0] == '#' || line[0] == ';')
                continue;
            if (line.front() == '[' && line.back() == ']') {
                section = trimmed(line.substr(1, line.size() - 2));
                continue;
            }
            if (section != profile)
                continue;
            const auto eq = line.find('=');
            if (eq == std::string::npos)
                continue;
            const std::string k = trimmed(line.substr(0, eq)), v = trimmed(line.substr(eq + 1));
            if (k == "aws_access_key_id")
                c.accessKey = v;
            else if (k == "aws_secret_access_key")
                c.secretKey = v;
            else if (k == "aws_session_token")
                c.sessionToken = v;
            else if (k == "region" && c.region.empty())
                c.region = v;
        }
    }
    if (c.region.empty())
        c.region = "us-east-1";
    return c;
}

/// Unreserved characters stay, '/' stays (key paths), everything else is %XX.
std::string encodeKey(std::string_view key)
{
    std::string out;
    for (unsigned char ch : key) {
        if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '/')
            out += char(ch);
        else
            out += fmt::format("%{:02X}", ch);
    }
    return out;
}

} // namespace remote

namespace {

std::string s3RequestUrl(const std::string &bucket, const std::string &key)
{
    std::string endpoint = env("AWS_ENDPOINT_URL_S3");
    if (endpoint.empty())
        endpoint = env("AWS_ENDPOINT_URL");
    while (!endpoint.empty() && endpoint.back() == '/')
        endpoint.pop_back();
    if (!endpoint.empty()) // S3-compatible store: path-style addressing
        return fmt::format("{}/{}/{}", endpoint, bucket, remote::encodeKey(key));
    return fmt::format("https://{}.s3.{}.amazonaws.com/{}", bucket, remote::awsCredentials().region,
                       remote::encodeKey(key));
}

} // namespace

ObjectUrl ObjectUrl::withKey(std::string_view newKey) const
{
    ObjectUrl u = *this;
    if (s3) {
        u.key = std::string(newKey);
        u.requestUrl = s3RequestUrl(bucket, u.key);
        u.display = fmt::format("s3://{}/{}", bucket, u.key);
        return u;
    }
    const auto base = [&](const std::string &url) {
        const std::string noQuery = url.substr(0, url.find('?'));
        return noQuery.substr(0, noQuery.rfind('/') + 1);
    };
    u.requestUrl = base(requestUrl) + remote::encodeKey(newKey);
    u.display = base(display) + std::string(newKey);
    u.key = std::string(newKey);
    return u;
}

Result<ObjectUrl> parseObjectUrl(std::string_view text)
{
    ObjectUrl u;
    std::string_view rest;
    if (startsWith(text, "s3://")) {
        u.s3 = true;
        rest = text.substr(5);
    } else if (startsWith(text, "http://") || startsWith(text, "https://")) {
        rest = text.substr(text.find("//") + 2);
    } else {
        return pathError("an s3://, http:// or https:// URL", std::string(text));
    }
    const std::string_view authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string_view::npos)
        return pathError("a URL without user:password (credentials come from AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY, AWS_PROFILE or a presigned URL)",
                         "credentials in the URL; refused");
    if (authority.empty())
        return pathError(u.s3 ? "s3://BUCKET/KEY" : "a URL with a host", std::string(text));
    if (u.s3) {
        u.bucket = std::string(authority);
        u.key = rest.size() > authority.size() ? std::string(rest.substr(authority.size() + 1))
                                               : std::string();
        u.requestUrl = s3RequestUrl(u.bucket, u.key);
        u.display = fmt::format("s3://{}/{}", u.bucket, u.key);
        return u;
    }
    u.requestUrl = std::string(text);
    u.display = std::string(text.substr(0, text.find('?')));
    const std::string path = u.display.substr(u.display.find('/', u.display.find("//") + 2) == std::string::npos
                                                  ? u.display.size()
                                                  : u.display.find('/', u.display.find("//") + 2));
    u.key = path.empty() ? std::string() : path.substr(1);
    return u;
}

} // namespace layerscope
