// Culprit analysis: for a crash state that breaks a guarantee, which file
// operations are to blame, and which class of durability bug (the catalog's
// C01..C18, docs/bugs.md) that points to. The explorer says *that* a state is
// wrong; this says *why*: "the write of /db/000004.log @0 +37 was lost; the
// put it carried had been acknowledged as durable" -> C01 ack before durable.
//
// Method (docs/harness.md, "Culprit analysis").
//   Counterfactual states. A crash state of the power-loss family is a choice
//   of which pending operations land (faultfs/counterfactual.h restates any
//   such state one digit per operation). Changing digits gives states that
//   differ from the failing one only in those operations; each is a real
//   CrashStateId, replayed and checked like any other.
//   The search. Among the lost (dropped or torn) pending operations, find the
//   smallest set S such that the state with S landed in full passes every
//   guarantee: sets of size 1, 2, 3 exhaustively (while the budget allows),
//   then a greedy one-at-a-time reduction of the full set (1-minimal, not
//   necessarily smallest). If landing every lost operation does not help, or
//   nothing was lost, look instead for the smallest set of *landed*
//   operations whose loss makes the state pass (the damage is in what did
//   persist: a torn record, an unlink that came too early). Process-kill and
//   main-line failures lose nothing: no culprit operation exists, and the
//   class comes from the other evidence alone.
//   The class. SuggestBugClass is a pure function of the evidence: the fates
//   and culprits, the guarantee broken, the faults the workload injects, the
//   crash depth and model. Its rules read file roles from names (.log WAL,
//   .sst table, MANIFEST-*, CURRENT, *.dbtmp temp files) and never the
//   engine's mutant setting.
// Thread-safety: the functions are independent; the check callbacks run on
// the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_adapter.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "powercut/status.h"
#include "repro.h"
#include "violation.h"

namespace powercut::harness {

struct CulpritBudget {
  // Counterfactual states checked at most (>= 1).
  uint64_t max_states = 128;
  // Sets of up to this many operations are tried exhaustively, smallest first.
  uint32_t exhaustive_max_size = 3;
};

// Whether a counterfactual crash state passes every guarantee. An error
// stops the search.
using CrashStateCheck = std::function<Result<bool>(const faultfs::CrashStateId& candidate)>;

// What the search found.
struct CulpritSearch {
  bool found = false;
  // false: the culprits are lost operations whose landing makes the state
  // pass; true: landed operations whose loss makes it pass.
  bool by_dropping = false;
  std::vector<size_t> culprits;  // indices into the fates, ascending
  // Smallest for sure: every smaller set was tried (false after the greedy
  // fallback, which finds a set none of whose members can be spared).
  bool proven_smallest = false;
  faultfs::CrashStateId passing_state;  // the counterfactual that passes, when found
  uint64_t states_tried = 0;
};

// The search over the crash state `failing`, whose pending operations fared
// as `fates` (= DescribeCrash(failing)). InvalidArgument if `failing` is not
// a power-loss-family state that fits `fates`, or the budget is zero.
Result<CulpritSearch> SearchCulprits(const faultfs::CrashStateId& failing,
                                     const std::vector<faultfs::PendingOpFate>& fates,
                                     const CrashStateCheck& passes,
                                     const CulpritBudget& budget = {});

// The same, engine-free, over a SimFs at the crash point: `passes` sees each
// counterfactual state rebuilt by at_crash_point.Crash(id).
Result<CulpritSearch> FindCulprits(const faultfs::SimFs& at_crash_point,
                                   const faultfs::CrashStateId& failing,
                                   const std::function<Result<bool>(faultfs::SimFs& state)>& passes,
                                   const CulpritBudget& budget = {});

// Everything the class suggestion looks at.
struct CulpritEvidence {
  std::vector<faultfs::PendingOpFate> fates;  // every pending op at the crash, oldest first
  std::vector<size_t> culprits;               // indices into fates
  bool culprits_by_dropping = false;          // see CulpritSearch::by_dropping
  // File operations before the crash, oldest first (may be empty: then only
  // the pending ones are known).
  std::vector<faultfs::OpRecord> trace;
  // File operations of the recoveries that followed the crash, oldest first
  // (the replayed recovery and the durable-recovery check's): where a
  // durable-recovery violation's cause lives.
  std::vector<faultfs::OpRecord> recovery_trace;
  Guarantee guarantee = Guarantee::kAcknowledgedDurable;
  std::optional<Guarantee> underlying;  // crash-safe-recovery / read-consistency
  std::vector<std::string> faults;      // fault rules the workload injects ("fsync-eio /db/*.log")
  bool main_line = false;               // no crash: a live read or scan disagreed
  bool workload_crashes = false;        // the workload has main-line `crash` steps
  uint32_t crash_depth = 1;             // 2: the crash came inside a recovery's recovery
  // The (outer) crash point lies inside a recovery: an Open that found a
  // database to recover (a main-line reopen, or the recovery after a `crash`).
  bool crash_inside_recovery = false;
  std::optional<faultfs::CrashModel> model;  // of the failing crash state
};

struct ClassSuggestion {
  std::string bug_class;   // "C02"; empty when no rule applies
  std::string class_name;  // "missing directory fsync"
  std::string reason;      // the evidence, one or two sentences
};

// The catalog class the evidence points to (first matching rule; see
// culprit_classes.cc for the table).
ClassSuggestion SuggestBugClass(const CulpritEvidence& evidence);
// "missing directory fsync" for "C02"; empty for an unknown class.
std::string_view BugClassName(std::string_view bug_class);
// One sentence on the culprits: "the write of /db/000004.log @0 +37 was
// lost; ..." (or why there are none).
std::string ExplainCulprits(const CulpritEvidence& evidence);

struct CulpritReport {
  bool found = false;        // a set of ops was found whose persistence makes the state pass
  bool by_dropping = false;  // ... or whose loss makes it pass (see CulpritSearch)
  std::vector<faultfs::PendingOpFate> culprits;  // the smallest such set
  std::string explanation;
  std::string suggested_class;       // "C02", "" if none
  std::string suggested_class_name;  // "missing directory fsync"
  std::string reason;                // why that class (the evidence)
  std::string passing_state;         // the counterfactual crash state that passes, if found
  uint64_t states_tried = 0;
};

// Replays `repro` (which must reproduce), searches its last crash state and
// suggests a class. Errors: the repro cannot be replayed, or an engine error
// during a counterfactual replay.
Result<CulpritReport> AnalyzeCulprits(const Repro& repro,
                                      const EngineRegistry& registry = EngineRegistry::Default(),
                                      const CulpritBudget& budget = {});

// "culprits:" lines for text reports, each indented by `indent`:
//   culprits (3 states tried): lost: write /db/000004.log @0 +37
//   explanation: ...
//   suggested class: C01 ack before durable — <reason>
std::string FormatCulpritReport(const CulpritReport& report, std::string_view indent = "  ");

}  // namespace powercut::harness
