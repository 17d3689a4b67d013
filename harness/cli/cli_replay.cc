// `powercut replay FILE`: reruns one saved failure exactly (harness/repro.h)
// and explains it: the workload, the crash path, what became of each pending
// file operation at the crash (what was lost), the operations around the
// crash point, the violations the recovered state shows, and the culprit
// analysis (harness/culprit.h: the operations to blame and the suggested bug
// class; --no-culprits skips it). Exit 1 if the
// state still breaks a guarantee (saying whether it is the one the file
// expects), 0 if it now passes, 2 if the file cannot be read or replayed.
#include <cstdio>

#include "cli.h"
#include "powercut/printable.h"
#include "culprit.h"
#include "repro.h"

namespace powercut::cli {

namespace {

void PrintIndented(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::printf("    %s\n", text.substr(start, end - start).c_str());
    start = end + 1;
  }
}

void PrintRepro(const std::string& path, const harness::Repro& repro) {
  std::printf("repro %s\n", path.c_str());
  std::printf("  engine %s, scenario %s, seed %llu\n", repro.engine.c_str(), repro.scenario.c_str(),
              static_cast<unsigned long long>(repro.seed));
  std::printf("  workload (%zu operations):\n", repro.workload.ops.size());
  PrintIndented(repro.workload.ToString());
  std::printf("  crash path: %s\n", repro.crash_path.empty()
                                        ? "(none: a main-line failure)"
                                        : JoinCrashPath(repro.crash_path).c_str());
  std::printf("  expected: %s\n", PrintableBytes(repro.expected_text, 400).c_str());
}

int PrintVerdict(const harness::ReplayReport& report) {
  if (!report.fates.empty()) {
    std::printf("  pending operations at the crash (lost = never reached the disk):\n");
    PrintIndented(DescribeFates(report.fates));
  }
  if (!report.ops_around.empty()) {
    std::printf("  around the crash point:\n");
    PrintIndented(report.ops_around);
  }
  if (!report.reached) {
    std::printf(
        "NOT REACHED: the run never got to the crash path's positions (the engine now "
        "performs different file operations); the state passes as far as it got\n");
  }
  if (report.violations.empty()) {
    std::printf("PASSES: the recovered state now meets every guarantee\n");
    return kExitOk;
  }
  std::printf("  violations:\n");
  for (const harness::Violation& violation : report.violations) {
    PrintIndented(violation.ToString());
  }
  std::printf(report.reproduced ? "REPRODUCED: the expected violation came back\n"
                                : "FAILS DIFFERENTLY: a violation, but not the expected one\n");
  return kExitViolation;
}

// The culprit analysis of a repro that fails.
void PrintCulprits(const harness::Repro& repro) {
  Result<harness::CulpritReport> culprits = harness::AnalyzeCulprits(repro);
  if (!culprits.ok()) {
    std::printf("  culprits: not analysed: %s\n", culprits.status().ToString().c_str());
    return;
  }
  std::fputs(harness::FormatCulpritReport(*culprits, "  ").c_str(), stdout);
}

}  // namespace

int ReplayMain(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  bool no_culprits = false;
  FlagParser parser("powercut replay FILE",
                    "Replays one repro file written by `powercut run` (see --repro-dir): runs its\n"
                    "workload, crashes exactly where it says, recovers and checks.\n"
                    "Exit 0: the state now passes; 1: it breaks a guarantee; 2: bad file.");
  parser.SetPositionals("one repro FILE", 1, 1, &files);
  parser.AddSwitch("no-culprits",
                   "skip the culprit analysis (the operations to blame, the bug class)",
                   &no_culprits);
  if (Status status = parser.Parse(args); !status.ok()) return UsageError("replay", parser, status);
  if (parser.help_requested()) {
    std::fputs(parser.Usage().c_str(), stdout);
    return kExitOk;
  }
  const std::string& path = files.front();
  Result<harness::Repro> repro = harness::LoadReproFile(path);
  if (!repro.ok()) return InputError("replay", repro.status());
  PrintRepro(path, *repro);
  Result<harness::ReplayReport> report = harness::ReplayRepro(*repro);
  if (!report.ok()) {
    return InputError(
        "replay", Status::InvalidArgument(path + ": cannot replay: " + report.status().ToString()));
  }
  const int exit_code = PrintVerdict(*report);
  if (exit_code == kExitViolation && !no_culprits) PrintCulprits(*repro);
  return exit_code;
}

}  // namespace powercut::cli
