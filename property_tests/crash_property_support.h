// Shared machinery of the crash properties (property_tests/*_test.cc): a
// rapidcheck generator of small workloads, a runner that plays a workload on
// SimFs through the reference engine while recording it in the harness
// Oracle, and "crash somewhere in here": run a piece of code once to count its
// file operations, let rapidcheck pick one, run it again on an identical file
// system and, at that operation, take one crash state of every crash model.
//
// Method. Everything below is deterministic for a given rapidcheck input: the
// engine runs in deterministic mode (no background threads), SimFs has no
// clock, and every choice (the workload, the crash point, the crash-state
// seed) is drawn from rapidcheck, so the reproduce string rapidcheck prints on
// failure replays the case exactly and shrinking works on all of it. A crash
// point is counted in SimFs positions, relative to where the code under test
// started; counting first (on a clone) and then replaying is what lets a
// generator choose a point inside code whose length it cannot know in advance.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine_adapter.h"
#include "oracle.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "workload.h"

namespace powercut::harness {
// rapidcheck prints generated workloads with this (found by ADL): one
// operation per line, as in a scenario trace.
void showValue(const Workload& workload, std::ostream& os);
void showValue(const EngineSettings& settings, std::ostream& os);
}  // namespace powercut::harness

namespace powercut::property {

using faultfs::CrashModel;
using faultfs::CrashStateId;
using faultfs::SimFs;
using harness::EngineAdapter;
using harness::EngineSettings;
using harness::KvState;
using harness::Oracle;
using harness::Workload;

// Where the database lives on every SimFs of the properties.
inline constexpr std::string_view kDbDir = "/db";

// Small workloads of puts, deletes and batches over a few keys, with sync
// flags, explicit flushes and value sizes from a tag to two WAL blocks.
// At most `max_ops` operations (rapidcheck's size scales it down further).
rc::Gen<Workload> GenWorkload(int max_ops);
// Engine settings that make the engine flush on its own now and then.
rc::Gen<EngineSettings> GenEngineSettings();

// A workload split in two: `first` runs before a crash and `second` after
// the recovery. Write numbers and values run on across both halves.
struct TwoPhaseWorkload {
  Workload first;
  Workload second;
};
rc::Gen<TwoPhaseWorkload> GenTwoPhaseWorkload(int max_ops_per_phase);
void showValue(const TwoPhaseWorkload& workload, std::ostream& os);

// A fresh reference-engine adapter with `settings`. Fails the property if the
// engine is not registered.
std::unique_ptr<EngineAdapter> MakeEngine(const EngineSettings& settings);

// Plays operations on an open engine, recording each in `oracle`: writes as
// BeginWrite/EndWrite, flushes as RecordFlush, reads as RecordRead. Stops at
// the first engine error or live-read violation and says which operation.
Status PlayOps(const Workload& workload, EngineAdapter& engine, Oracle& oracle);

// One crash state and the history it must be judged against.
struct CrashImage {
  CrashStateId id;
  std::unique_ptr<SimFs> fs;
};
struct CrashSnapshot {
  Oracle oracle;                   // the history at the crash point
  faultfs::OpRecord op;            // the file operation the crash came after
  std::vector<CrashImage> images;  // one per model asked for
};

// One run of the code a crash is placed in: the file system it runs on and
// the history it records into (a copy of the caller's oracle).
struct CrashRun {
  SimFs& fs;
  Oracle& oracle;
  uint64_t window_start = 0;  // crash points are the operations after this position

  // Crash points are drawn only among the operations from here on (by
  // default, among all of the body's operations).
  void StartCrashWindow() { window_start = fs.position(); }
};
// The code a crash is placed in. It must be deterministic: it runs twice.
using CrashBody = std::function<Status(CrashRun& run)>;

// Runs `body` on a clone of `fs` to count the file operations in its crash
// window, draws one of them with rapidcheck (discarding the case if there
// are none), then runs `body` on `fs` itself and, right after that
// operation, takes one crash state of each of `models`, drawn with a
// rapidcheck-chosen enumeration seed. Fails the property if `body` fails.
CrashSnapshot CrashSomewhereIn(SimFs& fs, const Oracle& oracle, const CrashBody& body,
                               const std::vector<CrashModel>& models);

// The workload body of most properties: open a new database on the run's
// file system, play `workload`, close it.
Status RunWorkload(CrashRun& run, const Workload& workload, const EngineSettings& settings);

// Opens an engine on `fs` (recovery) and scans it. On success, `engine`
// holds the open engine if non-null (else it is closed).
Result<KvState> Recover(SimFs& fs, const EngineSettings& settings,
                        std::unique_ptr<EngineAdapter>* engine = nullptr);

// Fails the property, printing what the case was, unless `result` is ok.
void AssertAccepted(const harness::CheckResult& result, const std::string& what);
// Fails the property with the recovery error of `what`.
[[noreturn]] void FailRecovery(const Status& status, const std::string& what);

// The crash model chosen with rapidcheck, among every model.
rc::Gen<CrashModel> GenCrashModel();
// "torn-512-zeros state torn-512-zeros@14:3 after write /db/000003.log @0 +37".
std::string DescribeImage(const CrashImage& image, const faultfs::OpRecord& op);

}  // namespace powercut::property
