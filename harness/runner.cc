// One workload step on an engine, recorded in the oracle (see runner.h).
#include "runner.h"

#include <cassert>

namespace powercut::harness {

namespace {

StepResult Reopen(EngineAdapter& engine, Oracle& oracle, faultfs::FileSystem* fs,
                  std::string_view dir) {
  StepResult result;
  // A failed Close is reported, but the reopen still goes ahead: what Open
  // recovers is what the guarantees are about.
  result.status = engine.Close();
  Status open = engine.Open(fs, dir);
  Result<KvState> state = open.ok() ? ScanState(engine) : Result<KvState>(open);
  if (!state.ok()) {
    Violation v;
    v.guarantee = Guarantee::kRecovers;
    v.explanation = "reopen failed: " + state.status().ToString();
    result.violations.push_back(std::move(v));
    result.status = state.status();
    return result;
  }
  // A clean close loses nothing: every acknowledged write must be back.
  CheckOptions lossless;
  lossless.lossless = true;
  CheckResult check = oracle.Check(*state, lossless);
  result.violations = std::move(check.violations);
  oracle.RecordRecovery(*state);
  return result;
}

}  // namespace

StepResult RunOperation(const Operation& op, EngineAdapter& engine, Oracle& oracle,
                        faultfs::FileSystem* fs, std::string_view dir) {
  assert(op.type != OpType::kCrash && "crash steps belong to the explorer");
  StepResult result;
  switch (op.type) {
    case OpType::kPut:
    case OpType::kDelete:
    case OpType::kBatch: {
      const uint64_t number = oracle.BeginWrite(op.mutations, op.sync);
      result.status = engine.Write(op.mutations, op.sync);
      oracle.EndWrite(number, result.status);
      break;
    }
    case OpType::kFlush:
      result.status = engine.Flush();
      oracle.RecordFlush(result.status);
      break;
    case OpType::kRead: {
      Result<std::optional<std::string>> value = engine.Read(op.key);
      result.status = value.status();
      if (!value.ok()) break;
      if (auto v = oracle.RecordRead(op.key, *value)) result.violations.push_back(std::move(*v));
      break;
    }
    case OpType::kScan: {
      Result<KvState> state = ScanState(engine);
      result.status = state.status();
      if (state.ok()) result.violations = oracle.RecordScan(*state);
      break;
    }
    case OpType::kReopen:
      return Reopen(engine, oracle, fs, dir);
    case OpType::kCrash:
      result.status = Status::InvalidArgument("a crash step must be run by the explorer");
      break;
    case OpType::kFault:
      result.status = Status::InvalidArgument("a fault step must be run by the explorer");
      break;
  }
  return result;
}

}  // namespace powercut::harness
