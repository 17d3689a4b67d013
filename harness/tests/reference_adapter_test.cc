// Tests of the reference engine's adapter on SimFs: the operations map onto
// the engine (write, read, scan, flush, reopen), and after a power cut the
// recovered state passes the oracle. Skipped when the engine is not built.
#include <gtest/gtest.h>

#include "engine_adapter.h"
#include "oracle.h"
#include "powercut/faultfs/sim_fs.h"
#include "runner.h"
#include "workload.h"

namespace powercut::harness {
namespace {

std::unique_ptr<EngineAdapter> MakeReference(EngineSettings settings = {}) {
  Result<std::unique_ptr<EngineAdapter>> engine =
      EngineRegistry::Default().Create("reference", settings);
  return engine.ok() ? std::move(engine).value() : nullptr;
}

#define SKIP_WITHOUT_ENGINE(engine) \
  if (!(engine)) GTEST_SKIP() << "the reference engine is not built into this harness"

TEST(ReferenceAdapterTest, UnknownEngineNamesTheKnownOnes) {
  Result<std::unique_ptr<EngineAdapter>> engine = EngineRegistry::Default().Create("nope", {});
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("unknown engine 'nope'"), std::string::npos);
}

TEST(ReferenceAdapterTest, RegistryRejectsADuplicateName) {
  EngineRegistry registry;
  EngineFactory factory = [](const EngineSettings&) -> Result<std::unique_ptr<EngineAdapter>> {
    return Status::InvalidArgument("unused");
  };
  EXPECT_TRUE(registry.Register("x", factory).ok());
  EXPECT_FALSE(registry.Register("x", factory).ok());
  EXPECT_EQ(registry.Names(), std::vector<std::string>{"x"});
}

TEST(ReferenceAdapterTest, BadWalRecoveryModeIsRejected) {
  SKIP_WITHOUT_ENGINE(MakeReference());
  EngineSettings settings;
  settings.wal_recovery_mode = "yolo";
  EXPECT_FALSE(EngineRegistry::Default().Create("reference", settings).ok());
}

TEST(ReferenceAdapterTest, OperationsRoundTripThroughTheEngine) {
  EngineSettings settings;
  settings.write_buffer_bytes = 4096;
  faultfs::SimFs fs;  // outlives the engine
  std::unique_ptr<EngineAdapter> engine = MakeReference(settings);
  SKIP_WITHOUT_ENGINE(engine);
  ASSERT_TRUE(engine->Open(&fs, "/db").ok());
  WorkloadBuilder b;
  WorkloadBuilder::Entry put_c, delete_a;
  put_c.key = "c";
  delete_a.put = false;
  delete_a.key = "a";
  b.Put("a", 100, true).Put("b", 40000).Batch({put_c, delete_a}, true).Flush().Read("b");
  b.Reopen().Read("c").Scan().Put("d", 10);
  Oracle oracle;
  for (const Operation& op : std::move(b).Build().ops) {
    StepResult step = RunOperation(op, *engine, oracle, &fs, "/db");
    ASSERT_TRUE(step.status.ok()) << op.ToString() << ": " << step.status.ToString();
    ASSERT_TRUE(step.violations.empty()) << op.ToString() << ": " << step.violations[0].ToString();
  }
  Result<KvState> state = ScanState(*engine);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->size(), 3u);
  EXPECT_FALSE(state->count("a"));
  EXPECT_EQ(state->at("b").size(), 40000u);
  EXPECT_TRUE(engine->Close().ok());
}

TEST(ReferenceAdapterTest, PowerLossAfterSyncedWritesPassesTheOracle) {
  faultfs::SimFs fs;  // outlives the engine
  std::unique_ptr<EngineAdapter> engine = MakeReference();
  SKIP_WITHOUT_ENGINE(engine);
  ASSERT_TRUE(engine->Open(&fs, "/db").ok());
  WorkloadBuilder b;
  b.Put("a", 0, true).Put("b").Put("a", 0, true).Put("c");
  Oracle oracle;
  for (const Operation& op : std::move(b).Build().ops) {
    ASSERT_TRUE(RunOperation(op, *engine, oracle, &fs, "/db").status.ok());
  }
  for (const char* model_name : {"power-loss", "process-kill", "prefix"}) {
    Result<faultfs::CrashModel> model = faultfs::CrashModel::Parse(model_name);
    ASSERT_TRUE(model.ok());
    auto states = fs.EnumerateCrashStates(*model, faultfs::EnumerationBudget{});
    ASSERT_TRUE(states.ok()) << states.status().ToString();
    while (std::optional<faultfs::CrashStateId> id = (*states)->Next()) {
      Result<std::unique_ptr<faultfs::SimFs>> crashed = fs.Crash(*id);
      ASSERT_TRUE(crashed.ok()) << crashed.status().ToString();
      std::unique_ptr<EngineAdapter> recovered = MakeReference();
      ASSERT_TRUE(recovered->Open(crashed->get(), "/db").ok()) << id->ToString();
      Result<KvState> state = ScanState(*recovered);
      ASSERT_TRUE(state.ok());
      CheckResult result = oracle.Check(*state);
      EXPECT_TRUE(result.ok()) << id->ToString() << ": " << result.violations[0].ToString();
    }
  }
}

}  // namespace
}  // namespace powercut::harness
