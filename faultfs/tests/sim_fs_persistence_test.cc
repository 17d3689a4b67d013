// SimFs persistence rules, one test per row of the table in sim_fs.h and
// DESIGN.md (both profiles where they differ), each written as
// load -> (sync) -> cut power -> look. Also: what close, handles, process
// kills, clones and the observer do, and the durable-setup helpers.
#include <gtest/gtest.h>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::AppendFile;
using testing::Contents;
using testing::CrashUnder;
using testing::IsOk;
using testing::SyncFile;
using testing::WriteFile;

SimFs::Options Ext4() { return SimFs::Options{.profile = PersistenceProfile::kExt4Ordered}; }

TEST(SimFsPersistence, WriteWithoutFsyncIsLostOnPowerLoss) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/log", "old")));
  WriteFile(fs, "/db/log", "new");
  EXPECT_EQ(Contents(fs, "/db/log"), "new");
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/log"), "old");
}

TEST(SimFsPersistence, WriteIsDurableAfterFsyncOfTheFile) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/log", "old")));
  WriteFile(fs, "/db/log", "new", /*sync=*/true);
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/log"), "new");
  EXPECT_TRUE(fs.PendingOps().empty());
}

TEST(SimFsPersistence, FdatasyncPersistsTheSizeAnAppendImplies) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/log", "abc")));
  auto file = fs.Open("/log", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Append(*file, "defgh")));
  ASSERT_TRUE(IsOk(fs.DataSync(*file)));
  ASSERT_TRUE(IsOk(fs.Close(*file)));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/log"), "abcdefgh");
}

TEST(SimFsPersistence, TruncateIsLostWithoutFsyncAndDurableWithIt) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "0123456789")));
  auto file = fs.Open("/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Truncate(*file, 4)));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "0123456789");
  ASSERT_TRUE(IsOk(fs.Sync(*file)));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "0123");
  ASSERT_TRUE(IsOk(fs.Close(*file)));
}

TEST(SimFsPersistence, OpenWithTruncateIsAPendingTruncate) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "data")));
  OpenOptions options = OpenOptions::ReadWriteCreate();
  options.truncate = true;
  auto file = fs.Open("/f", options);
  ASSERT_TRUE(IsOk(file));
  ASSERT_EQ(fs.PendingOps().size(), 1u);
  EXPECT_EQ(fs.PendingOps()[0].kind, OpKind::kTruncate);
  EXPECT_EQ(Contents(fs, "/f"), "");
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "data");
  ASSERT_TRUE(IsOk(fs.Close(*file)));
}

TEST(SimFsPersistence, SyncAllMakesEverythingDurable) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.MkDir("/db")));
  WriteFile(fs, "/db/a", "alpha");
  ASSERT_TRUE(IsOk(fs.Rename("/db/a", "/db/b")));
  ASSERT_TRUE(IsOk(fs.SyncAll()));
  EXPECT_TRUE(fs.PendingOps().empty());
  EXPECT_EQ(CrashUnder(fs, "power-loss")->DumpVisible(), fs.DumpVisible());
  EXPECT_EQ(fs.DumpDurable(),
            (std::map<std::string, std::string>{{"/db/", ""}, {"/db/b", "alpha"}}));
}

TEST(SimFsPersistence, CreateWithoutDirectoryFsyncIsLostOnPowerLoss) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/db")));
  WriteFile(fs, "/db/new", "x");
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/new"), "<missing>");
  ASSERT_TRUE(IsOk(fs.SyncDir("/db")));
  // The name is durable, the data is not: an empty file comes back.
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/new"), "");
}

TEST(SimFsPersistence, NewFileWithSyncedDataButUnsyncedNameIsAnOrphanAfterPowerLoss) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/db")));
  WriteFile(fs, "/db/table", "sorted", /*sync=*/true);
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_EQ(Contents(*crashed, "/db/table"), "<missing>");
  EXPECT_EQ(crashed->DumpVisible(), (std::map<std::string, std::string>{{"/db/", ""}}));
  ASSERT_TRUE(IsOk(fs.SyncDir("/db")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/table"), "sorted");
}

TEST(SimFsPersistence, UnderExt4OrderedFsyncOfANewFileAlsoPersistsItsName) {
  SimFs fs(Ext4());
  ASSERT_TRUE(IsOk(fs.MkDir("/db")));  // pending too: its mkdir persists with the file
  WriteFile(fs, "/db/table", "sorted", /*sync=*/true);
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/table"), "sorted");
}

TEST(SimFsPersistence, UnderStrictPosixFsyncOfAFileNeverPersistsItsName) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/tmp", "")));
  ASSERT_TRUE(IsOk(fs.Rename("/db/tmp", "/db/CURRENT")));
  SyncFile(fs, "/db/CURRENT");
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_EQ(Contents(*crashed, "/db/CURRENT"), "<missing>");
  EXPECT_EQ(Contents(*crashed, "/db/tmp"), "");
}

TEST(SimFsPersistence, UnderExt4OrderedFsyncOfARenamedFilePersistsTheRename) {
  SimFs fs(Ext4());
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/tmp", "v2")));
  ASSERT_TRUE(IsOk(fs.Rename("/db/tmp", "/db/CURRENT")));
  SyncFile(fs, "/db/CURRENT");
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_EQ(Contents(*crashed, "/db/CURRENT"), "v2");
  EXPECT_EQ(Contents(*crashed, "/db/tmp"), "<missing>");
}

TEST(SimFsPersistence, RenameWithoutDirectoryFsyncIsLostOnPowerLoss) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/CURRENT", "v1")));
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/CURRENT.tmp", "v2")));
  ASSERT_TRUE(IsOk(fs.Rename("/db/CURRENT.tmp", "/db/CURRENT")));
  EXPECT_EQ(Contents(fs, "/db/CURRENT"), "v2");
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_EQ(Contents(*crashed, "/db/CURRENT"), "v1");
  EXPECT_EQ(Contents(*crashed, "/db/CURRENT.tmp"), "v2");
}

TEST(SimFsPersistence, RenameIsDurableAfterFsyncOfItsDirectory) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/CURRENT", "v1")));
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/CURRENT.tmp", "v2")));
  ASSERT_TRUE(IsOk(fs.Rename("/db/CURRENT.tmp", "/db/CURRENT")));
  ASSERT_TRUE(IsOk(fs.SyncDir("/db")));
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_EQ(crashed->DumpVisible(),
            (std::map<std::string, std::string>{{"/db/", ""}, {"/db/CURRENT", "v2"}}));
}

TEST(SimFsPersistence, CrossDirectoryRenamesNewNameIsDurableWithTheDestinationsSync) {
  // The destination's fsync makes the new name durable; the old name's
  // removal waits for the source's fsync (until then both may survive).
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/in/f", "data")));
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/out")));
  ASSERT_TRUE(IsOk(fs.Rename("/in/f", "/out/f")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/out/f"), "<missing>");
  ASSERT_TRUE(IsOk(fs.SyncDir("/out")));
  EXPECT_EQ(fs.PendingOps().size(), 1u);
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_EQ(Contents(*crashed, "/in/f"), "data");
  EXPECT_EQ(Contents(*crashed, "/out/f"), "data");
  ASSERT_TRUE(IsOk(fs.SyncDir("/in")));
  EXPECT_TRUE(fs.PendingOps().empty());
  crashed = CrashUnder(fs, "power-loss");
  EXPECT_EQ(Contents(*crashed, "/in/f"), "<missing>");
  EXPECT_EQ(Contents(*crashed, "/out/f"), "data");
}

TEST(SimFsPersistence, LinkIsDurableOnlyAfterFsyncOfTheNewNamesDirectory) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/a/f", "data")));
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/b")));
  ASSERT_TRUE(IsOk(fs.Link("/a/f", "/b/g")));
  ASSERT_TRUE(IsOk(fs.SyncDir("/a")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/b/g"), "<missing>");
  ASSERT_TRUE(IsOk(fs.SyncDir("/b")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/b/g"), "data");
}

TEST(SimFsPersistence, UnlinkWithoutDirectoryFsyncIsUndoneByPowerLoss) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/old.log", "records")));
  ASSERT_TRUE(IsOk(fs.Unlink("/db/old.log")));
  EXPECT_EQ(Contents(fs, "/db/old.log"), "<missing>");
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/old.log"), "records");
  ASSERT_TRUE(IsOk(fs.SyncDir("/db")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/old.log"), "<missing>");
}

TEST(SimFsPersistence, MkDirAndRmDirAreDurableOnlyAfterFsyncOfTheParent) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.MkDir("/db")));
  EXPECT_EQ(CrashUnder(fs, "power-loss")->DumpVisible().count("/db/"), 0u);
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  EXPECT_EQ(CrashUnder(fs, "power-loss")->DumpVisible().count("/db/"), 1u);
  ASSERT_TRUE(IsOk(fs.RmDir("/db")));
  EXPECT_EQ(CrashUnder(fs, "power-loss")->DumpVisible().count("/db/"), 1u);
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  EXPECT_EQ(CrashUnder(fs, "power-loss")->DumpVisible().count("/db/"), 0u);
}

TEST(SimFsPersistence, EntriesInADirectoryWhoseMkDirIsNotDurableAreUnreachable) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.MkDir("/db")));
  WriteFile(fs, "/db/f", "x", /*sync=*/true);
  ASSERT_TRUE(IsOk(fs.SyncDir("/db")));  // f's name is durable inside /db, /db's is not
  EXPECT_TRUE(CrashUnder(fs, "power-loss")->DumpVisible().empty());
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/db/f"), "x");
}

TEST(SimFsPersistence, CloseNeverMakesAnythingDurable) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "old")));
  WriteFile(fs, "/f", "new");  // opens, writes, closes
  EXPECT_EQ(fs.PendingOps().size(), 1u);
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/f"), "old");
}

TEST(SimFsPersistence, AnUnlinkedFileLivesOnWhileAHandleIsOpen) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "kept")));
  auto file = fs.Open("/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Unlink("/f")));
  ASSERT_TRUE(IsOk(fs.Append(*file, "+more")));
  char buffer[16];
  auto n = fs.Read(*file, 0, std::span<char>(buffer, sizeof(buffer)));
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(std::string(buffer, *n), "kept+more");
  EXPECT_TRUE(IsOk(fs.Sync(*file)));
  EXPECT_TRUE(IsOk(fs.Close(*file)));
  EXPECT_EQ(Contents(fs, "/f"), "<missing>");
}

TEST(SimFsPersistence, ProcessKillKeepsUnsyncedDataVisibleAndStillPending) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "old")));
  WriteFile(fs, "/f", "new");
  auto killed = CrashUnder(fs, "process-kill");
  EXPECT_EQ(Contents(*killed, "/f"), "new");
  EXPECT_EQ(killed->PendingOps().size(), 1u);
  EXPECT_EQ(killed->position(), fs.position());
  // A later power cut can still lose it.
  EXPECT_EQ(Contents(*CrashUnder(*killed, "power-loss"), "/f"), "old");
}

TEST(SimFsPersistence, AfterAPowerLossNothingIsPendingAndVisibleEqualsDurable) {
  SimFs fs;
  WriteFile(fs, "/f", "x", /*sync=*/true);
  WriteFile(fs, "/g", "y");
  auto crashed = CrashUnder(fs, "power-loss");
  EXPECT_TRUE(crashed->PendingOps().empty());
  EXPECT_EQ(crashed->DumpVisible(), crashed->DumpDurable());
  EXPECT_EQ(crashed->position(), fs.position());
}

TEST(SimFsPersistence, CloneCopiesStateButNotHandles) {
  SimFs fs;
  WriteFile(fs, "/f", "durable", /*sync=*/true);
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  auto file = fs.Open("/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Write(*file, 0, "VISIBLE")));
  auto clone = fs.Clone();
  EXPECT_EQ(clone->DumpVisible(), fs.DumpVisible());
  EXPECT_EQ(clone->DumpDurable(), fs.DumpDurable());
  EXPECT_EQ(clone->position(), fs.position());
  EXPECT_EQ(clone->PendingOps().size(), 1u);
  EXPECT_TRUE(clone->Size(*file).status().IsInvalidArgument());
  // The clone is independent.
  WriteFile(*clone, "/f", "CLONE");
  EXPECT_EQ(Contents(fs, "/f"), "VISIBLE");
  ASSERT_TRUE(IsOk(fs.Close(*file)));
}

TEST(SimFsPersistence, PositionCountsEveryStateChangingOrSyncCallFailedOnesToo) {
  SimFs fs;
  EXPECT_EQ(fs.position(), 0u);
  auto file = fs.Open("/f", OpenOptions::ReadWriteCreate());  // create: 1
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Write(*file, 0, "abc")));  // 2
  ASSERT_TRUE(IsOk(fs.Sync(*file)));             // 3
  char buffer[4];
  ASSERT_TRUE(IsOk(fs.Read(*file, 0, std::span<char>(buffer, 4))));  // not counted
  ASSERT_TRUE(IsOk(fs.Size(*file)));                                 // not counted
  EXPECT_FALSE(fs.Rename("/missing", "/x").ok());                    // failed: 4
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));                                // 5
  ASSERT_TRUE(IsOk(fs.Close(*file)));                                // not counted
  auto again = fs.Open("/f", OpenOptions::ReadWriteCreate());        // exists: not counted
  ASSERT_TRUE(IsOk(again));
  ASSERT_TRUE(IsOk(fs.Close(*again)));
  EXPECT_EQ(fs.position(), 5u);
}

TEST(SimFsPersistence, TheObserverSeesEachOpAndMayCrashTheFileSystemFromInside) {
  SimFs fs;
  std::vector<std::string> seen;
  std::vector<size_t> visible_files_after_power_loss;
  fs.SetObserver([&](const OpRecord& op) {
    seen.push_back(std::to_string(op.position) + " " + op.ToString());
    // The lock is released: crashing here must not deadlock.
    CrashStateId id{CrashModel{CrashModelKind::kPowerLoss}, fs.position(), {}};
    auto crashed = fs.Crash(id);
    ASSERT_TRUE(IsOk(crashed));
    visible_files_after_power_loss.push_back((*crashed)->DumpVisible().size());
  });
  WriteFile(fs, "/f", "abc", /*sync=*/true);
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  EXPECT_FALSE(fs.Unlink("/nope").ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"1 create /f", "2 write /f @0 +3", "3 sync /f",
                                            "4 syncdir /", "5 unlink /nope (failed)"}));
  EXPECT_EQ(visible_files_after_power_loss, (std::vector<size_t>{0, 0, 0, 1, 1}));
}

TEST(SimFsPersistence, AddDurableFileCreatesParentsAndDumpsListDirectoriesWithASlash) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/a/b/c.txt", "hello")));
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/a/empty")));
  std::map<std::string, std::string> expected{
      {"/a/", ""}, {"/a/b/", ""}, {"/a/b/c.txt", "hello"}, {"/a/empty/", ""}};
  EXPECT_EQ(fs.DumpDurable(), expected);
  EXPECT_EQ(fs.DumpVisible(), expected);
  EXPECT_TRUE(fs.PendingOps().empty());
  EXPECT_EQ(fs.position(), 0u);
  EXPECT_FALSE(fs.AddDurableFile("/a/b/c.txt", "again").ok());
  EXPECT_TRUE(fs.AddDurableFile("/a/b/c.txt/d", "x").IsInvalidArgument());
}

TEST(SimFsPersistence, AppendAfterAnUnsyncedAppendOnlyLosesTheUnsyncedTail) {
  SimFs fs;
  AppendFile(fs, "/wal", "rec1;", /*sync=*/true);
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  AppendFile(fs, "/wal", "rec2;");
  EXPECT_EQ(Contents(fs, "/wal"), "rec1;rec2;");
  EXPECT_EQ(Contents(*CrashUnder(fs, "power-loss"), "/wal"), "rec1;");
}

}  // namespace
}  // namespace powercut::faultfs
