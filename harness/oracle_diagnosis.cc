// The oracle's diagnosis: when no prefix explains a recovered state, find
// which guarantee it breaks, on which key, and which writes are involved.
//
// Method. For every key that appears in the state, the base or the epoch's
// writes, the key's history is a list of segments (P ranges holding one
// value); the prefixes that explain the key's found value are the segments
// holding that value. Then, most specific rule first:
//   1. a key no prefix explains at all: an invented value, an intermediate
//      value inside a batch, or a value the last recovery served and lost;
//   2. a batch that one key shows applied and another shows not applied;
//   3. a key whose value was replaced by a write at or below the durable
//      prefix: an acknowledged-durable write was lost;
//   4. a key that needs P >= a (it shows write a) and a key that needs P < b
//      (it lacks write b) with b <= a: a hole;
//   5. otherwise the keys' allowed sets (unions of ranges, for keys deleted
//      and re-written) have no common point: a hole, named at the key where
//      the intersection runs empty.
// An empty result means the state is valid after all (Check asserts it never
// is, since the prefix index would have found it).
#include <algorithm>
#include <map>
#include <set>

#include "oracle.h"

namespace powercut::harness {

namespace {

constexpr size_t kMaxViolations = 8;
constexpr size_t kMaxExpectedValues = 4;

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;  // [begin, end), ascending

Ranges Intersect(const Ranges& a, const Ranges& b) {
  Ranges out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const uint64_t begin = std::max(a[i].first, b[j].first);
    const uint64_t end = std::min(a[i].second, b[j].second);
    if (begin < end) out.emplace_back(begin, end);
    (a[i].second < b[j].second) ? ++i : ++j;
  }
  return out;
}

std::string Quote(const std::optional<std::string>& value) { return ShortValueOrAbsent(value); }

}  // namespace

struct Oracle::KeyFit {
  std::string key;
  std::optional<std::string> found;
  Ranges allowed;                                        // non-empty
  uint64_t lo() const { return allowed.front().first; }  // needs P >= lo
  uint64_t hi() const { return allowed.back().second; }  // needs P < hi
};

Violation Oracle::KeyViolation(Guarantee guarantee, const std::string& key,
                               const std::optional<std::string>& found,
                               uint64_t from_prefix) const {
  Violation v;
  v.guarantee = guarantee;
  v.key = key;
  v.found = found;
  for (const Segment& segment : Segments(key)) {
    if (segment.end <= from_prefix) continue;
    std::optional<std::string> value;
    if (segment.value) value = *segment.value;
    if (std::find(v.expected.begin(), v.expected.end(), value) != v.expected.end()) continue;
    if (v.expected.size() == kMaxExpectedValues) {
      v.expected_truncated = true;
      break;
    }
    v.expected.push_back(std::move(value));
  }
  return v;
}

// REQUIRES: no prefix explains `found` for `key` (its allowed set is empty).
Violation Oracle::LostBaseValue(const std::string& key, const std::optional<std::string>& found,
                                uint64_t lowest) const {
  if (found && !ever_written_.count(EntryHash(key, *found))) {
    Violation v = KeyViolation(Guarantee::kNoInvention, key, found, lowest);
    v.explanation = "the value " + Quote(found) + " was never written to " + key;
    return v;
  }
  if (found) {
    auto events = events_.find(key);
    for (const KeyEvent& e : events == events_.end() ? std::vector<KeyEvent>{} : events->second) {
      const Mutation& m = Write(e.write).mutations[e.mutation];
      if (m.is_put() && m.value == *found) {
        Violation v = KeyViolation(Guarantee::kAtomicBatches, key, found, lowest);
        v.writes = {e.write};
        v.explanation = "the value is an intermediate one inside write " + std::to_string(e.write) +
                        ", which a later mutation of it replaced";
        return v;
      }
    }
  }
  Guarantee guarantee = Guarantee::kAcknowledgedDurable;
  std::string why = "the initial state is durable, but the crash changed " + key;
  if (recoveries_ > 0) {
    guarantee =
        read_base_keys_.count(key) ? Guarantee::kReadsStayTrue : Guarantee::kDurableRecovery;
    why = "recovery " + std::to_string(recoveries_) + " served " +
          Quote(ValueAt(key, base_prefix_) ? std::optional<std::string>(*ValueAt(key, base_prefix_))
                                           : std::nullopt) +
          " for " + key + (guarantee == Guarantee::kReadsStayTrue ? " and a read saw it" : "") +
          ", but a later crash lost it";
  }
  Violation v = KeyViolation(guarantee, key, found, lowest);
  v.explanation = why;
  return v;
}

// 1. Fits every key; a key no prefix explains is a violation by itself.
std::vector<Violation> Oracle::FitKeys(const KvState& state, uint64_t lowest,
                                       std::vector<KeyFit>* fits) const {
  std::set<std::string> keys;
  for (const auto& [key, value] : state) keys.insert(key);
  for (const auto& [key, value] : base_) keys.insert(key);
  for (const auto& [key, events] : events_) keys.insert(key);
  std::vector<Violation> violations;
  for (const std::string& key : keys) {
    KeyFit fit;
    fit.key = key;
    if (auto it = state.find(key); it != state.end()) fit.found = it->second;
    for (const Segment& s : Segments(key)) {
      const bool same = s.value ? fit.found == *s.value : !fit.found;
      if (!same) continue;
      if (!fit.allowed.empty() && fit.allowed.back().second == s.begin) {
        fit.allowed.back().second = s.end;
      } else {
        fit.allowed.emplace_back(s.begin, s.end);
      }
    }
    if (!fit.allowed.empty()) {
      fits->push_back(std::move(fit));
    } else if (violations.size() < kMaxViolations) {
      violations.push_back(LostBaseValue(key, fit.found, lowest));
    }
  }
  return violations;
}

// 2. A batch both in (some key's value starts at it) and out (another key's
//    value ends at it).
std::vector<Violation> Oracle::HalfAppliedBatches(const std::vector<KeyFit>& fits) const {
  const uint64_t n = write_count();
  std::map<uint64_t, const KeyFit*> has, lacks;
  for (const KeyFit& fit : fits) {
    if (fit.lo() > base_prefix_) has.emplace(fit.lo(), &fit);
    if (fit.hi() <= n) lacks.emplace(fit.hi(), &fit);
  }
  std::vector<Violation> violations;
  for (const auto& [write, lacking] : lacks) {
    auto having = has.find(write);
    if (having == has.end() || violations.size() == kMaxViolations) continue;
    Violation v = KeyViolation(Guarantee::kAtomicBatches, lacking->key, lacking->found, write);
    const std::string* expected = ValueAt(lacking->key, write);
    v.expected.assign(1, expected ? std::optional<std::string>(*expected) : std::nullopt);
    v.expected_truncated = false;
    v.writes = {write};
    v.explanation = "batch " + std::to_string(write) + " is half applied: " + having->second->key +
                    " has its value, " + lacking->key + " does not";
    violations.push_back(std::move(v));
  }
  return violations;
}

// 3. A durable write replaced the found value.
std::vector<Violation> Oracle::LostDurableWrites(const std::vector<KeyFit>& fits, uint64_t lowest,
                                                 const std::string& lowest_reason) const {
  std::vector<Violation> violations;
  for (const KeyFit& fit : fits) {
    if (fit.hi() > lowest || violations.size() == kMaxViolations) continue;
    Violation v = KeyViolation(Guarantee::kAcknowledgedDurable, fit.key, fit.found, lowest);
    v.writes = {fit.hi()};
    if (lowest != fit.hi()) v.writes.push_back(lowest);
    v.explanation = DescribeWrite(fit.hi()) + " is lost, but " + lowest_reason;
    violations.push_back(std::move(v));
  }
  return violations;
}

// 4 and 5. A later write survived an earlier lost one, or the keys' allowed
// sets share no prefix.
std::vector<Violation> Oracle::Holes(const std::vector<KeyFit>& fits, uint64_t lowest) const {
  const KeyFit* latest_kept = nullptr;
  const KeyFit* earliest_lost = nullptr;
  for (const KeyFit& fit : fits) {
    if (!latest_kept || fit.lo() > latest_kept->lo()) latest_kept = &fit;
    if (!earliest_lost || fit.hi() < earliest_lost->hi()) earliest_lost = &fit;
  }
  if (latest_kept && earliest_lost && latest_kept->lo() >= earliest_lost->hi()) {
    const uint64_t lost = earliest_lost->hi(), kept = latest_kept->lo();
    Violation v = KeyViolation(Guarantee::kNoHole, earliest_lost->key, earliest_lost->found,
                               std::max(kept, lowest));
    v.writes = {lost, kept};
    v.explanation = DescribeWrite(lost) + " is lost, but the later " + DescribeWrite(kept) + " (" +
                    latest_kept->key + ") survived: writes may be lost only as a suffix";
    return {std::move(v)};
  }
  Ranges common = {{lowest, write_count() + 1}};
  for (const KeyFit& fit : fits) {
    Ranges next = Intersect(common, fit.allowed);
    if (!next.empty()) {
      common = std::move(next);
      continue;
    }
    Violation v = KeyViolation(Guarantee::kNoHole, fit.key, fit.found, common.front().first);
    v.explanation = "no prefix of the writes that explains the other keys explains " + fit.key +
                    ": writes may be lost only as a suffix";
    return {std::move(v)};
  }
  return {};
}

std::vector<Violation> Oracle::Diagnose(const KvState& state, uint64_t lowest,
                                        const std::string& lowest_reason) const {
  std::vector<KeyFit> fits;
  std::vector<Violation> violations = FitKeys(state, lowest, &fits);
  if (violations.empty()) violations = HalfAppliedBatches(fits);
  if (violations.empty()) violations = LostDurableWrites(fits, lowest, lowest_reason);
  if (violations.empty()) violations = Holes(fits, lowest);
  return violations;
}

}  // namespace powercut::harness
