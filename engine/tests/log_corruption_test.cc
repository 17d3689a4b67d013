// Tests of LogReader on damaged logs: a flipped byte in record k of n
// (kCorruption at the record's offset, then the later records), zero-filled
// holes, hand-crafted bad lengths, types and fragment orders, and rapidcheck
// properties: arbitrary bytes never crash the reader, and a valid log with
// arbitrary damage yields only records that were really written, in order.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "log_test_util.h"

namespace powercut::engine::log_test {
namespace {

// --- Mid-log corruption ---

// Flips each byte of each record but the last, in a log of small records:
// the damage is reported at the record's offset and ends where the next
// record begins; every other record comes back.
TEST_F(LogTest, FlippedByteInRecordKOfNIsCorruptionFollowedByTheLaterRecords) {
  const std::vector<std::string> records = {Payload(30, 1), "", Payload(45, 2), Payload(9, 3),
                                            Payload(64, 4)};
  const std::vector<uint64_t> offsets = Write(records);
  const std::string full = Contents();
  for (size_t k = 0; k + 1 < records.size(); ++k) {
    for (uint64_t at = offsets[k]; at < offsets[k + 1]; ++at) {
      SCOPED_TRACE("record " + std::to_string(k) + " byte " + std::to_string(at));
      std::string damaged = full;
      damaged[at] ^= 0x01;
      SetContents(damaged);
      ReadLog log = Read();
      std::vector<std::string> expected = records;
      expected.erase(expected.begin() + static_cast<std::ptrdiff_t>(k));
      EXPECT_EQ(log.records, expected);
      ASSERT_EQ(log.damages.size(), 1u);
      EXPECT_EQ(log.damages[0].offset, offsets[k]);
      EXPECT_EQ(log.damages[0].bytes, offsets[k + 1] - offsets[k]);
      EXPECT_FALSE(log.damages[0].reason.empty());
      EXPECT_EQ(log.events, std::string(k, 'R') + "C" + std::string(records.size() - k - 1, 'R'));
      EXPECT_FALSE(log.torn_tail);
    }
  }
}

TEST_F(LogTest, DamageInsideAMultiBlockRecordReportsTheWholeRecord) {
  const std::vector<std::string> records = {Payload(1000, 1), Payload(3 * kBlockSize, 2),
                                            Payload(77, 3)};
  const std::vector<uint64_t> offsets = Write(records);
  const std::string full = Contents();
  // Bytes in the FIRST header and payload, the MIDDLE header and payload, the LAST.
  const std::vector<uint64_t> targets = {offsets[1],           offsets[1] + 5,     offsets[1] + 6,
                                         offsets[1] + 500,     kBlockSize,         kBlockSize + 4,
                                         2 * kBlockSize + 100, 3 * kBlockSize + 6, offsets[2] - 1};
  for (uint64_t at : targets) {
    SCOPED_TRACE(at);
    std::string damaged = full;
    damaged[at] ^= 0x80;
    SetContents(damaged);
    ReadLog log = Read();
    EXPECT_EQ(log.records, (std::vector<std::string>{records[0], records[2]}));
    EXPECT_EQ(log.events, "RCR");
    ASSERT_EQ(log.damages.size(), 1u);
    EXPECT_EQ(log.damages[0].offset, offsets[1]);
    EXPECT_EQ(log.damages[0].offset + log.damages[0].bytes, offsets[2]);
  }
}

TEST_F(LogTest, ZeroFilledHoleFollowedByARecordIsCorruption) {
  const std::vector<std::string> records = {Payload(10, 1), Payload(2000, 2), Payload(30, 3)};
  const std::vector<uint64_t> offsets = Write(records);
  std::string file = Contents();
  std::fill(file.begin() + static_cast<std::ptrdiff_t>(offsets[1]),
            file.begin() + static_cast<std::ptrdiff_t>(offsets[2]), '\0');
  SetContents(file);
  ReadLog log = Read();
  EXPECT_EQ(log.events, "RCR");
  ASSERT_EQ(log.damages.size(), 1u);
  EXPECT_EQ(log.damages[0].offset, offsets[1]);
  EXPECT_EQ(log.damages[0].bytes, offsets[2] - offsets[1]);
  EXPECT_EQ(log.damages[0].reason, "zero-filled region");
}

// --- Hand-crafted bad headers and fragments ---

TEST_F(LogTest, BadLengthsAndTypesAreNamedAndNeverCrash) {
  struct Case {
    std::string bytes;
    std::string reason;
  };
  std::string long_length = Physical(log::kFullType, "abc");
  long_length[4] = static_cast<char>(40000 & 0xff);
  long_length[5] = static_cast<char>(40000 >> 8);
  std::string bad_type = Physical(log::kFullType, "abc");
  bad_type[6] = 9;
  std::string past_file = Physical(log::kFullType, "abcdef").substr(0, kHeaderSize + 2);
  std::string bad_crc = Physical(log::kFullType, "abc");
  bad_crc[0] ^= 1;
  const std::vector<Case> cases = {
      {long_length, "record length 40000 runs past the block"},
      {bad_type, "bad record type 9"},
      {past_file, "record length 6 runs past the end of the file"},
      {bad_crc, "checksum mismatch"},
      {std::string("\x01\x02\x03", 3), "truncated header: 3 bytes at the end of the file"},
      {std::string(kHeaderSize, '\0'), "zero-filled region"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    // As a tail: torn. Followed by a valid record: corruption.
    SetContents(Physical(log::kFullType, "ok") + c.bytes);
    ReadLog tail = Read();
    EXPECT_EQ(tail.records, std::vector<std::string>{"ok"});
    EXPECT_TRUE(tail.torn_tail);
    EXPECT_EQ(tail.torn_tail_reason, c.reason);
    EXPECT_EQ(tail.torn_tail_offset, kHeaderSize + 2);

    if (c.reason.find("end of the file") != std::string::npos) continue;
    SetContents(c.bytes + Physical(log::kFullType, "after"));
    ReadLog middle = Read();
    EXPECT_EQ(middle.records, std::vector<std::string>{"after"});
    ASSERT_EQ(middle.damages.size(), 1u);
    EXPECT_EQ(middle.damages[0].reason, c.reason);
    EXPECT_EQ(middle.damages[0].offset, 0u);
    EXPECT_EQ(middle.damages[0].bytes, c.bytes.size());
  }
}

TEST_F(LogTest, MiddleOrLastWithoutFirstIsMissingStart) {
  for (log::RecordType orphan : {log::kMiddleType, log::kLastType}) {
    SCOPED_TRACE(static_cast<int>(orphan));
    std::string file = Physical(orphan, Payload(kBlockSize - kHeaderSize, 1));
    file += Physical(log::kFullType, "whole");
    SetContents(file);
    ReadLog log = Read();
    EXPECT_EQ(log.records, std::vector<std::string>{"whole"});
    ASSERT_EQ(log.damages.size(), 1u);
    EXPECT_EQ(log.damages[0].offset, 0u);
    EXPECT_EQ(log.damages[0].bytes, kBlockSize);
    EXPECT_NE(log.damages[0].reason.find("missing start of fragmented record"), std::string::npos)
        << log.damages[0].reason;
  }
}

TEST_F(LogTest, FirstInsideAFirstDropsTheInterruptedRecord) {
  const std::string a = Payload(kBlockSize - kHeaderSize, 1);
  const std::string b = Payload(kBlockSize - kHeaderSize, 2);
  std::string file = Physical(log::kFirstType, a);  // never finished
  file += Physical(log::kFirstType, b);             // block 1
  file += Physical(log::kLastType, "end");          // block 2
  SetContents(file);
  ReadLog log = Read();
  EXPECT_EQ(log.records, std::vector<std::string>{b + "end"});
  ASSERT_EQ(log.damages.size(), 1u);
  EXPECT_EQ(log.damages[0].offset, 0u);
  EXPECT_EQ(log.damages[0].bytes, kBlockSize);
  EXPECT_NE(log.damages[0].reason.find("interrupted by a FIRST fragment"), std::string::npos)
      << log.damages[0].reason;
  EXPECT_EQ(log.offsets, std::vector<uint64_t>{kBlockSize});
  EXPECT_EQ(log.ends, std::vector<uint64_t>{file.size()});
}

TEST_F(LogTest, FirstThatDoesNotFillItsBlockIsRejected) {
  SetContents(Physical(log::kFirstType, "short") + Physical(log::kLastType, "x"));
  ReadLog log = Read();
  EXPECT_TRUE(log.records.empty());
  EXPECT_TRUE(log.torn_tail);
  EXPECT_EQ(log.torn_tail_reason, "FIRST fragment ends before the block boundary");
}

TEST_F(LogTest, ManyEmptyRecordsAreValid) {
  const std::vector<std::string> records(kBlockSize / kHeaderSize + 10, "");
  Write(records);
  ReadLog log = Read();
  EXPECT_EQ(log.records, records);
  EXPECT_FALSE(log.torn_tail);
}

// --- Properties ---

RC_GTEST_PROP(LogProperty, ArbitraryBytesNeverCrashAndReportConsistentRegions,
              (const std::vector<char>& bytes)) {
  MemoryFs fs;
  fs.SetContents(kPath, std::string_view(bytes.data(), bytes.size()));
  LogReader reader(&fs, kPath);
  std::string record;
  uint64_t position = 0;
  while (true) {
    Result<LogReader::Event> event = reader.Next(&record);
    RC_ASSERT(event.ok());
    if (*event == LogReader::Event::kEnd) break;
    if (*event == LogReader::Event::kRecord) {
      RC_ASSERT(reader.record_offset() >= position);
      RC_ASSERT(reader.record_end() <= bytes.size());
      RC_ASSERT(reader.record_end() - reader.record_offset() >= kHeaderSize + record.size());
      position = reader.record_end();
    } else {
      RC_ASSERT(reader.damage_offset() >= position);
      RC_ASSERT(reader.damage_bytes() > 0);
      position = reader.damage_offset() + reader.damage_bytes();
      RC_ASSERT(position < bytes.size());
    }
  }
  if (reader.torn_tail()) {
    RC_ASSERT(reader.torn_tail_offset() >= position);
    RC_ASSERT(reader.torn_tail_offset() + reader.torn_tail_bytes() == bytes.size());
  }
}

// A damage applied to a valid log: flip a byte, zero a range, cut the file,
// or insert junk.
struct LogDamage {
  int kind;
  size_t where;
  size_t length;
  uint8_t byte;
};

std::string ApplyDamage(std::string file, const LogDamage& d) {
  if (file.empty()) return file;
  const size_t at = d.where % file.size();
  const size_t length = std::min(d.length, file.size() - at);
  switch (d.kind % 4) {
    case 0:
      file[at] = static_cast<char>(file[at] ^ (d.byte | 1));
      break;
    case 1:
      std::fill(file.begin() + static_cast<std::ptrdiff_t>(at),
                file.begin() + static_cast<std::ptrdiff_t>(at + length), '\0');
      break;
    case 2:
      file.resize(at);
      break;
    default:
      file.insert(at, std::string(length % 64 + 1, static_cast<char>(d.byte)));
      break;
  }
  return file;
}

RC_GTEST_PROP(LogProperty, DamagedValidLogReturnsOnlyWrittenRecordsInOrder, ()) {
  const auto sizes = *rc::gen::container<std::vector<size_t>>(rc::gen::oneOf(
      rc::gen::inRange<size_t>(0, 200), rc::gen::inRange<size_t>(0, 3 * kBlockSize)));
  std::vector<std::string> records;
  for (size_t i = 0; i < std::min<size_t>(sizes.size(), 8); ++i) {
    records.push_back(Payload(sizes[i], static_cast<uint32_t>(i) + 1));
  }
  MemoryFs fs;
  {
    auto file = fs.Open(kPath, faultfs::OpenOptions::ReadWriteCreate());
    RC_ASSERT(file.ok());
    LogWriter writer(&fs, *file, kPath);
    for (const std::string& r : records) RC_ASSERT(writer.AddRecord(r).ok());
  }
  std::string file = fs.Contents(kPath);
  const auto damages = *rc::gen::container<std::vector<LogDamage>>(rc::gen::construct<LogDamage>(
      rc::gen::inRange(0, 4), rc::gen::arbitrary<size_t>(), rc::gen::inRange<size_t>(0, 3000),
      rc::gen::arbitrary<uint8_t>()));
  for (size_t i = 0; i < std::min<size_t>(damages.size(), 3); ++i) {
    file = ApplyDamage(file, damages[i]);
  }
  fs.SetContents(kPath, file);

  LogReader reader(&fs, kPath);
  std::string record;
  size_t next_candidate = 0;  // records come back as a subsequence of those written
  while (true) {
    Result<LogReader::Event> event = reader.Next(&record);
    RC_ASSERT(event.ok());
    if (*event == LogReader::Event::kEnd) break;
    if (*event != LogReader::Event::kRecord) continue;
    while (next_candidate < records.size() && records[next_candidate] != record) ++next_candidate;
    RC_ASSERT(next_candidate < records.size());
    ++next_candidate;
  }
}

}  // namespace
}  // namespace powercut::engine::log_test
