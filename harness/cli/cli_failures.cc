// Failures of `powercut run`: records, printing, shrinking and repro files
// (see cli_failures.h).
#include "cli_failures.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "cli.h"
#include "culprit.h"
#include "repro.h"
#include "shrink.h"

namespace powercut::cli {

namespace {

// "sync-writes-s1-torn-512-zeros.repro": one file per (scenario, seed, model).
std::string ReproFileName(const std::string& scenario, uint64_t seed, const std::string& model) {
  std::string name = scenario + "-s" + std::to_string(seed) + (model.empty() ? "" : "-" + model);
  for (char& c : name) {
    const bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    if (!plain) c = '_';
  }
  return name + ".repro";
}

// The command that reruns the whole run a failure came from.
std::string RerunCommand(const std::string& engine, const harness::Scenario& scenario,
                         uint64_t seed, faultfs::PersistenceProfile profile,
                         const faultfs::CrashModel* model) {
  std::string command = ProgramName() + " run --engine " + engine + " --scenario " +
                        (scenario.source.empty() ? scenario.name : scenario.source) + " --seed " +
                        std::to_string(seed);
  if (profile != faultfs::PersistenceProfile::kStrictPosix) {
    command += " --profile " + std::string(faultfs::ProfileName(profile));
  }
  if (model != nullptr) command += " --model " + model->Name();
  return command;
}

// Culprit analysis of `repro`, for the report.
CulpritSummary AnalyzeForReport(const harness::Repro& repro, bool shrunk) {
  CulpritSummary summary;
  harness::CulpritBudget budget;
  if (!shrunk) budget.max_states = 32;  // every replay runs the whole workload
  Result<harness::CulpritReport> report =
      harness::AnalyzeCulprits(repro, harness::EngineRegistry::Default(), budget);
  if (!report.ok()) {
    summary.error = report.status().ToString();
    return summary;
  }
  summary.analyzed = true;
  summary.found = report->found;
  summary.by_dropping = report->by_dropping;
  for (const faultfs::PendingOpFate& fate : report->culprits) {
    summary.ops.push_back(DescribeFates({fate}));
    if (summary.ops.back().ends_with("\n")) summary.ops.back().pop_back();
  }
  summary.explanation = report->explanation;
  summary.bug_class = report->suggested_class;
  summary.class_name = report->suggested_class_name;
  summary.reason = report->reason;
  summary.passing_state = report->passing_state;
  summary.states_tried = report->states_tried;
  summary.text = harness::FormatCulpritReport(*report, "  ");
  return summary;
}

}  // namespace

FailureSink::FailureSink(std::string engine, std::string repro_dir, uint64_t shrink_runs)
    : engine_(std::move(engine)), repro_dir_(std::move(repro_dir)), shrink_runs_(shrink_runs) {}

FailureRecord FailureSink::MakeRecord(const harness::Scenario& scenario, uint64_t seed,
                                      faultfs::PersistenceProfile profile,
                                      const harness::Failure& failure) const {
  FailureRecord record;
  record.scenario = scenario.name;
  record.seed = seed;
  record.model =
      failure.crash_path.empty() ? "" : MatrixColumn(profile, failure.state.model.Name());
  record.guarantee = std::string(harness::GuaranteeName(failure.violation.guarantee));
  record.violation = failure.violation.ToString();
  record.crash_path = JoinCrashPath(failure.crash_path);
  record.fates = DescribeFates(failure.fates);
  record.ops_around = failure.ops_around;
  record.replay_command = RerunCommand(engine_, scenario, seed, profile,
                                       failure.crash_path.empty() ? nullptr : &failure.state.model);
  return record;
}

void FailureSink::Add(const harness::Scenario& scenario, const harness::Workload& workload,
                      const harness::ExploreOptions& options, const harness::ExploreResult& result,
                      MatrixReport& report) {
  const uint64_t seed = options.seed;
  report.failures_not_kept +=
      result.violations - std::min<uint64_t>(result.violations, result.failures.size());
  for (const harness::Failure& failure : result.failures) {
    if (report.failures.size() >= kFailureRecordsMax) {
      ++report.failures_not_kept;
      continue;
    }
    FailureRecord record = MakeRecord(scenario, seed, options.profile, failure);
    // The first failure of each model is saved, and announced at once.
    if (saved_.emplace(scenario.name, seed, record.model).second) {
      Result<std::string> path = SaveRepro(scenario, workload, options, failure, &record.culprits);
      if (path.ok()) {
        record.repro_path = *path;
        record.replay_command = ProgramName() + " replay " + *path;
      } else {
        std::fprintf(stderr, "powercut run: no repro file for this failure: %s\n",
                     path.status().ToString().c_str());
      }
      std::printf("FAIL %s seed %llu%s: %s\n  repro: %s\n", scenario.name.c_str(),
                  static_cast<unsigned long long>(seed),
                  record.model.empty() ? "" : (" model " + record.model).c_str(),
                  record.violation.substr(0, record.violation.find('\n')).c_str(),
                  record.replay_command.c_str());
      if (record.culprits.analyzed) {
        std::printf("  culprits: %s%s%s\n",
                    record.culprits.bug_class.empty() ? "no class suggested"
                                                      : record.culprits.bug_class.c_str(),
                    record.culprits.class_name.empty() ? "" : " ",
                    record.culprits.class_name.c_str());
      }
      std::fflush(stdout);
    }
    report.failures.push_back(std::move(record));
  }
}

Result<std::string> FailureSink::SaveRepro(const harness::Scenario& scenario,
                                           const harness::Workload& workload,
                                           const harness::ExploreOptions& options,
                                           const harness::Failure& failure,
                                           CulpritSummary* culprits) {
  harness::ExploreOptions explore = options;
  explore.shard = {};  // a candidate must fail anywhere, not just in this shard
  explore.on_progress = nullptr;
  harness::Workload repro_workload = workload;
  harness::Failure repro_failure = failure;
  if (shrink_runs_ > 0) {
    const std::string engine = engine_;
    const harness::EngineFactory factory = [engine](const harness::EngineSettings& settings) {
      return harness::EngineRegistry::Default().Create(engine, settings);
    };
    POWERCUT_ASSIGN_OR_RETURN(harness::ShrinkResult shrunk,
                              harness::Shrink(scenario, workload, factory, failure,
                                              {.explore = explore, .max_runs = shrink_runs_}));
    repro_workload = std::move(shrunk.workload);
    repro_failure = std::move(shrunk.failure);
  }
  const harness::Repro repro =
      harness::MakeRepro(repro_failure, engine_, scenario, repro_workload, explore);
  const std::string model =
      failure.crash_path.empty() ? "" : MatrixColumn(options.profile, failure.state.model.Name());
  const std::string path =
      (std::filesystem::path(repro_dir_) / ReproFileName(scenario.name, options.seed, model))
          .string();
  std::error_code error;
  std::filesystem::create_directories(repro_dir_, error);
  if (error) return Status::IOError(repro_dir_ + ": cannot create: " + error.message());
  POWERCUT_RETURN_IF_ERROR(harness::WriteReproFile(path, repro));
  *culprits = AnalyzeForReport(repro, shrink_runs_ > 0);
  return path;
}

}  // namespace powercut::cli
