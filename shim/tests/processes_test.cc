// The shim across processes and acknowledgements: a forked child, a shell
// exec'd with a trimmed environment and a posix_spawn'ed shell are all traced
// into one trace with one order; writes to POWERCUT_ACK_FD (write(2) and
// stdio) become ack records in place and still reach the descriptor. A trace
// file preallocated by a runner (all zeros) is taken as a new trace.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <set>

#include "shim_run_support.h"

extern "C" {
#include "trace_format.h"
}

namespace powercut::shim::testing {
namespace {

TEST(ShimProcessesTest, ForkExecAndSpawnShareOneOrderedTrace) {
  Sandbox sandbox("processes");
  RunResult run = RunProgram(sandbox, "prog_processes", {sandbox.root()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Trace trace = LoadTrace(sandbox);
  std::vector<std::string> lines = DescribeAll(trace);
  const std::vector<std::string> expected = {
      "open path=$R/shared flags=0x441 mode=0644 result=3",
      "write fd=3 path=$R/shared offset=0 length=8 result=8 data=\"parent1\\n\"",
      "write fd=3 path=$R/shared offset=8 length=6 result=6 data=\"child\\n\"",
      "open path=$R/childfile flags=0x241 mode=0644 result=4",
      "write fd=4 path=$R/childfile offset=0 length=1 result=1 data=\"c\"",
      "fsync fd=4 path=$R/childfile result=0",
      "write fd=3 path=$R/shared offset=14 length=8 result=8 data=\"parent2\\n\"",
      // dash: `echo from-sh >> shell_out` (open, dup onto 1, write, restore)
      "open path=$R/shell_out flags=0x441 mode=0666 result=4",
      "dup fd=4 path=$R/shell_out result=1",
      "close fd=4 path=$R/shell_out result=0",
      "write fd=1 path=$R/shell_out offset=0 length=8 result=8 data=\"from-sh\\n\"",
      "close fd=1 path=$R/shell_out result=0",
      "mkdir path=$R/shdir mode=0777 result=0",
      "open path=$R/spawned flags=0x241 mode=0666 result=4",
      "dup fd=4 path=$R/spawned result=1",
      "close fd=4 path=$R/spawned result=0",
      "write fd=1 path=$R/spawned offset=0 length=8 result=8 data=\"spawned\\n\"",
      "close fd=1 path=$R/spawned result=0",
      "write fd=3 path=$R/shared offset=22 length=8 result=8 data=\"parent3\\n\"",
      "close fd=3 path=$R/shared result=0",
  };
  EXPECT_EQ(lines, expected);
  // Five process images (prog, forked child without exec, sh, mkdir, sh):
  // four exec records and five distinct pids.
  std::set<int32_t> pids;
  int execs = 0;
  for (const TraceEntry& e : trace.entries) {
    pids.insert(e.pid);
    if (e.kind == kTraceExec) ++execs;
  }
  EXPECT_EQ(pids.size(), 5u);
  EXPECT_EQ(execs, 4);
}

TEST(ShimProcessesTest, AcksAreStampedInOrderAndPassedThrough) {
  Sandbox sandbox("acks");
  RunOptions options;
  options.ack = true;
  RunResult run = RunProgram(sandbox, "prog_acks", {sandbox.root()}, options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Trace trace = LoadTrace(sandbox);
  const std::vector<std::string> expected = {
      "open path=$R/kv flags=0x241 mode=0644 result=3",
      "write fd=3 path=$R/kv offset=0 length=6 result=6 data=\"k1=v1\\n\"",
      "fsync fd=3 path=$R/kv result=0",
      "ack fd=9 offset=0 length=8 result=8 data=\"A k1 v1\\n\"",
      "write fd=3 path=$R/kv offset=6 length=6 result=6 data=\"k2=v2\\n\"",
      "fsync fd=3 path=$R/kv result=0",
      "ack fd=9 offset=0 length=8 result=8 data=\"A k2 v2\\n\"",
      "close fd=3 path=$R/kv result=0",
  };
  EXPECT_EQ(DescribeAll(trace), expected);
  std::ifstream acks(sandbox.ack_file());
  std::string text((std::istreambuf_iterator<char>(acks)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "A k1 v1\nA k2 v2\n");
}

TEST(ShimProcessesTest, APreallocatedTraceOfZerosIsTakenAsANewTrace) {
  Sandbox sandbox("prealloc");
  const int fd = open(sandbox.trace_file().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(posix_fallocate(fd, 0, 1 << 20), 0);
  close(fd);
  RunOptions options;
  options.ack = true;
  RunResult run = RunProgram(sandbox, "prog_acks", {sandbox.root()}, options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Trace trace = LoadTrace(sandbox);
  const std::vector<std::string> described = DescribeAll(trace);
  ASSERT_EQ(described.size(), 8u);
  EXPECT_EQ(described.front(), "open path=$R/kv flags=0x241 mode=0644 result=3");
  EXPECT_EQ(described.back(), "close fd=3 path=$R/kv result=0");
}

}  // namespace
}  // namespace powercut::shim::testing
