// Table: a read-only view of one sorted table file (format in
// table_format.h). Open reads and checks the footer and the index block;
// every later read of a data block checks that block's checksum, every time
// (there is no block cache), so a bit flipped on disk after Open is still
// caught. Any failure is Status::Corruption naming the file and the offset:
// "corrupted block at offset 8192 of /db/000005.sst: checksum mismatch".
// A table never returns bytes it could not verify.
//
// Table keeps the file open for its whole life (the handle is closed in the
// destructor) and reads with positional reads, so Get and iterators are safe
// to use from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "block.h"
#include "dbformat.h"
#include "internal_iterator.h"
#include "powercut/faultfs/file_system.h"
#include "powercut/status.h"
#include "table_format.h"

namespace powercut::engine {

class Table {
 public:
  // Opens `path`, whose size the caller knows (from the manifest), and
  // verifies its footer and index. `fs` must outlive the table. A file whose
  // real size differs from `file_size` fails (Corruption) as a damaged one.
  static Result<std::unique_ptr<Table>> Open(faultfs::FileSystem* fs, std::string path,
                                             uint64_t file_size);
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table();

  // Looks up the newest entry of `user_key` with sequence <= snapshot, like
  // MemTable::Get: kFound (value in *value), kDeleted, or kNotPresent. An
  // error (Corruption, IOError) if a block on the way cannot be read.
  Result<LookupResult> Get(std::string_view user_key, SequenceNumber snapshot,
                           std::string* value) const;

  // An iterator over every entry (all versions, tombstones included). It
  // reads blocks as it moves; it must not outlive this table.
  std::unique_ptr<InternalIterator> NewIterator() const;

  const std::string& path() const { return path_; }
  uint64_t file_size() const { return file_size_; }
  // Number of entries, from the footer.
  uint64_t entry_count() const { return entry_count_; }

  // Reads and verifies the data block at `handle` (for the iterators).
  Result<std::shared_ptr<const Block>> ReadDataBlock(const table_format::BlockHandle& handle) const;
  // Decodes an index entry's value into a handle inside the data area.
  Result<table_format::BlockHandle> DecodeIndexValue(std::string_view index_value) const;
  const std::shared_ptr<const Block>& index_block() const { return index_block_; }

 private:
  Table(faultfs::FileSystem* fs, faultfs::FileHandle file, std::string path, uint64_t file_size);

  // Reads `handle`'s contents and trailer, checks the trailer.
  Result<std::string> ReadBlockContents(const table_format::BlockHandle& handle) const;
  Status ReadFooter();
  Status ReadIndex(const table_format::BlockHandle& index_handle);
  Status MakeCorruption(uint64_t offset, std::string_view what, std::string_view why) const;

  faultfs::FileSystem* const fs_;
  const faultfs::FileHandle file_;
  const std::string path_;
  const uint64_t file_size_;
  uint64_t entry_count_ = 0;
  uint64_t data_end_offset_ = 0;  // end of the last data block's trailer = index offset
  std::shared_ptr<const Block> index_block_;
};

}  // namespace powercut::engine
