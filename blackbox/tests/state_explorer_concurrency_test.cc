// Tests of the black-box explorer on an in-memory trace with a shell
// checker (no shim needed): the crash-point choice, one checker run per
// distinct image, the failure it must find (an acknowledged file whose write
// and directory entry were never synced), and identical results with one and
// with two checker threads (this binary also runs under TSan).
#include <fcntl.h>
#include <gtest/gtest.h>

#include "image.h"
#include "state_explorer.h"
#include "trace_builder_support.h"
#include "trace_format.h"

namespace powercut::blackbox {
namespace {

using testing_support::kRoot;
using testing_support::TraceBuilder;

// a: written, fsynced, its entry synced, acknowledged. b: acknowledged after
// its write only (the bug).
shim::Trace SampleTrace() {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Write("/a", 3, 0, "v1");
  t.Add(kTraceFsync, "/a", 3);
  t.Add(kTraceFsync, "", 4).flag_bits = kTraceIsDir;
  t.Ack("A a v1\n");
  t.Open("/b", 5, O_CREAT | O_WRONLY);
  t.Write("/b", 5, 0, "v2");
  t.Ack("A b v2\n");
  shim::Trace trace = t.Build();
  trace.entries[3].path = kRoot;
  return trace;
}

constexpr const char* kChecker =
    "for f in a b; do if [ -s $f ]; then printf '%s %s\\n' $f \"$(cat $f)\"; fi; done";

ExploreResult MustExplore(unsigned jobs, const std::string& work_dir) {
  const shim::Trace trace = SampleTrace();
  Result<LoadedTrace> loaded = LoadTrace({}, trace);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExploreOptions options;
  options.check_command = kChecker;
  for (const char* name : {"power-loss", "prefix", "reorder", "torn"}) {
    options.models.push_back(faultfs::CrashModel::Parse(name).value());
  }
  options.jobs = jobs;
  options.work_dir = work_dir;
  Result<ExploreResult> result = Explore({}, trace, *loaded, {}, options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(*result) : ExploreResult{};
}

TEST(StateExplorerConcurrencyTest, CrashPointChoice) {
  Result<LoadedTrace> loaded = LoadTrace({}, SampleTrace());
  ASSERT_TRUE(loaded.ok());
  // ops: 1 create a, 2 write a, 3 sync a, 4 syncdir /, 5 create b, 6 write b
  EXPECT_EQ(ChooseCrashPoints(*loaded, true), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(ChooseCrashPoints(*loaded, false), (std::vector<uint64_t>{2, 3, 4, 6}));
}

TEST(StateExplorerConcurrencyTest, FindsTheUnsyncedAckAndChecksEachImageOnce) {
  Result<std::string> work = MakeTempDirectory();
  ASSERT_TRUE(work.ok());
  const ExploreResult result = MustExplore(1, *work);
  ASSERT_FALSE(result.states.empty());
  EXPECT_LT(result.images.size(), result.states.size());
  size_t lost_b = 0;
  for (const StateResult& state : result.states) {
    for (const Finding& finding : state.verdict.findings) {
      EXPECT_NE(finding.key, "a") << state.id.ToString() << ": " << finding.ToString();
      if (finding.key == "b" && finding.kind == Finding::Kind::kMissing) ++lost_b;
    }
    if (state.id.model.Name() == "power-loss" && state.id.position == 6) {
      EXPECT_EQ(state.verdict.kind, VerdictKind::kLostOrInvented);
    }
  }
  EXPECT_GT(lost_b, 0u);
  ASSERT_TRUE(RemoveTree(*work).ok());
}

TEST(StateExplorerConcurrencyTest, TwoThreadsGiveTheSameResultAsOne) {
  Result<std::string> work = MakeTempDirectory();
  ASSERT_TRUE(work.ok());
  const ExploreResult one = MustExplore(1, *work);
  const ExploreResult two = MustExplore(2, *work);
  ASSERT_EQ(one.states.size(), two.states.size());
  EXPECT_EQ(one.images.size(), two.images.size());
  for (size_t i = 0; i < one.states.size(); ++i) {
    EXPECT_EQ(one.states[i].id, two.states[i].id);
    EXPECT_EQ(one.states[i].image, two.states[i].image);
    EXPECT_EQ(one.states[i].verdict.kind, two.states[i].verdict.kind)
        << one.states[i].id.ToString();
    EXPECT_EQ(one.states[i].verdict.findings.size(), two.states[i].verdict.findings.size());
  }
  for (size_t i = 0; i < one.images.size() && i < two.images.size(); ++i) {
    EXPECT_EQ(one.images[i].run.out, two.images[i].run.out);
  }
  ASSERT_TRUE(RemoveTree(*work).ok());
}

}  // namespace
}  // namespace powercut::blackbox
