// The culprit search (see culprit.h): smallest sets of lost operations whose
// landing makes a failing crash state pass, or of landed operations whose
// loss does. Exhaustive over small sets, then a greedy reduction.
#include <algorithm>
#include <cassert>
#include <memory>

#include "culprit.h"
#include "powercut/faultfs/counterfactual.h"

namespace powercut::harness {
namespace {

using faultfs::CrashStateId;
using faultfs::PendingOpFate;
using Fate = PendingOpFate::Fate;

// One direction of the search: which ops may be flipped, and how.
class SetSearch {
 public:
  SetSearch(const CrashStateId& failing, const std::vector<PendingOpFate>& fates,
            const CrashStateCheck& passes, bool by_dropping, uint64_t max_states)
      : failing_(failing),
        fates_(fates),
        passes_(passes),
        by_dropping_(by_dropping),
        max_states_(max_states) {}

  // Whether the state with the ops of `set` flipped passes; nullopt once the
  // budget is spent.
  // Stops at `limit` states (at most the budget).
  Result<std::optional<bool>> Try(const std::vector<size_t>& set, uint64_t limit = UINT64_MAX) {
    if (tried_ >= std::min(limit, max_states_)) return std::optional<bool>();
    const std::vector<size_t> none;
    POWERCUT_ASSIGN_OR_RETURN(CrashStateId id, faultfs::CounterfactualCrashState(
                                                   failing_, fates_, by_dropping_ ? none : set,
                                                   by_dropping_ ? set : none));
    ++tried_;
    POWERCUT_ASSIGN_OR_RETURN(bool ok, passes_(id));
    if (ok) last_passing_ = id;
    return std::optional<bool>(ok);
  }

  // Every set of `size` of `candidates`, in lexicographic order, until one
  // passes. Returns it, or nullopt (none passes, or the budget ran out:
  // `exhausted` tells).
  Result<std::optional<std::vector<size_t>>> TrySize(const std::vector<size_t>& candidates,
                                                     size_t size, uint64_t limit, bool& exhausted) {
    std::vector<size_t> pick(size);
    for (size_t i = 0; i < size; ++i) pick[i] = i;
    while (true) {
      std::vector<size_t> set;
      for (size_t i : pick) set.push_back(candidates[i]);
      POWERCUT_ASSIGN_OR_RETURN(std::optional<bool> ok, Try(set, limit));
      if (!ok.has_value()) {
        exhausted = true;
        return std::optional<std::vector<size_t>>();
      }
      if (*ok) return std::optional<std::vector<size_t>>(set);
      if (!NextCombination(pick, candidates.size())) break;
    }
    return std::optional<std::vector<size_t>>();
  }

  // Drops members of `set` (known to pass) one at a time while it still
  // passes: a set none of whose members can be spared.
  Result<std::vector<size_t>> Reduce(std::vector<size_t> set) {
    for (size_t i = 0; i < set.size();) {
      std::vector<size_t> smaller = set;
      smaller.erase(smaller.begin() + static_cast<ptrdiff_t>(i));
      if (smaller.empty()) break;
      POWERCUT_ASSIGN_OR_RETURN(std::optional<bool> ok, Try(smaller));
      if (!ok.has_value()) break;
      if (*ok) {
        set = std::move(smaller);
      } else {
        ++i;
      }
    }
    return set;
  }

  uint64_t tried() const { return tried_; }
  uint64_t max_states() const { return max_states_; }
  uint64_t left() const { return max_states_ - std::min(max_states_, tried_); }
  const CrashStateId& last_passing() const { return last_passing_; }

 private:
  static bool NextCombination(std::vector<size_t>& pick, size_t n) {
    const size_t k = pick.size();
    for (size_t i = k; i-- > 0;) {
      if (pick[i] < n - k + i) {
        ++pick[i];
        for (size_t j = i + 1; j < k; ++j) pick[j] = pick[j - 1] + 1;
        return true;
      }
    }
    return false;
  }

  const CrashStateId& failing_;
  const std::vector<PendingOpFate>& fates_;
  const CrashStateCheck& passes_;
  bool by_dropping_;
  uint64_t max_states_;
  uint64_t tried_ = 0;
  CrashStateId last_passing_;
};

// One direction: `candidates` are the ops that may flip. Fills `result` when
// a set is found.
Status SearchOneDirection(SetSearch& search, const std::vector<size_t>& candidates,
                          const CulpritBudget& budget, CulpritSearch& result) {
  if (candidates.empty()) return Status::OK();
  // If flipping them all does not help, no subset is likely to: skip.
  POWERCUT_ASSIGN_OR_RETURN(std::optional<bool> all, search.Try(candidates));
  if (!all.has_value() || !*all) return Status::OK();
  const CrashStateId all_passing = search.last_passing();
  // The exhaustive phase leaves enough budget for the greedy fallback.
  const uint64_t reserve = candidates.size();
  const uint64_t exhaustive_limit =
      search.max_states() > reserve ? search.max_states() - reserve : search.tried();
  const size_t limit = std::min<size_t>(budget.exhaustive_max_size, candidates.size());
  bool exhausted = false;
  for (size_t size = 1; size <= limit && !exhausted; ++size) {
    if (size == candidates.size()) {  // the full set, already known to pass
      result = {true, result.by_dropping, candidates, true, all_passing, 0};
      return Status::OK();
    }
    POWERCUT_ASSIGN_OR_RETURN(std::optional<std::vector<size_t>> set,
                              search.TrySize(candidates, size, exhaustive_limit, exhausted));
    if (set.has_value()) {
      result = {true, result.by_dropping, *set, true, search.last_passing(), 0};
      return Status::OK();
    }
  }
  POWERCUT_ASSIGN_OR_RETURN(std::vector<size_t> reduced, search.Reduce(candidates));
  CrashStateId passing = reduced.size() == candidates.size() ? all_passing : search.last_passing();
  result = {true, result.by_dropping, reduced, false, passing, 0};
  return Status::OK();
}

}  // namespace

Result<CulpritSearch> SearchCulprits(const CrashStateId& failing,
                                     const std::vector<PendingOpFate>& fates,
                                     const CrashStateCheck& passes, const CulpritBudget& budget) {
  if (budget.max_states == 0) {
    return Status::InvalidArgument("culprit search budget max_states must be at least 1");
  }
  // Fails early (process-kill, ids that do not fit) before any check runs.
  POWERCUT_RETURN_IF_ERROR(faultfs::PerOpCrashState(failing, fates).status());
  std::vector<size_t> lost;
  std::vector<size_t> landed;
  for (size_t i = 0; i < fates.size(); ++i) {
    (fates[i].fate == Fate::kPersisted ? landed : lost).push_back(i);
  }
  // Torn ops landed in part: they may be culprits either way.
  for (size_t i = 0; i < fates.size(); ++i) {
    if (fates[i].fate == Fate::kTorn) landed.push_back(i);
  }
  std::sort(landed.begin(), landed.end());
  CulpritSearch result;
  uint64_t tried = 0;
  SetSearch landing(failing, fates, passes, /*by_dropping=*/false, budget.max_states);
  POWERCUT_RETURN_IF_ERROR(SearchOneDirection(landing, lost, budget, result));
  tried += landing.tried();
  if (!result.found) {
    result.by_dropping = true;
    SetSearch dropping(failing, fates, passes, /*by_dropping=*/true, landing.left());
    POWERCUT_RETURN_IF_ERROR(SearchOneDirection(dropping, landed, budget, result));
    tried += dropping.tried();
    if (!result.found) result.by_dropping = false;
  }
  result.states_tried = tried;
  return result;
}

Result<CulpritSearch> FindCulprits(const faultfs::SimFs& at_crash_point,
                                   const CrashStateId& failing,
                                   const std::function<Result<bool>(faultfs::SimFs& state)>& passes,
                                   const CulpritBudget& budget) {
  POWERCUT_ASSIGN_OR_RETURN(std::vector<PendingOpFate> fates,
                            at_crash_point.DescribeCrash(failing));
  CrashStateCheck check = [&](const CrashStateId& candidate) -> Result<bool> {
    POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<faultfs::SimFs> state,
                              at_crash_point.Crash(candidate));
    return passes(*state);
  };
  return SearchCulprits(failing, fates, check, budget);
}

}  // namespace powercut::harness
