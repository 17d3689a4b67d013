// The crash explorer: the heart of powercut. It runs a workload against an
// engine on a simulated file system (SimFs), and at every crash point builds
// the crash states of each crash model, recovers a *fresh* engine on each, and
// asks the history oracle whether the recovered state is one the guarantees
// allow (DESIGN.md, "Guarantees the harness checks"). Failures come back with
// everything a report or a repro file needs: the violation, the crash path
// (the crash-state ids, outer first), what became of each pending file
// operation, and the operations around the crash point.
//
// Method.
//   The main line. The workload runs once, in order, on one SimFs through
//   one adapter, and every operation is recorded in an Oracle (BeginWrite
//   before the adapter's Write, EndWrite after; flush, read, scan; `reopen`
//   is Close + Open + check + RecordRecovery; a `crash` step cuts the power
//   under its model, recovers a new adapter on the crash state, checks it
//   and records the recovery, and the workload carries on: multi-crash in
//   the main line). SimFs positions keep counting across main-line crashes,
//   so a position names one point of the main line.
//   Crash points. SimFs calls an observer after every file operation, inside
//   the engine's call stack. With CrashPoints::kAll every operation is a
//   crash point. With CrashPoints::kSync the crash points are each
//   persistence point (Sync, DataSync, SyncDir, SyncAll), the operation just
//   before each persistence point (the state with the most pending work),
//   and the last operation of the run. In both modes, when a workload
//   operation returns having made more writes durable (a synced write's
//   ack, a flush), the moment right after it is a point of its own
//   (`after_ack`): the same file state as its last file operation, with the
//   acknowledgement now in the history; an engine that acks before its
//   fsync is caught there. Points inside main-line reopens and inside the
//   recovery after a `crash` step are crash points too; the latter are
//   checked as crashes inside recovery (crash_depth 2).
//   One crash state. At a point, for each model, the SimFs enumerates up to
//   max_states crash states (all of them when they fit: `exhaustive`). Each
//   state is checked inline, still inside the observer, on a separate SimFs
//   and adapter (nothing is shared with the running engine): Crash(id) ->
//   fresh adapter -> Open (a failure to open is a `recovers` violation) ->
//   Scan -> Oracle::Check (lossless under process-kill). Then, with
//   check_durable_recovery, the recovered SimFs loses power at once, a third
//   adapter recovers, and the two states must be equal (guarantee 4).
//   Crash states with byte-identical trees recover alike (the engine is a
//   deterministic function of its files), so each distinct image is
//   recovered once per thread and its outcome reused: a power-loss state
//   changes only at a sync (see RecoveryCache, explorer_crash_checker.h).
//   Crashes inside recovery. With max_crash_depth >= 2, while the fresh
//   adapter recovers, every file operation of that recovery is itself a crash
//   point (models: power-loss and the outer model, inner_max_states each);
//   each inner state is recovered and checked against the same history with
//   crash_depth 2 (violations read crash-safe-recovery). Depth 3 nests once
//   more.
//   Determinism. Enumeration is seeded from (seed, scenario name, model); no
//   wall clock or thread timing enters a decision. The crash states of a run
//   are numbered in the order they are met (the *ordinal*); a shard takes the
//   ordinals i with i % shard.count == shard.index, and thread t of N takes
//   those with (i / shard.count) % N == t. Every thread runs the whole
//   (cheap) main line and checks only its states; results are merged by
//   ordinal, so the same inputs give the same result on any machine and any
//   thread count.
//
// Replay. ReplayCrashPath runs the same main line and crashes exactly at the
// path's ids (the inner ids inside the recovery of the outer one): the basis
// of repro files (repro.h) and of the shrinker (shrink.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_adapter.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "powercut/status.h"
#include "scenario.h"
#include "violation.h"
#include "workload.h"

namespace powercut::harness {

// The directory of SimFs the database lives in during exploration.
inline constexpr std::string_view kExploreDbDir = "/db";

// One slice of the crash-state space (`--shard i/n`, see the method above).
struct Shard {
  uint32_t index = 0;  // 0-based: 0 .. count-1
  uint32_t count = 1;  // >= 1

  // Parses "i/n" with 1 <= i <= n, the 1-based form CI job matrices use
  // ("1/4" is index 0 of 4). InvalidArgument otherwise.
  static Result<Shard> Parse(std::string_view text);
  // The 1-based "i/n" form that Parse accepts.
  std::string ToString() const;
  // Whether the crash state numbered `ordinal` belongs to this shard.
  bool Owns(uint64_t ordinal) const { return ordinal % count == index; }
};

// Reported now and then while exploring (every few hundred states and at the
// end). Counts are for the whole run so far, over every thread.
struct Progress {
  uint64_t crash_points = 0;    // main-line crash points met (by one thread)
  uint64_t states_checked = 0;  // outer crash states checked (this shard, all threads)
  uint64_t failures = 0;        // of those, states that broke a guarantee
  uint64_t position = 0;        // the SimFs position the reporting thread is at
};

struct ExploreOptions {
  // Crash models to explore; empty: the scenario's, or every model if the
  // scenario names none.
  std::vector<faultfs::CrashModel> models;
  // Crash states per crash point and model (all of them if they fit).
  uint64_t max_states = 256;
  // The file-system profile the workload runs on (faultfs/profile.h).
  faultfs::PersistenceProfile profile = faultfs::PersistenceProfile::kStrictPosix;
  // The run's seed: sampling of large state spaces and the crash state of
  // main-line `crash` steps derive from it. Reports print it; replays use it.
  uint64_t seed = 0;
  // Overrides the scenario's crash points.
  std::optional<CrashPoints> crash_points;
  // Overrides the scenario's multi_crash.depth: 1 = no crash inside
  // recovery; 2 = also crash at every file operation of each recovery; 3 =
  // also inside those recoveries.
  std::optional<uint32_t> max_crash_depth;
  // Crash states per inner crash point and model (depth >= 2).
  uint64_t inner_max_states = 4;
  // Guarantee 4 after every successful recovery (also on when the scenario
  // asks for multi_crash.double_recovery).
  bool check_durable_recovery = true;
  // Recover each distinct crash image once per thread and reuse the outcome
  // for every state with the same bytes (exact for engines that are a
  // deterministic function of the files they find, as the adapters are in
  // exploration; turn off for one that is not). Not used where crashes
  // inside recovery are explored.
  bool reuse_identical_images = true;
  Shard shard;
  int threads = 1;  // >= 1
  // Failures kept in the result (the first ones by ordinal); every failing
  // state is still counted in the stats.
  uint64_t max_failures = 100;
  // When set, a failing state is kept as a Failure only if one of its
  // violations passes (that one is reported); every failing state is still
  // counted. The shrinker uses it to look for the same guarantee.
  std::function<bool(const Violation&)> failure_filter;
  // Stop exploring once max_failures are kept (the shrinker's "does it still
  // fail?"). Counts then cover only what was explored and depend on threads.
  bool stop_at_max_failures = false;
  // Called from the exploring threads, one call at a time.
  std::function<void(const Progress&)> on_progress;
};

struct Failure {
  Violation violation;  // crash_state_id and context_ops filled in
  std::string scenario;
  // The outermost crash state (empty model/position 0 for a main-line
  // failure, e.g. a live read that disagreed with the history).
  faultfs::CrashStateId state;
  // Every crash on the path, outer first: {state} for a plain crash, {state,
  // inner} for a crash inside its recovery. Empty for a main-line failure.
  std::vector<faultfs::CrashStateId> crash_path;
  // The crash comes right after a workload operation returned (its
  // acknowledgement recorded), at the position of its last file operation,
  // rather than inside that file operation. Positions alone do not tell the
  // two apart; replays need it.
  bool after_ack = false;
  // What became of each pending operation in `state`.
  std::vector<faultfs::PendingOpFate> fates;
  // The workload operations and the file operations around the crash point,
  // one per line.
  std::string ops_around;
  uint64_t seed = 0;     // ExploreOptions::seed
  uint64_t ordinal = 0;  // the state's number in the run (see the method)
};

struct ModelStats {
  uint64_t crash_points = 0;          // main-line points where the model was enumerated
  uint64_t states_checked = 0;        // outer states checked (this shard)
  uint64_t inner_states_checked = 0;  // states checked inside recoveries (depth >= 2)
  uint64_t violations = 0;            // outer states that broke a guarantee
  bool exhaustive = true;             // every point's states were all visited
};

struct ExploreResult {
  std::map<std::string, ModelStats> per_model;  // by CrashModel::Name()
  std::vector<Failure> failures;                // by ordinal; at most max_failures
  uint64_t crash_points = 0;                    // main-line crash points
  uint64_t states_checked = 0;                  // outer states, every model (this shard)
  uint64_t inner_crash_points = 0;              // file operations inside recoveries crashed at
  uint64_t inner_states_checked = 0;
  uint64_t violations = 0;     // failing outer states + main-line violations
  bool stopped_early = false;  // stop_at_max_failures cut the run short
};

// Explores `workload` (usually scenario.WorkloadForSeed(options.seed)) under
// the scenario's engine settings. Errors are for runs that cannot be made
// (bad options, the engine cannot be created or cannot open a new database);
// guarantee violations are results, not errors.
Result<ExploreResult> Explore(const Scenario& scenario, const Workload& workload,
                              const EngineFactory& engine, const ExploreOptions& options);
// The same, with an engine from EngineRegistry::Default().
Result<ExploreResult> Explore(const Scenario& scenario, const Workload& workload,
                              std::string_view engine_name, const ExploreOptions& options);

// What replaying one crash path found.
struct ReplayVerdict {
  bool reached = false;  // the main line met the path's first position
  // Every violation of the path's final recovery (and of its durable-recovery
  // check), most specific first; for an empty path, the main-line violations.
  std::vector<Violation> violations;
  std::vector<faultfs::PendingOpFate> fates;  // of the outer crash
  std::string ops_around;
};

struct ReplayOptions {
  uint64_t seed = 0;  // the run's seed (main-line `crash` steps depend on it)
  // As explored: with kSync the point before a sync is reached only when the
  // sync comes, and the history is taken as it stands then.
  CrashPoints crash_points = CrashPoints::kAll;
  bool after_ack = false;  // Failure::after_ack
  bool check_durable_recovery = true;
  faultfs::PersistenceProfile profile = faultfs::PersistenceProfile::kStrictPosix;
};

// Runs the main line of `workload` and, at the crash point of crash_path[0]
// (its position; after_ack tells which of the two points there), crashes into
// exactly that state, recovers (crashing at crash_path[1]'s
// position inside that recovery, and so on), and checks the last recovery as
// Explore would. An empty path replays the main line alone. InvalidArgument
// if an id does not fit the state at its position.
Result<ReplayVerdict> ReplayCrashPath(const Workload& workload, const EngineFactory& engine,
                                      const EngineSettings& settings,
                                      const std::vector<faultfs::CrashStateId>& crash_path,
                                      const ReplayOptions& options);

}  // namespace powercut::harness
