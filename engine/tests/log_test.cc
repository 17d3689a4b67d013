// Tests of the log format's normal paths: LogWriter's fragmentation and
// block layout (every record size class, trailers, resuming a file), its
// handling of short and failed appends, and LogReader's torn-tail outcome
// under truncation at every byte, zero-filled tails and a damaged last
// record. Mid-log corruption and arbitrary damage: log_corruption_test.cc.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "log_test_util.h"

namespace powercut::engine::log_test {
namespace {

// --- Writer layout and round trips ---

TEST_F(LogTest, EmptyFileEndsCleanly) {
  SetContents("");
  ReadLog log = Read();
  EXPECT_TRUE(log.records.empty());
  EXPECT_FALSE(log.torn_tail);
  EXPECT_EQ(log.valid_end, 0u);
}

TEST_F(LogTest, MissingFileIsAnErrorNotAnEmptyLog) {
  LogReader reader(&fs_, "/nope.log");
  std::string record;
  Result<LogReader::Event> event = reader.Next(&record);
  ASSERT_FALSE(event.ok());
  EXPECT_TRUE(event.status().IsNotFound()) << event.status().ToString();
}

TEST_F(LogTest, RecordsOfEverySizeClassRoundTrip) {
  const std::string small = Payload(100, 1);
  // Fills the rest of block 0 exactly: the records before took 7 + 107 bytes.
  const std::string fills_block = Payload(kBlockSize - 2 * kHeaderSize - 100 - kHeaderSize, 2);
  const std::string one_block = Payload(kBlockSize - kHeaderSize, 3);
  const std::string three_blocks = Payload(2 * kBlockSize + 500, 4);
  const std::string huge = Payload((1 << 20) + 17, 5);
  const std::vector<std::string> records = {"", small,        fills_block, one_block,
                                            "", three_blocks, huge,        ""};
  const std::vector<uint64_t> offsets = Write(records);
  EXPECT_EQ(offsets[3], kBlockSize) << "a record filling its block leaves no trailer";
  EXPECT_EQ(offsets[4], 2 * kBlockSize) << "a kBlockSize - kHeaderSize record fills one block";

  ReadLog log = Read();
  ASSERT_EQ(log.records.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(log.records[i], records[i]) << i;
    EXPECT_EQ(log.offsets[i], offsets[i]) << i;
  }
  EXPECT_EQ(log.events, std::string(records.size(), 'R'));
  EXPECT_FALSE(log.torn_tail);
  EXPECT_EQ(log.valid_end, Contents().size());
}

TEST_F(LogTest, FragmentTypesFollowFirstMiddleLast) {
  Write({Payload(2 * kBlockSize + 10, 7)});
  const std::string file = Contents();
  ASSERT_EQ(file.size(), 2 * kBlockSize + 10 + 3 * kHeaderSize);
  EXPECT_EQ(file[log::kTypeOffset], log::kFirstType);
  EXPECT_EQ(file[kBlockSize + log::kTypeOffset], log::kMiddleType);
  EXPECT_EQ(file[2 * kBlockSize + log::kTypeOffset], log::kLastType);
}

TEST_F(LogTest, HeaderThatWouldLandInTheLastSixBytesOfABlockIsPaddedAndSkipped) {
  for (size_t leftover = 0; leftover <= kHeaderSize; ++leftover) {
    SCOPED_TRACE(leftover);
    SetContents("");
    const std::string first = Payload(kBlockSize - kHeaderSize - leftover, 11);
    const std::vector<uint64_t> offsets = Write({first, "next", Payload(50, 12)});
    const std::string file = Contents();
    if (leftover < kHeaderSize) {
      EXPECT_EQ(offsets[1], kBlockSize) << "the trailer is skipped";
      EXPECT_EQ(file.substr(kBlockSize - leftover, leftover), std::string(leftover, '\0'));
    } else {
      EXPECT_EQ(offsets[1], kBlockSize - kHeaderSize) << "a zero-length fragment still fits";
    }
    ReadLog log = Read();
    EXPECT_EQ(log.records, (std::vector<std::string>{first, "next", Payload(50, 12)}));
    EXPECT_FALSE(log.torn_tail);
  }
}

TEST_F(LogTest, WriterResumesTheBlockLayoutOfAnExistingFile) {
  Write({Payload(kBlockSize - 20, 1)});
  Write({Payload(3000, 2), ""});  // a second writer, with initial_size = file size
  ReadLog log = Read();
  EXPECT_EQ(log.records,
            (std::vector<std::string>{Payload(kBlockSize - 20, 1), Payload(3000, 2), ""}));
  EXPECT_FALSE(log.torn_tail);
}

TEST_F(LogTest, ShortAppendsAreRetriedUntilEveryByteIsWritten) {
  const std::vector<std::string> records = {Payload(10, 1), Payload(kBlockSize + 3, 2), ""};
  Write(records);
  const std::string expected = Contents();
  SetContents("");
  fs_.SetAppendLimit(5);
  Write(records);
  EXPECT_EQ(Contents(), expected);
  EXPECT_GT(fs_.append_calls(), 1000) << "the limit really produced short counts";
}

TEST_F(LogTest, AppendErrorIsReturnedAsIsAndRefusesLaterRecords) {
  auto file = fs_.Open(kPath, faultfs::OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(file.ok());
  LogWriter writer(&fs_, *file, kPath);
  ASSERT_TRUE(writer.AddRecord("first").ok());
  const uint64_t size_before = writer.size();
  fs_.FailAppendsAfter(0);
  const Status failed = writer.AddRecord("second");
  EXPECT_TRUE(failed.IsIOError());
  EXPECT_TRUE(failed.injected()) << "the file system's error comes back unchanged";
  EXPECT_EQ(writer.size(), size_before);

  fs_.FailAppendsAfter(-1);  // the file system works again ...
  const int calls = fs_.append_calls();
  EXPECT_EQ(writer.AddRecord("third"), failed) << "... but the writer still refuses";
  EXPECT_EQ(fs_.append_calls(), calls) << "no append after a failed one";
}

// --- Torn tails ---

TEST_F(LogTest, TornTailAtEveryByteOfTheLastRecordIsCutOff) {
  const std::vector<std::string> records = {Payload(100, 1), Payload(3000, 2), Payload(1500, 3)};
  const std::vector<uint64_t> offsets = Write(records);
  const std::string full = Contents();
  for (size_t cut = offsets[2]; cut < full.size(); ++cut) {
    SetContents(full.substr(0, cut));
    ReadLog log = Read();
    ASSERT_EQ(log.records, std::vector<std::string>(records.begin(), records.begin() + 2)) << cut;
    EXPECT_EQ(log.events, "RR") << cut;
    EXPECT_EQ(log.torn_tail, cut > offsets[2]) << cut;
    if (cut > offsets[2]) {
      EXPECT_EQ(log.torn_tail_offset, offsets[2]) << cut;
      EXPECT_EQ(log.torn_tail_bytes, cut - offsets[2]) << cut;
    }
    EXPECT_EQ(log.valid_end, offsets[2]) << cut;
  }
}

TEST_F(LogTest, TornTailOfAMultiBlockRecordIsCutOffAtEveryBlockEdge) {
  const std::vector<std::string> records = {
      Payload(kBlockSize - kHeaderSize - 3, 1),  // leaves a trailer
      Payload(3 * kBlockSize, 2)};
  const std::vector<uint64_t> offsets = Write(records);
  ASSERT_EQ(offsets[1], kBlockSize);
  const std::string full = Contents();
  // Every cut within 2 headers of each block boundary, and a stride between.
  std::vector<size_t> cuts;
  for (size_t boundary = kBlockSize; boundary < full.size(); boundary += kBlockSize) {
    for (size_t cut = boundary - 2 * kHeaderSize; cut <= boundary + 2 * kHeaderSize; ++cut) {
      cuts.push_back(cut);
    }
  }
  for (size_t cut = offsets[1]; cut < full.size(); cut += 997) cuts.push_back(cut);
  for (size_t cut : cuts) {
    if (cut < offsets[1] - 3 || cut >= full.size()) continue;
    SetContents(full.substr(0, cut));
    ReadLog log = Read();
    ASSERT_EQ(log.records.size(), 1u) << cut;
    EXPECT_EQ(log.records[0], records[0]) << cut;
    EXPECT_EQ(log.events, "R") << cut;
    // A cut inside the trailer drops only padding: not a torn tail.
    EXPECT_EQ(log.torn_tail, cut > offsets[1]) << cut;
    if (log.torn_tail) {
      EXPECT_EQ(log.torn_tail_offset, offsets[1]) << cut;
    }
  }
}

TEST_F(LogTest, ZeroFilledTailIsATornTailNotCorruption) {
  const std::vector<std::string> records = {Payload(10, 1), Payload(20, 2)};
  const std::vector<uint64_t> offsets = Write(records);
  const std::string original = Contents();
  const uint64_t end = original.size();
  ASSERT_EQ(end, offsets[1] + kHeaderSize + 20);
  for (size_t zeros : {size_t{1}, size_t{6}, size_t{7}, size_t{5000}, 3 * kBlockSize}) {
    SCOPED_TRACE(zeros);
    std::string file = original;
    file.append(zeros, '\0');
    SetContents(file);
    ReadLog log = Read();
    EXPECT_EQ(log.records, records);
    EXPECT_EQ(log.events, "RR");
    EXPECT_TRUE(log.torn_tail);
    EXPECT_EQ(log.torn_tail_offset, end);
    EXPECT_EQ(log.torn_tail_bytes, zeros);
    EXPECT_EQ(log.valid_end, end);
  }
}

TEST_F(LogTest, DamagedLastRecordIsATornTailNotCorruption) {
  const std::vector<std::string> records = {Payload(50, 1), Payload(60, 2), Payload(70, 3)};
  const std::vector<uint64_t> offsets = Write(records);
  const std::string full = Contents();
  for (size_t at = offsets[2]; at < full.size(); ++at) {
    std::string damaged = full;
    damaged[at] ^= 0x40;
    SetContents(damaged);
    ReadLog log = Read();
    EXPECT_EQ(log.events, "RR") << at;
    EXPECT_TRUE(log.torn_tail) << at;
    EXPECT_EQ(log.torn_tail_offset, offsets[2]) << at;
  }
}

}  // namespace
}  // namespace powercut::engine::log_test
