// Steps 1-3 of the black-box protocol: prepare the root, run --init, snapshot
// the root (the durable starting image), run --workload under the shim
// (LD_PRELOAD) with POWERCUT_ROOT, POWERCUT_TRACE and POWERCUT_ACK_FD, and
// read the trace it left. The root must be empty or absent: powercut never
// deletes a user's files, so a second run needs a fresh (or emptied) root.
#pragma once

#include <string>
#include <vector>

#include "judge.h"
#include "powercut/status.h"
#include "trace_loader.h"

namespace powercut::blackbox {

// The descriptor the workload writes ack lines to (POWERCUT_ACK_FD).
inline constexpr int kAckFd = 3;

// The shim library: $POWERCUT_SHIM if set, else libpowercut_shim.so next to
// the running binary or in ../lib. NotFound lists the places tried.
Result<std::string> FindShim();

// The absolute, lexically normal form of `root`; creates it if missing.
// InvalidArgument if it exists and is not an empty directory.
Result<std::string> PrepareRoot(const std::string& root);

struct RecordOptions {
  std::string root;          // from PrepareRoot
  std::string init_command;  // may be empty
  std::string workload_command;
  std::string shim_path;
  std::string work_dir;  // scratch: the trace, ack log, outputs
};

struct Recording {
  InitialImage image;
  shim::Trace trace;
  CheckerRun workload;  // its exit status and output (the output is shown on failure)
  std::vector<std::string> notes;
};

// Runs --init and --workload and reads the trace. InvalidArgument if --init
// fails (with its stderr), if the workload left no trace (the shim was not
// loaded), or if the trace lost records (capacity).
Result<Recording> Record(const RecordOptions& options);

}  // namespace powercut::blackbox
