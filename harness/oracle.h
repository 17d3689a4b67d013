// The history oracle: records what the workload asked of the engine and what
// the engine answered, and decides whether a recovered state is one the
// guarantees allow (DESIGN.md, "Guarantees the harness checks").
//
// Method. Writes are numbered 1, 2, ... in issue order, across the whole run.
// The history since the last recovery is an *epoch*: a base state (the state
// the last recovery served, made durable by it; or the initial state) plus the
// writes issued since. "Prefix P" means: the base, then every write numbered
// base_prefix+1 .. P applied in order. A recovered state S is valid when
//
//   S == state(P) for some P with durable_prefix <= P <= write_count,
//
// where durable_prefix is the largest write number forced durable: a write
// acknowledged with sync=true, or the last acknowledged write before a
// successful flush (a prefix covers everything before it, so a synced write
// also pins every earlier write). Being a prefix gives atomic batches (a
// batch is one write) and no holes for free; values are unique per write, so
// no-invention is a special case too. The checks are separate only in the
// *diagnosis*, which names the first rule the state breaks.
//
// Indeterminate writes. A write whose Write call failed, or which was in
// flight when the crash hit, may or may not be in P: it sets no lower bound.
// It still takes its place in the order: a write after it is in P only if it
// is. That is the contract of a log-structured engine, which writes in order
// and, after a failed WAL write or fsync, refuses every later write (so failed
// writes can only be the tail of an epoch, and the next recovery settles
// them). An engine that rolls a failed write back and then acknowledges later
// ones (SQLite) breaks this assumption; it needs a policy that lets failed
// writes be skipped, which this oracle does not have yet.
//
// Recoveries. After a successful recovery in the main line (a reopen or an
// explicit crash step), RecordRecovery makes the recovered state the base of
// a new epoch: recovery must have made it durable (guarantee 4), so a later
// crash state that loses any of it breaks durable-recovery, or
// reads-stay-true if a workload read had seen the value. Crash states taken
// *inside* a recovery are checked against the history as it stood before the
// recovery (RecordRecovery is called only once it has succeeded), with
// CheckOptions::crash_depth >= 2 so violations read crash-safe-recovery.
//
// Cost. Each prefix's state has a hash (a sum of per-entry hashes, updated
// incrementally as writes are recorded) and an index hash -> prefixes. A
// check hashes S, looks its hash up, and verifies the candidate prefix exactly
// with one binary search per key in S: O(|S| log n), independent of how long
// the history is. Only a failing state pays for the diagnosis, which walks
// the per-key histories: O(total mutations).
//
// Thread-safety: Check and the other const methods may run concurrently;
// recording must not overlap anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mutation.h"
#include "powercut/status.h"
#include "violation.h"

namespace powercut::harness {

enum class WriteOutcome : uint8_t { kInFlight, kAcknowledged, kFailed };

struct CheckOptions {
  // Nothing was lost: a clean reopen, or a crash model that persists every
  // pending operation. Every acknowledged write must then be present.
  bool lossless = false;
  // Crashes on the path to this state: 1 for a plain crash, >= 2 when the
  // state comes from a crash inside recovery (violations then read
  // crash-safe-recovery, with the broken rule as `underlying`).
  uint32_t crash_depth = 1;
};

struct CheckResult {
  // When ok: a prefix P (a write number) whose state equals the checked one.
  std::optional<uint64_t> prefix;
  // Most specific first; empty when the state is valid.
  std::vector<Violation> violations;

  bool ok() const { return violations.empty(); }
};

class Oracle {
 public:
  // `initial`: the durable state before the first write (empty for a new
  // database).
  explicit Oracle(KvState initial = {});

  // --- Recording, in issue order -----------------------------------------
  // Records a write as issued (in flight) and returns its number.
  // REQUIRES: !mutations.empty()
  uint64_t BeginWrite(std::vector<Mutation> mutations, bool sync);
  // Records the engine's answer to write `write_number`.
  // REQUIRES: the write is in flight and in the current epoch.
  void EndWrite(uint64_t write_number, const Status& status);
  // A completed Flush: when OK, every acknowledged write so far is durable.
  void RecordFlush(const Status& status);
  // A live read (no crash in between): must show the current state.
  std::optional<Violation> RecordRead(std::string_view key,
                                      const std::optional<std::string>& observed);
  // A live scan: must show the current state as one snapshot.
  std::vector<Violation> RecordScan(const KvState& observed);
  // A recovery in the main line succeeded and served `recovered` (which the
  // caller has checked): it becomes the durable base of a new epoch.
  void RecordRecovery(const KvState& recovered);

  // --- Checking ------------------------------------------------------------
  // Whether `recovered` is a state the guarantees allow after a crash at the
  // current point of the history.
  CheckResult Check(const KvState& recovered, const CheckOptions& options = {}) const;
  // Guarantee 4: `second` (recovered after a power cut right after the
  // recovery that served `first`) must equal `first`.
  static CheckResult CheckDurableRecovery(const KvState& first, const KvState& second);

  // --- Introspection ---------------------------------------------------------
  uint64_t write_count() const { return base_prefix_ + writes_.size(); }
  // The smallest P a crash state may show (see the method above).
  uint64_t durable_prefix() const { return durable_prefix_; }
  // The write number the current epoch's base stands for.
  uint64_t base_prefix() const { return base_prefix_; }
  uint32_t recoveries() const { return recoveries_; }
  // REQUIRES: base_prefix() < write_number <= write_count()
  WriteOutcome outcome(uint64_t write_number) const;
  // "write 17: put k003 v17 sync, acknowledged"; "write 3: (before the last
  // recovery)" for writes of earlier epochs.
  std::string DescribeWrite(uint64_t write_number) const;

 private:
  struct WriteRecord {
    std::vector<Mutation> mutations;
    bool sync = false;
    WriteOutcome outcome = WriteOutcome::kInFlight;
  };
  // One mutation of key k: write `write`, mutation `mutation` of it.
  struct KeyEvent {
    uint64_t write;
    uint32_t mutation;
  };
  // The value a key holds for P in [begin, end); value nullptr: absent.
  // `write` set it (base_prefix_ for the base value).
  struct Segment {
    uint64_t begin, end, write;
    const std::string* value;
  };

  // The hash of one (key, value) entry; a state's hash is the sum over its
  // entries, so a write updates it in O(keys it touches).
  static uint64_t EntryHash(std::string_view key, std::string_view value);
  static uint64_t StateHash(const KvState& state);

  const WriteRecord& Write(uint64_t write_number) const;
  // The value of `key` after prefix P (nullptr: absent).
  const std::string* ValueAt(const std::string& key, uint64_t prefix) const;
  bool StateEqualsPrefix(const KvState& state, uint64_t prefix) const;
  std::optional<uint64_t> FindPrefix(const KvState& state, uint64_t lowest) const;
  std::vector<Segment> Segments(const std::string& key) const;
  void ResetEpoch(KvState base);
  void SetDurablePrefix(uint64_t prefix, std::string reason);

  // Diagnosis (oracle_diagnosis.cc): why no prefix >= lowest explains state.
  std::vector<Violation> Diagnose(const KvState& state, uint64_t lowest,
                                  const std::string& lowest_reason) const;
  struct KeyFit;  // a key's found value and the prefixes that explain it
  std::vector<Violation> FitKeys(const KvState& state, uint64_t lowest,
                                 std::vector<KeyFit>* fits) const;
  std::vector<Violation> HalfAppliedBatches(const std::vector<KeyFit>& fits) const;
  std::vector<Violation> LostDurableWrites(const std::vector<KeyFit>& fits, uint64_t lowest,
                                           const std::string& lowest_reason) const;
  std::vector<Violation> Holes(const std::vector<KeyFit>& fits, uint64_t lowest) const;
  Violation KeyViolation(Guarantee guarantee, const std::string& key,
                         const std::optional<std::string>& found, uint64_t from_prefix) const;
  Violation LostBaseValue(const std::string& key, const std::optional<std::string>& found,
                          uint64_t lowest) const;

  // The epoch.
  KvState base_;
  uint64_t base_prefix_ = 0;
  std::vector<WriteRecord> writes_;  // writes_[i] is write base_prefix_ + 1 + i
  std::unordered_map<std::string, std::vector<KeyEvent>> events_;
  std::vector<uint64_t> prefix_hash_;   // [i]: state hash after prefix base_prefix_ + i
  std::vector<uint64_t> prefix_count_;  // [i]: live keys after prefix base_prefix_ + i
  std::unordered_map<uint64_t, std::vector<uint64_t>> prefixes_by_hash_;  // ascending
  std::unordered_map<std::string, uint64_t> live_entry_hash_;             // state after every write
  std::unordered_set<std::string> read_base_keys_;  // base keys a workload read saw

  // The whole run.
  uint64_t durable_prefix_ = 0;
  std::string durable_reason_;  // why durable_prefix_ is what it is
  uint64_t last_acknowledged_ = 0;
  uint32_t recoveries_ = 0;
  std::unordered_set<uint64_t> ever_written_;  // entry hashes of every (key, value) put
};

}  // namespace powercut::harness
