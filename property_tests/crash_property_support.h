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

// The engine under test: "reference", or the registry name in the
// environment variable POWERCUT_PROPERTY_ENGINE — e.g. a canary such as
// broken-ack-before-fsync, which the properties must catch (test the tester).
std::string EngineName();
// A fresh adapter of EngineName() with `settings`. Fails the property if the
// engine is not registered.
std::unique_ptr<EngineAdapter> MakeEngine(const EngineSettings& settings);

// One crash state and the history it must be judged against.
struct CrashImage {
  CrashStateId id;
  std::unique_ptr<SimFs> fs;
};
struct CrashSnapshot {
  Oracle oracle;                   // the history at the crash point
  std::string point;               // "right after write /db/000003.log @0 +37"
  std::string point_kind;          // "write", "sync", ..., "ack": for RC_TAG
  std::vector<CrashImage> images;  // one per model asked for
};

// One run of the code a crash is placed in: the file system it runs on, the
// history it records into (a copy of the caller's oracle), and its crash
// points, numbered 1, 2, ... in order: every file operation of `fs`, and
// every acknowledgement the body announces with AfterAck.
class CrashRun {
 public:
  CrashRun(SimFs& fs, Oracle& oracle) : fs(fs), oracle(oracle) {}

  SimFs& fs;
  Oracle& oracle;

  // Crash points are drawn only among those from here on (by default, among
  // all of the body's crash points).
  void StartCrashWindow() { window_start_ = points_; }
  // A crash point right after `op` returned and its outcome was recorded:
  // the crash finds it acknowledged, not in flight (where a bug that
  // acknowledges before it syncs shows even when no file operation follows).
  void AfterAck(const harness::Operation& op);

 private:
  friend CrashSnapshot CrashSomewhereIn(SimFs&, const Oracle&,
                                        const std::function<Status(CrashRun&)>&,
                                        const std::vector<CrashModel>&);
  void Point(std::string description, std::string_view kind);

  uint64_t points_ = 0;
  uint64_t window_start_ = 0;
  uint64_t crash_at_ = 0;  // 0: count only
  std::function<void(std::string description, std::string_view kind)> on_crash_;
};
// The code a crash is placed in. It must be deterministic: it runs twice.
using CrashBody = std::function<Status(CrashRun& run)>;

// Runs `body` on a clone of `fs` to count the crash points in its window,
// draws one of them with rapidcheck (discarding the case if there are none),
// then runs `body` on `fs` itself and, at that point, takes one crash state
// of each of `models`, drawn with a rapidcheck-chosen enumeration seed.
// Fails the property if `body` fails.
CrashSnapshot CrashSomewhereIn(SimFs& fs, const Oracle& oracle, const CrashBody& body,
                               const std::vector<CrashModel>& models);

// Plays operations on an open engine, recording each in the run's oracle:
// writes as BeginWrite/EndWrite, flushes as RecordFlush, reads as
// RecordRead; after each write and flush, a crash point (AfterAck). Stops at
// the first engine error or live-read violation and says which operation.
Status PlayOps(const Workload& workload, EngineAdapter& engine, CrashRun& run);

// The workload body of most properties: open a new database on the run's
// file system, play `workload`, close it. The crash window starts after the
// Open unless `open_in_window` (creating the database has a dozen crash
// points of its own, which would otherwise take most of the draws).
Status RunWorkload(CrashRun& run, const Workload& workload, const EngineSettings& settings,
                   bool open_in_window);
// Whether the database creation is in the crash window: one case in four.
rc::Gen<bool> GenOpenInCrashWindow();

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
// "crash state torn-512-zeros@14:3 (right after write /db/000003.log @0 +37)".
std::string DescribeImage(const CrashImage& image, const CrashSnapshot& snapshot);

}  // namespace powercut::property
