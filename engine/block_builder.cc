// BlockBuilder: prefix compression against the previous key, a restart
// point every kBlockRestartInterval entries (layout in table_format.h).
#include "block_builder.h"

#include <algorithm>
#include <cassert>

#include "coding.h"
#include "dbformat.h"
#include "table_format.h"

namespace powercut::engine {

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.clear();
  entries_since_restart_ = 0;
  entry_count_ = 0;
  finished_ = false;
  last_key_.clear();
}

size_t BlockBuilder::CurrentSizeEstimate() const {
  return buffer_.size() + restarts_.size() * sizeof(uint32_t) + sizeof(uint32_t);
}

void BlockBuilder::Add(std::string_view key, std::string_view value) {
  assert(!finished_);
  assert(empty() || InternalKeyComparator().Compare(key, last_key_) > 0);
  size_t shared = 0;
  if (entries_since_restart_ == table_format::kBlockRestartInterval || empty()) {
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    entries_since_restart_ = 0;
  } else {
    const size_t limit = std::min(last_key_.size(), key.size());
    while (shared < limit && last_key_[shared] == key[shared]) ++shared;
  }
  const size_t non_shared = key.size() - shared;
  PutVarint32(&buffer_, static_cast<uint32_t>(shared));
  PutVarint32(&buffer_, static_cast<uint32_t>(non_shared));
  PutVarint32(&buffer_, static_cast<uint32_t>(value.size()));
  buffer_.append(key.substr(shared));
  buffer_.append(value);

  last_key_.resize(shared);
  last_key_.append(key.substr(shared));
  assert(last_key_ == key);
  ++entries_since_restart_;
  ++entry_count_;
}

std::string_view BlockBuilder::Finish() {
  assert(!finished_);
  for (const uint32_t restart : restarts_) PutFixed32(&buffer_, restart);
  PutFixed32(&buffer_, static_cast<uint32_t>(restarts_.size()));
  finished_ = true;
  return buffer_;
}

}  // namespace powercut::engine
