#include "layerscope/edit.h"

#include "layerscope/layer.h"
#include "layerscope/tree_shape.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace layerscope {

Result<Summary> applyEdit(const Summary &current, const SummaryEdit &e)
{
    Summary s = current;
    if (e.tenant)
        s.tenant = *e.tenant;
    if (e.timeline)
        s.timeline = *e.timeline;
    if (e.keyStart)
        s.keyStart = *e.keyStart;
    if (e.keyEnd)
        s.keyEnd = *e.keyEnd;
    if (e.lsnStart)
        s.lsnStart = *e.lsnStart;
    if (e.lsnEnd) {
        if (s.kind == LayerKind::Image)
            return makeError(72, "no LSN end (image layers have one LSN)", e.lsnEnd->toString());
        s.lsnEnd = *e.lsnEnd;
    }
    if (e.indexStartBlk)
        s.indexStartBlk = *e.indexStartBlk;
    if (e.indexRootBlk)
        s.indexRootBlk = *e.indexRootBlk;
    if (!(s.keyStart < s.keyEnd))
        return makeError(36, "key range start below its end",
                         fmt::format("{} .. {}", s.keyStart.toHex(), s.keyEnd.toHex()));
    if (s.kind == LayerKind::Delta && !(s.lsnStart < s.lsnEnd))
        return makeError(72, "LSN range start below its end",
                         fmt::format("{} .. {}", s.lsnStart.toString(), s.lsnEnd.toString()));
    if (s.kind == LayerKind::Image && s.lsnStart.value == Lsn::kMax)
        return makeError(72, "an image LSN below FFFFFFFF/FFFFFFFF", s.lsnStart.toString());
    return s;
}

std::vector<std::string> editRisks(Bytes file, const Summary &s)
{
    std::vector<std::string> risks;
    ByteVector patched(file.begin(), file.begin() + std::min<std::size_t>(file.size(), kBlockSize));
    const ByteVector enc = s.encode();
    std::copy(enc.begin(), enc.end(), patched.begin());
    // Read the index as Neon would with the new summary: over the real file, new block 0.
    const std::uint64_t blocks = file.size() / kBlockSize;
    if (s.indexStartBlk < 2 || s.indexStartBlk >= blocks || std::uint64_t(s.indexStartBlk) + s.indexRootBlk >= blocks) {
        risks.push_back(fmt::format("index_start_blk {} / index_root_blk {} do not point at a block of this "
                                    "{}-block file: Neon could not read the index",
                                    s.indexStartBlk, s.indexRootBlk, blocks));
        return risks;
    }
    const BTreeReader tree(file, s.indexStartBlk, s.indexRootBlk, s.indexKeyLen());
    auto shape = buildTreeShape(tree);
    if (!shape) {
        risks.push_back(fmt::format("the index cannot be read from root {}: {}", s.indexRootBlk,
                                    shape.error().message()));
        return risks;
    }
    if (!shape->errors.empty())
        risks.push_back(fmt::format("{} index node(s) cannot be read with these index fields",
                                    shape->errors.size()));
    std::uint64_t outsideKeys = 0, outsideLsns = 0, n = 0;
    const ByteVector zero(s.indexKeyLen(), 0);
    (void)tree.visitForward(zero, [&](Bytes k, std::uint64_t) {
        const Key key = Key::fromBytes(k.data());
        if (key < s.keyStart || !(key < s.keyEnd))
            ++outsideKeys;
        if (s.kind == LayerKind::Delta) {
            const Lsn lsn{readBe64(k.data() + 18)};
            if (lsn < s.lsnStart || !(lsn < s.lsnEnd))
                ++outsideLsns;
        }
        return ++n < (std::uint64_t(1) << 32);
    });
    if (outsideKeys)
        risks.push_back(fmt::format("{} of {} entries fall outside the new key range: Neon would never read them",
                                    outsideKeys, n));
    if (outsideLsns)
        risks.push_back(fmt::format("{} of {} entries fall outside the new LSN range: Neon would skip them",
                                    outsideLsns, n));
    return risks;
}

Result<FileIdentity> identifyFile(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return makeError(0, fmt::format("a file at {}", path), std::strerror(errno));
    return FileIdentity{std::uint64_t(st.st_size), std::uint64_t(st.st_ino),
                        std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::vector<std::size_t> changedBytes(const ByteVector &a, const ByteVector &b)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
        if (i >= a.size() || i >= b.size() || a[i] != b[i])
            out.push_back(i);
    return out;
}

namespace {
Error sysError(const std::string &what, const std::string &path, int err)
{
    return makeError(0, fmt::format("to {} {}", what, path), std::strerror(err));
}

class Fd
{
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd;
};

Status writeAll(int fd, const std::uint8_t *p, std::size_t n, off_t at, const std::string &path)
{
    while (n > 0) {
        const ssize_t w = ::pwrite(fd, p, n, at);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return sysError("write", path, errno);
        }
        p += w;
        n -= std::size_t(w);
        at += w;
    }
    return Ok{};
}

Status readAll(int fd, std::uint8_t *p, std::size_t n, off_t at, const std::string &path)
{
    while (n > 0) {
        const ssize_t r = ::pread(fd, p, n, at);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return sysError("read", path, r < 0 ? errno : EIO);
        }
        p += r;
        n -= std::size_t(r);
        at += r;
    }
    return Ok{};
}

Status fsyncDir(const std::string &path)
{
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() < 0)
        return sysError("open the directory", dir, errno);
    if (::fsync(d.get()) != 0)
        return sysError("fsync the directory", dir, errno);
    return Ok{};
}
} // namespace

Status writeSummarySafely(const std::string &path, const Summary &summary, const SafeWriteOptions &o)
{
    auto hook = [&](WriteStage s) {
        if (o.stageHook)
            o.stageHook(s);
    };
    Fd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (src.get() < 0)
        return sysError("open", path, errno);
    struct stat st {};
    if (::fstat(src.get(), &st) != 0)
        return sysError("stat", path, errno);
    const FileIdentity now{std::uint64_t(st.st_size), std::uint64_t(st.st_ino),
                           std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    if (o.expected && !(*o.expected == now))
        return makeError(0, fmt::format("{} unchanged since it was opened", path),
                         "a file that was modified or replaced on disk (reopen it first)");
    if (std::uint64_t(st.st_size) < kBlockSize)
        return makeError(0, fmt::format("{} of at least one 8192-byte block", path),
                         fmt::format("{} bytes", st.st_size));
    ByteVector block0(kBlockSize);
    if (auto s = readAll(src.get(), block0.data(), kBlockSize, 0, path); !s)
        return s;
    const ByteVector enc = summary.encode();

    if (o.inPlace) {
        if (o.backup) {
            const std::string bak = path + ".block0.bak";
            Fd b(::open(bak.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
            if (b.get() < 0)
                return sysError("create the backup", bak, errno);
            if (auto s = writeAll(b.get(), block0.data(), block0.size(), 0, bak); !s)
                return s;
            if (::fsync(b.get()) != 0)
                return sysError("fsync the backup", bak, errno);
        }
        Fd dst(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (dst.get() < 0)
            return sysError("open for writing", path, errno);
        if (auto s = writeAll(dst.get(), enc.data(), enc.size(), 0, path); !s)
            return s;
        hook(WriteStage::TempWritten);
        if (::fsync(dst.get()) != 0)
            return sysError("fsync", path, errno);
        hook(WriteStage::Done);
        return Ok{};
    }

    // Replace: a complete new file beside the original.
    const std::string temp = path + fmt::format(".{:x}.___temp", ::getpid());
    Fd dst(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777));
    if (dst.get() < 0)
        return sysError("create", temp, errno);
    auto fail = [&](Error e) -> Status {
        ::unlink(temp.c_str());
        return e;
    };
    std::copy(enc.begin(), enc.end(), block0.begin());
    if (auto s = writeAll(dst.get(), block0.data(), block0.size(), 0, temp); !s)
        return fail(s.error());
    // The rest of the file, copied by the kernel where it can.
    off_t inOff = kBlockSize, outOff = kBlockSize;
    std::uint64_t left = std::uint64_t(st.st_size) - kBlockSize;
    while (left > 0) {
        const ssize_t n = ::copy_file_range(src.get(), &inOff, dst.get(), &outOff,
                                            std::min<std::uint64_t>(left, 1u << 30), 0);
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
            ByteVector buf(1 << 20);
            while (left > 0) {
                const std::size_t chunk = std::min<std::uint64_t>(left, buf.size());
                if (auto s = readAll(src.get(), buf.data(), chunk, inOff, path); !s)
                    return fail(s.error());
                if (auto s = writeAll(dst.get(), buf.data(), chunk, outOff, temp); !s)
                    return fail(s.error());
                inOff += off_t(chunk);
                outOff += off_t(chunk);
                left -= chunk;
            }
            break;
        }
        if (n < 0)
            return fail(sysError("copy into", temp, errno));
        if (n == 0)
            return fail(makeError(std::uint64_t(inOff), fmt::format("{} bytes more of {}", left, path),
                                  "end of file (it shrank while copying)"));
        left -= std::uint64_t(n);
    }
    hook(WriteStage::TempWritten);
    if (::fsync(dst.get()) != 0)
        return fail(sysError("fsync", temp, errno));
    if (::close(dst.release()) != 0)
        return fail(sysError("close", temp, errno));
    hook(WriteStage::TempSynced);
    // Re-check just before replacing: nobody swapped the original meanwhile.
    if (o.expected) {
        auto again = identifyFile(path);
        if (!again || !(*again == *o.expected))
            return fail(makeError(0, fmt::format("{} unchanged since it was opened", path),
                                  "a file modified during the write"));
    }
    if (o.backup) {
        const std::string bak = path + ".bak";
        ::unlink(bak.c_str());
        if (::link(path.c_str(), bak.c_str()) != 0)
            return fail(sysError("keep the backup", bak, errno));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0)
        return fail(sysError("rename the new file onto", path, errno));
    hook(WriteStage::Renamed);
    if (auto s = fsyncDir(path); !s)
        return s;
    hook(WriteStage::Done);
    return Ok{};
}

} // namespace layerscope
