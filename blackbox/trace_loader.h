// The trace loader: replays a shim trace (trace_types.h) on a SimFs that
// starts from the durable snapshot of the root taken after --init, so that
// SimFs knows, at every point of the workload, what was durable and what was
// still pending. Paths: the real root maps to the virtual root "/", so the
// file DIR/db/log is "/db/log" in SimFs, in crash images and in reports.
//
// Each trace entry becomes at most a few SimFs operations:
//   open O_CREAT of a missing file -> create; O_TRUNC -> truncate; O_SYNC
//                                     (or __O_SYNC) / O_DSYNC is remembered
//                                     with the descriptor, through dup and fork
//   write family                   -> Write at the recorded offset, or
//                                     WriteSynchronous when the descriptor is
//                                     O_SYNC/O_DSYNC or the flags hold
//                                     RWF_SYNC/RWF_DSYNC (durable on return)
//   write with fd -1               -> changed pages of a shared mapping:
//                                     a pending Write through its own handle
//   msync                          -> MS_SYNC: every pending write of the
//                                     file overlapping the range is made
//                                     durable (vfs_fsync_range); MS_ASYNC:
//                                     nothing
//   truncate/ftruncate             -> Truncate (pending, even on O_SYNC)
//   fallocate                      -> growth as zeros unless KEEP_SIZE;
//                                     PUNCH_HOLE/ZERO_RANGE write zeros;
//                                     COLLAPSE/INSERT_RANGE move the tail
//                                     (synchronous on an O_SYNC/O_DSYNC
//                                     descriptor for 0, KEEP_SIZE, ZERO_RANGE)
//   fsync/fdatasync of a file      -> Sync/DataSync; of a directory: SyncDir
//   sync, syncfs                   -> SyncAll (the root is one file system)
//   sync_file_range                -> nothing: it promises no durability
//                                     (no metadata, no device flush)
//   rename/link/unlink/mkdir/rmdir -> the same (renaming a directory and
//                                     RENAME_EXCHANGE: unsupported)
//   close, dup                     -> descriptor bookkeeping only
//   ack                            -> ack lines stamped at the SimFs position
// Failed calls (kTraceFailed) change nothing: a failed fsync makes nothing
// durable. Descriptors are tracked per (pid, fd); a descriptor a process got
// from its parent (fork) is found through the parent's entry for the same fd
// and path (its sync mode with it), or reopened by path (then not synchronous:
// the trace holds no open flags for it). docs/blackbox.md gives each rule's
// source.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ack_lines.h"
#include "powercut/faultfs/sim_fs.h"
#include "powercut/status.h"
#include "trace_reader.h"

namespace powercut::blackbox {

// The durable starting image: virtual paths ("/a/b"), the root excluded.
struct InitialImage {
  std::vector<std::string> directories;      // parents before children
  std::map<std::string, std::string> files;  // path -> contents
};

// Where SimFs operation `op.position` came from.
struct OpOrigin {
  faultfs::OpRecord op;
  uint64_t seq = 0;  // the trace entry that caused it
  int32_t pid = 0;
};

struct LoadedTrace {
  std::unique_ptr<faultfs::SimFs> fs;  // after the whole trace
  std::vector<OpOrigin> ops;           // ops[p - 1] is SimFs operation p
  std::vector<AckEvent> acks;          // in trace order
  std::vector<std::string> notes;      // injected faults, unreadable opens, ...

  // The origin of SimFs operation `position`. REQUIRES: 1 <= position <= ops.size()
  const OpOrigin& Origin(uint64_t position) const;
};

// Called after each SimFs operation (with the SimFs, which it may Clone,
// Crash, Digest or enumerate, but not modify) and its position.
using OpCallback = std::function<void(const faultfs::SimFs& fs, uint64_t position)>;

// Builds a SimFs holding `image` durably, then applies `trace` in seq order.
// InvalidArgument names the trace entry (seq, pid, kind, path) that cannot be
// replayed: a path outside the root, an unsupported operation, an operation
// SimFs refuses although the real call succeeded, or a bad ack line.
// `profile` is the file system the trace is replayed on: what its fsyncs
// commit and which crash states it can leave (faultfs/profile.h).
Result<LoadedTrace> LoadTrace(
    const InitialImage& image, const shim::Trace& trace, const OpCallback& after_op = {},
    faultfs::PersistenceProfile profile = faultfs::PersistenceProfile::kStrictPosix);

// "/real/root/db/x" -> "/db/x" for root "/real/root"; the root itself -> "/".
// InvalidArgument if `path` is not at or under `root`.
Result<std::string> VirtualPath(const std::string& root, const std::string& path);

// "seq 17 pid 42 write /root/x @0 +5" for people.
std::string DescribeEntry(const shim::TraceEntry& entry);

}  // namespace powercut::blackbox
