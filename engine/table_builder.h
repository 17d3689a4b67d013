// TableBuilder: writes a sorted table (format in table_format.h) from
// entries added in InternalKeyComparator order — a flush feeds it a frozen
// memtable's iterator. Data blocks are cut at about `block_bytes`; each
// block, the index and the footer are appended to the already-open file
// through FileSystem::Append, looping on short counts.
//
// It never syncs and never closes the file: the caller (the DB's flush)
// owns the handle and must fsync the file, then fsync its directory, before
// the table is named in the manifest. After any error the builder is dead:
// every later call returns the same error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "block_builder.h"
#include "powercut/faultfs/file_system.h"
#include "powercut/status.h"
#include "table_format.h"

namespace powercut::engine {

class TableBuilder {
 public:
  // `fs` must outlive the builder; `file` is open for writing and empty;
  // `path` names it in error messages.
  TableBuilder(faultfs::FileSystem* fs, faultfs::FileHandle file, std::string path,
               size_t block_bytes);
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // REQUIRES: !finished(); internal_key parses and sorts after the previous.
  Status Add(std::string_view internal_key, std::string_view value);
  // Writes the last data block, the index block and the footer.
  // REQUIRES: !finished()
  Status Finish();

  // Bytes appended so far (the whole file after Finish()).
  uint64_t FileSize() const { return offset_; }
  uint64_t NumEntries() const { return entry_count_; }
  bool finished() const { return finished_; }
  // First and last internal keys added (empty if none).
  const std::string& smallest_key() const { return smallest_key_; }
  const std::string& largest_key() const { return largest_key_; }

 private:
  Status FlushDataBlock();
  // Appends contents + trailer; sets *handle to where they landed.
  Status WriteBlock(std::string_view contents, table_format::BlockHandle* handle);
  Status AppendAll(std::string_view data);

  faultfs::FileSystem* const fs_;
  const faultfs::FileHandle file_;
  const std::string path_;
  const size_t block_bytes_;

  BlockBuilder data_block_;
  BlockBuilder index_block_;
  uint64_t offset_ = 0;
  uint64_t entry_count_ = 0;
  std::string smallest_key_;
  std::string largest_key_;
  Status status_;
  bool finished_ = false;
};

}  // namespace powercut::engine
