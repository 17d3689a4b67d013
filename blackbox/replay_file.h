// Replay files of `powercut blackbox`: one failing crash state, saved with
// everything needed to rebuild its image without rerunning the workload (the
// starting image, the trace, the crash-state id) and to judge it again (the
// checker command, its timeout and the baseline state). `powercut blackbox
// --replay FILE` reads one back.
//
// Format (version 1), a sequence of fields after a first line:
//   powercut-blackbox-replay 1\n
//   <tag> <length>\n<length bytes>\n       (repeated)
// Tags, in this order: root, check, timeout, state, then an optional profile
// (a file-system profile name; absent: strict-posix), then any number of
// initial (body "key value"), dir (a path), file + data (path, contents),
// then trace-root and entries: entry (body: "seq kind flag_bits pid tid fd
// result err flags mode offset length" in decimal) followed by path, path2
// and data. Written by WriteReplayFile only: never hand-edited.
#pragma once

#include <string>

#include "judge.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/status.h"
#include "trace_loader.h"

namespace powercut::blackbox {

struct ReplayCase {
  std::string root;  // the real root of the run (for people)
  std::string check_command;
  double timeout_seconds = 0;
  faultfs::CrashStateId id;
  KeyValues initial;
  InitialImage image;
  shim::Trace trace;
  faultfs::PersistenceProfile profile = faultfs::PersistenceProfile::kStrictPosix;
};

// Writes `replay` to `path` (its directory is created). IOError names it.
Status WriteReplayFile(const std::string& path, const ReplayCase& replay);
// Reads a replay file. Corruption names the file and byte offset.
Result<ReplayCase> ReadReplayFile(const std::string& path);

}  // namespace powercut::blackbox
