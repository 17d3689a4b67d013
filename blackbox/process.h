// Runs one user command (`/bin/sh -c CMD`) the way the black-box protocol
// says: with extra environment variables, a working directory, optionally an
// extra descriptor opened on a file, a timeout, and stdout/stderr captured
// into files and read back. The child gets its own process group, so a
// timeout kills the whole pipeline the command started.
// Thread-safety: RunCommand may be called from several threads at once
// (posix_spawn, no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "judge.h"

namespace powercut::blackbox {

struct CommandSpec {
  std::string command;                                   // run by /bin/sh -c
  std::string cwd;                                       // working directory; empty: inherit
  std::vector<std::pair<std::string, std::string>> env;  // set (or replaced)
  std::string out_file;  // where stdout goes (created; read back into CheckerRun::out)
  std::string err_file;  // where stderr goes
  // An extra descriptor: fd number -> file opened for append (created).
  std::optional<std::pair<int, std::string>> extra_fd;
  double timeout_seconds = 0;           // 0: none
  size_t max_captured_bytes = 1 << 20;  // of each of stdout and stderr
};

// Runs the command to completion (or timeout). The result's spawn_error is
// set when /bin/sh could not be started.
CheckerRun RunCommand(const CommandSpec& spec);

}  // namespace powercut::blackbox
