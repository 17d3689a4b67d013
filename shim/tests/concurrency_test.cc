// The shim under concurrency (prog_stress: 4 threads x 2 processes writing
// numbered 16-byte records to their own files and to one shared O_APPEND
// file): every write is recorded exactly once, per-thread order holds, the
// sequence numbers are strictly increasing, the shared file's content order is
// the trace order, and nothing deadlocks (a generous timeout). A process
// killed with SIGKILL mid-run leaves a readable trace whose records are, per
// thread, a prefix of what it wrote, while its sibling process carries on
// (recovering the robust lock if the victim died holding it).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "shim_run_support.h"

extern "C" {
#include "trace_format.h"
}

namespace powercut::shim::testing {
namespace {

constexpr int kThreads = 4;

struct Record {
  int process = -1, thread = -1, n = -1;
};

// Parses "p1 t3 n00001234\n".
Record ParseRecord(const std::string& data) {
  Record r;
  if (data.size() != 16 ||
      std::sscanf(data.c_str(), "p%d t%d n%d", &r.process, &r.thread, &r.n) != 3) {
    ADD_FAILURE() << "not a stress record: '" << data << "'";
  }
  return r;
}

// Per own file: the numbers written, in trace order; checks offsets too.
std::map<std::string, std::vector<int>> OwnFileNumbers(const Trace& trace) {
  std::map<std::string, std::vector<int>> numbers;
  for (const TraceEntry& e : trace.entries) {
    if (e.kind != kTraceWrite || e.path.find("/own_") == std::string::npos) continue;
    Record r = ParseRecord(e.data);
    EXPECT_EQ(e.offset, static_cast<uint64_t>(r.n) * 16) << e.path;
    numbers[e.path].push_back(r.n);
  }
  return numbers;
}

void ExpectPrefix(const std::vector<int>& numbers, size_t expected_size, const std::string& what) {
  if (expected_size != SIZE_MAX) {
    EXPECT_EQ(numbers.size(), expected_size) << what;
  }
  for (size_t i = 0; i < numbers.size(); ++i) {
    ASSERT_EQ(numbers[i], static_cast<int>(i)) << what << " out of order at " << i;
  }
}

TEST(ShimConcurrencyTest, EveryWriteOnceInOrderWithoutDeadlock) {
  Sandbox sandbox("concurrency");
  constexpr int kRecords = 3000;
  RunResult run =
      RunProgram(sandbox, "prog_stress",
                 {sandbox.root(), "2", std::to_string(kThreads), std::to_string(kRecords)});
  ASSERT_FALSE(run.timed_out) << "deadlock? prog_stress did not finish in time";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Trace trace = LoadTrace(sandbox);
  EXPECT_EQ(trace.skipped_uncommitted, 0u);
  for (size_t i = 0; i < trace.entries.size(); ++i) ASSERT_EQ(trace.entries[i].seq, i + 1);

  auto own = OwnFileNumbers(trace);
  EXPECT_EQ(own.size(), 2u * kThreads);
  for (const auto& [path, numbers] : own) ExpectPrefix(numbers, kRecords, path);

  std::string shared_in_trace_order;
  std::map<std::pair<int, int>, int> next_n;
  std::set<int32_t> tids;
  for (const TraceEntry& e : trace.entries) {
    if (e.kind != kTraceWrite || e.path != sandbox.root() + "/shared") continue;
    ASSERT_EQ(e.offset, shared_in_trace_order.size()) << "shared file order != trace order";
    shared_in_trace_order += e.data;
    Record r = ParseRecord(e.data);
    int& expected_n = next_n[std::make_pair(r.process, r.thread)];
    ASSERT_EQ(r.n, expected_n) << "per-thread order broken";
    ++expected_n;
    tids.insert(e.tid);
  }
  EXPECT_EQ(tids.size(), 2u * kThreads);
  EXPECT_EQ(shared_in_trace_order.size(), 2u * kThreads * kRecords * 16);
  EXPECT_EQ(shared_in_trace_order, TreeContents(sandbox.root())["shared"]);
}

// Waits (up to a minute) for `pid`, reparented to this process. On failure
// says why: its exit status, or where its threads are stuck.
::testing::AssertionResult ReapOrphan(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ::testing::AssertionSuccess();
      return ::testing::AssertionFailure() << "survivor ended with status " << status;
    }
    if (got < 0) return ::testing::AssertionFailure() << "waitpid: " << strerror(errno);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string where;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream wchan(task.path() / "wchan");
    std::string text;
    std::getline(wchan, text);
    where += " " + task.path().filename().string() + ":" + text;
  }
  kill(pid, SIGKILL);
  return ::testing::AssertionFailure() << "survivor still running after 120 s; threads:" << where;
}

TEST(ShimConcurrencyTest, KilledProcessLeavesAReadableTrace) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  Sandbox sandbox("killed");
  // The kill must land while the parent still writes. An instrumented build
  // (POWERCUT_SHIM_RUNTIME names the sanitizer runtime) starts its programs
  // slower (TSan maps its shadow memory first) but, under ASan, then writes
  // fast: the ASan run writes more records, so the parent is still busy when
  // the kill comes (a fixed count finished first once, on an idle machine).
  const std::string runtime = POWERCUT_SHIM_RUNTIME;
  const bool tsan = runtime.find("tsan") != std::string::npos;
  const int kRecords = runtime.empty() || tsan ? 20000 : 100000;
  RunOptions options;
  options.kill_after_ms = runtime.empty() ? 150 : (tsan ? 1500 : 300);
  // No fdatasyncs (SYNC_EVERY 0): their records are reserved outside the lock,
  // and on a busy disk they would only make the survivor slow.
  RunResult run = RunProgram(
      sandbox, "prog_stress",
      {sandbox.root(), "2", std::to_string(kThreads), std::to_string(kRecords), "0"}, options);
  ASSERT_EQ(run.signal, SIGKILL) << "the program finished before it was killed: " << run.err;
  int child = 0;
  ASSERT_EQ(std::sscanf(run.out.c_str(), "child %d", &child), 1) << run.out;
  ASSERT_TRUE(ReapOrphan(child)) << "the surviving process did not finish cleanly";

  Trace trace = LoadTrace(sandbox);
  EXPECT_LE(trace.skipped_uncommitted, 1u);  // at most the record being written under the lock
  auto own = OwnFileNumbers(trace);
  for (const auto& [path, numbers] : own) {
    bool survivor = path.find("/own_p1_") != std::string::npos;
    ExpectPrefix(numbers, survivor ? kRecords : SIZE_MAX, path);
  }
}

}  // namespace
}  // namespace powercut::shim::testing
