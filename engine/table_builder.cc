// TableBuilder: cuts data blocks, records each in the index, and writes the
// footer (format in table_format.h). Every byte goes through AppendAll, which
// loops on short appends and turns a zero-progress append into an error.
#include "table_builder.h"

#include <cassert>

#include "dbformat.h"

namespace powercut::engine {

TableBuilder::TableBuilder(faultfs::FileSystem* fs, faultfs::FileHandle file, std::string path,
                           size_t block_bytes)
    : fs_(fs), file_(file), path_(std::move(path)), block_bytes_(block_bytes) {
  assert(fs_ != nullptr && file_.valid());
}

Status TableBuilder::Add(std::string_view internal_key, std::string_view value) {
  assert(!finished_);
  if (!status_.ok()) return status_;
  ParsedInternalKey parsed;
  if (!ParseInternalKey(internal_key, &parsed)) {
    status_ = Status::InvalidArgument("malformed internal key added to table " + path_);
    return status_;
  }
  assert(entry_count_ == 0 || InternalKeyComparator().Compare(internal_key, largest_key_) > 0);
  if (entry_count_ == 0) smallest_key_.assign(internal_key);
  largest_key_.assign(internal_key);
  data_block_.Add(internal_key, value);
  ++entry_count_;
  if (data_block_.CurrentSizeEstimate() >= block_bytes_) return FlushDataBlock();
  return Status::OK();
}

Status TableBuilder::FlushDataBlock() {
  if (data_block_.empty()) return Status::OK();
  // The index maps the block's last key to its handle: a reader seeking key
  // K takes the first block whose last key is >= K.
  const std::string last_key(data_block_.last_key());
  table_format::BlockHandle handle;
  POWERCUT_RETURN_IF_ERROR(WriteBlock(data_block_.Finish(), &handle));
  data_block_.Reset();
  std::string encoded_handle;
  handle.EncodeTo(&encoded_handle);
  index_block_.Add(last_key, encoded_handle);
  return Status::OK();
}

Status TableBuilder::Finish() {
  assert(!finished_);
  finished_ = true;
  if (!status_.ok()) return status_;
  POWERCUT_RETURN_IF_ERROR(FlushDataBlock());
  table_format::Footer footer;
  footer.entry_count = entry_count_;
  POWERCUT_RETURN_IF_ERROR(WriteBlock(index_block_.Finish(), &footer.index_handle));
  std::string encoded_footer;
  footer.EncodeTo(&encoded_footer);
  return AppendAll(encoded_footer);
}

Status TableBuilder::WriteBlock(std::string_view contents, table_format::BlockHandle* handle) {
  handle->offset = offset_;
  handle->size = contents.size();
  POWERCUT_RETURN_IF_ERROR(AppendAll(contents));
  return AppendAll(table_format::MakeBlockTrailer(contents));
}

Status TableBuilder::AppendAll(std::string_view data) {
  if (!status_.ok()) return status_;
  while (!data.empty()) {
    Result<size_t> appended = fs_->Append(file_, data);
    if (!appended.ok()) {
      status_ = appended.status();  // the file system's message names the file
      return status_;
    }
    if (*appended == 0 || *appended > data.size()) {
      status_ = Status::IOError("append to table " + path_ + " made no progress at offset " +
                                std::to_string(offset_));
      return status_;
    }
    offset_ += *appended;
    data.remove_prefix(*appended);
  }
  return Status::OK();
}

}  // namespace powercut::engine
