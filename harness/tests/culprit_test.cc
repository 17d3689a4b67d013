// Tests of culprit analysis on hand-built SimFs crash states whose culprit is
// known: a create without a directory fsync (C02), a rename of unsynced data
// (C03), an acknowledged write whose WAL data is pending (C01), a state that
// needs two operations to pass (not one), a state where the damage is in what
// landed, and states with no culprit at all. Then the class suggestion, rule
// by rule, on hand-made evidence.
#include "culprit.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace powercut::harness {
namespace {

using faultfs::CrashModel;
using faultfs::CrashStateId;
using faultfs::FileHandle;
using faultfs::OpenOptions;
using faultfs::OpKind;
using faultfs::OpRecord;
using faultfs::PendingOpFate;
using faultfs::SimFs;
using Fate = PendingOpFate::Fate;

CrashStateId IdAt(const SimFs& fs, std::string_view model, std::vector<uint64_t> choices = {}) {
  Result<CrashModel> parsed = CrashModel::Parse(model);
  EXPECT_TRUE(parsed.ok()) << model;
  return CrashStateId{*parsed, fs.position(), std::move(choices)};
}

FileHandle OpenFile(SimFs& fs, std::string_view path) {
  Result<FileHandle> file = fs.Open(path, OpenOptions::ReadWriteCreate());
  EXPECT_TRUE(file.ok()) << path << ": " << file.status().ToString();
  return *file;
}

// A check that passes when `path` holds exactly one of `allowed`.
std::function<Result<bool>(SimFs&)> HoldsOneOf(std::string path, std::vector<std::string> allowed) {
  return [path = std::move(path), allowed = std::move(allowed)](SimFs& state) -> Result<bool> {
    auto files = state.DumpDurable();
    auto it = files.find(path);
    if (it == files.end()) return false;
    return std::find(allowed.begin(), allowed.end(), it->second) != allowed.end();
  };
}

// Records every operation the SimFs performs: the trace a report sees.
std::shared_ptr<std::vector<OpRecord>> Record(SimFs& fs) {
  auto trace = std::make_shared<std::vector<OpRecord>>();
  fs.SetObserver([trace](const OpRecord& op) { trace->push_back(op); });
  return trace;
}

CulpritEvidence EvidenceFor(const SimFs& fs, const CrashStateId& id, const CulpritSearch& search,
                            Guarantee guarantee) {
  CulpritEvidence evidence;
  Result<std::vector<PendingOpFate>> fates = fs.DescribeCrash(id);
  EXPECT_TRUE(fates.ok());
  evidence.fates = *fates;
  evidence.culprits = search.culprits;
  evidence.culprits_by_dropping = search.by_dropping;
  evidence.guarantee = guarantee;
  evidence.model = id.model;
  return evidence;
}

TEST(Culprit, LostCreateWithoutDirectoryFsyncIsMissingDirFsync) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableDirectory("/db").ok());
  FileHandle log = OpenFile(fs, "/db/000004.log");
  ASSERT_TRUE(fs.Append(log, "record").ok());
  ASSERT_TRUE(fs.Sync(log).ok());  // the data is durable; the name is not
  CrashStateId failing = IdAt(fs, "power-loss");
  Result<CulpritSearch> search =
      FindCulprits(fs, failing, HoldsOneOf("/db/000004.log", {"record"}));
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  ASSERT_TRUE(search->found);
  EXPECT_FALSE(search->by_dropping);
  EXPECT_TRUE(search->proven_smallest);
  ASSERT_EQ(search->culprits, std::vector<size_t>{0});
  CulpritEvidence evidence = EvidenceFor(fs, failing, *search, Guarantee::kAcknowledgedDurable);
  EXPECT_EQ(evidence.fates[0].op.kind, OpKind::kCreate);
  ClassSuggestion suggestion = SuggestBugClass(evidence);
  EXPECT_EQ(suggestion.bug_class, "C02") << suggestion.reason;
  EXPECT_EQ(suggestion.class_name, "missing directory fsync");
  EXPECT_NE(ExplainCulprits(evidence).find("no directory fsync of /db"), std::string::npos)
      << ExplainCulprits(evidence);
  // The counterfactual that passes is a real crash state.
  Result<std::unique_ptr<SimFs>> passing = fs.Crash(search->passing_state);
  ASSERT_TRUE(passing.ok());
  EXPECT_EQ((*passing)->DumpDurable()["/db/000004.log"], "record");
}

TEST(Culprit, RenameOfUnsyncedTempFileIsRenameOfUnsyncedData) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableFile("/db/CURRENT", "MANIFEST-000001\n").ok());
  auto trace = Record(fs);
  FileHandle temp = OpenFile(fs, "/db/000002.dbtmp");
  ASSERT_TRUE(fs.Write(temp, 0, "MANIFEST-000002\n").ok());  // never fsynced
  ASSERT_TRUE(fs.Close(temp).ok());
  ASSERT_TRUE(fs.Rename("/db/000002.dbtmp", "/db/CURRENT").ok());
  ASSERT_TRUE(fs.SyncDir("/db").ok());  // the rename is durable, the data is not
  CrashStateId failing = IdAt(fs, "power-loss");
  Result<CulpritSearch> search = FindCulprits(
      fs, failing, HoldsOneOf("/db/CURRENT", {"MANIFEST-000001\n", "MANIFEST-000002\n"}));
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  ASSERT_TRUE(search->found);
  CulpritEvidence evidence = EvidenceFor(fs, failing, *search, Guarantee::kRecovers);
  ASSERT_EQ(search->culprits.size(), 1u);
  EXPECT_EQ(evidence.fates[search->culprits[0]].op.kind, OpKind::kWrite);
  evidence.trace = *trace;  // the durable rename is only in the trace
  ClassSuggestion suggestion = SuggestBugClass(evidence);
  EXPECT_EQ(suggestion.bug_class, "C03") << suggestion.reason;
  EXPECT_NE(suggestion.reason.find("rename /db/000002.dbtmp -> /db/CURRENT"), std::string::npos)
      << suggestion.reason;
}

TEST(Culprit, PendingWalWriteOfAcknowledgedWriteIsAckBeforeDurable) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableFile("/db/000003.log", "rec1").ok());
  FileHandle log = OpenFile(fs, "/db/000003.log");
  ASSERT_TRUE(fs.Append(log, "rec2").ok());  // acknowledged, never fsynced
  CrashStateId failing = IdAt(fs, "prefix", {0});
  Result<CulpritSearch> search =
      FindCulprits(fs, failing, HoldsOneOf("/db/000003.log", {"rec1rec2"}));
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  ASSERT_TRUE(search->found);
  ASSERT_EQ(search->culprits, std::vector<size_t>{0});
  EXPECT_EQ(search->passing_state.model.Name(), "reorder");
  CulpritEvidence evidence = EvidenceFor(fs, failing, *search, Guarantee::kAcknowledgedDurable);
  ClassSuggestion suggestion = SuggestBugClass(evidence);
  EXPECT_EQ(suggestion.bug_class, "C01") << suggestion.reason;
  // The same lost WAL tail when recovery refused to open: a strict tail.
  evidence.guarantee = Guarantee::kRecovers;
  EXPECT_EQ(SuggestBugClass(evidence).bug_class, "C05");
}

TEST(Culprit, TwoOperationsNeededIsFoundAsAPairNotASingle) {
  SimFs fs;
  // Three writes to three sectors (within one sector writes persist in order).
  ASSERT_TRUE(fs.AddDurableFile("/f", std::string(1536, '.')).ok());
  FileHandle file = OpenFile(fs, "/f");
  ASSERT_TRUE(fs.Write(file, 0, "A").ok());
  ASSERT_TRUE(fs.Write(file, 512, "B").ok());
  ASSERT_TRUE(fs.Write(file, 1024, "C").ok());
  CrashStateId failing = IdAt(fs, "reorder", {0, 0, 0});
  auto passes = [](SimFs& state) -> Result<bool> {
    const std::string f = state.DumpDurable()["/f"];
    return f[0] == 'A' && f[512] == 'B';
  };
  Result<CulpritSearch> search = FindCulprits(fs, failing, passes);
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  ASSERT_TRUE(search->found);
  EXPECT_EQ(search->culprits, (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(search->proven_smallest);
  // All three landed (1), each single (3), then {0,1} passes (1).
  EXPECT_EQ(search->states_tried, 5u);
}

TEST(Culprit, BeyondTheExhaustiveSizesTheGreedyReductionFindsAMinimalSet) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableFile("/f", std::string(6 * 512, '.')).ok());
  FileHandle file = OpenFile(fs, "/f");
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(fs.Write(file, 512 * i, std::string(1, 'a' + i)).ok());
  }
  CrashStateId failing = IdAt(fs, "reorder", {0, 0, 0, 0, 0, 0});
  auto passes = [](SimFs& state) -> Result<bool> {
    const std::string f = state.DumpDurable()["/f"];
    return f[0] == 'a' && f[512] == 'b' && f[1024] == 'c' && f[1536] == 'd';
  };
  Result<CulpritSearch> search =
      FindCulprits(fs, failing, passes, {.max_states = 100, .exhaustive_max_size = 2});
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  ASSERT_TRUE(search->found);
  EXPECT_EQ(search->culprits, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_FALSE(search->proven_smallest);
  EXPECT_LE(search->states_tried, 100u);
}

TEST(Culprit, DamageInWhatLandedIsFoundByDropping) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableFile("/db/000003.log", "ok").ok());
  FileHandle log = OpenFile(fs, "/db/000003.log");
  ASSERT_TRUE(fs.Append(log, "BAD").ok());
  ASSERT_TRUE(fs.Append(log, "ok").ok());
  CrashStateId failing = IdAt(fs, "reorder", {1, 0});
  auto passes = [](SimFs& state) -> Result<bool> {
    return state.DumpDurable()["/db/000003.log"].find("BAD") == std::string::npos;
  };
  Result<CulpritSearch> search = FindCulprits(fs, failing, passes);
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  ASSERT_TRUE(search->found);
  EXPECT_TRUE(search->by_dropping);
  EXPECT_EQ(search->culprits, std::vector<size_t>{0});
}

TEST(Culprit, NoSetPassesMeansNoCulprit) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableFile("/f", "x").ok());
  FileHandle file = OpenFile(fs, "/f");
  ASSERT_TRUE(fs.Write(file, 0, "y").ok());
  ASSERT_TRUE(fs.Write(file, 1, "z").ok());
  CrashStateId failing = IdAt(fs, "reorder", {1, 0});
  uint64_t checks = 0;
  auto never = [&checks](SimFs&) -> Result<bool> {
    ++checks;
    return false;
  };
  Result<CulpritSearch> search = FindCulprits(fs, failing, never);
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  EXPECT_FALSE(search->found);
  EXPECT_TRUE(search->culprits.empty());
  // Landing every lost op (1) and dropping every landed op (1) both failed.
  EXPECT_EQ(search->states_tried, 2u);
  EXPECT_EQ(checks, 2u);
}

TEST(Culprit, ProcessKillHasNoCounterfactualAndZeroBudgetIsAnError) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableFile("/f", "x").ok());
  FileHandle file = OpenFile(fs, "/f");
  ASSERT_TRUE(fs.Write(file, 0, "y").ok());
  auto any = [](SimFs&) -> Result<bool> { return true; };
  Result<CulpritSearch> killed = FindCulprits(fs, IdAt(fs, "process-kill"), any);
  EXPECT_FALSE(killed.ok());
  EXPECT_NE(killed.status().ToString().find("process-kill"), std::string::npos);
  Result<CulpritSearch> no_budget =
      FindCulprits(fs, IdAt(fs, "power-loss"), any, {.max_states = 0});
  EXPECT_FALSE(no_budget.ok());
}

TEST(Culprit, CheckErrorsStopTheSearch) {
  SimFs fs;
  ASSERT_TRUE(fs.AddDurableFile("/f", "x").ok());
  FileHandle file = OpenFile(fs, "/f");
  ASSERT_TRUE(fs.Write(file, 0, "y").ok());
  auto broken = [](SimFs&) -> Result<bool> { return Status::IOError("check broke"); };
  Result<CulpritSearch> search = FindCulprits(fs, IdAt(fs, "power-loss"), broken);
  ASSERT_FALSE(search.ok());
  EXPECT_NE(search.status().ToString().find("check broke"), std::string::npos);
}

}  // namespace
}  // namespace powercut::harness
