// Mutation and value naming: the vocabulary shared by the workload model, the
// engine adapters and the history oracle. A Mutation is one put or delete of a
// key; a write (put, delete or atomic batch) is a vector of them.
//
// Values are *self-describing*: every value the harness writes begins with a
// tag unique to the write and mutation that produced it ("v17" for the 17th
// write, "v17.2" for the third mutation of batch 17), and a value longer than
// its tag repeats "tag:" to its size. So a value found after a crash names the
// write it came from, a value never written is recognisable as invented, and
// a 100 KiB value prints as "v17*102400".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace powercut::harness {

struct Mutation {
  enum class Kind : uint8_t { kPut, kDelete };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;  // empty for a delete

  static Mutation Put(std::string key, std::string value) {
    return Mutation{Kind::kPut, std::move(key), std::move(value)};
  }
  static Mutation Delete(std::string key) { return Mutation{Kind::kDelete, std::move(key), {}}; }
  bool is_put() const { return kind == Kind::kPut; }

  friend bool operator==(const Mutation&, const Mutation&) = default;
};

// A key-value state: what an engine holds (or a recovery brought back).
using KvState = std::map<std::string, std::string>;

// The tag of the value written by mutation `mutation_index` of write
// `write_number`: "v17" for a single-mutation write, "v17.2" inside a batch.
std::string ValueTag(uint64_t write_number, uint32_t mutation_index, bool in_batch);

// A value of `size_bytes` bytes that starts with `tag` and is unique to it:
// the tag itself when it is at least as long, otherwise "tag:" repeated and cut
// to size. REQUIRES: tag is non-empty and contains no ':'.
std::string MakeValue(std::string_view tag, uint64_t size_bytes);

// True when `value` is MakeValue(tag, value.size()) for a harness tag
// ("v<n>" or "v<n>.<i>").
bool IsSelfDescribingValue(std::string_view value);

// A short printable form: the value itself when short (<= 24 bytes) and
// printable, "tag*size" for a self-describing long value, otherwise a
// prefix with the size ("'abc...'*4000").
std::string ShortValue(std::string_view value);
// ShortValue, or "<absent>" for nullopt.
std::string ShortValueOrAbsent(const std::optional<std::string>& value);

}  // namespace powercut::harness
