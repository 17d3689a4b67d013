// SimFs under threads (run under TSan by ci/test: the name says
// "concurrency"): group-commit style callers sharing one SimFs, and the
// explorer's pattern — crash states recovered on worker threads while the
// source SimFs goes on writing — where file bytes are shared copy-on-write
// across threads and must never be written while another thread reads them.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::Contents;
using testing::IsOk;

TEST(SimFsConcurrency, ConcurrentAppendersAndSyncersKeepEveryByteAndEveryPosition) {
  SimFs fs;
  constexpr int kThreads = 4;
  constexpr int kAppends = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&fs, t] {
      std::string path = "/f" + std::to_string(t);
      auto file = fs.Open(path, OpenOptions::ReadWriteCreate());
      ASSERT_TRUE(IsOk(file));
      for (int i = 0; i < kAppends; ++i) {
        ASSERT_TRUE(IsOk(fs.Append(*file, "x")));
        if (i % 10 == 0) {
          ASSERT_TRUE(IsOk(fs.DataSync(*file)));
        }
      }
      ASSERT_TRUE(IsOk(fs.Close(*file)));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(Contents(fs, "/f" + std::to_string(t)), std::string(kAppends, 'x'));
  }
  // Per thread: one create, kAppends writes, kAppends / 10 syncs.
  EXPECT_EQ(fs.position(), uint64_t{kThreads} * (1 + kAppends + kAppends / 10));
}

TEST(SimFsConcurrency, CrashStatesRecoveredOnWorkerThreadsStayIndependentOfTheSource) {
  SimFs fs;
  std::string base(64 * 1024, 'b');
  ASSERT_TRUE(IsOk(fs.AddDurableFile("/db/table", base)));
  auto file = fs.Open("/db/table", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs.Write(*file, 0, "pending")));
  std::vector<CrashStateId> ids = testing::AllIds(fs, testing::Model("reorder"));
  ASSERT_EQ(ids.size(), 2u);

  std::vector<std::unique_ptr<SimFs>> states;
  for (int i = 0; i < 4; ++i) {
    auto crashed = fs.Crash(ids[i % 2]);
    ASSERT_TRUE(IsOk(crashed));
    states.push_back(std::move(crashed).value());
  }
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&, i] {
      SimFs& state = *states[i];
      std::string expected = i % 2 == 0 ? base : "pending" + base.substr(7);
      for (int round = 0; round < 50; ++round) {
        EXPECT_EQ(Contents(state, "/db/table"), expected);
        // "Recovery" rewrites a chunk that every state and the source share.
        auto recovering = state.Open("/db/table", OpenOptions::ReadWriteCreate());
        ASSERT_TRUE(IsOk(recovering));
        ASSERT_TRUE(IsOk(state.Write(*recovering, 100, "R")));
        ASSERT_TRUE(IsOk(state.Sync(*recovering)));
        ASSERT_TRUE(IsOk(state.Close(*recovering)));
        expected[100] = 'R';
      }
      states[i].reset();  // drop the shared references while the source writes
    });
  }
  for (int round = 0; round < 200; ++round) {
    ASSERT_TRUE(IsOk(fs.Write(*file, 100 + round, "S")));
  }
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(Contents(fs, "/db/table").substr(0, 8), "pendingb");
  EXPECT_EQ(Contents(fs, "/db/table").substr(100, 200), std::string(200, 'S'));
  ASSERT_TRUE(IsOk(fs.Close(*file)));
}

}  // namespace
}  // namespace powercut::faultfs
