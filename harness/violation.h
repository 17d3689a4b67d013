// Guarantees and violations: the words a failure report is made of. The
// oracle names which guarantee a recovered state broke, on which key, what it
// expected and what it found, and which writes were involved; the explorer
// adds where it crashed (the crash-state id) and what the workload was doing
// (the operations around the crash point).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace powercut::harness {

// Written into reports by name (GuaranteeName): never rename.
enum class Guarantee : uint8_t {
  kAcknowledgedDurable,  // 1: P covers every write acknowledged as durable
  kAtomicBatches,        // 2: a batch is all in or all out
  kNoInvention,          // 3: no key holds a value never written to it
  kNoHole,               // 3: unsynced writes are lost only as a suffix
  kDurableRecovery,      // 4: what recovery served survives the next power cut
  kReadsStayTrue,        // 5: a recovered value a reader saw is never lost later
  kCrashSafeRecovery,    // 6: a crash inside recovery still leaves a valid state
  kReadConsistency,      // a live read or scan shows the history's current state
  kRecovers,             // recovery succeeds on every crash state
};

// "acknowledged-durable", "atomic-batches", "no-invention", "no-hole",
// "durable-recovery", "reads-stay-true", "crash-safe-recovery",
// "read-consistency", "recovers".
std::string_view GuaranteeName(Guarantee guarantee);

struct Violation {
  Guarantee guarantee = Guarantee::kAcknowledgedDurable;
  // kCrashSafeRecovery and kReadConsistency: the rule the state broke
  // (e.g. kAcknowledgedDurable after a crash inside recovery).
  std::optional<Guarantee> underlying;
  std::string key;  // empty when the violation is not about one key
  // The values the key may hold (nullopt: absent), at most a few of them;
  // `expected_truncated` when there were more.
  std::vector<std::optional<std::string>> expected;
  bool expected_truncated = false;
  std::optional<std::string> found;
  std::vector<uint64_t> writes;  // write numbers involved, ascending
  std::string explanation;       // one sentence, naming the writes

  // Filled by the explorer.
  std::string crash_state_id;            // "reorder@57:5"; empty if none
  std::vector<std::string> context_ops;  // the operations around the crash point

  // "acknowledged-durable: key k003: expected v17, found <absent> (writes 17):
  // ..." followed by the crash state and context lines when set.
  std::string ToString() const;
};

}  // namespace powercut::harness
