// Tests of the `fault` workload operation and of mutant settings: the op's
// line form parses, prints and round-trips through repro files and scenario
// TOML (with file:line:column errors for a bad rule); the explorer's main
// line applies the rule where the op stands (a mutant that ignores fsync
// errors is caught only with the op in the workload); crash states recover
// on fresh hardware (without the injected errors) but keep bitflip damage,
// which a correct engine reports as Corruption; and the reference adapter
// maps EngineSettings::mutant, rejecting an unknown name with the valid ones.
#include <gtest/gtest.h>

#include "engine_adapter.h"
#include "explorer.h"
#include "repro.h"
#include "scenario.h"
#include "workload_spec.h"

namespace powercut::harness {
namespace {

using faultfs::CrashModel;

TEST(FaultOpTest, LineParsesToANormalisedRuleAndPrintsBack) {
  Result<OpSpec> spec = ParseOpSpecLine("fault fsync-eio:/db/*.log:1");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->type, OpType::kFault);
  EXPECT_EQ(spec->fault_rule, "fsync-eio:/db/*.log:1:drop");
  EXPECT_EQ(OpSpecToLine(*spec), "fault fsync-eio:/db/*.log:1:drop");
  Result<OpSpec> again = ParseOpSpecLine(OpSpecToLine(*spec));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->fault_rule, spec->fault_rule);
  Workload workload = BuildWorkload({*spec});
  ASSERT_EQ(workload.ops.size(), 1u);
  EXPECT_EQ(workload.ops[0].ToString(), "fault fsync-eio:/db/*.log:1:drop");
  EXPECT_EQ(workload.write_count(), 0u);
}

TEST(FaultOpTest, BadRuleLinesSayWhatIsWrong) {
  Result<OpSpec> no_rule = ParseOpSpecLine("fault");
  ASSERT_FALSE(no_rule.ok());
  EXPECT_NE(no_rule.status().message().find("expected a fault rule"), std::string::npos);
  Result<OpSpec> bad = ParseOpSpecLine("fault fsync-eio:/db/*.log:many");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fault fsync-eio:/db/*.log:many"), std::string::npos)
      << bad.status().message();
  // "faulty" is not the fault op, and not any other op either.
  EXPECT_FALSE(ParseOpSpecLine("faulty k1").ok());
}

Workload FaultyWorkload() {
  WorkloadBuilder builder;
  builder.Put("k0", 8, true)
      .Fault("fsync-eio:/db/*.log:1:keep")
      .Put("k1", 8, true)
      .Fault("bitflip:/db/000002.log:20:3");
  return std::move(builder).Build();
}

TEST(FaultOpTest, ReproFilesKeepFaultOpsAndTheMutant) {
  Repro repro;
  repro.engine = "reference";
  repro.scenario = "faulty";
  repro.settings.mutant = "ack-before-wal-fsync";
  repro.workload = FaultyWorkload();
  Result<Repro> parsed = Repro::Parse(repro.ToText(), "test.repro");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->workload.ToString(), repro.workload.ToString());
  ASSERT_TRUE(parsed->settings.mutant.has_value());
  EXPECT_EQ(*parsed->settings.mutant, "ack-before-wal-fsync");
  EXPECT_NE(repro.ToText().find("engine.mutant = ack-before-wal-fsync\n"), std::string::npos);
}

TEST(FaultOpTest, ScenarioTomlRoundTripsFaultOpsAndTheMutant) {
  Scenario scenario;
  scenario.name = "faulty";
  scenario.description = "fault ops";
  scenario.engine.mutant = "ignore-fsync-error";
  const std::string toml = ScenarioToToml(scenario, FaultyWorkload());
  Result<Scenario> parsed = ParseScenario(toml, "faulty.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << toml;
  ASSERT_TRUE(parsed->workload.has_value());
  EXPECT_EQ(parsed->workload->ToString(), FaultyWorkload().ToString());
  EXPECT_EQ(parsed->engine.mutant.value_or(""), "ignore-fsync-error");
}

TEST(FaultOpTest, ScenarioErrorsNameFileLineAndColumn) {
  const std::string header = "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"fault\"\n";
  Result<Scenario> bad = ParseScenario(header + "rule = \"enospc:lots\"\n", "bad.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("bad.toml:5:", 0), 0u) << bad.status().message();
  Result<Scenario> missing = ParseScenario(header, "missing.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("rule"), std::string::npos)
      << missing.status().message();
  Result<Scenario> extra = ParseScenario(header + "rule = \"enospc:10\"\nsync = true\n", "x.toml");
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.status().message().find("sync"), std::string::npos) << extra.status().message();
}

Scenario Named(std::string name, std::vector<CrashModel> models = {}) {
  Scenario scenario;
  scenario.name = std::move(name);
  scenario.models = std::move(models);
  return scenario;
}

uint64_t Violations(const Scenario& scenario, const Workload& workload) {
  ExploreOptions options;
  options.max_states = 4;
  options.seed = 1;
  Result<ExploreResult> result = Explore(scenario, workload, "reference", options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? result->violations : UINT64_MAX;
}

TEST(FaultOpTest, TheMainLineAppliesTheRuleWhereTheOpStands) {
  // An engine that ignores a failed WAL fsync acknowledges a write whose
  // bytes the kernel dropped: caught only when the fsync really fails.
  WorkloadBuilder with_fault, without_fault;
  for (WorkloadBuilder* builder : {&with_fault, &without_fault}) {
    builder->Put("k0", 8, true);
    if (builder == &with_fault) builder->Fault("fsync-eio:/db/*.log:1:drop");
    builder->Put("k1", 8, true).Put("k2", 8, true);
  }
  Scenario scenario = Named("fsync-eio", {*CrashModel::Parse("power-loss")});
  scenario.engine.mutant = "ignore-fsync-error";
  EXPECT_GT(Violations(scenario, std::move(with_fault).Build()), 0u);
  EXPECT_EQ(Violations(scenario, std::move(without_fault).Build()), 0u);
  scenario.engine.mutant.reset();  // the correct engine fails the write instead
  WorkloadBuilder again;
  again.Put("k0", 8, true).Fault("fsync-eio:/db/*.log:1:drop").Put("k1", 8, true);
  EXPECT_EQ(Violations(scenario, std::move(again).Build()), 0u);
}

TEST(FaultOpTest, CrashStatesRecoverWithoutTheInjectedErrors) {
  // Every fsync of every file fails from here on: a recovery that kept the
  // rule could not even sync its new WAL and would fail to open.
  WorkloadBuilder builder;
  builder.Put("k0", 8, true).Fault("fsync-eio:*:0:drop").Put("k1", 8, true).Crash("power-loss");
  builder.Put("k2", 8, true);
  EXPECT_EQ(Violations(Named("fresh-hardware"), std::move(builder).Build()), 0u);
}

TEST(FaultOpTest, BitflipDamageStaysAndReportingItIsCorrect) {
  WorkloadBuilder builder;
  builder.Put("k0", 8, true).Put("k1", 8, true);
  builder.Fault("bitflip:/db/000002.log:20:3").Put("k2", 8, true).Put("k3", 8, true);
  const Workload workload = std::move(builder).Build();
  Scenario scenario = Named("bitflip");
  EXPECT_EQ(Violations(scenario, workload), 0u);      // the engine refuses with Corruption
  scenario.engine.mutant = "midlog-corruption-skip";  // serves a hole instead
  EXPECT_GT(Violations(scenario, workload), 0u);
}

// The other media-damage kinds count as damage too: the correct engine's
// Corruption is the right answer, and an engine that skips the damaged
// region is caught. Twenty synced records (about 1 KiB) come before the
// damage, so synced records after the damaged bytes vouch for them in every
// crash state (damage reaching the end of the log after a crash is the
// engine's documented limit, engine.md "The last synced record").
TEST(FaultOpTest, ZeroSectorAndMisdirectDamageAreReportedNotHidden) {
  for (const char* rule : {"zero-sector:/db/000002.log:0", "misdirect:/db/000002.log:0:40:20"}) {
    WorkloadBuilder builder;
    for (int i = 0; i < 20; ++i) builder.Put("k" + std::to_string(i), 20, true);
    builder.Fault(rule).Put("m0", 8, true).Put("m1", 8, true);
    const Workload workload = std::move(builder).Build();
    Scenario scenario = Named("damage");
    EXPECT_EQ(Violations(scenario, workload), 0u) << rule;
    scenario.engine.mutant = "midlog-corruption-skip";
    EXPECT_GT(Violations(scenario, workload), 0u) << rule;
  }
}

TEST(FaultOpTest, AFaultThatCannotApplyIsAnErrorNamingTheOp) {
  WorkloadBuilder builder;
  builder.Put("k0", 8, true).Fault("bitflip:/db/nosuchfile:0:1");
  ExploreOptions options;
  options.max_states = 1;
  Result<ExploreResult> result =
      Explore(Named("missing"), std::move(builder).Build(), "reference", options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("workload operation 2 (fault bitflip:/db/nosuchfile"),
            std::string::npos)
      << result.status().ToString();
}

TEST(MutantSettingTest, TheReferenceAdapterRejectsAnUnknownMutantListingTheValidOnes) {
  EngineSettings settings;
  settings.mutant = "no-such-bug";
  Result<std::unique_ptr<EngineAdapter>> engine =
      EngineRegistry::Default().Create("reference", settings);
  ASSERT_FALSE(engine.ok());
  EXPECT_TRUE(engine.status().IsInvalidArgument());
  EXPECT_NE(engine.status().message().find("no-such-bug"), std::string::npos);
  EXPECT_NE(engine.status().message().find("ack-before-wal-fsync"), std::string::npos);
  settings.mutant = "none";
  EXPECT_TRUE(EngineRegistry::Default().Create("reference", settings).ok());
}

}  // namespace
}  // namespace powercut::harness
