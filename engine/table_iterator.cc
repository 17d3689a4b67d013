// The table iterator: a two-level iterator. The outer level walks the index
// block; for each index entry it reads (and verifies) that data block and
// walks it. A data block that cannot be read ends the iteration with its
// error; the iterator never skips a block it could not verify.
#include <cassert>
#include <memory>

#include "block.h"
#include "table.h"

namespace powercut::engine {

namespace {

class TableIterator final : public InternalIterator {
 public:
  explicit TableIterator(const Table* table)
      : table_(table), index_iter_(Block::NewIterator(table->index_block())) {}

  bool Valid() const override {
    return status_.ok() && data_iter_ != nullptr && data_iter_->Valid();
  }
  Status status() const override {
    if (!status_.ok()) return status_;
    if (data_iter_ != nullptr && !data_iter_->status().ok()) return data_iter_->status();
    return index_iter_->status();
  }
  std::string_view key() const override {
    assert(Valid());
    return data_iter_->key();
  }
  std::string_view value() const override {
    assert(Valid());
    return data_iter_->value();
  }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    index_iter_->SeekToFirst();
    LoadDataBlock();
    if (data_iter_ != nullptr) data_iter_->SeekToFirst();
    SkipExhaustedBlocks();
  }
  void Seek(std::string_view target) override {
    if (!status_.ok()) return;
    index_iter_->Seek(target);
    LoadDataBlock();
    if (data_iter_ != nullptr) data_iter_->Seek(target);
    SkipExhaustedBlocks();
  }
  void Next() override {
    assert(Valid());
    data_iter_->Next();
    SkipExhaustedBlocks();
  }

 private:
  // Loads the block under index_iter_ into data_iter_ (null at the end of
  // the index or on error, which is kept in status_).
  void LoadDataBlock();
  // While the data iterator is exhausted, moves to the next block's start.
  void SkipExhaustedBlocks();
  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
    data_iter_.reset();
  }

  const Table* const table_;
  const std::unique_ptr<InternalIterator> index_iter_;
  std::unique_ptr<InternalIterator> data_iter_;
  Status status_;  // first error seen; sticky
};

void TableIterator::LoadDataBlock() {
  data_iter_.reset();
  if (!index_iter_->Valid()) {
    if (!index_iter_->status().ok()) Fail(index_iter_->status());
    return;
  }
  Result<table_format::BlockHandle> handle = table_->DecodeIndexValue(index_iter_->value());
  if (!handle.ok()) return Fail(handle.status());
  Result<std::shared_ptr<const Block>> block = table_->ReadDataBlock(*handle);
  if (!block.ok()) return Fail(block.status());
  data_iter_ = Block::NewIterator(std::move(block).value());
}

void TableIterator::SkipExhaustedBlocks() {
  while (status_.ok() && data_iter_ != nullptr && !data_iter_->Valid()) {
    if (!data_iter_->status().ok()) return Fail(data_iter_->status());
    index_iter_->Next();
    LoadDataBlock();
    if (data_iter_ != nullptr) data_iter_->SeekToFirst();
  }
}

}  // namespace

std::unique_ptr<InternalIterator> NewTableIterator(const Table* table) {
  return std::make_unique<TableIterator>(table);
}

}  // namespace powercut::engine
