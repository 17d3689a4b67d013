// Internal keys: how the engine orders every version of every user key.
//
// A user key may be written many times; each write gets a sequence number
// from the DB (strictly increasing), and a value type (a value or a deletion
// tombstone). The memtable, the sorted tables, and every internal iterator
// store *internal keys*:
//
//   internal_key := user_key  fixed64((sequence << 8) | type)
//
// ordered by user key ascending (bytewise), then sequence descending, then
// type descending, so that a forward scan meets the newest version of a key
// first, and Seek(user_key, snapshot) lands on the newest version visible at
// that snapshot. The 8-byte trailer is written to disk inside table files:
// its layout and the ValueType values never change.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace powercut::engine {

using SequenceNumber = uint64_t;

// Sequence numbers take 56 bits: the low 8 bits of the trailer hold the type.
inline constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

// Written to disk (in the internal-key trailer): never change. A plain enum
// so both `kTypeValue` and `ValueType::kTypeValue` spell it.
enum ValueType : uint8_t {
  kTypeDeletion = 0,
  kTypeValue = 1,
};
static_assert(kTypeDeletion == 0 && kTypeValue == 1, "written to disk: never change");

// The type a lookup key carries. Types sort descending for one sequence, so
// seeking with the highest type finds every entry of that sequence.
inline constexpr ValueType kValueTypeForSeek = kTypeValue;

// Size of the (sequence, type) trailer of every internal key.
inline constexpr size_t kInternalKeyTrailerBytes = 8;

// What a point lookup in one source (memtable or table) concluded.
enum class LookupResult {
  kFound,       // the newest visible entry is a value (returned)
  kDeleted,     // the newest visible entry is a tombstone: stop looking
  kNotPresent,  // no visible entry here: look in older sources
};

struct ParsedInternalKey {
  std::string_view user_key;
  SequenceNumber sequence = 0;
  ValueType type = kTypeValue;
};

// (sequence << 8) | type.  REQUIRES: sequence <= kMaxSequenceNumber
uint64_t PackSequenceAndType(SequenceNumber sequence, ValueType type);

// Appends the internal key for (user_key, sequence, type) to *result.
// REQUIRES: sequence <= kMaxSequenceNumber
void AppendInternalKey(std::string* result, std::string_view user_key, SequenceNumber sequence,
                       ValueType type);
void AppendInternalKey(std::string* result, const ParsedInternalKey& key);
// Returns the internal key for (user_key, sequence, type).
std::string MakeInternalKey(std::string_view user_key, SequenceNumber sequence, ValueType type);

// Splits an internal key. False if it is shorter than the trailer or its type
// byte is not a known ValueType; *result is then unspecified.
[[nodiscard]] bool ParseInternalKey(std::string_view internal_key, ParsedInternalKey* result);

// The user-key part.  REQUIRES: internal_key.size() >= kInternalKeyTrailerBytes
inline std::string_view ExtractUserKey(std::string_view internal_key) {
  assert(internal_key.size() >= kInternalKeyTrailerBytes);
  return internal_key.substr(0, internal_key.size() - kInternalKeyTrailerBytes);
}

// "'user_key' @ 42 : value" for messages and test failures; "<malformed: N
// bytes>" for a key that does not parse.
std::string DebugInternalKey(std::string_view internal_key);

// Orders internal keys: user key ascending (bytewise), then sequence
// descending, then type descending. Stateless.
class InternalKeyComparator {
 public:
  // <0, 0, >0 as a < b, a == b, a > b.
  // REQUIRES: both keys are at least kInternalKeyTrailerBytes long.
  int Compare(std::string_view a, std::string_view b) const;
  // Bytewise comparison of user keys (<0, 0, >0).
  static int CompareUserKeys(std::string_view a, std::string_view b);
  // Strict weak ordering, for std algorithms.
  bool operator()(std::string_view a, std::string_view b) const { return Compare(a, b) < 0; }
};

// The key a point lookup seeks with, for (user_key, snapshot): it sorts just
// before every version of user_key visible at `snapshot`. Holds, in one
// buffer, the memtable form (varint32 internal-key length + internal key), so
// the memtable can seek with it without copying.
class LookupKey {
 public:
  // REQUIRES: snapshot <= kMaxSequenceNumber
  LookupKey(std::string_view user_key, SequenceNumber snapshot);
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;

  // varint32(internal key length) + internal key: what the memtable compares.
  std::string_view memtable_key() const { return buffer_; }
  // user_key + fixed64((snapshot << 8) | kValueTypeForSeek).
  std::string_view internal_key() const {
    return std::string_view(buffer_).substr(internal_key_offset_);
  }
  std::string_view user_key() const { return ExtractUserKey(internal_key()); }

 private:
  std::string buffer_;
  size_t internal_key_offset_ = 0;
};

}  // namespace powercut::engine
