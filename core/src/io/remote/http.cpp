#include "http.h"

#include "credentials.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

namespace layerscope::remote {

namespace {

void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// Where a transfer writes: a buffer that refuses to grow past `limit`.
struct Sink
{
    Response *out;
    std::uint64_t limit;
    bool overflow = false;
};

size_t onBody(char *data, size_t size, size_t n, void *user)
{
    auto *s = static_cast<Sink *>(user);
    const size_t len = size * n;
    if (s->out->body.size() + len > s->limit) {
        s->overflow = true;
        return 0; // aborts the transfer
    }
    s->out->body.insert(s->out->body.end(), data, data + len);
    return len;
}

std::string lower(std::string s)
{
    for (char &c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

size_t onHeader(char *data, size_t size, size_t n, void *user)
{
    auto *r = static_cast<Response *>(user);
    const std::string line(data, size * n);
    const auto colon = line.find(':');
    if (line.rfind("HTTP/", 0) == 0) { // a new response (after a redirect or 100): start over
        r->etag.clear();
        r->totalSize = 0;
    } else if (colon != std::string::npos) {
        const std::string name = lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
            value.pop_back();
        while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
        if (name == "etag")
            r->etag = value;
        else if (name == "content-range") { // bytes A-B/TOTAL
            const auto slash = value.rfind('/');
            if (slash != std::string::npos && value.substr(slash + 1) != "*")
                r->totalSize = std::strtoull(value.c_str() + slash + 1, nullptr, 10);
        } else if (name == "content-length" && r->totalSize == 0)
            r->totalSize = std::strtoull(value.c_str(), nullptr, 10);
    }
    return size * n;
}

/// The text of element `name` in an XML error body, or "".
std::string xmlElement(const ByteVector &body, const std::string &name)
{
    const std::string text(body.begin(), body.end());
    const auto a = text.find("<" + name + ">");
    const auto b = text.find("</" + name + ">");
    if (a == std::string::npos || b == std::string::npos || b < a)
        return {};
    return text.substr(a + name.size() + 2, b - a - name.size() - 2);
}

/// The S3 error code in an XML error body ("SlowDown", "NoSuchKey"...), or "".
std::string s3ErrorCode(const ByteVector &body)
{
    return xmlElement(body, "Code");
}

/// "2026-12-08T01:40:00.000Z" (S3's ServerTime) as seconds since the epoch; nullopt otherwise.
std::optional<long long> parseIsoTime(const std::string &text)
{
    std::tm tm{};
    if (text.size() < 19
        || std::sscanf(text.c_str(),
                       "%4d-%2d-%2dT%2d:%2d:%2d",
                       &tm.tm_year,
                       &tm.tm_mon,
                       &tm.tm_mday,
                       &tm.tm_hour,
                       &tm.tm_min,
                       &tm.tm_sec)
               != 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<long long>(timegm(&tm));
}

/// The first of these environment variables that is set and not empty, or "".
std::string envOr(std::initializer_list<const char *> names)
{
    for (const char *n : names)
        if (const char *v = std::getenv(n); v && *v)
            return v;
    return {};
}

} // namespace

std::string rangeText(const ObjectUrl &url, std::uint64_t first, std::uint64_t length)
{
    if (length == 0)
        return url.display;
    return fmt::format("{} bytes {}-{}", url.display, first, first + length - 1);
}

Http::Http(const RemoteOptions &options, std::uint64_t wholeLimit)
    : m_options(options), m_wholeLimit(wholeLimit)
{
    globalInit();
    m_curl = curl_easy_init();
    // The CA file and directory as the AWS CLI and curl read them; empty: the system's.
    m_caFile = envOr({"AWS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"});
    m_caDir = envOr({"SSL_CERT_DIR"});
}

Http::~Http()
{
    if (m_curl)
        curl_easy_cleanup(m_curl);
}

std::string Http::attempt(const ObjectUrl &url, std::uint64_t first, std::uint64_t length,
                          const Pin &pin, Response &out, bool &transient)
{
    out = Response{};
    transient = false;
    CURL *c = m_curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url.requestUrl.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, m_options.connectTimeoutMs);
    // A stall: fewer than 1 byte/s for the stall time.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, std::max(1L, m_options.stallTimeoutMs / 1000));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, m_options.verifyTls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, m_options.verifyTls ? 2L : 0L);
    if (!m_caFile.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, m_caFile.c_str());
    if (!m_caDir.empty())
        curl_easy_setopt(c, CURLOPT_CAPATH, m_caDir.c_str());
    char curlError[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlError);
    // An S3 key is a name, not a path: "a/../b" is its own object, never "b".
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    const std::string range = length ? fmt::format("{}-{}", first, first + length - 1) : std::string();
    if (length)
        curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
    curl_slist *headers = nullptr;
    if (!pin.etag.empty())
        headers = curl_slist_append(headers, ("If-Match: " + pin.etag).c_str());
    Credentials cred;
    std::string sigv4;
    if (url.s3) {
        cred = awsCredentials();
        if (!cred.accessKey.empty() && !cred.secretKey.empty()) {
            sigv4 = fmt::format("aws:amz:{}:s3", cred.region);
            curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
            curl_easy_setopt(c, CURLOPT_USERNAME, cred.accessKey.c_str());
            curl_easy_setopt(c, CURLOPT_PASSWORD, cred.secretKey.c_str());
            // The SHA-256 of an empty body: a GET has none.
            headers = curl_slist_append(headers, "x-amz-content-sha256: "
                                                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca"
                                                 "495991b7852b855");
            if (!cred.sessionToken.empty())
                headers = curl_slist_append(
                    headers, ("x-amz-security-token: " + cred.sessionToken).c_str());
        }
    }
    if (headers)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    // A body longer than the range asked for (or than a whole object may be) is refused as
    // it arrives; error bodies are small.
    Sink sink{&out, length ? std::max<std::uint64_t>(length, 64 << 10) : m_wholeLimit};
    if (length)
        out.body.reserve(length);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out);
    const CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    // Forget the credentials held by the handle.
    curl_easy_setopt(c, CURLOPT_USERNAME, "");
    curl_easy_setopt(c, CURLOPT_PASSWORD, "");

    if (rc != CURLE_OK) {
        if (sink.overflow)
            return length ? fmt::format("the server sent more than the {} bytes asked for "
                                        "(Range ignored?)",
                                        sink.limit)
                          : fmt::format("an object larger than the {} bytes read whole at most",
                                        sink.limit);
        transient = rc != CURLE_UNSUPPORTED_PROTOCOL && rc != CURLE_URL_MALFORMAT
                    && rc != CURLE_PEER_FAILED_VERIFICATION && rc != CURLE_SSL_CACERT_BADFILE;
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
            const std::string detail = curlError[0] ? curlError : curl_easy_strerror(rc);
            const bool host = detail.find("host name") != std::string::npos
                              || detail.find("subject name") != std::string::npos;
            return fmt::format("TLS: {} ({})",
                               host ? "the server's certificate is for another host name"
                               : rc == CURLE_SSL_CACERT_BADFILE
                                   ? "the CA file cannot be read"
                                   : "the server's certificate is not trusted (self-signed or "
                                     "an unknown CA: set AWS_CA_BUNDLE to the CA's PEM file)",
                               detail);
        }
        return curlError[0] ? std::string(curlError) : std::string(curl_easy_strerror(rc));
    }
    if (out.status == 403 && s3ErrorCode(out.body) == "RequestTimeTooSkewed") {
        // SigV4 signs with this machine's time (libcurl's, which cannot be given another):
        // only the clock can be fixed, so say how far off it is.
        const auto server = parseIsoTime(xmlElement(out.body, "ServerTime"));
        const long long off = server ? static_cast<long long>(std::time(nullptr)) - *server : 0;
        return server ? fmt::format("HTTP 403 RequestTimeTooSkewed: this machine's clock is {} s "
                                    "{} the store's; signatures carry the time, fix the clock",
                                    off < 0 ? -off : off,
                                    off < 0 ? "behind" : "ahead of")
                      : std::string("HTTP 403 RequestTimeTooSkewed: this machine's clock is off "
                                    "the store's; signatures carry the time, fix the clock");
    }
    if (out.status >= 500 || out.status == 429) {
        transient = true;
        const std::string code = s3ErrorCode(out.body);
        return fmt::format("HTTP {}{}", out.status, code.empty() ? "" : " " + code);
    }
    if (out.status == 412)
        return fmt::format("the object was replaced since it was opened (ETag {} no longer matches)",
                           pin.etag);
    if (out.status == 403 || out.status == 401) {
        const std::string code = s3ErrorCode(out.body);
        return fmt::format("HTTP {} {} (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                           "AWS_PROFILE or the presigned URL)",
                           out.status, code.empty() ? "access denied" : code);
    }
    if (out.status == 404)
        return "no such object (HTTP 404)";
    if (out.status == 301 || out.status == 307 || out.status == 308)
        return fmt::format("HTTP {}: the bucket is in another region or behind another endpoint "
                           "(set AWS_REGION, or AWS_ENDPOINT_URL for an S3-compatible store)",
                           out.status);
    if (out.status != 200 && out.status != 206) {
        const std::string code = s3ErrorCode(out.body);
        return fmt::format("HTTP {}{}", out.status, code.empty() ? "" : " " + code);
    }
    if (!pin.etag.empty() && !out.etag.empty() && out.etag != pin.etag)
        return fmt::format("the object was replaced since it was opened (ETag {} became {})",
                           pin.etag, out.etag);
    if (pin.size && out.totalSize && out.totalSize != pin.size)
        return fmt::format("the object was replaced since it was opened ({} bytes became {})",
                           pin.size, out.totalSize);
    // A range past the end is cut at the end of the object.
    const std::uint64_t want = length && out.totalSize > first
                                   ? std::min(length, out.totalSize - first)
                                   : length;
    if (length && out.status == 200 && !(first == 0 && out.body.size() == out.totalSize))
        return "the server ignored the Range header";
    if (length && out.body.size() != want) {
        transient = true; // a short body: the connection was cut
        return fmt::format("a short body: {} of {} bytes", out.body.size(), want);
    }
    return {};
}

Result<Response> Http::get(const ObjectUrl &url, std::uint64_t first, std::uint64_t length,
                           const Pin &pin, std::atomic<std::uint64_t> *requests,
                           std::atomic<std::uint64_t> *bytes, std::atomic<std::uint64_t> *retries)
{
    if (!m_curl)
        return makeError(first, "a libcurl handle", "none could be made", ErrorKind::Io);
    Response out;
    std::string why;
    long pause = m_options.backoffMs;
    const int attempts = std::max(1, m_options.attempts);
    for (int i = 0; i < attempts; ++i) {
        if (i > 0) {
            if (retries)
                ++*retries;
            std::this_thread::sleep_for(std::chrono::milliseconds(pause));
            pause = std::min(pause * 2, 10000L);
        }
        bool transient = false;
        if (requests)
            ++*requests;
        why = attempt(url, first, length, pin, out, transient);
        if (bytes)
            *bytes += out.body.size();
        if (why.empty())
            return out;
        if (!transient)
            break;
        if (i + 1 == attempts)
            why += fmt::format(" (after {} attempts)", attempts);
    }
    return makeError(first, fmt::format("{} to read", rangeText(url, first, length)), why, ErrorKind::Io);
}

} // namespace layerscope::remote
