// The explorer's per-state check (private to the explorer, see explorer.h):
// crash a SimFs into one crash state, recover a fresh engine on it, and ask
// the oracle about what it serves; then cut the power right after that
// recovery and recover once more (guarantee 4). Below the maximum crash
// depth, every file operation of the recovery is itself a crash point whose
// states are checked the same way, one level deeper (guarantee 6).
//
// Everything here works on SimFs instances and adapters of its own: the
// checker may run inside the main line's observer, in the middle of the
// main-line engine's call, without touching that engine or its SimFs beyond
// the const Crash/Enumerate calls SimFs allows from an observer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine_adapter.h"
#include "oracle.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "violation.h"

namespace powercut::harness::explorer_internal {

// A violation and the crash path (outer crash first) that led to it.
struct PathViolation {
  std::vector<faultfs::CrashStateId> path;
  Violation violation;
};

struct CheckerConfig {
  const EngineFactory* engine = nullptr;
  EngineSettings settings;
  uint32_t max_depth = 1;  // crashes on one path, at most
  uint64_t inner_max_states = 4;
  bool check_durable_recovery = true;
  // Recover each distinct crash image once (see RecoveryCache below).
  bool reuse_identical_images = true;
  uint64_t seed = 0;
};

struct CheckerCounters {
  uint64_t inner_points = 0;  // file operations of recoveries crashed at
  uint64_t inner_states = 0;  // crash states checked there
  uint64_t recoveries = 0;    // engine recoveries actually run (cache misses)
};

// What recovering one crash image gives, independent of the history: the
// state the engine served (or why it served none) and, for guarantee 4, the
// state served after a power cut right after that recovery.
struct RecoveryOutcome {
  std::optional<KvState> state;
  std::string failure;  // when !state: "the database failed to open: ..."
  // When !state: the engine refused with Corruption on a file system whose
  // durable data a `fault bitflip` step had damaged. That is the right
  // answer to real damage, not a violation (see DamageReported).
  bool reported_damage = false;
  bool after_cut_checked = false;
  std::optional<KvState> after_cut;
  std::string after_cut_failure;  // when checked and !after_cut
  size_t ApproximateBytes() const;
};

// Outcomes by crash image. The engine is a deterministic function of the
// bytes it finds (the explorer runs engines in their deterministic mode), so
// two crash states with the same durable and visible trees recover alike:
// neighbouring crash points share most of their states (a power-loss state
// changes only at a sync), and recovering each image once leaves a state
// costing Crash + SimFs::Digest + Check. Only used where no crash inside the
// recovery is explored (the inner crash ids depend on positions).
class RecoveryCache {
 public:
  using Key = faultfs::ContentDigest;  // SimFs::Digest(): two 64-bit hashes
  const RecoveryOutcome* Find(const Key& key) const;
  // Keeps `outcome`; forgets everything first when over the memory budget.
  const RecoveryOutcome& Insert(const Key& key, RecoveryOutcome outcome);

 private:
  struct KeyHash {
    size_t operator()(const Key& key) const { return key.a; }
  };
  static constexpr size_t kBudgetBytes = 64 << 20;
  std::unordered_map<Key, RecoveryOutcome, KeyHash> outcomes_;
  size_t bytes_ = 0;
};

class CrashChecker {
 public:
  // REQUIRES: config.engine and `oracle` outlive the checker.
  CrashChecker(CheckerConfig config, const Oracle* oracle);

  // Crashes `fs` into `id` (a crash at depth `depth` of its path), recovers,
  // checks, and below max_depth explores every crash point of the recovery.
  // Appends what broke to `out`: this path's own violations first, then
  // those of the inner paths. Errors: `id` does not fit `fs`, or the engine
  // cannot be created.
  Status Explore(const faultfs::SimFs& fs, const faultfs::CrashStateId& id, uint32_t depth,
                 bool lossless_so_far, std::vector<PathViolation>* out);

  // Follows `path` exactly: path[0] is a state of `fs`, path[i+1] a state
  // met inside the recovery from path[i]. Checks only the last recovery.
  // Sets *reached to false if an inner position never came.
  Status Replay(const faultfs::SimFs& fs, std::span<const faultfs::CrashStateId> path,
                uint32_t depth, bool lossless_so_far, std::vector<Violation>* out, bool* reached);

  const CheckerCounters& counters() const { return counters_; }

 private:
  // Recovers a fresh engine on `crashed` (calling `observer` after each of
  // the recovery's file operations), then, with `cut_after`, cuts the power
  // at once and recovers again (guarantee 4).
  Result<RecoveryOutcome> Recover(faultfs::SimFs* crashed, const faultfs::SimFs::Observer& observer,
                                  bool cut_after);
  // The oracle's verdict on `outcome`, then guarantee 4 if it passed.
  void Judge(const RecoveryOutcome& outcome, uint32_t depth, bool lossless,
             std::vector<Violation>* out) const;
  // The inner crash points: every state of the inner models at `op`.
  void ExploreInner(const faultfs::SimFs& crashed, const faultfs::OpRecord& op,
                    const faultfs::CrashModel& outer_model, uint32_t depth, bool lossless,
                    std::vector<PathViolation>* out);

  // How well the cache serves one crash model. Where its images rarely
  // repeat (e.g. power-loss states at sync points only), the fingerprint
  // is pure cost: after kTrial lookups with under one hit in eight, the
  // model stops using the cache. Verdicts are the same either way.
  struct CacheUse {
    static constexpr uint64_t kTrial = 64;
    uint64_t lookups = 0, hits = 0;
    bool worthwhile() const { return lookups < kTrial || hits * 8 >= lookups; }
  };

  CheckerConfig config_;
  const Oracle* oracle_;
  CheckerCounters counters_;
  RecoveryCache cache_;
  std::array<CacheUse, 8> cache_use_{};      // by CrashModelKind
  std::vector<faultfs::CrashStateId> path_;  // the path being explored
  Status inner_error_;                       // the first error met inside an observer
};

// Whether a `fault bitflip` step damaged durable data of `fs` (crash states
// and clones keep the log of fired faults).
bool MediaDamaged(const faultfs::SimFs& fs);
// Whether a failed fsync on `fs` threw dirty pages away (an fsync-eio rule
// with the drop or clean-but-visible profile fired): acknowledged but
// unsynced writes may then be gone without any crash, so not even a
// process-kill or a clean reopen is lossless any more.
bool PageCacheDropped(const faultfs::SimFs& fs);
// PageCacheDropped or MediaDamaged: a process-kill state or a clean reopen
// may then lack acknowledged writes without the engine being wrong (a
// damaged unsynced record is cut like a torn one), so neither is checked as
// lossless; synced writes must still survive or the damage be reported.
bool DataLostWithoutCrash(const faultfs::SimFs& fs);
// Whether `status` is the engine reporting real damage: Corruption, on a file
// system MediaDamaged. Such a refusal is the correct behaviour (an engine
// that serves a hole or drops acknowledged writes instead is caught by the
// oracle); docs/harness.md, "Fault operations".
bool DamageReported(const faultfs::SimFs& fs, const Status& status);

// A violation of a state reached through a crash inside recovery (depth >= 2)
// reads crash-safe-recovery, with the rule it broke as `underlying`.
Violation AtDepth(Violation violation, uint32_t depth);

}  // namespace powercut::harness::explorer_internal
