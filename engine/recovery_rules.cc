// The WAL damage decision table (see recovery_rules.h for the reasoning).
#include "recovery_rules.h"

#include <cassert>
#include <cstdlib>

namespace powercut::engine {
namespace {

using M = WalRecoveryMode;
using D = WalDamage;
using A = WalAction;

// clang-format off
constexpr WalDamageRule kRules[] = {
  // mode                  damage        below_synced  last_wal     action
  {M::kTolerateTornTail, D::kNone,     Match::kAny, Match::kAny, A::kReplayAll,
   "clean log"},
  {M::kTolerateTornTail, D::kTornTail, Match::kNo,  Match::kYes, A::kCutHere,
   "unsynced tail torn by the crash: nothing after it was acknowledged durable"},
  {M::kTolerateTornTail, D::kTornTail, Match::kNo,  Match::kNo,  A::kFailCorruption,
   "a non-last WAL was synced in full before the next one was created"},
  {M::kTolerateTornTail, D::kTornTail, Match::kYes, Match::kAny, A::kFailCorruption,
   "damage inside bytes a DataSync had made durable"},
  {M::kTolerateTornTail, D::kMidLog,   Match::kNo,  Match::kYes, A::kCutHere,
   "unsynced tail persisted out of order: cut at the hole, keep the prefix"},
  {M::kTolerateTornTail, D::kMidLog,   Match::kNo,  Match::kNo,  A::kFailCorruption,
   "a non-last WAL was synced in full before the next one was created"},
  {M::kTolerateTornTail, D::kMidLog,   Match::kYes, Match::kAny, A::kFailCorruption,
   "damage inside bytes a DataSync had made durable"},

  {M::kPointInTime,      D::kNone,     Match::kAny, Match::kAny, A::kReplayAll,
   "clean log"},
  {M::kPointInTime,      D::kTornTail, Match::kAny, Match::kAny, A::kCutAndStopReplay,
   "point in time: the state just before the first damage"},
  {M::kPointInTime,      D::kMidLog,   Match::kAny, Match::kAny, A::kCutAndStopReplay,
   "point in time: the state just before the first damage"},

  {M::kSkipCorrupted,    D::kNone,     Match::kAny, Match::kAny, A::kReplayAll,
   "clean log"},
  {M::kSkipCorrupted,    D::kTornTail, Match::kAny, Match::kAny, A::kSkipAndContinue,
   "skip mode: availability over consistency"},
  {M::kSkipCorrupted,    D::kMidLog,   Match::kAny, Match::kAny, A::kSkipAndContinue,
   "skip mode: availability over consistency"},
};

using MD = ManifestDamage;
using MA = ManifestAction;

constexpr ManifestDamageRule kManifestRules[] = {
  // damage          after_snapshot retired_wal  action
  {MD::kNone,      Match::kAny, Match::kAny, MA::kReadAll,
   "clean manifest"},
  {MD::kTornTail,  Match::kNo,  Match::kAny, MA::kFailCorruption,
   "the snapshot was synced before CURRENT named the manifest"},
  {MD::kTornTail,  Match::kYes, Match::kYes, MA::kCutTail,
   "an unsynced edit torn by the crash: the WAL it would retire is still there and replays"},
  {MD::kTornTail,  Match::kYes, Match::kNo,  MA::kFailCorruption,
   "the WAL the edit retired is gone, so the edit was synced: media damage, not a torn tail"},
  {MD::kMidLog,    Match::kAny, Match::kAny, MA::kFailCorruption,
   "valid edits follow the damage: they were appended after it was synced"},
};
// clang-format on

bool Matches(Match match, bool value) {
  return match == Match::kAny || (match == Match::kYes) == value;
}

// The one row of `rules` that matches `input`, or nullptr.
template <typename Rule, typename Input>
const Rule* FindRule(std::span<const Rule> rules, const Input& input) {
  const Rule* found = nullptr;
  for (const Rule& rule : rules) {
    if (!RuleMatches(rule, input)) continue;
    assert(found == nullptr && "two rules match one input: the table is ambiguous");
    found = &rule;
  }
  assert(found != nullptr && "no rule matches: the table is not exhaustive");
  return found;
}

}  // namespace

std::span<const WalDamageRule> WalDamageRules() { return kRules; }

bool RuleMatches(const WalDamageRule& rule, const WalDamageInput& input) {
  return rule.mode == input.mode && rule.damage == input.damage &&
         Matches(rule.below_synced, input.below_synced) && Matches(rule.last_wal, input.last_wal);
}

WalAction DecideWalDamage(const WalDamageInput& input) {
  const WalDamageRule* found = FindRule(std::span<const WalDamageRule>(kRules), input);
  // The exhaustiveness test guarantees a row; failing safe keeps release
  // builds from replaying anything doubtful.
  return found != nullptr ? found->action : WalAction::kFailCorruption;
}

std::span<const ManifestDamageRule> ManifestDamageRules() { return kManifestRules; }

bool RuleMatches(const ManifestDamageRule& rule, const ManifestDamageInput& input) {
  return rule.damage == input.damage && Matches(rule.after_snapshot, input.after_snapshot) &&
         Matches(rule.retired_wal_present, input.retired_wal_present);
}

ManifestAction DecideManifestDamage(const ManifestDamageInput& input) {
  const ManifestDamageRule* found =
      FindRule(std::span<const ManifestDamageRule>(kManifestRules), input);
  return found != nullptr ? found->action : ManifestAction::kFailCorruption;
}

std::string_view ManifestActionName(ManifestAction action) {
  switch (action) {
    case ManifestAction::kReadAll:
      return "read-all";
    case ManifestAction::kCutTail:
      return "cut-tail";
    case ManifestAction::kFailCorruption:
      return "fail-corruption";
  }
  return "?";
}

std::string_view WalActionName(WalAction action) {
  switch (action) {
    case WalAction::kReplayAll:
      return "replay-all";
    case WalAction::kCutHere:
      return "cut-here";
    case WalAction::kCutAndStopReplay:
      return "cut-and-stop-replay";
    case WalAction::kFailCorruption:
      return "fail-corruption";
    case WalAction::kSkipAndContinue:
      return "skip-and-continue";
  }
  return "?";
}

std::string_view WalDamageName(WalDamage damage) {
  switch (damage) {
    case WalDamage::kNone:
      return "none";
    case WalDamage::kTornTail:
      return "torn-tail";
    case WalDamage::kMidLog:
      return "mid-log";
  }
  return "?";
}

}  // namespace powercut::engine
