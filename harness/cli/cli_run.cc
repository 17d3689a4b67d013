// `powercut run`: the crash-test matrix. For every chosen scenario and seed
// it explores the workload on SimFs with the chosen engine under the chosen
// crash models (harness/explorer.h), sums what it checked into the scenario x
// model table, turns each failure into a printed paragraph with a one-line
// repro command (cli_failures.cc shrinks it and writes the repro file), and
// writes the reports asked for. Exit 1 on any violation, 2 on bad usage or
// input (or a run that could not be made), 0 otherwise.
//
// Seeds. A run is one (scenario, seed): the seed picks a generated
// scenario's workload and drives every sampled choice of the exploration, so
// the seed and the scenario replay the run. `--seed N --seeds K` runs seeds
// N..N+K-1 for every scenario; without --seed, a generated scenario runs the
// seeds its file lists and a scenario with explicit steps runs seed 1.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "cli.h"
#include "cli_failures.h"
#include "explorer.h"
#include "progress.h"
#include "reports.h"

namespace powercut::cli {

namespace {

using faultfs::CrashModel;
using faultfs::ProfileName;
using harness::CrashPoints;
using harness::ExploreOptions;
using harness::ExploreResult;
using harness::Scenario;

// Failures printed in full at the end of a run (the reports have them all).
constexpr size_t kFailuresShownMax = 3;

struct RunConfig {
  std::string engine = "reference";
  std::optional<std::string> mutant;  // --mutant: overrides every scenario's engine.mutant
  std::string scenarios_dir = DefaultScenariosDir();
  std::vector<std::string> scenarios;
  std::vector<CrashModel> models;
  std::vector<faultfs::PersistenceProfile> profiles;  // empty: strict-posix
  std::optional<uint64_t> seed;
  uint64_t seed_count = 1;
  uint64_t max_states = ExploreOptions{}.max_states;
  std::optional<CrashPoints> crash_points;
  uint64_t threads = 1;
  harness::Shard shard;
  std::vector<std::pair<ReportFormat, std::string>> reports;
  std::string repro_dir = "powercut-repros";
  uint64_t shrink_runs = 100;
  bool quiet = false;
};

Status ParseModel(std::string_view text, RunConfig& config) {
  POWERCUT_ASSIGN_OR_RETURN(CrashModel model, CrashModel::Parse(text));
  config.models.push_back(model);
  return Status::OK();
}

Status ParseProfileFlag(std::string_view text, RunConfig& config) {
  POWERCUT_ASSIGN_OR_RETURN(faultfs::PersistenceProfile profile, faultfs::ParseProfile(text));
  if (std::find(config.profiles.begin(), config.profiles.end(), profile) == config.profiles.end()) {
    config.profiles.push_back(profile);
  }
  return Status::OK();
}

// The profiles a run explores: --profile's, or strict-posix.
std::vector<faultfs::PersistenceProfile> ProfilesOf(const RunConfig& config) {
  if (config.profiles.empty()) return {faultfs::PersistenceProfile::kStrictPosix};
  return config.profiles;
}

Status ParseReport(std::string_view text, RunConfig& config) {
  POWERCUT_ASSIGN_OR_RETURN(auto report, ParseReportFlag(text));
  config.reports.push_back(std::move(report));
  return Status::OK();
}

Status ParseCrashPoints(std::string_view text, RunConfig& config) {
  if (text == "all") {
    config.crash_points = CrashPoints::kAll;
  } else if (text == "sync") {
    config.crash_points = CrashPoints::kSync;
  } else {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a crash-point set " +
                                   "(valid: all, sync)");
  }
  return Status::OK();
}

void AddRunFlags(FlagParser& parser, RunConfig& config) {
  parser.AddString("engine", "NAME", "the engine to test (default reference; see `list engines`)",
                   &config.engine);
  parser.AddValue("mutant", "NAME",
                  "run the reference engine with this durability bug put back\n(see `list "
                  "mutants`; default: the correct engine)",
                  [&config](std::string_view v) {
                    config.mutant = std::string(v);
                    return Status::OK();
                  });
  parser.AddStrings("scenario", "NAME|PATH",
                    "a scenario name or .toml file (repeatable; default: every scenario)",
                    &config.scenarios);
  parser.AddString("scenarios-dir", "DIR",
                   "where scenario names are looked up\n(default: " + config.scenarios_dir + ")",
                   &config.scenarios_dir);
  parser.AddValue(
      "model", "NAME", "a crash model (repeatable; default: the scenario's, else every model)",
      [&config](std::string_view v) { return ParseModel(v, config); }, /*repeatable=*/true);
  parser.AddValue(
      "profile", "NAME",
      "a file-system profile: strict-posix, ext4-ordered, ext4-writeback\n(repeatable; "
      "each is a run of its own; default strict-posix; see `list profiles`)",
      [&config](std::string_view v) { return ParseProfileFlag(v, config); }, /*repeatable=*/true);
  parser.AddValue("seed", "N", "the first seed (default: 1, or a generated scenario's seeds)",
                  [&config](std::string_view v) -> Status {
                    POWERCUT_ASSIGN_OR_RETURN(config.seed, ParseUint(v, 0, UINT64_MAX));
                    return Status::OK();
                  });
  parser.AddUint("seeds", "K", "run K seeds from --seed on (default 1)", &config.seed_count, 1,
                 1000000);
  parser.AddUint("max-states", "N",
                 "crash states per crash point and model (all of them if they fit; default " +
                     std::to_string(config.max_states) + ")",
                 &config.max_states, 1, UINT64_MAX);
  parser.AddValue("crash-points", "all|sync",
                  "crash after every file operation, or only around syncs\n(default: the "
                  "scenario's)",
                  [&config](std::string_view v) { return ParseCrashPoints(v, config); });
  parser.AddUint("jobs", "N", "threads checking crash states (default 1)", &config.threads, 1,
                 1024);
  parser.AddAlias('j', "jobs");
  parser.AddValue("shard", "I/N", "check only shard I of N of the crash states (1 <= I <= N)",
                  [&config](std::string_view v) -> Status {
                    POWERCUT_ASSIGN_OR_RETURN(config.shard, harness::Shard::Parse(v));
                    return Status::OK();
                  });
  parser.AddValue(
      "report", "[FORMAT:]FILE",
      "also write the report as text, json or junit to FILE\n(repeatable; e.g. "
      "--report junit:build/matrix/junit.xml; a plain FILE: *.json json,\n*.xml junit, else text)",
      [&config](std::string_view v) { return ParseReport(v, config); }, /*repeatable=*/true);
  parser.AddString("repro-dir", "DIR",
                   "where repro files of failures go (default " + config.repro_dir + ")",
                   &config.repro_dir);
  parser.AddUint("shrink-runs", "N",
                 "explorations spent shrinking each repro's workload\n(0: save failures "
                 "unshrunk; default " +
                     std::to_string(config.shrink_runs) + ")",
                 &config.shrink_runs, 0, UINT64_MAX);
  parser.AddSwitch("quiet", "print only the summary table and the failures", &config.quiet);
}

// InvalidArgument if --engine names no engine, or --mutant no mutant of it
// (the adapter's message lists the valid names).
Status CheckEngine(const RunConfig& config) {
  const harness::EngineRegistry& registry = harness::EngineRegistry::Default();
  POWERCUT_RETURN_IF_ERROR(registry.Create(config.engine, {}).status());
  if (!config.mutant) return Status::OK();
  harness::EngineSettings settings;
  settings.mutant = config.mutant;
  Status status = registry.Create(config.engine, settings).status();
  if (status.ok()) return status;
  return Status::InvalidArgument("--mutant: " + std::string(status.message()));
}

// The seeds `scenario` runs with (see the file comment).
std::vector<uint64_t> SeedsFor(const Scenario& scenario, const RunConfig& config) {
  if (!config.seed && scenario.generator) return scenario.RunSeeds();
  std::vector<uint64_t> seeds;
  for (uint64_t i = 0; i < config.seed_count; ++i) seeds.push_back(config.seed.value_or(1) + i);
  return seeds;
}

std::string DescribeSeeds(const RunConfig& config) {
  const uint64_t first = config.seed.value_or(1);
  std::string text = config.seed_count == 1 ? std::to_string(first)
                                            : std::to_string(first) + ".." +
                                                  std::to_string(first + config.seed_count - 1);
  return config.seed ? text : text + " (generated scenarios: their own)";
}

std::string DescribeCrashPoints(const RunConfig& config) {
  if (!config.crash_points) return "scenario default";
  return *config.crash_points == CrashPoints::kAll ? "all" : "sync";
}

// Adds one run's per-model counts to the matrix.
void AddToMatrix(const Scenario& scenario, faultfs::PersistenceProfile profile,
                 const ExploreResult& result, MatrixReport& report) {
  for (const auto& [model, stats] : result.per_model) {
    MatrixCell& cell = report.Cell(scenario.name, MatrixColumn(profile, model));
    cell.crash_points += stats.crash_points;
    cell.states_checked += stats.states_checked;
    cell.inner_states_checked += stats.inner_states_checked;
    cell.violations += stats.violations;
    cell.exhaustive = cell.exhaustive && stats.exhaustive;
  }
}

// One (scenario, seed) run; false if it could not be made (recorded in
// report.errors).
bool RunOne(Scenario scenario, uint64_t seed, faultfs::PersistenceProfile profile,
            const RunConfig& config, ProgressLine& progress, FailureSink& sink,
            MatrixReport& report) {
  if (config.mutant) scenario.engine.mutant = config.mutant;
  Result<harness::Workload> workload = scenario.WorkloadForSeed(seed);
  if (!workload.ok()) {
    report.errors.push_back({scenario.name, seed, workload.status().ToString()});
    return false;
  }
  ExploreOptions options;
  options.models = config.models;
  options.max_states = config.max_states;
  options.seed = seed;
  options.profile = profile;
  options.crash_points = config.crash_points;
  options.shard = config.shard;
  options.threads = static_cast<int>(config.threads);
  options.max_failures = kFailuresKeptPerRun;
  options.on_progress = [&progress](const harness::Progress& p) {
    progress.Update(p.states_checked, p.failures);
  };
  Result<ExploreResult> result = harness::Explore(scenario, *workload, config.engine, options);
  if (!result.ok()) {
    report.errors.push_back({scenario.name, seed, result.status().ToString()});
    return false;
  }
  progress.FinishRun(result->states_checked, result->violations);
  AddToMatrix(scenario, profile, *result, report);
  if (!config.quiet) {
    progress.Clear();
    std::printf(
        "%s seed %llu%s%s: %llu states checked (%llu inside recovery), %llu violations "
        "(%.1f s)\n",
        scenario.name.c_str(), static_cast<unsigned long long>(seed),
        profile == faultfs::PersistenceProfile::kStrictPosix ? "" : " profile ",
        profile == faultfs::PersistenceProfile::kStrictPosix
            ? ""
            : std::string(faultfs::ProfileName(profile)).c_str(),
        static_cast<unsigned long long>(result->states_checked),
        static_cast<unsigned long long>(result->inner_states_checked),
        static_cast<unsigned long long>(result->violations), progress.RunSeconds());
    std::fflush(stdout);
  }
  progress.Clear();
  sink.Add(scenario, *workload, options, *result, report);
  return true;
}

Status WriteReports(const RunConfig& config, const MatrixReport& report) {
  for (const auto& [format, path] : config.reports) {
    POWERCUT_RETURN_IF_ERROR(WriteTextFile(path, FormatReport(report, format)));
  }
  return Status::OK();
}

int RunMatrix(const std::vector<Scenario>& scenarios, const RunConfig& config) {
  MatrixReport report;
  report.engine = config.engine;
  report.seeds = DescribeSeeds(config);
  report.shard = config.shard.ToString();
  report.crash_points = DescribeCrashPoints(config);
  report.max_states = config.max_states;
  uint64_t runs_total = 0;
  const std::vector<faultfs::PersistenceProfile> profiles = ProfilesOf(config);
  for (const Scenario& scenario : scenarios) {
    runs_total += SeedsFor(scenario, config).size() * profiles.size();
  }
  std::string profile_names;
  for (faultfs::PersistenceProfile profile : profiles) {
    profile_names += (profile_names.empty() ? "" : ", ") + std::string(ProfileName(profile));
  }

  std::printf(
      "powercut run: engine %s, %zu scenarios, %zu models, profiles %s, seeds %s, shard %s, "
      "max-states %llu, crash points %s, %llu threads\n",
      config.engine.c_str(), scenarios.size(),
      config.models.empty() ? CrashModel::All().size() : config.models.size(),
      profile_names.c_str(), report.seeds.c_str(), report.shard.c_str(),
      static_cast<unsigned long long>(config.max_states), report.crash_points.c_str(),
      static_cast<unsigned long long>(config.threads));
  if (config.mutant) std::printf("mutant: %s\n", config.mutant->c_str());
  std::fflush(stdout);
  ProgressLine progress(ProgressLine::StderrIsTerminal() && !config.quiet);
  FailureSink sink(config.engine, config.repro_dir, config.shrink_runs);
  for (const Scenario& scenario : scenarios) {
    for (uint64_t seed : SeedsFor(scenario, config)) {
      for (faultfs::PersistenceProfile profile : profiles) {
        progress.StartRun(report.runs, runs_total,
                          scenario.name + " seed " + std::to_string(seed) +
                              (profiles.size() > 1 ? " " + std::string(ProfileName(profile)) : ""));
        if (RunOne(scenario, seed, profile, config, progress, sink, report)) ++report.runs;
      }
    }
  }
  progress.Clear();
  std::printf("\n%s", FormatText(report, kFailuresShownMax).c_str());
  if (Status status = WriteReports(config, report); !status.ok()) {
    return InputError("run", status);
  }
  if (!report.errors.empty()) return kExitUsage;
  return report.violations() > 0 ? kExitViolation : kExitOk;
}

}  // namespace

int RunMain(const std::vector<std::string>& args) {
  RunConfig config;
  FlagParser parser("powercut run [flags]",
                    "Runs the crash-test matrix: scenarios x crash models x seeds on one engine.\n"
                    "Exit 0: no violation; 1: a guarantee was broken; 2: bad usage or input.");
  AddRunFlags(parser, config);
  if (Status status = parser.Parse(args); !status.ok()) return UsageError("run", parser, status);
  if (parser.help_requested()) {
    std::fputs(parser.Usage().c_str(), stdout);
    return kExitOk;
  }
  if (Status status = CheckEngine(config); !status.ok()) return UsageError("run", parser, status);
  Result<std::vector<Scenario>> scenarios = LoadScenarios(config.scenarios_dir, config.scenarios);
  if (!scenarios.ok()) return InputError("run", scenarios.status());
  if (scenarios->empty()) {
    return InputError("run", Status::InvalidArgument("no scenario in " + config.scenarios_dir));
  }
  return RunMatrix(*scenarios, config);
}

}  // namespace powercut::cli
