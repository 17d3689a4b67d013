// Mutants, part 1: the table (names, classes, parsing) and the wiring of the
// write-path and flush mutants. Each test runs the same steps on the correct
// engine (kNone) and on one mutant, on SimFs, and checks that the mutant's
// file operations differ in the one way its behaviour sentence names. These
// tests prove wiring only; catching the bug is the crash-test matrix's job.
#include "powercut/engine/mutant.h"

#include <gtest/gtest.h>

#include <set>

#include "mutant_test_util.h"

namespace powercut::engine {
namespace {

using faultfs::OpKind;
using faultfs::SimFs;
using testing::AddRule;
using testing::ComesBefore;
using testing::HasPending;
using testing::OnlyFileEndingIn;
using testing::OpenWithMutant;
using testing::RecordOps;

const WriteOptions kSync{.sync = true};

TEST(MutantTableTest, EveryNameParsesBackAndIsUnique) {
  std::set<std::string_view> names;
  for (const MutantInfo& info : AllMutants()) {
    EXPECT_NE(info.mutant, Mutant::kNone);
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name " << info.name;
    EXPECT_EQ(ParseMutant(info.name), info.mutant) << info.name;
    EXPECT_EQ(DescribeMutant(info.mutant).name, info.name);
    EXPECT_FALSE(info.behaviour.empty()) << info.name;
    EXPECT_FALSE(info.class_name.empty()) << info.name;
  }
  EXPECT_GE(AllMutants().size(), 22u);
  EXPECT_EQ(ParseMutant("none"), Mutant::kNone);
  EXPECT_EQ(DescribeMutant(Mutant::kNone).name, "none");
  EXPECT_EQ(ParseMutant("ack-before-fsync"), std::nullopt);
  EXPECT_EQ(ParseMutant(""), std::nullopt);
}

TEST(MutantTableTest, EveryEnumeratorHasARowInEnumOrder) {
  // The enumerators are dense from 1: row i describes enumerator i + 1.
  for (size_t i = 0; i < AllMutants().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(AllMutants()[i].mutant), i + 1) << AllMutants()[i].name;
  }
}

TEST(MutantTableTest, ClassesAreC01ToC18AndCoverC01ToC17) {
  std::set<std::string_view> classes;
  for (const MutantInfo& info : AllMutants()) {
    const std::string_view c = info.bug_class;
    ASSERT_EQ(c.size(), 3u) << info.name;
    EXPECT_EQ(c[0], 'C') << info.name;
    const int number = (c[1] - '0') * 10 + (c[2] - '0');
    EXPECT_TRUE(number >= 1 && number <= 18) << info.name << " has class " << c;
    classes.insert(c);
  }
  for (int n = 1; n <= 17; ++n) {
    const std::string c = std::string("C") + (n < 10 ? "0" : "") + std::to_string(n);
    EXPECT_TRUE(classes.contains(c)) << "no mutant of class " << c;
  }
}

// Opens, runs one sync Put, and reports whether a WAL write is still pending.
bool SyncPutLeavesWalWritePending(Mutant mutant) {
  SimFs fs;
  auto db = OpenWithMutant(fs, mutant);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->Put(kSync, "k", "v").ok());
  return HasPending(fs, OpKind::kWrite, ".log");
}

TEST(MutantWalTest, AckBeforeWalFsyncLeavesTheAcknowledgedRecordPending) {
  EXPECT_FALSE(SyncPutLeavesWalWritePending(Mutant::kNone));
  EXPECT_TRUE(SyncPutLeavesWalWritePending(Mutant::kAckBeforeWalFsync));
}

TEST(MutantWalTest, WalUserspaceBufferAcknowledgesBeforeTheRecordReachesTheFile) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kWalUserspaceBuffer}) {
    SimFs fs;
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Put(kSync, "k", "v").ok());
    const bool written = !OnlyFileEndingIn(fs, ".log").empty();
    EXPECT_EQ(written, mutant == Mutant::kNone);
    ASSERT_TRUE((*db)->Close().ok());  // Close writes the buffer out
    EXPECT_FALSE(OnlyFileEndingIn(fs, ".log").empty());
  }
}

// After the first WAL fsync fails: the status of that Put and of the next one.
std::pair<Status, Status> PutsAfterFailedFsync(Mutant mutant, std::string_view rule) {
  SimFs fs;
  auto db = OpenWithMutant(fs, mutant);
  EXPECT_TRUE(db.ok());
  AddRule(fs, rule);
  Status first = (*db)->Put(kSync, "a", "1");
  Status second = (*db)->Put(kSync, "b", "2");
  return {first, second};
}

TEST(MutantWalTest, GroupCommitErrorToLeaderOnlyDoesNotKeepTheErrorSticky) {
  auto [first, second] = PutsAfterFailedFsync(Mutant::kNone, "fsync-eio:/db/*.log:1");
  EXPECT_FALSE(first.ok());
  EXPECT_FALSE(second.ok()) << "the correct engine is read-only after a failed WAL fsync";
  std::tie(first, second) =
      PutsAfterFailedFsync(Mutant::kGroupCommitErrorToLeaderOnly, "fsync-eio:/db/*.log:1");
  EXPECT_FALSE(first.ok()) << "the leader still gets the error";
  EXPECT_TRUE(second.ok()) << second.ToString();
}

TEST(MutantWalTest, FsyncRetryOnEioAcknowledgesTheRetry) {
  auto [first, second] = PutsAfterFailedFsync(Mutant::kFsyncRetryOnEio, "fsync-eio:/db/*.log:1");
  EXPECT_TRUE(first.ok()) << first.ToString();
  // Only a retry: when every fsync fails, the error still comes through.
  std::tie(first, second) = PutsAfterFailedFsync(Mutant::kFsyncRetryOnEio, "fsync-eio:/db/*.log:0");
  EXPECT_FALSE(first.ok());
}

TEST(MutantWalTest, IgnoreFsyncErrorAcknowledgesFailedFsyncs) {
  auto [first, second] = PutsAfterFailedFsync(Mutant::kNone, "fsync-eio:/db/*.log:0");
  EXPECT_FALSE(first.ok());
  std::tie(first, second) =
      PutsAfterFailedFsync(Mutant::kIgnoreFsyncError, "fsync-eio:/db/*.log:0");
  EXPECT_TRUE(first.ok()) << first.ToString();
  EXPECT_TRUE(second.ok()) << second.ToString();
}

TEST(MutantWalTest, KeepServingAfterFailedWriteServesTheFailedBatch) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kKeepServingAfterFailedWrite}) {
    SimFs fs;
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    AddRule(fs, "fsync-eio:/db/*.log:1");
    EXPECT_FALSE((*db)->Put(kSync, "a", "1").ok());
    Result<std::string> read = (*db)->Get({}, "a");
    const bool keeps_serving = mutant != Mutant::kNone;
    EXPECT_EQ(read.ok(), keeps_serving);
    EXPECT_EQ((*db)->Put(kSync, "b", "2").ok(), keeps_serving);
  }
}

// Puts "a" (which the rule makes fail part-way), then "b" with the rule gone.
std::pair<Status, std::string> AppendAfterFault(Mutant mutant, std::string_view rule) {
  SimFs fs;
  auto db = OpenWithMutant(fs, mutant);
  EXPECT_TRUE(db.ok());
  AddRule(fs, rule);
  Status a = (*db)->Put(kSync, "a", std::string(100, 'x'));
  fs.ClearFaultRules();
  Status b = (*db)->Put(kSync, "b", "2");
  return {a.ok() ? b : a, OnlyFileEndingIn(fs, ".log")};
}

TEST(MutantWalTest, ShortWriteAsSuccessLeavesAPartialRecord) {
  auto [correct_status, correct_wal] = AppendAfterFault(Mutant::kNone, "short-write:/db/*.log:1");
  ASSERT_TRUE(correct_status.ok()) << correct_status.ToString();
  auto [status, wal] = AppendAfterFault(Mutant::kShortWriteAsSuccess, "short-write:/db/*.log:1");
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_LT(wal.size(), correct_wal.size()) << "half of the first record was never written";
}

TEST(MutantWalTest, ContinueAppendAfterWriteErrorAcknowledgesLaterWrites) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kContinueAppendAfterWriteError}) {
    SimFs fs;
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    AddRule(fs, "enospc:40:/db/*.log");  // the first record crosses the budget
    EXPECT_FALSE((*db)->Put(kSync, "a", std::string(100, 'x')).ok());
    fs.ClearFaultRules();  // space was freed
    EXPECT_EQ((*db)->Put(kSync, "b", "2").ok(), mutant != Mutant::kNone);
  }
}

// The operations of a Flush of one unsynced Put.
std::vector<faultfs::OpRecord> FlushOps(Mutant mutant, SimFs& fs) {
  auto db = OpenWithMutant(fs, mutant);
  EXPECT_TRUE(db.ok());
  EXPECT_TRUE((*db)->Put({}, "a", "1").ok());
  std::vector<faultfs::OpRecord> ops = RecordOps(fs, [&] { EXPECT_TRUE((*db)->Flush().ok()); });
  EXPECT_TRUE((*db)->Close().ok());
  return ops;
}

TEST(MutantFlushTest, NoDirFsyncOnCreateLeavesTheNewWalAndTableNamesPending) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kNoDirFsyncOnCreate}) {
    SimFs fs;
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    const bool pending = mutant != Mutant::kNone;
    EXPECT_EQ(HasPending(fs, OpKind::kCreate, ".log"), pending);
    ASSERT_TRUE((*db)->Put({}, "a", "1").ok());
    ASSERT_TRUE((*db)->Flush().ok());
    EXPECT_EQ(HasPending(fs, OpKind::kCreate, ".sst"), pending);
  }
}

TEST(MutantFlushTest, DeleteWalBeforeTableDurableUnlinksBeforeTheTableSync) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kDeleteWalBeforeTableDurable}) {
    SimFs fs;
    EXPECT_EQ(ComesBefore(FlushOps(mutant, fs), {OpKind::kUnlink, ".log"}, {OpKind::kSync, ".sst"}),
              mutant != Mutant::kNone);
  }
}

TEST(MutantFlushTest, ManifestBeforeTableSyncSyncsTheEditFirst) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kManifestBeforeTableSync}) {
    SimFs fs;
    EXPECT_EQ(ComesBefore(FlushOps(mutant, fs), {OpKind::kDataSync, "MANIFEST-000003"},
                          {OpKind::kSync, ".sst"}),
              mutant != Mutant::kNone);
  }
}

TEST(MutantFlushTest, LogNumberBeforeTableSyncLogsTheMarkerBeforeTheTableExists) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kLogNumberBeforeTableSync}) {
    SimFs fs;
    EXPECT_EQ(ComesBefore(FlushOps(mutant, fs), {OpKind::kDataSync, "MANIFEST-000003"},
                          {OpKind::kCreate, ".sst"}),
              mutant != Mutant::kNone);
  }
}

TEST(MutantFlushTest, RecycleWalNoLogNumberReusesTheOldWalWithItsRecords) {
  for (Mutant mutant : {Mutant::kNone, Mutant::kRecycleWalNoLogNumber}) {
    SimFs fs;
    auto db = OpenWithMutant(fs, mutant);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Put({}, "a", std::string(1000, 'x')).ok());
    ASSERT_TRUE((*db)->Flush().ok());  // retires the first WAL
    ASSERT_TRUE((*db)->Put({}, "b", "1").ok());
    ASSERT_TRUE((*db)->Flush().ok());  // the third WAL: new, or the first one recycled
    // The newest WAL (the mutant keeps the second one, retired, for reuse).
    const std::string wal_path = testing::FilesEndingIn(fs, ".log").back();
    const std::string wal = fs.DumpVisible().at(wal_path);
    if (mutant == Mutant::kNone) {
      EXPECT_TRUE(wal.empty());
    } else {
      EXPECT_NE(wal.find(std::string(1000, 'x')), std::string::npos) << "the stale record is kept";
    }
    ASSERT_TRUE((*db)->Put({}, "c", "2").ok());  // written from offset 0, over the stale bytes
    const std::string after = fs.DumpVisible().at(wal_path);
    EXPECT_EQ(after.size() > 1000, mutant != Mutant::kNone);
  }
}

}  // namespace
}  // namespace powercut::engine
