// LogWriter appends logical records to a WAL or manifest file in the log
// format of log_format.h. It fragments each record into FULL / FIRST / MIDDLE /
// LAST physical records so none crosses a 32 KiB block boundary, and pads a
// block tail too short for a header with zeros.
//
// Durability is the caller's business: the writer only appends (through
// FileSystem::Append) and never syncs; the caller calls fs->DataSync(file())
// when a record must be durable. Once an append fails, the bytes at the end of
// the file are unknown, so the writer refuses every later record with the
// first error (the DB must move to a new log, never append after the damage).
//
// Not thread-safe: the DB's group-commit leader is its only user at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "log_format.h"
#include "powercut/engine/mutant.h"
#include "powercut/faultfs/file_system.h"
#include "powercut/status.h"

namespace powercut::engine {

class LogWriter {
 public:
  // Writes to `file` (open for writing, at path `path`), whose current size is
  // `initial_size` bytes: records are appended after them, continuing the
  // block layout from that offset. `fs` must outlive the writer; the writer
  // does not own or close `file`.
  // `mutant` (mutant.h) is kNone but for the WAL of a mutated engine.
  LogWriter(faultfs::FileSystem* fs, faultfs::FileHandle file, std::string path,
            uint64_t initial_size = 0, Mutant mutant = Mutant::kNone);

  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends `payload` as one logical record. On error the file's tail is
  // unknown and every later call returns the same error.
  // REQUIRES: the file was not appended to by anyone else since construction.
  Status AddRecord(std::string_view payload);

  // Bytes in the file as far as this writer knows: initial_size plus every
  // byte appended successfully.
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  faultfs::FileHandle file() const { return file_; }

 private:
  // Emits one physical record (header + fragment) of `type`.
  Status EmitPhysicalRecord(log::RecordType type, std::string_view fragment);
  // Appends all of `data`, looping on short counts. A short count is not
  // success: the loop continues until every byte is written or an error.
  Status WriteFully(std::string_view data);
  // The masked CRC32C stored in the header of a fragment of `type`.
  static uint32_t ComputeChecksum(log::RecordType type, std::string_view fragment);

  faultfs::FileSystem* const fs_;
  const faultfs::FileHandle file_;
  const std::string path_;
  uint64_t size_;        // file size: initial size + bytes appended
  size_t block_offset_;  // offset of the end of file inside its current block
  Status sticky_error_;  // the first append error; OK while none happened
  const Mutant mutant_;
};

}  // namespace powercut::engine
