#pragma once

// Layers where they live: objects in S3 (or any S3-compatible store) and plain HTTP(S) URLs,
// read in place with ranged GETs. Library layerscope_remote (libcurl, pugixml), kept apart
// from layerscope_core so that core depends on fmt and zstd only.

#include <layerscope/io/byte_source.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace layerscope {

/// True for text that names a remote object or prefix (s3://, http://, https://).
bool isRemotePath(std::string_view text);

/// A parsed remote location. For s3:// the request URL is resolved against AWS_ENDPOINT_URL
/// (path style: ENDPOINT/BUCKET/KEY) or AWS's virtual-hosted endpoint for the region.
struct ObjectUrl
{
    bool s3 = false;
    std::string bucket;     ///< s3 only
    std::string key;        ///< s3: the object key or prefix (no leading '/')
    std::string requestUrl; ///< what is sent (with a presigned URL's query)
    /// The URL for people: s3://bucket/key, or the http(s) URL without its query (which may
    /// hold a presigned signature). Errors and output use only this.
    std::string display;

    /// The same bucket with another key (s3), or the same origin and directory (http).
    ObjectUrl withKey(std::string_view key) const;
};

/// Errors (path-level): an unknown scheme, no bucket, and any URL with user:password in it
/// (credentials come from the environment, never from a URL that ends up in shell history).
Result<ObjectUrl> parseObjectUrl(std::string_view text);

/// How remote reads behave. Defaults suit an on-call laptop against S3.
struct RemoteOptions
{
    std::uint64_t cacheBytes = 256ull << 20; ///< resident bytes of each object, at most
    unsigned parallel = 4;                   ///< ranged GETs in flight for one object
    long connectTimeoutMs = 10000;           ///< per connection attempt
    long stallTimeoutMs = 30000;             ///< a transfer that moves no byte this long fails
    int attempts = 5;                        ///< tries per range (backoff between them)
    long backoffMs = 200;                    ///< first pause; doubles per try
    bool verifyTls = true;
    /// Called once per object when a range fails for good (from a fetch thread; the URL is
    /// the display form): lets a caller void its verdict even after the source is gone.
    std::function<void(const std::string &url, const Error &error)> onFailure;

    /// `defaults`, with LAYERSCOPE_REMOTE_{CONNECT,STALL}_TIMEOUT_MS, _ATTEMPTS and
    /// _BACKOFF_MS from the environment where set (tests use short ones).
    static RemoteOptions fromEnvironment(RemoteOptions defaults);
    static RemoteOptions fromEnvironment() { return fromEnvironment(RemoteOptions{}); }
    /// For a window: a page a pane waits for is given up sooner (5 s stall, 3 attempts), so
    /// that a dead connection turns into the Retry banner instead of a long wait.
    static RemoteOptions interactive();
};

/// What an object's reads cost so far.
struct RemoteCounters
{
    std::uint64_t requests = 0;     ///< GETs sent, retries included
    std::uint64_t bytesFetched = 0; ///< body bytes received
    std::uint64_t retries = 0;
};

/// One object, seen as a ByteSource. bytes() is a span of the whole object whose pages are
/// fetched when first touched (userfaultfd): every parser works on it unchanged. Blocks are
/// 64 KiB, fetched in aligned runs; sequential access grows the run and reads ahead on
/// `parallel` connections; at most `cacheBytes` stay resident (the oldest fetched go first and
/// are fetched again if touched). Every range is pinned to the ETag and size seen at open.
///
/// Errors: a range that still fails after the retries (or an object replaced since open)
/// does not stop the reader, which cannot be handed an error from a memory access: its pages
/// read as zeros and failure() says what happened. A caller must check failure() before
/// trusting any verdict drawn from the bytes; after a failure no further request is sent
/// until retry(). Thread-safe.
class RemoteSource final : public ByteSource
{
public:
    /// One GET of the first block gives the size and ETag. Errors name the URL: not found,
    /// access denied, not reachable, no userfaultfd on this system.
    static Result<std::shared_ptr<RemoteSource>> open(const ObjectUrl &url,
                                                      const RemoteOptions &options = {});
    ~RemoteSource() override;
    RemoteSource(const RemoteSource &) = delete;
    RemoteSource &operator=(const RemoteSource &) = delete;

    Bytes bytes() const override;
    const std::string &name() const override;
    /// The resident blocks wholly inside the range are evicted first when the cache is full
    /// (a pass is done with them) and no longer count against read-ahead.
    void release(std::uint64_t offset, std::uint64_t length) const override;
    /// Starts fetching the range in order, `parallel` GETs at a time, as far as the cache
    /// holds: for passes over the whole file (check, stats, diff, dump).
    void willRead(std::uint64_t offset, std::uint64_t length) const override;

    /// parseObjectUrl, then open: errors name the URL in its display form.
    static Result<std::shared_ptr<RemoteSource>> open(std::string_view url,
                                                      const RemoteOptions &options = {});

    const std::string &etag() const;
    RemoteCounters counters() const;
    /// The first range that failed for good, with the URL and byte range in the message;
    /// nullopt while every byte read so far is the object's.
    std::optional<Error> failure() const;
    /// Forgets the failure and the zeros it left: the next touch fetches again.
    void retry();

    struct Impl;

private:
    explicit RemoteSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// One listed object.
struct ObjectInfo
{
    std::string key; ///< full key (s3) or name
    std::uint64_t size = 0;
    std::string etag;
};

/// Every object under an s3:// prefix (ListObjectsV2, all pages, pugixml). With a delimiter
/// "/" only the objects directly under it; `prefixes` then gets the sub-prefixes. Errors name
/// the URL and the server's error code.
Result<std::vector<ObjectInfo>> listObjects(const ObjectUrl &prefix, const RemoteOptions &options,
                                            std::vector<std::string> *prefixes = nullptr);

/// A whole small object (index_part.json) in memory; a body over `maxBytes` is refused as it
/// arrives (never held), naming the URL.
Result<ByteVector> fetchObject(const ObjectUrl &url, const RemoteOptions &options,
                               std::uint64_t maxBytes = 256ull << 20);

} // namespace layerscope
