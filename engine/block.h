// Block: a verified, read-only table block (data or index) and its iterator.
// Table reads a block's bytes, checks its trailer (table_format.h), and wraps
// the contents in a Block; Block::Parse then checks the restart array, and
// the iterator checks every entry's bounds as it decodes it. Whatever is
// malformed becomes Status::Corruption naming the block ("corrupted block at
// offset 8192 of /db/000005.sst: ..."); nothing is ever read outside the
// contents. Keys are internal keys, searched in InternalKeyComparator order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "internal_iterator.h"
#include "powercut/status.h"

namespace powercut::engine {

class Block {
 public:
  // Validates the restart array of `contents` (count fits, offsets
  // increasing and inside the entry area, restart entries unshared).
  // `origin` names the block in errors, e.g. "block at offset 8192 of
  // /db/000005.sst".
  static Result<std::shared_ptr<const Block>> Parse(std::string contents, std::string origin);

  std::string_view contents() const { return contents_; }
  const std::string& origin() const { return origin_; }
  uint32_t num_restarts() const { return num_restarts_; }
  // A Corruption status "corrupted <origin>: <why>".
  Status MakeCorruption(std::string_view why) const;

  // An iterator over this block; it keeps the block alive.
  static std::unique_ptr<InternalIterator> NewIterator(std::shared_ptr<const Block> block);

 private:
  Block(std::string contents, std::string origin, uint32_t restarts_offset, uint32_t num_restarts);
  uint32_t RestartPoint(uint32_t index) const;

  friend class BlockIterator;

  std::string contents_;
  std::string origin_;
  uint32_t restarts_offset_;  // where the restart array begins = end of entries
  uint32_t num_restarts_;
};

}  // namespace powercut::engine
