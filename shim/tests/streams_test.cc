// The shim against prog_streams: stdio writes on files under the root are
// recorded as the bytes that reached the kernel, in order (including a flush
// at exit, fdopen/freopen/unbuffered streams and dprintf), msync of a shared
// mapping records the page that changed (then the msync), a private mapping and streams outside the
// root are not recorded, and the program's results and files are unchanged.
#include <gtest/gtest.h>

#include "shim_run_support.h"

namespace powercut::shim::testing {
namespace {

const std::string kBigFirst =
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"...";

// 58 NUL bytes as Escape shows them: the rest of the 64 shown of a page.
std::string Nuls(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += "\\x00";
  return text;
}
const std::string kZeros58 = Nuls(58);

const std::vector<std::string> kExpectedStreams = {
    "open path=$R/s flags=0x241 mode=0666 result=3",
    "write fd=3 path=$R/s offset=0 length=15 result=15 data=\"line1\\nx42-z\\nabc\"",
    "fsync fd=3 path=$R/s result=0",
    "write fd=3 path=$R/s offset=15 length=8192 result=8192 data=\"" + kBigFirst,
    "write fd=3 path=$R/s offset=8207 length=1808 result=1808 data=\"" + kBigFirst,
    "close fd=3 path=$R/s result=0",
    "open path=$R/s flags=0x441 mode=0666 result=3",
    "write fd=3 path=$R/s offset=10015 length=5 result=5 data=\"tail\\n\"",
    "close fd=3 path=$R/s result=0",
    "open path=$R/s flags=0x2 mode=0666 result=3",
    "write fd=3 path=$R/s offset=2 length=2 result=2 data=\"ZZ\"",
    "close fd=3 path=$R/s result=0",
    "open path=$R/fd flags=0x241 mode=0644 result=3",
    "write fd=3 path=$R/fd offset=0 length=11 result=11 data=\"via fdopen\\n\"",
    "close fd=3 path=$R/fd result=0",
    "open path=$R/r1 flags=0x241 mode=0666 result=3",
    "write fd=3 path=$R/r1 offset=0 length=3 result=3 data=\"one\"",
    "close fd=3 path=$R/r1 result=0",
    "open path=$R/r2 flags=0x241 mode=0666 result=3",
    "write fd=3 path=$R/r2 offset=0 length=3 result=3 data=\"two\"",
    "close fd=3 path=$R/r2 result=0",
    "open path=$R/unbuf flags=0x241 mode=0666 result=3",
    "write fd=3 path=$R/unbuf offset=0 length=2 result=2 data=\"u1\"",
    "write fd=3 path=$R/unbuf offset=2 length=1 result=1 data=\"2\"",
    "close fd=3 path=$R/unbuf result=0",
    "open path=$R/dp flags=0x241 mode=0644 result=3",
    "write fd=3 path=$R/dp offset=0 length=5 result=5 data=\"dp 7\\n\"",
    "close fd=3 path=$R/dp result=0",
    "open path=$R/nodir/x flags=0x241 mode=0666 result=-1 err=2 failed",
    "open path=$R/m flags=0x242 mode=0644 result=3",
    "truncate fd=3 path=$R/m offset=8192 length=0 result=0",
    "write path=$R/m offset=4096 length=4096 result=4096 data=\"mapped" + kZeros58 + "\"...",
    "msync fd=3 path=$R/m flags=0x4 offset=4096 length=16 result=0",
    "close fd=3 path=$R/m result=0",
    "open path=$R/stdout.txt flags=0x241 mode=0666 result=1",
    "write fd=1 path=$R/stdout.txt offset=0 length=6 result=6 data=\"p1\\nq\\nc\"",
};

TEST(ShimStreamsTest, RecordsWhatStdioAndMsyncHandTheKernel) {
  Sandbox sandbox("streams");
  RunResult run = RunProgram(sandbox, "prog_streams", {sandbox.root(), sandbox.outside()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Trace trace = LoadTrace(sandbox);
  EXPECT_EQ(DescribeAll(trace), kExpectedStreams);
  // The data of the writes to "s", applied in order, is the file's content.
  std::string rebuilt;
  for (const TraceEntry& e : trace.entries) {
    if (e.kind != 2 || e.path != sandbox.root() + "/s") continue;
    if (rebuilt.size() < e.offset + e.data.size()) rebuilt.resize(e.offset + e.data.size());
    rebuilt.replace(e.offset, e.data.size(), e.data);
  }
  EXPECT_EQ(rebuilt, TreeContents(sandbox.root())["s"]);
}

TEST(ShimStreamsTest, ProgramSeesTheSameResultsAndFiles) {
  Sandbox traced("streams_traced");
  Sandbox plain("streams_plain");
  RunResult with = RunProgram(traced, "prog_streams", {traced.root(), traced.outside()});
  RunOptions no_shim;
  no_shim.preload = false;
  RunResult without = RunProgram(plain, "prog_streams", {plain.root(), plain.outside()}, no_shim);
  ASSERT_EQ(with.exit_code, 0) << with.err;
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(with.out, without.out);
  EXPECT_EQ(TreeContents(traced.root()), TreeContents(plain.root()));
  EXPECT_EQ(TreeContents(traced.outside()), TreeContents(plain.outside()));
}

}  // namespace
}  // namespace powercut::shim::testing
