// `powercut list [scenarios|models|profiles|engines|mutants]`: what a run can
// be made of — the scenario files (name and description), the crash models
// (name and what each persists of the pending operations; the torn variants
// and the devices each models), the file-system profiles, the engines compiled into
// this binary, and the reference engine's mutants (name, bug class, what the
// engine then does wrong; `--json` for tools). Plain `list` prints all four.
#include <cstdio>

#include "cli.h"
#include "engine_adapter.h"
#include "powercut/engine/mutant.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/profile.h"

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
      return "any subset, and writes land sector by sector (each sector whole or old)";
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

// The torn variants, with the devices each models (docs/faultfs.md).
constexpr std::string_view kTornVariants[][2] = {
    {"torn-512-old",
     "default. Sector-atomic: each sector lands whole or keeps its old bytes;\n"
     "      zeros or absent only past the durable end. Real disks and SSDs (512e)."},
    {"torn-4096-old", "the same with 4 KiB atomic units: 4Kn disks, NVMe with 4 KiB LBAs."},
    {"torn-512-new",
     "harsher, in-sector: a sector that did not land holds half new, half old\n"
     "      bytes. Devices without sector atomicity (SQLite's non-PSOW case)."},
    {"torn-512-junk",
     "harsher: a sector that did not land holds garbage. A disk that loses\n"
     "      power mid-sector without power-loss protection."},
    {"torn-512-zeros",
     "harsher, not a device behaviour where the sector held data: zeros.\n"
     "      Tests that a reader detects an erased sector anywhere."},
};

int ListModels() {
  std::printf("models:\n");
  for (const CrashModel& model : CrashModel::All())
    PrintRow(model.Name(), ModelSummary(model.kind));
  std::printf("\ntorn variants (torn-{512,4096}-{old,new,junk,zeros}):\n");
  for (const auto& variant : kTornVariants) PrintRow(std::string(variant[0]), variant[1]);
  return kExitOk;
}

int ListProfiles() {
  std::printf("file-system profiles (--profile NAME):\n");
  for (faultfs::PersistenceProfile profile : faultfs::AllProfiles()) {
    PrintRow(std::string(faultfs::ProfileName(profile)), faultfs::ProfileSummary(profile));
  }
  return kExitOk;
}

int ListEngines() {
  std::printf("engines:\n");
  for (const std::string& name : harness::EngineRegistry::Default().Names()) PrintRow(name, "");
  return kExitOk;
}

// A JSON string (the names and sentences are ASCII; escape what JSON needs).
std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

int ListMutants(bool json) {
  if (json) {
    std::printf("[");
    bool first = true;
    for (const engine::MutantInfo& m : engine::AllMutants()) {
      std::printf("%s\n  {\"name\": %s, \"class\": %s, \"class_name\": %s, \"behaviour\": %s}",
                  first ? "" : ",", JsonString(m.name).c_str(), JsonString(m.bug_class).c_str(),
                  JsonString(m.class_name).c_str(), JsonString(m.behaviour).c_str());
      first = false;
    }
    std::printf("\n]\n");
    return kExitOk;
  }
  std::printf("mutants of the reference engine (powercut run --mutant NAME):\n");
  for (const engine::MutantInfo& m : engine::AllMutants()) {
    std::printf("  %-34.*s %.*s %.*s\n      %.*s\n", static_cast<int>(m.name.size()), m.name.data(),
                static_cast<int>(m.bug_class.size()), m.bug_class.data(),
                static_cast<int>(m.class_name.size()), m.class_name.data(),
                static_cast<int>(m.behaviour.size()), m.behaviour.data());
  }
  return kExitOk;
}

}  // namespace

int ListMain(const std::vector<std::string>& args) {
  std::string scenarios_dir = DefaultScenariosDir();
  std::vector<std::string> what;
  bool json = false;
  FlagParser parser("powercut list [scenarios|models|profiles|engines|mutants] [flags]",
                    "Lists the scenarios, crash models, engines and mutants a run can use (all "
                    "of them when none is named).");
  parser.AddSwitch("json", "list mutants as JSON (name, class, class_name, behaviour)", &json);
  parser.AddString("scenarios-dir", "DIR",
                   "where the scenario files are (default: " + scenarios_dir + ")", &scenarios_dir);
  parser.SetPositionals("at most one of scenarios, models, profiles, engines, mutants", 0, 1,
                        &what);
  if (Status status = parser.Parse(args); !status.ok()) return UsageError("list", parser, status);
  if (parser.help_requested()) {
    std::fputs(parser.Usage().c_str(), stdout);
    return kExitOk;
  }
  const std::string topic = what.empty() ? "all" : what.front();
  if (json && topic != "mutants") {
    return UsageError("list", parser,
                      Status::InvalidArgument("--json applies to `list mutants` only"));
  }
  if (topic == "scenarios") return ListScenarios(scenarios_dir);
  if (topic == "models") return ListModels();
  if (topic == "profiles") return ListProfiles();
  if (topic == "engines") return ListEngines();
  if (topic == "mutants") return ListMutants(json);
  if (topic != "all") {
    return UsageError(
        "list", parser,
        Status::InvalidArgument("unknown list '" + topic +
                                "' (valid: scenarios, models, profiles, engines, mutants)"));
  }

  const int scenarios_exit = ListScenarios(scenarios_dir);
  std::printf("\n");
  ListModels();
  std::printf("\n");
  ListProfiles();
  std::printf("\n");
  ListEngines();
  std::printf("\n");
  ListMutants(/*json=*/false);
  return scenarios_exit;
}

}  // namespace powercut::cli
