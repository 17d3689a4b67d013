// The mutant matrix (see mutant_matrix.h): the baseline run of the correct
// engine, then per mutant the ordinary matrix until the first failure, the
// shrunk repro of that failure, and culprit analysis of the repro.
#include "mutant_matrix.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

#include "culprit.h"
#include "powercut/engine/mutant.h"
#include "shrink.h"

namespace powercut::harness {

namespace {

using faultfs::CrashModel;

constexpr std::string_view kEngine = "reference";
constexpr uint64_t kBaselineFailuresKept = 3;

EngineFactory ReferenceFactory() {
  return [](const EngineSettings& settings) {
    return EngineRegistry::Default().Create(kEngine, settings);
  };
}

std::vector<uint64_t> Seeds(const MutantMatrixOptions& options) {
  std::vector<uint64_t> seeds;
  for (uint64_t i = 0; i < options.seed_count; ++i) seeds.push_back(options.first_seed + i);
  return seeds;
}

void Progress(const MutantMatrixOptions& options, const std::string& line) {
  if (options.on_progress) options.on_progress(line);
}

std::string RunName(const Scenario& scenario, uint64_t seed) {
  return scenario.name + " seed " + std::to_string(seed);
}

// The mutants to run, validated: every mutant when `names` is empty.
Result<std::vector<engine::MutantInfo>> ChooseMutants(const std::vector<std::string>& names) {
  std::vector<engine::MutantInfo> chosen;
  if (names.empty()) {
    for (const engine::MutantInfo& info : engine::AllMutants()) chosen.push_back(info);
    return chosen;
  }
  for (const std::string& name : names) {
    std::optional<engine::Mutant> mutant = engine::ParseMutant(name);
    if (!mutant || *mutant == engine::Mutant::kNone) {
      std::string valid;
      for (const engine::MutantInfo& info : engine::AllMutants()) {
        valid += (valid.empty() ? "" : ", ") + std::string(info.name);
      }
      return Status::InvalidArgument("unknown mutant '" + name + "' (valid: " + valid + ")");
    }
    chosen.push_back(engine::DescribeMutant(*mutant));
  }
  return chosen;
}

// One (scenario, seed) of the correct engine, every model at once, as
// `powercut run` explores it.
void RunBaselineOne(const Scenario& scenario, uint64_t seed, const MutantMatrixOptions& options,
                    BaselineResult* baseline) {
  Result<Workload> workload = scenario.WorkloadForSeed(seed);
  ExploreOptions explore;
  explore.max_states = options.max_states;
  explore.seed = seed;
  explore.threads = options.threads;
  explore.max_failures = kBaselineFailuresKept;
  Result<ExploreResult> result =
      workload.ok() ? Explore(scenario, *workload, kEngine, explore) : workload.status();
  if (!result.ok()) {
    baseline->errors.push_back(RunName(scenario, seed) + ": " + result.status().ToString());
    return;
  }
  ++baseline->runs;
  baseline->states_checked += result->states_checked;
  baseline->violations += result->violations;
  for (const Failure& failure : result->failures) {
    baseline->failures.push_back(RunName(scenario, seed) + " model " + failure.state.model.Name() +
                                 ": " + failure.violation.ToString());
  }
}

BaselineResult RunBaseline(const std::vector<Scenario>& scenarios,
                           const MutantMatrixOptions& options) {
  BaselineResult baseline;
  for (const Scenario& scenario : scenarios) {
    for (uint64_t seed : Seeds(options)) {
      Progress(options, "baseline: " + RunName(scenario, seed));
      RunBaselineOne(scenario, seed, options, &baseline);
    }
  }
  return baseline;
}

// Where a mutant was first caught.
struct Catch {
  const Scenario* scenario = nullptr;
  uint64_t seed = 0;
  Workload workload;
  ExploreOptions explore;
  Failure failure;
};

// Explores (scenario, seed) model by model; the first failure, if any.
// Adds every state checked to *states.
std::optional<Catch> ExploreUntilCaught(const Scenario& scenario, uint64_t seed,
                                        const MutantMatrixOptions& options, uint64_t* states,
                                        std::vector<std::string>* notes) {
  Result<Workload> workload = scenario.WorkloadForSeed(seed);
  if (!workload.ok()) {
    notes->push_back(RunName(scenario, seed) + ": " + workload.status().ToString());
    return std::nullopt;
  }
  for (const CrashModel& model : ModelsInMatrixOrder(scenario)) {
    ExploreOptions explore;
    explore.models = {model};
    explore.max_states = options.max_states;
    explore.seed = seed;
    explore.threads = options.threads;
    explore.max_failures = 1;
    explore.stop_at_max_failures = true;
    Result<ExploreResult> result = Explore(scenario, *workload, kEngine, explore);
    if (!result.ok()) {
      // A mutant may make a workload unrunnable (e.g. a bitflip step finds
      // no byte to flip); that run simply does not catch it.
      notes->push_back(RunName(scenario, seed) + " " + model.Name() + ": " +
                       result.status().ToString());
      return std::nullopt;
    }
    *states += result->states_checked;
    if (!result->failures.empty()) {
      return Catch{&scenario, seed, std::move(workload).value(), explore,
                   std::move(result->failures.front())};
    }
  }
  return std::nullopt;
}

// Shrinks the catch, makes its repro and fills the row's failure fields.
Status ShrinkIntoRow(const Catch& caught, const MutantMatrixOptions& options, MutantRow* row) {
  const EngineFactory factory = ReferenceFactory();
  ShrinkOptions shrink{.explore = caught.explore, .max_runs = options.shrink_runs};
  Result<ShrinkResult> shrunk =
      options.shrink_runs == 0
          ? Result<ShrinkResult>(ShrinkResult{caught.workload, caught.failure, 0, false})
          : Shrink(*caught.scenario, caught.workload, factory, caught.failure, shrink);
  POWERCUT_RETURN_IF_ERROR(shrunk.status());
  row->repro =
      MakeRepro(shrunk->failure, kEngine, *caught.scenario, shrunk->workload, caught.explore);
  row->repro_ops = shrunk->workload.ops.size();
  row->shrink_runs = shrunk->runs;
  row->guarantee = std::string(GuaranteeName(shrunk->failure.violation.guarantee));
  row->violation = shrunk->failure.violation.ToString();
  row->fates = shrunk->failure.fates;
  row->ops_around = shrunk->failure.ops_around;
  return Status::OK();
}

// Replays the row's repro without the mutant: it must not reproduce.
Status CheckCorrectEnginePasses(MutantRow* row) {
  Repro correct = row->repro;
  correct.settings.mutant.reset();
  POWERCUT_ASSIGN_OR_RETURN(ReplayReport report, ReplayRepro(correct));
  row->correct_engine_passes = !report.reproduced;
  return Status::OK();
}

void AnalyzeIntoRow(MutantRow* row) {
  Result<CulpritReport> report = AnalyzeCulprits(row->repro);
  if (!report.ok()) {
    row->error = "culprit analysis: " + report.status().ToString();
    return;
  }
  row->suggested_class = report->suggested_class;
  row->suggested_class_name = report->suggested_class_name;
  row->culprit_text = FormatCulpritReport(*report);
  row->class_match = !row->suggested_class.empty() && row->suggested_class == row->bug_class;
}

MutantRow RunMutant(const std::vector<Scenario>& scenarios, const engine::MutantInfo& info,
                    const MutantMatrixOptions& options) {
  MutantRow row;
  row.mutant = info.name;
  row.bug_class = info.bug_class;
  row.class_name = info.class_name;
  std::vector<std::string> notes;
  std::optional<Catch> caught;
  for (size_t i = 0; i < scenarios.size() && !caught; ++i) {
    Scenario mutated = scenarios[i];
    mutated.engine.mutant = std::string(info.name);
    for (uint64_t seed : Seeds(options)) {
      Progress(options, std::string(info.name) + ": " + RunName(mutated, seed));
      caught = ExploreUntilCaught(mutated, seed, options, &row.states_until_caught, &notes);
      if (caught) {
        // The catch must outlive the loop's copy of the scenario.
        caught->scenario = &scenarios[i];
        break;
      }
    }
  }
  if (!caught) {
    if (!notes.empty()) row.error = "runs that could not be made: " + notes.front();
    return row;
  }
  row.caught = true;
  row.scenario = caught->scenario->name;
  row.seed = caught->seed;
  row.model = caught->failure.crash_path.empty() ? "" : caught->failure.state.model.Name();
  Scenario mutated = *caught->scenario;
  mutated.engine.mutant = std::string(info.name);
  caught->scenario = &mutated;
  Progress(options, std::string(info.name) + ": caught; shrinking");
  if (Status status = ShrinkIntoRow(*caught, options, &row); !status.ok()) {
    row.error = "shrinking: " + status.ToString();
    return row;
  }
  if (Status status = CheckCorrectEnginePasses(&row); !status.ok()) {
    row.error = "replaying the repro on the correct engine: " + status.ToString();
    return row;
  }
  AnalyzeIntoRow(&row);
  return row;
}

}  // namespace

std::vector<CrashModel> ModelsInMatrixOrder(const Scenario& scenario) {
  std::vector<CrashModel> models = scenario.models.empty() ? CrashModel::All() : scenario.models;
  std::stable_sort(models.begin(), models.end(), [](const CrashModel& a, const CrashModel& b) {
    return static_cast<int>(a.kind) < static_cast<int>(b.kind);
  });
  return models;
}

std::vector<Scenario> ScenariosInMatrixOrder(std::vector<Scenario> scenarios, uint64_t seed) {
  auto size = [seed](const Scenario& scenario) -> size_t {
    Result<Workload> workload = scenario.WorkloadForSeed(seed);
    return workload.ok() ? workload->ops.size() : SIZE_MAX;
  };
  std::vector<std::pair<size_t, Scenario>> sized;
  for (Scenario& scenario : scenarios) {
    const size_t ops = size(scenario);
    sized.emplace_back(ops, std::move(scenario));
  }
  std::stable_sort(sized.begin(), sized.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.name < b.second.name;
  });
  std::vector<Scenario> ordered;
  for (auto& [ops, scenario] : sized) ordered.push_back(std::move(scenario));
  return ordered;
}

uint64_t MutantMatrixResult::caught() const {
  return std::count_if(rows.begin(), rows.end(), [](const MutantRow& r) { return r.caught; });
}

uint64_t MutantMatrixResult::matched() const {
  return std::count_if(rows.begin(), rows.end(), [](const MutantRow& r) { return r.class_match; });
}

std::map<std::string, std::map<std::string, uint64_t>> MutantMatrixResult::Confusion() const {
  std::map<std::string, std::map<std::string, uint64_t>> confusion;
  for (const MutantRow& row : rows) {
    if (row.caught) ++confusion[row.bug_class][row.suggested_class];
  }
  return confusion;
}

std::string MutantMatrixResult::Problems() const {
  std::string problems;
  if (baseline.violations > 0) {
    problems += "the correct engine broke a guarantee (" + std::to_string(baseline.violations) +
                " failing states)\n";
  }
  for (const std::string& error : baseline.errors)
    problems += "baseline run failed: " + error + "\n";
  for (const MutantRow& row : rows) {
    if (!row.caught) problems += "mutant " + row.mutant + " escaped\n";
    if (row.caught && row.repro_ops > max_repro_ops) {
      problems += "mutant " + row.mutant + ": shrunk repro has " + std::to_string(row.repro_ops) +
                  " operations (at most " + std::to_string(max_repro_ops) + ")\n";
    }
    if (row.caught && row.error.empty() && !row.correct_engine_passes) {
      problems += "mutant " + row.mutant + ": the correct engine fails its shrunk repro too\n";
    }
    if (row.caught && !row.error.empty())
      problems += "mutant " + row.mutant + ": " + row.error + "\n";
  }
  return problems;
}

bool MutantMatrixResult::ok() const { return Problems().empty(); }

Result<MutantMatrixResult> RunMutantMatrix(const std::vector<Scenario>& scenarios,
                                           const MutantMatrixOptions& options) {
  if (scenarios.empty()) return Status::InvalidArgument("the mutant matrix needs scenarios");
  if (options.threads < 1 || options.seed_count < 1 || options.max_states < 1) {
    return Status::InvalidArgument("threads, seed_count and max_states must be at least 1");
  }
  POWERCUT_ASSIGN_OR_RETURN(std::vector<engine::MutantInfo> mutants,
                            ChooseMutants(options.mutants));
  MutantMatrixResult result;
  result.max_repro_ops = options.max_repro_ops;
  result.baseline = RunBaseline(scenarios, options);
  const std::vector<Scenario> ordered = ScenariosInMatrixOrder(scenarios, options.first_seed);
  for (const engine::MutantInfo& info : mutants) {
    result.rows.push_back(RunMutant(ordered, info, options));
  }
  return result;
}

}  // namespace powercut::harness
