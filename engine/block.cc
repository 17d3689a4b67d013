// Block parsing and iteration (layout in table_format.h). Method: Parse
// checks the restart array once; the iterator then decodes entries lazily,
// checking each entry's header against the bytes left before the restart
// array, so a corrupt length can never move a read outside the contents.
// Seek binary-searches the restart points (whose keys are stored whole),
// then scans forward at most one restart interval.
#include "block.h"

#include <cassert>

#include "coding.h"
#include "dbformat.h"

namespace powercut::engine {

Block::Block(std::string contents, std::string origin, uint32_t restarts_offset,
             uint32_t num_restarts)
    : contents_(std::move(contents)),
      origin_(std::move(origin)),
      restarts_offset_(restarts_offset),
      num_restarts_(num_restarts) {}

Status Block::MakeCorruption(std::string_view why) const {
  std::string message = "corrupted ";
  message += origin_;
  message += ": ";
  message += why;
  return Status::Corruption(message);
}

uint32_t Block::RestartPoint(uint32_t index) const {
  assert(index < num_restarts_);
  return DecodeFixed32(contents_.data() + restarts_offset_ + index * sizeof(uint32_t));
}

Result<std::shared_ptr<const Block>> Block::Parse(std::string contents, std::string origin) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("corrupted " + origin + ": " + why);
  };
  const size_t size = contents.size();
  if (size < sizeof(uint32_t)) return corrupt("block of " + std::to_string(size) + " bytes");
  if (size > UINT32_MAX) return corrupt("block larger than 4 GiB");
  const uint32_t num_restarts = DecodeFixed32(contents.data() + size - sizeof(uint32_t));
  const size_t max_restarts = (size - sizeof(uint32_t)) / sizeof(uint32_t);
  if (num_restarts > max_restarts) {
    return corrupt("restart count " + std::to_string(num_restarts) + " does not fit in " +
                   std::to_string(size) + " bytes");
  }
  const uint32_t restarts_offset =
      static_cast<uint32_t>(size - sizeof(uint32_t) * (1 + size_t{num_restarts}));
  if (num_restarts == 0 && restarts_offset != 0) return corrupt("entries but no restart points");
  std::shared_ptr<const Block> block(
      new Block(std::move(contents), std::move(origin), restarts_offset, num_restarts));
  uint32_t previous = 0;
  for (uint32_t i = 0; i < num_restarts; ++i) {
    const uint32_t restart = block->RestartPoint(i);
    const bool in_order = (i == 0) ? restart == 0 : restart > previous;
    if (!in_order || restart >= restarts_offset) {
      return block->MakeCorruption("bad restart point " + std::to_string(i) + " (offset " +
                                   std::to_string(restart) + ")");
    }
    previous = restart;
  }
  return block;
}

class BlockIterator final : public InternalIterator {
 public:
  explicit BlockIterator(std::shared_ptr<const Block> block)
      : block_(std::move(block)),
        current_(block_->restarts_offset_),
        next_offset_(block_->restarts_offset_) {}

  bool Valid() const override { return status_.ok() && current_ < block_->restarts_offset_; }
  Status status() const override { return status_; }
  std::string_view key() const override {
    assert(Valid());
    return key_;
  }
  std::string_view value() const override {
    assert(Valid());
    return value_;
  }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    if (block_->num_restarts_ == 0) return MarkEnd();
    SeekToRestartPoint(0);
    ParseNextEntry();
  }

  void Next() override {
    assert(Valid());
    ParseNextEntry();
  }

  void Seek(std::string_view target) override;

 private:
  void MarkEnd() { current_ = next_offset_ = block_->restarts_offset_; }
  void Fail(std::string_view why) {
    if (status_.ok()) status_ = block_->MakeCorruption(why);
    MarkEnd();
  }
  void SeekToRestartPoint(uint32_t index) {
    key_.clear();  // a restart entry shares nothing with its predecessor
    restart_index_ = index;
    next_offset_ = block_->RestartPoint(index);
  }
  // Decodes the entry at next_offset_; false at the end or on corruption.
  bool ParseNextEntry();
  // The whole key stored at restart point `index`; false (and Fail) if malformed.
  bool RestartKey(uint32_t index, std::string_view* key);

  const std::shared_ptr<const Block> block_;
  uint32_t current_;            // offset of the current entry; restarts_offset_ = none
  uint32_t next_offset_;        // offset of the entry after it
  uint32_t restart_index_ = 0;  // the restart interval current_ lies in
  std::string key_;
  std::string_view value_;
  Status status_;
};

bool BlockIterator::ParseNextEntry() {
  current_ = next_offset_;
  const uint32_t limit = block_->restarts_offset_;
  if (current_ >= limit) {
    MarkEnd();
    return false;
  }
  std::string_view input(block_->contents_.data() + current_, limit - current_);
  uint32_t shared = 0, non_shared = 0, value_size = 0;
  if (!GetVarint32(&input, &shared) || !GetVarint32(&input, &non_shared) ||
      !GetVarint32(&input, &value_size) || shared > key_.size() ||
      uint64_t{non_shared} + value_size > input.size()) {
    Fail("bad entry at offset " + std::to_string(current_));
    return false;
  }
  key_.resize(shared);
  key_.append(input.substr(0, non_shared));
  value_ = input.substr(non_shared, value_size);
  if (key_.size() < kInternalKeyTrailerBytes) {
    Fail("key shorter than its trailer at offset " + std::to_string(current_));
    return false;
  }
  next_offset_ = static_cast<uint32_t>(value_.data() + value_.size() - block_->contents_.data());
  while (restart_index_ + 1 < block_->num_restarts_ &&
         block_->RestartPoint(restart_index_ + 1) <= current_) {
    ++restart_index_;
  }
  return true;
}

bool BlockIterator::RestartKey(uint32_t index, std::string_view* key) {
  const uint32_t offset = block_->RestartPoint(index);
  const uint32_t limit = block_->restarts_offset_;
  std::string_view input(block_->contents_.data() + offset, limit - offset);
  uint32_t shared = 0, non_shared = 0, value_size = 0;
  if (!GetVarint32(&input, &shared) || !GetVarint32(&input, &non_shared) ||
      !GetVarint32(&input, &value_size) || shared != 0 || non_shared > input.size() ||
      non_shared < kInternalKeyTrailerBytes) {
    Fail("bad restart entry at offset " + std::to_string(offset));
    return false;
  }
  *key = input.substr(0, non_shared);
  return true;
}

void BlockIterator::Seek(std::string_view target) {
  if (!status_.ok()) return;
  if (block_->num_restarts_ == 0) return MarkEnd();
  const InternalKeyComparator compare;
  // Find the last restart point whose key is < target (or restart 0).
  uint32_t left = 0;
  uint32_t right = block_->num_restarts_ - 1;
  while (left < right) {
    const uint32_t mid = left + (right - left + 1) / 2;
    std::string_view mid_key;
    if (!RestartKey(mid, &mid_key)) return;
    if (compare.Compare(mid_key, target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  SeekToRestartPoint(left);
  while (ParseNextEntry()) {
    if (compare.Compare(key_, target) >= 0) return;
  }
}

std::unique_ptr<InternalIterator> Block::NewIterator(std::shared_ptr<const Block> block) {
  assert(block != nullptr);
  return std::make_unique<BlockIterator>(std::move(block));
}

}  // namespace powercut::engine
