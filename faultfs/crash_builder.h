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
