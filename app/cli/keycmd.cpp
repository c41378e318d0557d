// layerctl key: a key as an engineer has it (36 hex digits, a described key, a log span such as
// "rel=1663/5/1259 blkno=3", a relation tag and a block), its class and fields by name, and the
// shard of a sharded tenant that owns it, by Neon's rule.
#include "cli.h"
#include "json.h"

#include <layerscope/format/key_input.h>
#include <layerscope/format/shard.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <utility>
#include <vector>

namespace layerscope::cli {

namespace {

/// The key's fields by the names Neon gives them in its class (raw fields for other classes).
std::vector<std::pair<const char *, std::uint64_t>> namedFields(const Key &k)
{
    switch (k.keyClass()) {
    case KeyClass::RelBlock:
        return {{"spcnode", k.spcOid()},
                {"dbnode", k.dbOid()},
                {"relnode", k.relNumber()},
                {"forknum", k.forkNumber()},
                {"blknum", k.blockNumber()}};
    case KeyClass::RelSize:
        return {{"spcnode", k.spcOid()},
                {"dbnode", k.dbOid()},
                {"relnode", k.relNumber()},
                {"forknum", k.forkNumber()}};
    case KeyClass::SlruBlock:
        return {{"kind", k.slruKind()}, {"segno", k.slruSegment()}, {"blknum", k.blockNumber()}};
    case KeyClass::SlruSegSize: return {{"kind", k.slruKind()}, {"segno", k.slruSegment()}};
    default:
        return {{"field1", k.field1()},
                {"field2", k.field2()},
                {"field3", k.field3()},
                {"field4", k.field4()},
                {"field5", k.field5()},
                {"field6", k.field6()}};
    }
}

struct KeyOptions
{
    std::string input;
    unsigned shardCount = 0;
    std::uint32_t stripePages = 0; ///< 0: not given
    bool json = false;
};

int cmdKey(const KeyOptions &o)
{
    const auto key = parseKeyInput(o.input);
    if (!key) {
        std::fprintf(stderr,
                     "layerctl key: cannot read a key in \"%s\": expected 36 hex digits, a key as "
                     "layerctl prints it (rel 1663/5/1259 blk 3), a log span (rel=1663/5/1259 "
                     "blkno=3) or a relation tag and a block (1663/5/1259 3)\n",
                     o.input.c_str());
        return ExitUsage;
    }
    const std::uint32_t stripe = o.stripePages ? o.stripePages : kDefaultStripePages;
    const std::string stripeFrom = o.stripePages
                                       ? fmt::format("{} MiB, --stripe-size", stripe / 128.0)
                                       : "16 MiB, Neon's default since April 2025; tenants "
                                         "sharded before have 32768: --stripe-size";
    const std::uint8_t count = std::uint8_t(o.shardCount);
    const std::uint8_t owner = keyToShardNumber(count, stripe, *key);
    const bool shard0 = keyIsShard0(*key), global = isKeyGlobal(*key);
    const auto fields = namedFields(*key);
    if (o.json) {
        Json f = Json::object();
        for (const auto &[name, value] : fields)
            f[name] = value;
        printJson(Json{{"key", key->toHex()},
                       {"class", std::string(key->className())},
                       {"description", key->describe()},
                       {"fields", std::move(f)},
                       {"shard_number", owner},
                       {"shard_count", o.shardCount},
                       {"stripe_size", stripe},
                       {"stripe_size_from", o.stripePages ? "--stripe-size" : "default"},
                       {"shard0_only", shard0 && !global},
                       {"every_shard", global}});
        return ExitOk;
    }
    std::string named;
    for (const auto &[name, value] : fields)
        named += fmt::format("{}{} {}", named.empty() ? "" : ", ", name, value);
    std::printf("key        %s\n", key->toHex().c_str());
    std::printf("class      %s: %s\n",
                std::string(key->className()).c_str(),
                key->describe().c_str());
    std::printf("fields     %s\n", named.c_str());
    const std::string placement = global   ? "kept by every shard"
                                  : shard0 ? "shard 0 only (Neon keeps everything but relation "
                                             "blocks, and init forks, on shard 0)"
                                           : "spread over the shards by relation and stripe";
    if (count >= 2)
        std::printf("shard      %u of %u (stripe %u pages, %s)\n",
                    unsigned(owner),
                    unsigned(count),
                    stripe,
                    stripeFrom.c_str());
    else
        std::printf("shard      0 (unsharded; give --shard-count N for a sharded tenant)\n");
    std::printf("placement  %s\n", placement.c_str());
    return ExitOk;
}

} // namespace

void addKeyCommand(CLI::App &app, CommandRun &run)
{
    auto o = std::make_shared<KeyOptions>();
    auto *cmd = app.add_subcommand(
        "key",
        "read a key from a log line or a listing: its class, its fields by name, and the shard "
        "that owns it");
    cmd->add_option("INPUT",
                    o->input,
                    "36 hex digits, a described key (rel 1663/5/1259 blk 3), a log span "
                    "(rel=1663/5/1259 blkno=3) or a relation tag and a block (1663/5/1259 3)")
        ->required();
    cmd->add_option("--shard-count", o->shardCount, "the tenant's shard count (1 to 255)")
        ->check(CLI::Range(1, 255))
        ->option_text("N");
    addStripeSizeOption(cmd,
                        o->stripePages,
                        "stripe in 8 KiB pages (default 2048, 16 MiB; tenants sharded before April "
                        "2025 have 32768)");
    cmd->add_flag("--json", o->json, "one JSON object: the fields by name and shard_number");
    cmd->footer("Exit status: 0 read, 2 not a key.\n"
                "Examples:\n  layerctl key 'rel=1663/5/1259 blkno=3' --shard-count 4\n"
                "  layerctl key 000000067F00000005000004EB0000000003 --json");
    cmd->callback([o, &run] { run = [o] { return cmdKey(*o); }; });
}

} // namespace layerscope::cli
