// Shared helpers for the log tests (log_test.cc, log_corruption_test.cc):
// deterministic payloads, hand-built physical records, and a fixture that
// writes records with LogWriter and reads every reader event back into one
// struct. Header-only, so each test binary compiles what it uses.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coding.h"
#include "crc32c.h"
#include "log_format.h"
#include "log_reader.h"
#include "log_writer.h"
#include "memory_fs_support.h"

namespace powercut::engine::log_test {

using log::kBlockSize;
using log::kHeaderSize;
using testing::MemoryFs;

inline constexpr char kPath[] = "/000001.log";

// A deterministic payload of `size` bytes that differs for each `seed`.
inline std::string Payload(size_t size, uint32_t seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

// One physical record, built by hand (to craft logs the writer never makes).
inline std::string Physical(log::RecordType type, std::string_view payload) {
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
}  // namespace powercut::engine::log_test
