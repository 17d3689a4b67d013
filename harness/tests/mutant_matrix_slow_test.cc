// The mutant matrix in reduced form (harness/mutant_matrix.h): the correct
// reference engine is clean and every mutant is caught, on the scenario
// files with explicit steps (the generated long workloads are left to
// `ci/matrix --mutants`), one seed and a small crash-state budget. Labelled
// harness-slow-threads (file name, two worker threads): ci/test's ASan pass
// leaves it out, its TSan pass runs it (the full matrix skips itself there).
#include <gtest/gtest.h>

#include "mutant_matrix.h"
#include "powercut/engine/mutant.h"

namespace powercut::harness {
namespace {

std::vector<Scenario> ExplicitStepScenarios() {
  Result<std::vector<Scenario>> all = LoadScenarioDir(POWERCUT_SCENARIO_DIR);
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  std::vector<Scenario> explicit_steps;
  if (!all.ok()) return explicit_steps;
  for (Scenario& scenario : *all) {
    if (scenario.workload) explicit_steps.push_back(std::move(scenario));
  }
  return explicit_steps;
}

TEST(MutantMatrixSlowTest, EveryMutantIsCaughtAndTheCorrectEngineIsClean) {
#if defined(__SANITIZE_THREAD__)
  // 17 s normally, past the 300 s timeout under TSan: the two-thread matrix
  // runs under TSan in the reduced test below.
  GTEST_SKIP() << "too slow under TSan; TwoThreadMatrixOfOneMutant covers the threads";
#endif
  const std::vector<Scenario> scenarios = ExplicitStepScenarios();
  ASSERT_GE(scenarios.size(), 10u);
  MutantMatrixOptions options;
  options.max_states = 2;
  options.threads = 2;
  options.shrink_runs = 10;
  Result<MutantMatrixResult> result = RunMutantMatrix(scenarios, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->baseline.violations, 0u);
  EXPECT_TRUE(result->baseline.errors.empty());
  for (const std::string& failure : result->baseline.failures) ADD_FAILURE() << failure;
  ASSERT_EQ(result->rows.size(), engine::AllMutants().size());
  for (const MutantRow& row : result->rows) {
    EXPECT_TRUE(row.caught) << row.mutant << " escaped " << row.error;
    if (!row.caught) continue;
    EXPECT_FALSE(row.guarantee.empty()) << row.mutant;
    EXPECT_EQ(row.repro.settings.mutant.value_or(""), row.mutant);
    EXPECT_EQ(row.repro_ops, row.repro.workload.ops.size());
    EXPECT_TRUE(row.correct_engine_passes) << row.mutant << ": " << row.repro.ToText();
  }
  EXPECT_EQ(result->caught(), engine::AllMutants().size());
}

// The matrix's two worker threads on one mutant and three scenarios: small
// enough for ci/test's TSan pass (label harness-slow-threads), which is
// where it matters.
TEST(MutantMatrixSlowTest, TwoThreadMatrixOfOneMutant) {
  std::vector<Scenario> scenarios;
  for (Scenario& scenario : ExplicitStepScenarios()) {
    if (scenario.name == "sync-writes" || scenario.name == "batches" ||
        scenario.name == "torn-tail") {
      scenarios.push_back(std::move(scenario));
    }
  }
  ASSERT_EQ(scenarios.size(), 3u);
  MutantMatrixOptions options;
  options.max_states = 2;
  options.threads = 2;
  options.shrink_runs = 2;
  options.mutants = {"ack-before-wal-fsync"};
  Result<MutantMatrixResult> result = RunMutantMatrix(scenarios, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->baseline.violations, 0u);
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_TRUE(result->rows[0].caught) << result->rows[0].error;
}

TEST(MutantMatrixSlowTest, ModelsRunInCrashModelOrderAndUnknownMutantsAreRejected) {
  Scenario scenario;
  scenario.models = {*faultfs::CrashModel::Parse("zero-tail"),
                     *faultfs::CrashModel::Parse("power-loss")};
  std::vector<faultfs::CrashModel> models = ModelsInMatrixOrder(scenario);
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].Name(), "power-loss");
  MutantMatrixOptions options;
  options.mutants = {"no-such-bug"};
  Result<MutantMatrixResult> result = RunMutantMatrix(ExplicitStepScenarios(), options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("ack-before-wal-fsync"), std::string::npos);
}

}  // namespace
}  // namespace powercut::harness
