// SimFs's file operations through handles: read, write, append, truncate,
// size, and fsync/fdatasync of a file. Writes and truncates become pending
// data ops of the file's inode; Sync/DataSync make them durable, or, when a
// fault rule fails the fsync, leave the page cache per the rule's profile
// (see the method essay in sim_fs.cc and fault_rules.h).
#include <algorithm>
#include <cerrno>

#include "powercut/faultfs/sim_fs.h"
#include "sim_calls.h"

namespace powercut::faultfs {
namespace {

Result<OpenFile*> FindWritableFile(SimCore& core, FileHandle file, std::string_view operation) {
  POWERCUT_ASSIGN_OR_RETURN(OpenFile * open_file, FindOpenFile(core, file));
  if (!open_file->writable) {
    return Status::InvalidArgument(std::string(operation) + " " + open_file->path +
                                   ": the handle was opened without write access");
  }
  return open_file;
}

uint64_t VisibleSize(const SimCore& core, uint64_t inode) {
  const FileData* data = core.visible.file(inode);
  return data == nullptr ? 0 : data->size();
}

// A synchronous write (just issued, the last pending op) returned: it is
// durable. Under ext4 an O_SYNC write, or an O_DSYNC one that changed the
// size, also commits the journal, as fsync / fdatasync would (ext4_sync_file:
// fdatasync skips the commit only when no metadata needed to read the data
// changed).
void PersistSynchronousWrite(SimCore& core, SyncMode sync, bool size_changed) {
  core.PersistSynchronousOp(core.pending.size() - 1);
  if (sync == SyncMode::kFull || size_changed) core.CommitJournal();
  core.CollectGarbage();
}

// Write and Append under the lock; `offset` empty means at the end; `sync`
// (or the handle's own mode) makes the write durable on return.
Result<size_t> WriteLocked(SimCore& core, OpRecord& record, FileHandle file,
                           std::optional<uint64_t> offset, std::string_view data,
                           SyncMode sync = SyncMode::kNone) {
  POWERCUT_ASSIGN_OR_RETURN(OpenFile * open_file, FindWritableFile(core, file, "write"));
  record.path = open_file->path;
  record.sync = std::max(sync, open_file->sync);
  uint64_t at = offset.has_value() ? *offset : VisibleSize(core, open_file->inode);
  record.offset = at;
  record.length = data.size();
  if (at > kMaxFileBytes || data.size() > kMaxFileBytes - at) {
    return Status::FromErrno("write at offset " + std::to_string(at) + " of", open_file->path,
                             EFBIG);
  }
  if (data.empty()) return size_t{0};  // nothing changes, nothing to persist
  POWERCUT_ASSIGN_OR_RETURN(uint64_t allowed,
                            core.faults.OnWrite(open_file->path, data.size(), record.position));
  record.length = allowed;
  PendingOp op = MakePendingOp(record, open_file->inode);
  op.data = std::make_shared<const std::string>(data.substr(0, allowed));
  const bool size_changed = op.write_end() > VisibleSize(core, open_file->inode);
  IssuePendingOp(core, std::move(op));
  if (record.sync != SyncMode::kNone) PersistSynchronousWrite(core, record.sync, size_changed);
  return static_cast<size_t>(allowed);
}

// Sync and DataSync under the lock: the same in this model (data and size
// alike; never the name).
Status SyncLocked(SimCore& core, OpRecord& record, FileHandle file, std::string_view operation) {
  POWERCUT_ASSIGN_OR_RETURN(OpenFile * open_file, FindOpenFile(core, file));
  record.path = open_file->path;
  uint64_t inode = open_file->inode;
  std::optional<FsyncFailureProfile> failure =
      core.faults.OnFsync(operation, open_file->path, record.position);
  if (failure.has_value()) {
    core.ApplyFsyncFailure(inode, *failure);
    return Status::FromErrno(operation, open_file->path, EIO).MarkInjected();
  }
  core.PersistFileData(inode);
  core.CommitJournal();  // ext4: any fsync commits every earlier metadata op
  core.CollectGarbage();
  return Status::OK();
}

}  // namespace

Result<size_t> SimFs::Read(FileHandle file, uint64_t offset, std::span<char> buffer) {
  std::lock_guard<std::mutex> lock(state_->mu);
  SimCore& core = state_->core;
  POWERCUT_ASSIGN_OR_RETURN(OpenFile * open_file, FindOpenFile(core, file));
  if (!open_file->readable) {
    return Status::InvalidArgument("read " + open_file->path +
                                   ": the handle was opened without read access");
  }
  POWERCUT_RETURN_IF_ERROR(
      core.faults.OnRead(open_file->path, offset, buffer.size(), core.position));
  const FileData* data = core.visible.file(open_file->inode);
  return data == nullptr ? size_t{0} : data->Read(offset, buffer);
}

Result<size_t> SimFs::Write(FileHandle file, uint64_t offset, std::string_view data) {
  return RunCountedCall<Result<size_t>>(*state_, MakeRecord(OpKind::kWrite),
                                        [&](SimCore& core, OpRecord& record) {
                                          return WriteLocked(core, record, file, offset, data);
                                        });
}

Result<size_t> SimFs::Append(FileHandle file, std::string_view data) {
  return RunCountedCall<Result<size_t>>(
      *state_, MakeRecord(OpKind::kWrite), [&](SimCore& core, OpRecord& record) {
        return WriteLocked(core, record, file, std::nullopt, data);
      });
}

Result<size_t> SimFs::WriteSynchronous(FileHandle file, uint64_t offset, std::string_view data,
                                       SyncMode sync) {
  return RunCountedCall<Result<size_t>>(
      *state_, MakeRecord(OpKind::kWrite), [&](SimCore& core, OpRecord& record) {
        return WriteLocked(core, record, file, offset, data, sync);
      });
}

Status SimFs::Truncate(FileHandle file, uint64_t size) {
  OpRecord record = MakeRecord(OpKind::kTruncate);
  record.offset = size;
  return RunCountedCall<Status>(*state_, record, [&](SimCore& core, OpRecord& op) -> Status {
    POWERCUT_ASSIGN_OR_RETURN(OpenFile * open_file, FindWritableFile(core, file, "truncate"));
    op.path = open_file->path;
    if (size > kMaxFileBytes) {
      return Status::FromErrno("truncate to " + std::to_string(size) + " bytes of", open_file->path,
                               EFBIG);
    }
    PendingOp pending = MakePendingOp(op, open_file->inode);
    pending.size = size;
    IssuePendingOp(core, std::move(pending));
    return Status::OK();
  });
}

Status SimFs::Sync(FileHandle file) {
  return RunCountedCall<Status>(
      *state_, MakeRecord(OpKind::kSync),
      [&](SimCore& core, OpRecord& record) { return SyncLocked(core, record, file, "fsync"); });
}

Status SimFs::DataSync(FileHandle file) {
  return RunCountedCall<Status>(
      *state_, MakeRecord(OpKind::kDataSync),
      [&](SimCore& core, OpRecord& record) { return SyncLocked(core, record, file, "fdatasync"); });
}

Result<uint64_t> SimFs::Size(FileHandle file) {
  std::lock_guard<std::mutex> lock(state_->mu);
  SimCore& core = state_->core;
  POWERCUT_ASSIGN_OR_RETURN(OpenFile * open_file, FindOpenFile(core, file));
  return VisibleSize(core, open_file->inode);
}

}  // namespace powercut::faultfs
