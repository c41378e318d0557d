// libFuzzer target: open + iterate + validate + value decode + name parsing on arbitrary bytes.
// Built with clang -fsanitize=fuzzer (LAYERSCOPE_FUZZ=ON); replay_main.cpp drives the same
// function over a corpus in ordinary builds.
#include <layerscope/check/validate.h>
#include <layerscope/dissect/inspect.h>
#include <layerscope/format/layer.h>
#include <layerscope/format/layer_name.h>
#include <layerscope/index/tree_shape.h>

#include <cstddef>
#include <cstdint>
#include <string>

using namespace layerscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const Bytes input(data, size);
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
    return 0;
}
