// Counterfactual crash states (see powercut/faultfs/counterfactual.h): a
// crash state restated one digit per pending operation, then edited.
#include "powercut/faultfs/counterfactual.h"

#include <string>

#include "crash_space.h"

namespace powercut::faultfs {
namespace {

using Fate = PendingOpFate::Fate;

// The torn-model digit of an op that lands in full.
uint64_t FullyLandedDigit(const OpRecord& op, const CrashModel& model) {
  if (model.kind != CrashModelKind::kTorn || op.kind != OpKind::kWrite || op.length == 0) {
    return 1;
  }
  uint64_t units = TornLayout::ForRange(op.offset, op.length, model.sector_bytes).unit_count;
  return 1 + ((uint64_t{1} << units) - 1);
}

// zero-tail as torn-512-zeros (see the header).
CrashStateId ZeroTailAsTorn(const CrashStateId& failing, const std::vector<PendingOpFate>& fates) {
  CrashStateId id;
  id.model = CrashModel{CrashModelKind::kTorn, 512, TearContent::kZeros};
  id.position = failing.position;
  for (const PendingOpFate& fate : fates) {
    // A non-write persisted; an overwrite was lost; an extending write landed
    // with no sector (digit 1: mask 0, zeros).
    id.choices.push_back(fate.fate == Fate::kDropped ? 0 : 1);
  }
  return id;
}

}  // namespace

Result<CrashStateId> PerOpCrashState(const CrashStateId& failing,
                                     const std::vector<PendingOpFate>& fates) {
  switch (failing.model.kind) {
    case CrashModelKind::kProcessKill:
      return Status::InvalidArgument("crash state " + failing.ToString() +
                                     ": nothing is lost under process-kill, so no operation "
                                     "can be made to land");
    case CrashModelKind::kTorn:
      if (failing.choices.size() != fates.size()) break;
      return failing;
    case CrashModelKind::kZeroTail:
      return ZeroTailAsTorn(failing, fates);
    default: {
      CrashStateId id;
      id.model = CrashModel{CrashModelKind::kReorder};
      id.position = failing.position;
      for (const PendingOpFate& fate : fates) {
        if (fate.fate == Fate::kTorn) {
          return Status::InvalidArgument("crash state " + failing.ToString() +
                                         ": a torn operation under a model that cannot tear");
        }
        id.choices.push_back(fate.fate == Fate::kPersisted ? 1 : 0);
      }
      return id;
    }
  }
  return Status::InvalidArgument("crash state " + failing.ToString() + " has " +
                                 std::to_string(failing.choices.size()) + " choices for " +
                                 std::to_string(fates.size()) + " pending operations");
}

Result<CrashStateId> CounterfactualCrashState(const CrashStateId& failing,
                                              const std::vector<PendingOpFate>& fates,
                                              const std::vector<size_t>& persist,
                                              const std::vector<size_t>& drop) {
  POWERCUT_ASSIGN_OR_RETURN(CrashStateId id, PerOpCrashState(failing, fates));
  std::vector<int> edited(fates.size(), 0);
  auto edit = [&](size_t index, bool land) -> Status {
    if (index >= fates.size()) {
      return Status::InvalidArgument("pending operation #" + std::to_string(index) +
                                     " is out of range: there are " + std::to_string(fates.size()));
    }
    if (edited[index]++ != 0) {
      return Status::InvalidArgument("pending operation #" + std::to_string(index) +
                                     " is named twice");
    }
    id.choices[index] = land ? FullyLandedDigit(fates[index].op, id.model) : 0;
    return Status::OK();
  };
  for (size_t index : persist) POWERCUT_RETURN_IF_ERROR(edit(index, true));
  for (size_t index : drop) POWERCUT_RETURN_IF_ERROR(edit(index, false));
  return id;
}

}  // namespace powercut::faultfs
