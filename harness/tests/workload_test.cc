// Tests of the workload model: the builder's numbering and printing, value
// naming, and the seeded generator (determinism, options, unique values).
#include "workload.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace powercut::harness {
namespace {

GeneratorOptions BusyOptions() {
  GeneratorOptions o;
  o.op_count = 400;
  o.key_count = 20;
  o.value_bytes_min = 10;
  o.value_bytes_max = 3000;
  o.delete_ratio = 0.2;
  o.batch_ratio = 0.2;
  o.sync_ratio = 0.3;
  o.read_ratio = 0.1;
  o.scan_ratio = 0.05;
  return o;
}

Workload MustGenerate(const GeneratorOptions& options, uint64_t seed) {
  Result<Workload> workload = Generate(options, seed);
  EXPECT_TRUE(workload.ok()) << workload.status().ToString();
  return workload.ok() ? *workload : Workload{};
}

TEST(WorkloadTest, BuilderNumbersWritesAndPrintsOneLinePerOperation) {
  WorkloadBuilder b;
  WorkloadBuilder::Entry put_b;
  put_b.key = "b";
  WorkloadBuilder::Entry delete_c;
  delete_c.put = false;
  delete_c.key = "c";
  b.Put("a", 0, /*sync=*/true).Flush().Batch({put_b, delete_c}).Read("a").Put("big", 40000);
  b.Delete("a").Scan().Reopen().Crash("torn");
  Workload w = std::move(b).Build();
  EXPECT_EQ(w.write_count(), 4u);
  EXPECT_EQ(w.ToString(),
            "put a v1 sync\n"
            "flush\n"
            "batch {put b v2.0; delete c}\n"
            "read a\n"
            "put big v3*40000\n"
            "delete a\n"
            "scan\n"
            "reopen\n"
            "crash torn\n");
  EXPECT_EQ(w.ops[4].mutations[0].value.size(), 40000u);
  EXPECT_EQ(w.ops[4].write_number, 3u);
}

TEST(WorkloadTest, ValuesAreSelfDescribingAndShortWhenPrinted) {
  EXPECT_EQ(MakeValue("v7", 1), "v7");
  EXPECT_EQ(MakeValue("v7", 8), "v7:v7:v7");
  EXPECT_EQ(ShortValue(MakeValue("v12.3", 100000)), "v12.3*100000");
  EXPECT_EQ(ShortValue(std::string(30, '\0')).substr(0, 3), "'??");
  EXPECT_EQ(ShortValueOrAbsent(std::nullopt), "<absent>");
}

TEST(WorkloadTest, SameSeedGivesTheSameWorkload) {
  EXPECT_EQ(MustGenerate(BusyOptions(), 42).ToString(), MustGenerate(BusyOptions(), 42).ToString());
}

TEST(WorkloadTest, DifferentSeedsGiveDifferentWorkloads) {
  std::set<std::string> printed;
  for (uint64_t seed = 0; seed < 10; ++seed)
    printed.insert(MustGenerate(BusyOptions(), seed).ToString());
  EXPECT_EQ(printed.size(), 10u);
}

TEST(WorkloadTest, EveryPutValueIsUniqueAndNamesItsWrite) {
  Workload w = MustGenerate(BusyOptions(), 3);
  std::set<std::string> values;
  for (const Operation& op : w.ops) {
    for (size_t i = 0; i < op.mutations.size(); ++i) {
      const Mutation& m = op.mutations[i];
      if (!m.is_put()) continue;
      EXPECT_TRUE(values.insert(m.value).second) << "duplicate value in " << op.ToString();
      const std::string tag =
          ValueTag(op.write_number, static_cast<uint32_t>(i), op.type == OpType::kBatch);
      EXPECT_EQ(m.value.substr(0, tag.size()), tag);
    }
  }
  EXPECT_GT(values.size(), 100u);
}

TEST(WorkloadTest, GeneratorRespectsCountsSizesAndRatios) {
  GeneratorOptions o = BusyOptions();
  o.flush_every = 50;
  o.reopen_every = 100;
  Workload w = MustGenerate(o, 9);
  std::map<OpType, int> by_type;
  int syncs = 0;
  for (const Operation& op : w.ops) {
    ++by_type[op.type];
    syncs += op.sync ? 1 : 0;
    if (op.type == OpType::kBatch) {
      EXPECT_GE(op.mutations.size(), o.batch_size_min);
      EXPECT_LE(op.mutations.size(), o.batch_size_max);
    }
    for (const Mutation& m : op.mutations) {
      EXPECT_LT(m.key, KeyName(o.key_count));
      if (m.is_put()) {
        EXPECT_LE(m.value.size(), o.value_bytes_max);
        EXPECT_GE(m.value.size(), o.value_bytes_min);
      }
    }
  }
  EXPECT_EQ(by_type[OpType::kFlush], 8);
  EXPECT_EQ(by_type[OpType::kReopen], 4);
  const int user_ops = static_cast<int>(w.ops.size()) - 12;
  EXPECT_EQ(user_ops, 400);
  EXPECT_GT(by_type[OpType::kBatch], 0);
  EXPECT_GT(by_type[OpType::kDelete], 0);
  EXPECT_GT(by_type[OpType::kRead], 0);
  EXPECT_GT(by_type[OpType::kScan], 0);
  EXPECT_GT(syncs, 0);
}

TEST(WorkloadTest, ZeroRatiosProduceOnlyUnsyncedSinglePuts) {
  GeneratorOptions o;
  o.delete_ratio = o.batch_ratio = o.sync_ratio = 0;
  for (const Operation& op : MustGenerate(o, 5).ops) {
    EXPECT_EQ(op.type, OpType::kPut);
    EXPECT_FALSE(op.sync);
  }
}

TEST(WorkloadTest, HotSetTakesMostOperations) {
  GeneratorOptions o;
  o.op_count = 2000;
  o.key_count = 100;
  o.key_skew = KeySkew::kHotSet;
  o.hot_key_fraction = 0.1;
  o.hot_op_fraction = 0.9;
  o.overwrite_ratio = 0.9;
  int hot = 0, total = 0;
  for (const Operation& op : MustGenerate(o, 11).ops) {
    for (const Mutation& m : op.mutations) {
      ++total;
      hot += m.key < KeyName(10) ? 1 : 0;
    }
  }
  EXPECT_GT(hot * 10, total * 6) << hot << " of " << total << " on the 10 hot keys";
}

TEST(WorkloadTest, InvalidOptionsAreRejectedNamingTheField) {
  GeneratorOptions o;
  o.sync_ratio = 1.5;
  EXPECT_NE(Generate(o, 1).status().message().find("sync_ratio"), std::string::npos);
  o = GeneratorOptions();
  o.value_bytes_min = 10;
  o.value_bytes_max = 5;
  EXPECT_NE(Generate(o, 1).status().message().find("value_bytes"), std::string::npos);
  o = GeneratorOptions();
  o.crash_every = 3;
  o.crash_model = "meteor";
  EXPECT_NE(Generate(o, 1).status().message().find("crash_model"), std::string::npos);
}

TEST(WorkloadTest, OpTypeNamesRoundTrip) {
  for (OpType type : {OpType::kPut, OpType::kDelete, OpType::kBatch, OpType::kFlush, OpType::kRead,
                      OpType::kScan, OpType::kReopen, OpType::kCrash}) {
    EXPECT_EQ(ParseOpType(OpTypeName(type)), type);
  }
  EXPECT_EQ(ParseOpType("sync"), std::nullopt);
}

}  // namespace
}  // namespace powercut::harness
