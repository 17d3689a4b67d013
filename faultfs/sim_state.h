// SimCore: everything one SimFs knows — the durable image, the ordered list of
// pending operations, the visible image, open handles, locks, fault rules and
// the position counter — and the persistence rules that move pending
// operations into the durable image (Sync of a file, SyncDir, SyncAll, the
// ext4-ordered relaxation) or out of the pending list after an fsync failure.
// SimFs's methods (sim_fs*.cc) validate a call and drive these; the crash
// builder (crash_builder.cc) reads a SimCore and makes a new one.
//
// Invariant, the heart of the model:
//   visible == durable + pending applied in order, for every file inode
//   not in `divergent_inodes` and for every directory whose entry ops never
//   hit a failed directory fsync.
// So when a Sync makes all of one file's pending data durable, the durable
// image can simply share the visible bytes instead of replaying the writes.
// Private to faultfs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "powercut/faultfs/sim_fs.h"
#include "sim_faults.h"
#include "sim_image.h"
#include "sim_ops.h"

namespace powercut::faultfs {

struct OpenFile {
  uint64_t inode = 0;
  std::string path;  // as opened (fault rules match it)
  bool readable = false;
  bool writable = false;
  SyncMode sync = SyncMode::kNone;  // O_DSYNC / O_SYNC: writes durable on return
};

struct SimCore {
  SimFs::Options options;
  Image durable;
  Image visible;
  std::vector<PendingOp> pending;  // issue order
  // Files whose visible bytes hold data that will never reach the disk (an
  // fsync failed under clean-but-visible): their durable bytes are rebuilt by
  // replay, never shared from the visible image.
  std::set<uint64_t> divergent_inodes;
  FaultInjector faults;
  uint64_t position = 0;
  uint64_t next_inode = kRootInode + 1;
  uint64_t next_handle = 1;
  uint64_t next_lock = 1;
  std::map<uint64_t, OpenFile> handles;
  std::map<uint64_t, std::string> locks;  // lock id -> path
  // CollectGarbage's gate (see there).
  static constexpr uint32_t kGarbageCollectionInterval = 32;
  uint64_t name_removals_at_last_gc = 0;
  bool unnamed_inodes_kept = false;
  uint32_t garbage_requests_since_gc = 0;

  // A copy without handles or locks (Clone, process-kill).
  SimCore CopyWithoutHandles() const;

  // Sync/DataSync succeeded: every pending data op of `inode` is durable.
  void PersistFileData(uint64_t inode);
  // Profiles that journal metadata in order (ext4): an fsync of anything
  // commits the running transaction, so every pending metadata op (entry ops
  // of every directory, truncates) is durable; a truncate takes the earlier
  // data ops of its file with it (they do not commute). Under ext4-ordered a
  // committed rename that replaced a file takes the renamed file's earlier
  // data ops with it (auto_da_alloc). Does nothing under strict-posix.
  void CommitJournal();
  // SyncDir succeeded: the entry ops of `dir` are durable. A cross-directory
  // rename whose destination is `dir` has its new name made durable; the
  // removal of its old name waits for the source's SyncDir.
  void PersistEntryOpsOf(uint64_t dir);
  // A synchronous write or truncate (the pending op at `index`, just issued)
  // returned: it is durable, and so is every earlier pending data op of the
  // same file in the pages it writes back or that does not commute with it
  // (truncates),
  // transitively, so that durable + the ops still pending, in issue order,
  // still equals the visible file. Other pending writes of the file stay
  // pending: the kernel flushes only the written range.
  void PersistSynchronousOp(size_t index);
  // SyncAll: everything pending is durable.
  void PersistAll();
  // An fsync of file `inode` failed; the page cache behaves per `profile`.
  void ApplyFsyncFailure(uint64_t inode, FsyncFailureProfile profile);
  // A directory fsync failed. Names cannot be un-shown to the program, so
  // under drop and clean-but-visible the entry ops stay visible but leave the
  // pending list: they never become durable. Under keep they stay pending.
  void ApplyDirFsyncFailure(uint64_t dir, FsyncFailureProfile profile);

  // Drops inodes nothing can reach any more: not the visible tree, not an
  // open handle, not a pending op (and, for the durable image, not anything
  // the visible image still holds). Skipped, as a pure speed-up, when no name
  // was removed since the last collection and no unnamed inode was then being
  // kept alive (nothing can have become unreachable); otherwise amortised:
  // garbage is invisible, so it may linger for a few calls.
  void CollectGarbage();

 private:
  // Makes the pending ops at `indices` (ascending) durable and removes them.
  void PersistPending(const std::vector<size_t>& indices);
};

// The lock-protected part of a SimFs. SimFs::State (private in sim_fs.h) is
// this, so free functions in faultfs can take it by reference.
struct SimInstance {
  explicit SimInstance(SimCore initial) : core(std::move(initial)) {}
  std::mutex mu;
  std::shared_ptr<const SimFs::Observer> observer;  // guarded by mu
  SimCore core;                                     // guarded by mu
};

class SimFs::State : public SimInstance {
 public:
  using SimInstance::SimInstance;
};

}  // namespace powercut::faultfs
