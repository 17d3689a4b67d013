// Table: opening a table file (footer, then index) and point lookups. Every
// block read goes through ReadBlockContents, which bounds-checks the handle
// against the file and checks the trailer's checksum before any byte of the
// block is used. The iterator lives in table_iterator.cc.
#include "table.h"

#include <cassert>

#include "coding.h"

namespace powercut::engine {

std::unique_ptr<InternalIterator> NewTableIterator(const Table* table);  // table_iterator.cc

Table::Table(faultfs::FileSystem* fs, faultfs::FileHandle file, std::string path,
             uint64_t file_size)
    : fs_(fs), file_(file), path_(std::move(path)), file_size_(file_size) {}

Table::~Table() {
  // The table only ever read this file: closing it cannot lose data, and a
  // destructor has nobody to report to.
  fs_->Close(file_).IgnoreError();
}

Status Table::MakeCorruption(uint64_t offset, std::string_view what, std::string_view why) const {
  std::string message = "corrupted ";
  message += what;
  message += " at offset " + std::to_string(offset) + " of " + path_ + ": ";
  message += why;
  return Status::Corruption(message);
}

Result<std::unique_ptr<Table>> Table::Open(faultfs::FileSystem* fs, std::string path,
                                           uint64_t file_size) {
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file,
                            fs->Open(path, faultfs::OpenOptions::ReadOnly()));
  // From here the Table owns the handle and closes it on every path.
  std::unique_ptr<Table> table(new Table(fs, file, std::move(path), file_size));
  POWERCUT_ASSIGN_OR_RETURN(uint64_t actual_size, fs->Size(file));
  if (actual_size != file_size) {
    return Status::Corruption("table " + table->path_ + " is " + std::to_string(actual_size) +
                              " bytes, expected " + std::to_string(file_size));
  }
  if (file_size < table_format::kFooterBytes) {
    return Status::Corruption("table " + table->path_ + " is too short (" +
                              std::to_string(file_size) + " bytes) to hold a footer");
  }
  POWERCUT_RETURN_IF_ERROR(table->ReadFooter());
  return table;
}

Status Table::ReadFooter() {
  const uint64_t footer_offset = file_size_ - table_format::kFooterBytes;
  std::string footer_bytes(table_format::kFooterBytes, '\0');
  POWERCUT_ASSIGN_OR_RETURN(size_t read, fs_->Read(file_, footer_offset, footer_bytes));
  if (read != footer_bytes.size()) return MakeCorruption(footer_offset, "footer", "truncated");
  table_format::Footer footer;
  std::string why;
  if (!footer.DecodeFrom(footer_bytes, &why)) return MakeCorruption(footer_offset, "footer", why);
  // The index block (and its trailer) sits right before the footer.
  const table_format::BlockHandle& index = footer.index_handle;
  if (index.offset > footer_offset || index.size > footer_offset - index.offset ||
      index.offset + index.size + table_format::kBlockTrailerBytes != footer_offset) {
    return MakeCorruption(footer_offset, "footer", "index block handle out of place");
  }
  entry_count_ = footer.entry_count;
  data_end_offset_ = index.offset;
  return ReadIndex(index);
}

Status Table::ReadIndex(const table_format::BlockHandle& index_handle) {
  POWERCUT_ASSIGN_OR_RETURN(std::string contents, ReadBlockContents(index_handle));
  POWERCUT_ASSIGN_OR_RETURN(
      index_block_,
      Block::Parse(std::move(contents), "index block at offset " +
                                            std::to_string(index_handle.offset) + " of " + path_));
  // The data blocks must tile [0, data_end_offset_) in index order.
  std::unique_ptr<InternalIterator> iter = Block::NewIterator(index_block_);
  uint64_t expected_offset = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    POWERCUT_ASSIGN_OR_RETURN(table_format::BlockHandle handle, DecodeIndexValue(iter->value()));
    if (handle.offset != expected_offset) {
      return index_block_->MakeCorruption("data block at offset " + std::to_string(handle.offset) +
                                          " expected at " + std::to_string(expected_offset));
    }
    expected_offset = handle.offset + handle.size + table_format::kBlockTrailerBytes;
  }
  POWERCUT_RETURN_IF_ERROR(iter->status());
  if (expected_offset != data_end_offset_) {
    return index_block_->MakeCorruption("data blocks end at " + std::to_string(expected_offset) +
                                        ", index starts at " + std::to_string(data_end_offset_));
  }
  return Status::OK();
}

Result<table_format::BlockHandle> Table::DecodeIndexValue(std::string_view index_value) const {
  table_format::BlockHandle handle;
  std::string_view input = index_value;
  if (!handle.DecodeFrom(&input) || !input.empty() || handle.offset > data_end_offset_ ||
      handle.size > data_end_offset_ - handle.offset ||
      data_end_offset_ - handle.offset - handle.size < table_format::kBlockTrailerBytes) {
    return index_block_->MakeCorruption("bad data block handle");
  }
  return handle;
}

Result<std::string> Table::ReadBlockContents(const table_format::BlockHandle& handle) const {
  // REQUIRES (checked by the callers): the block and its trailer lie inside the file.
  assert(handle.offset + handle.size + table_format::kBlockTrailerBytes <= file_size_);
  std::string bytes(handle.size + table_format::kBlockTrailerBytes, '\0');
  Result<size_t> read = fs_->Read(file_, handle.offset, bytes);
  if (!read.ok()) {
    return read.status().WithContext("reading block at offset " + std::to_string(handle.offset) +
                                     " of " + path_);
  }
  if (*read != bytes.size()) return MakeCorruption(handle.offset, "block", "truncated");
  const std::string_view contents = std::string_view(bytes).substr(0, handle.size);
  const std::string_view trailer = std::string_view(bytes).substr(handle.size);
  std::string why;
  if (!table_format::CheckBlockTrailer(contents, trailer, &why)) {
    return MakeCorruption(handle.offset, "block", why);
  }
  bytes.resize(handle.size);
  return bytes;
}

Result<std::shared_ptr<const Block>> Table::ReadDataBlock(
    const table_format::BlockHandle& handle) const {
  POWERCUT_ASSIGN_OR_RETURN(std::string contents, ReadBlockContents(handle));
  return Block::Parse(std::move(contents),
                      "block at offset " + std::to_string(handle.offset) + " of " + path_);
}

Result<LookupResult> Table::Get(std::string_view user_key, SequenceNumber snapshot,
                                std::string* value) const {
  const LookupKey lookup(user_key, snapshot);
  // The first block whose last key is >= the lookup key holds the newest
  // visible version of user_key, if the table has one.
  std::unique_ptr<InternalIterator> index_iter = Block::NewIterator(index_block_);
  index_iter->Seek(lookup.internal_key());
  if (!index_iter->Valid()) {
    POWERCUT_RETURN_IF_ERROR(index_iter->status());
    return LookupResult::kNotPresent;
  }
  POWERCUT_ASSIGN_OR_RETURN(table_format::BlockHandle handle,
                            DecodeIndexValue(index_iter->value()));
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<const Block> block, ReadDataBlock(handle));
  std::unique_ptr<InternalIterator> block_iter = Block::NewIterator(block);
  block_iter->Seek(lookup.internal_key());
  if (!block_iter->Valid()) {
    POWERCUT_RETURN_IF_ERROR(block_iter->status());
    return block->MakeCorruption("index key sorts after every key of its block");
  }
  ParsedInternalKey parsed;
  if (!ParseInternalKey(block_iter->key(), &parsed)) {
    return block->MakeCorruption("malformed internal key");
  }
  if (parsed.user_key != user_key) return LookupResult::kNotPresent;
  if (parsed.type == kTypeDeletion) return LookupResult::kDeleted;
  value->assign(block_iter->value());
  return LookupResult::kFound;
}

std::unique_ptr<InternalIterator> Table::NewIterator() const { return NewTableIterator(this); }

}  // namespace powercut::engine
