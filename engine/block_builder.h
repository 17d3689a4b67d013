// BlockBuilder: encodes one table block (data or index) in the layout of
// table_format.h: prefix-compressed entries with a restart point every
// kBlockRestartInterval entries, then the restart array and its count.
// TableBuilder owns one per block kind and appends each finished block, with
// its trailer, to the table file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace powercut::engine {

class BlockBuilder {
 public:
  BlockBuilder() = default;
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // REQUIRES: !finished(); key > every key added since the last Reset() (in
  // the order the reader will use: InternalKeyComparator for our tables).
  void Add(std::string_view key, std::string_view value);
  // Appends the restart array and returns the block's contents; the view
  // lives until Reset() or destruction.
  std::string_view Finish();
  // Starts a new, empty block.
  void Reset();

  // Size of the block Finish() would return now.
  size_t CurrentSizeEstimate() const;
  bool empty() const { return entry_count_ == 0; }
  bool finished() const { return finished_; }
  std::string_view last_key() const { return last_key_; }

 private:
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int entries_since_restart_ = 0;
  uint64_t entry_count_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace powercut::engine
