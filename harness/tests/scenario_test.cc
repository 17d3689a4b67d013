// Tests of scenario files: every scenario shipped in scenarios/ parses into
// runnable workloads, and each kind of malformed input is rejected with a
// "file:line:column: what was expected" message pointing at the right node.
#include "scenario.h"

#include <gtest/gtest.h>

#include <set>

namespace powercut::harness {
namespace {

const std::string kScenarioDir = POWERCUT_SCENARIO_DIR;
const std::string kBadScenarioDir = POWERCUT_BAD_SCENARIO_DIR;

const Scenario* Find(const std::vector<Scenario>& scenarios, std::string_view name) {
  for (const Scenario& s : scenarios) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

TEST(ScenarioTest, EveryShippedScenarioParsesIntoWorkloads) {
  Result<std::vector<Scenario>> scenarios = LoadScenarioDir(kScenarioDir);
  ASSERT_TRUE(scenarios.ok()) << scenarios.status().ToString();
  EXPECT_GE(scenarios->size(), 12u);
  for (const Scenario& scenario : *scenarios) {
    EXPECT_FALSE(scenario.description.empty()) << scenario.source;
    for (uint64_t seed : scenario.RunSeeds()) {
      Result<Workload> workload = scenario.WorkloadForSeed(seed);
      ASSERT_TRUE(workload.ok()) << scenario.source << ": " << workload.status().ToString();
      EXPECT_GT(workload->write_count(), 0u) << scenario.source;
    }
  }
}

TEST(ScenarioTest, ShippedScenariosCoverTheirPurpose) {
  Result<std::vector<Scenario>> scenarios = LoadScenarioDir(kScenarioDir);
  ASSERT_TRUE(scenarios.ok()) << scenarios.status().ToString();
  const Scenario* large = Find(*scenarios, "large-values");
  ASSERT_NE(large, nullptr);
  size_t largest = 0;
  for (const Operation& op : large->workload->ops) {
    for (const Mutation& m : op.mutations) largest = std::max(largest, m.value.size());
  }
  EXPECT_GT(largest, 100u * 1024);

  const Scenario* syncs = Find(*scenarios, "many-small-syncs");
  ASSERT_NE(syncs, nullptr);
  EXPECT_EQ(syncs->workload->write_count(), 100u);
  EXPECT_EQ(syncs->crash_points, CrashPoints::kSync);
  EXPECT_EQ(syncs->workload->ops[13].mutations[0].key, "k3");  // key_cycle = 10

  const Scenario* recovery = Find(*scenarios, "crash-during-recovery");
  ASSERT_NE(recovery, nullptr);
  EXPECT_EQ(recovery->multi_crash.depth, 2u);
  EXPECT_TRUE(recovery->multi_crash.double_recovery);
  EXPECT_EQ(recovery->engine.write_buffer_bytes, 8192u);

  const Scenario* random = Find(*scenarios, "long-random");
  ASSERT_NE(random, nullptr);
  ASSERT_TRUE(random->generator.has_value());
  EXPECT_EQ(random->RunSeeds(), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(random->WorkloadForSeed(2)->ToString(), Generate(*random->generator, 2)->ToString());
}

TEST(ScenarioTest, ExplicitOpsExpandRepeatAndBatches) {
  Result<Scenario> s = ParseScenario(R"(
name = "x"
description = "y"
models = ["power-loss", "torn-4096-junk"]
[[op]]
kind = "put"
key = "k{i}"
repeat = 3
value_bytes = 50
[[op]]
kind = "batch"
sync = true
mutations = [{ put = "a", value = "hello" }, { delete = "k1" }]
[[op]]
kind = "crash"
model = "prefix"
)",
                                     "inline.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->workload->ToString(),
            "put k0 v1*50\nput k1 v2*50\nput k2 v3*50\n"
            "batch sync {put a hello; delete k1}\ncrash prefix\n");
  ASSERT_EQ(s->workload->ops.size(), 5u);
  EXPECT_EQ(s->workload->ops[2].mutations[0].key, "k2");
  EXPECT_EQ(s->workload->ops[2].mutations[0].value.size(), 50u);
  EXPECT_EQ(s->workload->ops[3].ToString(), "batch sync {put a hello; delete k1}");
  EXPECT_EQ(s->workload->ops[4].ToString(), "crash prefix");
  ASSERT_EQ(s->models.size(), 2u);
  EXPECT_EQ(s->models[1].Name(), "torn-4096-junk");
}

struct BadCase {
  const char* what;
  const char* text;
  const char* message;  // the whole message must start with this
};

// Each malformed scenario and the exact location + expectation it reports.
const BadCase kBadCases[] = {
    {"syntax error", "name = \"x\"\ndescription = \n", "bad.toml:2:15: "},
    {"unknown top-level key", "name = \"x\"\ndescription = \"y\"\nseed = 3\n",
     "bad.toml:3:1: unknown key 'seed' in the scenario (expected one of: name, description,"},
    {"unknown op key",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"put\"\nkey = \"a\"\nsycn = true\n",
     "bad.toml:6:1: unknown key 'sycn' in op 1 (put) (expected one of: kind, key, value,"},
    {"key that does not apply to the kind",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"flush\"\nsync = true\n",
     "bad.toml:5:1: unknown key 'sync' in op 1 (flush) (expected one of: kind, repeat)"},
    {"wrong type",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"put\"\nkey = \"a\"\nsync = \"yes\"\n",
     "bad.toml:6:8: 'sync' in op 1 must be a boolean, not a string"},
    {"missing name", "description = \"y\"\n[[op]]\nkind = \"flush\"\n",
     "bad.toml:1:1: missing required key 'name' in the scenario"},
    {"missing kind",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"flush\"\n[[op]]\nkey = \"a\"\n",
     "bad.toml:5:1: missing required key 'kind' in op 2"},
    {"missing key", "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"delete\"\n",
     "bad.toml:3:1: missing required key 'key' in op 1"},
    {"bad op kind", "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"sync\"\n",
     "bad.toml:4:8: unknown op kind 'sync' in op 1 (expected put, delete, batch,"},
    {"negative value size",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"put\"\nkey = \"a\"\nvalue_bytes = -1\n",
     "bad.toml:6:15: 'value_bytes' in op 1 must be between 0 and 16777216, not -1"},
    {"bad crash points",
     "name = \"x\"\ndescription = \"y\"\ncrash_points = \"some\"\n[[op]]\nkind = \"flush\"\n",
     "bad.toml:3:16: 'crash_points' must be \"all\" or \"sync\", not \"some\""},
    {"bad model",
     "name = \"x\"\ndescription = \"y\"\nmodels = [\"power-loss\", \"meteor\"]\n[[op]]\nkind = "
     "\"flush\"\n",
     "bad.toml:3:25: "},
    {"bad crash model in op",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"crash\"\nmodel = \"gentle\"\n",
     "bad.toml:5:9: "},
    {"ops and generate",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"flush\"\n[generate]\nseeds = [1]\n",
     "bad.toml:5:1: a scenario has either [[op]] steps or a [generate] table, not both"},
    {"no workload", "name = \"x\"\ndescription = \"y\"\n",
     "bad.toml:1:1: missing required key 'op' in the scenario (give [[op]] steps or a [generate]"},
    {"mutation with put and delete",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"batch\"\nmutations = [{ put = \"a\", "
     "delete = \"b\" }]\n",
     "bad.toml:5:14: op 1 mutation 1 must have exactly one of put = \"key\" or delete = \"key\""},
    {"duplicate explicit value",
     "name = \"x\"\ndescription = \"y\"\n[[op]]\nkind = \"put\"\nkey = \"a\"\nvalue = \"v\"\n"
     "[[op]]\nkind = \"put\"\nkey = \"b\"\nvalue = \"v\"\n",
     "bad.toml:10:9: value 'v' in op 2 is written twice"},
    {"generator range inverted",
     "name = \"x\"\ndescription = \"y\"\n[generate]\nvalue_bytes = [10, 5]\nseeds = [1]\n",
     "bad.toml:4:15: 'value_bytes' in [generate]: min is larger than max"},
    {"generator ratio out of range",
     "name = \"x\"\ndescription = \"y\"\n[generate]\nsync_ratio = 2\nseeds = [1]\n",
     "bad.toml:4:14: 'sync_ratio' in [generate] must be in [0, 1], not 2"},
    {"generator without seeds", "name = \"x\"\ndescription = \"y\"\n[generate]\nop_count = 5\n",
     "bad.toml:3:1: missing required key 'seeds' in [generate]"},
    {"engine not a table",
     "name = \"x\"\ndescription = \"y\"\nengine = 5\n[[op]]\nkind = \"flush\"\n",
     "bad.toml:3:10: 'engine' must be a table, not an integer"},
    {"bad wal recovery mode",
     "name = \"x\"\ndescription = \"y\"\n[engine]\nwal_recovery_mode = \"yolo\"\n[[op]]\nkind = "
     "\"flush\"\n",
     "bad.toml:4:21: 'wal_recovery_mode' in [engine] must be"},
    {"multi-crash depth too deep",
     "name = \"x\"\ndescription = \"y\"\n[multi_crash]\ndepth = 9\n[[op]]\nkind = \"flush\"\n",
     "bad.toml:4:9: 'depth' in [multi_crash] must be between 1 and 3, not 9"},
};

class BadScenarioTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenarioTest, IsRejectedWithFileLineColumnAndExpectation) {
  const BadCase& bad = GetParam();
  Result<Scenario> scenario = ParseScenario(bad.text, "bad.toml");
  ASSERT_FALSE(scenario.ok()) << bad.what;
  EXPECT_TRUE(scenario.status().IsInvalidArgument());
  const std::string& message = scenario.status().message();
  EXPECT_EQ(message.substr(0, std::string(bad.message).size()), bad.message)
      << bad.what << "\n  got: " << message;
  EXPECT_GT(message.size(), std::string_view("bad.toml:1:1: ").size()) << "says what was expected";
}

INSTANTIATE_TEST_SUITE_P(Malformed, BadScenarioTest, ::testing::ValuesIn(kBadCases));

TEST(ScenarioTest, BadScenarioFilesNameTheirPath) {
  Result<Scenario> typo = LoadScenarioFile(kBadScenarioDir + "/unknown_op_key.toml");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find(kBadScenarioDir + "/unknown_op_key.toml:7:1: unknown key "
                                                           "'sycn'"),
            std::string::npos)
      << typo.status().message();
  Result<Scenario> broken = LoadScenarioFile(kBadScenarioDir + "/syntax_error.toml");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message().rfind(kBadScenarioDir + "/syntax_error.toml:5:", 0), 0u)
      << broken.status().message();
}

TEST(ScenarioTest, MissingFileIsAnErrorNamingIt) {
  Result<Scenario> missing = LoadScenarioFile(kBadScenarioDir + "/no_such.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such.toml"), std::string::npos);
}

}  // namespace
}  // namespace powercut::harness

namespace powercut::harness {
namespace {

TEST(ScenarioWriterTest, GeneratedWorkloadRoundTripsThroughToml) {
  Result<Scenario> scenario = LoadScenarioFile(kScenarioDir + "/mixed-sync-flush.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  Result<Workload> workload = scenario->WorkloadForSeed(7);
  ASSERT_TRUE(workload.ok());
  WorkloadBuilder extra;
  extra.Put("quote\"and\\slash", 0, false, std::string("line\nbreak")).Crash("torn").Reopen();
  for (const Operation& op : extra.workload().ops) workload->ops.push_back(op);
  Workload renumbered = Renumbered(*workload);

  const std::string toml = ScenarioToToml(*scenario, renumbered);
  Result<Scenario> parsed = ParseScenario(toml, "written.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << toml;
  EXPECT_EQ(parsed->name, scenario->name);
  EXPECT_EQ(parsed->engine.write_buffer_bytes, scenario->engine.write_buffer_bytes);
  ASSERT_TRUE(parsed->workload.has_value());
  ASSERT_EQ(parsed->workload->ops.size(), renumbered.ops.size());
  for (size_t i = 0; i < renumbered.ops.size(); ++i) {
    EXPECT_EQ(parsed->workload->ops[i].mutations, renumbered.ops[i].mutations) << i;
    EXPECT_EQ(parsed->workload->ops[i].ToString(), renumbered.ops[i].ToString()) << i;
  }
}

TEST(ScenarioWriterTest, RenumberedRetagsValuesAfterOperationsAreDropped) {
  WorkloadBuilder b;
  b.Put("a", 30).Put("b", 30).Put("c", 0, false, std::string("mine"));
  Workload w = std::move(b).Build();
  w.ops.erase(w.ops.begin());
  Workload renumbered = Renumbered(w);
  EXPECT_EQ(renumbered.ToString(), "put b v1*30\nput c mine\n");
  EXPECT_EQ(renumbered.ops[1].write_number, 2u);
}

}  // namespace
}  // namespace powercut::harness
