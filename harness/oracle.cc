// The history oracle's recording and its fast check (see oracle.h for the
// method). The diagnosis of a failing state lives in oracle_diagnosis.cc.
#include "oracle.h"

#include <algorithm>
#include <cassert>
#include <functional>

namespace powercut::harness {

namespace {

uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t Oracle::EntryHash(std::string_view key, std::string_view value) {
  const uint64_t key_hash = std::hash<std::string_view>{}(key);
  const uint64_t value_hash = std::hash<std::string_view>{}(value);
  return Mix64(Mix64(key_hash) ^ (value_hash + 0x9e3779b97f4a7c15ULL));
}

uint64_t Oracle::StateHash(const KvState& state) {
  uint64_t hash = 0;
  for (const auto& [key, value] : state) hash += EntryHash(key, value);
  return hash;
}

Oracle::Oracle(KvState initial) {
  durable_reason_ = "the initial state is durable";
  ResetEpoch(std::move(initial));
}

void Oracle::ResetEpoch(KvState base) {
  base_ = std::move(base);
  base_prefix_ += writes_.size();
  writes_.clear();
  events_.clear();
  live_entry_hash_.clear();
  prefixes_by_hash_.clear();
  read_base_keys_.clear();
  for (const auto& [key, value] : base_) {
    const uint64_t hash = EntryHash(key, value);
    live_entry_hash_[key] = hash;
    ever_written_.insert(hash);
  }
  const uint64_t hash = StateHash(base_);
  prefix_hash_.assign(1, hash);
  prefix_count_.assign(1, base_.size());
  prefixes_by_hash_[hash].push_back(base_prefix_);
}

void Oracle::SetDurablePrefix(uint64_t prefix, std::string reason) {
  if (prefix <= durable_prefix_) return;
  durable_prefix_ = prefix;
  durable_reason_ = std::move(reason);
}

uint64_t Oracle::BeginWrite(std::vector<Mutation> mutations, bool sync) {
  assert(!mutations.empty());
  const uint64_t number = write_count() + 1;
  uint64_t hash = prefix_hash_.back();
  uint64_t count = prefix_count_.back();
  for (uint32_t i = 0; i < mutations.size(); ++i) {
    const Mutation& m = mutations[i];
    events_[m.key].push_back(KeyEvent{number, i});
    auto live = live_entry_hash_.find(m.key);
    if (live != live_entry_hash_.end()) {
      hash -= live->second;
      --count;
      live_entry_hash_.erase(live);
    }
    if (m.is_put()) {
      const uint64_t entry = EntryHash(m.key, m.value);
      hash += entry;
      ++count;
      live_entry_hash_[m.key] = entry;
      ever_written_.insert(entry);
    }
  }
  writes_.push_back(WriteRecord{std::move(mutations), sync, WriteOutcome::kInFlight});
  prefix_hash_.push_back(hash);
  prefix_count_.push_back(count);
  prefixes_by_hash_[hash].push_back(number);
  return number;
}

void Oracle::EndWrite(uint64_t write_number, const Status& status) {
  assert(write_number > base_prefix_ && write_number <= write_count());
  WriteRecord& write = writes_[write_number - base_prefix_ - 1];
  assert(write.outcome == WriteOutcome::kInFlight);
  if (!status.ok()) {
    write.outcome = WriteOutcome::kFailed;
    return;
  }
  write.outcome = WriteOutcome::kAcknowledged;
  last_acknowledged_ = std::max(last_acknowledged_, write_number);
  if (write.sync) {
    SetDurablePrefix(write_number,
                     "write " + std::to_string(write_number) + " was acknowledged with sync=true");
  }
}

void Oracle::RecordFlush(const Status& status) {
  if (!status.ok()) return;
  SetDurablePrefix(
      last_acknowledged_,
      "a flush succeeded after write " + std::to_string(last_acknowledged_) + " was acknowledged");
}

void Oracle::RecordRecovery(const KvState& recovered) {
  ++recoveries_;
  ResetEpoch(recovered);
  SetDurablePrefix(base_prefix_,
                   "recovery " + std::to_string(recoveries_) + " made the state it served durable");
}

WriteOutcome Oracle::outcome(uint64_t write_number) const { return Write(write_number).outcome; }

const Oracle::WriteRecord& Oracle::Write(uint64_t write_number) const {
  assert(write_number > base_prefix_ && write_number <= write_count());
  return writes_[write_number - base_prefix_ - 1];
}

const std::string* Oracle::ValueAt(const std::string& key, uint64_t prefix) const {
  assert(prefix >= base_prefix_);
  auto events = events_.find(key);
  if (events != events_.end()) {
    const std::vector<KeyEvent>& list = events->second;
    auto after = std::upper_bound(list.begin(), list.end(), prefix,
                                  [](uint64_t p, const KeyEvent& e) { return p < e.write; });
    if (after != list.begin()) {
      const KeyEvent& last = *std::prev(after);
      const Mutation& m = Write(last.write).mutations[last.mutation];
      return m.is_put() ? &m.value : nullptr;
    }
  }
  auto base = base_.find(key);
  return base == base_.end() ? nullptr : &base->second;
}

bool Oracle::StateEqualsPrefix(const KvState& state, uint64_t prefix) const {
  if (prefix_count_[prefix - base_prefix_] != state.size()) return false;
  for (const auto& [key, value] : state) {
    const std::string* expected = ValueAt(key, prefix);
    if (expected == nullptr || *expected != value) return false;
  }
  return true;
}

std::optional<uint64_t> Oracle::FindPrefix(const KvState& state, uint64_t lowest) const {
  auto candidates = prefixes_by_hash_.find(StateHash(state));
  if (candidates == prefixes_by_hash_.end()) return std::nullopt;
  const std::vector<uint64_t>& prefixes = candidates->second;
  // Equal hashes with unequal states (collisions) are skipped by the exact check.
  for (auto it = std::lower_bound(prefixes.begin(), prefixes.end(), lowest); it != prefixes.end();
       ++it) {
    if (StateEqualsPrefix(state, *it)) return *it;
  }
  return std::nullopt;
}

std::vector<Oracle::Segment> Oracle::Segments(const std::string& key) const {
  std::vector<Segment> segments;
  uint64_t begin = base_prefix_;
  uint64_t setter = base_prefix_;
  auto base = base_.find(key);
  const std::string* value = base == base_.end() ? nullptr : &base->second;
  auto events = events_.find(key);
  if (events != events_.end()) {
    for (const KeyEvent& event : events->second) {
      // A write that changes the key twice (inside a batch) leaves an empty
      // segment: its intermediate value is never a state.
      if (event.write > begin) segments.push_back(Segment{begin, event.write, setter, value});
      const Mutation& m = Write(event.write).mutations[event.mutation];
      begin = setter = event.write;
      value = m.is_put() ? &m.value : nullptr;
    }
  }
  segments.push_back(Segment{begin, write_count() + 1, setter, value});
  return segments;
}

CheckResult Oracle::Check(const KvState& recovered, const CheckOptions& options) const {
  uint64_t lowest = std::max(durable_prefix_, base_prefix_);
  std::string reason = durable_reason_;
  if (options.lossless && last_acknowledged_ > lowest) {
    lowest = last_acknowledged_;
    reason = "nothing was lost, so every acknowledged write (up to write " +
             std::to_string(lowest) + ") must be present";
  }
  CheckResult result;
  result.prefix = FindPrefix(recovered, lowest);
  if (result.prefix) return result;
  result.violations = Diagnose(recovered, lowest, reason);
  assert(!result.violations.empty() && "the diagnosis agrees with the prefix index");
  if (options.crash_depth >= 2) {
    for (Violation& v : result.violations) {
      v.underlying = v.guarantee;
      v.guarantee = Guarantee::kCrashSafeRecovery;
    }
  }
  return result;
}

CheckResult Oracle::CheckDurableRecovery(const KvState& first, const KvState& second) {
  constexpr size_t kMaxViolations = 8;
  CheckResult result;
  auto report = [&](const std::string& key, const std::optional<std::string>& expected,
                    const std::optional<std::string>& found) {
    if (result.violations.size() >= kMaxViolations) return;
    Violation v;
    v.guarantee = Guarantee::kDurableRecovery;
    v.key = key;
    v.expected.push_back(expected);
    v.found = found;
    v.explanation = "a power cut right after recovery changed what the recovery had served";
    result.violations.push_back(std::move(v));
  };
  for (const auto& [key, value] : first) {
    auto it = second.find(key);
    if (it == second.end()) {
      report(key, value, std::nullopt);
    } else if (it->second != value) {
      report(key, value, it->second);
    }
  }
  for (const auto& [key, value] : second) {
    if (!first.count(key)) report(key, std::nullopt, value);
  }
  return result;
}

std::optional<Violation> Oracle::RecordRead(std::string_view key,
                                            const std::optional<std::string>& observed) {
  const std::string key_string(key);
  const uint64_t lowest = std::max(last_acknowledged_, base_prefix_);
  bool explained = false;
  for (const Segment& segment : Segments(key_string)) {
    const bool same = segment.value ? observed == *segment.value : !observed;
    if (same && segment.end > lowest) explained = true;
  }
  auto base = base_.find(key_string);
  if (observed && base != base_.end() && base->second == *observed) {
    read_base_keys_.insert(key_string);
  }
  if (explained) return std::nullopt;
  Violation v = KeyViolation(Guarantee::kReadConsistency, key_string, observed, lowest);
  v.explanation = "a live read must show the latest acknowledged value";
  return v;
}

std::vector<Violation> Oracle::RecordScan(const KvState& observed) {
  const uint64_t lowest = std::max(last_acknowledged_, base_prefix_);
  for (const auto& [key, value] : observed) {
    auto base = base_.find(key);
    if (base != base_.end() && base->second == value) read_base_keys_.insert(key);
  }
  if (FindPrefix(observed, lowest)) return {};
  std::vector<Violation> violations =
      Diagnose(observed, lowest, "a live scan must show every acknowledged write");
  for (Violation& v : violations) {
    v.underlying = v.guarantee;
    v.guarantee = Guarantee::kReadConsistency;
  }
  return violations;
}

std::string Oracle::DescribeWrite(uint64_t write_number) const {
  std::string text = "write " + std::to_string(write_number) + ": ";
  if (write_number == 0 || write_number > write_count()) return text + "(no such write)";
  if (write_number <= base_prefix_) return text + "(before the last recovery)";
  const WriteRecord& write = Write(write_number);
  for (size_t i = 0; i < write.mutations.size(); ++i) {
    const Mutation& m = write.mutations[i];
    text += (i ? "; " : "") +
            (m.is_put() ? "put " + m.key + " " + ShortValue(m.value) : "delete " + m.key);
  }
  text += write.sync ? " sync" : "";
  switch (write.outcome) {
    case WriteOutcome::kInFlight:
      return text + ", in flight";
    case WriteOutcome::kAcknowledged:
      return text + ", acknowledged";
    case WriteOutcome::kFailed:
      return text + ", failed";
  }
  return text;
}

}  // namespace powercut::harness
