// How SimFs operations are named, printed and applied to an Image (see
// sim_ops.h and the OpRecord declarations in sim_fs.h).
#include "sim_ops.h"

#include <cassert>

namespace powercut::faultfs {

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kCreate:
      return "create";
    case OpKind::kWrite:
      return "write";
    case OpKind::kTruncate:
      return "truncate";
    case OpKind::kSync:
      return "sync";
    case OpKind::kDataSync:
      return "datasync";
    case OpKind::kSyncDir:
      return "syncdir";
    case OpKind::kSyncAll:
      return "syncall";
    case OpKind::kRename:
      return "rename";
    case OpKind::kLink:
      return "link";
    case OpKind::kUnlink:
      return "unlink";
    case OpKind::kMkDir:
      return "mkdir";
    case OpKind::kRmDir:
      return "rmdir";
  }
  return "unknown";
}

bool IsPersistencePoint(OpKind kind) {
  return kind == OpKind::kSync || kind == OpKind::kDataSync || kind == OpKind::kSyncDir ||
         kind == OpKind::kSyncAll;
}

std::string OpRecord::ToString() const {
  std::string text(OpKindName(kind));
  if (kind != OpKind::kSyncAll) text += " " + path;
  switch (kind) {
    case OpKind::kWrite:
      text += " @" + std::to_string(offset) + " +" + std::to_string(length);
      break;
    case OpKind::kTruncate:
      text += " to " + std::to_string(offset);
      break;
    case OpKind::kRename:
    case OpKind::kLink:
      text += " -> " + path2;
      break;
    default:
      break;
  }
  if (sync == SyncMode::kData) text += " (O_DSYNC)";
  if (sync == SyncMode::kFull) text += " (O_SYNC)";
  if (failed) text += " (failed)";
  return text;
}

bool PendingOp::ChangesEntryOf(uint64_t dir_inode) const {
  if (is_data_op()) return false;
  return dir == dir_inode || (kind() == OpKind::kRename && dir2 == dir_inode);
}

namespace {

// Removes `name` from directory `dir` if it still names `inode`.
void RemoveEntryIfItNames(Image& image, uint64_t dir, const std::string& name, uint64_t inode) {
  const DirEntries* entries = image.dir(dir);
  if (entries == nullptr) return;
  auto it = entries->find(name);
  if (it == entries->end() || it->second.inode != inode) return;
  image.MutableDir(dir).erase(name);
}

void ApplyDataOp(Image& image, const PendingOp& op) {
  FileData& file = image.MutableFile(op.inode);
  if (op.is_write()) {
    assert(op.data != nullptr);
    file.Write(op.record.offset, *op.data);
  } else {
    file.Resize(op.size);
  }
}

}  // namespace

void ApplyEntryOp(Image& image, const PendingOp& op) {
  assert(!op.is_data_op());
  const OpKind kind = op.kind();
  if (kind == OpKind::kRename || kind == OpKind::kUnlink || kind == OpKind::kRmDir) {
    image.CountNameRemoval();
  }
  switch (kind) {
    case OpKind::kCreate:
    case OpKind::kLink:
      image.EnsureFile(op.inode);
      image.MutableDir(op.dir)[op.name] = DirEntry{op.inode, false};
      break;
    case OpKind::kRename:
      image.EnsureFile(op.inode);
      image.MutableDir(op.dir2)[op.name2] = DirEntry{op.inode, false};
      if (op.dir != op.dir2 || op.name != op.name2) {
        RemoveEntryIfItNames(image, op.dir, op.name, op.inode);
      }
      break;
    case OpKind::kUnlink:
    case OpKind::kRmDir:
      RemoveEntryIfItNames(image, op.dir, op.name, op.inode);
      break;
    case OpKind::kMkDir:
      image.EnsureDir(op.inode);
      image.MutableDir(op.dir)[op.name] = DirEntry{op.inode, true};
      break;
    default:
      assert(false && "not an entry operation");
  }
}

void ApplyOp(Image& image, const PendingOp& op) {
  if (op.is_data_op()) {
    ApplyDataOp(image, op);
  } else {
    ApplyEntryOp(image, op);
  }
}

}  // namespace powercut::faultfs
