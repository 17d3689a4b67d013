// End-to-end culprit analysis on the reference engine with a mutant: explore
// a one-put workload, turn the first failure into a repro, and check that the
// analysis blames the right file operation and names the mutant's class —
// and that on the correct engine the same repro has nothing to explain.
#include <gtest/gtest.h>

#include "culprit.h"
#include "explorer.h"
#include "repro.h"

namespace powercut::harness {
namespace {

using faultfs::CrashModel;
using faultfs::OpKind;

// The repro of the first failure of one synced put under `mutant` and
// `model`.
Repro FirstFailure(const std::string& mutant, std::string_view model) {
  Scenario scenario;
  scenario.name = "culprit-" + mutant;
  scenario.engine.mutant = mutant;
  WorkloadBuilder builder;
  builder.Put("k0", 2, true);
  scenario.workload = std::move(builder).Build();
  ExploreOptions options;
  options.models = {*CrashModel::Parse(model)};
  options.seed = 1;
  Result<ExploreResult> result = Explore(scenario, *scenario.workload, "reference", options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok() || result->failures.empty()) {
    ADD_FAILURE() << mutant << " was not caught under " << model;
    return Repro{};
  }
  return MakeRepro(result->failures.front(), "reference", scenario, *scenario.workload, options);
}

TEST(CulpritMutant, NoDirFsyncOnCreateBlamesTheLostCreateOfTheLog) {
  Repro repro = FirstFailure("no-dir-fsync-on-create", "power-loss");
  ASSERT_FALSE(repro.crash_path.empty());
  Result<CulpritReport> report = AnalyzeCulprits(repro);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->found) << FormatCulpritReport(*report);
  ASSERT_EQ(report->culprits.size(), 1u) << FormatCulpritReport(*report);
  EXPECT_EQ(report->culprits[0].op.kind, OpKind::kCreate);
  EXPECT_TRUE(report->culprits[0].op.path.ends_with(".log")) << report->culprits[0].op.path;
  EXPECT_EQ(report->suggested_class, "C02") << report->reason;
  EXPECT_GE(report->states_tried, 1u);
  // The state it names passes when replayed.
  Result<faultfs::CrashStateId> passing = faultfs::CrashStateId::Parse(report->passing_state);
  ASSERT_TRUE(passing.ok()) << report->passing_state;
  Repro counterfactual = repro;
  counterfactual.crash_path = {*passing};
  Result<ReplayReport> replay = ReplayRepro(counterfactual);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_TRUE(replay->violations.empty());
  EXPECT_NE(FormatCulpritReport(*report).find("suggested class: C02"), std::string::npos);
}

TEST(CulpritMutant, AckBeforeWalFsyncBlamesThePendingWalWrite) {
  Repro repro = FirstFailure("ack-before-wal-fsync", "power-loss");
  Result<CulpritReport> report = AnalyzeCulprits(repro);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->found) << FormatCulpritReport(*report);
  ASSERT_EQ(report->culprits.size(), 1u);
  EXPECT_EQ(report->culprits[0].op.kind, OpKind::kWrite);
  EXPECT_EQ(report->suggested_class, "C01") << report->reason;
}

TEST(CulpritMutant, TheCorrectEngineHasNothingToExplain) {
  Repro repro = FirstFailure("no-dir-fsync-on-create", "power-loss");
  repro.settings.mutant.reset();
  Result<CulpritReport> report = AnalyzeCulprits(repro);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->found);
  EXPECT_TRUE(report->culprits.empty());
  EXPECT_NE(report->explanation.find("no longer fails"), std::string::npos);
}

}  // namespace
}  // namespace powercut::harness
