// The crash builder: turns a SimCore and a crash-state id into the SimCore of
// that crash state, and says what became of each pending operation. The one
// place where crash models (crash_model.h) meet SimFs's state.
// Private to faultfs.
#pragma once

#include <vector>

#include "crash_space.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "sim_state.h"

namespace powercut::faultfs {

// What a crash state does with one pending op.
struct OpChoice {
  PendingOpFate::Fate fate = PendingOpFate::Fate::kDropped;
  uint64_t landed_mask = 0;  // torn writes
  // Forced by the profile (not chosen by the id): reported in the fate.
  std::string forced_by;
};

// Makes `choices` (one per pending op, as the crash-state id chose them) a
// state the profile can leave: under a profile that journals metadata in
// order, every metadata op (entry op, truncate) before the latest persisted
// one persists too; under ext4-ordered, a persisted rename that replaced a
// file brings the renamed file's earlier data ops (auto_da_alloc). Defined in
// crash_profile.cc. Ids keep their digits: the profile is a property of the
// SimFs, so the same id rebuilds the same state on a SimFs of that profile.
void ApplyProfileOrder(PersistenceProfile profile, const std::vector<PendingOp>& pending,
                       const Image& durable, const CrashModel& model,
                       std::vector<OpChoice>& choices);

// ext4-ordered, for a torn write under tear=old: the size never persists
// ahead of the data, so no unit that reaches past `size_before` (the file's
// size in the crash image before this write) may be a hole below a landed
// one, and a persisted size (the size bit) means every unit landed. Returns
// `mask` with those holes landed. Defined in crash_profile.cc.
uint64_t CloseOrderedAppend(const TornLayout& layout, const PendingOp& write, uint32_t sector_bytes,
                            uint64_t mask, uint64_t size_before);

struct CrashOutcome {
  SimCore core;                      // the state after the crash (no handles, no locks)
  std::vector<PendingOpFate> fates;  // one per pending op of the source, in issue order
};

// InvalidArgument if `model` is not a valid model (torn needs 512- or
// 4096-byte sectors).
Status ValidateCrashModel(const CrashModel& model);

// Rebuilds the state `id` names from `core`. InvalidArgument if the id's
// position is not core.position or its choices do not fit the pending ops.
Result<CrashOutcome> BuildCrashState(const SimCore& core, const CrashStateId& id);

}  // namespace powercut::faultfs
