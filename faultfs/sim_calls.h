// Plumbing shared by SimFs's method files (sim_fs.cc, sim_fs_io.cc,
// sim_fs_crash.cc): how a counted call takes the lock, advances the position,
// and reports itself to the observer with the lock released; how a handle or
// a path argument is checked. Private to faultfs.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "powercut/faultfs/file_system.h"
#include "sim_state.h"

namespace powercut::faultfs {

// SimFs holds files of at most this size (the bytes are in memory); larger
// writes and truncates fail as EFBIG would.
inline constexpr uint64_t kMaxFileBytes = uint64_t{16} << 30;

// The record of a call of `kind` on `path` (and `path2`), position unset.
inline OpRecord MakeRecord(OpKind kind, std::string_view path = {}, std::string_view path2 = {}) {
  OpRecord record;
  record.kind = kind;
  record.path = std::string(path);
  record.path2 = std::string(path2);
  return record;
}

// Calls the observer, if one is set, with the lock NOT held.
inline void NotifyObserver(SimInstance& sim, const OpRecord& record) {
  std::shared_ptr<const SimFs::Observer> observer;
  {
    std::lock_guard<std::mutex> lock(sim.mu);
    observer = sim.observer;
  }
  if (observer != nullptr && *observer) (*observer)(record);
}

// Runs one state-changing or sync call: under the lock, advances the position
// and runs `body(core, record)` (which may fill in the record); then, with the
// lock released, tells the observer — failed calls included.
// R is Status or Result<T>.
template <typename R, typename Body>
R RunCountedCall(SimInstance& sim, OpRecord record, Body&& body) {
  std::optional<R> result;
  std::shared_ptr<const SimFs::Observer> observer;
  {
    std::lock_guard<std::mutex> lock(sim.mu);
    record.position = ++sim.core.position;
    result.emplace(body(sim.core, record));
    record.failed = !result->ok();
    observer = sim.observer;
  }
  if (observer != nullptr && *observer) (*observer)(record);
  return std::move(*result);
}

inline Result<OpenFile*> FindOpenFile(SimCore& core, FileHandle file) {
  auto it = core.handles.find(file.id);
  if (it == core.handles.end()) {
    return Status::InvalidArgument("unknown or closed file handle #" + std::to_string(file.id));
  }
  return &it->second;
}

// ValidatePath with the operation named in the message.
inline Status CheckPath(std::string_view operation, std::string_view path) {
  Status status = ValidatePath(path);
  return status.ok() ? status : status.WithContext(std::string(operation));
}

// Builds a pending op for `record` (position already set).
inline PendingOp MakePendingOp(const OpRecord& record, uint64_t inode) {
  PendingOp op;
  op.record = record;
  op.record.failed = false;
  op.inode = inode;
  return op;
}

// Issues `op`: shows it in the visible image and appends it to the pending list.
inline void IssuePendingOp(SimCore& core, PendingOp op) {
  ApplyOp(core.visible, op);
  core.pending.push_back(std::move(op));
}

}  // namespace powercut::faultfs
