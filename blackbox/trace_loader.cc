// TraceLoader: applies shim trace entries to a SimFs (see trace_loader.h for
// the mapping of each kind). One loader per trace; not thread-safe.
#include "trace_loader.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "trace_format.h"

namespace powercut::blackbox {
namespace {

using faultfs::FileHandle;
using faultfs::OpenOptions;
using faultfs::SimFs;
using faultfs::SyncMode;
using shim::TraceEntry;

constexpr uint32_t kRenameExchange = 2;  // RENAME_EXCHANGE
constexpr uint32_t kRenameWhiteout = 4;  // RENAME_WHITEOUT

// An open descriptor; shared by dup'ed and inherited descriptors, as the open
// file description is (its O_SYNC/O_DSYNC mode with it: fcntl(F_SETFL) cannot
// change either on Linux, fcntl(2)).
struct OpenFile {
  FileHandle handle;  // invalid for a directory
  std::string path;   // virtual path at open
  bool is_dir = false;
  SyncMode sync = SyncMode::kNone;  // O_SYNC -> kFull, O_DSYNC -> kData
};

// The synchronous mode open(2) flags give a descriptor. O_SYNC is
// __O_SYNC | O_DSYNC (asm-generic/fcntl.h; glibc's <fcntl.h> does not name
// __O_SYNC), and the kernel adds O_DSYNC to a lone __O_SYNC (build_open_flags
// in fs/open.c), so either spelling is O_SYNC.
constexpr uint32_t kSyncBit = 04000000;  // __O_SYNC
static_assert((O_SYNC & ~O_DSYNC) == kSyncBit);

SyncMode OpenSyncMode(uint32_t flags) {
  if (flags & kSyncBit) return SyncMode::kFull;
  if (flags & O_DSYNC) return SyncMode::kData;
  return SyncMode::kNone;
}

// The mode of one write: the descriptor's, or stronger when pwritev2 asked
// for RWF_SYNC (IOCB_SYNC | IOCB_DSYNC) or RWF_DSYNC (IOCB_DSYNC), as
// kiocb_set_rw_flags in include/linux/fs.h maps them.
SyncMode WriteSyncMode(SyncMode descriptor, uint32_t rwf) {
  if (descriptor == SyncMode::kFull || (rwf & RWF_SYNC)) return SyncMode::kFull;
  if (descriptor == SyncMode::kData || (rwf & RWF_DSYNC)) return SyncMode::kData;
  return SyncMode::kNone;
}

class TraceLoader {
 public:
  TraceLoader(std::string root, const OpCallback& after_op, faultfs::PersistenceProfile profile)
      : root_(std::move(root)) {
    loaded_.fs = std::make_unique<SimFs>(SimFs::Options{.profile = profile});
    loaded_.fs->SetObserver([this, &after_op](const faultfs::OpRecord& op) {
      loaded_.ops.push_back(
          OpOrigin{op, current_ ? current_->seq : 0, current_ ? current_->pid : 0});
      assert(loaded_.ops.size() == op.position);
      if (after_op) after_op(*loaded_.fs, op.position);
    });
  }

  Status AddImage(const InitialImage& image) {
    for (const std::string& dir : image.directories) {
      POWERCUT_RETURN_IF_ERROR(loaded_.fs->AddDurableDirectory(dir));
    }
    for (const auto& [path, contents] : image.files) {
      POWERCUT_RETURN_IF_ERROR(loaded_.fs->AddDurableFile(path, contents));
    }
    return Status::OK();
  }

  Status Apply(const TraceEntry& entry) {
    current_ = &entry;
    Status status = ApplyKind(entry);
    current_ = nullptr;
    if (status.ok()) return status;
    return Status::InvalidArgument("cannot replay trace entry " + DescribeEntry(entry) + ": " +
                                   status.message());
  }

  Result<LoadedTrace> Finish() {
    POWERCUT_RETURN_IF_ERROR(acks_.Finish());
    loaded_.acks = acks_.events();
    loaded_.fs->SetObserver({});
    for (auto& [key, file] : files_) {
      if (file.use_count() == 1 && file->handle.valid()) (void)loaded_.fs->Close(file->handle);
    }
    files_.clear();
    return std::move(loaded_);
  }

 private:
  using FileRef = std::shared_ptr<OpenFile>;
  using FdKey = std::pair<int32_t, int32_t>;  // (pid, fd)

  SimFs& fs() { return *loaded_.fs; }

  Status ApplyKind(const TraceEntry& e);
  Status ApplyOpen(const TraceEntry& e);
  Status ApplyWrite(const TraceEntry& e);
  Status ApplyTruncate(const TraceEntry& e);
  Status ApplyFallocate(const TraceEntry& e);
  Status ApplyFsync(const TraceEntry& e);
  Status ApplyMsync(const TraceEntry& e);
  Status ApplyMappedWrite(const TraceEntry& e);
  Status SyncRange(FileHandle handle, const std::string& path, uint64_t begin, uint64_t end);
  Status ShiftTail(FileHandle handle, uint64_t from, uint64_t to, SyncMode sync);
  Status WriteData(FileHandle handle, uint64_t offset, std::string_view data, SyncMode sync);
  Status ApplyRename(const TraceEntry& e);
  Status CloseFd(int32_t pid, int32_t fd);
  Status ApplyDup(const TraceEntry& e);
  Status WriteZeros(FileHandle handle, uint64_t offset, uint64_t end, SyncMode sync);
  Result<FileRef> FileOf(const TraceEntry& e);
  Result<std::string> PathOf(const std::string& path) { return VirtualPath(root_, path); }

  std::string root_;
  LoadedTrace loaded_;
  AckLineJoiner acks_;
  std::map<FdKey, FileRef> files_;
  const TraceEntry* current_ = nullptr;
};

Status TraceLoader::ApplyKind(const TraceEntry& e) {
  if (e.kind == kTraceAck) return acks_.Add(e.pid, e.data, e.seq, fs().position());
  if (e.flag_bits & kTraceFailed) return Status::OK();  // a failed call changed nothing
  switch (e.kind) {
    case kTraceOpen:
      return ApplyOpen(e);
    case kTraceWrite:
      return ApplyWrite(e);
    case kTraceTruncate:
      return ApplyTruncate(e);
    case kTraceFallocate:
      return ApplyFallocate(e);
    case kTraceFsync:
    case kTraceFdatasync:
      return ApplyFsync(e);
    case kTraceSync:
    case kTraceSyncFs:
      return fs().SyncAll();
    case kTraceMsync:
      return ApplyMsync(e);
    case kTraceRename:
      return ApplyRename(e);
    case kTraceClose:
      return CloseFd(e.pid, e.fd);
    case kTraceDup:
      return ApplyDup(e);
    case kTraceSyncFileRange:  // no durability promise: see trace_loader.h
    case kTraceExec:
      return Status::OK();
    case kTraceFault:
      loaded_.notes.push_back("injected fault: " + DescribeEntry(e) + " rule '" + e.data + "'");
      return Status::OK();
    default:
      break;
  }
  POWERCUT_ASSIGN_OR_RETURN(std::string path, PathOf(e.path));
  switch (e.kind) {
    case kTraceLink: {
      POWERCUT_ASSIGN_OR_RETURN(std::string path2, PathOf(e.path2));
      return fs().Link(path, path2);
    }
    case kTraceUnlink:
      return fs().Unlink(path);
    case kTraceMkdir:
      return fs().MkDir(path);
    case kTraceRmdir:
      return fs().RmDir(path);
    default:
      loaded_.notes.push_back("ignored unknown trace entry " + DescribeEntry(e));
      return Status::OK();
  }
}

Status TraceLoader::ApplyOpen(const TraceEntry& e) {
  POWERCUT_ASSIGN_OR_RETURN(std::string path, PathOf(e.path));
  auto file = std::make_shared<OpenFile>();
  file->path = path;
  Result<faultfs::FileInfo> info = fs().Stat(path);
  if (info.ok() && info->is_directory) {
    file->is_dir = true;
  } else if (!info.ok() && !(e.flags & O_CREAT)) {
    // The real open succeeded on something the snapshot does not hold (a
    // special file); operations through it are not replayed.
    loaded_.notes.push_back("open of a file SimFs does not hold: " + DescribeEntry(e));
    return Status::OK();
  } else {
    OpenOptions options{.read = true,
                        .write = true,
                        .create = (e.flags & O_CREAT) != 0,
                        .exclusive = false,
                        .truncate = (e.flags & O_TRUNC) != 0};
    POWERCUT_ASSIGN_OR_RETURN(file->handle, fs().Open(path, options));
    file->sync = OpenSyncMode(e.flags);
  }
  POWERCUT_RETURN_IF_ERROR(CloseFd(e.pid, static_cast<int32_t>(e.result)));
  files_[{e.pid, static_cast<int32_t>(e.result)}] = std::move(file);
  return Status::OK();
}

// The open file behind (pid, fd): its own entry, an entry of another process
// for the same fd and path (inherited over fork), or a new handle by path.
Result<TraceLoader::FileRef> TraceLoader::FileOf(const TraceEntry& e) {
  if (auto it = files_.find({e.pid, e.fd}); it != files_.end()) return it->second;
  POWERCUT_ASSIGN_OR_RETURN(std::string path, PathOf(e.path));
  for (const auto& [key, file] : files_) {
    if (key.second == e.fd && file->path == path) {
      files_[{e.pid, e.fd}] = file;
      return file;
    }
  }
  auto file = std::make_shared<OpenFile>();
  file->path = path;
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileInfo info, fs().Stat(path));
  file->is_dir = info.is_directory;
  if (!file->is_dir) {
    POWERCUT_ASSIGN_OR_RETURN(file->handle, fs().Open(path, OpenOptions{.write = true}));
  }
  if (e.fd >= 0) files_[{e.pid, e.fd}] = file;
  return file;
}

// A write is synchronous (durable when it returns: generic_write_sync after
// the write, fs/sync.c vfs_fsync_range over the written range) when its
// descriptor is O_SYNC/O_DSYNC or pwritev2 passed RWF_SYNC/RWF_DSYNC.
Status TraceLoader::ApplyWrite(const TraceEntry& e) {
  if (e.fd < 0) return ApplyMappedWrite(e);
  POWERCUT_ASSIGN_OR_RETURN(FileRef file, FileOf(e));
  if (file->is_dir) return Status::InvalidArgument("write to a directory");
  return WriteData(file->handle, e.offset, e.data, WriteSyncMode(file->sync, e.flags));
}

Status TraceLoader::WriteData(FileHandle handle, uint64_t offset, std::string_view data,
                              SyncMode sync) {
  Result<size_t> written = sync == SyncMode::kNone
                               ? fs().Write(handle, offset, data)
                               : fs().WriteSynchronous(handle, offset, data, sync);
  POWERCUT_RETURN_IF_ERROR(written.status());
  if (*written != data.size()) return Status::IOError("SimFs wrote " + std::to_string(*written));
  return Status::OK();
}

// Pages of a shared mapping the shim found changed (fd -1): a pending write
// through a handle of its own, since the descriptor may be long closed.
// A file whose name another process removed meanwhile is noted and skipped:
// its pages can reach no crash image.
Status TraceLoader::ApplyMappedWrite(const TraceEntry& e) {
  POWERCUT_ASSIGN_OR_RETURN(std::string path, PathOf(e.path));
  if (!fs().Stat(path).ok()) {
    loaded_.notes.push_back("mapped pages of a file no longer named: " + DescribeEntry(e));
    return Status::OK();
  }
  POWERCUT_ASSIGN_OR_RETURN(FileHandle handle, fs().Open(path, OpenOptions{.write = true}));
  Status status = WriteData(handle, e.offset, e.data, SyncMode::kNone);
  Status closed = fs().Close(handle);
  return status.ok() ? closed : status;
}

// ftruncate is never synchronous, even on an O_SYNC descriptor: do_sys_ftruncate
// (fs/open.c) calls no generic_write_sync, and ext4_setattr commits at once
// only for IS_SYNC inodes (mount -o sync, chattr +S), not for O_SYNC files.
Status TraceLoader::ApplyTruncate(const TraceEntry& e) {
  POWERCUT_ASSIGN_OR_RETURN(FileRef file, FileOf(e));
  if (file->is_dir) return Status::InvalidArgument("truncate of a directory");
  return fs().Truncate(file->handle, e.offset);
}

Status TraceLoader::WriteZeros(FileHandle handle, uint64_t offset, uint64_t end, SyncMode sync) {
  constexpr uint64_t kChunk = 1 << 20;
  const std::string zeros(std::min<uint64_t>(kChunk, end > offset ? end - offset : 0), '\0');
  for (uint64_t at = offset; at < end; at += kChunk) {
    const uint64_t n = std::min<uint64_t>(kChunk, end - at);
    POWERCUT_RETURN_IF_ERROR(WriteData(handle, at, std::string_view(zeros).substr(0, n), sync));
  }
  return Status::OK();
}

// Moves the bytes [from, size) of the file to `to` (COLLAPSE_RANGE: to < from,
// then cuts the size; INSERT_RANGE: to > from, last byte first), through SimFs
// reads and writes.
Status TraceLoader::ShiftTail(FileHandle handle, uint64_t from, uint64_t to, SyncMode sync) {
  POWERCUT_ASSIGN_OR_RETURN(uint64_t size, fs().Size(handle));
  std::string tail(size > from ? size - from : 0, '\0');
  POWERCUT_ASSIGN_OR_RETURN(size_t read, fs().Read(handle, from, tail));
  if (read != tail.size()) return Status::IOError("SimFs read " + std::to_string(read));
  if (to < from) POWERCUT_RETURN_IF_ERROR(fs().Truncate(handle, to + tail.size()));
  return WriteData(handle, to, tail, sync);
}

// fallocate(2) modes as ext4 supports them (ext4_fallocate, fs/ext4/extents.c).
// Allocation is invisible to a reader, so only what a read shows is replayed:
//   0                        the size grows to offset + length (zeros)
//   KEEP_SIZE                nothing
//   PUNCH_HOLE | KEEP_SIZE   zeros over the range, inside the size
//   ZERO_RANGE [| KEEP_SIZE] zeros over the range, growing the size unless
//                            KEEP_SIZE
//   COLLAPSE_RANGE           the range is removed, the tail moves down
//   INSERT_RANGE             `length` zeros inserted, the tail moves up
// For modes 0, KEEP_SIZE and ZERO_RANGE ext4 commits the transaction before
// returning when the descriptor is O_SYNC or O_DSYNC (`file->f_flags & O_SYNC`
// in ext4_fallocate and ext4_zero_range; it tests the O_DSYNC bit too): the
// replayed writes are then synchronous. PUNCH_HOLE, COLLAPSE_RANGE and
// INSERT_RANGE do so only for IS_SYNC inodes (mount -o sync, chattr +S),
// never for O_SYNC: they stay pending. The tail a COLLAPSE/INSERT moves is
// rewritten as pending writes, so a crash model may persist part of it, which
// ext4's single journalled extent shift cannot do (docs/blackbox.md).
Status TraceLoader::ApplyFallocate(const TraceEntry& e) {
  const uint32_t mode = e.flags;
  constexpr uint32_t kSupported = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
                                  FALLOC_FL_ZERO_RANGE | FALLOC_FL_COLLAPSE_RANGE |
                                  FALLOC_FL_INSERT_RANGE;
  if (mode & ~kSupported) {
    return Status::InvalidArgument("fallocate mode " + std::to_string(mode) +
                                   " is not supported (supported: 0, KEEP_SIZE, PUNCH_HOLE, "
                                   "ZERO_RANGE, COLLAPSE_RANGE, INSERT_RANGE)");
  }
  POWERCUT_ASSIGN_OR_RETURN(FileRef file, FileOf(e));
  if (file->is_dir) return Status::InvalidArgument("fallocate of a directory");
  constexpr uint32_t kNeverSync =
      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE;
  const SyncMode sync = (mode & kNeverSync) ? SyncMode::kNone : file->sync;
  POWERCUT_ASSIGN_OR_RETURN(uint64_t size, fs().Size(file->handle));
  const uint64_t end = e.offset + e.length;
  if (mode & FALLOC_FL_COLLAPSE_RANGE) return ShiftTail(file->handle, end, e.offset, sync);
  if (mode & FALLOC_FL_INSERT_RANGE) {
    POWERCUT_RETURN_IF_ERROR(ShiftTail(file->handle, e.offset, end, sync));
    return WriteZeros(file->handle, e.offset, end, sync);
  }
  if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
    POWERCUT_RETURN_IF_ERROR(WriteZeros(file->handle, e.offset, std::min(end, size), sync));
  }
  if ((mode & FALLOC_FL_KEEP_SIZE) || end <= size) return Status::OK();
  if (sync == SyncMode::kNone) return fs().Truncate(file->handle, end);
  return WriteZeros(file->handle, size, end, sync);  // the growth, durable with its size
}

Status TraceLoader::ApplyFsync(const TraceEntry& e) {
  if (e.flag_bits & kTraceIsDir) {
    POWERCUT_ASSIGN_OR_RETURN(std::string path, PathOf(e.path));
    return fs().SyncDir(path);
  }
  POWERCUT_ASSIGN_OR_RETURN(FileRef file, FileOf(e));
  if (file->is_dir) return fs().SyncDir(file->path);
  return e.kind == kTraceFsync ? fs().Sync(file->handle) : fs().DataSync(file->handle);
}

// msync: the changed pages came before it as mapped writes; MS_SYNC then makes
// the range durable as fdatasync would (mm/msync.c calls vfs_fsync_range(file,
// start, end, 1) for MS_SYNC; MS_ASYNC is a no-op since Linux 2.6.19,
// msync(2)). A trace from an older shim carries the range's bytes in data.
Status TraceLoader::ApplyMsync(const TraceEntry& e) {
  POWERCUT_ASSIGN_OR_RETURN(std::string path, PathOf(e.path));
  POWERCUT_ASSIGN_OR_RETURN(FileHandle handle, fs().Open(path, OpenOptions{.write = true}));
  Status status;
  if (!e.data.empty()) status = WriteData(handle, e.offset, e.data, SyncMode::kNone);
  const uint64_t length = e.data.empty() ? e.length : e.data.size();
  if (status.ok() && (e.flags & MS_SYNC))
    status = SyncRange(handle, path, e.offset, e.offset + length);
  Status closed = fs().Close(handle);
  return status.ok() ? closed : status;
}

// vfs_fsync_range over [begin, end): every pending write of `path` that
// overlaps the range becomes durable. Each overlapping piece's visible bytes
// are written again synchronously (kData), which SimFs makes durable together
// with the pending writes it overlaps.
Status TraceLoader::SyncRange(FileHandle handle, const std::string& path, uint64_t begin,
                              uint64_t end) {
  POWERCUT_ASSIGN_OR_RETURN(uint64_t size, fs().Size(handle));
  end = std::min(end, size);
  std::vector<std::pair<uint64_t, uint64_t>> pieces;
  for (const faultfs::OpRecord& op : fs().PendingOps()) {
    if (op.kind != faultfs::OpKind::kWrite || op.path != path) continue;
    const uint64_t lo = std::max(op.offset, begin), hi = std::min(op.offset + op.length, end);
    if (lo < hi) pieces.emplace_back(lo, hi);
  }
  std::sort(pieces.begin(), pieces.end());
  for (size_t i = 0; i < pieces.size();) {
    auto [lo, hi] = pieces[i];
    for (++i; i < pieces.size() && pieces[i].first <= hi; ++i) hi = std::max(hi, pieces[i].second);
    std::string bytes(hi - lo, '\0');
    POWERCUT_ASSIGN_OR_RETURN(size_t read, fs().Read(handle, lo, bytes));
    if (read != bytes.size()) return Status::IOError("SimFs read " + std::to_string(read));
    POWERCUT_RETURN_IF_ERROR(WriteData(handle, lo, bytes, SyncMode::kData));
  }
  return Status::OK();
}

Status TraceLoader::ApplyRename(const TraceEntry& e) {
  if (e.flags & (kRenameExchange | kRenameWhiteout)) {
    return Status::InvalidArgument("renameat2 flags " + std::to_string(e.flags) +
                                   " are not supported (RENAME_NOREPLACE is)");
  }
  POWERCUT_ASSIGN_OR_RETURN(std::string from, PathOf(e.path));
  POWERCUT_ASSIGN_OR_RETURN(std::string to, PathOf(e.path2));
  Result<faultfs::FileInfo> info = fs().Stat(from);
  if (info.ok() && info->is_directory) {
    return Status::InvalidArgument("renaming a directory is not supported by SimFs");
  }
  return fs().Rename(from, to);
}

Status TraceLoader::CloseFd(int32_t pid, int32_t fd) {
  auto it = files_.find({pid, fd});
  if (it == files_.end()) return Status::OK();
  FileRef file = std::move(it->second);
  files_.erase(it);
  if (file.use_count() == 1 && file->handle.valid()) return fs().Close(file->handle);
  return Status::OK();
}

Status TraceLoader::ApplyDup(const TraceEntry& e) {
  POWERCUT_ASSIGN_OR_RETURN(FileRef file, FileOf(e));
  const int32_t new_fd = static_cast<int32_t>(e.result);
  POWERCUT_RETURN_IF_ERROR(CloseFd(e.pid, new_fd));
  files_[{e.pid, new_fd}] = std::move(file);
  return Status::OK();
}

}  // namespace

const OpOrigin& LoadedTrace::Origin(uint64_t position) const {
  assert(position >= 1 && position <= ops.size());
  return ops[position - 1];
}

Result<std::string> VirtualPath(const std::string& root, const std::string& path) {
  if (path == root) return std::string("/");
  if (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
      (root == "/" || path[root.size()] == '/')) {
    return root == "/" ? path : path.substr(root.size());
  }
  return Status::InvalidArgument("path '" + path + "' is outside the root '" + root + "'");
}

std::string DescribeEntry(const TraceEntry& e) {
  std::string text = "seq " + std::to_string(e.seq) + " pid " + std::to_string(e.pid) + " " +
                     shim::TraceKindName(e.kind);
  if (!e.path.empty()) text += " " + e.path;
  if (!e.path2.empty()) text += " -> " + e.path2;
  if (e.kind == kTraceWrite || e.kind == kTraceMsync) {
    text += " @" + std::to_string(e.offset) + " +" + std::to_string(e.data.size());
  } else if (e.kind == kTraceTruncate) {
    text += " to " + std::to_string(e.offset);
  }
  if (e.flag_bits & kTraceFailed) text += " (failed, errno " + std::to_string(e.err) + ")";
  return text;
}

Result<LoadedTrace> LoadTrace(const InitialImage& image, const shim::Trace& trace,
                              const OpCallback& after_op, faultfs::PersistenceProfile profile) {
  TraceLoader loader(trace.root, after_op, profile);
  POWERCUT_RETURN_IF_ERROR(loader.AddImage(image));
  std::vector<const TraceEntry*> order;
  order.reserve(trace.entries.size());
  for (const TraceEntry& entry : trace.entries) order.push_back(&entry);
  std::stable_sort(order.begin(), order.end(),
                   [](const TraceEntry* a, const TraceEntry* b) { return a->seq < b->seq; });
  for (const TraceEntry* entry : order) POWERCUT_RETURN_IF_ERROR(loader.Apply(*entry));
  return loader.Finish();
}

}  // namespace powercut::blackbox
