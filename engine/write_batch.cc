// WriteBatch and WriteBatchInternal: building, stamping and decoding the
// batch encoding of write_batch.h, which is also the payload of a WAL record.
// Decoding (Iterate) trusts nothing: a record that passed its checksum can
// still be a batch written by a buggy (or mutant) engine, so every length is
// checked against the bytes left and the entry count against the header.
#include "powercut/engine/write_batch.h"

#include <cassert>

#include "coding.h"
#include "write_batch_internal.h"

namespace powercut::engine {
namespace {

constexpr size_t kSequenceOffset = 0;
constexpr size_t kCountOffset = 8;
static_assert(kCountOffset + 4 == kWriteBatchHeaderSize, "header: fixed64 sequence, fixed32 count");
static_assert(static_cast<uint8_t>(BatchEntryType::kTypeDeletion) == 0 &&
                  static_cast<uint8_t>(BatchEntryType::kTypeValue) == 1,
              "written to disk: never change");

// Walks the entries of the encoded batch `rep`, checking every length against
// the bytes left and the entry count against the header. Calls `handler` (if
// not null) for each entry.
Status DecodeEntries(std::string_view rep, WriteBatch::Handler* handler) {
  if (rep.size() < kWriteBatchHeaderSize) {
    return Status::Corruption("write batch: " + std::to_string(rep.size()) +
                              " bytes, shorter than its 12-byte header");
  }
  const uint32_t count_expected = DecodeFixed32(rep.data() + kCountOffset);
  uint32_t count_found = 0;
  std::string_view input = rep.substr(kWriteBatchHeaderSize);
  while (!input.empty()) {
    const size_t entry_offset = rep.size() - input.size();
    const auto tag = static_cast<uint8_t>(input.front());
    input.remove_prefix(1);
    std::string_view key;
    std::string_view value;
    if (tag == static_cast<uint8_t>(BatchEntryType::kTypeValue)) {
      if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value)) {
        return Status::Corruption("write batch: bad Put entry at offset " +
                                  std::to_string(entry_offset));
      }
      if (handler != nullptr) handler->Put(key, value);
    } else if (tag == static_cast<uint8_t>(BatchEntryType::kTypeDeletion)) {
      if (!GetLengthPrefixed(&input, &key)) {
        return Status::Corruption("write batch: bad Delete entry at offset " +
                                  std::to_string(entry_offset));
      }
      if (handler != nullptr) handler->Delete(key);
    } else {
      return Status::Corruption("write batch: unknown entry tag " + std::to_string(tag) +
                                " at offset " + std::to_string(entry_offset));
    }
    ++count_found;
  }
  if (count_found != count_expected) {
    return Status::Corruption("write batch: header says " + std::to_string(count_expected) +
                              " entries, found " + std::to_string(count_found));
  }
  return Status::OK();
}

}  // namespace

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() {
  rep_.clear();
  rep_.resize(kWriteBatchHeaderSize, '\0');
}

uint32_t WriteBatch::Count() const { return WriteBatchInternal::Count(*this); }

void WriteBatch::Put(std::string_view key, std::string_view value) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(BatchEntryType::kTypeValue));
  PutLengthPrefixed(&rep_, key);
  PutLengthPrefixed(&rep_, value);
}

void WriteBatch::Delete(std::string_view key) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(BatchEntryType::kTypeDeletion));
  PutLengthPrefixed(&rep_, key);
}

void WriteBatch::Append(const WriteBatch& other) {
  assert(other.rep_.size() >= kWriteBatchHeaderSize);
  WriteBatchInternal::SetCount(this, Count() + other.Count());
  rep_.append(other.rep_, kWriteBatchHeaderSize);
}

Status WriteBatch::Iterate(Handler* handler) const {
  assert(handler != nullptr);
  // Two passes: validate everything first, so a malformed batch reaches the
  // handler not at all rather than in part (a batch is all in or all out).
  POWERCUT_RETURN_IF_ERROR(DecodeEntries(rep_, nullptr));
  return DecodeEntries(rep_, handler);
}

uint64_t WriteBatchInternal::Sequence(const WriteBatch& batch) {
  return DecodeFixed64(batch.rep_.data() + kSequenceOffset);
}

void WriteBatchInternal::SetSequence(WriteBatch* batch, uint64_t sequence) {
  EncodeFixed64(batch->rep_.data() + kSequenceOffset, sequence);
}

uint32_t WriteBatchInternal::Count(const WriteBatch& batch) {
  return DecodeFixed32(batch.rep_.data() + kCountOffset);
}

void WriteBatchInternal::SetCount(WriteBatch* batch, uint32_t count) {
  EncodeFixed32(batch->rep_.data() + kCountOffset, count);
}

std::string_view WriteBatchInternal::Contents(const WriteBatch& batch) { return batch.rep_; }

Status WriteBatchInternal::SetContents(WriteBatch* batch, std::string_view contents) {
  if (contents.size() < kWriteBatchHeaderSize) {
    return Status::Corruption("write batch record of " + std::to_string(contents.size()) +
                              " bytes is shorter than the 12-byte header");
  }
  batch->rep_.assign(contents);
  return Status::OK();
}

size_t WriteBatchInternal::ByteSize(const WriteBatch& batch) { return batch.rep_.size(); }

}  // namespace powercut::engine
