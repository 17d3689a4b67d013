// Tests of the log format: LogWriter's fragmentation and block layout, its
// handling of short and failed appends, and LogReader's three outcomes
// (records, mid-log corruption followed by valid records, torn tail) under
// truncation at every byte, zero-filled tails, flipped bytes, hand-crafted bad
// headers and fragments, and arbitrary damage (rapidcheck). Runs on MemoryFs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "coding.h"
#include "crc32c.h"
#include "log_format.h"
#include "log_reader.h"
#include "log_writer.h"
#include "memory_fs_support.h"

namespace powercut::engine {
namespace {

using log::kBlockSize;
using log::kHeaderSize;
using testing::MemoryFs;

constexpr char kPath[] = "/000001.log";

// A deterministic payload of `size` bytes that differs for each `seed`.
std::string Payload(size_t size, uint32_t seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

// One physical record, built by hand (to craft logs the writer never makes).
std::string Physical(log::RecordType type, std::string_view payload) {
  std::string out;
  const char type_byte = static_cast<char>(type);
  const uint32_t crc = crc32c::Extend(crc32c::Value(&type_byte, 1), payload.data(), payload.size());
  PutFixed32(&out, crc32c::Mask(crc));
  out.push_back(static_cast<char>(payload.size() & 0xff));
  out.push_back(static_cast<char>(payload.size() >> 8));
  out.push_back(type_byte);
  out.append(payload);
  return out;
}

struct Damage {
  uint64_t offset;
  uint64_t bytes;
  std::string reason;
};

// Everything a reader reported over one pass of a log.
struct ReadLog {
  std::vector<std::string> records;
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> ends;
  std::vector<Damage> damages;
  bool torn_tail = false;
  uint64_t torn_tail_offset = 0;
  uint64_t torn_tail_bytes = 0;
  std::string torn_tail_reason;
  uint64_t valid_end = 0;
  // Events in order: 'R' record, 'C' corruption.
  std::string events;
};

class LogTest : public ::testing::Test {
 protected:
  // Appends `records` with a fresh writer; returns the offset of each.
  std::vector<uint64_t> Write(const std::vector<std::string>& records) {
    auto file = fs_.Open(kPath, faultfs::OpenOptions::ReadWriteCreate());
    EXPECT_TRUE(file.ok());
    auto size = fs_.Size(*file);
    EXPECT_TRUE(size.ok());
    LogWriter writer(&fs_, *file, kPath, *size);
    std::vector<uint64_t> offsets;
    for (const std::string& record : records) {
      // The record's header lands after the block trailer, if one is due.
      uint64_t offset = writer.size();
      const uint64_t remaining_in_block = kBlockSize - offset % kBlockSize;
      if (remaining_in_block < kHeaderSize) offset += remaining_in_block;
      offsets.push_back(offset);
      EXPECT_TRUE(writer.AddRecord(record).ok());
    }
    EXPECT_EQ(writer.size(), fs_.Contents(kPath).size());
    EXPECT_TRUE(fs_.Close(*file).ok());
    return offsets;
  }

  ReadLog Read() {
    LogReader reader(&fs_, kPath);
    ReadLog out;
    std::string record;
    for (int guard = 0; guard < 100000; ++guard) {
      Result<LogReader::Event> event = reader.Next(&record);
      EXPECT_TRUE(event.ok()) << event.status().ToString();
      if (!event.ok() || *event == LogReader::Event::kEnd) break;
      if (*event == LogReader::Event::kRecord) {
        out.events += 'R';
        out.records.push_back(record);
        out.offsets.push_back(reader.record_offset());
        out.ends.push_back(reader.record_end());
      } else {
        out.events += 'C';
        out.damages.push_back(
            {reader.damage_offset(), reader.damage_bytes(), reader.damage_reason()});
      }
    }
    out.torn_tail = reader.torn_tail();
    out.torn_tail_offset = reader.torn_tail_offset();
    out.torn_tail_bytes = reader.torn_tail_bytes();
    out.torn_tail_reason = reader.torn_tail_reason();
    out.valid_end = reader.valid_end();
    // After kEnd, kEnd again.
    Result<LogReader::Event> again = reader.Next(&record);
    EXPECT_TRUE(again.ok() && *again == LogReader::Event::kEnd);
    return out;
  }

  std::string Contents() { return fs_.Contents(kPath); }
  void SetContents(std::string_view data) { fs_.SetContents(kPath, data); }

  MemoryFs fs_;
};

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
    if (log.torn_tail) EXPECT_EQ(log.torn_tail_offset, offsets[1]) << cut;
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
}  // namespace powercut::engine
