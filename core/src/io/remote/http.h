#pragma once

// Ranged GETs over libcurl for the remote byte source and the listings: AWS Signature V4 by
// libcurl, retries with backoff, connect and stall timeouts, ETag and size pinning. Private to
// layerscope_remote.

#include <layerscope/io/remote.h>

#include <cstdint>
#include <optional>
#include <string>

typedef void CURL;

namespace layerscope::remote {

/// The pieces of a response the callers look at.
struct Response
{
    long status = 0;
    std::string etag;                ///< as sent, quotes included
    std::uint64_t totalSize = 0;     ///< from Content-Range, else Content-Length
    ByteVector body;
};

/// What a GET must match: the ETag and size seen at open (empty/0 at open itself).
struct Pin
{
    std::string etag;
    std::uint64_t size = 0;
};

/// One connection (a libcurl easy handle, reused between requests: keep-alive). Not
/// thread-safe: one per thread.
class Http
{
public:
    /// `wholeLimit`: the most bytes a GET of a whole object (length 0) may bring; a larger
    /// body is refused while it arrives, never held.
    explicit Http(const RemoteOptions &options, std::uint64_t wholeLimit = 64ull << 20);
    ~Http();
    Http(const Http &) = delete;
    Http &operator=(const Http &) = delete;

    /// GET of [first, first + length) (length 0: the whole object), retried on 5xx, SlowDown,
    /// resets, stalls and short bodies. Errors name the URL (display form) and the range;
    /// kind Io. `counters` (may be null) counts requests, bytes and retries.
    Result<Response> get(const ObjectUrl &url, std::uint64_t first, std::uint64_t length,
                         const Pin &pin, std::atomic<std::uint64_t> *requests,
                         std::atomic<std::uint64_t> *bytes, std::atomic<std::uint64_t> *retries);

private:
    /// One attempt: the curl result and the response. `transient` says whether another try
    /// may succeed.
    std::string attempt(const ObjectUrl &url, std::uint64_t first, std::uint64_t length,
                        const Pin &pin, Response &out, bool &transient);

    RemoteOptions m_options;
    std::uint64_t m_wholeLimit;
    CURL *m_curl = nullptr;
    std::string m_caFile, m_caDir; ///< from the environment at construction
};

/// "bytes A-B of URL" for messages.
std::string rangeText(const ObjectUrl &url, std::uint64_t first, std::uint64_t length);

} // namespace layerscope::remote
