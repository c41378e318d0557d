#include <layerscope/format/key_input.h>

#include <cctype>
#include <string>
#include <vector>

namespace layerscope {

namespace {

bool isRelTag(const std::string &w)
{
    return !w.empty() && std::isdigit(static_cast<unsigned char>(w.front()))
           && w.find('/') != std::string::npos;
}

} // namespace

std::optional<Key> parseKeyInput(std::string_view text)
{
    if (const auto k = Key::parse(text))
        return k;
    // Words, with "name=value" split in two and blanks around '=' allowed.
    std::vector<std::string> w;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty())
            w.push_back(std::move(cur));
        cur.clear();
    };
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '=' || c == ',')
            flush();
        else
            cur += c;
    }
    flush();
    for (std::string &x : w)
        if (x == "blkno" || x == "block" || x == "blknum")
            x = "blk";
    // "SPC/DB/REL N" and "rel SPC/DB/REL N": a relation tag and a block number.
    if (!w.empty() && isRelTag(w.front()))
        w.insert(w.begin(), "rel");
    if (w.size() == 3 && w[0] == "rel" && isRelTag(w[1]))
        w.insert(w.begin() + 2, "blk");
    if (w.size() != 4 || w[0] != "rel" || w[2] != "blk")
        return std::nullopt;
    return Key::parse(w[0] + ' ' + w[1] + ' ' + w[2] + ' ' + w[3]);
}

} // namespace layerscope
