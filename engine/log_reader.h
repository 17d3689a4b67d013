// LogReader reads a WAL or manifest file (log_format.h) back into logical
// records, and classifies every byte it does not return:
//
//   kRecord      a valid logical record (FULL, or FIRST MIDDLE* LAST, every
//                fragment's checksum matching).
//   kCorruption  a damaged region FOLLOWED BY at least one valid complete
//                logical record. The region is reported (offset, bytes,
//                reason); the next Next() returns the record after it. This is
//                real damage: a crash cannot make bytes before durable ones go
//                bad, so recovery treats it per its policy (usually an error).
//   kEnd         no more records. If bytes after the last valid record were
//                dropped (an incomplete or invalid tail with NO valid complete
//                record after it, including a zero-filled tail) torn_tail() is
//                true: the normal outcome of a crash during an append.
//
// The whole file is loaded into memory on the first Next() (logs are bounded
// by the memtable size; manifests are small). The reader never returns bytes
// that failed their checksum, never reads outside the loaded buffer, and does
// not crash on any input.
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

class LogReader {
 public:
  enum class Event { kRecord, kCorruption, kEnd };

  // Reads the file at `path` lazily, on the first Next(). `fs` must outlive
  // the reader.
  // the reader of a mutated engine's WAL gets its `mutant` (mutant.h).
  LogReader(faultfs::FileSystem* fs, std::string path, Mutant mutant = Mutant::kNone);

  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // Returns the next event. On kRecord, `*record` holds the logical record.
  // A non-OK Result only for I/O errors opening or reading the file; after
  // kEnd every call returns kEnd again.
  Result<Event> Next(std::string* record);

  // After kRecord: file offset of the record's first fragment (its header),
  // and the offset just past its last fragment.
  uint64_t record_offset() const { return record_offset_; }
  uint64_t record_end() const { return record_end_; }

  // After kCorruption: the damaged region [damage_offset, +damage_bytes) that
  // was skipped, and why ("checksum mismatch", ...).
  uint64_t damage_offset() const { return damage_offset_; }
  uint64_t damage_bytes() const { return damage_bytes_; }
  const std::string& damage_reason() const { return damage_reason_; }

  // After kEnd: whether a torn tail was dropped, where it starts and how many
  // bytes it has (to the end of the file), and why it was rejected.
  bool torn_tail() const { return torn_tail_bytes_ > 0; }
  uint64_t torn_tail_offset() const { return torn_tail_offset_; }
  uint64_t torn_tail_bytes() const { return torn_tail_bytes_; }
  const std::string& torn_tail_reason() const { return torn_tail_reason_; }

  // Offset just past the last valid record returned so far (0 if none): where
  // a writer could resume after truncating the file there.
  uint64_t valid_end() const { return valid_end_; }

  const std::string& path() const { return path_; }

 private:
  // One parsed physical record, or why none could be parsed at `offset`.
  struct Fragment;
  // One complete logical record found by scanning, or none.
  struct Found;

  Status Load();
  // Parses the physical record at `offset` (skipping block trailers first).
  Fragment ParseFragment(uint64_t offset) const;
  // The first valid complete logical record after the failed attempt
  // `failed`, if any.
  Found FindNextRecord(const Found& failed) const;
  // Tries to assemble a logical record whose first fragment is at `offset`.
  Found AssembleAt(uint64_t offset) const;

  faultfs::FileSystem* const fs_;
  const std::string path_;
  const Mutant mutant_;
  bool loaded_ = false;
  std::string contents_;  // the whole file
  uint64_t pos_ = 0;      // where the next scan starts
  bool ended_ = false;

  uint64_t record_offset_ = 0;
  uint64_t record_end_ = 0;
  uint64_t damage_offset_ = 0;
  uint64_t damage_bytes_ = 0;
  std::string damage_reason_;
  uint64_t torn_tail_offset_ = 0;
  uint64_t torn_tail_bytes_ = 0;
  std::string torn_tail_reason_;
  uint64_t valid_end_ = 0;
};

}  // namespace powercut::engine
