// Tests of the crash explorer: the reference engine passes every model, the
// ack-before-fsync canary is caught, runs are deterministic whatever the
// threads, shards partition the crash-state space, crash points inside
// recovery are explored, and a failure's crash path replays to the same
// violation.
#include "explorer.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "broken_adapters.h"
#include "scenario.h"
#include "workload.h"

namespace powercut::harness {
namespace {

using faultfs::CrashModel;
using faultfs::CrashModelKind;

// A small scenario touching every write path: synced and unsynced puts, a
// batch, a delete, a flush, a read and a reopen.
Scenario SmallScenario() {
  Scenario scenario;
  scenario.name = "explorer-test-small";
  scenario.description = "every write path, briefly";
  WorkloadBuilder builder;
  builder.Put("k1", 16, /*sync=*/true)
      .Put("k2", 100)
      .Batch({{true, "k3", 0, std::nullopt}, {false, "k1", 0, std::nullopt}}, /*sync=*/true)
      .Read("k2")
      .Flush()
      .Put("k4", 300, /*sync=*/true)
      .Delete("k2")
      .Reopen()
      .Put("k5", 8, /*sync=*/true)
      .Put("k6", 8);
  scenario.workload = std::move(builder).Build();
  return scenario;
}

// Synced writes and nothing else: the canary's bug shows at once.
Scenario SyncWritesScenario() {
  Scenario scenario;
  scenario.name = "explorer-test-sync";
  scenario.description = "synced puts";
  WorkloadBuilder builder;
  builder.Put("a", 8, true).Put("b", 8, true).Put("c", 8, false).Put("d", 8, true);
  scenario.workload = std::move(builder).Build();
  return scenario;
}

CrashModel Model(std::string_view name) {
  Result<CrashModel> model = CrashModel::Parse(name);
  EXPECT_TRUE(model.ok()) << name;
  return *model;
}

ExploreResult MustExplore(const Scenario& scenario, std::string_view engine,
                          const ExploreOptions& options) {
  Result<ExploreResult> result = Explore(scenario, *scenario.workload, engine, options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : ExploreResult{};
}

std::string Describe(const std::vector<Failure>& failures) {
  std::string text;
  for (size_t i = 0; i < failures.size() && i < 3; ++i) {
    text += failures[i].violation.ToString() + "\n";
  }
  return text;
}

// What must match between two runs: every failure's path and verdict.
using FailureKey = std::tuple<uint64_t, std::string, std::string, std::string>;
std::vector<FailureKey> Keys(const ExploreResult& result) {
  std::vector<FailureKey> keys;
  for (const Failure& f : result.failures) {
    keys.emplace_back(f.ordinal, f.violation.crash_state_id,
                      std::string(GuaranteeName(f.violation.guarantee)), f.violation.key);
  }
  return keys;
}

TEST(ExplorerTest, ReferenceEnginePassesEveryModel) {
  ExploreOptions options;
  options.models = CrashModel::All();
  options.max_states = 32;
  ExploreResult result = MustExplore(SmallScenario(), "reference", options);
  EXPECT_TRUE(result.failures.empty()) << Describe(result.failures);
  EXPECT_EQ(result.violations, 0u);
  ASSERT_EQ(result.per_model.size(), options.models.size());
  for (const auto& [name, stats] : result.per_model) {
    EXPECT_GT(stats.crash_points, 10u) << name;
    EXPECT_GE(stats.states_checked, stats.crash_points) << name;
    EXPECT_EQ(stats.violations, 0u) << name;
  }
  EXPECT_TRUE(result.per_model.at("power-loss").exhaustive);
  EXPECT_GT(result.states_checked, 0u);
}

TEST(ExplorerTest, AckBeforeFsyncCanaryIsCaughtUnderPowerLoss) {
  ASSERT_TRUE(BrokenEnginesRegistered());
  ExploreOptions options;
  options.models = {Model("power-loss")};
  ExploreResult result = MustExplore(SyncWritesScenario(), "broken-ack-before-fsync", options);
  ASSERT_FALSE(result.failures.empty());
  const Failure& first = result.failures.front();
  EXPECT_EQ(first.violation.guarantee, Guarantee::kAcknowledgedDurable)
      << first.violation.ToString();
  EXPECT_EQ(first.violation.key, "a") << first.violation.ToString();
  ASSERT_EQ(first.crash_path.size(), 1u);
  EXPECT_EQ(first.state, first.crash_path.front());
  EXPECT_EQ(first.state.model.kind, CrashModelKind::kPowerLoss);
  EXPECT_EQ(first.violation.crash_state_id, first.state.ToString());
  EXPECT_NE(first.ops_around.find("put a"), std::string::npos) << first.ops_around;
  EXPECT_FALSE(first.fates.empty());  // the lost WAL append is pending
  EXPECT_EQ(first.scenario, "explorer-test-sync");
  EXPECT_GT(result.per_model.at("power-loss").violations, 0u);
}

TEST(ExplorerTest, CanaryPassesUnderProcessKill) {
  // A kill -9 loses nothing: the canary's bug is invisible to it.
  ExploreOptions options;
  options.models = {Model("process-kill")};
  options.check_durable_recovery = false;
  ExploreResult result = MustExplore(SyncWritesScenario(), "broken-ack-before-fsync", options);
  EXPECT_TRUE(result.failures.empty()) << Describe(result.failures);
}

TEST(ExplorerTest, ConcurrentWorkersGiveTheSameResultAsOne) {
  ExploreOptions options;
  options.models = {Model("power-loss"), Model("reorder"), Model("torn")};
  options.max_states = 8;
  options.seed = 42;
  options.max_failures = 1000;
  ExploreResult one = MustExplore(SmallScenario(), "broken-ack-before-fsync", options);
  ExploreResult again = MustExplore(SmallScenario(), "broken-ack-before-fsync", options);
  options.threads = 3;
  ExploreResult threaded = MustExplore(SmallScenario(), "broken-ack-before-fsync", options);
  ASSERT_FALSE(one.failures.empty());
  EXPECT_EQ(Keys(one), Keys(again));
  EXPECT_EQ(Keys(one), Keys(threaded));
  EXPECT_EQ(one.states_checked, threaded.states_checked);
  EXPECT_EQ(one.violations, threaded.violations);
  for (const auto& [name, stats] : one.per_model) {
    EXPECT_EQ(stats.states_checked, threaded.per_model.at(name).states_checked) << name;
    EXPECT_EQ(stats.violations, threaded.per_model.at(name).violations) << name;
  }
}

TEST(ExplorerTest, ShardsPartitionTheCrashStates) {
  ExploreOptions options;
  options.models = {Model("power-loss"), Model("prefix")};
  options.max_failures = 100000;
  ExploreResult whole = MustExplore(SmallScenario(), "broken-ack-before-fsync", options);
  ASSERT_FALSE(whole.failures.empty());
  uint64_t states = 0, violations = 0;
  std::set<uint64_t> ordinals;
  for (uint32_t i = 0; i < 3; ++i) {
    options.shard = Shard{.index = i, .count = 3};
    ExploreResult part = MustExplore(SmallScenario(), "broken-ack-before-fsync", options);
    states += part.states_checked;
    violations += part.violations;
    for (const Failure& f : part.failures) {
      EXPECT_TRUE(ordinals.insert(f.ordinal).second) << "ordinal " << f.ordinal << " twice";
      EXPECT_EQ(f.ordinal % 3, i);
    }
  }
  EXPECT_EQ(states, whole.states_checked);
  EXPECT_EQ(violations, whole.violations);
  std::set<uint64_t> whole_ordinals;
  for (const Failure& f : whole.failures) whole_ordinals.insert(f.ordinal);
  EXPECT_EQ(ordinals, whole_ordinals);
}

TEST(ExplorerTest, ShardParsesTheOneBasedForm) {
  Result<Shard> shard = Shard::Parse("2/4");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(shard->index, 1u);
  EXPECT_EQ(shard->count, 4u);
  EXPECT_EQ(shard->ToString(), "2/4");
  for (std::string_view bad : {"0/4", "5/4", "1/0", "1", "a/b", "1/4x", "/4"}) {
    EXPECT_FALSE(Shard::Parse(bad).ok()) << bad;
  }
}

TEST(ExplorerTest, MultiCrashExploresCrashPointsInsideRecovery) {
  ExploreOptions options;
  options.models = {Model("prefix")};
  options.max_crash_depth = 2;
  options.max_states = 2;
  options.inner_max_states = 2;
  ExploreResult result = MustExplore(SyncWritesScenario(), "reference", options);
  EXPECT_TRUE(result.failures.empty()) << Describe(result.failures);
  EXPECT_GT(result.inner_crash_points, 0u);
  EXPECT_GT(result.inner_states_checked, result.inner_crash_points);
  EXPECT_EQ(result.per_model.at("prefix").inner_states_checked, result.inner_states_checked);
}

TEST(ExplorerTest, UnsafeRecoveryIsCaughtOnlyByCrashingInsideRecovery) {
  // The canary rewrites CURRENT in place while it recovers: harmless unless
  // the power fails inside that recovery. The workload has no reopen, so
  // only depth 2 crashes there.
  ExploreOptions options;
  options.models = {Model("power-loss")};
  ExploreResult shallow =
      MustExplore(SyncWritesScenario(), "broken-recovery-rewrites-current", options);
  EXPECT_TRUE(shallow.failures.empty()) << Describe(shallow.failures);
  options.max_crash_depth = 2;
  ExploreResult deep =
      MustExplore(SyncWritesScenario(), "broken-recovery-rewrites-current", options);
  ASSERT_FALSE(deep.failures.empty());
  const Failure& first = deep.failures.front();
  EXPECT_EQ(first.violation.guarantee, Guarantee::kCrashSafeRecovery) << first.violation.ToString();
  ASSERT_EQ(first.crash_path.size(), 2u);
  EXPECT_EQ(first.state, first.crash_path[0]);
  EXPECT_GT(first.crash_path[1].position, first.crash_path[0].position);
  EXPECT_EQ(first.violation.crash_state_id,
            first.crash_path[0].ToString() + " > " + first.crash_path[1].ToString());
  // And the two-crash path replays to the same verdict.
  Scenario scenario = SyncWritesScenario();
  EngineFactory factory = [](const EngineSettings& settings) {
    return EngineRegistry::Default().Create("broken-recovery-rewrites-current", settings);
  };
  Result<ReplayVerdict> verdict =
      ReplayCrashPath(*scenario.workload, factory, scenario.engine, first.crash_path, {});
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  EXPECT_TRUE(verdict->reached);
  ASSERT_FALSE(verdict->violations.empty());
  EXPECT_EQ(verdict->violations.front().guarantee, Guarantee::kCrashSafeRecovery);
  EXPECT_EQ(verdict->violations.front().underlying, first.violation.underlying);
}

TEST(ExplorerTest, SyncCrashPointsAreFewerThanAll) {
  ExploreOptions options;
  options.models = {Model("power-loss")};
  ExploreResult all = MustExplore(SmallScenario(), "reference", options);
  options.crash_points = CrashPoints::kSync;
  ExploreResult sync = MustExplore(SmallScenario(), "reference", options);
  EXPECT_TRUE(sync.failures.empty()) << Describe(sync.failures);
  EXPECT_GT(sync.crash_points, 0u);
  EXPECT_LT(sync.crash_points, all.crash_points);
}

TEST(ExplorerTest, ReplayOfACrashPathGivesTheSameViolation) {
  ExploreOptions options;
  options.models = {Model("prefix")};
  options.seed = 7;
  Scenario scenario = SmallScenario();
  ExploreResult result = MustExplore(scenario, "broken-ack-before-fsync", options);
  ASSERT_FALSE(result.failures.empty());
  EngineFactory factory = [](const EngineSettings& settings) {
    return EngineRegistry::Default().Create("broken-ack-before-fsync", settings);
  };
  for (const Failure& failure : result.failures) {
    Result<ReplayVerdict> verdict =
        ReplayCrashPath(*scenario.workload, factory, scenario.engine, failure.crash_path,
                        {.seed = 7, .after_ack = failure.after_ack});
    ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
    EXPECT_TRUE(verdict->reached);
    ASSERT_FALSE(verdict->violations.empty()) << failure.violation.ToString();
    EXPECT_EQ(verdict->violations.front().guarantee, failure.violation.guarantee);
    EXPECT_EQ(verdict->violations.front().key, failure.violation.key);
    EXPECT_EQ(verdict->ops_around, failure.ops_around);
  }
}

TEST(ExplorerTest, ReplayOfAPassingStatePasses) {
  Scenario scenario = SyncWritesScenario();
  EngineFactory factory = [](const EngineSettings& settings) {
    return EngineRegistry::Default().Create("reference", settings);
  };
  faultfs::CrashStateId id;
  id.model = Model("power-loss");
  id.position = 5;
  Result<ReplayVerdict> verdict =
      ReplayCrashPath(*scenario.workload, factory, scenario.engine, {id}, {});
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  EXPECT_TRUE(verdict->reached);
  EXPECT_TRUE(verdict->violations.empty());
}

// Answers every live read with a value nobody wrote; otherwise the
// reference engine.
class LyingReadsAdapter final : public EngineAdapter {
 public:
  explicit LyingReadsAdapter(std::unique_ptr<EngineAdapter> inner) : inner_(std::move(inner)) {}
  std::string_view name() const override { return "lying-reads"; }
  Status Open(faultfs::FileSystem* fs, std::string_view dir) override {
    return inner_->Open(fs, dir);
  }
  Status Write(const std::vector<Mutation>& batch, bool sync) override {
    return inner_->Write(batch, sync);
  }
  Result<std::optional<std::string>> Read(std::string_view key) override {
    return std::optional<std::string>("invented");
  }
  Result<std::vector<std::pair<std::string, std::string>>> Scan() override {
    return inner_->Scan();
  }
  Status Flush() override { return inner_->Flush(); }
  Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<EngineAdapter> inner_;
};

TEST(ExplorerTest, MainLineReadViolationComesFirstWithNoCrashPath) {
  EngineFactory lying =
      [](const EngineSettings& settings) -> Result<std::unique_ptr<EngineAdapter>> {
    POWERCUT_ASSIGN_OR_RETURN(auto inner, EngineRegistry::Default().Create("reference", settings));
    return std::unique_ptr<EngineAdapter>(std::make_unique<LyingReadsAdapter>(std::move(inner)));
  };
  Scenario scenario = SmallScenario();
  ExploreOptions options;
  options.models = {Model("power-loss")};
  Result<ExploreResult> result = Explore(scenario, *scenario.workload, lying, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->failures.size(), 1u) << Describe(result->failures);
  const Failure& failure = result->failures.front();
  EXPECT_EQ(failure.violation.guarantee, Guarantee::kReadConsistency);
  EXPECT_EQ(failure.violation.key, "k2");
  EXPECT_TRUE(failure.crash_path.empty());
  EXPECT_NE(failure.ops_around.find("> #4 read k2"), std::string::npos) << failure.ops_around;
  EXPECT_EQ(result->violations, 1u);
  // Replaying the main line alone finds it again.
  Result<ReplayVerdict> verdict =
      ReplayCrashPath(*scenario.workload, lying, scenario.engine, {}, {});
  ASSERT_TRUE(verdict.ok());
  ASSERT_EQ(verdict->violations.size(), 1u);
  EXPECT_EQ(verdict->violations.front().guarantee, Guarantee::kReadConsistency);
}

TEST(ExplorerTest, FailuresFoundAtSyncPointsReplayInThatMode) {
  ExploreOptions options;
  options.models = {Model("reorder")};
  options.crash_points = CrashPoints::kSync;
  options.max_failures = 1000;
  Scenario scenario = SmallScenario();
  ExploreResult result = MustExplore(scenario, "broken-ack-before-fsync", options);
  ASSERT_FALSE(result.failures.empty());
  EngineFactory factory = [](const EngineSettings& settings) {
    return EngineRegistry::Default().Create("broken-ack-before-fsync", settings);
  };
  bool saw_after_ack = false, saw_inside_op = false;
  for (const Failure& failure : result.failures) {
    (failure.after_ack ? saw_after_ack : saw_inside_op) = true;
    Result<ReplayVerdict> verdict =
        ReplayCrashPath(*scenario.workload, factory, scenario.engine, failure.crash_path,
                        {.crash_points = CrashPoints::kSync, .after_ack = failure.after_ack});
    ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
    EXPECT_TRUE(verdict->reached);
    ASSERT_FALSE(verdict->violations.empty()) << failure.violation.ToString();
    EXPECT_EQ(verdict->violations.front().guarantee, failure.violation.guarantee);
  }
  EXPECT_TRUE(saw_after_ack);
  EXPECT_TRUE(saw_inside_op);
}

TEST(ExplorerTest, UnknownEngineIsAnError) {
  Scenario scenario = SyncWritesScenario();
  Result<ExploreResult> result = Explore(scenario, *scenario.workload, "no-such-engine", {});
  EXPECT_FALSE(result.ok());
}

}  // namespace
}  // namespace powercut::harness
