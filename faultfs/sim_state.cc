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
  // A file whose pending data ops all persist now has exactly its visible
  // bytes; one that keeps some pending (a synchronous write) is replayed.
  for (uint64_t inode : data_inodes) {
    bool all = true;
    for (size_t i = 0; i < pending.size() && all; ++i) {
      all = !(pending[i].is_data_op() && pending[i].inode == inode) ||
            std::binary_search(indices.begin(), indices.end(), i);
    }
    if (all) {
      durable.ShareFileFrom(visible, inode);
      continue;
    }
    for (size_t index : indices) {
      if (pending[index].is_data_op() && pending[index].inode == inode) {
        ApplyOp(durable, pending[index]);
      }
    }
  }
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

void SimCore::CommitJournal() {
  if (!JournalsMetadataInOrder(options.profile)) return;
  std::set<size_t> chosen;
  // Every earlier data op of `inode` (before `index`) persists with it.
  auto with_earlier_data = [&](size_t index, uint64_t inode) {
    for (size_t j = 0; j < index; ++j) {
      if (pending[j].is_data_op() && pending[j].inode == inode) chosen.insert(j);
    }
  };
  for (size_t i = 0; i < pending.size(); ++i) {
    const PendingOp& op = pending[i];
    if (op.is_write()) continue;
    chosen.insert(i);
    if (op.kind() == OpKind::kTruncate) with_earlier_data(i, op.inode);
    if (op.replaces_file && OrdersDataBeforeMetadata(options.profile)) {
      with_earlier_data(i, op.inode);
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
    if (durable_now) {
      indices.push_back(i);
    } else if (op.kind() == OpKind::kRename && op.dir2_synced && !op.destination_durable) {
      // The destination's fsync makes the new name durable: a file system
      // writes a directory's entries with that directory (ext4 and XFS commit
      // the rename in the transaction the fsync forces; ext2 writes the
      // directory block). Only the source's removal waits for its own fsync:
      // until then the old name may survive too, never the new one vanish.
      PendingOp link = op;
      link.record.kind = OpKind::kLink;
      link.dir = op.dir2;
      link.name = op.name2;
      if (op.replaces_file) durable.CountNameRemoval();
      ApplyEntryOp(durable, link);
      op.destination_durable = true;
    }
  }
  PersistPending(indices);
}

void SimCore::PersistSynchronousOp(size_t index) {
  assert(index < pending.size() && pending[index].is_data_op());
  const uint64_t inode = pending[index].inode;
  // Page ranges the chosen ops cover; an earlier write that meets one of
  // them is in a page the kernel writes back whole (filemap_write_and_wait_range
  // writes pages), so it persists too, and so, transitively, do the writes
  // in its pages.
  constexpr uint64_t kPage = 4096;
  std::vector<std::pair<uint64_t, uint64_t>> covered;
  bool everything_earlier = false;  // a chosen truncate commutes with nothing
  std::vector<size_t> chosen;
  for (size_t i = index + 1; i-- > 0;) {
    const PendingOp& op = pending[i];
    if (!op.is_data_op() || op.inode != inode) continue;
    bool meets = i == index || everything_earlier || !op.is_write();
    for (size_t r = 0; r < covered.size() && !meets; ++r) {
      meets = op.record.offset / kPage * kPage < covered[r].second &&
              covered[r].first < (op.write_end() + kPage - 1) / kPage * kPage;
    }
    if (!meets) continue;
    chosen.push_back(i);
    if (op.is_write()) {
      covered.emplace_back(op.record.offset / kPage * kPage,
                           (op.write_end() + kPage - 1) / kPage * kPage);
    }
    if (!op.is_write()) everything_earlier = true;
  }
  std::reverse(chosen.begin(), chosen.end());
  PersistPending(chosen);
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
