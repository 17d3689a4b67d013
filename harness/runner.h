// RunOperation: executes one workload operation on an engine and records
// what happened in the oracle, in the order the explorer needs: a write is
// recorded as in flight *before* the engine sees it (so a crash inside the
// Write call finds it in flight) and its outcome after. Reads, scans and
// reopens are checked as they happen. The explorer calls this step by step
// on a SimFs whose observer crashes it at every file operation; `crash`
// steps belong to the explorer (they need the SimFs), so RunOperation
// rejects them.
#pragma once

#include <string_view>
#include <vector>

#include "engine_adapter.h"
#include "oracle.h"
#include "powercut/faultfs/file_system.h"
#include "violation.h"
#include "workload.h"

namespace powercut::harness {

struct StepResult {
  // The engine's status for the step (a failed write is not a violation by
  // itself: the oracle treats it as indeterminate).
  Status status;
  // Violations found by checking the step's observations: a read or scan
  // showing the wrong state, a reopen that lost or invented data, or a
  // reopen that failed (kRecovers).
  std::vector<Violation> violations;
};

// REQUIRES: `engine` is open on `fs` at `dir`; op.type != kCrash.
StepResult RunOperation(const Operation& op, EngineAdapter& engine, Oracle& oracle,
                        faultfs::FileSystem* fs, std::string_view dir);

}  // namespace powercut::harness
