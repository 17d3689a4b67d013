// Tests of repro files: the text round-trips, bad files are rejected with a
// line number, and a repro written for a canary's failure replays to the
// same violation (while the same repro against the correct engine does not).
#include "repro.h"

#include <gtest/gtest.h>

#include "explorer.h"
#include "workload_spec.h"

namespace powercut::harness {
namespace {

using faultfs::CrashModel;
using faultfs::CrashStateId;

CrashStateId Id(std::string_view text) {
  Result<CrashStateId> id = CrashStateId::Parse(text);
  EXPECT_TRUE(id.ok()) << text;
  return *id;
}

Workload AwkwardWorkload() {
  WorkloadBuilder builder;
  builder.Put("k1", 40, true)
      .Put("my key", 0, false, std::string("a \"quoted\"\nvalue\x01") + std::string(1, '\0'))
      .Batch({{true, "k2", 5, std::nullopt}, {false, "k1", 0, std::nullopt}}, true)
      .Delete("k2")
      .Flush()
      .Read("my key")
      .Scan()
      .Reopen()
      .Crash("torn-4096-junk");
  return std::move(builder).Build();
}

TEST(ReproTest, TextRoundTripsEveryField) {
  Repro repro;
  repro.engine = "reference";
  repro.scenario = "awkward";
  repro.settings.write_buffer_bytes = 65536;
  repro.settings.wal_recovery_mode = "point-in-time";
  repro.seed = 99;
  repro.models = {*CrashModel::Parse("power-loss"), *CrashModel::Parse("torn-4096-old")};
  repro.check_durable_recovery = false;
  repro.crash_points = CrashPoints::kSync;
  repro.crash_path = {Id("prefix@26:3"), Id("power-loss@31")};
  repro.crash_after_ack = true;
  repro.expected_guarantee = Guarantee::kCrashSafeRecovery;
  repro.expected_underlying = Guarantee::kRecovers;
  repro.expected_key = "k1";
  repro.expected_text = "crash-safe-recovery (recovers): ...";
  repro.workload = AwkwardWorkload();

  Result<Repro> parsed = Repro::Parse(repro.ToText(), "test");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << repro.ToText();
  EXPECT_EQ(parsed->engine, repro.engine);
  EXPECT_EQ(parsed->scenario, repro.scenario);
  EXPECT_EQ(parsed->settings.write_buffer_bytes, repro.settings.write_buffer_bytes);
  EXPECT_EQ(parsed->settings.block_bytes, std::nullopt);
  EXPECT_EQ(parsed->settings.wal_recovery_mode, repro.settings.wal_recovery_mode);
  EXPECT_EQ(parsed->seed, 99u);
  EXPECT_EQ(parsed->models, repro.models);
  EXPECT_FALSE(parsed->check_durable_recovery);
  EXPECT_EQ(parsed->crash_path, repro.crash_path);
  EXPECT_EQ(parsed->crash_points, CrashPoints::kSync);
  EXPECT_TRUE(parsed->crash_after_ack);
  EXPECT_EQ(parsed->expected_guarantee, Guarantee::kCrashSafeRecovery);
  EXPECT_EQ(parsed->expected_underlying, Guarantee::kRecovers);
  EXPECT_EQ(parsed->expected_key, "k1");
  EXPECT_EQ(parsed->expected_text, repro.expected_text);
  ASSERT_EQ(parsed->workload.ops.size(), repro.workload.ops.size());
  for (size_t i = 0; i < repro.workload.ops.size(); ++i) {
    const Operation& a = parsed->workload.ops[i];
    const Operation& b = repro.workload.ops[i];
    EXPECT_EQ(a.type, b.type) << i;
    EXPECT_EQ(a.mutations, b.mutations) << i;
    EXPECT_EQ(a.sync, b.sync) << i;
    EXPECT_EQ(a.key, b.key) << i;
    EXPECT_EQ(a.crash_model, b.crash_model) << i;
  }
}

TEST(ReproTest, GeneratedWorkloadSurvivesTheLineForm) {
  GeneratorOptions options;
  options.op_count = 60;
  options.batch_ratio = 0.3;
  options.read_ratio = 0.1;
  options.scan_ratio = 0.05;
  options.flush_every = 7;
  options.reopen_every = 13;
  options.crash_every = 17;
  Result<Workload> workload = Generate(options, 5);
  ASSERT_TRUE(workload.ok());
  std::vector<OpSpec> specs;
  for (const OpSpec& spec : SpecFromWorkload(*workload)) {
    Result<OpSpec> parsed = ParseOpSpecLine(OpSpecToLine(spec));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    specs.push_back(std::move(parsed).value());
  }
  EXPECT_EQ(BuildWorkload(specs).ToString(), workload->ToString());
}

TEST(ReproTest, BadFilesAreRejectedWithTheirLineAndColumn) {
  const std::string head = "format = powercut-repro-2\nengine = reference\n";
  const std::string good = head + "end = 0\n";
  EXPECT_TRUE(Repro::Parse(good, "f").ok());
  struct Case {
    std::string text;
    std::string message_part;
  };
  for (const Case& c : std::vector<Case>{
           {"engine = reference\n", "f:1:1:"},
           {head + "colour = blue\nend = 0\n", "f:3:1: unknown setting 'colour'"},
           {head + "op = put k1\nend = 1\n", "f:3:6:"},
           {head + "op = batch {put k1 size=3\nend = 1\n", "f:3:6:"},
           {head + "op = frobnicate\nend = 1\n", "f:3:6:"},
           {head + "crash_path = nonsense\nend = 0\n", "f:3:14:"},
           {head + "expect.guarantee = nice\nend = 0\n", "f:3:20: unknown guarantee"},
           {head + "seed = -1\nend = 0\n", "f:3:8: '-1' is not a non-negative integer"},
           {"format = powercut-repro-2\nend = 0\n", "needs `format` and `engine`"},
           {good + "seed = 1\n", "f:4:1: text after the `end` line"},
           {head + "op = flush\nend = 2\n", "f:4:7: `end` says 2 op lines, the file has 1"},
       }) {
    Result<Repro> parsed = Repro::Parse(c.text, "f");
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_NE(parsed.status().message().find(c.message_part), std::string::npos)
        << parsed.status().message();
  }
}

// A made value's size is bounded: `size=99999999999` used to reach
// BuildWorkload and abort the process with std::bad_alloc.
TEST(ReproTest, HugeValueSizeIsAnErrorNotAnAllocation) {
  const std::string head = "format = powercut-repro-2\nengine = reference\n";
  Result<Repro> parsed = Repro::Parse(head + "op = put k size=99999999999\nend = 1\n", "f");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find(
                "f:3:6: value size '99999999999' is too large (the maximum is 16777216 bytes)"),
            std::string::npos)
      << parsed.status().message();
  parsed = Repro::Parse(head + "op = put k size=99999999999999999999999\nend = 1\n", "f");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("too large"), std::string::npos);
  std::string many;  // 17 values of 16 MiB: more than the repro's 256 MiB in all
  for (int i = 0; i < 17; ++i) many += "op = put k size=16777216\n";
  parsed = Repro::Parse(head + many + "end = 17\n", "f");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("f:19:6: the made values add up to more than"),
            std::string::npos)
      << parsed.status().message();
}

// Every proper prefix of a repro is refused: a cut file used to parse as a
// shorter workload and replay as PASSES, as if the bug were fixed.
TEST(ReproTest, EveryTruncationOfAReproIsRefused) {
  Repro repro;
  repro.engine = "reference";
  repro.scenario = "awkward";
  repro.seed = 12;
  repro.workload = AwkwardWorkload();
  const std::string text = repro.ToText();
  ASSERT_TRUE(Repro::Parse(text, "f").ok());
  // (Only the final newline may go: the end line is still whole then.)
  for (size_t size = 0; size + 1 < text.size(); ++size) {
    Result<Repro> cut = Repro::Parse(text.substr(0, size), "f");
    ASSERT_FALSE(cut.ok()) << "a repro cut to " << size << " bytes was accepted:\n"
                           << text.substr(0, size);
  }
  Result<Repro> cut = Repro::Parse(text.substr(0, text.rfind("op = ")), "f");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("the repro ends without its `end = N` line"),
            std::string::npos)
      << cut.status().message();
}

TEST(ReproTest, FirstFormatIsRefusedWithHowToMigrate) {
  Result<Repro> parsed = Repro::Parse("format = powercut-repro-1\nengine = reference\n", "f");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("f:1:10: format powercut-repro-1 has no end marker"),
            std::string::npos)
      << parsed.status().message();
}

TEST(ReproTest, OverflowAndBinaryBytesAreReportedReadably) {
  const std::string head = "format = powercut-repro-2\nengine = reference\n";
  Result<Repro> parsed = Repro::Parse(head + "seed = 99999999999999999999\nend = 0\n", "f");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find(
                "f:3:8: '99999999999999999999' overflows: the maximum is 18446744073709551615"),
            std::string::npos)
      << parsed.status().message();
  parsed = Repro::Parse(head + "expect.guarantee = \x01\xff\x1b[2J\nend = 0\n", "f");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("unknown guarantee '\\x01\\xff\\x1b[2J'"),
            std::string::npos)
      << parsed.status().message();
  for (char c : parsed.status().message()) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
  parsed = Repro::Parse("format = powercut-repro-2\nengine = ref\x1b[31m\xff\nend = 0\n", "f");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("f:2:10: 'ref\\x1b[31m\\xff' is not a name"),
            std::string::npos)
      << parsed.status().message();
}

TEST(ReproTest, ReproOfACanaryFailureReplaysToTheSameViolation) {
  Scenario scenario;
  scenario.name = "repro-test";
  WorkloadBuilder builder;
  builder.Put("a", 8, false).Put("b", 30, true).Flush().Put("c", 8, true);
  scenario.workload = std::move(builder).Build();
  ExploreOptions options;
  options.models = {*CrashModel::Parse("prefix")};
  options.seed = 3;
  Result<ExploreResult> result =
      Explore(scenario, *scenario.workload, "broken-ack-before-fsync", options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_FALSE(result->failures.empty());
  const Failure& failure = result->failures.back();

  Repro repro =
      MakeRepro(failure, "broken-ack-before-fsync", scenario, *scenario.workload, options);
  EXPECT_EQ(repro.crash_path, failure.crash_path);
  EXPECT_EQ(repro.seed, 3u);
  const std::string path = ::testing::TempDir() + "/repro_test_canary.repro";
  ASSERT_TRUE(WriteReproFile(path, repro).ok());
  Result<ReplayReport> report = ReplayReproFile(path);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->reached);
  EXPECT_TRUE(report->reproduced) << repro.ToText();
  EXPECT_FALSE(report->violations.empty());
  EXPECT_EQ(report->ops_around, failure.ops_around);

  // Against the correct engine the repro does not reproduce (its file
  // operations differ, so the position may not even be reached).
  repro.engine = "reference";
  Result<ReplayReport> fixed = ReplayRepro(repro);
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_FALSE(fixed->reproduced);
  EXPECT_TRUE(fixed->violations.empty());
}

TEST(ReproTest, MissingFileAndUnknownEngineAreErrors) {
  EXPECT_TRUE(LoadReproFile(::testing::TempDir() + "/no-such.repro").status().IsNotFound());
  Repro repro;
  repro.engine = "no-such-engine";
  EXPECT_FALSE(ReplayRepro(repro).ok());
}

TEST(ReproTest, PathBeyondTheRunIsReportedAsNotReached) {
  Repro repro;
  repro.engine = "reference";
  WorkloadBuilder builder;
  builder.Put("a", 8, true);
  repro.workload = std::move(builder).Build();
  repro.crash_path = {Id("power-loss@100000")};
  Result<ReplayReport> report = ReplayRepro(repro);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->reached);
  EXPECT_FALSE(report->reproduced);
}

}  // namespace
}  // namespace powercut::harness
