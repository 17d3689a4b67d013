// Tests of replay files: everything a replay needs survives a round trip
// (including binary data and empty fields), and a damaged file is refused
// with its name and the byte offset.
#include "replay_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "image.h"
#include "trace_format.h"

namespace powercut::blackbox {
namespace {

ReplayCase SampleCase() {
  ReplayCase replay;
  replay.root = "/tmp/root";
  replay.check_command = "sh -c 'cat f'\nsecond line";
  replay.timeout_seconds = 12.5;
  replay.id = faultfs::CrashStateId::Parse("reorder@2:1.0").value();
  replay.initial = {{"k", "v"}, {"j", "w"}};
  replay.image.directories = {"/d"};
  replay.image.files = {{"/d/f", std::string("bin\0ary\n", 8)}, {"/empty", ""}};
  replay.trace.root = "/tmp/root";
  shim::TraceEntry entry;
  entry.seq = 7;
  entry.kind = kTraceWrite;
  entry.flag_bits = kTraceFailed;
  entry.pid = 42;
  entry.tid = 43;
  entry.fd = 5;
  entry.result = -1;
  entry.err = 28;
  entry.flags = 0x41;
  entry.mode = 0644;
  entry.offset = 1ull << 40;
  entry.length = 9;
  entry.path = "/tmp/root/d/f";
  entry.data = std::string("\0\n\xff", 3);
  replay.trace.entries = {entry, shim::TraceEntry{}};
  return replay;
}

TEST(ReplayFileTest, RoundTrip) {
  Result<std::string> dir = MakeTempDirectory();
  ASSERT_TRUE(dir.ok());
  const std::string path = *dir + "/sub/case.replay";
  const ReplayCase written = SampleCase();
  ASSERT_TRUE(WriteReplayFile(path, written).ok());
  Result<ReplayCase> read = ReadReplayFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->root, written.root);
  EXPECT_EQ(read->check_command, written.check_command);
  EXPECT_DOUBLE_EQ(read->timeout_seconds, 12.5);
  EXPECT_EQ(read->id, written.id);
  EXPECT_EQ(read->initial, written.initial);
  EXPECT_EQ(read->image.directories, written.image.directories);
  EXPECT_EQ(read->image.files, written.image.files);
  EXPECT_EQ(read->trace.root, written.trace.root);
  ASSERT_EQ(read->trace.entries.size(), 2u);
  const shim::TraceEntry& a = read->trace.entries[0];
  const shim::TraceEntry& b = written.trace.entries[0];
  EXPECT_EQ(std::tie(a.seq, a.kind, a.flag_bits, a.pid, a.tid, a.fd, a.result, a.err, a.flags,
                     a.mode, a.offset, a.length, a.path, a.path2, a.data),
            std::tie(b.seq, b.kind, b.flag_bits, b.pid, b.tid, b.fd, b.result, b.err, b.flags,
                     b.mode, b.offset, b.length, b.path, b.path2, b.data));
  EXPECT_EQ(read->trace.entries[1].fd, -1);
  ASSERT_TRUE(RemoveTree(*dir).ok());
}

TEST(ReplayFileTest, DamagedFilesAreRefusedWithOffset) {
  Result<std::string> dir = MakeTempDirectory();
  ASSERT_TRUE(dir.ok());
  const std::string path = *dir + "/case.replay";
  ASSERT_TRUE(WriteReplayFile(path, SampleCase()).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto write = [&](const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  };
  write(bytes.substr(0, bytes.size() - 3));  // cut inside the last field
  Result<ReplayCase> cut = ReadReplayFile(path);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find(path + ": byte offset"), std::string::npos)
      << cut.status().message();
  write("not a replay file\n");
  EXPECT_NE(ReadReplayFile(path).status().message().find("not a powercut blackbox replay"),
            std::string::npos);
  EXPECT_FALSE(ReadReplayFile(*dir + "/missing").ok());
  ASSERT_TRUE(RemoveTree(*dir).ok());
}

// A header of fields up to `timeout`, in the format WriteReplayFile writes.
std::string Head(std::string_view timeout) {
  std::string text = "powercut-blackbox-replay 1\nroot 1\n/\ncheck 4\ntrue\ntimeout ";
  text += std::to_string(timeout.size()) + "\n" + std::string(timeout) + "\n";
  return text;
}

// Lengths near 2^64 used to wrap the bounds check (newline + 1 + length + 1)
// and the reader then read far outside the buffer (ASan: heap-buffer-overflow
// in FieldReader::Next); a header without a newline did pointer arithmetic
// on npos.
TEST(ReplayFileTest, HugeLengthsAndCutHeadersAreRefusedWithoutReadingOutside) {
  for (const std::string& bytes : {
           // newline + 1 + length + 1 == 2^64: the old check passed and
           // bytes_[2^64 - 1] was read (ASan: heap-buffer-overflow, Next).
           std::string("powercut-blackbox-replay 1\nroot 18446744073709551562\nx\n"),
           std::string("powercut-blackbox-replay 1\nroot 18446744073709551615\nx\n"),
           std::string("powercut-blackbox-replay 1\nroot 18446744073709551614\nx\n"),
           std::string("powercut-blackbox-replay 1\nroot 18446744073709551616\nx\n"),
           std::string("powercut-blackbox-replay 1\nroot 99"),
           std::string("powercut-blackbox-replay 1\nroot 2\nx\n"),
       }) {
    Result<ReplayCase> parsed = ParseReplayFile(bytes, "r");
    ASSERT_FALSE(parsed.ok()) << bytes;
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    EXPECT_NE(parsed.status().message().find("r: byte offset 27: "), std::string::npos)
        << parsed.status().message();
  }
  Result<ReplayCase> parsed =
      ParseReplayFile("powercut-blackbox-replay 1\nroot 18446744073709551616\nx\n", "r");
  EXPECT_NE(parsed.status().message().find("overflows: the maximum is 18446744073709551615"),
            std::string::npos)
      << parsed.status().message();
}

// A length that wrapped the old position back onto its own field made the
// reader loop forever, adding a directory each time (found while checking
// the fix: the old reader never returned on this file).
TEST(ReplayFileTest, LengthThatWrapsBackIsRefusedNotLoopedOn) {
  const std::string head =
      Head("1") + "state 12\npower-loss@3\n";
  const uint64_t length = (uint64_t{0} - (head.size() + 4 + 20 + 2)) + head.size();
  const std::string bytes = head + "dir " + std::to_string(length) + "\nzz\n";
  ASSERT_EQ(std::to_string(length).size(), 20u);
  Result<ReplayCase> parsed = ParseReplayFile(bytes, "r");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("r: byte offset " + std::to_string(head.size())),
            std::string::npos)
      << parsed.status().message();
}

TEST(ReplayFileTest, CheckerTimeoutMustBeAFiniteNumberOfSeconds) {
  const std::string rest = "state 12\npower-loss@3\n";
  ASSERT_TRUE(ParseReplayFile(Head("12.5") + rest, "r").ok());
  ASSERT_TRUE(ParseReplayFile(Head("0") + rest, "r").ok());
  for (std::string_view timeout : {"nan", "-5", "inf", "-inf", "", "5s", "1e300", "86401"}) {
    Result<ReplayCase> parsed = ParseReplayFile(Head(timeout) + rest, "r");
    ASSERT_FALSE(parsed.ok()) << timeout;
    EXPECT_NE(parsed.status().message().find("bad checker timeout '" + std::string(timeout) + "'"),
              std::string::npos)
        << parsed.status().message();
  }
}

TEST(ReplayFileTest, BinaryBytesInErrorsAreEscaped) {
  Result<ReplayCase> parsed =
      ParseReplayFile("powercut-blackbox-replay 1\n\x1b[2J\xff 1\nx\n", "r");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("found '\\x1b[2J\\xff'"), std::string::npos)
      << parsed.status().message();
  for (char c : parsed.status().message()) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
}

}  // namespace
}  // namespace powercut::blackbox
