// The verdict of the black-box protocol (DESIGN.md, steps 4 and 5) on one
// crash state: the checker's exit code and output against the workload's
// acknowledgements. Exit 1 is a failure to recover, exit 2 an inconsistency
// the checker found by its own rules, any other non-zero exit, a signal or a
// timeout a failed checker; exit 0 means stdout holds the recovered state as
// `key value` lines, which step 5 judges:
//   - a key's last acknowledged event (A or D line) before the crash point
//     holds: after `A k v`, k holds v or a value written after that ack
//     (a W line after it and before the crash point, or an A line after it:
//     an acknowledged value was written before its ack); after `D k`, k is
//     absent or holds such a later value;
//   - no key holds a value never written: every value is one of the key's
//     W/A values anywhere in the trace, or its value in the initial state
//     (the checker's output on the --init image).
// "Before the crash point": an ack line stamped at SimFs position p (after
// operation p) counts for crash points >= p; the crash may come right after
// the program acknowledged.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ack_lines.h"
#include "powercut/status.h"

namespace powercut::blackbox {

using KeyValues = std::map<std::string, std::string>;

// What one run of the checker did.
struct CheckerRun {
  int exit_code = 0;        // valid when !signaled && !timed_out
  int signal = 0;           // the signal that killed it, or 0
  bool timed_out = false;   // killed after the timeout
  std::string out;          // stdout
  std::string err;          // stderr
  std::string spawn_error;  // non-empty if /bin/sh could not be started
};

// Parses `key value` lines (one space; blank lines ignored). InvalidArgument
// names the line: "checker stdout line 3: 'a b c': expected 'key value'".
Result<KeyValues> ParseCheckerOutput(std::string_view out);

// One broken step-5 rule.
struct Finding {
  enum class Kind : uint8_t {
    kMissing,       // acknowledged value absent
    kStale,         // acknowledged value replaced by an older written value
    kDeleteUndone,  // acknowledged delete, key present with an older value
    kInvented,      // a value never written
  };
  Kind kind = Kind::kMissing;
  std::string key;
  std::string found;     // the value the checker printed ("" if absent)
  std::string expected;  // the acknowledged event ("A k v", "D k"), if any
  uint64_t expected_seq = 0;

  // "missing: key k, acknowledged 'A k v' (trace seq 12), not recovered"
  std::string ToString() const;
};
std::string_view FindingKindName(Finding::Kind kind);

enum class VerdictKind : uint8_t {
  kPass,
  kLostOrInvented,  // exit 0, findings
  kRecoveryFailed,  // exit 1
  kInconsistent,    // exit 2
  kCheckerError,    // other exit, signal, timeout, bad output, spawn failure
};
std::string_view VerdictKindName(VerdictKind kind);

struct Verdict {
  VerdictKind kind = VerdictKind::kPass;
  std::vector<Finding> findings;  // kLostOrInvented
  std::string detail;             // kCheckerError: what went wrong
  bool failed() const { return kind != VerdictKind::kPass; }
};

// Step 5 on a recovered state. `acks` in trace order; `initial` is the
// baseline; `crash_position`: the SimFs position of the crash point.
std::vector<Finding> JudgeState(const std::vector<AckEvent>& acks, const KeyValues& initial,
                                uint64_t crash_position, const KeyValues& recovered);

// Steps 4 and 5: the verdict on one checker run.
Verdict JudgeRun(const CheckerRun& run, const std::vector<AckEvent>& acks, const KeyValues& initial,
                 uint64_t crash_position);

// "exit 3", "killed by signal 9", "timed out", "could not start: ..."
std::string DescribeExit(const CheckerRun& run);

}  // namespace powercut::blackbox
