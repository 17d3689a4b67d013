// Scenarios: the rows of the crash-test matrix, one TOML file each under
// scenarios/. A scenario names a workload (explicit [[op]] steps, or a
// [generate] table of generator options with seeds), the engine options that
// matter for it, and defaults for exploring it: which crash models, which
// crash points, and how deep multi-crash exploration goes. docs/harness.md
// describes the format with examples; the parser rejects anything it does
// not understand with "file:line:column: what was expected".
//
//   name = "sync-writes"                  # required
//   description = "..."                   # required
//   crash_points = "all"                  # "all" file operations | "sync" only
//   models = ["power-loss", "torn"]        # default: every model
//   [engine]        write_buffer_bytes, block_bytes, wal_recovery_mode, mutant
//   [multi_crash]   depth (1..3), double_recovery (bool)
//   [[op]]          kind = "put" | "delete" | "batch" | "flush" | "read" |
//                   "scan" | "reopen" | "crash" | "fault", with key, value,
//                   value_bytes, sync, mutations, repeat, key_cycle, model,
//                   rule (a faultfs fault rule: "fsync-eio:/db/*.log:1")
//   [generate]      GeneratorOptions fields and seeds = [...]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_adapter.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/status.h"
#include "workload.h"

namespace powercut::harness {

// Where the explorer crashes: after every file operation, or only after the
// persistence points (Sync, DataSync, SyncDir, SyncAll).
enum class CrashPoints : uint8_t { kAll, kSync };

struct MultiCrash {
  // Crashes on one explored path: 1 = crash once and recover; 2 = also crash
  // at every point inside that recovery (guarantee 6); 3 = inside the second.
  uint32_t depth = 1;
  // After each successful recovery, cut the power at once and recover again:
  // the state must be the same (guarantee 4).
  bool double_recovery = false;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source;  // the file it came from (or the name given to the parser)
  EngineSettings engine;
  std::optional<Workload> workload;           // explicit [[op]] steps
  std::optional<GeneratorOptions> generator;  // or [generate] ...
  std::vector<uint64_t> seeds;                // ... with these seeds
  std::vector<faultfs::CrashModel> models;    // empty: every model
  CrashPoints crash_points = CrashPoints::kAll;
  MultiCrash multi_crash;

  // The seeds to run: the generator's, or {0} for an explicit workload.
  std::vector<uint64_t> RunSeeds() const;
  // The workload for `seed`: the explicit one (whatever the seed), or the
  // generated one.
  Result<Workload> WorkloadForSeed(uint64_t seed) const;
};

// `scenario`'s settings with `workload` as its explicit [[op]] steps, as
// TOML that ParseScenario reads back to the same scenario and workload: for
// repro files of shrunk workloads. REQUIRES: workload is Renumbered (writes
// numbered in order), and explicit values are UTF-8.
std::string ScenarioToToml(const Scenario& scenario, const Workload& workload);

// Parses a scenario from `text`; `source` names it in error messages.
Result<Scenario> ParseScenario(std::string_view text, std::string_view source);
// Reads and parses one file (NotFound / IOError if it cannot be read).
Result<Scenario> LoadScenarioFile(const std::string& path);
// Every *.toml file of `dir`, sorted by file name.
Result<std::vector<Scenario>> LoadScenarioDir(const std::string& dir);

}  // namespace powercut::harness
