// Internal-key encoding and ordering (see dbformat.h for the layout).
#include "dbformat.h"

#include <cstring>

#include "coding.h"

namespace powercut::engine {

uint64_t PackSequenceAndType(SequenceNumber sequence, ValueType type) {
  assert(sequence <= kMaxSequenceNumber);
  assert(type == kTypeDeletion || type == kTypeValue);
  return (sequence << 8) | type;
}

void AppendInternalKey(std::string* result, std::string_view user_key, SequenceNumber sequence,
                       ValueType type) {
  result->append(user_key);
  PutFixed64(result, PackSequenceAndType(sequence, type));
}

void AppendInternalKey(std::string* result, const ParsedInternalKey& key) {
  AppendInternalKey(result, key.user_key, key.sequence, key.type);
}

std::string MakeInternalKey(std::string_view user_key, SequenceNumber sequence, ValueType type) {
  std::string result;
  result.reserve(user_key.size() + kInternalKeyTrailerBytes);
  AppendInternalKey(&result, user_key, sequence, type);
  return result;
}

bool ParseInternalKey(std::string_view internal_key, ParsedInternalKey* result) {
  if (internal_key.size() < kInternalKeyTrailerBytes) return false;
  const uint64_t packed =
      DecodeFixed64(internal_key.data() + internal_key.size() - kInternalKeyTrailerBytes);
  const uint8_t type = packed & 0xff;
  if (type != kTypeDeletion && type != kTypeValue) return false;
  result->user_key = ExtractUserKey(internal_key);
  result->sequence = packed >> 8;
  result->type = static_cast<ValueType>(type);
  return true;
}

std::string DebugInternalKey(std::string_view internal_key) {
  ParsedInternalKey parsed;
  if (!ParseInternalKey(internal_key, &parsed)) {
    return "<malformed: " + std::to_string(internal_key.size()) + " bytes>";
  }
  std::string out = "'";
  out.append(parsed.user_key);
  out += "' @ " + std::to_string(parsed.sequence);
  out += parsed.type == kTypeValue ? " : value" : " : deletion";
  return out;
}

int InternalKeyComparator::CompareUserKeys(std::string_view a, std::string_view b) {
  return a.compare(b);  // bytewise: std::char_traits<char> compares as unsigned char
}

int InternalKeyComparator::Compare(std::string_view a, std::string_view b) const {
  const int by_user_key = CompareUserKeys(ExtractUserKey(a), ExtractUserKey(b));
  if (by_user_key != 0) return by_user_key;
  const uint64_t a_packed = DecodeFixed64(a.data() + a.size() - kInternalKeyTrailerBytes);
  const uint64_t b_packed = DecodeFixed64(b.data() + b.size() - kInternalKeyTrailerBytes);
  // Larger (sequence, type) first: newer entries sort earlier.
  if (a_packed > b_packed) return -1;
  if (a_packed < b_packed) return 1;
  return 0;
}

LookupKey::LookupKey(std::string_view user_key, SequenceNumber snapshot) {
  const size_t internal_key_size = user_key.size() + kInternalKeyTrailerBytes;
  buffer_.reserve(kMaxVarint32Bytes + internal_key_size);
  PutVarint32(&buffer_, static_cast<uint32_t>(internal_key_size));
  internal_key_offset_ = buffer_.size();
  AppendInternalKey(&buffer_, user_key, snapshot, kValueTypeForSeek);
}

}  // namespace powercut::engine
