// Tests of the history oracle: hand-built histories whose valid crash states
// must pass, and states produced by the fake engine's bugs, each of which
// must be reported under the right guarantee, key and writes.
#include "oracle.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "fake_engine_support.h"
#include "runner.h"
#include "workload.h"

namespace powercut::harness {
namespace {

using testing::FakeBug;
using testing::FakeDisk;
using testing::FakeEngine;

// Records writes in an oracle and, beside it, the state after every prefix
// (the obvious O(n * state) model the oracle's index must agree with).
class History {
 public:
  uint64_t Write(std::vector<Mutation> batch, bool sync, Status status = Status::OK()) {
    KvState next = states_.back();
    for (const Mutation& m : batch) {
      if (m.is_put()) {
        next[m.key] = m.value;
      } else {
        next.erase(m.key);
      }
    }
    states_.push_back(std::move(next));
    const uint64_t number = oracle.BeginWrite(std::move(batch), sync);
    oracle.EndWrite(number, status);
    return number;
  }
  uint64_t Put(const std::string& key, bool sync = false) {
    return Write({Mutation::Put(key, ValueTag(oracle.write_count() + 1, 0, false))}, sync);
  }
  uint64_t Delete(const std::string& key, bool sync = false) {
    return Write({Mutation::Delete(key)}, sync);
  }
  const KvState& StateAt(uint64_t prefix) const { return states_.at(prefix); }

  Oracle oracle;

 private:
  std::vector<KvState> states_{KvState{}};
};

TEST(OracleTest, EveryPrefixAtOrAboveTheDurableOneIsValid) {
  History h;
  h.Put("a");
  h.Put("b");
  h.Put("a", /*sync=*/true);
  h.Put("c");
  h.Delete("b");
  ASSERT_EQ(h.oracle.durable_prefix(), 3u);
  for (uint64_t p = 3; p <= 5; ++p) {
    CheckResult result = h.oracle.Check(h.StateAt(p));
    EXPECT_TRUE(result.ok()) << "prefix " << p << ": " << result.violations[0].ToString();
    EXPECT_EQ(result.prefix, p);
  }
}

TEST(OracleTest, LosingASyncedWriteIsAcknowledgedDurableViolation) {
  History h;
  h.Put("a");
  const uint64_t synced = h.Put("b", /*sync=*/true);
  h.Put("c");
  CheckResult result = h.oracle.Check(h.StateAt(1));
  ASSERT_FALSE(result.ok());
  const Violation& v = result.violations[0];
  EXPECT_EQ(v.guarantee, Guarantee::kAcknowledgedDurable);
  EXPECT_EQ(v.key, "b");
  EXPECT_EQ(v.found, std::nullopt);
  ASSERT_FALSE(v.expected.empty());
  EXPECT_EQ(v.expected[0], "v2");
  EXPECT_EQ(v.writes, std::vector<uint64_t>{synced});
}

TEST(OracleTest, SuccessfulFlushMakesEarlierAcknowledgedWritesDurable) {
  History h;
  h.Put("a");
  h.Put("b");
  h.oracle.RecordFlush(Status::IOError("flush failed"));
  EXPECT_TRUE(h.oracle.Check(h.StateAt(0)).ok()) << "a failed flush pins nothing";
  h.oracle.RecordFlush(Status::OK());
  h.Put("c");
  EXPECT_EQ(h.oracle.durable_prefix(), 2u);
  CheckResult result = h.oracle.Check(h.StateAt(1));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kAcknowledgedDurable);
  EXPECT_EQ(result.violations[0].key, "b");
  EXPECT_TRUE(h.oracle.Check(h.StateAt(2)).ok());
}

TEST(OracleTest, PrefixSearchPicksTheSmallestMatchingPrefixAboveTheDurableOne) {
  History h;
  h.Put("a", /*sync=*/true);
  h.Delete("zz");  // deleting an absent key: prefixes 1 and 2 hold the same state
  h.Put("b");
  EXPECT_EQ(h.oracle.Check(h.StateAt(1)).prefix, 1u);
  EXPECT_EQ(h.oracle.Check(h.StateAt(3)).prefix, 3u);
  h.Put("c", /*sync=*/true);
  h.Delete("zz");
  EXPECT_EQ(h.oracle.Check(h.StateAt(4)).prefix, 4u);
}

TEST(OracleTest, IndeterminateWritesMayBeInOrOutButOnlyAsAPrefix) {
  History h;
  h.Put("a", /*sync=*/true);
  h.Write({Mutation::Put("b", "v2")}, /*sync=*/true, Status::IOError("fsync failed"));
  const uint64_t in_flight = h.oracle.BeginWrite({Mutation::Put("c", "v3")}, true);
  ASSERT_EQ(h.oracle.outcome(2), WriteOutcome::kFailed);
  ASSERT_EQ(h.oracle.outcome(in_flight), WriteOutcome::kInFlight);
  EXPECT_EQ(h.oracle.durable_prefix(), 1u) << "a failed sync write pins nothing";
  EXPECT_TRUE(h.oracle.Check(h.StateAt(1)).ok());
  EXPECT_TRUE(h.oracle.Check(h.StateAt(2)).ok());
  EXPECT_TRUE(h.oracle.Check({{"a", "v1"}, {"b", "v2"}, {"c", "v3"}}).ok());

  CheckResult hole = h.oracle.Check({{"a", "v1"}, {"c", "v3"}});
  ASSERT_FALSE(hole.ok());
  EXPECT_EQ(hole.violations[0].guarantee, Guarantee::kNoHole);
  EXPECT_EQ(hole.violations[0].key, "b");
  EXPECT_EQ(hole.violations[0].writes, (std::vector<uint64_t>{2, 3}));
}

TEST(OracleTest, IntermediateValueInsideABatchIsAnAtomicityViolation) {
  History h;
  h.Write({Mutation::Put("c", "first"), Mutation::Put("c", "second")}, /*sync=*/false);
  CheckResult result = h.oracle.Check({{"c", "first"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kAtomicBatches);
  EXPECT_EQ(result.violations[0].writes, std::vector<uint64_t>{1});
}

TEST(OracleTest, LosslessCheckRequiresEveryAcknowledgedWrite) {
  History h;
  h.Put("a");
  h.Put("b");
  CheckOptions lossless;
  lossless.lossless = true;
  EXPECT_TRUE(h.oracle.Check(h.StateAt(1)).ok());
  CheckResult result = h.oracle.Check(h.StateAt(1), lossless);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kAcknowledgedDurable);
  EXPECT_EQ(result.violations[0].key, "b");
}

TEST(OracleTest, RecoveredStateBecomesTheDurableBase) {
  History h;
  h.Put("a");
  h.Put("b");
  h.oracle.RecordRecovery(h.StateAt(2));  // recovery served both unsynced writes
  EXPECT_EQ(h.oracle.base_prefix(), 2u);
  h.oracle.BeginWrite({Mutation::Put("c", "v3")}, false);
  EXPECT_TRUE(h.oracle.Check({{"a", "v1"}, {"b", "v2"}}).ok());
  EXPECT_TRUE(h.oracle.Check({{"a", "v1"}, {"b", "v2"}, {"c", "v3"}}).ok());

  CheckResult lost = h.oracle.Check({{"a", "v1"}});
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.violations[0].guarantee, Guarantee::kDurableRecovery);
  EXPECT_EQ(lost.violations[0].key, "b");
  EXPECT_EQ(lost.violations[0].expected[0], "v2");
}

TEST(OracleTest, LosingARecoveredValueAReaderSawBreaksReadsStayTrue) {
  History h;
  h.Put("a");
  h.oracle.RecordRecovery(h.StateAt(1));
  EXPECT_FALSE(h.oracle.RecordRead("a", std::string("v1")).has_value());
  CheckResult lost = h.oracle.Check({});
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.violations[0].guarantee, Guarantee::kReadsStayTrue);
  EXPECT_EQ(lost.violations[0].key, "a");
}

TEST(OracleTest, StaleValueFromBeforeTheRecoveryIsNotInvention) {
  History h;
  h.Put("a");
  h.Put("a");
  h.oracle.RecordRecovery(h.StateAt(2));
  CheckResult result = h.oracle.Check({{"a", "v1"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kDurableRecovery);
}

TEST(OracleTest, CrashInsideRecoveryIsReportedAsCrashSafeRecovery) {
  History h;
  h.Put("a", /*sync=*/true);
  CheckOptions inside_recovery;
  inside_recovery.crash_depth = 2;
  EXPECT_TRUE(h.oracle.Check(h.StateAt(1), inside_recovery).ok());
  CheckResult result = h.oracle.Check(h.StateAt(0), inside_recovery);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kCrashSafeRecovery);
  EXPECT_EQ(result.violations[0].underlying, Guarantee::kAcknowledgedDurable);
}

TEST(OracleTest, DurableRecoveryRequiresTheSecondRecoveryToMatchTheFirst) {
  EXPECT_TRUE(Oracle::CheckDurableRecovery({{"a", "1"}}, {{"a", "1"}}).ok());
  CheckResult result = Oracle::CheckDurableRecovery({{"a", "1"}, {"b", "2"}}, {{"a", "1"}});
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kDurableRecovery);
  EXPECT_EQ(result.violations[0].key, "b");
  EXPECT_EQ(result.violations[0].found, std::nullopt);
}

TEST(OracleTest, LiveReadOfAStaleValueIsAReadConsistencyViolation) {
  History h;
  h.Put("a");
  h.Put("a");
  EXPECT_FALSE(h.oracle.RecordRead("a", std::string("v2")).has_value());
  std::optional<Violation> v = h.oracle.RecordRead("a", std::string("v1"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->guarantee, Guarantee::kReadConsistency);
  EXPECT_TRUE(h.oracle.RecordScan(h.StateAt(2)).empty());
  EXPECT_FALSE(h.oracle.RecordScan(h.StateAt(1)).empty());
}

TEST(OracleTest, ViolationPrintsGuaranteeKeyValuesAndWrites) {
  History h;
  h.Put("a", /*sync=*/true);
  Violation v = h.oracle.Check({}).violations.at(0);
  v.crash_state_id = "power-loss@3";
  EXPECT_EQ(v.ToString().substr(0, 68),
            "acknowledged-durable: key a: expected v1, found <absent> (write 1): ");
  EXPECT_NE(v.ToString().find("crash state: power-loss@3"), std::string::npos);
}

// --- The fake engine's bugs, run through RunOperation like the explorer ---

struct FakeRun {
  std::shared_ptr<FakeDisk> disk = std::make_shared<FakeDisk>();
  FakeEngine engine{disk};
  Oracle oracle;

  explicit FakeRun(const Workload& workload) {
    EXPECT_TRUE(engine.Open(nullptr, "/db").ok());
    for (const Operation& op : workload.ops) {
      StepResult step = RunOperation(op, engine, oracle, nullptr, "/db");
      EXPECT_TRUE(step.status.ok()) << op.ToString();
      EXPECT_TRUE(step.violations.empty()) << step.violations[0].ToString();
    }
  }
};

WorkloadBuilder::Entry PutEntry(std::string key) {
  WorkloadBuilder::Entry entry;
  entry.key = std::move(key);
  return entry;
}

Workload BugWorkload() {
  WorkloadBuilder b;
  b.Put("a", 0, /*sync=*/true).Put("b").Batch({PutEntry("c"), PutEntry("d")});
  b.Put("e", 0, /*sync=*/true).Put("a").Put("f");
  return std::move(b).Build();
}

TEST(OracleFakeEngineTest, CorrectFakePassesEveryCrashState) {
  FakeRun run(BugWorkload());
  for (size_t kept = 0; kept <= run.disk->unsynced_count(); ++kept) {
    CheckResult result = run.oracle.Check(run.disk->CrashState(kept, FakeBug::kNone));
    EXPECT_TRUE(result.ok()) << result.violations[0].ToString();
  }
}

TEST(OracleFakeEngineTest, LosingTheLastAcknowledgedWriteIsCaught) {
  WorkloadBuilder b;
  b.Put("a").Put("b", 0, /*sync=*/true);
  FakeRun run(std::move(b).Build());
  CheckResult result = run.oracle.Check(run.disk->CrashState(0, FakeBug::kLoseLastAckedWrite));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kAcknowledgedDurable);
  EXPECT_EQ(result.violations[0].key, "b");
  EXPECT_EQ(result.violations[0].writes, std::vector<uint64_t>{2});
}

TEST(OracleFakeEngineTest, InventedValueIsCaught) {
  FakeRun run(BugWorkload());
  CheckResult result = run.oracle.Check(run.disk->CrashState(0, FakeBug::kInventValue));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kNoInvention);
  EXPECT_EQ(result.violations[0].key, "a");
  EXPECT_EQ(result.violations[0].found, "invented");
}

TEST(OracleFakeEngineTest, HalfAppliedBatchIsCaught) {
  FakeRun run(BugWorkload());
  CheckResult result = run.oracle.Check(run.disk->CrashState(0, FakeBug::kApplyHalfBatch));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kAtomicBatches);
  EXPECT_EQ(result.violations[0].key, "d");
  EXPECT_EQ(result.violations[0].writes, std::vector<uint64_t>{3});
  EXPECT_EQ(result.violations[0].expected.at(0), "v3.1");
}

TEST(OracleFakeEngineTest, DroppedMiddleUnsyncedWriteIsAHole) {
  WorkloadBuilder b;
  b.Put("a", 0, true).Put("b").Put("c").Put("d").Put("e");
  FakeRun run(std::move(b).Build());
  // Keeps records 0..4 but drops record 2 (write 3, key c).
  CheckResult result = run.oracle.Check(run.disk->CrashState(4, FakeBug::kDropMiddleWrite));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.violations[0].guarantee, Guarantee::kNoHole);
  EXPECT_EQ(result.violations[0].key, "c");
  EXPECT_EQ(result.violations[0].writes, (std::vector<uint64_t>{3, 5}));
}

TEST(OracleFakeEngineTest, FailedWriteThatLandedIsIndeterminate) {
  WorkloadBuilder b;
  b.Put("a", 0, true);
  FakeRun run(std::move(b).Build());
  run.disk->FailNextWrites(1, /*lands=*/true);
  WorkloadBuilder one;
  one.Put("b");
  StepResult step = RunOperation(one.workload().ops[0], run.engine, run.oracle, nullptr, "/db");
  EXPECT_FALSE(step.status.ok());
  EXPECT_EQ(run.oracle.outcome(2), WriteOutcome::kFailed);
  EXPECT_TRUE(run.oracle.Check(run.disk->CrashState(0, FakeBug::kNone)).ok());
  EXPECT_TRUE(run.oracle.Check(run.disk->CrashState(1, FakeBug::kNone)).ok());
}

TEST(OracleFakeEngineTest, ReopenChecksLosslessRecoveryAndRebases) {
  WorkloadBuilder b;
  b.Put("a").Put("b").Reopen().Put("c");
  FakeRun run(std::move(b).Build());
  EXPECT_EQ(run.oracle.recoveries(), 1u);
  EXPECT_EQ(run.oracle.base_prefix(), 2u);
  CheckResult result = run.oracle.Check(run.disk->CrashState(0, FakeBug::kNone));
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.prefix, 2u);
}

// --- Property: the index and the diagnosis agree with the obvious model ---

RC_GTEST_PROP(OracleProperty, PrefixStatesPassAndStatesBelowTheDurablePrefixFail, (uint64_t seed)) {
  GeneratorOptions options;
  options.op_count = *rc::gen::inRange<uint32_t>(1, 60);
  options.key_count = *rc::gen::inRange<uint32_t>(1, 8);
  options.delete_ratio = 0.3;
  options.batch_ratio = 0.3;
  options.sync_ratio = 0.15;
  Result<Workload> workload = Generate(options, seed);
  RC_ASSERT(workload.ok());
  History h;
  for (const Operation& op : workload->ops) h.Write(op.mutations, op.sync);
  const uint64_t n = h.oracle.write_count();
  const uint64_t p = *rc::gen::inRange<uint64_t>(0, n + 1);
  CheckResult result = h.oracle.Check(h.StateAt(p));
  if (p >= h.oracle.durable_prefix()) {
    RC_ASSERT(result.ok());
    RC_ASSERT(h.StateAt(*result.prefix) == h.StateAt(p));
  } else if (h.StateAt(p) != h.StateAt(h.oracle.durable_prefix())) {
    // A state below the durable prefix fails unless a later prefix has the same state.
    bool same_later = false;
    for (uint64_t q = h.oracle.durable_prefix(); q <= n; ++q) {
      same_later = same_later || h.StateAt(q) == h.StateAt(p);
    }
    RC_ASSERT(result.ok() == same_later);
    if (!result.ok()) RC_ASSERT(!result.violations[0].key.empty());
  }
}

// Perturbed states (a key dropped, a stale or foreign value, an invented one)
// are valid exactly when some prefix at or above the durable one equals them,
// and a rejected state always comes with a violation on a named key.
RC_GTEST_PROP(OracleProperty, VerdictMatchesBruteForceOnPerturbedStates, (uint64_t seed)) {
  GeneratorOptions options;
  options.op_count = *rc::gen::inRange<uint32_t>(1, 40);
  options.key_count = *rc::gen::inRange<uint32_t>(1, 6);
  options.delete_ratio = 0.3;
  options.batch_ratio = 0.3;
  options.sync_ratio = 0.1;
  Result<Workload> workload = Generate(options, seed);
  RC_ASSERT(workload.ok());
  History h;
  for (const Operation& op : workload->ops) h.Write(op.mutations, op.sync);
  const uint64_t n = h.oracle.write_count();
  KvState state = h.StateAt(*rc::gen::inRange<uint64_t>(0, n + 1));
  const KvState& other = h.StateAt(*rc::gen::inRange<uint64_t>(0, n + 1));
  const std::string key = KeyName(*rc::gen::inRange<uint32_t>(0, options.key_count));
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      state.erase(key);
      break;
    case 1:
      if (other.count(key)) state[key] = other.at(key);
      break;
    case 2:
      if (!other.empty()) state[key] = other.begin()->second;
      break;
    case 3:
      state[key] = "invented";
      break;
  }
  bool valid = false;
  for (uint64_t q = h.oracle.durable_prefix(); q <= n; ++q) valid = valid || h.StateAt(q) == state;
  CheckResult result = h.oracle.Check(state);
  RC_TAG(valid ? "valid" : "invalid");
  RC_ASSERT(result.ok() == valid);
  if (!valid) RC_ASSERT(!result.violations[0].key.empty());
}

}  // namespace
}  // namespace powercut::harness
