// The WAL damage decision table (recovery_rules.h): every combination of its
// inputs meets exactly one row, and each rule gives the outcome the design
// promises. Then, end to end on SimFs, damage placed by hand in a WAL meets
// the rule: an unsynced torn tail is cut; damage below the synced offset,
// damage in a non-last WAL, fails Open with Corruption naming file and offset.
#include <gtest/gtest.h>

#include <vector>

#include "coding.h"
#include "db_test_util.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"
#include "recovery_rules.h"

namespace powercut::engine {
namespace {

constexpr WalRecoveryMode kModes[] = {WalRecoveryMode::kTolerateTornTail,
                                      WalRecoveryMode::kPointInTime,
                                      WalRecoveryMode::kSkipCorrupted};
constexpr WalDamage kDamages[] = {WalDamage::kNone, WalDamage::kTornTail, WalDamage::kMidLog};

TEST(WalDamageRulesTest, EveryInputMatchesExactlyOneRule) {
  int inputs = 0;
  for (WalRecoveryMode mode : kModes) {
    for (WalDamage damage : kDamages) {
      for (bool below_synced : {false, true}) {
        for (bool last_wal : {false, true}) {
          WalDamageInput input{damage, below_synced, last_wal, mode};
          int matches = 0;
          for (const WalDamageRule& rule : WalDamageRules()) matches += RuleMatches(rule, input);
          EXPECT_EQ(matches, 1) << "mode " << static_cast<int>(mode) << " damage "
                                << WalDamageName(damage) << " below " << below_synced << " last "
                                << last_wal;
          ++inputs;
        }
      }
    }
  }
  EXPECT_EQ(inputs, 36);
}

TEST(WalDamageRulesTest, EveryRuleIsReachable) {
  for (const WalDamageRule& rule : WalDamageRules()) {
    bool reached = false;
    for (WalDamage damage : kDamages) {
      for (bool below : {false, true}) {
        for (bool last : {false, true}) {
          reached |= RuleMatches(rule, {damage, below, last, rule.mode});
        }
      }
    }
    EXPECT_TRUE(reached) << rule.why;
  }
}

// The manifest damage table (recovery_rules.h): exhaustive, unambiguous,
// and a torn last edit is cut only while the WAL it would retire is there.
constexpr ManifestDamage kManifestDamages[] = {ManifestDamage::kNone, ManifestDamage::kTornTail,
                                               ManifestDamage::kMidLog};

TEST(ManifestDamageRulesTest, EveryInputMatchesExactlyOneRuleAndEveryRuleIsReachable) {
  int inputs = 0;
  std::vector<int> hits(ManifestDamageRules().size(), 0);
  for (ManifestDamage damage : kManifestDamages) {
    for (bool after_snapshot : {false, true}) {
      for (bool wal_present : {false, true}) {
        const ManifestDamageInput input{damage, after_snapshot, wal_present};
        int matches = 0;
        for (size_t i = 0; i < ManifestDamageRules().size(); ++i) {
          const bool match = RuleMatches(ManifestDamageRules()[i], input);
          matches += match;
          hits[i] += match;
        }
        EXPECT_EQ(matches, 1) << "damage " << static_cast<int>(damage) << " after_snapshot "
                              << after_snapshot << " wal_present " << wal_present;
        ++inputs;
      }
    }
  }
  EXPECT_EQ(inputs, 12);
  for (size_t i = 0; i < hits.size(); ++i) {
    EXPECT_GT(hits[i], 0) << ManifestDamageRules()[i].why;
  }
}

TEST(ManifestDamageRulesTest, OnlyATornEditWhoseWalIsStillThereIsCut) {
  using D = ManifestDamage;
  EXPECT_EQ(DecideManifestDamage({D::kNone, true, false}), ManifestAction::kReadAll);
  EXPECT_EQ(DecideManifestDamage({D::kTornTail, true, true}), ManifestAction::kCutTail);
  EXPECT_EQ(DecideManifestDamage({D::kTornTail, true, false}), ManifestAction::kFailCorruption);
  EXPECT_EQ(DecideManifestDamage({D::kTornTail, false, true}), ManifestAction::kFailCorruption);
  EXPECT_EQ(DecideManifestDamage({D::kMidLog, true, true}), ManifestAction::kFailCorruption);
  EXPECT_EQ(ManifestActionName(ManifestAction::kCutTail), "cut-tail");
}

WalAction Decide(WalDamage damage, bool below, bool last,
                 WalRecoveryMode mode = WalRecoveryMode::kTolerateTornTail) {
  return DecideWalDamage({damage, below, last, mode});
}

TEST(WalDamageRulesTest, DefaultModeCutsOnlyAnUnsyncedTailOfTheLastWal) {
  EXPECT_EQ(Decide(WalDamage::kNone, false, false), WalAction::kReplayAll);
  EXPECT_EQ(Decide(WalDamage::kTornTail, false, true), WalAction::kCutHere);
  EXPECT_EQ(Decide(WalDamage::kMidLog, false, true), WalAction::kCutHere);
  EXPECT_EQ(Decide(WalDamage::kTornTail, true, true), WalAction::kFailCorruption);
  EXPECT_EQ(Decide(WalDamage::kMidLog, true, true), WalAction::kFailCorruption);
  EXPECT_EQ(Decide(WalDamage::kTornTail, false, false), WalAction::kFailCorruption);
  EXPECT_EQ(Decide(WalDamage::kMidLog, false, false), WalAction::kFailCorruption);
}

TEST(WalDamageRulesTest, PointInTimeStopsAtTheFirstDamage) {
  for (bool below : {false, true}) {
    for (bool last : {false, true}) {
      EXPECT_EQ(Decide(WalDamage::kMidLog, below, last, WalRecoveryMode::kPointInTime),
                WalAction::kCutAndStopReplay);
      EXPECT_EQ(Decide(WalDamage::kTornTail, below, last, WalRecoveryMode::kPointInTime),
                WalAction::kCutAndStopReplay);
      EXPECT_EQ(Decide(WalDamage::kNone, below, last, WalRecoveryMode::kPointInTime),
                WalAction::kReplayAll);
    }
  }
}

TEST(WalDamageRulesTest, SkipCorruptedSkipsEverything) {
  EXPECT_EQ(Decide(WalDamage::kMidLog, true, false, WalRecoveryMode::kSkipCorrupted),
            WalAction::kSkipAndContinue);
  EXPECT_EQ(Decide(WalDamage::kTornTail, false, true, WalRecoveryMode::kSkipCorrupted),
            WalAction::kSkipAndContinue);
}

// End to end: a WAL whose records are all synced; one byte flipped.
class WalDamageEndToEndTest : public ::testing::Test {
 protected:
  // Writes `count` sync puts, closes, and returns the WAL's path.
  std::string WriteSyncedWal(int count) {
    auto db = DB::Open({}, "/db", &fs_);
    EXPECT_TRUE(db.ok());
    for (int i = 0; i < count; ++i) {
      EXPECT_TRUE((*db)->Put({.sync = true}, "k" + std::to_string(i), std::string(100, 'v')).ok());
    }
    EXPECT_TRUE((*db)->Close().ok());
    Result<std::vector<std::string>> names = fs_.List("/db");
    EXPECT_TRUE(names.ok());
    for (const std::string& name : *names) {
      if (name.ends_with(".log")) return "/db/" + name;
    }
    return "";
  }
  void FlipByte(const std::string& path, uint64_t offset) {
    std::string contents = *faultfs::ReadFileToString(fs_, path);
    contents[offset] ^= 0x40;
    ASSERT_TRUE(testing::WriteRawFile(fs_, path, contents).ok());
  }
  faultfs::SimFs fs_;
};

TEST_F(WalDamageEndToEndTest, DamageBelowSyncedOffsetIsCorruptionNamingFileAndOffset) {
  const std::string wal = WriteSyncedWal(10);
  FlipByte(wal, 300);  // inside an early record; later records vouch it was synced
  auto db = DB::Open({}, "/db", &fs_);
  ASSERT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find(wal), std::string::npos);
  EXPECT_NE(db.status().message().find("offset"), std::string::npos);
}

TEST_F(WalDamageEndToEndTest, TornUnsyncedTailIsCutNotCorruption) {
  const std::string wal = WriteSyncedWal(3);
  std::string contents = *faultfs::ReadFileToString(fs_, wal);
  // An unsynced record that landed only in part: a valid header, half a body.
  ASSERT_TRUE(testing::WriteRawFile(fs_, wal, contents + contents.substr(0, 20)).ok());
  auto db = DB::Open({}, "/db", &fs_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(testing::ScanAll(**db)->size(), 3u);
}

TEST_F(WalDamageEndToEndTest, SkipCorruptedModeOpensAnyway) {
  const std::string wal = WriteSyncedWal(10);
  FlipByte(wal, 300);
  Options options;
  options.wal_recovery_mode = WalRecoveryMode::kSkipCorrupted;
  auto db = DB::Open(options, "/db", &fs_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(testing::ScanAll(**db)->size(), 9u);
}

TEST_F(WalDamageEndToEndTest, PointInTimeKeepsThePrefixBeforeTheDamage) {
  const std::string wal = WriteSyncedWal(10);
  FlipByte(wal, 300);
  Options options;
  options.wal_recovery_mode = WalRecoveryMode::kPointInTime;
  auto db = DB::Open(options, "/db", &fs_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  size_t recovered = testing::ScanAll(**db)->size();
  EXPECT_LT(recovered, 10u);
  EXPECT_GE(recovered, 1u);
}

}  // namespace
}  // namespace powercut::engine
