// Mutants, part 2: the wiring of the mutants that live in Open, in the WAL
// reader and in the manifest/CURRENT switch. Each test damages or crashes a
// database the same way for the correct engine (kNone) and for one mutant,
// and checks that recovery differs in the one way the mutant names. These
// tests prove wiring only; catching the bug is the crash-test matrix's job.
#include <gtest/gtest.h>

#include "db_test_util.h"
#include "log_format.h"
#include "log_reader.h"
#include "mutant_test_util.h"
#include "powercut/engine/mutant.h"

namespace powercut::engine {
namespace {

using faultfs::OpKind;
using faultfs::SimFs;
using testing::AddRule;
using testing::ComesBefore;
using testing::FilesEndingIn;
using testing::FirstOp;
using testing::HasPending;
using testing::kMutantDbPath;
using testing::OnlyFileEndingIn;
using testing::OpenWithMutant;
using testing::PowerCut;
using testing::RecordOps;

const WriteOptions kSync{.sync = true};

// Opens with `mutant`, runs `writes`, closes.
void Load(SimFs& fs, Mutant mutant, const std::function<void(DB&)>& writes) {
  auto db = OpenWithMutant(fs, mutant);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  writes(**db);
  ASSERT_TRUE((*db)->Close().ok());
}

void AppendRaw(SimFs& fs, const std::string& path, std::string_view bytes) {
  auto file = fs.Open(path, faultfs::OpenOptions{.read = true, .write = true});
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs.Append(*file, bytes).ok());
  ASSERT_TRUE(fs.Close(*file).ok());
}

TEST(MutantOpenTest, NoDirFsyncAfterRenameLeavesTheCurrentRenamePending) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kNoDirFsyncAfterRename}) {
    SimFs fs;
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(HasPending(fs, OpKind::kRename, "CURRENT"), mutant != Mutant::kNone);
  }
}

TEST(MutantOpenTest, RenameUnsyncedTmpLosesCurrentsContentsInAPowerCut) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kRenameUnsyncedTmp}) {
    SimFs fs;
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    std::unique_ptr<SimFs> crashed = PowerCut(fs);
    auto reopened = OpenWithMutant(*crashed, Mutant::kNone);
    EXPECT_EQ(reopened.ok(), mutant == Mutant::kNone) << reopened.status().ToString();
    if (!reopened.ok()) {
      EXPECT_TRUE(reopened.status().IsCorruption());
    }
  }
}

TEST(MutantOpenTest, CurrentBeforeManifestSyncRenamesFirst) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kCurrentBeforeManifestSync}) {
    SimFs fs;
    const std::vector<faultfs::OpRecord> ops =
        RecordOps(fs, [&] { ASSERT_TRUE(OpenWithMutant(fs, mutant).ok()); });
    // The switch to the manifest Open writes (the first one is the creation's).
    const size_t create = FirstOp(ops, OpKind::kCreate, "MANIFEST-000003");
    EXPECT_EQ(
        ComesBefore(ops, {OpKind::kRename, "CURRENT"}, {OpKind::kSync, "MANIFEST-000003"}, create),
        mutant != Mutant::kNone);
  }
}

TEST(MutantOpenTest, RecoveryNonAtomicDeletesTheWalBeforeTheTableSync) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kRecoveryNonAtomic}) {
    SimFs fs;
    Load(fs, mutant, [](DB& db) { ASSERT_TRUE(db.Put({}, "a", "1").ok()); });
    const std::vector<faultfs::OpRecord> ops =
        RecordOps(fs, [&] { ASSERT_TRUE(OpenWithMutant(fs, mutant).ok()); });
    EXPECT_EQ(ComesBefore(ops, {OpKind::kUnlink, ".log"}, {OpKind::kSync, ".sst"}),
              mutant != Mutant::kNone);
  }
}

TEST(MutantOpenTest, ServeUnsyncedRecoveredTailServesTheWalWithoutATable) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kServeUnsyncedRecoveredTail}) {
    SimFs fs;
    Load(fs, mutant, [](DB& db) { ASSERT_TRUE(db.Put({}, "a", "1").ok()); });
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    Result<std::string> a = (*db)->Get({}, "a");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, "1");
    const bool mutated = mutant != Mutant::kNone;
    EXPECT_EQ(FilesEndingIn(fs, ".sst").empty(), mutated);
    EXPECT_EQ(FilesEndingIn(fs, ".log").size(), mutated ? 2u : 1u) << "the replayed WAL stays";
    // A power cut now loses what the mutant served: the replayed WAL's bytes
    // were never synced.
    std::unique_ptr<SimFs> crashed = PowerCut(fs);
    auto after_crash = OpenWithMutant(*crashed, Mutant::kNone);
    ASSERT_TRUE(after_crash.ok()) << after_crash.status().ToString();
    EXPECT_EQ((*after_crash)->Get({}, "a").ok(), !mutated);
  }
}

TEST(MutantOpenTest, AppendAfterTornTailWritesAfterTheJunk) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kAppendAfterTornTail}) {
    SimFs fs;
    Load(fs, mutant, [](DB& db) { ASSERT_TRUE(db.Put(kSync, "a", "1").ok()); });
    const std::string old_wal = FilesEndingIn(fs, ".log").at(0);
    AppendRaw(fs, old_wal, "#torn#tail#");
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Put(kSync, "b", "2").ok());
    const std::vector<std::string> wals = FilesEndingIn(fs, ".log");
    ASSERT_EQ(wals.size(), 1u);
    EXPECT_EQ(wals[0] == old_wal, mutant != Mutant::kNone);
    const std::string contents = OnlyFileEndingIn(fs, ".log");
    EXPECT_EQ(contents.find("#torn#tail#") != std::string::npos, mutant != Mutant::kNone);
  }
}

// Three sync Puts, then one bit of the first value flipped on disk (a media
// error in synced bytes, followed by valid records).
void LoadAndFlipFirstValue(SimFs& fs, Mutant mutant) {
  Load(fs, mutant, [](DB& db) {
    ASSERT_TRUE(db.Put(kSync, "a", "AAAAAAAA").ok());
    ASSERT_TRUE(db.Put(kSync, "b", "BBBBBBBB").ok());
    ASSERT_TRUE(db.Put(kSync, "c", "CCCCCCCC").ok());
  });
  const std::string wal = FilesEndingIn(fs, ".log").at(0);
  const size_t offset = OnlyFileEndingIn(fs, ".log").find("AAAAAAAA");
  ASSERT_NE(offset, std::string::npos);
  AddRule(fs, "bitflip:" + wal + ":" + std::to_string(offset + 2) + ":0");
}

TEST(MutantReplayTest, MidLogCorruptionFailsOpenInTheCorrectEngine) {
  SimFs fs;
  LoadAndFlipFirstValue(fs, Mutant::kNone);
  auto db = OpenWithMutant(fs, Mutant::kNone);
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
}

TEST(MutantReplayTest, WalNoChecksumReplaysTheFlippedValue) {
  SimFs fs;
  LoadAndFlipFirstValue(fs, Mutant::kWalNoChecksum);
  auto db = OpenWithMutant(fs, Mutant::kWalNoChecksum);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Result<std::string> a = (*db)->Get({}, "a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, "AA@AAAAA");  // 'A' (0x41) with bit 0 flipped is '@' (0x40)
}

TEST(MutantReplayTest, MidlogCorruptionAsEofDropsEverythingAfterTheDamage) {
  SimFs fs;
  LoadAndFlipFirstValue(fs, Mutant::kMidlogCorruptionAsEof);
  auto db = OpenWithMutant(fs, Mutant::kMidlogCorruptionAsEof);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->Get({}, "c").status().IsNotFound());
}

TEST(MutantReplayTest, MidlogCorruptionSkipReplaysAroundTheDamage) {
  SimFs fs;
  LoadAndFlipFirstValue(fs, Mutant::kMidlogCorruptionSkip);
  auto db = OpenWithMutant(fs, Mutant::kMidlogCorruptionSkip);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->Get({}, "a").status().IsNotFound());
  EXPECT_TRUE((*db)->Get({}, "c").ok());
}

// Three rounds of (synced put, flush), then a bit of the last manifest edit
// flips: the correct engine reports Corruption (the WAL the edit retired is
// gone); manifest-damage-as-torn-tail cuts the edit and loses k3.
TEST(MutantReplayTest, ManifestDamageAsTornTailCutsASyncedEdit) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kManifestDamageAsTornTail}) {
    SimFs fs;
    Load(fs, mutant, [](DB& db) {
      for (const char* key : {"k1", "k2", "k3"}) {
        ASSERT_TRUE(db.Put(kSync, key, "v").ok());
        ASSERT_TRUE(db.Flush().ok());
      }
    });
    std::string manifest;
    for (const auto& [path, contents] : fs.DumpVisible()) {
      if (path.find("/MANIFEST-") != std::string::npos) manifest = path;
    }
    LogReader reader(&fs, manifest);
    std::string record;
    uint64_t last = 0;
    while (*reader.Next(&record) == LogReader::Event::kRecord) last = reader.record_offset();
    AddRule(fs, "bitflip:" + manifest + ":" + std::to_string(last + log::kHeaderSize + 2) + ":0");
    auto db = OpenWithMutant(fs, mutant);
    if (mutant == Mutant::kNone) {
      ASSERT_FALSE(db.ok());
      EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
      continue;
    }
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_TRUE((*db)->Get({}, "k1").ok());
    EXPECT_TRUE((*db)->Get({}, "k3").status().IsNotFound());
  }
}

TEST(MutantReplayTest, StrictTailFailOpenRefusesATornTail) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kStrictTailFailOpen}) {
    SimFs fs;
    Load(fs, mutant, [](DB& db) { ASSERT_TRUE(db.Put(kSync, "a", "1").ok()); });
    AppendRaw(fs, FilesEndingIn(fs, ".log").at(0), "#torn#tail#");
    auto db = OpenWithMutant(fs, mutant);
    EXPECT_EQ(db.ok(), mutant == Mutant::kNone) << db.status().ToString();
    if (!db.ok()) {
      EXPECT_TRUE(db.status().IsCorruption());
    }
  }
}

TEST(MutantReplayTest, TrustZeroTailReplaysRecordsAfterAZeroFilledHole) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kTrustZeroTail}) {
    SimFs fs;
    Load(fs, mutant, [](DB& db) {
      ASSERT_TRUE(db.Put({}, "a", "1").ok());
      ASSERT_TRUE(db.Put({}, "b", "2").ok());
    });
    // The first record never landed: zeros where it was (a zero-filled hole).
    const std::string wal = FilesEndingIn(fs, ".log").at(0);
    std::string contents = OnlyFileEndingIn(fs, ".log");
    const size_t first_record = 7 + (static_cast<unsigned char>(contents[4]) |
                                     static_cast<unsigned char>(contents[5]) << 8);
    contents.replace(0, first_record, first_record, '\0');
    ASSERT_TRUE(testing::WriteRawFile(fs, wal, contents).ok());
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_TRUE((*db)->Get({}, "a").status().IsNotFound());
    EXPECT_EQ((*db)->Get({}, "b").ok(), mutant != Mutant::kNone) << "b replayed after the hole";
  }
}

}  // namespace
}  // namespace powercut::engine
