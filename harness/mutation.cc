// Value naming for harness writes (see mutation.h): tags, self-describing
// values and their short printable form used by workloads and violations.
#include "mutation.h"

#include <cassert>

namespace powercut::harness {

std::string ValueTag(uint64_t write_number, uint32_t mutation_index, bool in_batch) {
  std::string tag = "v" + std::to_string(write_number);
  if (in_batch) tag += "." + std::to_string(mutation_index);
  return tag;
}

std::string MakeValue(std::string_view tag, uint64_t size_bytes) {
  assert(!tag.empty() && tag.find(':') == std::string_view::npos);
  if (size_bytes <= tag.size()) return std::string(tag);
  std::string unit = std::string(tag) + ":";
  std::string value;
  value.reserve(size_bytes);
  while (value.size() < size_bytes) value += unit;
  value.resize(size_bytes);
  return value;
}

namespace {

bool IsPrintable(std::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// True when `value` is exactly MakeValue(tag, value.size()) for its own tag.
bool IsSelfDescribing(std::string_view value, std::string_view* tag) {
  size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  *tag = value.substr(0, colon);
  return MakeValue(*tag, value.size()) == value;
}

}  // namespace

bool IsSelfDescribingValue(std::string_view value) {
  std::string_view tag = value.substr(0, value.find(':'));
  if (tag.size() < 2 || tag[0] != 'v') return false;
  for (char c : tag.substr(1)) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  return MakeValue(tag, value.size()) == value;
}

std::string ShortValue(std::string_view value) {
  constexpr size_t kShortBytes = 24;
  if (value.size() <= kShortBytes && IsPrintable(value)) return std::string(value);
  std::string_view tag;
  if (IsSelfDescribing(value, &tag)) return std::string(tag) + "*" + std::to_string(value.size());
  std::string prefix;
  for (char c : value.substr(0, 8)) prefix += (c >= 0x20 && c <= 0x7e) ? c : '?';
  return "'" + prefix + "...'*" + std::to_string(value.size());
}

std::string ShortValueOrAbsent(const std::optional<std::string>& value) {
  return value ? ShortValue(*value) : std::string("<absent>");
}

}  // namespace powercut::harness
