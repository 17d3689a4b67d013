// The shim against prog_calls, which makes every descriptor and namespace
// call it intercepts: the trace holds exactly the expected records (kinds,
// paths, offsets, data, directory bits, order), nothing outside the root, and
// the program sees the same results, errno values and files as without it.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "shim_run_support.h"

extern "C" {
#include "trace_format.h"
}

namespace powercut::shim::testing {
namespace {

const std::vector<std::string> kExpectedCalls = {
    "open path=$R/a flags=0x241 mode=0644 result=3",
    "write fd=3 path=$R/a offset=0 length=5 result=5 data=\"hello\"",
    "write fd=3 path=$R/a offset=1 length=2 result=2 data=\"XY\"",
    "write fd=3 path=$R/a offset=4 length=1 result=1 data=\"Z\"",
    "write fd=3 path=$R/a offset=5 length=4 result=4 data=\"abcd\"",
    "write fd=3 path=$R/a offset=20 length=4 result=4 data=\"abcd\"",
    "write fd=3 path=$R/a offset=24 length=2 result=2 data=\"ab\"",
    "write fd=3 path=$R/a offset=30 length=2 result=2 data=\"ab\"",
    "write fd=3 path=$R/a offset=9 length=2 result=2 data=\"cd\"",
    "dup fd=3 path=$R/a result=4",
    "write fd=4 path=$R/a offset=11 length=1 result=1 data=\"D\"",
    "dup fd=3 path=$R/a result=50",
    "dup fd=3 path=$R/a result=51",
    "dup fd=3 path=$R/a result=60",
    "dup fd=3 path=$R/a result=70",
    "write fd=60 path=$R/a offset=12 length=1 result=1 data=\"E\"",
    "close fd=4 path=$R/a result=0",
    "close fd=50 path=$R/a result=0",
    "close fd=51 path=$R/a result=0",
    "close fd=60 path=$R/a result=0",
    "close fd=70 path=$R/a result=0",
    "truncate fd=3 path=$R/a offset=8 length=0 result=0",
    "truncate fd=3 path=$R/a offset=9 length=0 result=0",
    "fallocate fd=3 path=$R/a offset=0 length=100 result=0",
    "fallocate fd=3 path=$R/a offset=0 length=200 result=0",
    "fsync fd=3 path=$R/a result=0",
    "fdatasync fd=3 path=$R/a result=0",
    "sync_file_range fd=3 path=$R/a flags=0x2 offset=0 length=10 result=0",
    "syncfs fd=3 path=$R/a result=0",
    "close fd=3 path=$R/a result=0",
    "truncate path=$R/a offset=3 length=0 result=0",
    "truncate path=$R/a offset=2 length=0 result=0",
    "mkdir path=$R/sub mode=0755 result=0",
    "open path=$R/sub result=3",
    "fsync fd=3 path=$R/sub result=0 dir",
    "open path=$R/sub/f flags=0x41 mode=0600 result=4",
    "write fd=4 path=$R/sub/f offset=0 length=1 result=1 data=\"x\"",
    "close fd=4 path=$R/sub/f result=0",
    "mkdir path=$R/sub/inner mode=0700 result=0",
    "rename path=$R/sub/f path2=$R/sub/g result=0",
    "rename path=$R/sub/g path2=$R/sub/h flags=0x1 result=0",
    "rename path=$R/a path2=$R/sub/a2 result=0",
    "link path=$R/sub/a2 path2=$R/b result=0",
    "link path=$R/sub/h path2=$R/c result=0",
    "unlink path=$R/b result=0",
    "unlink path=$R/sub/h result=0",
    "rmdir path=$R/sub/inner result=0",
    "mkdir path=$R/e mode=0755 result=0",
    "rmdir path=$R/e result=0",
    "fdatasync fd=3 path=$R/sub result=0 dir",
    "close fd=3 path=$R/sub result=0",
    "open path=$R/o64 flags=0x42 mode=0644 result=3",
    "close fd=3 path=$R/o64 result=0",
    "open path=$R/oa64 flags=0x41 mode=0644 result=3",
    "close fd=3 path=$R/oa64 result=0",
    "open path=$R/cr flags=0x241 mode=0644 result=3",
    "close fd=3 path=$R/cr result=0",
    "open path=$R/cr64 flags=0x241 mode=0644 result=3",
    "close fd=3 path=$R/cr64 result=0",
    "open path=$R/cr result=3",
    "close fd=3 path=$R/cr result=0",
    "open path=$R/cr64 flags=0x1 result=3",
    "close fd=3 path=$R/cr64 result=0",
    "open path=$R/app flags=0x441 mode=0644 result=3",
    "write fd=3 path=$R/app offset=0 length=2 result=2 data=\"12\"",
    "write fd=3 path=$R/app offset=2 length=3 result=3 data=\"345\"",
    "write fd=3 path=$R/app offset=5 length=1 result=1 data=\"Q\"",
    "close fd=3 path=$R/app result=0",
    "open path=$R/dotdot flags=0x41 mode=0644 result=3",
    "close fd=3 path=$R/dotdot result=0",
    "open path=$R/rel flags=0x41 mode=0644 result=3",
    "close fd=3 path=$R/rel result=0",
    "sync result=0",
    "open path=$R/nodir/x flags=0x41 mode=0644 result=-1 err=2 failed",
    "rename path=$R/nonexistent path2=$R/zz result=-1 err=2 failed",
    "unlink path=$R/nonexistent result=-1 err=2 failed",
};

TEST(ShimCallsTest, RecordsEveryInterceptedCallExactly) {
  Sandbox sandbox("calls");
  RunResult run = RunProgram(sandbox, "prog_calls", {sandbox.root(), sandbox.outside()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Trace trace = LoadTrace(sandbox);
  std::vector<std::string> lines = DescribeAll(trace);
  EXPECT_EQ(lines, std::vector<std::string>(kExpectedCalls.begin(), kExpectedCalls.end()));
  ASSERT_FALSE(trace.entries.empty());
  EXPECT_EQ(trace.entries[0].kind, kTraceExec);
  EXPECT_EQ(trace.skipped_uncommitted, 0u);
  for (size_t i = 1; i < trace.entries.size(); ++i) {
    EXPECT_EQ(trace.entries[i].seq, trace.entries[i - 1].seq + 1);
    EXPECT_EQ(trace.entries[i].pid, trace.entries[0].pid);
  }
}

// The raw records of a trace file, before the reader fills in omitted paths.
std::vector<TraceRecord> RawRecords(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_GE(bytes.size(), size_t{kTraceHeaderBytes});
  TraceHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  std::vector<TraceRecord> records;
  for (uint64_t offset = kTraceHeaderBytes; offset + sizeof(TraceRecord) <= header.end;) {
    TraceRecord record;
    std::memcpy(&record, bytes.data() + offset, sizeof record);
    if (record.bytes == 0) break;
    records.push_back(record);
    offset += record.bytes;
  }
  return records;
}

TEST(ShimCallsTest, LaterWritesOfADescriptorOmitItsPath) {
  Sandbox sandbox("calls_pathoffd");
  RunResult run = RunProgram(sandbox, "prog_calls", {sandbox.root(), sandbox.outside()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // The first write on fd 3 ($R/a) carries the path, the next seven omit it;
  // fd 4 (a dup) and the renamed-into-place files start over with a path.
  std::vector<std::pair<uint16_t, uint32_t>> writes;  // (flag bits, path_len)
  for (const TraceRecord& r : RawRecords(sandbox.trace_file())) {
    if (r.kind == kTraceWrite) writes.emplace_back(r.flag_bits, r.path_len);
  }
  ASSERT_GE(writes.size(), 9u);
  size_t root_a = sandbox.root().size() + 2;
  EXPECT_EQ(writes[0], std::make_pair(uint16_t{0}, static_cast<uint32_t>(root_a)));
  for (size_t i = 1; i < 8; ++i) {
    EXPECT_EQ(writes[i], std::make_pair(uint16_t{kTracePathOfFd}, 0u)) << "write " << i;
  }
  EXPECT_EQ(writes[8], std::make_pair(uint16_t{0}, static_cast<uint32_t>(root_a)));  // fd 4
  // The reader hands every consumer the path and clears the bit.
  for (const TraceEntry& e : LoadTrace(sandbox).entries) {
    if (e.kind != kTraceWrite) continue;
    EXPECT_FALSE(e.path.empty()) << FormatTraceEntry(e);
    EXPECT_EQ(e.flag_bits & kTracePathOfFd, 0) << FormatTraceEntry(e);
  }
}

const std::vector<std::string> kExpectedCopies = {
    "open path=$R/src flags=0x242 mode=0644 result=3",
    "write fd=3 path=$R/src offset=0 length=16 result=16 data=\"0123456789abcdef\"",
    "open path=$R/dst flags=0x241 mode=0644 result=4",
    "write fd=4 path=$R/dst offset=0 length=4 result=4 data=\"0123\"",
    "write fd=4 path=$R/dst offset=10 length=3 result=3 data=\"456\"",
    "write fd=4 path=$R/dst offset=4 length=2 result=2 data=\"89\"",
    "write fd=4 path=$R/dst offset=6 length=2 result=2 data=\"cd\"",
    "write fd=4 path=$R/dst offset=20 length=5 result=5 data=\"pipe!\"",
    "write fd=4 path=$R/dst offset=8 length=2 result=2 data=\"xy\"",
    "write fd=4 path=$R/dst offset=10 length=1 result=1 data=\"W\"",
    "close fd=4 path=$R/dst result=0",
    "close fd=3 path=$R/src result=0",
};

TEST(ShimCallsTest, InKernelCopiesRecordTheBytesThatLanded) {
  Sandbox sandbox("copies");
  RunResult run = RunProgram(sandbox, "prog_copies", {sandbox.root(), sandbox.outside()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(DescribeAll(LoadTrace(sandbox)), kExpectedCopies);
  Sandbox plain("copies_plain");
  RunOptions no_shim;
  no_shim.preload = false;
  RunResult without = RunProgram(plain, "prog_copies", {plain.root(), plain.outside()}, no_shim);
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(run.out, without.out);
  EXPECT_EQ(TreeContents(sandbox.root()), TreeContents(plain.root()));
  EXPECT_EQ(TreeContents(sandbox.outside()), TreeContents(plain.outside()));
}

// prog_sync: open flags carry O_DSYNC / O_SYNC / the lone __O_SYNC bit for the
// loader; pwritev2's RWF flags are in the write's flags; fcntl(F_SETFL) is not
// recorded (Linux cannot set O_SYNC with it). Shared mappings record only the
// pages that changed since mmap or the last record of them (data shown up to
// 8 bytes), as writes with no descriptor, before each msync of the range; a
// page changed before munmap or still mapped at exit is recorded then; a
// mapping past its file's end records only the bytes inside the file.
const std::vector<std::string> kExpectedSync = {
    "open path=$R/dsync flags=0x1241 mode=0644 result=3",
    "write fd=3 path=$R/dsync offset=0 length=6 result=6 data=\"commit\"",
    "dup fd=3 path=$R/dsync result=4",
    "write fd=4 path=$R/dsync offset=0 length=4 result=4 data=\"+dup\"",
    "write fd=3 path=$R/dsync offset=10 length=5 result=5 data=\"child\"",
    "close fd=4 path=$R/dsync result=0",
    "close fd=3 path=$R/dsync result=0",
    "open path=$R/osync flags=0x101242 mode=0644 result=3",
    "write fd=3 path=$R/osync offset=0 length=4 result=4 data=\"full\"",
    "truncate fd=3 path=$R/osync offset=2 length=0 result=0",
    "fallocate fd=3 path=$R/osync offset=0 length=8 result=0",
    "close fd=3 path=$R/osync result=0",
    "open path=$R/gsync flags=0x100241 mode=0644 result=3",
    "write fd=3 path=$R/gsync offset=0 length=1 result=1 data=\"g\"",
    "close fd=3 path=$R/gsync result=0",
    "open path=$R/plain flags=0x241 mode=0644 result=3",
    "write fd=3 path=$R/plain flags=0x2 offset=0 length=3 result=3 data=\"rwf\"",
    "write fd=3 path=$R/plain flags=0x4 offset=3 length=3 result=3 data=\"rwf\"",
    "write fd=3 path=$R/plain flags=0x2 offset=6 length=3 result=3 data=\"rwf\"",
    "write fd=3 path=$R/plain offset=9 length=1 result=1 data=\"x\"",
    "close fd=3 path=$R/plain result=0",
    "open path=$R/big flags=0x242 mode=0644 result=3",
    "truncate fd=3 path=$R/big offset=1048576 length=0 result=0",
    "close fd=3 path=$R/big result=0",
    "write path=$R/big offset=20480 length=4096 result=4096 data=\"five\\x00\\x00\\x00\\x00\"...",
    "write path=$R/big offset=819200 length=4096 result=4096 "
    "data=\"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"...",
    "msync fd=3 path=$R/big flags=0x4 offset=0 length=1048576 result=0",
    "msync fd=3 path=$R/big flags=0x4 offset=0 length=1048576 result=0",
    "write path=$R/big offset=28672 length=8192 result=8192 data=\"seven\\x00\\x00\\x00\"...",
    "msync fd=3 path=$R/big flags=0x1 offset=24576 length=16384 result=0",
    "write path=$R/big offset=36864 length=4096 result=4096 data=\"nine\\x00\\x00\\x00\\x00\"...",
    "open path=$R/short flags=0x242 mode=0644 result=3",
    "truncate fd=3 path=$R/short offset=100 length=0 result=0",
    "close fd=3 path=$R/short result=0",
    "write path=$R/short offset=0 length=100 result=100 "
    "data=\"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"...",
    "msync fd=3 path=$R/short flags=0x4 offset=0 length=8192 result=0",
    "open path=$R/atexit flags=0x242 mode=0644 result=3",
    "truncate fd=3 path=$R/atexit offset=4096 length=0 result=0",
    "close fd=3 path=$R/atexit result=0",
    "write path=$R/atexit offset=0 length=4096 result=4096 data=\"left map\"...",
};

TEST(ShimCallsTest, RecordsSynchronousIoAndOnlyTheChangedMappedPages) {
  Sandbox sandbox("sync");
  RunResult run = RunWithRootAndOutside(sandbox, "prog_sync");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Trace trace = LoadTrace(sandbox);
  EXPECT_EQ(DescribeAll(trace, 8), kExpectedSync);
  // The pages recorded from the 1 MiB mapping hold what the file holds.
  std::map<std::string, std::string> files = TreeContents(sandbox.root());
  ASSERT_EQ(files["big"].size(), 1u << 20);
  for (const TraceEntry& e : trace.entries) {
    if (e.kind != kTraceWrite || e.fd != -1 || e.path != sandbox.root() + "/big") continue;
    EXPECT_EQ(e.data, files["big"].substr(e.offset, e.data.size())) << "offset " << e.offset;
  }
  EXPECT_EQ(files["short"].substr(90, 4), "tail");
  Sandbox plain("sync_plain");
  RunResult without = RunWithRootAndOutside(plain, "prog_sync", /*traced=*/false);
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(run.out, without.out);
  EXPECT_EQ(files, TreeContents(plain.root()));
}

TEST(ShimCallsTest, ProgramSeesTheSameResultsErrnoAndFiles) {
  Sandbox traced("calls_traced");
  Sandbox plain("calls_plain");
  RunResult with = RunProgram(traced, "prog_calls", {traced.root(), traced.outside()});
  RunOptions no_shim;
  no_shim.preload = false;
  RunResult without = RunProgram(plain, "prog_calls", {plain.root(), plain.outside()}, no_shim);
  ASSERT_EQ(with.exit_code, 0) << with.err;
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(with.out, without.out);  // every call's return value and errno
  EXPECT_NE(with.out.find("open(\"missing\", O_RDONLY) -> -1 errno=2"), std::string::npos);
  EXPECT_EQ(TreeContents(traced.root()), TreeContents(plain.root()));
  EXPECT_EQ(TreeContents(traced.outside()), TreeContents(plain.outside()));
}

TEST(ShimCallsTest, WithoutRootThePreloadedShimRecordsNothing) {
  Sandbox sandbox("calls_noroot");
  RunOptions options;
  options.preload = false;
  RunResult run = RunProgram(sandbox, "prog_calls", {sandbox.root(), sandbox.outside()}, options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(std::filesystem::exists(sandbox.trace_file()));
}

}  // namespace
}  // namespace powercut::shim::testing
