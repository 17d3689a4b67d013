// The file-operation trace of a replay, for culprit analysis: an engine
// factory whose adapters see their SimFs through a recording wrapper, so the
// analysis knows every file operation before the crash point — the durable
// ones too, which the crash state's pending list no longer shows (a rename
// already made durable by a directory fsync, an unlink of an old WAL).
// Private to the harness.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "engine_adapter.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::harness {

// Operations by SimFs position. Thread-safe.
class TraceLog {
 public:
  // Keeps the first record seen at each position.
  void Add(const faultfs::OpRecord& record);
  // The records at positions <= `position`, oldest first.
  std::vector<faultfs::OpRecord> UpTo(uint64_t position) const;
  // The records at positions > `position`, oldest first.
  std::vector<faultfs::OpRecord> After(uint64_t position) const;
  // Brackets an adapter's Open: operations recorded in between belong to it.
  void EnterOpen();
  void LeaveOpen();
  // Whether the operation at `position` ran inside an Open that recovered an
  // existing database (any Open but the first one seen, which created it).
  bool InsideRecovery(uint64_t position) const;

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, faultfs::OpRecord> records_;
  uint64_t opens_entered_ = 0;
  uint64_t opens_active_ = 0;
  std::map<uint64_t, bool> in_recovery_;  // by position
};

// `inner`, with every adapter recording the operations of the SimFs it
// opens into `log` (adapters opened on another FileSystem record nothing).
EngineFactory TracingFactory(EngineFactory inner, std::shared_ptr<TraceLog> log);

}  // namespace powercut::harness
