// Concurrent writers through group commit (run under ThreadSanitizer in CI,
// label 'concurrent'). Four threads write disjoint keys with mixed sync while
// a reader scans; the memtable is small so flushes (deterministic, or on the
// background thread) happen mid-stream. Afterwards every acknowledged write is
// present after a clean reopen, and every sync-acknowledged one after a power
// cut. No timing assertions: only outcomes.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "db_test_util.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::engine {
namespace {

using faultfs::CrashModel;
using faultfs::CrashModelKind;
using faultfs::CrashStateId;
using testing::KvState;
using testing::ScanAll;

constexpr int kWriters = 4;
constexpr int kWritesPerWriter = 300;

class DbConcurrencyTest : public ::testing::TestWithParam<bool> {};

TEST_P(DbConcurrencyTest, AllAcknowledgedWritesSurviveGroupCommit) {
  faultfs::SimFs fs;
  Options options;
  options.write_buffer_bytes = 8 << 10;
  options.background_flush = GetParam();
  auto db = DB::Open(options, "/db", &fs);
  ASSERT_TRUE(db.ok()) << db.status().ToString();

  std::mutex acked_mu;
  KvState acked;
  KvState sync_acked;
  std::atomic<bool> writers_done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kWritesPerWriter; ++i) {
        const std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
        const std::string value = std::string(50, static_cast<char>('a' + w)) + std::to_string(i);
        const bool sync = i % 3 == 0;
        Status status = (*db)->Put({.sync = sync}, key, value);
        ASSERT_TRUE(status.ok()) << status.ToString();
        std::lock_guard lock(acked_mu);
        acked[key] = value;
        if (sync) sync_acked[key] = value;
      }
    });
  }
  std::thread reader([&] {
    while (!writers_done.load()) {
      Result<KvState> state = ScanAll(**db);
      ASSERT_TRUE(state.ok()) << state.status().ToString();
      (*db)->Get({}, "w0-0").status().IgnoreError();  // found or not: both fine mid-run
    }
  });
  for (std::thread& t : threads) t.join();
  writers_done = true;
  reader.join();
  ASSERT_TRUE((*db)->Flush().ok());
  ASSERT_TRUE((*db)->Put({}, "after-flush", "x").ok());
  acked["after-flush"] = "x";
  EXPECT_EQ(*ScanAll(**db), acked);

  // A power cut keeps everything flushed or synced: here, all but the last put.
  auto cut =
      fs.Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kPowerLoss}, fs.position(), {}});
  ASSERT_TRUE(cut.ok());
  ASSERT_TRUE((*db)->Close().ok());
  auto recovered = DB::Open(options, "/db", cut->get());
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  KvState after_cut = *ScanAll(**recovered);
  for (const auto& [key, value] : sync_acked) EXPECT_EQ(after_cut[key], value) << key;
  EXPECT_EQ(after_cut.size(), acked.size() - 1);

  auto reopened = DB::Open(options, "/db", &fs);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*ScanAll(**reopened), acked);
}

INSTANTIATE_TEST_SUITE_P(FlushModes, DbConcurrencyTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "BackgroundFlush" : "DeterministicFlush";
                         });

}  // namespace
}  // namespace powercut::engine
