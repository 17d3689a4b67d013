// SimFs's name operations: rename, link, unlink, mkdir, rmdir, list, stat.
// Each is checked against the visible image, then issued as a pending entry
// op of the directory (or directories) whose entries it changes; SyncDir
// makes it durable (see the method essay in sim_fs.cc).
#include <cerrno>

#include "powercut/faultfs/sim_fs.h"
#include "sim_calls.h"

namespace powercut::faultfs {
namespace {

Result<PathLocation> Locate(const SimCore& core, std::string_view operation,
                            std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(CheckPath(operation, path));
  if (path == "/") {
    return Status::InvalidArgument(std::string(operation) + " /: not allowed on the root");
  }
  Result<PathLocation> location = core.visible.Locate(path);
  if (!location.ok()) return location.status().WithContext(std::string(operation));
  return location;
}

// The file `path` names (not a directory).
Result<PathLocation> LocateExistingFile(const SimCore& core, std::string_view operation,
                                        std::string_view path) {
  POWERCUT_ASSIGN_OR_RETURN(PathLocation location, Locate(core, operation, path));
  if (!location.entry.has_value()) {
    return Status::NotFound(std::string(operation) + " " + std::string(path) + ": no such file");
  }
  if (location.entry->is_directory) {
    return Status::InvalidArgument(std::string(operation) + " " + std::string(path) +
                                   ": is a directory; only files are allowed here");
  }
  return location;
}

Status RenameLocked(SimCore& core, const OpRecord& record, std::string_view from,
                    std::string_view to) {
  POWERCUT_ASSIGN_OR_RETURN(PathLocation source, LocateExistingFile(core, "rename", from));
  POWERCUT_ASSIGN_OR_RETURN(PathLocation target, Locate(core, "rename", to));
  if (target.entry.has_value() && target.entry->is_directory) {
    return Status::InvalidArgument("rename " + std::string(from) + " -> " + std::string(to) +
                                   ": the target is a directory");
  }
  if (target.entry.has_value() && target.entry->inode == source.entry->inode) {
    return Status::OK();  // both names already name the file: rename(2) does nothing
  }
  PendingOp op = MakePendingOp(record, source.entry->inode);
  op.dir = source.parent;
  op.name = source.name;
  op.dir2 = target.parent;
  op.name2 = target.name;
  op.replaces_file = target.entry.has_value();
  IssuePendingOp(core, std::move(op));
  core.CollectGarbage();  // the file `to` named may be gone now
  return Status::OK();
}

Status LinkLocked(SimCore& core, const OpRecord& record, std::string_view existing,
                  std::string_view new_path) {
  POWERCUT_ASSIGN_OR_RETURN(PathLocation source, LocateExistingFile(core, "link", existing));
  POWERCUT_ASSIGN_OR_RETURN(PathLocation target, Locate(core, "link", new_path));
  if (target.entry.has_value()) return Status::FromErrno("link", new_path, EEXIST);
  PendingOp op = MakePendingOp(record, source.entry->inode);
  op.dir = target.parent;
  op.name = target.name;
  IssuePendingOp(core, std::move(op));
  return Status::OK();
}

Status UnlinkLocked(SimCore& core, const OpRecord& record, std::string_view path) {
  POWERCUT_ASSIGN_OR_RETURN(PathLocation location, LocateExistingFile(core, "unlink", path));
  PendingOp op = MakePendingOp(record, location.entry->inode);
  op.dir = location.parent;
  op.name = location.name;
  IssuePendingOp(core, std::move(op));
  core.CollectGarbage();  // the file lives on only if a handle holds it
  return Status::OK();
}

Status MkDirLocked(SimCore& core, const OpRecord& record, std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(CheckPath("mkdir", path));
  if (path == "/") return Status::FromErrno("mkdir", path, EEXIST);
  POWERCUT_ASSIGN_OR_RETURN(PathLocation location, Locate(core, "mkdir", path));
  if (location.entry.has_value()) return Status::FromErrno("mkdir", path, EEXIST);
  PendingOp op = MakePendingOp(record, core.next_inode++);
  op.dir = location.parent;
  op.name = location.name;
  IssuePendingOp(core, std::move(op));
  return Status::OK();
}

Status RmDirLocked(SimCore& core, const OpRecord& record, std::string_view path) {
  POWERCUT_ASSIGN_OR_RETURN(PathLocation location, Locate(core, "rmdir", path));
  if (!location.entry.has_value()) {
    return Status::NotFound("rmdir " + std::string(path) + ": no such directory");
  }
  if (!location.entry->is_directory) {
    return Status::InvalidArgument("rmdir " + std::string(path) + ": not a directory");
  }
  const DirEntries* entries = core.visible.dir(location.entry->inode);
  if (entries != nullptr && !entries->empty()) {
    return Status::FromErrno("rmdir", path, ENOTEMPTY);
  }
  PendingOp op = MakePendingOp(record, location.entry->inode);
  op.dir = location.parent;
  op.name = location.name;
  IssuePendingOp(core, std::move(op));
  core.CollectGarbage();
  return Status::OK();
}

}  // namespace

Status SimFs::Rename(std::string_view from, std::string_view to) {
  OpRecord record = MakeRecord(OpKind::kRename, from, to);
  return RunCountedCall<Status>(*state_, record, [&](SimCore& core, OpRecord& op) {
    return RenameLocked(core, op, from, to);
  });
}

Status SimFs::Link(std::string_view existing, std::string_view new_path) {
  OpRecord record = MakeRecord(OpKind::kLink, existing, new_path);
  return RunCountedCall<Status>(*state_, record, [&](SimCore& core, OpRecord& op) {
    return LinkLocked(core, op, existing, new_path);
  });
}

Status SimFs::Unlink(std::string_view path) {
  OpRecord record = MakeRecord(OpKind::kUnlink, path);
  return RunCountedCall<Status>(
      *state_, record, [&](SimCore& core, OpRecord& op) { return UnlinkLocked(core, op, path); });
}

Status SimFs::MkDir(std::string_view path) {
  OpRecord record = MakeRecord(OpKind::kMkDir, path);
  return RunCountedCall<Status>(
      *state_, record, [&](SimCore& core, OpRecord& op) { return MkDirLocked(core, op, path); });
}

Status SimFs::RmDir(std::string_view path) {
  OpRecord record = MakeRecord(OpKind::kRmDir, path);
  return RunCountedCall<Status>(
      *state_, record, [&](SimCore& core, OpRecord& op) { return RmDirLocked(core, op, path); });
}

Result<std::vector<std::string>> SimFs::List(std::string_view dir) {
  std::lock_guard<std::mutex> lock(state_->mu);
  const SimCore& core = state_->core;
  POWERCUT_RETURN_IF_ERROR(CheckPath("list", dir));
  std::optional<DirEntry> entry = core.visible.Lookup(dir);
  if (!entry.has_value()) {
    return Status::NotFound("list " + std::string(dir) + ": no such directory");
  }
  if (!entry->is_directory) {
    return Status::InvalidArgument("list " + std::string(dir) + ": not a directory");
  }
  std::vector<std::string> names;
  for (const auto& [name, child] : *core.visible.dir(entry->inode)) names.push_back(name);
  return names;  // std::map order: bytewise
}

Result<FileInfo> SimFs::Stat(std::string_view path) {
  std::lock_guard<std::mutex> lock(state_->mu);
  const SimCore& core = state_->core;
  POWERCUT_RETURN_IF_ERROR(CheckPath("stat", path));
  std::optional<DirEntry> entry = core.visible.Lookup(path);
  if (!entry.has_value()) return Status::NotFound("stat " + std::string(path) + ": no such file");
  if (entry->is_directory) return FileInfo{.is_directory = true, .size = 0};
  const FileData* data = core.visible.file(entry->inode);
  return FileInfo{.is_directory = false, .size = data == nullptr ? 0 : data->size()};
}

}  // namespace powercut::faultfs
