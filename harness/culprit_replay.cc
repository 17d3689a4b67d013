// AnalyzeCulprits (see culprit.h): culprit analysis of a repro. The failing
// state and every counterfactual one are checked by ReplayCrashPath, exactly
// as `powercut replay` checks a repro, so a counterfactual "passes" when the
// replayed recovery breaks no guarantee at all.
#include <string>

#include "culprit.h"
#include "culprit_trace.h"

namespace powercut::harness {
namespace {

// The fault rules the workload injects: its `fault RULE` operations.
std::vector<std::string> WorkloadFaults(const Workload& workload) {
  std::vector<std::string> faults;
  for (const Operation& op : workload.ops) {
    std::string line = op.ToString();
    if (line.starts_with("fault ")) faults.push_back(line.substr(6));
  }
  return faults;
}

bool WorkloadCrashes(const Workload& workload) {
  for (const Operation& op : workload.ops) {
    if (op.type == OpType::kCrash) return true;
  }
  return false;
}

ReplayOptions ReplayOptionsOf(const Repro& repro) {
  return {.seed = repro.seed,
          .crash_points = repro.crash_points,
          .after_ack = repro.crash_after_ack,
          .check_durable_recovery = repro.check_durable_recovery,
          .profile = repro.profile};
}

CulpritEvidence EvidenceOf(const Repro& repro, const ReplayVerdict& verdict) {
  CulpritEvidence evidence;
  evidence.fates = verdict.fates;
  evidence.guarantee = repro.expected_guarantee;
  evidence.underlying = repro.expected_underlying;
  evidence.faults = WorkloadFaults(repro.workload);
  evidence.main_line = repro.crash_path.empty();
  evidence.workload_crashes = WorkloadCrashes(repro.workload);
  evidence.crash_depth = static_cast<uint32_t>(repro.crash_path.size());
  if (!repro.crash_path.empty()) evidence.model = repro.crash_path.back().model;
  return evidence;
}

// Whether the search applies: one power-loss-family crash.
bool Searchable(const Repro& repro) {
  return repro.crash_path.size() == 1 &&
         repro.crash_path.front().model.kind != faultfs::CrashModelKind::kProcessKill;
}

}  // namespace

Result<CulpritReport> AnalyzeCulprits(const Repro& repro, const EngineRegistry& registry,
                                      const CulpritBudget& budget) {
  POWERCUT_ASSIGN_OR_RETURN(auto probe, registry.Create(repro.engine, repro.settings));
  probe.reset();
  const EngineFactory factory = [&registry, name = repro.engine](const EngineSettings& settings) {
    return registry.Create(name, settings);
  };
  const ReplayOptions options = ReplayOptionsOf(repro);
  auto trace = std::make_shared<TraceLog>();
  POWERCUT_ASSIGN_OR_RETURN(ReplayVerdict verdict,
                            ReplayCrashPath(repro.workload, TracingFactory(factory, trace),
                                            repro.settings, repro.crash_path, options));
  CulpritReport report;
  if (!verdict.reached || verdict.violations.empty()) {
    report.explanation = "the repro no longer fails, so there is nothing to explain";
    return report;
  }
  CulpritEvidence evidence = EvidenceOf(repro, verdict);
  evidence.trace =
      trace->UpTo(repro.crash_path.empty() ? UINT64_MAX : repro.crash_path.front().position);
  if (!repro.crash_path.empty()) {
    evidence.recovery_trace = trace->After(repro.crash_path.front().position);
  }
  evidence.crash_inside_recovery =
      !repro.crash_path.empty() && trace->InsideRecovery(repro.crash_path.front().position);
  if (Searchable(repro)) {
    CrashStateCheck passes = [&](const faultfs::CrashStateId& candidate) -> Result<bool> {
      POWERCUT_ASSIGN_OR_RETURN(
          ReplayVerdict counterfactual,
          ReplayCrashPath(repro.workload, factory, repro.settings, {candidate}, options));
      return counterfactual.reached && counterfactual.violations.empty();
    };
    POWERCUT_ASSIGN_OR_RETURN(CulpritSearch search, SearchCulprits(repro.crash_path.front(),
                                                                   verdict.fates, passes, budget));
    report.states_tried = search.states_tried;
    if (search.found) {
      report.found = true;
      report.by_dropping = search.by_dropping;
      report.passing_state = search.passing_state.ToString();
      evidence.culprits = search.culprits;
      evidence.culprits_by_dropping = search.by_dropping;
      for (size_t index : search.culprits) report.culprits.push_back(verdict.fates[index]);
    }
  }
  const ClassSuggestion suggestion = SuggestBugClass(evidence);
  report.explanation = ExplainCulprits(evidence);
  report.suggested_class = suggestion.bug_class;
  report.suggested_class_name = suggestion.class_name;
  report.reason = suggestion.reason;
  return report;
}

}  // namespace powercut::harness
