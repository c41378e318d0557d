// libFuzzer target: open + iterate + validate + value decode + name parsing + Postgres record
// replay, masking and page dissection on arbitrary bytes.
// Built with clang -fsanitize=fuzzer (LAYERSCOPE_FUZZ=ON); replay_main.cpp drives the same
// function over a corpus in ordinary builds.
#include <layerscope/check/consistency.h>
#include <layerscope/check/validate.h>
#include <layerscope/dissect/dissect.h>
#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/format/xlog_record.h>
#include <layerscope/index/tree_shape.h>
#include <layerscope/redo/page_mask.h>
#include <layerscope/redo/pg_redo.h>

#include <cstddef>
#include <cstdint>
#include <string>

using namespace layerscope;

namespace {
// The input as a Postgres record applied to every block it names, on no page and on a page made
// of the input's own bytes; that page masked, dissected and compared.
void replay(Bytes input)
{
    ByteVector page(8192, 0);
    std::copy_n(input.begin(), std::min<std::size_t>(input.size(), page.size()), page.begin());
    for (const PageMask m : {PageMask::Heap, PageMask::Btree, PageMask::Sequence}) {
        ByteVector masked = page;
        (void)maskPage(m, masked, 1);
        (void)firstPageDifference(masked, page);
    }
    (void)dissectPgPage(page);
    auto d = decodeXLogRecord(input, 0);
    if (!d)
        return;
    for (std::size_t b = 0; b < d->blocks.size(); ++b) {
        for (const int version : {kPgVersionUnknown, 14, 15, 16, 17}) {
            ByteVector none, mine = page;
            (void)applyPgRecord(input, *d, b, Lsn{~std::uint64_t(0) >> 1}, none, version);
            (void)applyPgRecord(input, *d, b, Lsn{~std::uint64_t(0) >> 1}, mine, version);
        }
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const Bytes input(data, size);
    replay(input);
    // Small inputs: values, names, LSNs and keys.
    (void)decodeValue(input, 0);
    const std::string text(reinterpret_cast<const char *>(data), std::min<std::size_t>(size, 256));
    (void)LayerName::parse(text);
    (void)Lsn::parse(text);
    (void)Key::fromHex(text);

    // Whole layers.
    ValidateOptions o;
    o.pages = true;
    o.fileName = text;
    (void)validateLayer(input, o);
    auto layer = Layer::open(std::make_shared<MemorySource>(ByteVector(data, data + size)));
    if (!layer)
        return 0;
    const BTreeReader tree = layer->tree();
    (void)buildTreeShape(tree);
    (void)tree.dumpNeon();
    int n = 0;
    const ByteVector zero(layer->summary().indexKeyLen(), 0);
    (void)tree.visitForward(zero, [&](Bytes k, std::uint64_t v) {
        (void)inspectEntry(*layer, layer->entry(IndexKey::from(k), v));
        return ++n < 2000;
    });
    (void)tree.visitBackward(ByteVector(layer->summary().indexKeyLen(), 0xFF), [&](Bytes, std::uint64_t) { return ++n < 4000; });
    (void)scanLeaves(ViewSource(input), layer->summary().indexStartBlk, layer->summary().indexKeyLen());
    if (layer->kind() == LayerKind::Delta)
        (void)verifyConsistencyImages(*layer, 17, 10);
    return 0;
}
