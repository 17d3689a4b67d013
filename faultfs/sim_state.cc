// SimCore: the persistence rules of SimFs (see sim_state.h).
#include "sim_state.h"

#include <algorithm>
#include <cassert>

namespace powercut::faultfs {

SimCore SimCore::CopyWithoutHandles() const {
  SimCore copy;
  copy.options = options;
  copy.durable = durable;
  copy.visible = visible;
  copy.pending = pending;
  copy.divergent_inodes = divergent_inodes;
  copy.faults = faults;
  copy.position = position;
  copy.next_inode = next_inode;
  copy.next_handle = next_handle;  // keeps handle ids unique across the lineage
  copy.next_lock = next_lock;
  copy.CollectGarbage();  // the unlinked files only a handle kept alive are gone
  return copy;
}

void SimCore::PersistPending(const std::vector<size_t>& indices) {
  assert(std::is_sorted(indices.begin(), indices.end()));
  std::set<uint64_t> data_inodes;
  for (size_t index : indices) {
    const PendingOp& op = pending[index];
    if (!op.is_data_op()) {
      ApplyEntryOp(durable, op);
    } else if (divergent_inodes.count(op.inode) != 0) {
      ApplyOp(durable, op);  // replay: the visible bytes hold data that never persists
    } else {
      data_inodes.insert(op.inode);
    }
  }
  // Every caller persists all of a file's pending data ops at once, so for a
  // non-divergent file the durable bytes are now exactly the visible ones.
  for (uint64_t inode : data_inodes) durable.ShareFileFrom(visible, inode);
  for (auto it = indices.rbegin(); it != indices.rend(); ++it) {
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(*it));
  }
}

void SimCore::PersistFileData(uint64_t inode) {
  std::vector<size_t> indices;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i].is_data_op() && pending[i].inode == inode) indices.push_back(i);
  }
  PersistPending(indices);
}

void SimCore::PersistEntriesOf(uint64_t inode) {
  std::set<size_t> chosen;
  std::vector<uint64_t> dirs_needed;
  for (size_t i = 0; i < pending.size(); ++i) {
    const PendingOp& op = pending[i];
    bool names_inode =
        op.inode == inode && (op.kind() == OpKind::kCreate || op.kind() == OpKind::kRename);
    if (!names_inode) continue;
    chosen.insert(i);
    dirs_needed.push_back(op.kind() == OpKind::kRename ? op.dir2 : op.dir);
  }
  // The directories holding those names must be reachable too: persist their
  // pending mkdirs, and their parents' in turn.
  while (!dirs_needed.empty()) {
    uint64_t dir = dirs_needed.back();
    dirs_needed.pop_back();
    for (size_t i = 0; i < pending.size(); ++i) {
      const PendingOp& op = pending[i];
      if (op.kind() != OpKind::kMkDir || op.inode != dir) continue;
      if (chosen.insert(i).second) dirs_needed.push_back(op.dir);
    }
  }
  PersistPending(std::vector<size_t>(chosen.begin(), chosen.end()));
}

void SimCore::PersistEntryOpsOf(uint64_t dir) {
  std::vector<size_t> indices;
  for (size_t i = 0; i < pending.size(); ++i) {
    PendingOp& op = pending[i];
    if (!op.ChangesEntryOf(dir)) continue;
    if (op.dir == dir) op.dir_synced = true;
    if (op.kind() == OpKind::kRename && op.dir2 == dir) op.dir2_synced = true;
    bool durable_now =
        op.kind() == OpKind::kRename ? op.dir_synced && op.dir2_synced : op.dir_synced;
    if (durable_now) indices.push_back(i);
  }
  PersistPending(indices);
}

void SimCore::PersistAll() {
  std::vector<size_t> indices(pending.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  PersistPending(indices);
}

void SimCore::ApplyFsyncFailure(uint64_t inode, FsyncFailureProfile profile) {
  if (profile == FsyncFailureProfile::kKeep) return;  // still dirty: a retry may persist it
  bool had_pending = false;
  std::erase_if(pending, [&](const PendingOp& op) {
    bool match = op.is_data_op() && op.inode == inode;
    had_pending = had_pending || match;
    return match;
  });
  if (profile == FsyncFailureProfile::kDrop) {
    // The dirty pages are thrown away: reads fall back to what the disk holds.
    visible.ShareFileFrom(durable, inode);
    divergent_inodes.erase(inode);
  } else if (had_pending) {
    divergent_inodes.insert(inode);  // clean-but-visible: shown, never persisted
  }
}

void SimCore::ApplyDirFsyncFailure(uint64_t dir, FsyncFailureProfile profile) {
  if (profile == FsyncFailureProfile::kKeep) return;
  std::erase_if(pending, [&](const PendingOp& op) { return op.ChangesEntryOf(dir); });
  CollectGarbage();
}

void SimCore::CollectGarbage() {
  const uint64_t removals = visible.name_removals() + durable.name_removals();
  if (removals == name_removals_at_last_gc && !unnamed_inodes_kept) return;
  // Garbage is invisible (nothing names it) and costs only memory, so the
  // walk runs at most once per kGarbageCollectionInterval requests.
  if (++garbage_requests_since_gc < kGarbageCollectionInterval) return;
  garbage_requests_since_gc = 0;
  std::vector<uint64_t> roots;
  for (const auto& [id, open_file] : handles) roots.push_back(open_file.inode);
  for (const PendingOp& op : pending) {
    roots.push_back(op.inode);
    if (op.dir != 0) roots.push_back(op.dir);
    if (op.dir2 != 0) roots.push_back(op.dir2);
  }
  visible.CollectGarbage(roots);
  // The durable image keeps every inode the visible one can still reach: a
  // later sync may name it again (its synced bytes must still be there).
  visible.CollectReachable(kRootInode, roots);
  durable.CollectGarbage(roots);
  for (auto it = divergent_inodes.begin(); it != divergent_inodes.end();) {
    it = visible.file(*it) == nullptr ? divergent_inodes.erase(it) : std::next(it);
  }
  // Remember whether an inode no tree names survived (held by a handle or a
  // pending op): its release must trigger the next collection.
  std::vector<uint64_t> named;
  visible.CollectReachable(kRootInode, named);
  durable.CollectReachable(kRootInode, named);
  std::sort(named.begin(), named.end());
  unnamed_inodes_kept = visible.HoldsInodeOutside(named) || durable.HoldsInodeOutside(named);
  name_removals_at_last_gc = removals;
}

}  // namespace powercut::faultfs
