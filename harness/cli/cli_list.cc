// `powercut list [scenarios|models|engines]`: what a run can be made of —
// the scenario files (name and description), the crash models (name and
// what each persists of the pending operations), and the engines compiled
// into this binary. Plain `list` prints all three.
#include <cstdio>

#include "cli.h"
#include "engine_adapter.h"
#include "powercut/faultfs/crash_model.h"

namespace powercut::cli {

namespace {

using faultfs::CrashModel;
using faultfs::CrashModelKind;

std::string_view ModelSummary(CrashModelKind kind) {
  switch (kind) {
    case CrashModelKind::kProcessKill:
      return "every pending operation survives (kill -9)";
    case CrashModelKind::kPowerLoss:
      return "no pending operation survives";
    case CrashModelKind::kPrefix:
      return "a prefix of the pending operations, in issue order";
    case CrashModelKind::kPerFilePrefix:
      return "a prefix of each file's and each directory's operations";
    case CrashModelKind::kReorder:
      return "any subset of the pending operations";
    case CrashModelKind::kTorn:
      return "any subset, and writes land sector by sector, one torn";
    case CrashModelKind::kZeroTail:
      return "sizes persist, appended data reads back as zeros";
  }
  return "";
}

void PrintRow(const std::string& name, std::string_view text) {
  std::printf("  %-24s %.*s\n", name.c_str(), static_cast<int>(text.size()), text.data());
}

int ListScenarios(const std::string& dir) {
  Result<std::vector<harness::Scenario>> scenarios = LoadScenarios(dir, {});
  if (!scenarios.ok()) return InputError("list", scenarios.status());
  std::printf("scenarios (%s):\n", dir.c_str());
  for (const harness::Scenario& s : *scenarios) PrintRow(s.name, s.description);
  return kExitOk;
}

int ListModels() {
  std::printf("models (torn also as torn-{512,4096}-{old,new,zeros,junk}):\n");
  for (const CrashModel& model : CrashModel::All())
    PrintRow(model.Name(), ModelSummary(model.kind));
  return kExitOk;
}

int ListEngines() {
  std::printf("engines:\n");
  for (const std::string& name : harness::EngineRegistry::Default().Names()) PrintRow(name, "");
  return kExitOk;
}

}  // namespace

int ListMain(const std::vector<std::string>& args) {
  std::string scenarios_dir = DefaultScenariosDir();
  std::vector<std::string> what;
  FlagParser parser("powercut list [scenarios|models|engines] [flags]",
                    "Lists the scenarios, crash models and engines a run can use (all three "
                    "when none is named).");
  parser.AddString("scenarios-dir", "DIR",
                   "where the scenario files are (default: " + scenarios_dir + ")", &scenarios_dir);
  parser.SetPositionals("at most one of scenarios, models, engines", 0, 1, &what);
  if (Status status = parser.Parse(args); !status.ok()) return UsageError("list", parser, status);
  if (parser.help_requested()) {
    std::fputs(parser.Usage().c_str(), stdout);
    return kExitOk;
  }
  const std::string topic = what.empty() ? "all" : what.front();
  if (topic == "scenarios") return ListScenarios(scenarios_dir);
  if (topic == "models") return ListModels();
  if (topic == "engines") return ListEngines();
  if (topic != "all") {
    return UsageError("list", parser,
                      Status::InvalidArgument("unknown list '" + topic +
                                              "' (valid: scenarios, models, engines)"));
  }
  const int scenarios_exit = ListScenarios(scenarios_dir);
  std::printf("\n");
  ListModels();
  std::printf("\n");
  ListEngines();
  return scenarios_exit;
}

}  // namespace powercut::cli
