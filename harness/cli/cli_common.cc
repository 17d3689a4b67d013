// What the CLI's verbs share (see cli.h): finding and loading scenarios, and
// reporting usage and input errors.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "cli.h"

#ifndef POWERCUT_SOURCE_SCENARIOS_DIR
#define POWERCUT_SOURCE_SCENARIOS_DIR "scenarios"
#endif

namespace powercut::cli {

namespace fs = std::filesystem;

namespace {

// The directory of the running binary, or empty if it cannot be found.
fs::path BinaryDir() {
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::path() : exe.parent_path();
}

bool IsDirectory(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error);
}

bool LooksLikePath(std::string_view text) {
  return text.find('/') != std::string_view::npos ||
         (text.size() > 5 && text.substr(text.size() - 5) == ".toml");
}

std::string& ProgramNameStorage() {
  static std::string* name = new std::string("powercut");
  return *name;
}

}  // namespace

void SetProgramName(std::string name) { ProgramNameStorage() = std::move(name); }
const std::string& ProgramName() { return ProgramNameStorage(); }

std::string DefaultScenariosDir() {
  const fs::path binary_dir = BinaryDir();
  if (!binary_dir.empty()) {
    for (const fs::path& candidate : {binary_dir / ".." / ".." / "scenarios",
                                      binary_dir / ".." / "share" / "powercut" / "scenarios"}) {
      if (IsDirectory(candidate)) return candidate.lexically_normal().string();
    }
  }
  return POWERCUT_SOURCE_SCENARIOS_DIR;
}

Result<std::vector<harness::Scenario>> LoadScenarios(const std::string& dir,
                                                     const std::vector<std::string>& wanted) {
  const bool need_dir =
      wanted.empty() || std::any_of(wanted.begin(), wanted.end(),
                                    [](const std::string& w) { return !LooksLikePath(w); });
  std::vector<harness::Scenario> known;
  if (need_dir) {
    if (!IsDirectory(dir)) {
      return Status::InvalidArgument("scenarios directory '" + dir +
                                     "' does not exist (see --scenarios-dir)");
    }
    POWERCUT_ASSIGN_OR_RETURN(known, harness::LoadScenarioDir(dir));
  }
  if (wanted.empty()) return known;
  std::vector<harness::Scenario> chosen;
  for (const std::string& entry : wanted) {
    if (LooksLikePath(entry)) {
      POWERCUT_ASSIGN_OR_RETURN(harness::Scenario scenario, harness::LoadScenarioFile(entry));
      chosen.push_back(std::move(scenario));
      continue;
    }
    auto it = std::find_if(known.begin(), known.end(),
                           [&](const harness::Scenario& s) { return s.name == entry; });
    if (it == known.end()) {
      std::string names;
      for (const harness::Scenario& s : known) names += (names.empty() ? "" : ", ") + s.name;
      return Status::InvalidArgument("unknown scenario '" + entry + "' in " + dir +
                                     " (known: " + names + ")");
    }
    chosen.push_back(*it);
  }
  return chosen;
}

std::string JoinCrashPath(const std::vector<faultfs::CrashStateId>& path) {
  std::string text;
  for (const faultfs::CrashStateId& id : path) text += (text.empty() ? "" : " > ") + id.ToString();
  return text;
}

std::string DescribeFates(const std::vector<faultfs::PendingOpFate>& fates) {
  std::string text;
  for (const faultfs::PendingOpFate& fate : fates) {
    const char* what = fate.fate == faultfs::PendingOpFate::Fate::kPersisted ? "persisted"
                       : fate.fate == faultfs::PendingOpFate::Fate::kTorn    ? "torn"
                                                                             : "lost";
    text += std::string(what) + ": " + fate.op.ToString();
    if (!fate.detail.empty()) text += " (" + fate.detail + ")";
    text += "\n";
  }
  return text;
}

int UsageError(std::string_view verb, const FlagParser& parser, const Status& status) {
  std::fprintf(stderr, "powercut %.*s: %s\n\n%s", static_cast<int>(verb.size()), verb.data(),
               status.message().c_str(), parser.Usage().c_str());
  return kExitUsage;
}

int InputError(std::string_view verb, const Status& status) {
  std::fprintf(stderr, "powercut %.*s: %s\n", static_cast<int>(verb.size()), verb.data(),
               status.message().c_str());
  return kExitUsage;
}

}  // namespace powercut::cli
