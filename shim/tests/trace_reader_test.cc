// Tests of the trace reader against traces built by TraceBuilder: round trip
// of every field, uncommitted records skipped, sorting by seq, and each kind
// of damage reported as Corruption naming the file and offset.
#include "trace_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "trace_writer.h"

extern "C" {
#include "trace_format.h"
}

namespace powercut::shim {
namespace {

TraceEntry Write(int fd, std::string path, uint64_t offset, std::string data) {
  TraceEntry e;
  e.kind = kTraceWrite;
  e.pid = 7;
  e.tid = 8;
  e.fd = fd;
  e.path = std::move(path);
  e.offset = offset;
  e.length = data.size();
  e.result = static_cast<int64_t>(data.size());
  e.data = std::move(data);
  return e;
}

TEST(TraceReaderTest, RoundTripsEveryField) {
  TraceBuilder builder("/r");
  TraceEntry rename;
  rename.kind = kTraceRename;
  rename.path = "/r/a.tmp";
  rename.path2 = "/r/a";
  rename.flags = 1;
  rename.err = 2;
  rename.flag_bits = kTraceFailed;
  rename.result = -1;
  builder.Add(Write(3, "/r/a.tmp", 10, "hello")).Add(rename);
  builder.set_dropped(4);
  auto trace = ParseTrace(builder.Bytes(), "t");
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_EQ(trace->root, "/r");
  EXPECT_EQ(trace->dropped, 4u);
  ASSERT_EQ(trace->entries.size(), 2u);
  const TraceEntry& w = trace->entries[0];
  EXPECT_EQ(w.seq, 1u);
  EXPECT_EQ(w.kind, kTraceWrite);
  EXPECT_EQ(w.pid, 7);
  EXPECT_EQ(w.tid, 8);
  EXPECT_EQ(w.fd, 3);
  EXPECT_EQ(w.path, "/r/a.tmp");
  EXPECT_EQ(w.offset, 10u);
  EXPECT_EQ(w.length, 5u);
  EXPECT_EQ(w.data, "hello");
  const TraceEntry& r = trace->entries[1];
  EXPECT_EQ(r.seq, 2u);
  EXPECT_EQ(r.path2, "/r/a");
  EXPECT_EQ(r.flags, 1u);
  EXPECT_EQ(r.err, 2);
  EXPECT_EQ(r.result, -1);
  EXPECT_EQ(r.flag_bits, kTraceFailed);
  EXPECT_EQ(FormatTraceEntry(w),
            "seq=1 pid=7 tid=8 write fd=3 path=/r/a.tmp offset=10 length=5 result=5 "
            "data=\"hello\"");
}

TEST(TraceReaderTest, SkipsUncommittedAndSortsBySeq) {
  TraceBuilder builder("/r");
  TraceEntry late = Write(3, "/r/x", 0, "late");
  late.seq = 9;
  TraceEntry early = Write(3, "/r/x", 0, "early");
  early.seq = 2;
  builder.Add(late).AddUncommitted(Write(3, "/r/x", 0, "lost")).Add(early);
  auto trace = ParseTrace(builder.Bytes(), "t");
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  EXPECT_EQ(trace->skipped_uncommitted, 1u);
  ASSERT_EQ(trace->entries.size(), 2u);
  EXPECT_EQ(trace->entries[0].data, "early");
  EXPECT_EQ(trace->entries[1].data, "late");
}

// Returns the Corruption message for `bytes`, or "" when it parsed.
std::string ErrorOf(const std::string& bytes) {
  auto trace = ParseTrace(bytes, "bad.trace");
  if (trace.ok()) return "";
  EXPECT_TRUE(trace.status().IsCorruption()) << trace.status().ToString();
  return trace.status().message();
}

TEST(TraceReaderTest, ReportsDamageWithFileAndOffset) {
  TraceBuilder builder("/r");
  builder.Add(Write(3, "/r/x", 0, "abc"));
  const std::string good = builder.Bytes();
  EXPECT_EQ(ErrorOf(good), "");

  EXPECT_NE(ErrorOf(good.substr(0, 100)).find("bad.trace: offset 100: file too short"),
            std::string::npos);
  std::string magic = good;
  magic[0] = 'X';
  EXPECT_NE(ErrorOf(magic).find("offset 0: bad magic"), std::string::npos);
  std::string version = good;
  version[8] = 2;
  EXPECT_NE(ErrorOf(version).find("offset 8: unsupported version 2"), std::string::npos);
  std::string kind = good;
  kind[4096 + offsetof(TraceRecord, kind)] = 99;
  EXPECT_NE(ErrorOf(kind).find("offset 4112: unknown record kind 99"), std::string::npos);
  std::string size = good;
  size[4096] = 3;  // bytes = 3
  EXPECT_NE(ErrorOf(size).find("offset 4096: record size 3"), std::string::npos);
  std::string lengths = good;
  lengths[4096 + offsetof(TraceRecord, data_len)] = 50;
  EXPECT_NE(ErrorOf(lengths).find("does not match its lengths"), std::string::npos);
}

// A write whose path was omitted (kTracePathOfFd) by the shim.
TraceEntry WriteOnFd(int32_t pid, int fd, uint64_t offset, std::string data) {
  TraceEntry e = Write(fd, "", offset, std::move(data));
  e.pid = pid;
  e.flag_bits = kTracePathOfFd;
  return e;
}

TEST(TraceReaderTest, FillsOmittedPathsFromTheSamePidAndDescriptor) {
  TraceBuilder builder("/r");
  TraceEntry other_pid = Write(3, "/r/b", 0, "b");
  other_pid.pid = 9;
  builder.Add(Write(3, "/r/a", 0, "x"))
      .Add(other_pid)
      .Add(WriteOnFd(7, 3, 1, "y"))  // pid 7's fd 3 is /r/a, not pid 9's /r/b
      .Add(WriteOnFd(9, 3, 1, "c"))
      .Add(Write(3, "/r/c", 0, "z"))  // fd 3 of pid 7 now names /r/c
      .Add(WriteOnFd(7, 3, 1, "w"));
  auto trace = ParseTrace(builder.Bytes(), "t");
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  std::vector<std::string> paths;
  for (const TraceEntry& e : trace->entries) {
    paths.push_back(e.path);
    EXPECT_EQ(e.flag_bits, 0) << FormatTraceEntry(e);  // the bit is cleared
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/r/a", "/r/b", "/r/a", "/r/b", "/r/c", "/r/c"}));
}

TEST(TraceReaderTest, OmittedPathWithoutAnEarlierWriteIsCorruption) {
  TraceBuilder orphan("/r");
  orphan.Add(Write(4, "/r/a", 0, "x")).Add(WriteOnFd(7, 3, 1, "y"));
  EXPECT_NE(
      ErrorOf(orphan.Bytes()).find("record seq 2: path-of-fd write (pid 7, fd 3) follows no write"),
      std::string::npos);
  TraceBuilder both("/r");
  TraceEntry with_path = WriteOnFd(7, 3, 1, "y");
  with_path.path = "/r/a";
  both.Add(Write(3, "/r/a", 0, "x")).Add(with_path);
  EXPECT_NE(ErrorOf(both.Bytes()).find("carries a path"), std::string::npos);
}

TEST(TraceReaderTest, DuplicateSeqIsCorruption) {
  TraceBuilder builder("/r");
  TraceEntry a = Write(3, "/r/x", 0, "a");
  a.seq = 5;
  builder.Add(a).Add(a);
  EXPECT_NE(ErrorOf(builder.Bytes()).find("sequence number 5 appears twice"), std::string::npos);
}

TEST(TraceReaderTest, ReadTraceNamesMissingFile) {
  auto trace = ReadTrace("/nonexistent/powercut.trace");
  ASSERT_FALSE(trace.ok());
  EXPECT_TRUE(trace.status().IsNotFound());
  EXPECT_NE(trace.status().message().find("/nonexistent/powercut.trace"), std::string::npos);
}

TEST(TraceReaderTest, ReadTraceFromFile) {
  std::string file = ::testing::TempDir() + "/reader_test.trace";
  TraceBuilder builder("/root");
  builder.Add(Write(4, "/root/f", 3, "xyz"));
  ASSERT_TRUE(builder.WriteTo(file).ok());
  auto trace = ReadTrace(file);
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  ASSERT_EQ(trace->entries.size(), 1u);
  EXPECT_EQ(trace->entries[0].data, "xyz");
  EXPECT_EQ(trace->entries[0].offset, 3u);
}

}  // namespace
}  // namespace powercut::shim
