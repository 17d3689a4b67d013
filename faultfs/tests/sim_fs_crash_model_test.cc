// SimFs crash models: for each model, the exact number of crash states and
// what each holds; the enumerator (exhaustive vs sampled, determinism, no
// duplicates, budget errors); ids rebuilt from their printed form; bad ids;
// DescribeCrash; and copy-on-write sharing of file bytes with crash states.
#include <gtest/gtest.h>

#include <set>

#include "file_data.h"
#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::AllIds;
using testing::AllStates;
using testing::Contents;
using testing::CrashUnder;
using testing::IsOk;
using testing::Model;
using testing::WriteFile;
using State = std::map<std::string, std::string>;

// A durable /f of `size` bytes of `fill`, then `writes` pending writes to it.
struct PendingWrites {
  SimFs fs;
  FileHandle file;
  PendingWrites(std::string durable, std::vector<std::pair<uint64_t, std::string>> writes) {
    EXPECT_TRUE(IsOk(fs.AddDurableFile("/f", durable)));
    auto opened = fs.Open("/f", OpenOptions::ReadWriteCreate());
    EXPECT_TRUE(IsOk(opened));
    file = *opened;
    for (const auto& [offset, data] : writes) EXPECT_TRUE(IsOk(fs.Write(file, offset, data)));
  }
};

TEST(SimFsCrashModel, ProcessKillYieldsOneStateEqualToTheVisibleOne) {
  PendingWrites setup("....", {{0, "a"}, {1, "b"}});
  auto ids = AllIds(setup.fs, Model("process-kill"));
  ASSERT_EQ(ids.size(), 1u);
  auto killed = setup.fs.Crash(ids[0]);
  ASSERT_TRUE(IsOk(killed));
  EXPECT_EQ((*killed)->DumpVisible(), setup.fs.DumpVisible());
  EXPECT_EQ((*killed)->DumpDurable(), setup.fs.DumpDurable());
  EXPECT_EQ((*killed)->PendingOps().size(), 2u);
}

TEST(SimFsCrashModel, PowerLossYieldsOneStateEqualToTheDurableImage) {
  PendingWrites setup("....", {{0, "a"}, {1, "b"}});
  EXPECT_EQ(AllStates(setup.fs, "power-loss"), (std::vector<State>{{{"/f", "...."}}}));
}

TEST(SimFsCrashModel, PrefixOverThreeOpsYieldsFourStatesInIssueOrder) {
  PendingWrites setup("....", {{0, "a"}, {1, "b"}, {2, "c"}});
  EXPECT_EQ(
      AllStates(setup.fs, "prefix"),
      (std::vector<State>{{{"/f", "...."}}, {{"/f", "a..."}}, {{"/f", "ab.."}}, {{"/f", "abc."}}}));
}

TEST(SimFsCrashModel, PerFilePrefixCutsEachFileAndDirectoryIndependently) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/a", "..")));
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/b", "..")));
  auto a = fs.Open("/a", OpenOptions::ReadWriteCreate());
  auto b = fs.Open("/b", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(a) && IsOk(b));
  ASSERT_TRUE(IsOk(fs.Write(*a, 0, "1")));
  ASSERT_TRUE(IsOk(fs.Write(*b, 0, "X")));
  ASSERT_TRUE(IsOk(fs.Write(*a, 1, "2")));
  ASSERT_TRUE(IsOk(fs.Link("/a", "/c")));  // the root directory's stream
  // Streams in order of their oldest op: /a data (2 ops), /b data (1), / entries (1).
  std::vector<State> states = AllStates(fs, "per-file-prefix");
  ASSERT_EQ(states.size(), 3u * 2u * 2u);
  std::set<State> distinct(states.begin(), states.end());
  EXPECT_EQ(distinct.size(), states.size());
  EXPECT_EQ(states[0], (State{{"/a", ".."}, {"/b", ".."}}));
  EXPECT_EQ(states[1], (State{{"/a", "1."}, {"/b", ".."}}));
  EXPECT_EQ(states.back(), (State{{"/a", "12"}, {"/b", "X."}, {"/c", "12"}}));
  // /a's second write never persists without its first.
  for (const State& state : states) EXPECT_NE(state.at("/a"), ".2");
}

TEST(SimFsCrashModel, ReorderOverThreePendingWritesYieldsExactlyEightDistinctStates) {
  // Three writes to three different sectors: any subset (within one sector
  // writes persist in order; see SimFsTornFidelity).
  PendingWrites setup(std::string(1536, '.'), {{0, "a"}, {512, "b"}, {1024, "c"}});
  std::vector<State> states = AllStates(setup.fs, "reorder");
  std::set<std::string> contents;
  for (const State& state : states) {
    const std::string& f = state.at("/f");
    contents.insert(std::string{f[0], f[512], f[1024]});
  }
  EXPECT_EQ(states.size(), 8u);
  EXPECT_EQ(contents,
            (std::set<std::string>{"...", "a..", ".b.", "ab.", "..c", "a.c", ".bc", "abc"}));
}

TEST(SimFsCrashModel, ReorderInsideOneSectorKeepsTheWritesInOrder) {
  PendingWrites setup("...", {{0, "a"}, {1, "b"}, {2, "c"}});
  std::set<std::string> contents;
  for (const State& state : AllStates(setup.fs, "reorder")) contents.insert(state.at("/f"));
  EXPECT_EQ(contents, (std::set<std::string>{"...", "a..", "ab.", "abc"}));
}

TEST(SimFsCrashModel, ReorderAppliesChosenOverlappingWritesInIssueOrder) {
  PendingWrites setup("..", {{0, "1"}, {0, "2"}});
  std::vector<State> states = AllStates(setup.fs, "reorder");
  ASSERT_EQ(states.size(), 4u);
  EXPECT_EQ(states[3].at("/f"), "2.");  // both persisted: the later one wins
}

TEST(SimFsCrashModel, TornWriteOf4096BytesOver512ByteSectorsCanPersistAnySubsetOfItsEightSectors) {
  std::string fresh;
  for (int sector = 0; sector < 8; ++sector) fresh += std::string(512, char('A' + sector));
  PendingWrites setup(std::string(4096, '.'), {{0, fresh}});
  std::vector<CrashStateId> ids = AllIds(setup.fs, Model("torn-512-zeros"));
  ASSERT_EQ(ids.size(), 1u + 256u);  // dropped, or any of the 2^8 landed-sector masks
  for (const CrashStateId& id : ids) {
    auto crashed = setup.fs.Crash(id);
    ASSERT_TRUE(IsOk(crashed));
    std::string contents = Contents(**crashed, "/f");
    ASSERT_EQ(contents.size(), 4096u);
    if (id.choices[0] == 0) {
      EXPECT_EQ(contents, std::string(4096, '.'));
      continue;
    }
    uint64_t mask = id.choices[0] - 1;
    for (int sector = 0; sector < 8; ++sector) {
      std::string expected =
          (mask >> sector & 1) ? std::string(512, char('A' + sector)) : std::string(512, '\0');
      EXPECT_EQ(contents.substr(sector * 512, 512), expected) << id.ToString();
    }
  }
}

TEST(SimFsCrashModel, TornOldNeverRepeatsTheDroppedStateAsANoSectorLandedState) {
  PendingWrites setup(std::string(1024, '.'), {{0, std::string(1024, 'x')}});
  std::vector<State> states = AllStates(setup.fs, "torn-512-old");
  ASSERT_EQ(states.size(), 4u);  // dropped, sector 0, sector 1, both
  std::set<State> distinct(states.begin(), states.end());
  EXPECT_EQ(distinct.size(), 4u);
  CrashStateId no_sector{Model("torn-512-old"), setup.fs.position(), {1}};
  EXPECT_TRUE(setup.fs.Crash(no_sector).status().IsInvalidArgument());
}

TEST(SimFsCrashModel, TornNewLeavesTheFirstHalfOfAnUnlandedSectorNew) {
  PendingWrites setup(std::string(1024, '.'), {{0, std::string(1024, 'x')}});
  CrashStateId only_sector_one{Model("torn-512-new"), setup.fs.position(), {1 + 0b10}};
  auto crashed = setup.fs.Crash(only_sector_one);
  ASSERT_TRUE(IsOk(crashed));
  EXPECT_EQ(Contents(**crashed, "/f"),
            std::string(256, 'x') + std::string(256, '.') + std::string(512, 'x'));
}

TEST(SimFsCrashModel, TornJunkIsGarbageThatIsTheSameEveryTimeTheIdIsRebuilt) {
  PendingWrites setup(std::string(1024, '.'), {{0, std::string(1024, 'x')}});
  CrashStateId id{Model("torn-512-junk"), setup.fs.position(), {1 + 0b01}};
  auto first = setup.fs.Crash(id);
  auto second = setup.fs.Crash(id);
  ASSERT_TRUE(IsOk(first) && IsOk(second));
  std::string contents = Contents(**first, "/f");
  EXPECT_EQ(contents, Contents(**second, "/f"));
  EXPECT_EQ(contents.substr(0, 512), std::string(512, 'x'));
  std::string junk = contents.substr(512);
  EXPECT_NE(junk, std::string(512, 'x'));
  EXPECT_NE(junk, std::string(512, '.'));
  EXPECT_NE(junk, std::string(512, '\0'));
}

TEST(SimFsCrashModel, TornWritesNeverTouchBytesOutsideTheWriteEvenInASharedSector) {
  PendingWrites setup(std::string(600, '.'), {{100, std::string(100, 'x')}});
  std::vector<State> states = AllStates(setup.fs, "torn-512-zeros");
  ASSERT_EQ(states.size(), 3u);  // dropped, zeros, landed
  EXPECT_EQ(states[1].at("/f"),
            std::string(100, '.') + std::string(100, '\0') + std::string(400, '.'));
}

TEST(SimFsCrashModel, ATornWriteOverMoreThan63SectorsLandsInUnitsOfSeveralSectors) {
  PendingWrites setup("", {{0, std::string(64 * 512, 'x')}});  // 64 sectors
  auto enumerator = setup.fs.EnumerateCrashStates(Model("torn-512-zeros"), {.max_states = 4});
  ASSERT_TRUE(IsOk(enumerator));
  EXPECT_EQ((*enumerator)->state_space(), (uint64_t{1} << 32) + 1);  // 32 units of 2 sectors
  CrashStateId id{Model("torn-512-zeros"), setup.fs.position(), {1 + 1}};
  auto fates = setup.fs.DescribeCrash(id);
  ASSERT_TRUE(IsOk(fates));
  EXPECT_EQ((*fates)[0].detail, "sectors 0-1 of 64 landed (in units of 2 sectors); rest zeros");
}

TEST(SimFsCrashModel, ZeroTailKeepsNamesAndSizesButReadsZerosWhereDataWasUnsynced) {
  SimFs fs;
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/log", "abcd")));
  auto file = fs.Open("/log", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Write(*file, 2, "XYZW")));  // overwrites "cd", extends by 2
  WriteFile(fs, "/new", "data");
  std::vector<State> states = AllStates(fs, "zero-tail");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0],
            (State{{"/log", std::string("abcd\0\0", 6)}, {"/new", std::string(4, '\0')}}));
  ASSERT_TRUE(IsOk(fs.Close(*file)));
}

TEST(SimFsCrashModel, DescribeCrashGivesEveryPendingOpItsFate) {
  PendingWrites setup(std::string(1024, '.'), {{0, "a"}, {512, "b"}});
  CrashStateId id{Model("reorder"), setup.fs.position(), {0, 1}};
  auto fates = setup.fs.DescribeCrash(id);
  ASSERT_TRUE(IsOk(fates));
  ASSERT_EQ(fates->size(), 2u);
  EXPECT_EQ((*fates)[0].fate, PendingOpFate::Fate::kDropped);
  EXPECT_EQ((*fates)[0].op.ToString(), "write /f @0 +1");
  EXPECT_EQ((*fates)[1].fate, PendingOpFate::Fate::kPersisted);

  PendingWrites torn(std::string(1024, '.'), {{0, std::string(1024, 'x')}});
  CrashStateId torn_id{Model("torn-512-zeros"), torn.fs.position(), {1 + 0b01}};
  auto torn_fates = torn.fs.DescribeCrash(torn_id);
  ASSERT_TRUE(IsOk(torn_fates));
  EXPECT_EQ((*torn_fates)[0].fate, PendingOpFate::Fate::kTorn);
  EXPECT_EQ((*torn_fates)[0].detail, "sectors 0 of 2 landed; rest zeros");
}

TEST(SimFsCrashModel, EveryStateRebuildsFromItsPrintedId) {
  PendingWrites setup(std::string(1024, '.'), {{0, std::string(700, 'x')}, {900, "yy"}});
  for (const char* name : {"prefix", "per-file-prefix", "reorder", "torn-512-junk", "zero-tail",
                           "torn-4096-new", "process-kill", "power-loss"}) {
    for (const CrashStateId& id : AllIds(setup.fs, Model(name))) {
      auto parsed = CrashStateId::Parse(id.ToString());
      ASSERT_TRUE(IsOk(parsed)) << id.ToString();
      EXPECT_EQ(*parsed, id);
      auto original = setup.fs.Crash(id);
      auto rebuilt = setup.fs.Crash(*parsed);
      ASSERT_TRUE(IsOk(original) && IsOk(rebuilt));
      EXPECT_EQ((*original)->DumpVisible(), (*rebuilt)->DumpVisible()) << id.ToString();
    }
  }
}

TEST(SimFsCrashModel, AnIdForAnotherPositionOrWithBadChoicesIsInvalidArgument) {
  PendingWrites setup("....", {{0, "a"}, {1, "b"}});
  uint64_t position = setup.fs.position();
  Status wrong_position = setup.fs.Crash({Model("power-loss"), position - 1, {}}).status();
  EXPECT_TRUE(wrong_position.IsInvalidArgument());
  EXPECT_NE(wrong_position.message().find("position"), std::string::npos);
  EXPECT_TRUE(setup.fs.Crash({Model("reorder"), position, {1}}).status().IsInvalidArgument());
  EXPECT_TRUE(setup.fs.Crash({Model("reorder"), position, {1, 2}}).status().IsInvalidArgument());
  EXPECT_TRUE(setup.fs.Crash({Model("prefix"), position, {3}}).status().IsInvalidArgument());
  EXPECT_TRUE(setup.fs.Crash({Model("power-loss"), position, {0}}).status().IsInvalidArgument());
  EXPECT_TRUE(
      setup.fs.DescribeCrash({Model("reorder"), position, {}}).status().IsInvalidArgument());
}

TEST(SimFsCrashModel, AZeroStateBudgetIsInvalidArgument) {
  PendingWrites setup("....", {{0, "a"}});
  auto enumerator = setup.fs.EnumerateCrashStates(Model("reorder"), {.max_states = 0});
  EXPECT_TRUE(enumerator.status().IsInvalidArgument());
}

std::vector<std::string> IdTexts(const SimFs& fs, std::string_view model, uint64_t max_states,
                                 uint64_t seed, bool* exhaustive = nullptr) {
  auto enumerator = fs.EnumerateCrashStates(Model(model), {.max_states = max_states, .seed = seed});
  EXPECT_TRUE(IsOk(enumerator));
  std::vector<std::string> texts;
  if (!enumerator.ok()) return texts;
  if (exhaustive != nullptr) *exhaustive = (*enumerator)->exhaustive();
  while (auto id = (*enumerator)->Next()) texts.push_back(id->ToString());
  return texts;
}

TEST(SimFsCrashModel, EnumerationIsExhaustiveWithinTheBudgetAndSampledBeyondIt) {
  PendingWrites setup("......", {{0, "a"}, {1, "b"}, {2, "c"}, {3, "d"}});  // 16 states
  bool exhaustive = false;
  EXPECT_EQ(IdTexts(setup.fs, "reorder", 16, 0, &exhaustive).size(), 16u);
  EXPECT_TRUE(exhaustive);
  std::vector<std::string> sampled = IdTexts(setup.fs, "reorder", 15, 0, &exhaustive);
  EXPECT_FALSE(exhaustive);
  EXPECT_EQ(sampled.size(), 15u);
  EXPECT_EQ(std::set<std::string>(sampled.begin(), sampled.end()).size(), 15u);
}

TEST(SimFsCrashModel, SamplingIsDeterministicPerSeedAndDiffersAcrossSeeds) {
  std::vector<std::pair<uint64_t, std::string>> writes;
  for (int i = 0; i < 40; ++i) writes.push_back({uint64_t(i), "x"});
  PendingWrites setup(std::string(40, '.'), writes);  // 2^40 reorder states
  std::vector<std::string> first = IdTexts(setup.fs, "reorder", 50, 7);
  EXPECT_EQ(first, IdTexts(setup.fs, "reorder", 50, 7));
  EXPECT_NE(first, IdTexts(setup.fs, "reorder", 50, 8));
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), 50u);
}

TEST(SimFsCrashModel, SamplingASaturatedStateSpaceYieldsDistinctIds) {
  std::vector<std::pair<uint64_t, std::string>> writes;
  for (int i = 0; i < 70; ++i) writes.push_back({uint64_t(i), "x"});
  PendingWrites setup(std::string(70, '.'), writes);  // 2^70 states: does not fit
  auto enumerator = setup.fs.EnumerateCrashStates(Model("reorder"), {.max_states = 100});
  ASSERT_TRUE(IsOk(enumerator));
  EXPECT_EQ((*enumerator)->state_space(), UINT64_MAX);
  std::set<std::vector<uint64_t>> seen;
  while (auto id = (*enumerator)->Next()) {
    EXPECT_TRUE(seen.insert(id->choices).second);
    EXPECT_TRUE(IsOk(setup.fs.Crash(*id)));
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SimFsCrashModel, SamplingJustBelowTheStateSpaceStillNeverRepeats) {
  PendingWrites setup(std::string(1024, '.'), {{0, std::string(1024, 'x')}, {0, "y"}});
  // torn-512-zeros: (1 + 4) * 2 = 10 states; take 9.
  std::vector<std::string> sampled = IdTexts(setup.fs, "torn-512-zeros", 9, 3);
  EXPECT_EQ(sampled.size(), 9u);
  EXPECT_EQ(std::set<std::string>(sampled.begin(), sampled.end()).size(), 9u);
}

TEST(SimFsCrashModel, ACrashStateOfA64MiBImageSharesItsChunksInsteadOfCopyingThem) {
  SimFs fs;
  std::string big(64 << 20, 'd');
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/big.sst", big)));
  WriteFile(fs, "/db/wal", "small record");
  uint64_t bytes_before = FileData::copied_bytes_total();
  uint64_t slots_before = FileData::copied_chunk_slots_total();
  for (const CrashStateId& id : AllIds(fs, Model("reorder"))) {
    auto crashed = fs.Crash(id);
    ASSERT_TRUE(IsOk(crashed));
  }
  auto clone = fs.Clone();
  // Nothing of the 64 MiB file was copied, not even its chunk pointers.
  EXPECT_EQ(FileData::copied_bytes_total() - bytes_before, 0u);
  EXPECT_EQ(FileData::copied_chunk_slots_total() - slots_before, 0u);

  // A small pending write into the big file copies one chunk per crash state
  // (and the file's chunk pointers), never the 64 MiB of bytes.
  auto file = fs.Open("/db/big.sst", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Write(*file, 12345, "patch")));
  bytes_before = FileData::copied_bytes_total();
  auto crashed = fs.Crash({Model("reorder"), fs.position(), {1, 1, 1}});
  ASSERT_TRUE(IsOk(crashed));
  EXPECT_LE(FileData::copied_bytes_total() - bytes_before, 2 * FileData::kChunkBytes);
  ASSERT_TRUE(IsOk(fs.Close(*file)));
  auto reader = (*crashed)->Open("/db/big.sst", OpenOptions::ReadOnly());
  ASSERT_TRUE(IsOk(reader));
  char bytes[15];
  ASSERT_TRUE(IsOk((*crashed)->Read(*reader, 12340, std::span<char>(bytes, sizeof(bytes)))));
  EXPECT_EQ(std::string(bytes, sizeof(bytes)), "dddddpatchddddd");
}

TEST(SimFsCrashModel, ACrashedFileSystemCanBeCrashedAgainAtItsOwnPositions) {
  SimFs fs;
  WriteFile(fs, "/f", "one", /*sync=*/true);
  ASSERT_TRUE(IsOk(fs.SyncDir("/")));
  auto first = CrashUnder(fs, "power-loss");
  WriteFile(*first, "/f", "two");
  EXPECT_EQ(first->position(), fs.position() + 1);  // the write (/f exists: no create)
  auto states = AllStates(*first, "reorder");
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].at("/f"), "one");
  EXPECT_EQ(states[1].at("/f"), "two");
}

}  // namespace
}  // namespace powercut::faultfs
