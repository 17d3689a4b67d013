// SimFs error injection: each rule of fault_rules.h (fsync-eio with its three
// after-failure profiles, enospc, short-write, read-eio, bitflip), how the
// injected error looks (IOError, errno, path, marked injected), and the log
// of fired faults.
#include <gtest/gtest.h>

#include <cerrno>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::Contents;
using testing::CrashUnder;
using testing::IsOk;
using testing::WriteFile;

void AddRule(SimFs& fs, std::string_view text) {
  Result<FaultRule> rule = FaultRule::Parse(text);
  ASSERT_TRUE(IsOk(rule)) << text;
  ASSERT_TRUE(IsOk(fs.AddFaultRule(*rule))) << text;
}

// A durable, named /db/x.log holding "synced", with "+dirty" appended and
// pending; the handle stays open.
struct DirtyLog {
  SimFs fs;
  FileHandle file;
  DirtyLog() {
    EXPECT_TRUE(IsOk(fs.AddDurableFile("/db/x.log", "synced")));
    auto opened = fs.Open("/db/x.log", OpenOptions::ReadWriteCreate());
    EXPECT_TRUE(IsOk(opened));
    file = *opened;
    EXPECT_TRUE(IsOk(fs.Append(file, "+dirty")));
  }
  std::string Durable() { return Contents(*CrashUnder(fs, "power-loss"), "/db/x.log"); }
};

void ExpectInjectedEio(const Status& status, std::string_view path) {
  EXPECT_TRUE(status.IsIOError()) << status.ToString();
  EXPECT_EQ(status.sys_errno(), EIO);
  EXPECT_TRUE(status.injected());
  EXPECT_NE(status.message().find(path), std::string::npos) << status.message();
}

TEST(SimFsFaultInjection, TheThirdFsyncOfALogFailsWithEio) {
  SimFs fs;
  AddRule(fs, "fsync-eio:*.log:3");
  auto log = fs.Open("/a.log", OpenOptions::ReadWriteCreate());
  auto other = fs.Open("/a.sst", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(log) && IsOk(other));
  EXPECT_TRUE(IsOk(fs.Sync(*log)));
  EXPECT_TRUE(IsOk(fs.Sync(*other)));  // does not match: not counted
  EXPECT_TRUE(IsOk(fs.DataSync(*log)));
  ExpectInjectedEio(fs.Sync(*log), "/a.log");
  EXPECT_TRUE(IsOk(fs.Sync(*log)));  // only the third
  ASSERT_EQ(fs.FiredFaults().size(), 1u);
  EXPECT_EQ(fs.FiredFaults()[0].operation, "fsync");
  EXPECT_EQ(fs.FiredFaults()[0].path, "/a.log");
  EXPECT_EQ(fs.FiredFaults()[0].position, fs.position() - 1);
}

TEST(SimFsFaultInjection, NthZeroFailsEveryFsyncIncludingDirectoryFsyncs) {
  SimFs fs;
  AddRule(fs, "fsync-eio:/db*:0:keep");
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/f", "")));
  auto file = fs.Open("/db/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ExpectInjectedEio(fs.Sync(*file), "/db/f");
  ExpectInjectedEio(fs.DataSync(*file), "/db/f");
  ExpectInjectedEio(fs.SyncDir("/db"), "/db");
  EXPECT_EQ(fs.FiredFaults().size(), 3u);
  fs.ClearFaultRules();
  EXPECT_TRUE(IsOk(fs.Sync(*file)));
}

TEST(SimFsFaultInjection, UnderDropASecondFsyncReturnsOkWhileTheDataIsGoneFromTheDurableImage) {
  DirtyLog log;
  AddRule(log.fs, "fsync-eio:*.log:1:drop");
  ExpectInjectedEio(log.fs.Sync(log.file), "/db/x.log");
  EXPECT_TRUE(IsOk(log.fs.Sync(log.file)));  // the fsyncgate "success"
  EXPECT_EQ(log.Durable(), "synced");
  EXPECT_EQ(Contents(log.fs, "/db/x.log"), "synced");  // the dirty pages were thrown away
  EXPECT_TRUE(log.fs.PendingOps().empty());
}

TEST(SimFsFaultInjection, UnderKeepTheDataStaysPendingAndARetryPersistsIt) {
  DirtyLog log;
  AddRule(log.fs, "fsync-eio:*.log:1:keep");
  ExpectInjectedEio(log.fs.Sync(log.file), "/db/x.log");
  EXPECT_EQ(log.fs.PendingOps().size(), 1u);
  EXPECT_EQ(log.Durable(), "synced");
  EXPECT_TRUE(IsOk(log.fs.Sync(log.file)));
  EXPECT_EQ(log.Durable(), "synced+dirty");
}

TEST(SimFsFaultInjection, UnderCleanButVisibleReadsShowTheDataButItNeverReachesTheDisk) {
  DirtyLog log;
  AddRule(log.fs, "fsync-eio:*.log:1:clean-but-visible");
  ExpectInjectedEio(log.fs.Sync(log.file), "/db/x.log");
  EXPECT_EQ(Contents(log.fs, "/db/x.log"), "synced+dirty");
  EXPECT_TRUE(log.fs.PendingOps().empty());
  EXPECT_TRUE(IsOk(log.fs.Sync(log.file)));  // a retry "succeeds"...
  EXPECT_EQ(log.Durable(), "synced");        // ...without the data
  EXPECT_TRUE(IsOk(log.fs.SyncAll()));
  EXPECT_EQ(log.Durable(), "synced");
  // Later writes still persist, over the durable bytes.
  ASSERT_TRUE(IsOk(log.fs.Write(log.file, 0, "S")));
  ASSERT_TRUE(IsOk(log.fs.Sync(log.file)));
  EXPECT_EQ(log.Durable(), "Synced");
  EXPECT_EQ(Contents(log.fs, "/db/x.log"), "Synced+dirty");
}

TEST(SimFsFaultInjection, AFailedDirectoryFsyncUnderDropLeavesNamesVisibleButNeverDurable) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/db")));
  AddRule(fs, "fsync-eio:/db:1:drop");
  WriteFile(fs, "/db/new", "x", /*sync=*/true);
  ExpectInjectedEio(fs.SyncDir("/db"), "/db");
  EXPECT_EQ(Contents(fs, "/db/new"), "x");
  EXPECT_TRUE(IsOk(fs.SyncDir("/db")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/new"), "<missing>");
}

TEST(SimFsFaultInjection, AFailedDirectoryFsyncUnderKeepIsPersistedByARetry) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/db")));
  AddRule(fs, "fsync-eio:/db:1:keep");
  WriteFile(fs, "/db/new", "x", /*sync=*/true);
  ExpectInjectedEio(fs.SyncDir("/db"), "/db");
  EXPECT_TRUE(IsOk(fs.SyncDir("/db")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/new"), "x");
}

TEST(SimFsFaultInjection, EnospcMakesTheCrossingWriteShortAndLaterWritesFail) {
  SimFs fs;
  AddRule(fs, "enospc:10:/db/*");
  auto file = fs.Open("/db_free", OpenOptions::ReadWriteCreate());  // does not match
  ASSERT_TRUE(IsOk(fs.MkDir("/db")));
  auto log = fs.Open("/db/log", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file) && IsOk(log));
  EXPECT_EQ(fs.Append(*log, "123456").value_or(0), 6u);
  EXPECT_EQ(fs.Append(*log, "789abc").value_or(0), 4u);  // crosses the limit: short
  Result<size_t> full = fs.Append(*log, "x");
  EXPECT_TRUE(full.status().IsIOError());
  EXPECT_EQ(full.status().sys_errno(), ENOSPC);
  EXPECT_TRUE(full.status().injected());
  EXPECT_NE(full.status().message().find("/db/log"), std::string::npos);
  EXPECT_EQ(Contents(fs, "/db/log"), "123456789a");
  EXPECT_EQ(fs.Append(*file, "unlimited").value_or(0), 9u);
  EXPECT_EQ(fs.FiredFaults().size(), 2u);
}

TEST(SimFsFaultInjection, ShortWriteWritesOnlyHalfByDefaultAndReturnsThatCount) {
  SimFs fs;
  AddRule(fs, "short-write:*.log:2");
  auto log = fs.Open("/a.log", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(log));
  EXPECT_EQ(fs.Append(*log, "abcd").value_or(0), 4u);
  EXPECT_EQ(fs.Append(*log, "efgh").value_or(0), 2u);  // the 2nd: half
  EXPECT_EQ(fs.Append(*log, "ijkl").value_or(0), 4u);
  EXPECT_EQ(Contents(fs, "/a.log"), "abcdefijkl");
  ASSERT_EQ(fs.FiredFaults().size(), 1u);
  EXPECT_EQ(fs.FiredFaults()[0].operation, "write");
}

TEST(SimFsFaultInjection, ShortWriteWithABytesCountWritesExactlyThatPrefix) {
  SimFs fs;
  AddRule(fs, "short-write:*:0:3");
  auto file = fs.Open("/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  EXPECT_EQ(fs.Write(*file, 0, "abcdefgh").value_or(0), 3u);
  EXPECT_EQ(fs.Write(*file, 3, "XY").value_or(0), 2u);  // already shorter than 3
  EXPECT_EQ(Contents(fs, "/f"), "abcXY");
  EXPECT_EQ(fs.PendingOps()[1].length, 3u);
}

TEST(SimFsFaultInjection, ReadEioFailsOnlyReadsOverlappingTheRange) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/t.sst", std::string(100, 'x'))));
  AddRule(fs, "read-eio:*.sst:40:10");
  auto file = fs.Open("/t.sst", OpenOptions::ReadOnly());
  ASSERT_TRUE(IsOk(file));
  char buffer[20];
  EXPECT_TRUE(IsOk(fs.Read(*file, 0, std::span<char>(buffer, 20))));
  EXPECT_TRUE(IsOk(fs.Read(*file, 50, std::span<char>(buffer, 20))));
  Result<size_t> bad = fs.Read(*file, 30, std::span<char>(buffer, 11));
  ExpectInjectedEio(bad.status(), "/t.sst");
  EXPECT_NE(bad.status().message().find("offset 30"), std::string::npos);
  EXPECT_EQ(fs.FiredFaults().size(), 1u);
}

TEST(SimFsFaultInjection, BitflipChangesDurableAndVisibleBytesOnceWhenAdded) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/MANIFEST", "ABC")));
  AddRule(fs, "bitflip:/db/MANIFEST:1:0");
  EXPECT_EQ(Contents(fs, "/db/MANIFEST"), "ACC");  // 'B' ^ 1 == 'C'
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/MANIFEST"), "ACC");
  ASSERT_EQ(fs.FiredFaults().size(), 1u);
  EXPECT_EQ(fs.FiredFaults()[0].operation, "bitflip");
  Result<FaultRule> out_of_range = FaultRule::Parse("bitflip:/db/MANIFEST:3:0");
  ASSERT_TRUE(IsOk(out_of_range));
  EXPECT_TRUE(fs.AddFaultRule(*out_of_range).IsInvalidArgument());
}

TEST(SimFsFaultInjection, ZeroSectorZeroesTheWholeSectorClippedToTheFileOnce) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/1.log", std::string(700, 'x'))));
  AddRule(fs, "zero-sector:/db/1.log:600");  // sector 1: bytes 512..699
  const std::string expected = std::string(512, 'x') + std::string(188, '\0');
  EXPECT_EQ(Contents(fs, "/db/1.log"), expected);
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/1.log"), expected);
  ASSERT_EQ(fs.FiredFaults().size(), 1u);
  EXPECT_EQ(fs.FiredFaults()[0].operation, "zero-sector");
  Result<FaultRule> past_end = FaultRule::Parse("zero-sector:/db/1.log:700");
  ASSERT_TRUE(IsOk(past_end));
  EXPECT_TRUE(fs.AddFaultRule(*past_end).IsInvalidArgument());
}

TEST(SimFsFaultInjection, MisdirectMovesTheBytesAndLeavesZerosBehind) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/CURRENT", "MANIFEST-000003\n")));
  AddRule(fs, "misdirect:/db/CURRENT:0:8:8");
  const std::string expected = std::string(8, '\0') + "MANIFEST";
  EXPECT_EQ(Contents(fs, "/db/CURRENT"), expected);
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/CURRENT"), expected);
  EXPECT_EQ(fs.FiredFaults()[0].operation, "misdirect");
  Result<FaultRule> outside = FaultRule::Parse("misdirect:/db/CURRENT:0:10:8");
  ASSERT_TRUE(IsOk(outside));
  EXPECT_TRUE(fs.AddFaultRule(*outside).IsInvalidArgument());
}

TEST(SimFsFaultInjection, FiredFaultsNameTheRuleTheOperationAndThePosition) {
  DirtyLog log;
  AddRule(log.fs, "fsync-eio:*.log:1:drop");
  EXPECT_FALSE(log.fs.Sync(log.file).ok());
  std::vector<FiredFault> fired = log.fs.FiredFaults();
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].rule, FaultRule::Parse("fsync-eio:*.log:1:drop")->ToString());
  EXPECT_EQ(fired[0].position, log.fs.position());
  // Rules and their log travel into clones and crash states.
  EXPECT_EQ(log.fs.Clone()->FiredFaults().size(), 1u);
}

}  // namespace
}  // namespace powercut::faultfs
