// The torn crash models against what devices do. The default `torn` is
// sector-atomic (torn-512-old): each sector of a persisted write lands whole
// or keeps its old bytes, and only bytes past the file's durable end read as
// zeros (or are absent). Tears inside a sector are the explicit, harsher
// variants: -new (a new prefix over old bytes) and -junk (garbage); -zeros
// erases a sector that did not land even where it held data. SQLite's
// "powersafe overwrite" (SQLITE_IOCAP_POWERSAFE_OVERWRITE, sqlite.org/psow.html)
// is the reference for what a sector write may and may not do.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::IsOk;

std::set<std::string> FileStates(const SimFs& fs, std::string_view model, const char* path) {
  std::set<std::string> states;
  for (const auto& tree : testing::AllStates(fs, model)) {
    auto it = tree.find(path);
    states.insert(it == tree.end() ? "<missing>" : it->second);
  }
  return states;
}

void WriteAt(SimFs& fs, const char* path, uint64_t offset, std::string_view data) {
  auto file = fs.Open(path, OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Write(*file, offset, data)));
  ASSERT_TRUE(IsOk(fs.Close(*file)));
}

TEST(SimFsTornFidelity, TheDefaultTornIsSectorAtomic) {
  Result<CrashModel> model = CrashModel::Parse("torn");
  ASSERT_TRUE(IsOk(model));
  EXPECT_EQ(model->Name(), "torn-512-old");
  EXPECT_EQ(CrashModel::Parse("torn-4096")->Name(), "torn-4096-old");
}

TEST(SimFsTornFidelity, AnInPlaceSectorOverwriteIsOldOrNewUnderTheDefault) {
  // A 512-byte header rewritten in place, no checksum: LMDB's and SQLite's
  // documented assumption. Only the old or the new header can come back.
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/h", std::string(512, 'O') + "tail")));
  WriteAt(fs, "/h", 0, std::string(512, 'N'));
  EXPECT_EQ(FileStates(fs, "torn", "/h"), (std::set<std::string>{std::string(512, 'O') + "tail",
                                                                 std::string(512, 'N') + "tail"}));
}

TEST(SimFsTornFidelity, AnInSectorTearIsOnlyInTheHarsherVariants) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/h", std::string(512, 'O'))));
  WriteAt(fs, "/h", 0, std::string(512, 'N'));
  std::set<std::string> torn_new = FileStates(fs, "torn-512-new", "/h");
  EXPECT_TRUE(torn_new.count(std::string(256, 'N') + std::string(256, 'O')));
  std::set<std::string> zeros = FileStates(fs, "torn-512-zeros", "/h");
  EXPECT_TRUE(zeros.count(std::string(512, '\0')));
  std::set<std::string> junk = FileStates(fs, "torn-512-junk", "/h");
  EXPECT_EQ(junk.size(), 3u);  // old (dropped), new, and one garbage sector
}

TEST(SimFsTornFidelity, NewTearsEachSectorInsideNotTheWholeWrite) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/h", std::string(1024, 'O'))));
  WriteAt(fs, "/h", 0, std::string(1024, 'N'));
  const std::string half = std::string(256, 'N') + std::string(256, 'O');
  EXPECT_TRUE(FileStates(fs, "torn-512-new", "/h").count(half + half));
  EXPECT_TRUE(FileStates(fs, "torn-512-new", "/h").count(half + std::string(512, 'N')));
}

TEST(SimFsTornFidelity, BytesBesideATornWriteInItsSectorAreNeverTouched) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", std::string(512, 'O'))));
  WriteAt(fs, "/f", 100, "NN");
  for (const char* model : {"torn-512-old", "torn-512-zeros", "torn-512-junk", "torn-512-new"}) {
    for (const std::string& state : FileStates(fs, model, "/f")) {
      EXPECT_EQ(state.substr(0, 100), std::string(100, 'O')) << model;
      EXPECT_EQ(state.substr(102), std::string(410, 'O')) << model;
    }
  }
}

TEST(SimFsTornFidelity, ARecordStraddlingASectorBoundaryCanTearUnderTheDefault) {
  // After a synced head of 300 bytes, record 2 covers [300, 600) across the
  // boundary at 512, record 3 [600, 1200). Record 2's second sector can be
  // lost while record 3's last sector (a later write, another sector) lands:
  // a hole of zeros inside record 2 that a reader without a checksum takes
  // for data. (Record 3's bytes in sector 1 cannot land without record 2's.)
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/log", std::string(300, '1'))));
  WriteAt(fs, "/log", 300, std::string(300, '2'));
  WriteAt(fs, "/log", 600, std::string(600, '3'));
  std::set<std::string> states = FileStates(fs, "torn", "/log");
  const std::string torn_record2 = std::string(300, '1') + std::string(212, '2') +
                                   std::string(512, '\0') + std::string(176, '3');
  EXPECT_TRUE(states.count(torn_record2));
  for (const std::string& state : states) {
    if (state.size() > 600 && state[600] == '3') {
      EXPECT_EQ(state[599], '2');
    }
  }
  // ... and with nothing after it, the file simply ends at the landed sector.
  EXPECT_TRUE(states.count(std::string(300, '1') + std::string(212, '2')));
}

TEST(SimFsTornFidelity, AnAppendsNewSizePersistsOrNotIndependentlyOfItsSectors) {
  // Past the durable end a sector that did not land reads as zeros when the
  // size persisted (ext4 data=writeback, XFS) and is absent when it did not.
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/log", "head")));
  WriteAt(fs, "/log", 4, std::string(1000, 'x'));  // sectors [4,512) and [512,1004)
  std::set<std::string> states = FileStates(fs, "torn", "/log");
  EXPECT_TRUE(states.count("head"));
  EXPECT_TRUE(states.count("head" + std::string(1000, '\0')));
  EXPECT_TRUE(states.count("head" + std::string(508, 'x')));
  EXPECT_TRUE(states.count("head" + std::string(508, 'x') + std::string(492, '\0')));
  EXPECT_TRUE(states.count("head" + std::string(508, '\0') + std::string(492, 'x')));
  EXPECT_TRUE(states.count("head" + std::string(1000, 'x')));
  EXPECT_EQ(states.size(), 6u);
  for (const std::string& state : states) EXPECT_EQ(state.substr(0, 4), "head");
}

TEST(SimFsTornFidelity, ARecordWhoseFirstSectorLandedAndSecondDidNotCanReadAsZeros) {
  // One record, one write, then fsync: before the fsync returns, the size
  // and its first sector can be on disk without its second sector.
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/log", std::string(300, '1'))));
  WriteAt(fs, "/log", 300, std::string(300, '2'));
  EXPECT_TRUE(FileStates(fs, "torn", "/log")
                  .count(std::string(300, '1') + std::string(212, '2') + std::string(88, '\0')));
}

TEST(SimFsTornFidelity, ALaterWriteToASectorNeverLandsWithoutAnEarlierOne) {
  // Write-back writes a sector as it is then, holding every earlier write to
  // it: "SET k0", zeros, "SET k2" in one sector cannot come back.
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/aof", "k0..")));
  WriteAt(fs, "/aof", 4, "k1..");
  WriteAt(fs, "/aof", 8, "k2..");
  for (const char* model : {"reorder", "torn", "torn-512-new", "torn-512-junk"}) {
    for (const std::string& state : FileStates(fs, model, "/aof")) {
      if (state.size() >= 12 && state.substr(8, 4) == "k2..") {
        EXPECT_EQ(state.substr(4, 4), "k1..") << model;
      }
    }
  }
  EXPECT_TRUE(FileStates(fs, "reorder", "/aof").count("k0..k1.."));
}

TEST(SimFsTornFidelity, WritesToDifferentSectorsStillReorder) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", std::string(1024, '.'))));
  WriteAt(fs, "/f", 0, "A");
  WriteAt(fs, "/f", 512, "B");
  EXPECT_TRUE(
      FileStates(fs, "reorder", "/f").count(std::string(512, '.') + "B" + std::string(511, '.')));
}

TEST(SimFsTornFidelity, ATruncateBetweenTwoWritesEndsTheSectorOrder) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/f", "")));
  WriteAt(fs, "/f", 0, "AAAA");
  auto file = fs.Open("/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Truncate(*file, 0)));
  ASSERT_TRUE(IsOk(fs.Write(*file, 0, "B")));
  ASSERT_TRUE(IsOk(fs.Close(*file)));
  // The truncate removed AAAA from the page: B can land without it.
  EXPECT_TRUE(FileStates(fs, "reorder", "/f").count("BAAA") ||
              FileStates(fs, "reorder", "/f").count("B"));
}

}  // namespace
}  // namespace powercut::faultfs
