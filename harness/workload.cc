// The workload model's operations, their printable form and the builder that
// numbers writes and makes their self-describing values (see workload.h).
#include "workload.h"

#include <array>
#include <cassert>
#include <cstdio>

namespace powercut::harness {

namespace {

constexpr std::array<std::string_view, 9> kOpTypeNames = {
    "put", "delete", "batch", "flush", "read", "scan", "reopen", "crash", "fault"};
static_assert(kOpTypeNames.size() == static_cast<size_t>(OpType::kFault) + 1);

std::string MutationToString(const Mutation& m) {
  return m.is_put() ? "put " + m.key + " " + ShortValue(m.value) : "delete " + m.key;
}

Operation MakeOp(OpType type) {
  Operation op;
  op.type = type;
  return op;
}

Operation MakeWriteOp(OpType type, bool sync, uint64_t write_number) {
  Operation op = MakeOp(type);
  op.sync = sync;
  op.write_number = write_number;
  return op;
}

}  // namespace

std::string_view OpTypeName(OpType type) { return kOpTypeNames[static_cast<size_t>(type)]; }

std::optional<OpType> ParseOpType(std::string_view name) {
  for (size_t i = 0; i < kOpTypeNames.size(); ++i) {
    if (kOpTypeNames[i] == name) return static_cast<OpType>(i);
  }
  return std::nullopt;
}

std::string Operation::ToString() const {
  const std::string sync_suffix = sync ? " sync" : "";
  switch (type) {
    case OpType::kPut:
    case OpType::kDelete:
      assert(mutations.size() == 1);
      return MutationToString(mutations[0]) + sync_suffix;
    case OpType::kBatch: {
      std::string text = "batch" + sync_suffix + " {";
      for (size_t i = 0; i < mutations.size(); ++i) {
        text += (i ? "; " : "") + MutationToString(mutations[i]);
      }
      return text + "}";
    }
    case OpType::kRead:
      return "read " + key;
    case OpType::kCrash:
      return "crash " + crash_model;
    case OpType::kFault:
      return "fault " + fault_rule;
    case OpType::kFlush:
    case OpType::kScan:
    case OpType::kReopen:
      return std::string(OpTypeName(type));
  }
  return "?";
}

uint64_t Workload::write_count() const {
  uint64_t count = 0;
  for (const Operation& op : ops) count += op.is_write() ? 1 : 0;
  return count;
}

std::string Workload::ToString() const {
  std::string text;
  for (const Operation& op : ops) text += op.ToString() + "\n";
  return text;
}

Mutation WorkloadBuilder::MakeMutation(const Entry& entry, uint32_t index, bool in_batch) const {
  if (!entry.put) return Mutation::Delete(entry.key);
  if (entry.value) return Mutation::Put(entry.key, *entry.value);
  return Mutation::Put(entry.key,
                       MakeValue(ValueTag(write_count_, index, in_batch), entry.value_bytes));
}

WorkloadBuilder& WorkloadBuilder::Put(std::string key, uint64_t value_bytes, bool sync,
                                      std::optional<std::string> value) {
  ++write_count_;
  Operation op = MakeWriteOp(OpType::kPut, sync, write_count_);
  Entry entry{
      .put = true, .key = std::move(key), .value_bytes = value_bytes, .value = std::move(value)};
  op.mutations.push_back(MakeMutation(entry, 0, /*in_batch=*/false));
  workload_.ops.push_back(std::move(op));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Delete(std::string key, bool sync) {
  ++write_count_;
  Operation op = MakeWriteOp(OpType::kDelete, sync, write_count_);
  op.mutations.push_back(Mutation::Delete(std::move(key)));
  workload_.ops.push_back(std::move(op));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Batch(const std::vector<Entry>& entries, bool sync) {
  assert(!entries.empty());
  ++write_count_;
  Operation op = MakeWriteOp(OpType::kBatch, sync, write_count_);
  for (size_t i = 0; i < entries.size(); ++i) {
    op.mutations.push_back(MakeMutation(entries[i], static_cast<uint32_t>(i), true));
  }
  workload_.ops.push_back(std::move(op));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Flush() {
  workload_.ops.push_back(MakeOp(OpType::kFlush));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Read(std::string key) {
  Operation op = MakeOp(OpType::kRead);
  op.key = std::move(key);
  workload_.ops.push_back(std::move(op));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Scan() {
  workload_.ops.push_back(MakeOp(OpType::kScan));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Reopen() {
  workload_.ops.push_back(MakeOp(OpType::kReopen));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Crash(std::string crash_model) {
  Operation op = MakeOp(OpType::kCrash);
  op.crash_model = std::move(crash_model);
  workload_.ops.push_back(std::move(op));
  return *this;
}

WorkloadBuilder& WorkloadBuilder::Fault(std::string rule) {
  Operation op = MakeOp(OpType::kFault);
  op.fault_rule = std::move(rule);
  workload_.ops.push_back(std::move(op));
  return *this;
}

Workload Renumbered(const Workload& workload) {
  Workload out = workload;
  uint64_t write_number = 0;
  for (Operation& op : out.ops) {
    if (!op.is_write()) continue;
    op.write_number = ++write_number;
    for (uint32_t i = 0; i < op.mutations.size(); ++i) {
      Mutation& m = op.mutations[i];
      if (!m.is_put() || !IsSelfDescribingValue(m.value)) continue;
      m.value = MakeValue(ValueTag(write_number, i, op.type == OpType::kBatch), m.value.size());
    }
  }
  return out;
}

std::string KeyName(uint64_t index) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "k%03llu", static_cast<unsigned long long>(index));
  return buffer;
}

}  // namespace powercut::harness
