// Explore (see explorer.h): resolves the options against the scenario, runs
// one worker per thread, and merges what the workers found in a fixed order.
// A worker runs the whole main line (explorer_main_line.h) and checks the
// crash states it owns (explorer_crash_checker.h); see explorer.h for how
// states are numbered and split between shards and threads.
#include "explorer.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <thread>

#include "broken_adapters.h"
#include "explorer_crash_checker.h"
#include "explorer_main_line.h"

namespace powercut::harness {

using explorer_internal::CheckerConfig;
using explorer_internal::CrashChecker;
using explorer_internal::CrashPoint;
using explorer_internal::HashText;
using explorer_internal::MainLine;
using explorer_internal::MixSeed;
using explorer_internal::PathViolation;
using faultfs::CrashModel;
using faultfs::CrashStateId;

Result<Shard> Shard::Parse(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("shard '" + std::string(text) +
                                   "' is not i/n with 1 <= i <= n (e.g. 1/4)");
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  uint32_t i = 0, n = 0;
  const char* begin = text.data();
  const char* mid = begin + slash;
  const char* end = begin + text.size();
  auto [i_end, i_error] = std::from_chars(begin, mid, i);
  auto [n_end, n_error] = std::from_chars(mid + 1, end, n);
  if (i_error != std::errc() || i_end != mid || n_error != std::errc() || n_end != end) {
    return bad();
  }
  if (n == 0 || i == 0 || i > n) return bad();
  return Shard{.index = i - 1, .count = n};
}

std::string Shard::ToString() const {
  return std::to_string(index + 1) + "/" + std::to_string(count);
}

namespace {

// The options, resolved against the scenario and checked.
struct RunPlan {
  const Scenario* scenario = nullptr;
  const Workload* workload = nullptr;
  const EngineFactory* engine = nullptr;
  ExploreOptions options;
  std::vector<CrashModel> models;
  std::vector<uint64_t> model_seeds;  // enumeration seed of each model
  CrashPoints crash_points = CrashPoints::kAll;
  uint32_t max_depth = 1;
  bool durable = true;
};

Result<RunPlan> MakePlan(const Scenario& scenario, const Workload& workload,
                         const EngineFactory& engine, const ExploreOptions& options) {
  if (options.threads < 1) return Status::InvalidArgument("threads must be at least 1");
  if (options.shard.count < 1 || options.shard.index >= options.shard.count) {
    return Status::InvalidArgument("shard index must be below the shard count");
  }
  if (options.max_states < 1 || options.inner_max_states < 1) {
    return Status::InvalidArgument("max_states and inner_max_states must be at least 1");
  }
  RunPlan plan;
  plan.scenario = &scenario;
  plan.workload = &workload;
  plan.engine = &engine;
  plan.options = options;
  plan.models = !options.models.empty()    ? options.models
                : !scenario.models.empty() ? scenario.models
                                           : CrashModel::All();
  for (const CrashModel& model : plan.models) {
    plan.model_seeds.push_back(
        MixSeed(MixSeed(options.seed, HashText(scenario.name)), HashText(model.Name())));
  }
  plan.crash_points = options.crash_points.value_or(scenario.crash_points);
  plan.max_depth = options.max_crash_depth.value_or(scenario.multi_crash.depth);
  if (plan.max_depth < 1 || plan.max_depth > 3) {
    return Status::InvalidArgument("max_crash_depth must be 1, 2 or 3, not " +
                                   std::to_string(plan.max_depth));
  }
  plan.durable = options.check_durable_recovery || scenario.multi_crash.double_recovery;
  return plan;
}

// Progress shared by the workers of one run.
struct SharedProgress {
  std::atomic<uint64_t> states_checked{0};
  std::atomic<uint64_t> failures{0};
  std::mutex mu;  // one on_progress call at a time
};

struct WorkerResult {
  Status status;
  std::vector<Failure> main_line_failures;  // thread 0 of shard 0 only
  uint64_t main_line_violations = 0;        // likewise
  std::vector<Failure> failures;            // by ordinal, at most max_failures
  std::vector<ModelStats> per_model;        // as plan.models
  uint64_t crash_points = 0;
  uint64_t inner_points = 0;
  bool stopped_early = false;
};

std::string PathText(const std::vector<CrashStateId>& path) {
  std::string text;
  for (const CrashStateId& id : path) text += (text.empty() ? "" : " > ") + id.ToString();
  return text;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

class Worker {
 public:
  Worker(const RunPlan& plan, int thread, SharedProgress* progress)
      : plan_(plan),
        thread_(thread),
        progress_(progress),
        main_line_({.workload = plan.workload,
                    .engine = plan.engine,
                    .settings = plan.scenario->engine,
                    .crash_points = plan.crash_points,
                    .seed = plan.options.seed,
                    .profile = plan.options.profile},
                   [this](const CrashPoint& point) { return OnPoint(point); }),
        checker_({.engine = plan.engine,
                  .settings = plan.scenario->engine,
                  .max_depth = plan.max_depth,
                  .inner_max_states = plan.options.inner_max_states,
                  .check_durable_recovery = plan.durable,
                  .reuse_identical_images = plan.options.reuse_identical_images,
                  .seed = plan.options.seed},
                 &main_line_.oracle()) {
    result_.per_model.resize(plan.models.size());
  }

  WorkerResult Run() && {
    Result<std::vector<Violation>> main_violations = main_line_.Run();
    if (!main_violations.ok()) {
      result_.status = main_violations.status();
      return std::move(result_);
    }
    if (thread_ == 0 && plan_.options.shard.index == 0) {
      for (Violation& violation : *main_violations) {
        ++result_.main_line_violations;
        if (plan_.options.failure_filter && !plan_.options.failure_filter(violation)) continue;
        Failure failure;
        failure.ops_around = JoinLines(violation.context_ops);
        failure.violation = std::move(violation);
        failure.scenario = plan_.scenario->name;
        failure.seed = plan_.options.seed;
        result_.main_line_failures.push_back(std::move(failure));
      }
    }
    result_.crash_points = main_line_.crash_points();
    result_.inner_points = checker_.counters().inner_points;
    return std::move(result_);
  }

 private:
  bool Owns(uint64_t ordinal) const {
    const Shard& shard = plan_.options.shard;
    return shard.Owns(ordinal) &&
           (ordinal / shard.count) % static_cast<uint64_t>(plan_.options.threads) ==
               static_cast<uint64_t>(thread_);
  }

  Status OnPoint(const CrashPoint& point) {
    for (size_t m = 0; m < plan_.models.size(); ++m) {
      const faultfs::EnumerationBudget budget{
          .max_states = plan_.options.max_states,
          .seed = MixSeed(plan_.model_seeds[m], point.position)};
      POWERCUT_ASSIGN_OR_RETURN(auto states,
                                point.fs->EnumerateCrashStates(plan_.models[m], budget));
      ModelStats& stats = result_.per_model[m];
      ++stats.crash_points;
      stats.exhaustive = stats.exhaustive && states->exhaustive();
      while (std::optional<CrashStateId> id = states->Next()) {
        const uint64_t ordinal = next_ordinal_++;
        if (!Owns(ordinal)) continue;
        POWERCUT_RETURN_IF_ERROR(CheckState(point, stats, *id, ordinal));
        if (result_.stopped_early) return Status::OK();
      }
    }
    return Status::OK();
  }

  Status CheckState(const CrashPoint& point, ModelStats& stats, const CrashStateId& id,
                    uint64_t ordinal) {
    std::vector<PathViolation> found;
    const uint64_t inner_before = checker_.counters().inner_states;
    POWERCUT_RETURN_IF_ERROR(
        checker_.Explore(*point.fs, id, point.depth, point.lossless_so_far, &found));
    ++stats.states_checked;
    stats.inner_states_checked += checker_.counters().inner_states - inner_before;
    if (!found.empty()) {
      ++stats.violations;
      progress_->failures.fetch_add(1, std::memory_order_relaxed);
      auto kept = found.begin();
      if (plan_.options.failure_filter) {
        kept = std::find_if(found.begin(), found.end(), [&](const PathViolation& v) {
          return plan_.options.failure_filter(v.violation);
        });
      }
      if (kept != found.end() && result_.failures.size() < plan_.options.max_failures) {
        result_.failures.push_back(MakeFailure(point, std::move(*kept), ordinal));
      }
      if (plan_.options.stop_at_max_failures &&
          result_.failures.size() >= plan_.options.max_failures) {
        result_.stopped_early = true;
        main_line_.Stop();
      }
    }
    ReportProgress(point.position);
    return Status::OK();
  }

  Failure MakeFailure(const CrashPoint& point, PathViolation found, uint64_t ordinal) const {
    Failure failure;
    failure.violation = std::move(found.violation);
    failure.crash_path = std::move(found.path);
    failure.state = failure.crash_path.front();
    failure.violation.crash_state_id = PathText(failure.crash_path);
    failure.after_ack = point.after_ack;
    failure.violation.context_ops = main_line_.ContextLines(point.position, point.after_ack);
    failure.ops_around = JoinLines(failure.violation.context_ops);
    Result<std::vector<faultfs::PendingOpFate>> fates = point.fs->DescribeCrash(failure.state);
    if (fates.ok()) failure.fates = std::move(fates).value();
    failure.scenario = plan_.scenario->name;
    failure.seed = plan_.options.seed;
    failure.ordinal = ordinal;
    return failure;
  }

  void ReportProgress(uint64_t position) {
    const uint64_t states = progress_->states_checked.fetch_add(1) + 1;
    if (!plan_.options.on_progress || states % 256 != 0) return;
    std::lock_guard<std::mutex> lock(progress_->mu);
    plan_.options.on_progress(Progress{.crash_points = main_line_.crash_points(),
                                       .states_checked = states,
                                       .failures = progress_->failures.load(),
                                       .position = position});
  }

  const RunPlan& plan_;
  const int thread_;
  SharedProgress* progress_;
  MainLine main_line_;
  CrashChecker checker_;
  WorkerResult result_;
  uint64_t next_ordinal_ = 0;
};

WorkerResult RunWorker(const RunPlan& plan, int thread, SharedProgress* progress) {
  return Worker(plan, thread, progress).Run();
}

}  // namespace

namespace {

// Merges the workers' results in a fixed order: the same for any thread count.
ExploreResult Merge(const RunPlan& plan, std::vector<WorkerResult>& workers) {
  ExploreResult result;
  const WorkerResult& first = workers.front();
  result.crash_points = first.crash_points;
  std::vector<Failure> failures = std::move(workers.front().main_line_failures);
  result.violations = first.main_line_violations;
  std::vector<Failure> state_failures;
  for (size_t m = 0; m < plan.models.size(); ++m) {
    ModelStats stats = first.per_model[m];
    stats.states_checked = stats.inner_states_checked = stats.violations = 0;
    for (const WorkerResult& worker : workers) {
      const ModelStats& part = worker.per_model[m];
      stats.states_checked += part.states_checked;
      stats.inner_states_checked += part.inner_states_checked;
      stats.violations += part.violations;
      stats.exhaustive = stats.exhaustive && part.exhaustive;
    }
    result.states_checked += stats.states_checked;
    result.inner_states_checked += stats.inner_states_checked;
    result.violations += stats.violations;
    result.per_model[plan.models[m].Name()] = stats;
  }
  for (WorkerResult& worker : workers) {
    result.inner_crash_points += worker.inner_points;
    result.stopped_early = result.stopped_early || worker.stopped_early;
    for (Failure& failure : worker.failures) state_failures.push_back(std::move(failure));
  }
  std::stable_sort(state_failures.begin(), state_failures.end(),
                   [](const Failure& a, const Failure& b) { return a.ordinal < b.ordinal; });
  for (Failure& failure : state_failures) failures.push_back(std::move(failure));
  if (failures.size() > plan.options.max_failures) failures.resize(plan.options.max_failures);
  result.failures = std::move(failures);
  return result;
}

}  // namespace

Result<ExploreResult> Explore(const Scenario& scenario, const Workload& workload,
                              const EngineFactory& engine, const ExploreOptions& options) {
  POWERCUT_ASSIGN_OR_RETURN(RunPlan plan, MakePlan(scenario, workload, engine, options));
  SharedProgress progress;
  std::vector<WorkerResult> workers(static_cast<size_t>(plan.options.threads));
  if (plan.options.threads == 1) {
    workers[0] = RunWorker(plan, 0, &progress);
  } else {
    std::vector<std::thread> threads;
    for (int t = 0; t < plan.options.threads; ++t) {
      threads.emplace_back([&, t] { workers[t] = RunWorker(plan, t, &progress); });
    }
    for (std::thread& thread : threads) thread.join();
  }
  for (const WorkerResult& worker : workers) POWERCUT_RETURN_IF_ERROR(worker.status);
  ExploreResult result = Merge(plan, workers);
  if (options.on_progress) {
    options.on_progress(Progress{.crash_points = result.crash_points,
                                 .states_checked = result.states_checked,
                                 .failures = result.violations});
  }
  return result;
}

Result<ExploreResult> Explore(const Scenario& scenario, const Workload& workload,
                              std::string_view engine_name, const ExploreOptions& options) {
  const bool canaries_linked = BrokenEnginesRegistered();  // keeps them in the binary
  (void)canaries_linked;
  // Fail early, naming the known engines, if the name is unknown.
  POWERCUT_ASSIGN_OR_RETURN(auto probe,
                            EngineRegistry::Default().Create(engine_name, scenario.engine));
  probe.reset();
  EngineFactory factory = [name = std::string(engine_name)](const EngineSettings& settings) {
    return EngineRegistry::Default().Create(name, settings);
  };
  return Explore(scenario, workload, factory, options);
}

}  // namespace powercut::harness
