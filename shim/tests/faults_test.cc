// Live error injection through POWERCUT_FAULTS: the program sees the injected
// EIO, short writes and ENOSPC (counted across processes), the trace records
// the failed calls with kTraceInjected followed by kTraceFault records, and a
// bad rule stops the program with a message instead of running unfaulted.
#include <gtest/gtest.h>

#include "shim_run_support.h"

namespace powercut::shim::testing {
namespace {

constexpr char kRules[] = "fsync-eio:*.wal:3;short-write:*data:1:4;enospc:12:*data";

TEST(ShimFaultsTest, ProgramSeesInjectedErrorsAndTraceRecordsThem) {
  Sandbox sandbox("faults");
  RunOptions options;
  options.faults = kRules;
  RunResult run = RunProgram(sandbox, "prog_faults", {sandbox.root()}, options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "write(wal, \"1\", 1) -> 1\n"
            "fsync(wal) -> 0\n"
            "write(wal, \"2\", 1) -> 1\n"
            "fsync(wal) -> 0\n"
            "write(wal, \"3\", 1) -> 1\n"
            "fsync(wal) -> -1 errno=5\n"
            "fsync(wal) -> 0\n"
            "write(data, \"0123456789\", 10) -> 4\n"
            "write(data, \"abcdef\", 6) -> 6\n"
            "write(data, \"ghijk\", 5) -> 2\n"
            "write(data, \"l\", 1) -> -1 errno=28\n"
            "close(data) -> 0\n"
            "close(wal) -> 0\n");
  Trace trace = LoadTrace(sandbox);
  const std::vector<std::string> expected = {
      "open path=$R/x.wal flags=0x241 mode=0644 result=3",
      "write fd=3 path=$R/x.wal offset=0 length=1 result=1 data=\"1\"",
      "fsync fd=3 path=$R/x.wal result=0",
      "write fd=3 path=$R/x.wal offset=1 length=1 result=1 data=\"2\"",
      "fsync fd=3 path=$R/x.wal result=0",
      "write fd=3 path=$R/x.wal offset=2 length=1 result=1 data=\"3\"",
      "fsync fd=3 path=$R/x.wal result=-1 err=5 failed injected",
      "fault path=$R/x.wal result=0 err=5 injected data=\"fsync-eio:*.wal:3\"",
      "fsync fd=3 path=$R/x.wal result=0",
      "open path=$R/data flags=0x241 mode=0644 result=4",
      "write fd=4 path=$R/data offset=0 length=4 result=4 injected data=\"0123\"",
      "fault path=$R/data result=0 injected data=\"short-write:*data:1:4\"",
      "write fd=4 path=$R/data offset=4 length=6 result=6 data=\"abcdef\"",
      "write fd=4 path=$R/data offset=10 length=2 result=2 injected data=\"gh\"",
      "fault path=$R/data result=0 injected data=\"enospc:12:*data\"",
      "write fd=4 path=$R/data result=-1 err=28 failed injected",
      "fault path=$R/data result=0 err=28 injected data=\"enospc:12:*data\"",
      "close fd=4 path=$R/data result=0",
      "close fd=3 path=$R/x.wal result=0",
  };
  EXPECT_EQ(DescribeAll(trace), expected);
  // The fsync in the middle came from the forked child: the count is shared.
  EXPECT_NE(trace.entries[5].pid, trace.entries[1].pid);
  EXPECT_EQ(TreeContents(sandbox.root())["data"], "0123abcdefgh");
}

TEST(ShimFaultsTest, BadRuleStopsTheProgramWithAMessage) {
  Sandbox sandbox("faults_bad");
  RunOptions options;
  options.faults = "fsync-eio:*.wal:three";
  RunResult run = RunProgram(sandbox, "prog_faults", {sandbox.root()}, options);
  EXPECT_EQ(run.exit_code, 126);
  EXPECT_NE(run.err.find("bad fault rule 'fsync-eio:*.wal:three': N must be a decimal number"),
            std::string::npos)
      << run.err;
  options.faults = "read-eio:*:0:10";
  run = RunProgram(sandbox, "prog_faults", {sandbox.root()}, options);
  EXPECT_EQ(run.exit_code, 126);
  EXPECT_NE(run.err.find("SimFs rules"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace powercut::shim::testing
