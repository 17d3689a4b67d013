// The verbs of the `powercut` command line (main.cc dispatches to them) and
// what they share: where the scenario files are, and how a usage error is
// reported. Each verb takes its arguments without the program and verb names
// and returns the process exit code (flags.h: 0 ok, 1 violation, 2 usage).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flags.h"
#include "powercut/faultfs/sim_fs.h"
#include "powercut/status.h"
#include "scenario.h"

namespace powercut::cli {

int ListMain(const std::vector<std::string>& args);
int RunMain(const std::vector<std::string>& args);
int ReplayMain(const std::vector<std::string>& args);
int MutantsMain(const std::vector<std::string>& args);  // cli_mutants.cc

// How the binary was invoked (argv[0]), for the repro commands it prints:
// "build/bin/powercut replay FILE" can be pasted as is.
void SetProgramName(std::string name);
const std::string& ProgramName();

// The scenarios directory when --scenarios-dir is not given: the source
// tree's scenarios/ next to the binary's build tree (build/bin/../../
// scenarios), an installed share/powercut/scenarios, or the source tree's
// directory baked in at compile time, whichever exists first.
std::string DefaultScenariosDir();

// Loads the scenarios to run: every file of `dir` when `wanted` is empty;
// otherwise each entry of `wanted`, a path (it contains '/' or ends in
// ".toml") or the name of a scenario of `dir`. InvalidArgument for an
// unknown name lists the known ones; a bad file reports file:line:column.
Result<std::vector<harness::Scenario>> LoadScenarios(const std::string& dir,
                                                     const std::vector<std::string>& wanted);

// "prefix@26:3 > power-loss@31": a crash path, outer crash first.
std::string JoinCrashPath(const std::vector<faultfs::CrashStateId>& path);
// What became of each pending operation in a crash state, one per line:
// "lost: write /db/000003.log @0 +37", "persisted: ...", "torn: ... (detail)".
std::string DescribeFates(const std::vector<faultfs::PendingOpFate>& fates);

// Prints "powercut VERB: <status message>" and the verb's usage to stderr;
// returns kExitUsage.
int UsageError(std::string_view verb, const FlagParser& parser, const Status& status);
// Prints "powercut VERB: <status message>" to stderr; returns kExitUsage.
int InputError(std::string_view verb, const Status& status);

}  // namespace powercut::cli
