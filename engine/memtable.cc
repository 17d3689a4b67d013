// MemTable: entry encoding in the arena, lookups and the iterator (see
// memtable.h for the entry layout and the threading contract).
#include "memtable.h"

#include <cstring>

#include "coding.h"

namespace powercut::engine {

namespace {

// Reads the varint32-prefixed string at `p` (an entry we encoded ourselves).
// The varint is well formed and at most kMaxVarint32Bytes long, so decoding
// never reads past its last byte even though the view spans the maximum.
std::string_view GetLengthPrefixedAt(const char* p) {
  std::string_view input(p, kMaxVarint32Bytes);
  uint32_t length = 0;
  const bool ok = GetVarint32(&input, &length);
  assert(ok && "memtable entries are encoded by Add");
  (void)ok;
  return std::string_view(input.data(), length);
}

// An entry's value: the length-prefixed string right after its internal key.
std::string_view EntryValue(std::string_view internal_key) {
  return GetLengthPrefixedAt(internal_key.data() + internal_key.size());
}

}  // namespace

int MemTable::EntryComparator::operator()(const char* a, const char* b) const {
  return InternalKeyComparator().Compare(GetLengthPrefixedAt(a), GetLengthPrefixedAt(b));
}

class MemTable::MemTableIterator final : public InternalIterator {
 public:
  explicit MemTableIterator(const Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void Seek(std::string_view internal_target) override {
    // The skiplist holds length-prefixed keys: encode the target the same way.
    scratch_.clear();
    PutLengthPrefixed(&scratch_, internal_target);
    iter_.Seek(scratch_.data());
  }
  void Next() override { iter_.Next(); }
  std::string_view key() const override { return GetLengthPrefixedAt(iter_.key()); }
  std::string_view value() const override { return EntryValue(key()); }
  Status status() const override { return Status::OK(); }

 private:
  Table::Iterator iter_;
  std::string scratch_;
};

MemTable::MemTable() : table_(EntryComparator(), &arena_) {}

void MemTable::Add(SequenceNumber seq, ValueType type, std::string_view user_key,
                   std::string_view value) {
  assert(seq <= kMaxSequenceNumber);
  if (type == kTypeDeletion) value = {};
  const size_t internal_key_size = user_key.size() + kInternalKeyTrailerBytes;
  const size_t encoded_size = VarintLength(internal_key_size) + internal_key_size +
                              VarintLength(value.size()) + value.size();
  char* const entry = arena_.Allocate(encoded_size);
  char* p = EncodeVarint32(entry, static_cast<uint32_t>(internal_key_size));
  std::memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += kInternalKeyTrailerBytes;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  assert(p + value.size() == entry + encoded_size);
  table_.Insert(entry);
  entries_.fetch_add(1, std::memory_order_relaxed);
}

MemTable::LookupResult MemTable::Get(std::string_view user_key, SequenceNumber snapshot,
                                     std::string* value) const {
  const LookupKey lookup(user_key, snapshot);
  Table::Iterator iter(&table_);
  iter.Seek(lookup.memtable_key().data());
  if (!iter.Valid()) return LookupResult::kNotPresent;
  // The first entry >= (user_key, snapshot) is the newest visible version of
  // user_key, if it is a version of user_key at all.
  const std::string_view found_key = GetLengthPrefixedAt(iter.key());
  ParsedInternalKey parsed;
  const bool ok = ParseInternalKey(found_key, &parsed);
  assert(ok && "memtable entries are encoded by Add");
  (void)ok;
  if (parsed.user_key != user_key) return LookupResult::kNotPresent;
  assert(parsed.sequence <= snapshot);
  if (parsed.type == kTypeDeletion) return LookupResult::kDeleted;
  const std::string_view found_value = EntryValue(found_key);
  value->assign(found_value.data(), found_value.size());
  return LookupResult::kFound;
}

size_t MemTable::ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }

std::unique_ptr<InternalIterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&table_);
}

}  // namespace powercut::engine
