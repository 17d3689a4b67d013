// Repro files: one failure, saved so that `powercut replay FILE` runs it
// again exactly, on any machine. A repro names the engine and its settings,
// the (shrunk) workload inline, the seed, the crash models the run explored,
// the crash path (the crash-state ids, outer crash first) and the violation
// it is expected to reproduce. Replaying runs the workload's main line,
// crashes at the first id's position into exactly that state (and at the
// inner ids' positions inside the recoveries that follow), recovers, checks,
// and says whether the same violation (guarantee and key) came back.
//
// Format (text, one `key = value` per line; '#' starts a comment line;
// unknown keys are errors; `op` lines keep their order):
//
//   # powercut repro
//   format = powercut-repro-1          required, first setting
//   engine = reference                 an EngineRegistry name
//   scenario = sync-writes             where the failure was found
//   seed = 7                           the run's seed (main-line crash steps)
//   models = power-loss, torn-512-zeros    explored when it was found
//   profile = strict-posix             the file-system profile (faultfs/profile.h);
//                                      optional, strict-posix when absent
//   check_durable_recovery = true
//   crash_points = all                 all | sync: as explored (see explorer.h)
//   crash_path = prefix@26:3 > power-loss@31   empty for a main-line failure
//   crash_after_ack = false            true: the crash comes right after the
//                                      workload operation returned (Failure::after_ack)
//   expect.guarantee = acknowledged-durable
//   expect.underlying = recovers       only for crash-safe-recovery
//   expect.key = k003                  empty when not about one key
//   expect.text = acknowledged-durable: key k003: ...   (informational)
//   engine.write_buffer_bytes = 65536  optional EngineSettings
//   engine.block_bytes = 4096
//   engine.wal_recovery_mode = tolerate-torn-tail
//   engine.mutant = ack-before-wal-fsync   the reference engine's mutant, if any
//   op = put k003 size=64 sync         the workload, in order (workload_spec.h)
//   op = batch {put k1 size=8; delete k2}
//   op = flush
//
// docs/harness.md describes it for users.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_adapter.h"
#include "explorer.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/status.h"
#include "violation.h"
#include "workload.h"

namespace powercut::harness {

inline constexpr std::string_view kReproFormat = "powercut-repro-1";

struct Repro {
  std::string engine;
  std::string scenario;
  EngineSettings settings;
  uint64_t seed = 0;
  std::vector<faultfs::CrashModel> models;
  // The file-system profile explored (absent in older files: strict-posix).
  faultfs::PersistenceProfile profile = faultfs::PersistenceProfile::kStrictPosix;
  bool check_durable_recovery = true;
  CrashPoints crash_points = CrashPoints::kAll;
  std::vector<faultfs::CrashStateId> crash_path;
  bool crash_after_ack = false;
  Guarantee expected_guarantee = Guarantee::kAcknowledgedDurable;
  std::optional<Guarantee> expected_underlying;
  std::string expected_key;
  std::string expected_text;  // the violation's first line, for people
  Workload workload;

  std::string ToText() const;
  // `source` names the text in error messages ("file:line: ...").
  static Result<Repro> Parse(std::string_view text, std::string_view source);
};

// The repro of `failure`, found by exploring `workload` with `engine`.
Repro MakeRepro(const Failure& failure, std::string_view engine, const Scenario& scenario,
                const Workload& workload, const ExploreOptions& options);

Status WriteReproFile(const std::string& path, const Repro& repro);
Result<Repro> LoadReproFile(const std::string& path);

struct ReplayReport {
  bool reproduced = false;            // a violation with the expected guarantee and key came back
  bool reached = false;               // the main line met every position of the crash path
  std::vector<Violation> violations;  // everything the replayed recovery broke
  std::vector<faultfs::PendingOpFate> fates;
  std::string ops_around;
};

// Replays `repro` with the engine named in it, from `registry`.
Result<ReplayReport> ReplayRepro(const Repro& repro,
                                 const EngineRegistry& registry = EngineRegistry::Default());
Result<ReplayReport> ReplayReproFile(const std::string& path);

// Whether `violation` is the one a repro expects.
bool MatchesExpected(const Repro& repro, const Violation& violation);

// "acknowledged-durable" -> Guarantee; nullopt for an unknown name.
std::optional<Guarantee> ParseGuarantee(std::string_view name);

}  // namespace powercut::harness
