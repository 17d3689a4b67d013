// Tests of the shrinker: a canary's failure on a generated workload shrinks
// to a handful of operations that still break the same guarantee, the repro
// written for it replays to that violation, and the budget is respected.
#include "shrink.h"

#include <gtest/gtest.h>

#include "repro.h"

namespace powercut::harness {
namespace {

using faultfs::CrashModel;

EngineFactory Engine(std::string name) {
  return [name](const EngineSettings& settings) {
    return EngineRegistry::Default().Create(name, settings);
  };
}

struct Found {
  Scenario scenario;
  Workload workload;
  ExploreOptions options;
  Failure failure;
};

// A generated workload of 40 operations on which the ack-before-fsync canary
// fails under power-loss.
Found CanaryFailure() {
  Found found;
  found.scenario.name = "shrink-test";
  GeneratorOptions generator;
  generator.op_count = 40;
  generator.key_count = 8;
  generator.sync_ratio = 0.3;
  generator.batch_ratio = 0.2;
  generator.read_ratio = 0.1;
  generator.flush_every = 9;
  Result<Workload> workload = Generate(generator, 11);
  EXPECT_TRUE(workload.ok());
  found.workload = *workload;
  found.options.models = {*CrashModel::Parse("power-loss")};
  found.options.seed = 11;
  Result<ExploreResult> result =
      Explore(found.scenario, found.workload, Engine("broken-ack-before-fsync"), found.options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->failures.empty());
  if (!result->failures.empty()) found.failure = result->failures.back();
  return found;
}

TEST(ShrinkTest, CanaryFailureShrinksToAHandfulOfOperations) {
  Found found = CanaryFailure();
  ASSERT_GE(found.workload.ops.size(), 40u);
  ASSERT_EQ(found.failure.violation.guarantee, Guarantee::kAcknowledgedDurable);

  ShrinkOptions options;
  options.explore = found.options;
  Result<ShrinkResult> shrunk = Shrink(found.scenario, found.workload,
                                       Engine("broken-ack-before-fsync"), found.failure, options);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().ToString();
  EXPECT_LE(shrunk->workload.ops.size(), 5u) << shrunk->workload.ToString();
  EXPECT_GE(shrunk->workload.ops.size(), 1u);
  EXPECT_LE(shrunk->runs, options.max_runs);
  EXPECT_EQ(shrunk->failure.violation.guarantee, Guarantee::kAcknowledgedDurable)
      << shrunk->failure.violation.ToString();
  // The shrunk failure names a key of the shrunk workload.
  EXPECT_NE(shrunk->workload.ToString().find(shrunk->failure.violation.key), std::string::npos);

  // Its repro, through the file format, replays to the same violation.
  Repro repro = MakeRepro(shrunk->failure, "broken-ack-before-fsync", found.scenario,
                          shrunk->workload, options.explore);
  Result<Repro> parsed = Repro::Parse(repro.ToText(), "shrunk");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Result<ReplayReport> report = ReplayRepro(*parsed);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->reproduced) << repro.ToText();
}

TEST(ShrinkTest, TheRunBudgetIsRespected) {
  Found found = CanaryFailure();
  ShrinkOptions options;
  options.explore = found.options;
  options.max_runs = 3;
  Result<ShrinkResult> shrunk = Shrink(found.scenario, found.workload,
                                       Engine("broken-ack-before-fsync"), found.failure, options);
  ASSERT_TRUE(shrunk.ok());
  EXPECT_EQ(shrunk->runs, 3u);
  EXPECT_TRUE(shrunk->budget_exhausted);
  EXPECT_EQ(shrunk->failure.violation.guarantee, found.failure.violation.guarantee);
}

TEST(ShrinkTest, AWorkloadThatNoLongerFailsIsKeptWhole) {
  // The correct engine does not fail: nothing can be removed, the input comes back.
  Found found = CanaryFailure();
  ShrinkOptions options;
  options.explore = found.options;
  options.max_runs = 20;
  Result<ShrinkResult> shrunk =
      Shrink(found.scenario, found.workload, Engine("reference"), found.failure, options);
  ASSERT_TRUE(shrunk.ok());
  EXPECT_EQ(shrunk->workload.ToString(), found.workload.ToString());
  EXPECT_EQ(shrunk->failure.violation.crash_state_id, found.failure.violation.crash_state_id);
}

}  // namespace
}  // namespace powercut::harness
