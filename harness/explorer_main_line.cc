// The explorer's main line (see explorer_main_line.h): the workload, run once
// in order, with every operation recorded in the oracle and every file
// operation turned into a crash point for the handler.
#include "explorer_main_line.h"

#include <cassert>
#include <map>
#include <utility>

#include "explorer.h"
#include "explorer_crash_checker.h"
#include "random.h"

namespace powercut::harness::explorer_internal {

using faultfs::CrashModel;
using faultfs::CrashModelKind;
using faultfs::OpRecord;
using faultfs::SimFs;

Violation MakeViolation(Guarantee guarantee, std::string explanation, std::string key) {
  Violation violation;
  violation.guarantee = guarantee;
  violation.explanation = std::move(explanation);
  violation.key = std::move(key);
  return violation;
}

uint64_t HashText(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint64_t MixSeed(uint64_t a, uint64_t b) {
  uint64_t state = a ^ (b * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
  return SplitMix64(&state);
}

MainLine::MainLine(Config config, CrashPointHandler handler)
    : config_(std::move(config)), handler_(std::move(handler)) {
  assert(config_.workload != nullptr && config_.engine != nullptr);
}

MainLine::~MainLine() {
  // The adapter may still touch its files while it goes: stop watching first.
  if (fs_) fs_->SetObserver(nullptr);
  engine_.reset();
}

Result<std::vector<Violation>> MainLine::Run() {
  fs_ = std::make_unique<SimFs>(SimFs::Options{.profile = config_.profile});
  POWERCUT_ASSIGN_OR_RETURN(engine_, (*config_.engine)(config_.settings));
  Watch(fs_.get());
  Status open = engine_->Open(fs_.get(), kExploreDbDir);
  if (!open.ok()) return open.WithContext("opening a new database");
  started_ = true;
  std::vector<Violation> violations;
  const std::vector<Operation>& ops = config_.workload->ops;
  for (op_index_ = 0; op_index_ < ops.size() && !stopped_; ++op_index_) {
    POWERCUT_RETURN_IF_ERROR(RunOp(ops[op_index_], &violations));
    VisitAfterAck();
  }
  if (!stopped_) FinishPoints();
  if (!handler_error_.ok()) return handler_error_;
  return violations;
}

Status MainLine::RunOp(const Operation& op, std::vector<Violation>* violations) {
  switch (op.type) {
    case OpType::kPut:
    case OpType::kDelete:
    case OpType::kBatch:
      return RunWrite(op);
    case OpType::kFlush:
      oracle_.RecordFlush(engine_->Flush());
      return handler_error_;
    case OpType::kRead: {
      Result<std::optional<std::string>> value = engine_->Read(op.key);
      std::optional<Violation> violation;
      if (value.ok()) {
        violation = oracle_.RecordRead(op.key, *value);
      } else if (!DamageReported(*fs_, value.status())) {
        violation = MakeViolation(Guarantee::kReadConsistency,
                                  "the live read failed: " + value.status().ToString(), op.key);
      }
      if (violation) {
        violation->context_ops = ContextLines(fs_->position());
        violations->push_back(std::move(*violation));
      }
      return handler_error_;
    }
    case OpType::kScan: {
      Result<KvState> state = ScanState(*engine_);
      std::vector<Violation> found;
      if (state.ok()) {
        found = oracle_.RecordScan(*state);
      } else if (!DamageReported(*fs_, state.status())) {
        found.push_back(MakeViolation(Guarantee::kReadConsistency,
                                      "the live scan failed: " + state.status().ToString()));
      }
      for (Violation& v : found) {
        v.context_ops = ContextLines(fs_->position());
        violations->push_back(std::move(v));
      }
      return handler_error_;
    }
    case OpType::kReopen:
      return Reopen(violations);
    case OpType::kCrash:
      return CrashStep(op, violations);
    case OpType::kFault:
      return AddFault(op);
  }
  return Status::InvalidArgument("unknown workload operation");
}

namespace {

// Whether `files` (a SimFs dump) has every byte a media-damage rule names.
bool HasByte(const std::map<std::string, std::string>& files, const faultfs::FaultRule& rule) {
  auto file = files.find(rule.path_glob);
  if (file == files.end()) return false;
  const uint64_t size = file->second.size();
  if (rule.kind != faultfs::FaultKind::kMisdirect) return size > rule.offset;
  return size >= rule.offset + rule.length && size >= rule.target + rule.length;
}

}  // namespace

Status MainLine::AddFault(const Operation& op) {
  auto error = [&](const Status& status) {
    return Status::InvalidArgument("workload operation " + std::to_string(op_index_ + 1) + " (" +
                                   op.ToString() + "): " + status.message());
  };
  Result<faultfs::FaultRule> rule = faultfs::FaultRule::Parse(op.fault_rule);
  if (!rule.ok()) return error(rule.status());
  if (faultfs::IsMediaDamage(rule->kind) && !HasByte(fs_->DumpDurable(), *rule)) {
    // A media error damages what is on the disk. A byte still only in the
    // page cache (an engine that has not synced it) is not there to damage:
    // the step does nothing. A byte that does not exist at all is an error.
    if (HasByte(fs_->DumpVisible(), *rule)) return handler_error_;
    const std::string text = rule->ToString();
    return error(Status::InvalidArgument(text.substr(0, text.find(':')) + ": " + rule->path_glob +
                                         " has no byte at offset " + std::to_string(rule->offset)));
  }
  // From here on the main line's file system misbehaves; crash states keep
  // the rule's damage (media damage) but not the rule (see CrashStep).
  if (Status added = fs_->AddFaultRule(*rule); !added.ok()) return error(added);
  return handler_error_;
}

Status MainLine::RunWrite(const Operation& op) {
  const uint64_t number = oracle_.BeginWrite(op.mutations, op.sync);
  Status status = engine_->Write(op.mutations, op.sync);
  oracle_.EndWrite(number, status);
  return handler_error_;
}

Status MainLine::Reopen(std::vector<Violation>* violations) {
  Status close = engine_->Close();
  if (!close.ok()) {
    Violation violation = MakeViolation(
        Guarantee::kRecovers, "closing the database before a reopen failed: " + close.ToString());
    violation.context_ops = ContextLines(fs_->position());
    violations->push_back(std::move(violation));
    stopped_ = true;
    return handler_error_;
  }
  POWERCUT_ASSIGN_OR_RETURN(bool recovered,
                            RecoverMainLine(/*lossless=*/!DataLostWithoutCrash(*fs_), violations));
  (void)recovered;  // a failed recovery has already stopped the run
  return handler_error_;
}

Status MainLine::CrashStep(const Operation& op, std::vector<Violation>* violations) {
  POWERCUT_ASSIGN_OR_RETURN(CrashModel model, CrashModel::Parse(op.crash_model));
  FinishPoints();  // the state just before the crash is a point of its own
  const uint64_t position = fs_->position();
  POWERCUT_ASSIGN_OR_RETURN(
      auto states,
      fs_->EnumerateCrashStates(model, {.max_states = 1, .seed = MixSeed(config_.seed, position)}));
  std::optional<faultfs::CrashStateId> id = states->Next();
  assert(id.has_value() && "every crash model has at least one state");
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<SimFs> crashed, fs_->Crash(*id));
  // The machine comes back on fresh hardware: injected errors stop, damage
  // already done to durable data (bitflips) stays.
  crashed->ClearFaultRules();
  // The old engine dies with the old file system; nothing may watch either.
  fs_->SetObserver(nullptr);
  engine_.reset();
  fs_ = std::move(crashed);
  POWERCUT_ASSIGN_OR_RETURN(engine_, (*config_.engine)(config_.settings));
  Watch(fs_.get());
  const bool lossless = model.kind == CrashModelKind::kProcessKill && !DataLostWithoutCrash(*fs_);
  // Points inside this recovery are crashes inside recovery (depth 2),
  // checked against the history as it stood before it.
  depth_ = 2;
  lossless_so_far_ = lossless;
  const size_t before = violations->size();
  POWERCUT_ASSIGN_OR_RETURN(bool recovered, RecoverMainLine(lossless, violations));
  (void)recovered;  // a failed recovery has already stopped the run
  for (size_t i = before; i < violations->size(); ++i) {
    (*violations)[i].crash_state_id = id->ToString();
  }
  depth_ = 1;
  lossless_so_far_ = true;
  return handler_error_;
}

Result<bool> MainLine::RecoverMainLine(bool lossless, std::vector<Violation>* violations) {
  auto fail = [&](Violation violation) {
    violation.context_ops = ContextLines(fs_->position());
    violations->push_back(std::move(violation));
    stopped_ = true;  // there is no engine to carry on with
    return false;
  };
  Status open = engine_->Open(fs_.get(), kExploreDbDir);
  if (!open.ok() && DamageReported(*fs_, open)) {
    stopped_ = true;  // the right answer to real damage; nothing to carry on with
    return false;
  }
  if (!open.ok()) {
    return fail(
        MakeViolation(Guarantee::kRecovers, "the database failed to open: " + open.ToString()));
  }
  Result<KvState> state = ScanState(*engine_);
  if (!state.ok() && DamageReported(*fs_, state.status())) {
    stopped_ = true;  // a damaged table found on first read: reported, as it must be
    return false;
  }
  if (!state.ok()) {
    return fail(MakeViolation(Guarantee::kRecovers, "the recovered database failed to scan: " +
                                                        state.status().ToString()));
  }
  CheckResult check = oracle_.Check(*state, {.lossless = lossless, .crash_depth = 1});
  if (!check.ok()) {
    for (size_t i = 0; i + 1 < check.violations.size(); ++i) {
      check.violations[i].context_ops = ContextLines(fs_->position());
      violations->push_back(std::move(check.violations[i]));
    }
    return fail(std::move(check.violations.back()));
  }
  oracle_.RecordRecovery(*state);
  return true;
}

void MainLine::Watch(SimFs* fs) {
  fs->SetObserver([this, fs](const OpRecord& op) {
    recent_[recent_count_++ % kRecentOps] = op;
    if (stopped_) return;
    if (config_.crash_points == CrashPoints::kAll) {
      Visit(*fs, op.position);
    } else if (faultfs::IsPersistencePoint(op.kind)) {
      FinishPoints();  // the point just before this persistence point
      Visit(*fs, op.position);
    } else {
      before_sync_ = fs->Clone();
    }
  });
}

void MainLine::Visit(const SimFs& fs, uint64_t position, bool after_ack) {
  if (stopped_) return;
  ++crash_points_;
  durable_prefix_at_last_point_ = oracle_.durable_prefix();
  Status status = handler_(CrashPoint{.fs = &fs,
                                      .position = position,
                                      .depth = depth_,
                                      .lossless_so_far = lossless_so_far_,
                                      .after_ack = after_ack});
  if (!status.ok()) {
    handler_error_ = std::move(status);
    stopped_ = true;
  }
}

void MainLine::VisitAfterAck() {
  if (stopped_ || !fs_ || oracle_.durable_prefix() <= durable_prefix_at_last_point_) return;
  // With CrashPoints::kSync the last operation's state may wait as the point
  // before the next sync; this visit covers it, with more history known.
  before_sync_.reset();
  Visit(*fs_, fs_->position(), /*after_ack=*/true);
}

void MainLine::FinishPoints() {
  if (!before_sync_) return;
  std::unique_ptr<SimFs> point = std::move(before_sync_);
  Visit(*point, point->position());
}

std::vector<std::string> MainLine::ContextLines(uint64_t position, bool after_ack) const {
  const std::vector<Operation>& ops = config_.workload->ops;
  std::vector<std::string> lines;
  lines.push_back("workload (> marks the operation in progress):");
  if (!started_) lines.push_back("> (opening a new database)");
  const size_t first = op_index_ >= 2 ? op_index_ - 2 : 0;
  for (size_t i = first; i < ops.size() && i <= op_index_ + 1; ++i) {
    lines.push_back((started_ && i == op_index_ ? "> #" : "  #") + std::to_string(i + 1) + " " +
                    ops[i].ToString());
  }
  if (ops.empty()) lines.push_back("  (no operations)");
  if (after_ack) lines.push_back("  (the crash comes right after the marked operation returned)");
  lines.push_back("file operations (the crash comes after the last):");
  const uint64_t kept = std::min<uint64_t>(recent_count_, kRecentOps);
  for (uint64_t n = recent_count_ - kept; n < recent_count_; ++n) {
    const OpRecord& op = recent_[n % kRecentOps];
    if (op.position > position) continue;
    lines.push_back("  @" + std::to_string(op.position) + " " + op.ToString());
  }
  return lines;
}

}  // namespace powercut::harness::explorer_internal
