// The workload model: what the explorer runs against an engine, one
// Operation at a time. A Workload is a plain vector of operations with a
// printable form (one line per operation, e.g. "put k003 v17 sync"), built
// either by hand (WorkloadBuilder, used by scenario files and tests) or by the
// seeded generator (Generate). Writes are numbered 1, 2, ... in workload order
// and carry self-describing values (see mutation.h), so the history oracle
// can tell which write any value it finds came from.
//
// Operations:
//   put / delete   one mutation; `sync` asks for durability before the ack
//   batch          several puts and deletes applied atomically; `sync` too
//   flush          the engine's Flush (memtable to table): a durability point
//   read           Get of one key; the observed value is recorded
//   scan           the whole ordered contents; recorded likewise
//   reopen         Close then Open (a clean restart: recovery without a crash)
//   crash          an explicit crash point in the main line (multi-crash
//                  scenarios): cut the power under `crash_model`, recover,
//                  and carry on with the rest of the workload
//   fault          adds a faultfs error-injection rule (fault_rules.h) to the
//                  main line's file system from this point on, e.g.
//                  "fault fsync-eio:/db/*.log:1:drop"; a bitflip rule damages
//                  durable data at once. Crash states keep the damage but
//                  recover on fresh hardware: without the injected errors
//                  (docs/harness.md, "Fault operations")
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mutation.h"
#include "powercut/status.h"

namespace powercut::harness {

// Written into scenario files by name (OpTypeName): never rename.
enum class OpType : uint8_t {
  kPut,
  kDelete,
  kBatch,
  kFlush,
  kRead,
  kScan,
  kReopen,
  kCrash,
  kFault
};

// "put", "delete", "batch", "flush", "read", "scan", "reopen", "crash", "fault".
std::string_view OpTypeName(OpType type);
std::optional<OpType> ParseOpType(std::string_view name);

struct Operation {
  OpType type = OpType::kPut;
  std::vector<Mutation> mutations;  // put/delete: exactly one; batch: at least one
  bool sync = false;                // writes only
  std::string key;                  // read only
  std::string crash_model;          // crash only: a faultfs::CrashModel name
  std::string fault_rule;           // fault only: faultfs::FaultRule text
  uint64_t write_number = 0;        // writes only: 1-based, in workload order

  bool is_write() const {
    return type == OpType::kPut || type == OpType::kDelete || type == OpType::kBatch;
  }
  // "put k3 v17 sync", "delete k2", "batch sync {put k1 v4.0; delete k2}",
  // "flush", "read k3", "scan", "reopen", "crash power-loss",
  // "fault fsync-eio:/db/*.log:1:drop".
  std::string ToString() const;
};

struct Workload {
  std::vector<Operation> ops;

  uint64_t write_count() const;
  // One line per operation, each ending in '\n'.
  std::string ToString() const;
};

// Builds a workload, numbering writes and making their values.
class WorkloadBuilder {
 public:
  // One entry of a batch.
  struct Entry {
    bool put = true;
    std::string key;
    uint64_t value_bytes = 0;          // 0: just the tag
    std::optional<std::string> value;  // explicit value instead of a made one
  };

  WorkloadBuilder& Put(std::string key, uint64_t value_bytes = 0, bool sync = false,
                       std::optional<std::string> value = std::nullopt);
  WorkloadBuilder& Delete(std::string key, bool sync = false);
  // REQUIRES: !entries.empty()
  WorkloadBuilder& Batch(const std::vector<Entry>& entries, bool sync = false);
  WorkloadBuilder& Flush();
  WorkloadBuilder& Read(std::string key);
  WorkloadBuilder& Scan();
  WorkloadBuilder& Reopen();
  WorkloadBuilder& Crash(std::string crash_model = "power-loss");
  // `rule`: faultfs::FaultRule text (checked when the main line applies it).
  WorkloadBuilder& Fault(std::string rule);

  uint64_t write_count() const { return write_count_; }
  Workload Build() && { return std::move(workload_); }
  const Workload& workload() const { return workload_; }

 private:
  Mutation MakeMutation(const Entry& entry, uint32_t index, bool in_batch) const;
  Workload workload_;
  uint64_t write_count_ = 0;
};

// `workload` with its writes renumbered 1, 2, ... in order and every
// self-describing value re-made from its new tag (same size); other values
// are kept. For the shrinker: after dropping operations, the result is what
// WorkloadBuilder would have built, so it round-trips through a scenario file.
Workload Renumbered(const Workload& workload);

// "k007": key `index` of a key space, zero-padded so keys sort numerically
// for spaces of up to 1000 keys.
std::string KeyName(uint64_t index);

enum class KeySkew : uint8_t {
  kUniform,  // every key equally likely
  kHotSet,   // a small hot set takes most operations (zipf-like)
};

// Options of the seeded generator. Ratios are probabilities in [0, 1].
struct GeneratorOptions {
  uint32_t op_count = 100;  // reads, scans and writes; flush/reopen/crash come on top
  uint32_t key_count = 16;  // keys are KeyName(0 .. key_count-1)
  KeySkew key_skew = KeySkew::kUniform;
  double hot_key_fraction = 0.1;  // kHotSet: share of keys that are hot (at least one)
  double hot_op_fraction = 0.9;   // kHotSet: share of operations that go to hot keys
  uint64_t value_bytes_min = 8;
  uint64_t value_bytes_max = 64;
  // A put goes to an already-written key with this probability (when there
  // is one), otherwise to a key not yet written (when there is one).
  double overwrite_ratio = 0.5;
  double delete_ratio = 0.1;  // share of single writes that are deletes
  double batch_ratio = 0.1;   // share of writes that are batches
  uint32_t batch_size_min = 2;
  uint32_t batch_size_max = 5;
  double sync_ratio = 0.2;    // share of writes with sync=true
  double read_ratio = 0.0;    // share of operations that are reads
  double scan_ratio = 0.0;    // share of operations that are scans
  uint32_t flush_every = 0;   // a flush after every N-th operation (0: never)
  uint32_t reopen_every = 0;  // a reopen after every N-th operation (0: never)
  uint32_t crash_every = 0;   // a main-line crash after every N-th operation (0: never)
  std::string crash_model = "power-loss";  // for those crashes

  // InvalidArgument naming the first bad field.
  Status Validate() const;
};

// The workload of `options` for `seed`: the same (options, seed) always gives
// the same workload. InvalidArgument if the options are invalid.
Result<Workload> Generate(const GeneratorOptions& options, uint64_t seed);

}  // namespace powercut::harness
