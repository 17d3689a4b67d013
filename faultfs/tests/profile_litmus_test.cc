// Litmus tests of the file-system profiles (profile.h), in the style of
// Bornholt et al., "Specifying and Checking File System Crash-Consistency
// Models" (ASPLOS'16): a tiny program, then the crash states that MUST and
// MUST NOT be reachable under each profile. One test per rule per profile;
// docs/faultfs.md's profile table cites the source of each rule.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::IsOk;

constexpr PersistenceProfile kStrict = PersistenceProfile::kStrictPosix;
constexpr PersistenceProfile kOrdered = PersistenceProfile::kExt4Ordered;
constexpr PersistenceProfile kWriteback = PersistenceProfile::kExt4Writeback;

// Every crash state of `model`, each as "path=contents path=contents ..."
// (files only), so a test can ask whether one is reachable.
std::set<std::string> Reachable(const SimFs& fs, std::string_view model) {
  std::set<std::string> states;
  for (const auto& tree : testing::AllStates(fs, model)) {
    std::string text;
    for (const auto& [path, contents] : tree) {
      if (path.back() == '/') continue;
      std::string shown;
      for (char c : contents) shown += c == '\0' ? '0' : c;
      text += (text.empty() ? "" : " ") + path + "=" + shown;
    }
    states.insert(text);
  }
  return states;
}

void Write(SimFs& fs, std::string_view path, uint64_t offset, std::string_view data) {
  auto file = fs.Open(path, OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Write(*file, offset, data)));
  ASSERT_TRUE(IsOk(fs.Close(*file)));
}

void Fsync(SimFs& fs, std::string_view path) { testing::SyncFile(fs, path); }

// --- the journal: metadata persists in issue order ------------------------

// creat(a); creat(b) in another directory; crash: is b without a reachable?
std::set<std::string> CreateThenCreate(PersistenceProfile profile) {
  SimFs fs({.profile = profile});
  EXPECT_TRUE(IsOk(fs.AddDurableDirectory("/x")));
  EXPECT_TRUE(IsOk(fs.AddDurableDirectory("/y")));
  Write(fs, "/x/a", 0, "");
  Write(fs, "/y/b", 0, "");
  return Reachable(fs, "reorder");
}

TEST(ProfileLitmus, StrictPosixLetsALaterCreatePersistWithoutAnEarlierOne) {
  EXPECT_TRUE(CreateThenCreate(kStrict).count("/y/b="));
}

TEST(ProfileLitmus, Ext4OrderedPersistsCreatesInIssueOrder) {
  std::set<std::string> states = CreateThenCreate(kOrdered);
  EXPECT_FALSE(states.count("/y/b="));
  EXPECT_TRUE(states.count("/x/a="));
  EXPECT_TRUE(states.count("/x/a= /y/b="));
  EXPECT_TRUE(states.count(""));
}

TEST(ProfileLitmus, Ext4WritebackPersistsCreatesInIssueOrder) {
  EXPECT_FALSE(CreateThenCreate(kWriteback).count("/y/b="));
}

// --- any fsync commits every earlier metadata op --------------------------

// creat(x/new); write(y/f, 1); fsync(y/f); power-loss: does x/new survive?
std::set<std::string> FsyncOfAnotherFile(PersistenceProfile profile) {
  SimFs fs({.profile = profile});
  EXPECT_TRUE(IsOk(fs.AddDurableDirectory("/x")));
  EXPECT_TRUE(IsOk(fs.AddDurableFile("/y/f", "0")));
  Write(fs, "/x/new", 0, "");
  Write(fs, "/y/f", 0, "1");
  Fsync(fs, "/y/f");
  return Reachable(fs, "power-loss");
}

TEST(ProfileLitmus, StrictPosixFsyncOfOneFileLeavesAnotherDirectorysCreatePending) {
  EXPECT_EQ(FsyncOfAnotherFile(kStrict), (std::set<std::string>{"/y/f=1"}));
}

TEST(ProfileLitmus, Ext4OrderedFsyncOfOneFileCommitsEveryEarlierCreate) {
  EXPECT_EQ(FsyncOfAnotherFile(kOrdered), (std::set<std::string>{"/x/new= /y/f=1"}));
}

TEST(ProfileLitmus, Ext4WritebackFsyncOfOneFileCommitsEveryEarlierCreate) {
  EXPECT_EQ(FsyncOfAnotherFile(kWriteback), (std::set<std::string>{"/x/new= /y/f=1"}));
}

TEST(ProfileLitmus, Ext4DirectoryFsyncCommitsOtherDirectoriesToo) {
  for (PersistenceProfile profile : {kOrdered, kWriteback}) {
    SimFs fs({.profile = profile});
    ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/x")));
    ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/y")));
    Write(fs, "/x/a", 0, "");
    ASSERT_TRUE(IsOk(fs.SyncDir("/y")));
    EXPECT_EQ(Reachable(fs, "power-loss"), (std::set<std::string>{"/x/a="}))
        << ProfileName(profile);
  }
}

TEST(ProfileLitmus, Ext4FsyncDoesNotPersistAnotherFilesData) {
  // The commit carries metadata, not the other file's delayed-allocation data.
  for (PersistenceProfile profile : {kOrdered, kWriteback}) {
    SimFs fs({.profile = profile});
    ASSERT_TRUE(IsOk(fs.AddDurableFile("/a", "old")));
    ASSERT_TRUE(IsOk(fs.AddDurableFile("/b", "0")));
    Write(fs, "/a", 0, "new");
    Write(fs, "/b", 0, "1");
    Fsync(fs, "/b");
    EXPECT_TRUE(Reachable(fs, "power-loss").count("/a=old /b=1")) << ProfileName(profile);
  }
}

// --- appends: the size and the data ---------------------------------------

// append "abc" to a synced "x"; crash under zero-tail.
std::set<std::string> AppendUnderZeroTail(PersistenceProfile profile) {
  SimFs fs({.profile = profile});
  EXPECT_TRUE(IsOk(fs.AddDurableFile("/f", "x")));
  Write(fs, "/f", 1, "abc");
  return Reachable(fs, "zero-tail");
}

TEST(ProfileLitmus, StrictPosixCanPersistAnAppendsSizeWithoutItsData) {
  EXPECT_EQ(AppendUnderZeroTail(kStrict), (std::set<std::string>{"/f=x000"}));
}

TEST(ProfileLitmus, Ext4WritebackCanPersistAnAppendsSizeWithoutItsData) {
  EXPECT_EQ(AppendUnderZeroTail(kWriteback), (std::set<std::string>{"/f=x000"}));
}

TEST(ProfileLitmus, Ext4OrderedNeverPersistsAnAppendsSizeAheadOfItsData) {
  EXPECT_EQ(AppendUnderZeroTail(kOrdered), (std::set<std::string>{"/f=x"}));
}

// A two-sector append, torn: is "second sector landed, first a hole" reachable?
std::set<std::string> TornTwoSectorAppend(PersistenceProfile profile) {
  SimFs fs({.profile = profile});
  EXPECT_TRUE(IsOk(fs.AddDurableFile("/f", "")));
  Write(fs, "/f", 0, std::string(512, 'A') + std::string(512, 'B'));
  return Reachable(fs, "torn");
}

TEST(ProfileLitmus, StrictPosixTornAppendCanLeaveAHoleBelowALandedSector) {
  std::set<std::string> states = TornTwoSectorAppend(kStrict);
  EXPECT_TRUE(states.count("/f=" + std::string(512, '0') + std::string(512, 'B')));
  EXPECT_TRUE(states.count("/f=" + std::string(512, 'A')));  // the size ends with what landed
}

TEST(ProfileLitmus, Ext4OrderedTornAppendLandsAsAPrefix) {
  std::set<std::string> states = TornTwoSectorAppend(kOrdered);
  EXPECT_FALSE(states.count("/f=" + std::string(512, '0') + std::string(512, 'B')));
  EXPECT_TRUE(states.count("/f=" + std::string(512, 'A')));
  EXPECT_TRUE(states.count("/f="));
}

TEST(ProfileLitmus, Ext4OrderedTwoAppendsInOneSectorNeverShowZerosOrALaterWithoutAnEarlier) {
  // Redis's AOF: "SET k0" at 0, then "SET k1" right after it, both pending.
  SimFs fs({.profile = kOrdered});
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/aof", "")));
  Write(fs, "/aof", 0, "k0k0");
  Write(fs, "/aof", 4, "k1k1");
  EXPECT_EQ(Reachable(fs, "torn"), (std::set<std::string>{"/aof=", "/aof=k0k0", "/aof=k0k0k1k1"}));
  EXPECT_EQ(Reachable(fs, "reorder"),
            (std::set<std::string>{"/aof=", "/aof=k0k0", "/aof=k0k0k1k1"}));
}

// --- replace by rename: write tmp; rename tmp -> f (no fsync) -------------

std::set<std::string> ReplaceByRename(PersistenceProfile profile) {
  SimFs fs({.profile = profile});
  EXPECT_TRUE(IsOk(fs.AddDurableFile("/f", "old")));
  Write(fs, "/tmp", 0, "new");
  EXPECT_TRUE(IsOk(fs.Rename("/tmp", "/f")));
  return Reachable(fs, "reorder");
}

TEST(ProfileLitmus, StrictPosixReplaceByRenameCanLeaveAnEmptyFile) {
  EXPECT_TRUE(ReplaceByRename(kStrict).count("/f="));
}

TEST(ProfileLitmus, Ext4WritebackReplaceByRenameCanLeaveAnEmptyFile) {
  EXPECT_TRUE(ReplaceByRename(kWriteback).count("/f="));
}

TEST(ProfileLitmus, Ext4OrderedReplaceByRenameLeavesTheOldOrTheNewFile) {
  std::set<std::string> states = ReplaceByRename(kOrdered);
  EXPECT_FALSE(states.count("/f="));
  EXPECT_TRUE(states.count("/f=old"));
  EXPECT_TRUE(states.count("/f=new"));
}

TEST(ProfileLitmus, Ext4OrderedRenameToANewNameDoesNotWaitForTheData) {
  // auto_da_alloc keys on *replacing* a file; a rename to a fresh name does not.
  SimFs fs({.profile = kOrdered});
  ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/d")));
  Write(fs, "/d/tmp", 0, "new");
  ASSERT_TRUE(IsOk(fs.Rename("/d/tmp", "/d/f")));
  EXPECT_TRUE(Reachable(fs, "reorder").count("/d/f="));
}

// --- a cross-directory rename ---------------------------------------------

TEST(ProfileLitmus, EveryProfileMakesARenamesNewNameDurableWithTheDestinationsFsync) {
  // rename(/a/f, /b/f); fsync(/b): the new name survives; the old one may too
  // (the source directory was not synced), but the file never vanishes.
  for (PersistenceProfile profile : AllProfiles()) {
    SimFs fs({.profile = profile});
    ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/b")));
    ASSERT_TRUE(IsOk(fs.AddDurableFile("/a/f", "data")));
    ASSERT_TRUE(IsOk(fs.Rename("/a/f", "/b/f")));
    ASSERT_TRUE(IsOk(fs.SyncDir("/b")));
    for (const char* model : {"power-loss", "reorder", "prefix"}) {
      for (const std::string& state : Reachable(fs, model)) {
        EXPECT_NE(state.find("/b/f=data"), std::string::npos)
            << ProfileName(profile) << " " << model << ": " << state;
      }
    }
    if (profile == kStrict) {
      EXPECT_TRUE(Reachable(fs, "power-loss").count("/a/f=data /b/f=data"));
      ASSERT_TRUE(IsOk(fs.SyncDir("/a")));
      EXPECT_EQ(Reachable(fs, "power-loss"), (std::set<std::string>{"/b/f=data"}));
    }
  }
}

// --- every profile: what a sync promises ----------------------------------

TEST(ProfileLitmus, EveryProfileKeepsSyncedDataAndSyncedNames) {
  for (PersistenceProfile profile : AllProfiles()) {
    SimFs fs({.profile = profile});
    ASSERT_TRUE(IsOk(fs.AddDurableDirectory("/d")));
    Write(fs, "/d/f", 0, "data");
    Fsync(fs, "/d/f");
    ASSERT_TRUE(IsOk(fs.SyncDir("/d")));
    Write(fs, "/d/g", 0, "more");  // pending, may go either way
    for (const char* model : {"power-loss", "reorder", "torn", "zero-tail", "prefix"}) {
      for (const std::string& state : Reachable(fs, model)) {
        EXPECT_NE(state.find("/d/f=data"), std::string::npos)
            << ProfileName(profile) << " " << model << ": " << state;
      }
    }
  }
}

TEST(ProfileLitmus, ProfileNamesRoundTripAndABadNameListsTheValidOnes) {
  for (PersistenceProfile profile : AllProfiles()) {
    Result<PersistenceProfile> parsed = ParseProfile(ProfileName(profile));
    ASSERT_TRUE(IsOk(parsed));
    EXPECT_EQ(*parsed, profile);
    EXPECT_FALSE(ProfileSummary(profile).empty());
  }
  Result<PersistenceProfile> bad = ParseProfile("ext3");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("strict-posix, ext4-ordered, ext4-writeback"),
            std::string::npos)
      << bad.status().ToString();
}

}  // namespace
}  // namespace powercut::faultfs
