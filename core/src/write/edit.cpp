#include <layerscope/write/edit.h>

#include <layerscope/base/hash.h>

#include <layerscope/format/layer.h>
#include <layerscope/index/tree_shape.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
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
            return makeError(summaryField(LayerKind::Image, SummaryFieldId::LsnStart).offset, "no LSN end (image layers have one LSN)", e.lsnEnd->toString());
        s.lsnEnd = *e.lsnEnd;
    }
    if (e.indexStartBlk)
        s.indexStartBlk = *e.indexStartBlk;
    if (e.indexRootBlk)
        s.indexRootBlk = *e.indexRootBlk;
    if (!(s.keyStart < s.keyEnd))
        return makeError(summaryField(s.kind, SummaryFieldId::KeyStart).offset, "key range start below its end",
                         fmt::format("{} .. {}", s.keyStart.toHex(), s.keyEnd.toHex()));
    if (s.kind == LayerKind::Delta && !(s.lsnStart < s.lsnEnd))
        return makeError(summaryField(s.kind, SummaryFieldId::LsnStart).offset, "LSN range start below its end",
                         fmt::format("{} .. {}", s.lsnStart.toString(), s.lsnEnd.toString()));
    if (s.kind == LayerKind::Image && s.lsnStart.value == Lsn::kMax)
        return makeError(summaryField(s.kind, SummaryFieldId::LsnStart).offset, "an image LSN below FFFFFFFF/FFFFFFFF", s.lsnStart.toString());
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
            const Lsn lsn = deltaKeyLsn(k);
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

std::vector<std::size_t> changedBytes(const ByteVector &a, const ByteVector &b)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
        if (i >= a.size() || i >= b.size() || a[i] != b[i])
            out.push_back(i);
    return out;
}

namespace {

class Fd
{
public:
    explicit Fd(int fd = -1) : m_fd(fd) {}
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

/// An error whose message says what failed and in which state the file was left.
Error failure(const std::string &what, const std::string &path, const std::string &why, const std::string &state,
              ErrorKind kind = ErrorKind::Io)
{
    return makeError(0, fmt::format("{} {}", what, path), fmt::format("{}; {}", why, state), kind);
}
Error sysFailure(const std::string &what, const std::string &path, int err, const std::string &state)
{
    return failure(what, path, std::strerror(err), state);
}

constexpr const char *kUnchanged = "the original is unchanged";

Status writeAll(int fd, const std::uint8_t *p, std::size_t n, off_t at)
{
    while (n > 0) {
        const ssize_t w = ::pwrite(fd, p, n, at);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return makeError(std::uint64_t(at), "a write", std::strerror(errno));
        }
        p += w;
        n -= std::size_t(w);
        at += w;
    }
    return Ok{};
}

Status readAll(int fd, std::uint8_t *p, std::size_t n, off_t at)
{
    while (n > 0) {
        const ssize_t r = ::pread(fd, p, n, at);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return makeError(std::uint64_t(at), "a read", r < 0 ? std::strerror(errno) : "end of file");
        }
        p += r;
        n -= std::size_t(r);
        at += r;
    }
    return Ok{};
}

std::string dirOf(const std::string &path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

int fsyncDir(const std::string &path)
{
    Fd d(::open(dirOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() < 0 || ::fsync(d.get()) != 0)
        return errno;
    return 0;
}

FileIdentity identityOf(const struct stat &st, Bytes block0)
{
    return {std::uint64_t(st.st_dev), std::uint64_t(st.st_ino), std::uint64_t(st.st_size),
            std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, fnv1a(block0)};
}

bool sameInode(const struct stat &a, const struct stat &b)
{
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/// Opens `path` for reading without blocking on FIFOs and refuses anything but a regular file.
Result<int> openRegular(const std::string &path, struct stat &st)
{
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (fd.get() < 0)
        return sysFailure("to open", path, errno, "nothing was written");
    if (::fstat(fd.get(), &st) != 0)
        return sysFailure("to stat", path, errno, "nothing was written");
    if (!S_ISREG(st.st_mode))
        return failure("a regular file at", path,
                       S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)" : "a directory or special file",
                       "refused, nothing was written", ErrorKind::NotRegularFile);
    return fd.release();
}

bool hookAllows(const SafeWriteOptions &o, WriteStage s)
{
    return !o.stageHook || o.stageHook(s);
}

/// Moves NAME.bak.k to NAME.bak.k+1 (k = keep-1 … 1), dropping the oldest.
void rotateBackups(const std::string &path, unsigned keep)
{
    if (keep == 0)
        return;
    ::unlink(fmt::format("{}.bak.{}", path, keep).c_str());
    for (unsigned k = keep - 1; k >= 1; --k)
        ::rename(fmt::format("{}.bak.{}", path, k).c_str(), fmt::format("{}.bak.{}", path, k + 1).c_str());
}

Result<WriteReport> writeInPlace(const std::string &path, int src, const struct stat &st, const ByteVector &block0,
                                 const ByteVector &enc, const SafeWriteOptions &o)
{
    WriteReport report;
    report.path = path;
    Fd dst(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (dst.get() < 0)
        return sysFailure("to open for writing", path, errno, "nothing was written");
    struct stat dstSt {};
    if (::fstat(dst.get(), &dstSt) != 0 || !sameInode(dstSt, st))
        return failure("the same file at", path, "it was replaced while being opened", "refused, nothing was written");
    (void)src;
    // The old block 0, saved and synced before the file is touched.
    std::vector<std::string> created;
    auto removeCreated = [&] {
        for (const auto &f : created)
            ::unlink(f.c_str());
    };
    if (o.backup) {
        const std::string orig = path + ".block0.orig";
        Fd ob(::open(orig.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (ob.get() >= 0) {
            created.push_back(orig);
            if (!writeAll(ob.get(), block0.data(), block0.size(), 0) || ::fsync(ob.get()) != 0) {
                const int err = errno;
                removeCreated();
                return sysFailure("to save the old block 0 to", orig, err, "nothing was written");
            }
            report.original = orig;
        } else if (errno == EEXIST) {
            report.original = orig;
        } else {
            return sysFailure("to create", orig, errno, "nothing was written");
        }
        const std::string bak = path + ".block0.bak", tmp = bak + ".___temp";
        ::unlink(tmp.c_str());
        Fd b(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (b.get() < 0 || !writeAll(b.get(), block0.data(), block0.size(), 0) || ::fsync(b.get()) != 0
            || ::rename(tmp.c_str(), bak.c_str()) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            removeCreated();
            return sysFailure("to save the old block 0 to", bak, err, "nothing was written");
        }
        created.push_back(bak);
        report.backup = bak;
        if (const int err = fsyncDir(path)) {
            removeCreated();
            return sysFailure("to sync the directory of", bak, err, "nothing was written");
        }
    }
    if (!hookAllows(o, WriteStage::BackupWritten)) {
        removeCreated();
        return failure("to write", path, "injected failure before writing", "nothing was written");
    }
    // From here on a failure restores block 0 from memory and says whether that worked.
    auto restore = [&](const std::string &why) -> Error {
        const bool restored = writeAll(dst.get(), block0.data(), enc.size(), 0).ok() && ::fsync(dst.get()) == 0;
        if (restored) {
            removeCreated();
            return failure("to write the summary of", path, why, "block 0 was restored: the original is unchanged");
        }
        return failure("to write the summary of", path, why,
                       o.backup ? fmt::format("restoring block 0 failed too ({}): the file may hold a mix of the "
                                              "old and new summary; the old block 0 is saved in {}",
                                              std::strerror(errno), report.backup)
                                : fmt::format("restoring block 0 failed too ({}): the file may hold a mix of the "
                                              "old and new summary (no backup was asked for)",
                                              std::strerror(errno)));
    };
    if (auto w = writeAll(dst.get(), enc.data(), enc.size(), 0); !w)
        return restore(w.error().found);
    if (!hookAllows(o, WriteStage::TempWritten))
        return restore("injected failure after writing");
    if (::fsync(dst.get()) != 0)
        return restore(fmt::format("fsync failed: {}", std::strerror(errno)));
    if (!hookAllows(o, WriteStage::TempSynced))
        return restore("injected failure after syncing");
    (void)hookAllows(o, WriteStage::Done);
    return report;
}

Result<WriteReport> writeReplacing(const std::string &path, int src, const struct stat &st, ByteVector block0,
                                   const ByteVector &enc, const SafeWriteOptions &o)
{
    WriteReport report;
    report.path = path;
    static std::atomic<unsigned> counter{0};
    const std::string temp = fmt::format("{}.{}-{}.___temp", path, ::getpid(), counter++);
    Fd dst(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (dst.get() < 0)
        return sysFailure("to create", temp, errno, kUnchanged);
    auto fail = [&](Error e) -> Error {
        ::unlink(temp.c_str());
        return e;
    };
    // The original's mode and owner.
    if (::fchmod(dst.get(), st.st_mode & 07777) != 0)
        return fail(sysFailure("to set the mode of", temp, errno, kUnchanged));
    (void)!::fchown(dst.get(), st.st_uid, st.st_gid);
    std::copy(enc.begin(), enc.end(), block0.begin());
    if (auto w = writeAll(dst.get(), block0.data(), block0.size(), 0); !w)
        return fail(failure("to write", temp, w.error().found, kUnchanged));
    // The rest of the file, copied by the kernel where it can, in chunks (progress, cancel).
    const std::uint64_t total = std::uint64_t(st.st_size);
    off_t inOff = kBlockSize, outOff = kBlockSize;
    std::uint64_t left = total - kBlockSize;
    ByteVector buf;
    while (left > 0) {
        if (o.progress && !o.progress(total - left, total))
            return fail(failure("to write", path, "cancelled", "the original is unchanged, no temp file is left",
                                ErrorKind::Cancelled));
        const std::size_t chunk = std::size_t(std::min<std::uint64_t>(left, 64u << 20));
        ssize_t n = buf.empty() ? ::copy_file_range(src, &inOff, dst.get(), &outOff, chunk, 0) : -1;
        if (n < 0 && (!buf.empty() || errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
            buf.resize(1 << 20);
            const std::size_t piece = std::min(chunk, buf.size());
            if (auto r = readAll(src, buf.data(), piece, inOff); !r)
                return fail(failure("to read", path, r.error().found, kUnchanged));
            if (auto w = writeAll(dst.get(), buf.data(), piece, outOff); !w)
                return fail(failure("to copy into", temp, w.error().found, kUnchanged));
            inOff += off_t(piece);
            outOff += off_t(piece);
            n = ssize_t(piece);
        }
        if (n < 0)
            return fail(sysFailure("to copy into", temp, errno, kUnchanged));
        if (n == 0)
            return fail(failure("to copy", path, "it shrank while being copied", kUnchanged));
        left -= std::uint64_t(n);
    }
    if (o.progress)
        (void)o.progress(total, total);
    if (!hookAllows(o, WriteStage::TempWritten))
        return fail(failure("to write", temp, "injected failure", kUnchanged));
    if (::fsync(dst.get()) != 0)
        return fail(sysFailure("to fsync", temp, errno, kUnchanged));
    if (::close(dst.release()) != 0)
        return fail(sysFailure("to close", temp, errno, kUnchanged));
    if (!hookAllows(o, WriteStage::TempSynced))
        return fail(failure("to write", temp, "injected failure", kUnchanged));
    struct stat now {};
    if (::stat(path.c_str(), &now) != 0 || !sameInode(now, st))
        return fail(failure("the file read at", path, "it was replaced during the write", "refused, nothing was written"));
    if (!hookAllows(o, WriteStage::BeforeSwap))
        return fail(failure("to swap in", temp, "injected failure", kUnchanged));

    // Swap with the kernel's help, then check that what came out is the inode that was read.
    std::string old;  // where the previous file is now
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
        struct stat out {};
        if (::stat(temp.c_str(), &out) != 0 || !sameInode(out, st)) {
            // Someone replaced the file between the last check and the swap: put theirs back.
            if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0)
                return failure("to swap in the new file at", path, "it was replaced during the write",
                               fmt::format("putting the other file back failed ({}): the new summary is at {} and "
                                           "the file that replaced it at {}",
                                           std::strerror(errno), path, temp));
            ::unlink(temp.c_str());
            return failure("the file read at", path, "it was replaced during the write",
                           "the file now there was left as it is; refused, nothing was written");
        }
        report.exchanged = true;
        old = temp;
    } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
        // No atomic exchange here: check once more, keep the backup by name, then rename.
        if (::stat(path.c_str(), &now) != 0 || !sameInode(now, st))
            return fail(failure("the file read at", path, "it was replaced during the write", "refused, nothing was written"));
        old = fmt::format("{}.{}-{}.___old", path, ::getpid(), counter++);
        if (::link(path.c_str(), old.c_str()) != 0)
            return fail(sysFailure("to keep the previous file as", old, errno, kUnchanged));
        if (::rename(temp.c_str(), path.c_str()) != 0) {
            const int err = errno;
            ::unlink(old.c_str());
            return fail(sysFailure("to rename the new file onto", path, err, kUnchanged));
        }
        report.note = "this file system cannot exchange two files atomically (RENAME_EXCHANGE): the file was "
                      "checked just before a plain rename";
    } else {
        return fail(sysFailure("to swap the new file in at", path, errno, kUnchanged));
    }
    if (!hookAllows(o, WriteStage::Swapped))
        return failure("to finish the write of", path, "injected failure after the swap",
                       fmt::format("the new summary is in place; the previous file is kept as {}", old));

    // Backups, named from the inode that was read.
    if (o.backup) {
        const std::string orig = path + ".orig";
        if (::link(old.c_str(), orig.c_str()) == 0 || errno == EEXIST)
            report.original = orig;
        else
            report.note += fmt::format("{}could not link {}: {}", report.note.empty() ? "" : "; ", orig,
                                       std::strerror(errno));
    }
    if (o.backup && o.keepBackups > 0) {
        rotateBackups(path, o.keepBackups);
        const std::string bak = path + ".bak.1";
        if (::rename(old.c_str(), bak.c_str()) == 0) {
            report.backup = bak;
        } else {
            report.backup = old;
            report.note += fmt::format("{}could not name the backup {} ({}): it is {}", report.note.empty() ? "" : "; ",
                                       bak, std::strerror(errno), old);
        }
    } else {
        ::unlink(old.c_str());
    }
    if (const int err = fsyncDir(path))
        return failure("to sync the directory of", path, std::strerror(err),
                       fmt::format("the new summary is in place but not durable: after a crash the previous file "
                                   "may come back{}",
                                   report.backup.empty() ? "" : fmt::format(" (it is also kept as {})", report.backup)));
    (void)hookAllows(o, WriteStage::Done);
    return report;
}
} // namespace

std::string FileIdentity::differences(const FileIdentity &o) const
{
    std::vector<std::string> d;
    if (device != o.device || inode != o.inode)
        d.emplace_back("inode (replaced)");
    if (size != o.size)
        d.push_back(fmt::format("size ({} → {} bytes)", size, o.size));
    if (mtimeNs != o.mtimeNs)
        d.emplace_back("modification time");
    if (block0Hash != o.block0Hash)
        d.emplace_back("block 0");
    std::string out;
    for (std::size_t i = 0; i < d.size(); ++i)
        out += (i ? ", " : "") + d[i];
    return out;
}

Result<FileIdentity> identifyFile(const std::string &path)
{
    struct stat st {};
    auto fd = openRegular(path, st);
    if (!fd)
        return fd.error();
    Fd f(*fd);
    ByteVector block0(std::size_t(std::min<std::uint64_t>(std::uint64_t(st.st_size), kBlockSize)));
    if (auto r = readAll(f.get(), block0.data(), block0.size(), 0); !r)
        return failure("to read", path, r.error().found, "nothing was written");
    return identityOf(st, block0);
}

Result<WriteReport> writeSummarySafely(const std::string &pathArg, const Summary &summary, const SafeWriteOptions &o)
{
    // A symlink: edit its target, keep the link.
    char *real = ::realpath(pathArg.c_str(), nullptr);
    if (!real)
        return sysFailure("to find", pathArg, errno, "nothing was written");
    const std::string path = real;
    std::free(real);
    struct stat st {};
    auto opened = openRegular(path, st);
    if (!opened)
        return opened.error();
    Fd src(*opened);
    if (!(st.st_mode & 0222) && !o.allowReadOnly)
        return failure("a writable file at", path,
                       fmt::format("its mode {:04o} allows no writing", st.st_mode & 07777),
                       "refused, nothing was written (force it to edit the file anyway)");
    if (std::uint64_t(st.st_size) < kBlockSize)
        return failure("a layer at", path, fmt::format("{} bytes, less than one 8192-byte block", st.st_size),
                       "refused, nothing was written", ErrorKind::Format);
    ByteVector block0(kBlockSize);
    if (auto r = readAll(src.get(), block0.data(), kBlockSize, 0); !r)
        return failure("to read", path, r.error().found, "nothing was written");
    const FileIdentity now = identityOf(st, block0);
    if (o.expected && !(*o.expected == now))
        return failure("the file read at", path,
                       fmt::format("it changed since it was read ({})", o.expected->differences(now)),
                       "refused, nothing was written (reopen it first)");
    const ByteVector enc = summary.encode();
    return o.inPlace ? writeInPlace(path, src.get(), st, block0, enc, o)
                     : writeReplacing(path, src.get(), st, std::move(block0), enc, o);
}

} // namespace layerscope
