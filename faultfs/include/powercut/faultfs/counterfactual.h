// Counterfactual crash states: "the same crash state, except that these
// pending operations landed in full (or were lost)". Culprit analysis
// (harness/culprit.h) asks, of a crash state that breaks a guarantee, which
// lost operations would have saved it; each question is a crash state of its
// own, named by an ordinary CrashStateId so that SimFs::Crash, replays and
// reports can rebuild and print it.
//
// Every crash state of the power-loss family is expressed per operation: in
// the reorder model (one digit per pending op: 0 lost, 1 landed) or, when a
// write landed torn, in the torn model it came from (a torn write keeps its
// landed-sector mask). The mapping from the failing state's model:
//   power-loss, prefix, per-file-prefix, reorder   reorder, exact
//   torn                                           torn (same sectors and tear)
//   zero-tail                                      torn-<S>-zeros with every
//       metadata op landed, every write that only overwrote lost, and every
//       write that extended its file landed with no sector (zeros read back).
//       Exact for appends; a write that overwrote old bytes *and* extended the
//       file reads zeros over the overwritten part where zero-tail kept the
//       old bytes (an approximation).
//   process-kill                                   none: nothing is lost
// Changing a digit of a torn id with tear=junk changes the junk bytes of the
// other torn writes too (the junk derives from the whole id).
#pragma once

#include <cstddef>
#include <vector>

#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "powercut/status.h"

namespace powercut::faultfs {

// `failing` restated per operation (see above), with the same fates.
// `fates` must be DescribeCrash(failing) at failing.position.
// InvalidArgument for process-kill, or if `fates` does not fit the id.
Result<CrashStateId> PerOpCrashState(const CrashStateId& failing,
                                     const std::vector<PendingOpFate>& fates);

// `failing` with the pending ops at the indices `persist` landed in full and
// those at `drop` lost; every other op keeps its fate. Indices are into
// `fates` (= the pending ops, oldest first). InvalidArgument for
// process-kill, an index out of range, or an index in both lists.
Result<CrashStateId> CounterfactualCrashState(const CrashStateId& failing,
                                              const std::vector<PendingOpFate>& fates,
                                              const std::vector<size_t>& persist,
                                              const std::vector<size_t>& drop);

}  // namespace powercut::faultfs
