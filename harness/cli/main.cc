// powercut: the command line of the crash-consistency harness.
//   powercut list [scenarios|models|engines|mutants]   what a run can be made of
//   powercut run [flags]                       the crash-test matrix
//   powercut replay FILE                       one saved failure, exactly
//   powercut mutants [flags]                   the mutant matrix (every bug caught?)
//   powercut blackbox [flags]                  an unmodified program, through the shim
// Each verb has --help. Exit codes (flags.h): 0 ok, 1 a guarantee was
// broken (or a replay reproduced it), 2 bad usage or bad input.
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "cli_blackbox.h"

namespace {

constexpr const char* kUsage =
    "usage: powercut <verb> [flags]\n"
    "\n"
    "powercut tests that a storage engine keeps every acknowledged write across crashes,\n"
    "by simulation: it runs scenarios on a simulated file system, crashes it at every\n"
    "file operation under several crash models, recovers, and checks the result.\n"
    "\n"
    "verbs:\n"
    "  list [scenarios|models|engines|mutants]\n"
    "                                    list what a run can use\n"
    "  run [flags]                       run scenarios x crash models x seeds on an engine\n"
    "  replay FILE                       replay one saved failure (a repro file)\n"
    "  mutants [flags]                   run the matrix on every mutant: each must be caught\n"
    "  blackbox [flags]                  crash-test an unmodified program (LD_PRELOAD shim)\n"
    "\n"
    "Run `powercut <verb> --help` for a verb's flags.\n";

}  // namespace

int main(int argc, char** argv) {
  powercut::cli::SetProgramName(argc > 0 ? argv[0] : "powercut");
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return powercut::cli::kExitUsage;
  }
  const std::string verb = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (verb == "--help" || verb == "-h" || verb == "help") {
    std::fputs(kUsage, stdout);
    return powercut::cli::kExitOk;
  }
  if (verb == "list") return powercut::cli::ListMain(args);
  if (verb == "run") return powercut::cli::RunMain(args);
  if (verb == "replay") return powercut::cli::ReplayMain(args);
  if (verb == "mutants") return powercut::cli::MutantsMain(args);
  if (verb == "blackbox") return powercut::cli::BlackboxMain(args);
  std::fprintf(stderr,
               "powercut: unknown verb '%s' (valid: list, run, replay, mutants, blackbox)\n\n%s",
               verb.c_str(), kUsage);
  return powercut::cli::kExitUsage;
}
