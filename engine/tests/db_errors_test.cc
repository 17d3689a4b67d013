// Error handling on SimFs with injected faults (no crash): a failed WAL fsync
// turns the DB read-only with a sticky error, under every after-failure page
// cache profile (drop, keep, clean-but-visible), and never loses what was
// acknowledged before it (bug class C12); ENOSPC is an IOError, not a crash
// (C17); a short write is completed by the write loop (C17); a failed flush
// step (table or manifest fsync) is sticky too.
#include <gtest/gtest.h>

#include "db_test_util.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::engine {
namespace {

using faultfs::CrashModel;
using faultfs::CrashModelKind;
using faultfs::CrashStateId;
using faultfs::FaultRule;
using faultfs::SimFs;
using testing::KvState;
using testing::ScanAll;

constexpr WriteOptions kSync{.sync = true};

class DbErrorsTest : public ::testing::Test {
 protected:
  std::unique_ptr<DB> Open(SimFs& fs, const Options& options = {}) {
    auto db = DB::Open(options, "/db", &fs);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  void AddRule(std::string_view text) {
    Result<FaultRule> rule = FaultRule::Parse(text);
    ASSERT_TRUE(rule.ok()) << rule.status().ToString();
    ASSERT_TRUE(fs_.AddFaultRule(*rule).ok());
  }
  // Power cut now; recover without faults; the recovered state.
  KvState RecoverAfterPowerCut() {
    auto crashed =
        fs_.Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kPowerLoss}, fs_.position(), {}});
    EXPECT_TRUE(crashed.ok());
    (*crashed)->ClearFaultRules();
    std::unique_ptr<DB> db = Open(**crashed);
    if (db == nullptr) return {};
    KvState state = *ScanAll(*db);
    EXPECT_TRUE(db->Close().ok());
    return state;
  }
  SimFs fs_;
};

class DbFsyncErrorTest : public DbErrorsTest,
                         public ::testing::WithParamInterface<std::string_view> {};

TEST_P(DbFsyncErrorTest, WalFsyncErrorIsStickyAndLosesNothingAcknowledged) {
  std::unique_ptr<DB> db = Open(fs_);
  ASSERT_NE(db, nullptr);
  AddRule("fsync-eio:*.log:2:" + std::string(GetParam()));
  ASSERT_TRUE(db->Put(kSync, "a", "1").ok());
  ASSERT_TRUE(db->Put({}, "b", "2").ok());
  Status failed = db->Put(kSync, "c", "3");
  ASSERT_TRUE(failed.IsIOError()) << failed.ToString();
  EXPECT_NE(failed.message().find(".log"), std::string::npos) << failed.ToString();
  // Read-only from now on, with the same error; never retried into success.
  EXPECT_EQ(db->Put(kSync, "d", "4"), failed);
  EXPECT_EQ(db->Put({}, "e", "5"), failed);
  EXPECT_EQ(db->Flush(), failed);
  EXPECT_TRUE(db->Get({}, "c").status().IsNotFound());  // the failed batch is not applied
  EXPECT_EQ(*db->Get({}, "a"), "1");
  EXPECT_TRUE(db->Close().ok());
  KvState recovered = RecoverAfterPowerCut();
  EXPECT_EQ(recovered.count("a"), 1u);
  EXPECT_EQ(recovered.count("d") + recovered.count("e"), 0u);
}

TEST_P(DbFsyncErrorTest, ManifestFsyncErrorDuringFlushIsSticky) {
  std::unique_ptr<DB> db = Open(fs_);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Put(kSync, "a", "1").ok());
  AddRule("fsync-eio:*MANIFEST*:1:" + std::string(GetParam()));
  Status failed = db->Flush();
  ASSERT_TRUE(failed.IsIOError()) << failed.ToString();
  EXPECT_NE(failed.message().find("MANIFEST"), std::string::npos) << failed.ToString();
  EXPECT_EQ(db->Put(kSync, "b", "2"), failed);
  EXPECT_EQ(*db->Get({}, "a"), "1");
  EXPECT_TRUE(db->Close().ok());
  EXPECT_EQ(RecoverAfterPowerCut(), (KvState{{"a", "1"}}));
}

TEST_P(DbFsyncErrorTest, TableFsyncErrorDuringFlushIsSticky) {
  std::unique_ptr<DB> db = Open(fs_);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Put({}, "a", "1").ok());
  AddRule("fsync-eio:*.sst:1:" + std::string(GetParam()));
  Status failed = db->Flush();
  ASSERT_TRUE(failed.IsIOError()) << failed.ToString();
  EXPECT_NE(failed.message().find(".sst"), std::string::npos) << failed.ToString();
  EXPECT_EQ(db->Put({}, "b", "2"), failed);
  EXPECT_TRUE(db->Close().ok());
  // The flush synced the WAL first, so "a" is durable even though unsynced.
  EXPECT_EQ(RecoverAfterPowerCut(), (KvState{{"a", "1"}}));
}

INSTANTIATE_TEST_SUITE_P(AfterFailureProfiles, DbFsyncErrorTest,
                         ::testing::Values("drop", "keep", "clean-but-visible"),
                         [](const ::testing::TestParamInfo<std::string_view>& info) {
                           std::string name(info.param);
                           std::erase(name, '-');
                           return name;
                         });

TEST_F(DbErrorsTest, EnospcIsAnIOErrorNotACrash) {
  std::unique_ptr<DB> db = Open(fs_);
  ASSERT_NE(db, nullptr);
  AddRule("enospc:2000:*.log");
  KvState acknowledged;
  Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    std::string key = "k" + std::to_string(i);
    status = db->Put(kSync, key, std::string(100, 'v'));
    if (status.ok()) acknowledged[key] = std::string(100, 'v');
  }
  ASSERT_TRUE(status.IsIOError()) << status.ToString();
  EXPECT_FALSE(acknowledged.empty());
  EXPECT_EQ(db->Put(kSync, "later", "x"), status);
  EXPECT_TRUE(db->Close().ok());
  KvState recovered = RecoverAfterPowerCut();
  for (const auto& [key, value] : acknowledged) EXPECT_EQ(recovered[key], value) << key;
  EXPECT_EQ(recovered.count("later"), 0u);
}

TEST_F(DbErrorsTest, ShortWritesAreCompletedByTheWriteLoop) {
  AddRule("short-write:*:0");  // every write to every file is short
  std::unique_ptr<DB> db = Open(fs_);
  ASSERT_NE(db, nullptr);
  const std::string big(50000, 'x');
  ASSERT_TRUE(db->Put(kSync, "a", "1").ok());
  ASSERT_TRUE(db->Put(kSync, "big", big).ok());
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->Put(kSync, "b", "2").ok());
  EXPECT_TRUE(db->Close().ok());
  EXPECT_EQ(RecoverAfterPowerCut(), (KvState{{"a", "1"}, {"b", "2"}, {"big", big}}));
}

// A manifest of one record whose record is damaged reads as a torn tail and
// no snapshot; the Corruption used to say "lacks its snapshot" without any
// offset. It names where the valid records end and where the bad bytes are.
TEST_F(DbErrorsTest, DamagedSingleRecordManifestIsReportedWithOffsets) {
  {
    std::unique_ptr<DB> db = Open(fs_);
    ASSERT_NE(db, nullptr);
  }
  Result<std::vector<std::string>> names = fs_.List("/db");
  ASSERT_TRUE(names.ok());
  std::string manifest;
  for (const std::string& name : *names) {
    if (name.starts_with("MANIFEST-")) manifest = "/db/" + name;
  }
  ASSERT_FALSE(manifest.empty());
  Result<std::string> bytes = faultfs::ReadFileToString(fs_, manifest);
  ASSERT_TRUE(bytes.ok());
  ASSERT_GT(bytes->size(), 10u);
  std::string damaged = *bytes;
  damaged[9] ^= 0x40;  // inside the first record's payload
  ASSERT_TRUE(testing::WriteRawFile(fs_, manifest, damaged).ok());
  Result<std::unique_ptr<DB>> reopened = DB::Open({}, "/db", &fs_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reopened.status().message().find(manifest), std::string::npos)
      << reopened.status().ToString();
  EXPECT_NE(reopened.status().message().find("at offset 0"), std::string::npos)
      << reopened.status().ToString();
}

}  // namespace
}  // namespace powercut::engine
