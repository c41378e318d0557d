#include "redact.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace layerscope::cli {

namespace {

std::atomic<bool> g_redacting{false};

const std::string &redactKey()
{
    static const std::string key = [] {
        if (const char *k = std::getenv("LAYERSCOPE_REDACT_KEY"); k && *k)
            return std::string(k);
        std::array<unsigned char, 32> random{};
        if (RAND_bytes(random.data(), int(random.size())) != 1)
            std::abort(); // no randomness: better no output than a guessable key
        return std::string(random.begin(), random.end());
    }();
    return key;
}

} // namespace

bool redacting()
{
    return g_redacting.load(std::memory_order_relaxed);
}

void setRedacting(bool on)
{
    g_redacting.store(on, std::memory_order_relaxed);
}

std::string redacted(Bytes content)
{
    const std::string &key = redactKey();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()), content.data(), content.size(), mac, &len);
    std::string hex;
    for (unsigned i = 0; i < 8 && i < len; ++i)
        hex += fmt::format("{:02x}", mac[i]);
    return fmt::format("[redacted: {} bytes, hmac {}]", content.size(), hex);
}

void addRedactFlags(CLI::App &app)
{
    for (const char *name : {"check",
                             "find",
                             "page",
                             "dump",
                             "blob",
                             "dissect",
                             "stats",
                             "diff",
                             "keys",
                             "map",
                             "ls",
                             "summary",
                             "tree",
                             "locate"})
        app.get_subcommand(name)->add_flag_callback(
            "--redact",
            [] { setRedacting(true); },
            "print no value, page, record or tuple bytes: their size and a keyed hash "
            "(LAYERSCOPE_REDACT_KEY) instead; file outputs of content are refused");
}

bool refusedUnderRedact(const std::string &command,
                        const std::string &option,
                        const std::string &value,
                        const char *what)
{
    if (!redacting() || value.empty())
        return false;
    std::fprintf(stderr,
                 "layerctl %s: %s writes %s: not with --redact\n",
                 command.c_str(),
                 option.c_str(),
                 what);
    return true;
}

} // namespace layerscope::cli
