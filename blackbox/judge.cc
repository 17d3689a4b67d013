// The step-5 judge and the checker-output parser (see judge.h).
#include "judge.h"

#include <set>

namespace powercut::blackbox {
namespace {

// The values each key was ever given (W and A lines).
std::map<std::string, std::set<std::string>> WrittenValues(const std::vector<AckEvent>& acks) {
  std::map<std::string, std::set<std::string>> written;
  for (const AckEvent& event : acks) {
    if (event.kind != AckKind::kDelete) written[event.key].insert(event.value);
  }
  return written;
}

// Index of the last A/D event of `key` stamped at or before `position`.
std::optional<size_t> LastAcknowledged(const std::vector<AckEvent>& acks, const std::string& key,
                                       uint64_t position) {
  std::optional<size_t> last;
  for (size_t i = 0; i < acks.size(); ++i) {
    const AckEvent& event = acks[i];
    if (event.key == key && event.kind != AckKind::kWrite && event.position <= position) last = i;
  }
  return last;
}

// True if `value` was written to `key` after acks[ack]: a W line before the
// crash point, or an A line anywhere after it.
bool WrittenAfter(const std::vector<AckEvent>& acks, size_t ack, const std::string& key,
                  const std::string& value, uint64_t position) {
  for (size_t i = ack + 1; i < acks.size(); ++i) {
    const AckEvent& event = acks[i];
    if (event.key != key || event.value != value) continue;
    if (event.kind == AckKind::kAcknowledge) return true;
    if (event.kind == AckKind::kWrite && event.position <= position) return true;
  }
  return false;
}

}  // namespace

Result<KeyValues> ParseCheckerOutput(std::string_view out) {
  KeyValues state;
  size_t line_number = 0;
  while (!out.empty()) {
    const size_t newline = out.find('\n');
    std::string_view line = out.substr(0, newline);
    out = newline == std::string_view::npos ? std::string_view() : out.substr(newline + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    const auto bad = [&](std::string_view why) {
      return Status::InvalidArgument("checker stdout line " + std::to_string(line_number) + ": '" +
                                     std::string(line) + "': " + std::string(why));
    };
    if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
        line.find_first_of(" \t", space + 1) != std::string_view::npos ||
        line.substr(0, space).find('\t') != std::string_view::npos) {
      return bad("expected 'key value' (one space, no whitespace inside key or value)");
    }
    std::string key(line.substr(0, space));
    if (state.contains(key)) return bad("key '" + key + "' printed twice");
    state.emplace(std::move(key), std::string(line.substr(space + 1)));
  }
  return state;
}

std::string_view FindingKindName(Finding::Kind kind) {
  switch (kind) {
    case Finding::Kind::kMissing:
      return "missing";
    case Finding::Kind::kStale:
      return "stale";
    case Finding::Kind::kDeleteUndone:
      return "delete-undone";
    case Finding::Kind::kInvented:
      return "invented";
  }
  return "?";
}

std::string Finding::ToString() const {
  std::string text = std::string(FindingKindName(kind)) + ": key " + key;
  if (!expected.empty()) {
    text += ", acknowledged '" + expected + "' (trace seq " + std::to_string(expected_seq) + ")";
  }
  switch (kind) {
    case Kind::kMissing:
      return text + ", not recovered";
    case Kind::kStale:
      return text + ", recovered the older value '" + found + "'";
    case Kind::kDeleteUndone:
      return text + ", recovered the value '" + found + "'";
    case Kind::kInvented:
      return text + ", recovered '" + found + "', a value never written to it";
  }
  return text;
}

std::vector<Finding> JudgeState(const std::vector<AckEvent>& acks, const KeyValues& initial,
                                uint64_t crash_position, const KeyValues& recovered) {
  const auto written = WrittenValues(acks);
  std::set<std::string> keys;
  for (const auto& [key, values] : written) keys.insert(key);
  for (const AckEvent& event : acks) keys.insert(event.key);
  for (const auto& [key, value] : recovered) keys.insert(key);
  std::vector<Finding> findings;
  for (const std::string& key : keys) {
    const auto found = recovered.find(key);
    const bool present = found != recovered.end();
    Finding finding;
    finding.key = key;
    finding.found = present ? found->second : "";
    const auto values = written.find(key);
    const auto initial_value = initial.find(key);
    const bool ever_written =
        present && ((values != written.end() && values->second.contains(found->second)) ||
                    (initial_value != initial.end() && initial_value->second == found->second));
    if (present && !ever_written) {
      finding.kind = Finding::Kind::kInvented;
      findings.push_back(finding);
      continue;
    }
    const std::optional<size_t> last = LastAcknowledged(acks, key, crash_position);
    if (!last) continue;
    const AckEvent& ack = acks[*last];
    finding.expected = ack.ToString();
    finding.expected_seq = ack.seq;
    if (ack.kind == AckKind::kAcknowledge) {
      if (!present) {
        finding.kind = Finding::Kind::kMissing;
      } else if (found->second == ack.value ||
                 WrittenAfter(acks, *last, key, found->second, crash_position)) {
        continue;
      } else {
        finding.kind = Finding::Kind::kStale;
      }
    } else {
      if (!present || WrittenAfter(acks, *last, key, found->second, crash_position)) continue;
      finding.kind = Finding::Kind::kDeleteUndone;
    }
    findings.push_back(finding);
  }
  return findings;
}

std::string_view VerdictKindName(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::kPass:
      return "pass";
    case VerdictKind::kLostOrInvented:
      return "lost-or-invented";
    case VerdictKind::kRecoveryFailed:
      return "recovery-failed";
    case VerdictKind::kInconsistent:
      return "inconsistent";
    case VerdictKind::kCheckerError:
      return "checker-error";
  }
  return "?";
}

std::string DescribeExit(const CheckerRun& run) {
  if (!run.spawn_error.empty()) return "could not start: " + run.spawn_error;
  if (run.timed_out) return "timed out";
  if (run.signal != 0) return "killed by signal " + std::to_string(run.signal);
  return "exit " + std::to_string(run.exit_code);
}

Verdict JudgeRun(const CheckerRun& run, const std::vector<AckEvent>& acks, const KeyValues& initial,
                 uint64_t crash_position) {
  Verdict verdict;
  if (!run.spawn_error.empty() || run.timed_out || run.signal != 0 ||
      (run.exit_code != 0 && run.exit_code != 1 && run.exit_code != 2)) {
    verdict.kind = VerdictKind::kCheckerError;
    verdict.detail = "checker " + DescribeExit(run);
    return verdict;
  }
  if (run.exit_code == 1) {
    verdict.kind = VerdictKind::kRecoveryFailed;
    return verdict;
  }
  if (run.exit_code == 2) {
    verdict.kind = VerdictKind::kInconsistent;
    return verdict;
  }
  Result<KeyValues> recovered = ParseCheckerOutput(run.out);
  if (!recovered.ok()) {
    verdict.kind = VerdictKind::kCheckerError;
    verdict.detail = recovered.status().message();
    return verdict;
  }
  verdict.findings = JudgeState(acks, initial, crash_position, *recovered);
  if (!verdict.findings.empty()) verdict.kind = VerdictKind::kLostOrInvented;
  return verdict;
}

}  // namespace powercut::blackbox
