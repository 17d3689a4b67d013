// Creating a database is itself a sequence of file operations a crash can
// cut. These tests pin the rule that the database directory's own name is
// durable before anything in it is acknowledged, whoever created the
// directory: a regression test for a bug the durable-recovery property found
// (process-kill right after `mkdir /db`, recover, sync writes, power cut:
// the whole directory, and the acknowledged writes in it, vanished).
#include <gtest/gtest.h>

#include "db_test_util.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::engine {
namespace {

using faultfs::CrashModel;
using faultfs::CrashModelKind;
using faultfs::CrashStateId;
using faultfs::SimFs;

std::unique_ptr<SimFs> PowerLoss(const SimFs& fs) {
  auto crashed =
      fs.Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kPowerLoss}, fs.position(), {}});
  EXPECT_TRUE(crashed.ok()) << crashed.status().ToString();
  return std::move(crashed).value();
}

// A directory made by someone else (or by a crashed Open) whose entry is not
// durable yet: opening a database there must make it durable.
TEST(DbCreationTest, SyncWritesSurviveAPowerCutWhenTheDirectoryNameWasNotDurable) {
  SimFs fs;
  ASSERT_TRUE(fs.MkDir("/db").ok());  // no SyncDir("/"): the name is pending
  {
    auto db = DB::Open(Options{}, "/db", &fs);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Put(WriteOptions{.sync = true}, "key", "value").ok());
  }
  std::unique_ptr<SimFs> after = PowerLoss(fs);
  auto reopened = DB::Open(Options{}, "/db", after.get());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  Result<std::string> value = (*reopened)->Get(ReadOptions{}, "key");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "value");
}

// The same through the crash models: process-kill keeps the pending mkdir
// pending; recovery must not rely on it.
TEST(DbCreationTest, ProcessKillRightAfterMkdirThenRecoveryThenPowerCutKeepsSyncWrites) {
  SimFs fs;
  uint64_t mkdir_position = 0;
  std::unique_ptr<SimFs> killed;
  fs.SetObserver([&](const faultfs::OpRecord& op) {
    if (op.kind == faultfs::OpKind::kMkDir && killed == nullptr) {
      mkdir_position = op.position;
      auto crashed =
          fs.Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kProcessKill}, op.position, {}});
      if (crashed.ok()) killed = std::move(crashed).value();
    }
  });
  {
    auto db = DB::Open(Options{}, "/db", &fs);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
  }
  fs.SetObserver(nullptr);
  ASSERT_NE(killed, nullptr) << "Open never made the database directory";
  ASSERT_GT(mkdir_position, 0u);
  {
    auto db = DB::Open(Options{}, "/db", killed.get());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Put(WriteOptions{.sync = true}, "acked", "durable").ok());
  }
  std::unique_ptr<SimFs> after = PowerLoss(*killed);
  auto reopened = DB::Open(Options{}, "/db", after.get());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto state = testing::ScanAll(**reopened);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(*state, (testing::KvState{{"acked", "durable"}}));
}

}  // namespace
}  // namespace powercut::engine
