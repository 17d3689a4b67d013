// Synchronous writes in SimFs (OpenOptions::sync, SimFs::WriteSynchronous):
// O_DSYNC / O_SYNC descriptors and pwritev2's RWF_DSYNC / RWF_SYNC make the
// written range durable when the call returns, range-limited as Linux's
// generic_write_sync -> vfs_fsync_range is, never the file's name, and never
// a truncate. Each test: load -> write -> cut power -> look.
#include <gtest/gtest.h>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::Contents;
using testing::CrashUnder;
using testing::IsOk;

FileHandle OpenWith(SimFs& fs, std::string_view path, SyncMode sync) {
  OpenOptions options = OpenOptions::ReadWriteCreate();
  options.sync = sync;
  Result<FileHandle> file = fs.Open(path, options);
  EXPECT_TRUE(IsOk(file)) << path;
  return file.ok() ? *file : FileHandle{};
}

TEST(SimFsSyncWrite, WriteThroughAnODsyncHandleSurvivesPowerLossWithoutFsync) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/log", "head")));
  FileHandle file = OpenWith(fs, "/db/log", SyncMode::kData);
  ASSERT_TRUE(IsOk(fs.Write(file, 4, "+commit")));
  EXPECT_TRUE(fs.PendingOps().empty());
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/log"), "head+commit");
  EXPECT_EQ(Contents(*CrashUnder(fs, "reorder"), "/db/log"), "head+commit");
  ASSERT_TRUE(IsOk(fs.Close(file)));
}

TEST(SimFsSyncWrite, ThePlainTwinIsLostOnPowerLoss) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/log", "head")));
  FileHandle file = OpenWith(fs, "/db/log", SyncMode::kNone);
  ASSERT_TRUE(IsOk(fs.Write(file, 4, "+commit")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/log"), "head");
  ASSERT_TRUE(IsOk(fs.Close(file)));
}

TEST(SimFsSyncWrite, AppendThroughAnOSyncHandleIsDurableWithItsSize) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/log", "abc")));
  FileHandle file = OpenWith(fs, "/log", SyncMode::kFull);
  ASSERT_TRUE(IsOk(fs.Append(file, "defgh")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/log"), "abcdefgh");
  ASSERT_TRUE(IsOk(fs.Close(file)));
}

TEST(SimFsSyncWrite, TheNameOfANewFileStillNeedsADirectorySync) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.MkDir("/db")));
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  FileHandle file = OpenWith(fs, "/db/new", SyncMode::kFull);
  ASSERT_TRUE(IsOk(fs.Write(file, 0, "data")));
  ASSERT_TRUE(IsOk(fs.Close(file)));
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_FALSE(crashed->Stat("/db/new").ok()) << "strict POSIX: the create is not synced";
  ASSERT_TRUE(IsOk(fs.SyncDir("/db")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/new"), "data");
}

TEST(SimFsSyncWrite, OtherPagesPendingWritesStayPending) {
  SimFs fs;
  const std::string dots(3 * 4096, '.');
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", dots)));
  FileHandle plain = OpenWith(fs, "/f", SyncMode::kNone);
  ASSERT_TRUE(IsOk(fs.Write(plain, 0, "AAAA")));  // pending, in another page
  ASSERT_TRUE(IsOk(fs.WriteSynchronous(plain, 8192, "BBBB", SyncMode::kData)));
  ASSERT_EQ(fs.PendingOps().size(), 1u);
  EXPECT_EQ(fs.PendingOps()[0].offset, 0u);
  std::string synced = dots;
  synced.replace(8192, 4, "BBBB");
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), synced);
  std::string both = synced;
  both.replace(0, 4, "AAAA");
  EXPECT_EQ(Contents(*CrashUnder(fs, "process-kill"), "/f"), both);
  ASSERT_TRUE(IsOk(fs.Close(plain)));
}

TEST(SimFsSyncWrite, AnEarlierWriteInTheSamePagePersistsWithIt) {
  // vfs_fsync_range writes back whole pages: the earlier bytes in the page
  // reach the disk with the synchronous ones (and a crash can never show the
  // later write without the earlier one in one sector).
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", std::string(16, '.'))));
  FileHandle plain = OpenWith(fs, "/f", SyncMode::kNone);
  ASSERT_TRUE(IsOk(fs.Write(plain, 0, "AAAA")));
  ASSERT_TRUE(IsOk(fs.WriteSynchronous(plain, 8, "BBBB", SyncMode::kData)));
  EXPECT_TRUE(fs.PendingOps().empty());
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "AAAA....BBBB....");
  ASSERT_TRUE(IsOk(fs.Close(plain)));
}

TEST(SimFsSyncWrite, AnEarlierOverlappingWritePersistsWithIt) {
  // Write-back writes the page as it is now: the older bytes under the
  // synchronous write can never land after it, and the older bytes beside it
  // in the same write go with them (the two do not commute).
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", std::string(8, '.'))));
  FileHandle file = OpenWith(fs, "/f", SyncMode::kNone);
  ASSERT_TRUE(IsOk(fs.Write(file, 0, "AAAAAA")));
  ASSERT_TRUE(IsOk(fs.WriteSynchronous(file, 4, "BB", SyncMode::kData)));
  EXPECT_TRUE(fs.PendingOps().empty());
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "AAAABB..");
  ASSERT_TRUE(IsOk(fs.Close(file)));
}

TEST(SimFsSyncWrite, EveryCrashStateAfterASyncWriteKeepsIt) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", std::string(8, '.'))));
  FileHandle file = OpenWith(fs, "/f", SyncMode::kNone);
  ASSERT_TRUE(IsOk(fs.Write(file, 0, "AA")));
  ASSERT_TRUE(IsOk(fs.WriteSynchronous(file, 4, "BB", SyncMode::kData)));
  ASSERT_TRUE(IsOk(fs.Write(file, 5, "CC")));  // pending, over part of the synced bytes
  for (const char* model : {"reorder", "torn", "prefix", "per-file-prefix", "zero-tail"}) {
    for (const auto& state : testing::AllStates(fs, model)) {
      const std::string& contents = state.at("/f");
      ASSERT_GE(contents.size(), 6u) << model;
      EXPECT_EQ(contents[4], 'B') << model << " " << contents;
      EXPECT_TRUE(contents[5] == 'B' || contents[5] == 'C') << model << " " << contents;
    }
  }
  ASSERT_TRUE(IsOk(fs.Close(file)));
}

TEST(SimFsSyncWrite, TruncateThroughAnOSyncHandleIsNotSynchronous) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "0123456789")));
  FileHandle file = OpenWith(fs, "/f", SyncMode::kFull);
  ASSERT_TRUE(IsOk(fs.Truncate(file, 4)));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "0123456789");
  ASSERT_TRUE(IsOk(fs.Close(file)));
}

TEST(SimFsSyncWrite, APendingTruncateBeforeASyncWritePersistsWithIt) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "0123456789")));
  FileHandle file = OpenWith(fs, "/f", SyncMode::kNone);
  ASSERT_TRUE(IsOk(fs.Truncate(file, 2)));
  ASSERT_TRUE(IsOk(fs.WriteSynchronous(file, 2, "ab", SyncMode::kData)));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "01ab");
  ASSERT_TRUE(IsOk(fs.Close(file)));
}

TEST(SimFsSyncWrite, TheTraceNamesTheSynchronousWrite) {
  SimFs fs;
  std::vector<std::string> seen;
  fs.SetObserver([&](const OpRecord& op) { seen.push_back(op.ToString()); });
  FileHandle file = OpenWith(fs, "/f", SyncMode::kData);
  ASSERT_TRUE(IsOk(fs.Write(file, 0, "x")));
  ASSERT_TRUE(IsOk(fs.Close(file)));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], "write /f @0 +1 (O_DSYNC)");
}

}  // namespace
}  // namespace powercut::faultfs
