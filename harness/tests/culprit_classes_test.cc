// Table tests of SuggestBugClass: one hand-made piece of evidence per rule
// (faults, crash depth, guarantees, culprit kinds and roles, what landed
// after the culprit), each with the class it must suggest. A rule that
// stops matching, or starts matching where another should, fails its row.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "culprit.h"

namespace powercut::harness {
namespace {

using faultfs::CrashModel;
using faultfs::OpKind;
using faultfs::OpRecord;
using faultfs::PendingOpFate;
using Fate = PendingOpFate::Fate;

OpRecord Op(uint64_t position, OpKind kind, std::string path, std::string path2 = "") {
  return OpRecord{.position = position,
                  .kind = kind,
                  .path = std::move(path),
                  .path2 = std::move(path2),
                  .offset = 0,
                  .length = kind == OpKind::kWrite ? uint64_t{64} : uint64_t{0}};
}

PendingOpFate FateOf(OpRecord op, Fate fate, std::string detail = "") {
  return PendingOpFate{std::move(op), fate, std::move(detail)};
}

CrashModel ModelNamed(std::string_view name) {
  Result<CrashModel> model = CrashModel::Parse(name);
  EXPECT_TRUE(model.ok()) << name;
  return *model;
}

struct Row {
  std::string name;
  CulpritEvidence evidence;
  std::string expected;
};

std::vector<Row> Rows() {
  std::vector<Row> rows;
  auto add = [&rows](std::string name, std::string expected, auto fill) {
    Row row{std::move(name), {}, std::move(expected)};
    row.evidence.model = ModelNamed("reorder");
    fill(row.evidence);
    rows.push_back(std::move(row));
  };
  const OpRecord wal_write = Op(10, OpKind::kWrite, "/db/000003.log");
  const OpRecord table_write = Op(11, OpKind::kWrite, "/db/000005.sst");
  add("crash inside recovery", "C16", [](CulpritEvidence& e) {
    e.crash_depth = 2;
    e.guarantee = Guarantee::kCrashSafeRecovery;
  });
  add("bit flip", "C06", [](CulpritEvidence& e) { e.faults = {"bitflip /db/000003.log 40 1"}; });
  add("enospc", "C17", [](CulpritEvidence& e) { e.faults = {"enospc /db/*.log after=2"}; });
  add("short write", "C17", [](CulpritEvidence& e) { e.faults = {"short-write /db/*.log"}; });
  add("fsync eio then crash", "C12", [](CulpritEvidence& e) { e.faults = {"fsync-eio /db/*"}; });
  add("fsync eio, live read wrong", "C12", [](CulpritEvidence& e) {
    e.faults = {"fsync-eio /db/*"};
    e.main_line = true;
    e.model.reset();
    e.guarantee = Guarantee::kReadConsistency;
  });
  add("fsync eio, hole after the crash", "C13", [](CulpritEvidence& e) {
    e.faults = {"fsync-eio:/db/*.log:1:drop"};
    e.model = ModelNamed("process-kill");
    e.guarantee = Guarantee::kNoHole;
  });
  add("hole in the WAL read past", "C08", [&](CulpritEvidence& e) {
    OpRecord later = Op(12, OpKind::kWrite, "/db/000003.log");
    later.offset = 64;
    e.fates = {FateOf(wal_write, Fate::kDropped), FateOf(later, Fate::kPersisted)};
    e.culprits = {0};
    e.guarantee = Guarantee::kNoHole;
  });
  add("kill mid-append, recovery refused", "C05", [&](CulpritEvidence& e) {
    e.model = ModelNamed("process-kill");
    e.guarantee = Guarantee::kRecovers;
    e.trace = {Op(5, OpKind::kCreate, "/db/000003.log"), wal_write};
  });
  add("trace: rename of unsynced temp file", "C03", [](CulpritEvidence& e) {
    e.model = ModelNamed("process-kill");
    e.guarantee = Guarantee::kDurableRecovery;
    e.recovery_trace = {Op(30, OpKind::kWrite, "/db/000005.dbtmp"),
                        Op(31, OpKind::kRename, "/db/000005.dbtmp", "/db/CURRENT"),
                        Op(32, OpKind::kSyncDir, "/db")};
  });
  add("trace: WAL unlinked before its table", "C09", [&](CulpritEvidence& e) {
    e.model = ModelNamed("process-kill");
    e.trace = {wal_write, Op(20, OpKind::kUnlink, "/db/000003.log"),
               Op(21, OpKind::kCreate, "/db/000005.sst")};
  });
  add("trace: manifest edit before its table", "C15", [&](CulpritEvidence& e) {
    e.model = ModelNamed("process-kill");
    OpRecord edit = Op(20, OpKind::kWrite, "/db/MANIFEST-000002");
    edit.offset = 13;
    e.trace = {wal_write, edit};
  });
  add("trace: manifest synced before the table", "C11", [&](CulpritEvidence& e) {
    e.model = ModelNamed("process-kill");
    e.trace = {wal_write, table_write, Op(12, OpKind::kWrite, "/db/MANIFEST-000002"),
               Op(13, OpKind::kSync, "/db/MANIFEST-000002")};
  });
  add("trace: unlink before the rename is durable", "C02", [](CulpritEvidence& e) {
    e.model = ModelNamed("process-kill");
    e.guarantee = Guarantee::kDurableRecovery;
    e.recovery_trace = {Op(30, OpKind::kRename, "/db/000005.dbtmp", "/db/CURRENT"),
                        Op(31, OpKind::kUnlink, "/db/MANIFEST-000001")};
  });
  add("durable recovery", "C14",
      [](CulpritEvidence& e) { e.guarantee = Guarantee::kDurableRecovery; });
  add("lost WAL write, acked", "C01", [&](CulpritEvidence& e) {
    e.fates = {FateOf(wal_write, Fate::kDropped)};
    e.culprits = {0};
  });
  add("lost WAL tail, recovery refused", "C05", [&](CulpritEvidence& e) {
    e.fates = {FateOf(wal_write, Fate::kTorn, "sectors 0 of 2 landed")};
    e.culprits = {0};
    e.guarantee = Guarantee::kRecovers;
  });
  add("torn WAL record read as data", "C04", [&](CulpritEvidence& e) {
    e.fates = {FateOf(wal_write, Fate::kTorn, "sectors 0 of 2 landed; rest junk")};
    e.culprits = {0};
    e.culprits_by_dropping = true;
    e.guarantee = Guarantee::kNoInvention;
  });
  add("zero tail read as data", "C08", [&](CulpritEvidence& e) {
    e.model = ModelNamed("zero-tail");
    e.fates = {FateOf(wal_write, Fate::kTorn, "size 0 -> 64 persisted; data lost")};
    e.culprits = {0};
    e.culprits_by_dropping = true;
    e.guarantee = Guarantee::kNoHole;
  });
  add("lost create", "C02", [](CulpritEvidence& e) {
    e.fates = {FateOf(Op(3, OpKind::kCreate, "/db/000004.log"), Fate::kDropped)};
    e.culprits = {0};
  });
  add("lost table, WAL unlink landed", "C09", [&](CulpritEvidence& e) {
    e.fates = {FateOf(table_write, Fate::kDropped),
               FateOf(Op(14, OpKind::kUnlink, "/db/000003.log"), Fate::kPersisted)};
    e.culprits = {0};
  });
  add("lost table, manifest edit landed", "C11", [&](CulpritEvidence& e) {
    e.fates = {FateOf(table_write, Fate::kDropped)};
    e.trace = {table_write, Op(12, OpKind::kWrite, "/db/MANIFEST-000002"),
               Op(13, OpKind::kSync, "/db/MANIFEST-000002")};
    e.culprits = {0};
  });
  add("lost manifest, CURRENT switched", "C11", [](CulpritEvidence& e) {
    e.fates = {
        FateOf(Op(20, OpKind::kWrite, "/db/MANIFEST-000004"), Fate::kDropped),
        FateOf(Op(22, OpKind::kRename, "/db/000004.dbtmp", "/db/CURRENT"), Fate::kPersisted)};
    e.culprits = {0};
    e.guarantee = Guarantee::kRecovers;
  });
  add("rename of unsynced temp file", "C03", [](CulpritEvidence& e) {
    e.fates = {
        FateOf(Op(20, OpKind::kWrite, "/db/000004.dbtmp"), Fate::kDropped),
        FateOf(Op(21, OpKind::kRename, "/db/000004.dbtmp", "/db/CURRENT"), Fate::kPersisted)};
    e.culprits = {0};
    e.guarantee = Guarantee::kRecovers;
  });
  add("process kill lost an ack", "C01",
      [](CulpritEvidence& e) { e.model = ModelNamed("process-kill"); });
  add("earlier crash, no culprit", "C10", [](CulpritEvidence& e) { e.workload_crashes = true; });
  add("ack lost, nothing pending to blame", "C01", [](CulpritEvidence&) {});
  add("recycled WAL", "C07", [&](CulpritEvidence& e) {
    e.trace = {Op(8, OpKind::kRename, "/db/000003.log", "/db/000007.log"), wal_write};
    e.fates = {FateOf(wal_write, Fate::kDropped)};
    e.culprits = {0};
    e.guarantee = Guarantee::kNoInvention;
  });
  add("nothing to go on", "", [](CulpritEvidence& e) { e.guarantee = Guarantee::kNoHole; });
  return rows;
}

TEST(CulpritClasses, EachRuleSuggestsItsClass) {
  for (const Row& row : Rows()) {
    ClassSuggestion suggestion = SuggestBugClass(row.evidence);
    EXPECT_EQ(suggestion.bug_class, row.expected) << row.name << ": " << suggestion.reason;
    EXPECT_EQ(suggestion.class_name, std::string(BugClassName(row.expected))) << row.name;
    EXPECT_FALSE(suggestion.reason.empty()) << row.name;
  }
}

TEST(CulpritClasses, AManifestEditBeforeTheLostTableIsNotOrderingAcrossFiles) {
  // The edit that landed came *before* the table write: it cannot name it.
  CulpritEvidence e;
  e.model = ModelNamed("reorder");
  const OpRecord table_write = Op(11, OpKind::kWrite, "/db/000005.sst");
  e.fates = {FateOf(table_write, Fate::kDropped)};
  e.trace = {Op(5, OpKind::kWrite, "/db/MANIFEST-000002"), table_write};
  e.culprits = {0};
  EXPECT_EQ(SuggestBugClass(e).reason.find("manifest edit landed"), std::string::npos);
}

TEST(CulpritClasses, ClassNamesCoverTheCatalog) {
  for (int i = 1; i <= 18; ++i) {
    std::string id = (i < 10 ? "C0" : "C") + std::to_string(i);
    EXPECT_FALSE(BugClassName(id).empty()) << id;
  }
  EXPECT_TRUE(BugClassName("C99").empty());
}

}  // namespace
}  // namespace powercut::harness
