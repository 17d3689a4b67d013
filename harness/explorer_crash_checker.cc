// The explorer's per-state check (see explorer_crash_checker.h): crash,
// recover on a fresh engine, check; power-loss right after and check again;
// and, below the maximum depth, the same for every crash point of the
// recovery itself.
#include "explorer_crash_checker.h"

#include <cassert>
#include <cstring>
#include <utility>

#include "explorer.h"
#include "explorer_main_line.h"

namespace powercut::harness::explorer_internal {

static_assert(static_cast<size_t>(faultfs::CrashModelKind::kZeroTail) < 8,
              "CrashChecker::cache_use_ has one slot per crash model kind");

using faultfs::CrashModel;
using faultfs::CrashModelKind;
using faultfs::CrashStateId;
using faultfs::OpRecord;
using faultfs::SimFs;

Violation AtDepth(Violation violation, uint32_t depth) {
  if (depth < 2 || violation.guarantee == Guarantee::kCrashSafeRecovery) return violation;
  violation.underlying = violation.guarantee;
  violation.guarantee = Guarantee::kCrashSafeRecovery;
  return violation;
}

bool MediaDamaged(const SimFs& fs) {
  for (const faultfs::FiredFault& fault : fs.FiredFaults()) {
    Result<faultfs::FaultRule> rule = faultfs::FaultRule::Parse(fault.rule);
    if (rule.ok() && faultfs::IsMediaDamage(rule->kind)) return true;
  }
  return false;
}

bool PageCacheDropped(const SimFs& fs) {
  for (const faultfs::FiredFault& fault : fs.FiredFaults()) {
    Result<faultfs::FaultRule> rule = faultfs::FaultRule::Parse(fault.rule);
    if (rule.ok() && rule->kind == faultfs::FaultKind::kFsyncEio &&
        rule->after_failure != faultfs::FsyncFailureProfile::kKeep) {
      return true;
    }
  }
  return false;
}

bool DataLostWithoutCrash(const SimFs& fs) { return PageCacheDropped(fs) || MediaDamaged(fs); }

bool DamageReported(const SimFs& fs, const Status& status) {
  return status.IsCorruption() && MediaDamaged(fs);
}

size_t RecoveryOutcome::ApproximateBytes() const {
  size_t bytes = sizeof(*this) + failure.size() + after_cut_failure.size();
  for (const std::optional<KvState>* state : {&this->state, &after_cut}) {
    if (!state->has_value()) continue;
    for (const auto& [key, value] : **state) bytes += key.size() + value.size() + 64;
  }
  return bytes;
}

const RecoveryOutcome* RecoveryCache::Find(const Key& key) const {
  auto it = outcomes_.find(key);
  return it == outcomes_.end() ? nullptr : &it->second;
}

const RecoveryOutcome& RecoveryCache::Insert(const Key& key, RecoveryOutcome outcome) {
  const size_t bytes = outcome.ApproximateBytes();
  if (bytes_ + bytes > kBudgetBytes) {
    outcomes_.clear();
    bytes_ = 0;
  }
  bytes_ += bytes;
  return outcomes_.insert_or_assign(key, std::move(outcome)).first->second;
}

CrashChecker::CrashChecker(CheckerConfig config, const Oracle* oracle)
    : config_(std::move(config)), oracle_(oracle) {
  assert(config_.engine != nullptr && oracle_ != nullptr);
  assert(config_.max_depth >= 1);
}

Status CrashChecker::Explore(const SimFs& fs, const CrashStateId& id, uint32_t depth,
                             bool lossless_so_far, std::vector<PathViolation>* out) {
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<SimFs> crashed, fs.Crash(id));
  crashed->ClearFaultRules();  // recovery runs on fresh hardware; damage stays
  const bool lossless = lossless_so_far && id.model.kind == CrashModelKind::kProcessKill &&
                        !DataLostWithoutCrash(*crashed);
  const bool explore_inner = depth < config_.max_depth;
  CacheUse& use = cache_use_[static_cast<size_t>(id.model.kind)];
  path_.push_back(id);
  const size_t first_inner = out->size();
  Result<RecoveryOutcome> fresh = RecoveryOutcome{};
  const RecoveryOutcome* outcome = nullptr;
  if (!explore_inner && config_.reuse_identical_images && use.worthwhile()) {
    const RecoveryCache::Key key = crashed->Digest();
    outcome = cache_.Find(key);
    ++use.lookups;
    use.hits += outcome != nullptr;
    if (outcome == nullptr) {
      fresh = Recover(crashed.get(), {}, config_.check_durable_recovery);
      if (fresh.ok()) outcome = &cache_.Insert(key, std::move(fresh).value());
    }
  } else {
    SimFs::Observer observer;
    if (explore_inner) {
      observer = [&](const OpRecord& op) {
        ExploreInner(*crashed, op, id.model, depth + 1, lossless, out);
      };
    }
    fresh = Recover(crashed.get(), observer, config_.check_durable_recovery);
    if (fresh.ok()) outcome = &*fresh;
  }
  if (outcome != nullptr) {
    std::vector<Violation> found;
    Judge(*outcome, depth, lossless, &found);
    std::vector<PathViolation> own;
    for (Violation& violation : found) own.push_back({path_, std::move(violation)});
    out->insert(out->begin() + static_cast<std::ptrdiff_t>(first_inner),
                std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
  }
  path_.pop_back();
  if (!fresh.ok()) return fresh.status();
  Status inner = std::move(inner_error_);
  inner_error_ = Status::OK();
  return inner;
}

void CrashChecker::ExploreInner(const SimFs& crashed, const OpRecord& op,
                                const CrashModel& outer_model, uint32_t depth, bool lossless,
                                std::vector<PathViolation>* out) {
  if (!inner_error_.ok()) return;
  ++counters_.inner_points;
  std::vector<CrashModel> models(1);
  models[0].kind = CrashModelKind::kPowerLoss;
  if (!(outer_model == models[0])) models.push_back(outer_model);
  for (const CrashModel& model : models) {
    const uint64_t seed = MixSeed(config_.seed, MixSeed(op.position, HashText(model.Name())));
    auto states =
        crashed.EnumerateCrashStates(model, {.max_states = config_.inner_max_states, .seed = seed});
    if (!states.ok()) {
      inner_error_ = states.status();
      return;
    }
    while (std::optional<CrashStateId> id = (*states)->Next()) {
      ++counters_.inner_states;
      // Explore resets inner_error_ for its own level; keep the first error.
      Status status = Explore(crashed, *id, depth, lossless, out);
      if (!status.ok()) {
        inner_error_ = std::move(status);
        return;
      }
    }
  }
}

Status CrashChecker::Replay(const SimFs& fs, std::span<const CrashStateId> path, uint32_t depth,
                            bool lossless_so_far, std::vector<Violation>* out, bool* reached) {
  assert(!path.empty());
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<SimFs> crashed, fs.Crash(path[0]));
  crashed->ClearFaultRules();  // as in Explore
  const bool lossless = lossless_so_far && path[0].model.kind == CrashModelKind::kProcessKill &&
                        !DataLostWithoutCrash(*crashed);
  if (path.size() == 1) {
    POWERCUT_ASSIGN_OR_RETURN(RecoveryOutcome outcome,
                              Recover(crashed.get(), {}, config_.check_durable_recovery));
    Judge(outcome, depth, lossless, out);
    return Status::OK();
  }
  bool inner_reached = false;
  Status inner_status;
  SimFs::Observer observer = [&](const OpRecord& op) {
    if (inner_reached || op.position != path[1].position) return;
    inner_reached = true;
    inner_status = Replay(*crashed, path.subspan(1), depth + 1, lossless, out, reached);
  };
  // Only the last recovery on the path is checked.
  POWERCUT_ASSIGN_OR_RETURN(RecoveryOutcome ignored,
                            Recover(crashed.get(), observer, /*cut_after=*/false));
  (void)ignored;
  if (!inner_reached) *reached = false;
  return inner_status;
}

Result<RecoveryOutcome> CrashChecker::Recover(SimFs* crashed, const SimFs::Observer& observer,
                                              bool cut_after) {
  ++counters_.recoveries;
  RecoveryOutcome outcome;
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<EngineAdapter> engine,
                            (*config_.engine)(config_.settings));
  if (observer) crashed->SetObserver(observer);
  Status open = engine->Open(crashed, kExploreDbDir);
  if (observer) crashed->SetObserver(nullptr);
  if (!open.ok()) {
    outcome.failure = "the database failed to open: " + open.ToString();
    outcome.reported_damage = DamageReported(*crashed, open);
    return outcome;
  }
  Result<KvState> state = ScanState(*engine);
  if (!state.ok()) {
    outcome.failure = "the recovered database failed to scan: " + state.status().ToString();
    outcome.reported_damage = DamageReported(*crashed, state.status());
    return outcome;
  }
  outcome.state = std::move(state).value();
  if (!cut_after) return outcome;
  // The power fails at once, with the engine still open on `crashed`.
  CrashStateId cut_id;
  cut_id.model.kind = CrashModelKind::kPowerLoss;
  cut_id.position = crashed->position();
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<SimFs> cut, crashed->Crash(cut_id));
  engine.reset();
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<EngineAdapter> second,
                            (*config_.engine)(config_.settings));
  outcome.after_cut_checked = true;
  Status reopen = second->Open(cut.get(), kExploreDbDir);
  if (!reopen.ok()) {
    outcome.after_cut_failure = "the database failed to open: " + reopen.ToString();
    return outcome;
  }
  Result<KvState> after_cut = ScanState(*second);
  if (!after_cut.ok()) {
    outcome.after_cut_failure =
        "the recovered database failed to scan: " + after_cut.status().ToString();
    return outcome;
  }
  outcome.after_cut = std::move(after_cut).value();
  return outcome;
}

void CrashChecker::Judge(const RecoveryOutcome& outcome, uint32_t depth, bool lossless,
                         std::vector<Violation>* out) const {
  if (!outcome.state) {
    if (outcome.reported_damage) return;  // the right answer to real damage
    out->push_back(AtDepth(MakeViolation(Guarantee::kRecovers, outcome.failure), depth));
    return;
  }
  CheckResult check = oracle_->Check(*outcome.state, {.lossless = lossless, .crash_depth = depth});
  if (!check.ok()) {
    for (Violation& violation : check.violations) out->push_back(std::move(violation));
    return;
  }
  if (!outcome.after_cut_checked) return;
  if (!outcome.after_cut) {
    out->push_back(AtDepth(MakeViolation(Guarantee::kDurableRecovery,
                                         "after a power cut right after a successful recovery, " +
                                             outcome.after_cut_failure),
                           depth));
    return;
  }
  CheckResult durable = Oracle::CheckDurableRecovery(*outcome.state, *outcome.after_cut);
  for (Violation& violation : durable.violations) {
    out->push_back(AtDepth(std::move(violation), depth));
  }
}

}  // namespace powercut::harness::explorer_internal
