// What `powercut run` does with the failures the explorer found: each kept
// failure becomes a FailureRecord of the report and is printed at once as one
// line plus its repro command. The first failure of each (scenario, seed,
// model) is shrunk to a minimal workload and saved as a repro file under the
// repro directory (harness/repro.h), so `powercut replay FILE` reruns exactly
// that crash; the others keep a command that reruns their whole run. Each
// saved repro gets a culprit analysis (harness/culprit.h): the operations to
// blame and the suggested bug class, in the report and printed with the
// failure (a smaller search budget when the repro is not shrunk).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <tuple>

#include "explorer.h"
#include "powercut/status.h"
#include "reports.h"
#include "scenario.h"
#include "workload.h"

namespace powercut::cli {

// Failures each (scenario, seed) run keeps in detail (the rest are counted).
inline constexpr uint64_t kFailuresKeptPerRun = 10;
// Failures the whole report keeps in detail.
inline constexpr size_t kFailureRecordsMax = 50;

class FailureSink {
 public:
  // `shrink_runs`: explorations the shrinker may spend per repro (0: save
  // the failure as found, unshrunk).
  FailureSink(std::string engine, std::string repro_dir, uint64_t shrink_runs);

  // Records, prints and saves the failures of one run (explored with
  // `options`) into `report`.
  void Add(const harness::Scenario& scenario, const harness::Workload& workload,
           const harness::ExploreOptions& options, const harness::ExploreResult& result,
           MatrixReport& report);

 private:
  // Shrinks `failure` and writes its repro file; returns the file's path.
  // Runs culprit analysis on the repro into `culprits`.
  Result<std::string> SaveRepro(const harness::Scenario& scenario,
                                const harness::Workload& workload,
                                const harness::ExploreOptions& options,
                                const harness::Failure& failure, CulpritSummary* culprits);
  FailureRecord MakeRecord(const harness::Scenario& scenario, uint64_t seed,
                           faultfs::PersistenceProfile profile,
                           const harness::Failure& failure) const;

  std::string engine_;
  std::string repro_dir_;
  uint64_t shrink_runs_;
  std::set<std::tuple<std::string, uint64_t, std::string>> saved_;  // (scenario, seed, model)
};

}  // namespace powercut::cli
