// Crash recovery on SimFs: load -> crash at every file operation -> reopen ->
// verify. A small workload (mixed sync and unsynced puts, deletes, batches, a
// flush) runs on SimFs; an observer crashes a copy of the file system after
// EVERY operation under several crash models. Each crash image must open,
// and show exactly the state after some prefix of the writes that contains
// every write acknowledged durable (sync=true, or before a successful flush);
// reopening must change nothing; a power cut right after recovery must change
// nothing (seed 004); and a crash at any operation of the recovery itself
// must again recover to such a prefix (bug class C16).
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <vector>

#include "db_test_util.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::engine {
namespace {

using faultfs::CrashModel;
using faultfs::CrashModelKind;
using faultfs::CrashStateId;
using faultfs::SimFs;
using testing::KvState;
using testing::ScanAll;

constexpr std::string_view kPath = "/db";

struct WorkloadOp {
  enum Kind { kPut, kDelete, kBatch, kFlush } kind;
  std::string key;
  std::string value;
  bool sync = false;
  std::vector<std::pair<std::string, std::optional<std::string>>> batch;  // nullopt: delete
};

std::vector<WorkloadOp> SmallWorkload() {
  using K = WorkloadOp;
  const std::string big(40000, 'B');  // spans two WAL blocks
  return {
      {K::kPut, "a", "1", false, {}},
      {K::kPut, "b", "2", true, {}},
      {K::kBatch, "", "", false, {{"c", "3"}, {"a", std::nullopt}}},
      {K::kPut, "d", "4", false, {}},
      {K::kFlush, "", "", false, {}},
      {K::kPut, "e", "5", true, {}},
      {K::kDelete, "b", "", false, {}},
      {K::kPut, "a", big, false, {}},
      {K::kPut, "f", "6", true, {}},
      {K::kPut, "c", "7", false, {}},
      {K::kBatch, "", "", true, {{"g", "8"}, {"h", "9"}}},
      {K::kPut, "i", "10", false, {}},
      {K::kDelete, "g", "", false, {}},
  };
}

// states[k] = the state after the first k writes (flushes are not writes).
std::vector<KvState> PrefixStates(const std::vector<WorkloadOp>& ops) {
  std::vector<KvState> states{{}};
  for (const WorkloadOp& op : ops) {
    if (op.kind == WorkloadOp::kFlush) continue;
    KvState next = states.back();
    if (op.kind == WorkloadOp::kPut) next[op.key] = op.value;
    if (op.kind == WorkloadOp::kDelete) next.erase(op.key);
    for (const auto& [key, value] : op.batch) {
      if (value) {
        next[key] = *value;
      } else {
        next.erase(key);
      }
    }
    states.push_back(std::move(next));
  }
  return states;
}

// One crash image and what the oracle knew when it was taken.
struct CrashCase {
  std::string id;
  std::unique_ptr<SimFs> fs;
  size_t durable = 0;  // writes [0, durable) were acknowledged durable
  size_t issued = 0;   // writes [0, issued) were started
};

class DbRecoveryTest : public ::testing::Test {
 protected:
  // Runs the workload on fs_, calling on_op (from the observer) after every
  // file operation with the oracle's counters.
  void RunWorkload(const Options& options) {
    auto db = DB::Open(options, kPath, &fs_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (const WorkloadOp& op : ops_) {
      WriteOptions write_options{.sync = op.sync};
      Status status;
      if (op.kind == WorkloadOp::kFlush) {
        status = (*db)->Flush();
        if (status.ok()) durable_ = issued_;
        ASSERT_TRUE(status.ok()) << status.ToString();
        continue;
      }
      ++issued_;
      if (op.kind == WorkloadOp::kPut) status = (*db)->Put(write_options, op.key, op.value);
      if (op.kind == WorkloadOp::kDelete) status = (*db)->Delete(write_options, op.key);
      if (op.kind == WorkloadOp::kBatch) {
        WriteBatch batch;
        for (const auto& [key, value] : op.batch) {
          if (value) {
            batch.Put(key, *value);
          } else {
            batch.Delete(key);
          }
        }
        status = (*db)->Write(write_options, batch);
      }
      ASSERT_TRUE(status.ok()) << status.ToString();
      if (op.sync) durable_ = issued_;
    }
    ASSERT_TRUE((*db)->Close().ok());
  }

  // Crash states of `models` after every operation of the workload.
  std::vector<CrashCase> CollectCrashes(const std::vector<CrashModel>& models, uint64_t max_states,
                                        const Options& options) {
    std::vector<CrashCase> cases;
    fs_.SetObserver([&](const faultfs::OpRecord& op) {
      for (const CrashModel& model : models) {
        auto enumerator = fs_.EnumerateCrashStates(model, {.max_states = max_states, .seed = 7});
        ASSERT_TRUE(enumerator.ok());
        while (std::optional<CrashStateId> id = (*enumerator)->Next()) {
          auto crashed = fs_.Crash(*id);
          ASSERT_TRUE(crashed.ok()) << crashed.status().ToString();
          cases.push_back({id->ToString() + " after " + op.ToString(), std::move(crashed).value(),
                           durable_, issued_});
        }
      }
    });
    RunWorkload(options);
    fs_.SetObserver(nullptr);
    return cases;
  }

  // The recovered state must be the state after a prefix in [durable, issued].
  void ExpectPrefixState(const KvState& state, const CrashCase& c, std::string_view when) {
    for (size_t p = c.durable; p <= c.issued; ++p) {
      if (states_[p] == state) return;
    }
    ADD_FAILURE() << c.id << " (" << when << "): recovered state is not the state after a "
                  << "prefix of [" << c.durable << ", " << c.issued << "] writes";
  }

  // Opens `fs`, checks the state, and returns it (nullopt on failure).
  std::optional<KvState> RecoverAndCheck(SimFs& fs, const CrashCase& c, std::string_view when,
                                         const Options& options) {
    auto db = DB::Open(options, kPath, &fs);
    if (!db.ok()) {
      ADD_FAILURE() << c.id << " (" << when << "): Open failed: " << db.status().ToString();
      return std::nullopt;
    }
    Result<KvState> state = ScanAll(**db);
    EXPECT_TRUE(state.ok()) << c.id << ": " << state.status().ToString();
    EXPECT_TRUE((*db)->Close().ok());
    if (!state.ok()) return std::nullopt;
    ExpectPrefixState(*state, c, when);
    return *state;
  }

  // The full check of one crash image.
  void CheckCrashCase(CrashCase& c, bool crash_during_recovery, const Options& options) {
    std::unique_ptr<SimFs> during = crash_during_recovery ? c.fs->Clone() : nullptr;
    std::optional<KvState> first = RecoverAndCheck(*c.fs, c, "first recovery", options);
    if (!first) return;
    // Power cut right after recovery: what recovery served must be durable.
    CrashStateId power_loss{CrashModel{.kind = CrashModelKind::kPowerLoss}, c.fs->position(), {}};
    auto cut = c.fs->Crash(power_loss);
    ASSERT_TRUE(cut.ok());
    std::optional<KvState> again = RecoverAndCheck(**cut, c, "power cut after recovery", options);
    EXPECT_EQ(again, first) << c.id << ": a power cut after recovery changed the state";
    std::optional<KvState> third = RecoverAndCheck(**cut, c, "reopen", options);
    EXPECT_EQ(third, first) << c.id << ": reopening changed the state";
    if (during) CheckCrashesDuringRecovery(*during, c, options);
  }

  void CheckCrashesDuringRecovery(SimFs& fs, const CrashCase& c, const Options& options) {
    std::vector<CrashCase> nested;
    fs.SetObserver([&](const faultfs::OpRecord& op) {
      for (CrashModelKind kind : {CrashModelKind::kPowerLoss, CrashModelKind::kProcessKill}) {
        auto crashed = fs.Crash(CrashStateId{CrashModel{.kind = kind}, op.position, {}});
        ASSERT_TRUE(crashed.ok());
        nested.push_back(
            {c.id + " then, during recovery, " +
                 std::string(kind == CrashModelKind::kPowerLoss ? "power-loss" : "process-kill") +
                 " after " + op.ToString(),
             std::move(crashed).value(), c.durable, c.issued});
      }
    });
    auto db = DB::Open(options, kPath, &fs);
    fs.SetObserver(nullptr);
    ASSERT_TRUE(db.ok());
    for (CrashCase& n : nested) {
      std::optional<KvState> first =
          RecoverAndCheck(*n.fs, n, "recovery after a recovery crash", options);
      std::optional<KvState> again = RecoverAndCheck(*n.fs, n, "reopen", options);
      EXPECT_EQ(first, again) << n.id;
    }
  }

  void RunCrashMatrix(const std::vector<CrashModel>& models, uint64_t max_states,
                      bool crash_during_recovery, const Options& options = {}) {
    std::vector<CrashCase> cases = CollectCrashes(models, max_states, options);
    ASSERT_GT(cases.size(), 50u);
    for (CrashCase& c : cases) {
      CheckCrashCase(c, crash_during_recovery, options);
      if (HasFailure()) return;  // the first failure is the informative one
    }
  }

  SimFs fs_;
  std::vector<WorkloadOp> ops_ = SmallWorkload();
  std::vector<KvState> states_ = PrefixStates(ops_);
  size_t durable_ = 0;
  size_t issued_ = 0;
};

TEST_F(DbRecoveryTest, PowerLossAndProcessKillAtEveryOperation) {
  RunCrashMatrix({CrashModel{.kind = CrashModelKind::kPowerLoss},
                  CrashModel{.kind = CrashModelKind::kProcessKill}},
                 1, /*crash_during_recovery=*/true);
}

TEST_F(DbRecoveryTest, PrefixAndPerFilePrefixAtEveryOperation) {
  RunCrashMatrix({CrashModel{.kind = CrashModelKind::kPrefix},
                  CrashModel{.kind = CrashModelKind::kPerFilePrefix}},
                 16, /*crash_during_recovery=*/false);
}

TEST_F(DbRecoveryTest, ReorderTornAndZeroTailAtEveryOperation) {
  RunCrashMatrix(
      {CrashModel{.kind = CrashModelKind::kReorder},
       CrashModel{
           .kind = CrashModelKind::kTorn, .sector_bytes = 512, .tear = faultfs::TearContent::kJunk},
       CrashModel{
           .kind = CrashModelKind::kTorn, .sector_bytes = 4096, .tear = faultfs::TearContent::kNew},
       CrashModel{.kind = CrashModelKind::kZeroTail}},
      16, /*crash_during_recovery=*/false);
}

TEST_F(DbRecoveryTest, SmallWriteBufferFlushesOnTheWritePath) {
  Options options;
  options.write_buffer_bytes = 256;  // nearly every write rolls the memtable
  RunCrashMatrix({CrashModel{.kind = CrashModelKind::kPowerLoss}}, 1,
                 /*crash_during_recovery=*/true, options);
}

TEST_F(DbRecoveryTest, SmallWriteBufferUnderReorder) {
  Options options;
  options.write_buffer_bytes = 256;
  RunCrashMatrix({CrashModel{.kind = CrashModelKind::kReorder}}, 8,
                 /*crash_during_recovery=*/false, options);
}

TEST_F(DbRecoveryTest, CrashDuringRecoveryOfAFullDatabase) {
  // Crash at every operation of an Open that has WALs to replay and tables.
  RunWorkload({});
  CrashCase c{"power-loss after the workload", nullptr, durable_, issued_};
  auto crashed =
      fs_.Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kPowerLoss}, fs_.position(), {}});
  ASSERT_TRUE(crashed.ok());
  c.fs = std::move(crashed).value();
  CheckCrashCase(c, /*crash_during_recovery=*/true, {});
}

}  // namespace
}  // namespace powercut::engine
