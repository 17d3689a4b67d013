// SimFs: the in-memory, deterministic, crash-able FileSystem (sim_fs.h).
// This file holds the namespace side (open, create, rename, link, unlink,
// mkdir, rmdir, list, stat, locks, directory and global syncs);
// sim_fs_io.cc the file side (read, write, truncate, fsync); sim_fs_crash.cc
// crashes, clones, fault rules and inspection.
//
// Method. The state (sim_state.h) is a durable image, an ordered list of
// pending operations and a visible image, plus handles, locks, fault rules
// and a position counter. Inodes are kept apart from names:
//   - a data op (write, append, truncate) belongs to one file inode;
//   - an entry op (create, link, unlink, rename, mkdir, rmdir) belongs to the
//     directory whose entry it changes — a cross-directory rename to both.
// Every call is validated against the visible image first and changes
// nothing if it fails. A successful state-changing call becomes a PendingOp
// that is applied to the visible image at once and waits in the pending list.
// Syncs move pending ops into the durable image:
//   Sync/DataSync(file)  that inode's data ops (data and size alike; names
//                        never) — under ext4-ordered also the creates and
//                        renames naming it and the mkdirs above them;
//   SyncDir(dir)         the entry ops of dir; a cross-directory rename only
//                        once both directories have been synced since;
//   SyncAll              everything.
// A file whose create never became durable is an orphan after a crash, even
// if its data was synced; an unlinked file with an open handle lives on (in
// the visible image) until the handle closes.
// A crash (crash_builder.cc) builds a new SimFs from the durable image and a
// chosen subset of the pending ops. Images share file bytes copy-on-write, so
// that costs what changed.
// Every state-changing or sync call advances position() (failed ones too)
// and is reported to the observer after the lock is released.
#include "powercut/faultfs/sim_fs.h"

#include <cerrno>

#include "sim_calls.h"

namespace powercut::faultfs {

SimFs::SimFs() : SimFs(Options{}) {}

SimFs::SimFs(Options options) : state_(std::make_unique<State>(SimCore{})) {
  state_->core.options = options;
}

SimFs::SimFs(std::unique_ptr<State> state) : state_(std::move(state)) {}

SimFs::~SimFs() = default;

namespace {

// The entry `path` names in the visible image, which must be a directory.
Result<uint64_t> FindDirectory(const SimCore& core, std::string_view operation,
                               std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(CheckPath(operation, path));
  std::optional<DirEntry> entry = core.visible.Lookup(path);
  if (!entry.has_value()) {
    return Status::NotFound(std::string(operation) + " " + std::string(path) +
                            ": no such directory");
  }
  if (!entry->is_directory) {
    return Status::InvalidArgument(std::string(operation) + " " + std::string(path) +
                                   ": not a directory");
  }
  return entry->inode;
}

// Locates a path that must not be the root, for `operation`.
Result<PathLocation> LocateNonRoot(const SimCore& core, std::string_view operation,
                                   std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(CheckPath(operation, path));
  if (path == "/") {
    return Status::InvalidArgument(std::string(operation) + " /: not allowed on the root");
  }
  Result<PathLocation> location = core.visible.Locate(path);
  if (!location.ok()) return location.status().WithContext(std::string(operation));
  return location;
}

// Creates the file at `location` (which names nothing) as a pending create.
uint64_t CreateFile(SimCore& core, const OpRecord& record, const PathLocation& location) {
  PendingOp op = MakePendingOp(record, core.next_inode++);
  op.dir = location.parent;
  op.name = location.name;
  uint64_t inode = op.inode;
  IssuePendingOp(core, std::move(op));
  return inode;
}

FileHandle AddHandle(SimCore& core, uint64_t inode, std::string_view path, bool readable,
                     bool writable, SyncMode sync) {
  uint64_t id = core.next_handle++;
  core.handles[id] = OpenFile{inode, std::string(path), readable, writable, sync};
  return FileHandle{id};
}

// Open's work under the lock. Sets `counted` (with its position) when the
// call is a create or a truncate.
Result<FileHandle> OpenLocked(SimCore& core, std::string_view path, const OpenOptions& options,
                              std::optional<OpRecord>& counted) {
  auto count = [&](OpKind kind) {
    counted = MakeRecord(kind, path);
    counted->position = ++core.position;
  };
  Result<PathLocation> location = LocateNonRoot(core, "open", path);
  if (!location.ok()) {
    if (options.create) count(OpKind::kCreate);
    return location.status();
  }
  if (location->entry.has_value()) {
    if (location->entry->is_directory) {
      return Status::InvalidArgument("open " + std::string(path) + ": is a directory");
    }
    if (options.create && options.exclusive) {
      count(OpKind::kCreate);
      return Status::FromErrno("open (exclusive create)", path, EEXIST);
    }
  } else if (!options.create) {
    return Status::NotFound("open " + std::string(path) + ": no such file");
  }
  if (options.truncate && !options.write) {
    return Status::InvalidArgument("open " + std::string(path) + ": truncate needs write access");
  }
  uint64_t inode;
  if (location->entry.has_value()) {
    inode = location->entry->inode;
    if (options.truncate) {
      count(OpKind::kTruncate);
      PendingOp op = MakePendingOp(*counted, inode);  // size 0
      IssuePendingOp(core, std::move(op));
    }
  } else {
    count(OpKind::kCreate);
    inode = CreateFile(core, *counted, *location);
  }
  return AddHandle(core, inode, path, options.read, options.write, options.sync);
}

}  // namespace

Result<FileHandle> SimFs::Open(std::string_view path, const OpenOptions& options) {
  std::optional<OpRecord> counted;
  std::optional<Result<FileHandle>> result;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    result.emplace(OpenLocked(state_->core, path, options, counted));
  }
  if (counted.has_value()) {
    counted->failed = !result->ok();
    NotifyObserver(*state_, *counted);
  }
  return std::move(*result);
}

Status SimFs::Close(FileHandle file) {
  std::lock_guard<std::mutex> lock(state_->mu);
  SimCore& core = state_->core;
  POWERCUT_RETURN_IF_ERROR(FindOpenFile(core, file).status());
  core.handles.erase(file.id);
  core.CollectGarbage();  // an unlinked file dies with its last handle
  return Status::OK();
}

Result<FileLock> SimFs::Lock(std::string_view path) {
  std::optional<OpRecord> counted;
  std::optional<Result<FileLock>> result;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    SimCore& core = state_->core;
    result.emplace([&]() -> Result<FileLock> {
      POWERCUT_ASSIGN_OR_RETURN(PathLocation location, LocateNonRoot(core, "lock", path));
      if (location.entry.has_value() && location.entry->is_directory) {
        return Status::InvalidArgument("lock " + std::string(path) + ": is a directory");
      }
      for (const auto& [id, held] : core.locks) {
        if (held == path) return Status::FromErrno("lock", path, EAGAIN);
      }
      if (!location.entry.has_value()) {
        counted = MakeRecord(OpKind::kCreate, path);
        counted->position = ++core.position;
        CreateFile(core, *counted, location);
      }
      uint64_t id = core.next_lock++;
      core.locks[id] = std::string(path);
      return FileLock{id};
    }());
  }
  if (counted.has_value()) NotifyObserver(*state_, *counted);
  return std::move(*result);
}

Status SimFs::Unlock(FileLock file_lock) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->core.locks.erase(file_lock.id) == 0) {
    return Status::InvalidArgument("unlock: unknown or released lock #" +
                                   std::to_string(file_lock.id));
  }
  return Status::OK();
}

Status SimFs::SyncDir(std::string_view dir) {
  return RunCountedCall<Status>(
      *state_, MakeRecord(OpKind::kSyncDir, dir), [&](SimCore& core, OpRecord& op) -> Status {
        POWERCUT_ASSIGN_OR_RETURN(uint64_t inode, FindDirectory(core, "fsync of directory", dir));
        std::optional<FsyncFailureProfile> failure =
            core.faults.OnFsync("fsync-dir", dir, op.position);
        if (failure.has_value()) {
          core.ApplyDirFsyncFailure(inode, *failure);
          return Status::FromErrno("fsync of directory", dir, EIO).MarkInjected();
        }
        core.PersistEntryOpsOf(inode);
        core.CommitJournal();  // ext4: a directory fsync commits the journal too
        core.CollectGarbage();
        return Status::OK();
      });
}

Status SimFs::SyncAll() {
  return RunCountedCall<Status>(*state_, MakeRecord(OpKind::kSyncAll),
                                [&](SimCore& core, OpRecord&) -> Status {
                                  core.PersistAll();
                                  core.CollectGarbage();
                                  return Status::OK();
                                });
}

}  // namespace powercut::faultfs
