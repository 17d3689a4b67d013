// The crash properties' shared machinery (see crash_property_support.h):
// workload generators, the oracle-recording player, crash placement and
// recovery.
#include "crash_property_support.h"

#include <cassert>
#include <cstdlib>
#include <optional>
#include <utility>

#include "broken_adapters.h"

namespace powercut::harness {

void showValue(const Workload& workload, std::ostream& os) {
  os << "workload of " << workload.ops.size() << " operations:\n" << workload.ToString();
}

void showValue(const EngineSettings& settings, std::ostream& os) {
  os << "engine settings: write_buffer_bytes=";
  if (settings.write_buffer_bytes) {
    os << *settings.write_buffer_bytes;
  } else {
    os << "default";
  }
}

}  // namespace powercut::harness

namespace powercut::property {

namespace {

using harness::Operation;
using harness::OpType;
using harness::WorkloadBuilder;

constexpr uint64_t kKeyCount = 6;

std::string GenKey() { return harness::KeyName(*rc::gen::inRange<uint64_t>(0, kKeyCount)); }

// Mostly tags and short values; now and then a value that fills most of a
// 32 KiB WAL block, or spans two.
uint64_t GenValueBytes() {
  return *rc::gen::weightedElement<uint64_t>({{6, 0}, {3, 100}, {2, 3000}, {1, 40000}});
}

bool GenSync() { return *rc::gen::weightedElement<bool>({{3, false}, {1, true}}); }

void AddBatch(WorkloadBuilder& builder) {
  const int size = *rc::gen::inRange(1, 5);
  std::vector<WorkloadBuilder::Entry> entries;
  for (int i = 0; i < size; ++i) {
    WorkloadBuilder::Entry entry;
    entry.put = *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
    entry.key = GenKey();
    entry.value_bytes = entry.put ? GenValueBytes() : 0;
    entries.push_back(std::move(entry));
  }
  builder.Batch(entries, GenSync());
}

// One operation; the first kinds are where shrinking goes.
void AddOp(WorkloadBuilder& builder) {
  enum Kind { kPut, kDelete, kBatch, kFlush, kRead };
  switch (*rc::gen::weightedElement<Kind>(
      {{8, kPut}, {2, kDelete}, {3, kBatch}, {1, kFlush}, {1, kRead}})) {
    case kPut:
      builder.Put(GenKey(), GenValueBytes(), GenSync());
      return;
    case kDelete:
      builder.Delete(GenKey(), GenSync());
      return;
    case kBatch:
      AddBatch(builder);
      return;
    case kFlush:
      builder.Flush();
      return;
    case kRead:
      builder.Read(GenKey());
      return;
  }
}

void AddOps(WorkloadBuilder& builder, int max_ops) {
  const int count = *rc::gen::inRange(1, max_ops + 1);
  for (int i = 0; i < count; ++i) AddOp(builder);
}

Status PlayOp(const Operation& op, EngineAdapter& engine, Oracle& oracle) {
  switch (op.type) {
    case OpType::kPut:
    case OpType::kDelete:
    case OpType::kBatch: {
      // The oracle numbers writes itself: after a crash in the first half of a
      // two-phase workload, the writes the crash cut off were never issued, so
      // its numbers can run behind the workload's.
      const uint64_t number = oracle.BeginWrite(op.mutations, op.sync);
      Status status = engine.Write(op.mutations, op.sync);
      oracle.EndWrite(number, status);
      return status;
    }
    case OpType::kFlush: {
      Status status = engine.Flush();
      oracle.RecordFlush(status);
      return status;
    }
    case OpType::kRead: {
      POWERCUT_ASSIGN_OR_RETURN(std::optional<std::string> value, engine.Read(op.key));
      if (auto violation = oracle.RecordRead(op.key, value)) {
        return Status::Corruption(violation->ToString());
      }
      return Status::OK();
    }
    case OpType::kScan:
    case OpType::kReopen:
    case OpType::kCrash:
    case OpType::kFault:
      break;
  }
  return Status::InvalidArgument("the properties do not generate '" + op.ToString() + "'");
}

// Called at the chosen crash point (from the observer, or after an ack):
// one crash state of each model at the current position of `fs`. Returns
// the error rather than failing at once: the observer runs inside the
// engine's call.
std::string TakeSnapshot(const SimFs& fs, const std::vector<CrashModel>& models,
                         uint64_t state_seed, CrashSnapshot& snapshot) {
  for (const CrashModel& model : models) {
    auto enumerator = fs.EnumerateCrashStates(model, {.max_states = 1, .seed = state_seed});
    if (!enumerator.ok()) return enumerator.status().ToString();
    std::optional<CrashStateId> id = (*enumerator)->Next();
    if (!id) return "no crash state of " + model.Name() + " " + snapshot.point;
    auto crashed = fs.Crash(*id);
    if (!crashed.ok()) return crashed.status().ToString();
    snapshot.images.push_back({*id, std::move(crashed).value()});
  }
  return "";
}

}  // namespace

rc::Gen<Workload> GenWorkload(int max_ops) {
  return rc::gen::exec([max_ops] {
    WorkloadBuilder builder;
    AddOps(builder, max_ops);
    return std::move(builder).Build();
  });
}

rc::Gen<EngineSettings> GenEngineSettings() {
  return rc::gen::exec([] {
    EngineSettings settings;
    // 0 stands for the default (4 MiB: no flush but the explicit ones).
    const uint64_t buffer = *rc::gen::element<uint64_t>(0, 1024, 8192);
    if (buffer != 0) settings.write_buffer_bytes = buffer;
    return settings;
  });
}

rc::Gen<TwoPhaseWorkload> GenTwoPhaseWorkload(int max_ops_per_phase) {
  return rc::gen::exec([max_ops_per_phase] {
    WorkloadBuilder builder;
    AddOps(builder, max_ops_per_phase);
    TwoPhaseWorkload two;
    two.first = builder.workload();
    const size_t split = two.first.ops.size();
    AddOps(builder, max_ops_per_phase);
    Workload all = std::move(builder).Build();
    two.second.ops.assign(all.ops.begin() + static_cast<std::ptrdiff_t>(split), all.ops.end());
    return two;
  });
}

void showValue(const TwoPhaseWorkload& workload, std::ostream& os) {
  os << "before the crash:\n" << workload.first.ToString();
  os << "after recovery:\n" << workload.second.ToString();
}

rc::Gen<bool> GenOpenInCrashWindow() {
  return rc::gen::weightedElement<bool>({{3, false}, {1, true}});
}

rc::Gen<CrashModel> GenCrashModel() { return rc::gen::elementOf(CrashModel::All()); }

std::string EngineName() {
  const bool canaries_linked = harness::BrokenEnginesRegistered();  // keeps them in the binary
  (void)canaries_linked;
  const char* name = std::getenv("POWERCUT_PROPERTY_ENGINE");
  return name != nullptr && *name != '\0' ? name : "reference";
}

std::unique_ptr<EngineAdapter> MakeEngine(const EngineSettings& settings) {
  auto engine = harness::EngineRegistry::Default().Create(EngineName(), settings);
  if (!engine.ok()) RC_FAIL("cannot create the engine: " + engine.status().ToString());
  return std::move(engine).value();
}

void CrashRun::AfterAck(const Operation& op) {
  Point("right after '" + op.ToString() + "' returned", "ack");
}

void CrashRun::Point(std::string description, std::string_view kind) {
  ++points_;
  if (points_ == crash_at_) on_crash_(std::move(description), kind);
}

Status PlayOps(const Workload& workload, EngineAdapter& engine, CrashRun& run) {
  for (const Operation& op : workload.ops) {
    Status status = PlayOp(op, engine, run.oracle);
    if (!status.ok()) {
      return Status::InvalidArgument("'" + op.ToString() + "' failed: " + status.ToString());
    }
    if (op.is_write() || op.type == OpType::kFlush) run.AfterAck(op);
  }
  return Status::OK();
}

Status RunWorkload(CrashRun& run, const Workload& workload, const EngineSettings& settings,
                   bool open_in_window) {
  std::unique_ptr<EngineAdapter> engine = MakeEngine(settings);
  POWERCUT_RETURN_IF_ERROR(engine->Open(&run.fs, kDbDir));
  if (!open_in_window) run.StartCrashWindow();
  POWERCUT_RETURN_IF_ERROR(PlayOps(workload, *engine, run));
  return engine->Close();
}

CrashSnapshot CrashSomewhereIn(SimFs& fs, const Oracle& oracle, const CrashBody& body,
                               const std::vector<CrashModel>& models) {
  uint64_t window_start = 0, window_end = 0;
  {  // The dry run, on a clone: count the crash points.
    std::unique_ptr<SimFs> dry_fs = fs.Clone();
    Oracle dry_oracle = oracle;
    CrashRun dry(*dry_fs, dry_oracle);
    dry_fs->SetObserver([&dry](const faultfs::OpRecord& op) { dry.Point("", ""); });
    Status status = body(dry);
    dry_fs->SetObserver(nullptr);
    if (!status.ok()) RC_FAIL("the run before the crash failed: " + status.ToString());
    window_start = dry.window_start_;
    window_end = dry.points_;
  }
  RC_PRE(window_end > window_start);  // no crash point in the window
  // At full size: rapidcheck scales inRange by the test's size, which would
  // keep early tests' crashes near the start of the window.
  const uint64_t crash_at =
      window_start + *rc::gen::resize(rc::kNominalSize,
                                      rc::gen::inRange<uint64_t>(1, window_end - window_start + 1));
  const uint64_t state_seed = *rc::gen::arbitrary<uint64_t>();

  Oracle live = oracle;
  CrashRun run(fs, live);
  run.crash_at_ = crash_at;
  std::optional<CrashSnapshot> snapshot;
  std::string error;
  run.on_crash_ = [&](std::string description, std::string_view kind) {
    snapshot = CrashSnapshot{live, std::move(description), std::string(kind), {}};
    error = TakeSnapshot(fs, models, state_seed, *snapshot);
  };
  fs.SetObserver([&run](const faultfs::OpRecord& op) {
    run.Point("right after " + op.ToString(), faultfs::OpKindName(op.kind));
  });
  Status status = body(run);
  fs.SetObserver(nullptr);
  if (!status.ok()) RC_FAIL("the run with the crash failed: " + status.ToString());
  if (!error.empty()) RC_FAIL("taking the crash states failed: " + error);
  if (!snapshot) RC_FAIL("the second run did not reach its crash point (not deterministic?)");
  return std::move(*snapshot);
}

Result<KvState> Recover(SimFs& fs, const EngineSettings& settings,
                        std::unique_ptr<EngineAdapter>* engine) {
  std::unique_ptr<EngineAdapter> opened = MakeEngine(settings);
  POWERCUT_RETURN_IF_ERROR(opened->Open(&fs, kDbDir));
  POWERCUT_ASSIGN_OR_RETURN(KvState state, harness::ScanState(*opened));
  if (engine != nullptr) {
    *engine = std::move(opened);
  } else {
    POWERCUT_RETURN_IF_ERROR(opened->Close());
  }
  return state;
}

void AssertAccepted(const harness::CheckResult& result, const std::string& what) {
  if (result.ok()) return;
  std::string message = what + ": the recovered state breaks the guarantees:";
  for (const harness::Violation& violation : result.violations) {
    message += "\n  " + violation.ToString();
  }
  RC_FAIL(message);
}

void FailRecovery(const Status& status, const std::string& what) {
  RC_FAIL(what + ": recovery failed: " + status.ToString());
  assert(false && "RC_FAIL throws");
  std::abort();
}

std::string DescribeImage(const CrashImage& image, const CrashSnapshot& snapshot) {
  return "crash state " + image.id.ToString() + " (" + snapshot.point + ")";
}

}  // namespace powercut::property
