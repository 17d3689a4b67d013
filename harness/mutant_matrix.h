// The mutant matrix: the proof that the harness sees. It runs the ordinary
// crash-test matrix (every scenario file x its crash models x the seeds, as
// `powercut run` does) once on the correct reference engine, which must come
// out clean, and once per mutant (engine/include/powercut/engine/mutant.h),
// each of which must be caught. For a caught mutant it shrinks the first
// failure (shrink.h), turns it into a repro (repro.h) and asks culprit
// analysis (culprit.h) which bug class the evidence points to, so the table
// shows whether the harness also *names* the bug right.
//
// Order. Scenarios smallest first: by the number of operations of their
// workload for the first seed, ties by name (a small workload that catches a
// mutant gives a cheap run and a short repro); then seeds ascending, then the scenario's crash
// models in CrashModel::All() order (kinds in enum order); each (scenario, seed, model) is one
// exploration that stops at its first failure. The first failing one
// catches the mutant: its scenario, seed and model go in the table, and
// `states_until_caught` sums the states checked by every exploration up to
// and including it (with threads > 1 the catching exploration's own count
// can vary slightly from run to run; nothing else does).
//
// Thread-safety: RunMutantMatrix uses `threads` exploring threads inside each
// exploration; the call itself is not meant to run concurrently with another.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "explorer.h"
#include "repro.h"
#include "scenario.h"

namespace powercut::harness {

struct MutantMatrixOptions {
  std::vector<std::string> mutants;  // mutant names; empty: every mutant
  uint64_t first_seed = 1;
  uint64_t seed_count = 1;  // seeds first_seed .. first_seed + seed_count - 1
  uint64_t max_states = 16;
  int threads = 1;
  uint64_t shrink_runs = 100;  // explorations the shrinker may spend per mutant
  // Repros above this many operations fail the matrix (the bound).
  uint64_t max_repro_ops = 12;
  // Called with one line of progress at a time ("baseline: sync-writes seed 1").
  std::function<void(const std::string& line)> on_progress;
};

// The correct engine's run of the matrix.
struct BaselineResult {
  uint64_t runs = 0;
  uint64_t states_checked = 0;
  uint64_t violations = 0;
  std::vector<std::string> failures;  // "scenario seed N model M: <violation>"
  std::vector<std::string> errors;    // runs that could not be made
  bool clean() const { return violations == 0 && errors.empty(); }
};

// One mutant's row of the table.
struct MutantRow {
  std::string mutant;      // "ack-before-wal-fsync"
  std::string bug_class;   // "C01"
  std::string class_name;  // "ack before durable"
  bool caught = false;
  std::string scenario;  // where it was caught (when caught)
  uint64_t seed = 0;
  std::string model;                 // the failing crash state's model ("" for a main-line failure)
  uint64_t states_until_caught = 0;  // or, when not caught, every state checked
  std::string guarantee;             // GuaranteeName of the (shrunk) violation
  std::string violation;             // its text
  // The shrunk failure: its repro (workload, crash path, settings) and what
  // became of each pending operation in its crash state.
  Repro repro;
  std::vector<faultfs::PendingOpFate> fates;
  std::string ops_around;
  size_t repro_ops = 0;  // repro.workload.ops.size()
  // The same repro replayed on the correct engine does not break the
  // guarantee: the failure is the mutant's, not a false alarm of the harness.
  bool correct_engine_passes = false;
  uint64_t shrink_runs = 0;
  // Culprit analysis of the shrunk repro (empty class when it found none).
  std::string suggested_class;
  std::string suggested_class_name;
  std::string culprit_text;  // FormatCulpritReport
  bool class_match = false;  // suggested_class == bug_class
  std::string error;         // a step that could not be made (exploration, shrink, culprits)
};

struct MutantMatrixResult {
  BaselineResult baseline;
  std::vector<MutantRow> rows;  // in the order of MutantMatrixOptions::mutants / AllMutants()
  uint64_t max_repro_ops = 12;

  uint64_t caught() const;
  uint64_t matched() const;  // rows whose suggested class is the mutant's class
  // true class -> suggested class ("" for none) -> count, over caught rows.
  std::map<std::string, std::map<std::string, uint64_t>> Confusion() const;
  // The verdict: the baseline is clean, every mutant is caught with a repro
  // of at most max_repro_ops operations that the correct engine passes, and
  // no step failed.
  bool ok() const;
  // Why ok() is false, one reason per line ("" when ok).
  std::string Problems() const;
};

// Runs the matrix of `scenarios` on the reference engine: the baseline, then
// each mutant. InvalidArgument for an unknown mutant name (listing the valid
// ones) or an empty scenario list; every other problem is in the result.
Result<MutantMatrixResult> RunMutantMatrix(const std::vector<Scenario>& scenarios,
                                           const MutantMatrixOptions& options);

// `scenarios` in the order the mutant runs use (see the file comment).
std::vector<Scenario> ScenariosInMatrixOrder(std::vector<Scenario> scenarios, uint64_t seed);

// A scenario's crash models in CrashModel::All() order (kinds in enum order,
// stable): its own list, or every model when it names none.
std::vector<faultfs::CrashModel> ModelsInMatrixOrder(const Scenario& scenario);

}  // namespace powercut::harness
