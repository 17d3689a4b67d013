// Trace rules of culprit analysis: orderings in a file-operation trace that
// are durability bugs whatever the crash, for failures no single lost
// operation explains (a process kill loses nothing; a durable-recovery
// violation is decided by a power cut after the recovery). Each rule names
// the two operations that came in the wrong order. See TraceOrderingBug in
// culprit_lint.h.
#include "culprit_lint.h"

#include <string>

namespace powercut::harness {
namespace {

using faultfs::OpKind;
using faultfs::OpRecord;

bool IsFileSync(const OpRecord& op) {
  return op.kind == OpKind::kSync || op.kind == OpKind::kDataSync;
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Whether `path` was written after its last fsync, before index `end`.
const OpRecord* UnsyncedWrite(const std::vector<OpRecord>& ops, size_t end,
                              const std::string& path) {
  const OpRecord* write = nullptr;
  for (size_t i = 0; i < end; ++i) {
    if (ops[i].path != path && ops[i].kind != OpKind::kSyncAll) continue;
    if (ops[i].kind == OpKind::kWrite && !ops[i].failed) write = &ops[i];
    if ((IsFileSync(ops[i]) || ops[i].kind == OpKind::kSyncAll) && !ops[i].failed) write = nullptr;
  }
  return write;
}

// C03: a rename of a file with unsynced writes.
std::optional<TraceFinding> RenameOfUnsynced(const std::vector<OpRecord>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind != OpKind::kRename) continue;
    if (const OpRecord* write = UnsyncedWrite(ops, i, ops[i].path)) {
      return TraceFinding{"C03", "the " + ops[i].ToString() + " came after the " +
                                     write->ToString() + " with no fsync of the file between"};
    }
  }
  return std::nullopt;
}

// C11: CURRENT switched while the newest manifest write is unsynced.
std::optional<TraceFinding> CurrentBeforeManifest(const std::vector<OpRecord>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind != OpKind::kRename || !RoleIs(ops[i].path2, FileRole::kCurrent)) continue;
    for (size_t j = i; j-- > 0;) {
      if (ops[j].kind != OpKind::kWrite || !RoleIs(ops[j].path, FileRole::kManifest)) continue;
      if (UnsyncedWrite(ops, i, ops[j].path) != nullptr) {
        return TraceFinding{"C11", "CURRENT was switched (" + ops[i].ToString() +
                                       ") before the manifest was fsynced (" + ops[j].ToString() +
                                       " unsynced)"};
      }
      break;
    }
  }
  return std::nullopt;
}

// C02: a rename into a directory, then an unlink there, no SyncDir between.
std::optional<TraceFinding> UnlinkBeforeRenameDurable(const std::vector<OpRecord>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind != OpKind::kRename) continue;
    const std::string dir = ParentOf(ops[i].path2);
    for (size_t j = i + 1; j < ops.size(); ++j) {
      if (ops[j].kind == OpKind::kSyncDir && ops[j].path == dir) break;
      if (ops[j].kind == OpKind::kSyncAll) break;
      if (ops[j].kind == OpKind::kUnlink && ParentOf(ops[j].path) == dir) {
        return TraceFinding{"C02", "the " + ops[j].ToString() + " came after the " +
                                       ops[i].ToString() + " with no directory fsync of " + dir +
                                       " between: the unlink can persist, the rename not"};
      }
    }
  }
  return std::nullopt;
}

// The role (WAL or table) of the newest write to a WAL or table before `end`.
std::optional<FileRole> LastDataWrite(const std::vector<OpRecord>& ops, size_t end) {
  for (size_t j = end; j-- > 0;) {
    if (ops[j].kind != OpKind::kWrite) continue;
    FileRole role = RoleOfPath(ops[j].path);
    if (role == FileRole::kWal || role == FileRole::kTable) return role;
  }
  return std::nullopt;
}

// After index `from`, before any WAL write: the first table write, or the end
// of the trace (a crash came first). False if a WAL write comes first.
bool TableWriteOrEndBeforeWal(const std::vector<OpRecord>& ops, size_t from,
                              std::string& what_came) {
  for (size_t j = from + 1; j < ops.size(); ++j) {
    if (ops[j].kind == OpKind::kWrite && RoleIs(ops[j].path, FileRole::kWal)) return false;
    if (ops[j].kind == OpKind::kWrite && RoleIs(ops[j].path, FileRole::kTable)) {
      what_came = "the " + ops[j].ToString();
      return true;
    }
  }
  what_came = "the crash";
  return true;
}

// Whether the newest write to ops[i]'s manifest, up to i, appended to it.
bool AppendedEdit(const std::vector<OpRecord>& ops, size_t i) {
  for (size_t j = i + 1; j-- > 0;) {
    if (ops[j].kind == OpKind::kWrite && ops[j].path == ops[i].path) return ops[j].offset > 0;
  }
  return false;
}

// C09 / C15: a flush that retires the WAL (unlinks it, or syncs a manifest
// edit) when the newest data written is still the WAL's — before its table
// is written.
std::optional<TraceFinding> RetiredBeforeTable(const std::vector<OpRecord>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    const bool wal_unlink = ops[i].kind == OpKind::kUnlink && RoleIs(ops[i].path, FileRole::kWal);
    // The edit is made by its write (a process kill keeps it) or its sync.
    // Only an edit appended to a live manifest: a manifest written whole at
    // Open is a snapshot, not a step of a flush.
    const bool manifest_edit = (IsFileSync(ops[i]) || ops[i].kind == OpKind::kWrite) &&
                               RoleIs(ops[i].path, FileRole::kManifest) && AppendedEdit(ops, i);
    if (!wal_unlink && !manifest_edit) continue;
    if (LastDataWrite(ops, i) != FileRole::kWal) continue;
    std::string what_came;
    if (!TableWriteOrEndBeforeWal(ops, i, what_came)) continue;
    if (wal_unlink) {
      return TraceFinding{"C09", "the " + ops[i].ToString() +
                                     " came before its data was in a "
                                     "table: next came " +
                                     what_came};
    }
    return TraceFinding{"C15", "the manifest edit (" + ops[i].ToString() +
                                   ", advancing the recovery point) came before the table "
                                   "holding the WAL's data was written: next came " +
                                   what_came};
  }
  return std::nullopt;
}

// C11: a manifest fsync while a table written before it is still unsynced.
std::optional<TraceFinding> ManifestBeforeTableSync(const std::vector<OpRecord>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!IsFileSync(ops[i]) || !RoleIs(ops[i].path, FileRole::kManifest)) continue;
    for (size_t j = 0; j < i; ++j) {
      if (ops[j].kind != OpKind::kWrite || !RoleIs(ops[j].path, FileRole::kTable)) continue;
      if (UnsyncedWrite(ops, i, ops[j].path) != nullptr) {
        return TraceFinding{"C11", "the manifest was synced (" + ops[i].ToString() +
                                       ") before the table it names (" + ops[j].path +
                                       " unsynced)"};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

FileRole RoleOfPath(const std::string& path) {
  size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.ends_with(".log")) return FileRole::kWal;
  if (name.ends_with(".sst") || name.ends_with(".ldb")) return FileRole::kTable;
  if (name.starts_with("MANIFEST")) return FileRole::kManifest;
  if (name == "CURRENT") return FileRole::kCurrent;
  if (name.ends_with(".tmp") || name.ends_with(".dbtmp")) return FileRole::kTemp;
  return FileRole::kOther;
}

bool RoleIs(const std::string& path, FileRole role) { return RoleOfPath(path) == role; }

std::optional<TraceFinding> TraceOrderingBug(const std::vector<OpRecord>& ops) {
  for (auto rule : {RenameOfUnsynced, CurrentBeforeManifest, UnlinkBeforeRenameDurable,
                    RetiredBeforeTable, ManifestBeforeTableSync}) {
    if (std::optional<TraceFinding> finding = rule(ops)) return finding;
  }
  return std::nullopt;
}

}  // namespace powercut::harness
