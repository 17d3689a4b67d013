// Tests of counterfactual crash states (powercut/faultfs/counterfactual.h):
// each model's state restated per operation rebuilds the same files, edits
// land or lose exactly the named operations, and bad requests are errors.
#include "powercut/faultfs/counterfactual.h"

#include <gtest/gtest.h>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::IsOk;

CrashStateId IdAt(const SimFs& fs, std::string_view model, std::vector<uint64_t> choices = {}) {
  Result<CrashModel> parsed = CrashModel::Parse(model);
  EXPECT_TRUE(IsOk(parsed)) << model;
  return CrashStateId{*parsed, fs.position(), std::move(choices)};
}

std::map<std::string, std::string> FilesOf(const SimFs& fs, const CrashStateId& id) {
  Result<std::unique_ptr<SimFs>> crashed = fs.Crash(id);
  EXPECT_TRUE(IsOk(crashed)) << id.ToString();
  return crashed.ok() ? (*crashed)->DumpDurable() : std::map<std::string, std::string>{};
}

// /d/log durable with "abc"; pending: append "def", create /d/new, overwrite
// "X" at 0 of log.
struct ThreeOps {
  SimFs fs;
  ThreeOps() {
    EXPECT_TRUE(IsOk(fs.AddDurableFile("/d/log", "abc")));
    Result<FileHandle> log = fs.Open("/d/log", OpenOptions::ReadWriteCreate());
    EXPECT_TRUE(IsOk(log));
    EXPECT_TRUE(IsOk(fs.Append(*log, "def")));
    EXPECT_TRUE(IsOk(fs.Open("/d/new", OpenOptions::ReadWriteCreate())));
    EXPECT_TRUE(IsOk(fs.Write(*log, 0, "X")));
  }
  std::vector<PendingOpFate> Fates(const CrashStateId& id) const {
    Result<std::vector<PendingOpFate>> fates = fs.DescribeCrash(id);
    EXPECT_TRUE(IsOk(fates));
    return fates.ok() ? *fates : std::vector<PendingOpFate>{};
  }
};

TEST(Counterfactual, EveryPowerLossFamilyStateRestatesToTheSameFiles) {
  ThreeOps setup;
  const std::vector<CrashStateId> ids = {IdAt(setup.fs, "power-loss"),
                                         IdAt(setup.fs, "prefix", {2}),
                                         IdAt(setup.fs, "per-file-prefix", {1, 1}),
                                         IdAt(setup.fs, "reorder", {0, 1, 1}),
                                         IdAt(setup.fs, "torn-512-junk", {2, 1, 0}),
                                         IdAt(setup.fs, "zero-tail")};
  for (const CrashStateId& id : ids) {
    Result<CrashStateId> per_op = PerOpCrashState(id, setup.Fates(id));
    ASSERT_TRUE(IsOk(per_op)) << id.ToString();
    EXPECT_EQ(per_op->choices.size(), 3u) << id.ToString();
    EXPECT_EQ(FilesOf(setup.fs, *per_op), FilesOf(setup.fs, id))
        << id.ToString() << " restated as " << per_op->ToString();
  }
}

TEST(Counterfactual, ZeroTailBecomesTornZerosWithNoSectorLanded) {
  ThreeOps setup;
  CrashStateId id = IdAt(setup.fs, "zero-tail");
  Result<CrashStateId> per_op = PerOpCrashState(id, setup.Fates(id));
  ASSERT_TRUE(IsOk(per_op));
  EXPECT_EQ(per_op->model.Name(), "torn-512-zeros");
  // append extended the file: landed, no sector; create landed; overwrite lost.
  EXPECT_EQ(per_op->choices, (std::vector<uint64_t>{1, 1, 0}));
  EXPECT_EQ(FilesOf(setup.fs, *per_op)["/d/log"], std::string("abc\0\0\0", 6));
}

TEST(Counterfactual, LandsAndLosesExactlyTheNamedOperations) {
  ThreeOps setup;
  CrashStateId id = IdAt(setup.fs, "power-loss");
  std::vector<PendingOpFate> fates = setup.Fates(id);
  Result<CrashStateId> landed = CounterfactualCrashState(id, fates, {0, 1}, {});
  ASSERT_TRUE(IsOk(landed));
  EXPECT_EQ(landed->ToString(), IdAt(setup.fs, "reorder", {1, 1, 0}).ToString());
  auto files = FilesOf(setup.fs, *landed);
  EXPECT_EQ(files["/d/log"], "abcdef");
  EXPECT_EQ(files.count("/d/new"), 1u);
  // Torn: landing in full sets every sector; the other digits are kept.
  CrashStateId torn = IdAt(setup.fs, "torn-512-zeros", {1, 1, 2});
  Result<CrashStateId> fixed = CounterfactualCrashState(torn, setup.Fates(torn), {0}, {2});
  ASSERT_TRUE(IsOk(fixed));
  EXPECT_EQ(fixed->choices, (std::vector<uint64_t>{2, 1, 0}));
  EXPECT_EQ(FilesOf(setup.fs, *fixed)["/d/log"], "abcdef");
}

TEST(Counterfactual, BadRequestsAreErrors) {
  ThreeOps setup;
  CrashStateId id = IdAt(setup.fs, "power-loss");
  std::vector<PendingOpFate> fates = setup.Fates(id);
  EXPECT_FALSE(CounterfactualCrashState(id, fates, {3}, {}).ok());
  EXPECT_FALSE(CounterfactualCrashState(id, fates, {1}, {1}).ok());
  CrashStateId killed = IdAt(setup.fs, "process-kill");
  Result<CrashStateId> none = PerOpCrashState(killed, setup.Fates(killed));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().ToString().find("process-kill"), std::string::npos);
}

}  // namespace
}  // namespace powercut::faultfs
