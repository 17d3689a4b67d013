// The explorer's main line (private to the explorer, see explorer.h): runs a
// workload once, in order, on one SimFs through one adapter, records every
// operation in the Oracle, and hands each crash point to a handler while the
// engine is stopped inside the file operation that made it. Both Explore and
// ReplayCrashPath drive it; they differ only in what the handler does.
//
// The runner also keeps what a failure report shows about a point: which
// workload operation was in progress and the last few file operations.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine_adapter.h"
#include "oracle.h"
#include "powercut/faultfs/sim_fs.h"
#include "scenario.h"
#include "violation.h"
#include "workload.h"

namespace powercut::harness::explorer_internal {

// One crash point of the main line.
struct CrashPoint {
  const faultfs::SimFs* fs = nullptr;  // at `position` (a clone for a point before a sync)
  uint64_t position = 0;
  // 1, or 2 inside the recovery after a main-line `crash` step.
  uint32_t depth = 1;
  // Whether nothing was lost on the way here: false after a main-line crash
  // under a model that drops pending operations.
  bool lossless_so_far = true;
  // The moment right after a workload operation returned, at the position
  // of its last file operation: the same file state as that operation's
  // point, but with the operation's acknowledgement in the history.
  bool after_ack = false;
};

// The handler's answer: carry on, or stop calling it (the run then ends at
// the next workload operation). An error stops the run and is returned by Run.
using CrashPointHandler = std::function<Status(const CrashPoint& point)>;

class MainLine {
 public:
  struct Config {
    const Workload* workload = nullptr;
    const EngineFactory* engine = nullptr;
    EngineSettings settings;
    CrashPoints crash_points = CrashPoints::kAll;
    uint64_t seed = 0;  // picks the crash state of main-line `crash` steps
    // The file system the workload runs on (what its fsyncs commit, which
    // crash states it can leave): see faultfs/profile.h.
    faultfs::PersistenceProfile profile = faultfs::PersistenceProfile::kStrictPosix;
  };
  // REQUIRES: config.workload and config.engine outlive the MainLine.
  MainLine(Config config, CrashPointHandler handler);
  ~MainLine();
  MainLine(const MainLine&) = delete;
  MainLine& operator=(const MainLine&) = delete;

  // Runs the workload. Returns the main-line violations (a live read or scan
  // that disagreed with the history, a recovery in the main line that failed
  // or served a wrong state). Errors: the engine cannot be created or cannot
  // open a new database, a `crash` step names an unknown model, or the
  // handler failed.
  Result<std::vector<Violation>> Run();
  // Ends the run at the next workload operation; no more points are handed out.
  void Stop() { stopped_ = true; }

  const Oracle& oracle() const { return oracle_; }
  // The workload operations and file operations around the point at
  // `position` (file operations after it are left out), one per line.
  std::vector<std::string> ContextLines(uint64_t position, bool after_ack = false) const;
  // Crash points handed out so far.
  uint64_t crash_points() const { return crash_points_; }

 private:
  static constexpr size_t kRecentOps = 8;

  Status RunOp(const Operation& op, std::vector<Violation>* violations);
  Status RunWrite(const Operation& op);
  Status Reopen(std::vector<Violation>* violations);
  Status CrashStep(const Operation& op, std::vector<Violation>* violations);
  // A `fault` step: adds its rule to fs_ (a bitflip damages data at once).
  Status AddFault(const Operation& op);
  // Opens a new adapter on fs_ and checks what it recovered; false (with a
  // violation) if it could not.
  Result<bool> RecoverMainLine(bool lossless, std::vector<Violation>* violations);
  void Watch(faultfs::SimFs* fs);
  void OnFileOp(const faultfs::OpRecord& op);
  void Visit(const faultfs::SimFs& fs, uint64_t position, bool after_ack = false);
  // After an operation returned: a point of its own if it made more writes
  // durable than the history knew at the last point.
  void VisitAfterAck();
  void FinishPoints();

  Config config_;
  CrashPointHandler handler_;
  Oracle oracle_;
  std::unique_ptr<faultfs::SimFs> fs_;
  std::unique_ptr<EngineAdapter> engine_;
  // CrashPoints::kSync: the state after the last operation, if it was not a
  // persistence point and has not been visited.
  std::unique_ptr<faultfs::SimFs> before_sync_;
  uint32_t depth_ = 1;
  bool lossless_so_far_ = true;
  bool started_ = false;  // the new database is open; op_index_ means something
  bool stopped_ = false;
  Status handler_error_;
  uint64_t crash_points_ = 0;
  uint64_t durable_prefix_at_last_point_ = 0;
  size_t op_index_ = 0;                               // the workload operation in progress
  std::array<faultfs::OpRecord, kRecentOps> recent_;  // ring, by position
  uint64_t recent_count_ = 0;
};

// A violation not about one key (or about `key`), with its explanation.
Violation MakeViolation(Guarantee guarantee, std::string explanation, std::string key = "");

// A 64-bit hash of `text` (FNV-1a), for deriving seeds.
uint64_t HashText(std::string_view text);
// Mixes two seeds into one (SplitMix64 of their combination).
uint64_t MixSeed(uint64_t a, uint64_t b);

}  // namespace powercut::harness::explorer_internal
