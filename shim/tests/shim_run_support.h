// Support for the shim's tests: a fresh sandbox directory (root/, outside/,
// the trace file), running a test program from build/bin/shim_programs with
// or without the shim preloaded (a clean descriptor table, optional ack
// descriptor, a timeout after which it is killed), reading the trace back and
// describing its records as stable text lines.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "trace_reader.h"

namespace powercut::shim::testing {

// A fresh directory under the test's temporary directory.
class Sandbox {
 public:
  explicit Sandbox(const std::string& name);
  // Removes the directory unless the test failed (then it is kept to inspect).
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  const std::string& dir() const { return dir_; }
  std::string root() const { return dir_ + "/root"; }
  std::string outside() const { return dir_ + "/outside"; }
  std::string trace_file() const { return dir_ + "/trace"; }
  std::string ack_file() const { return dir_ + "/acks"; }

 private:
  std::string dir_;
};

struct RunOptions {
  bool preload = true;  // LD_PRELOAD the shim and set POWERCUT_ROOT/TRACE
  bool ack = false;     // open ack_file() at descriptor kAckFd, set POWERCUT_ACK_FD
  std::string faults;   // POWERCUT_FAULTS when not empty
  int timeout_seconds = 120;
  int kill_after_ms = -1;  // SIGKILL the program after this long (>= 0)
};
constexpr int kAckFd = 9;

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
};

std::string ShimLibrary();
std::string ProgramPath(const std::string& name);

// Runs program `name` with `args` in `sandbox`; stdout/stderr are captured.
RunResult RunProgram(const Sandbox& sandbox, const std::string& name,
                     const std::vector<std::string>& args, const RunOptions& options = {});

// RunProgram(sandbox, name, {root, outside}), under the shim unless `traced`
// is false.
RunResult RunWithRootAndOutside(const Sandbox& sandbox, const std::string& name,
                                bool traced = true);

// The trace of `sandbox`, asserting (gtest) that it reads cleanly.
Trace LoadTrace(const Sandbox& sandbox);

// FormatTraceEntry without seq/pid/tid, the root spelled "$R", at most
// `max_data` bytes of data shown.
std::string Describe(const TraceEntry& entry, const std::string& root, size_t max_data = 64);
// Describe() of every entry except kTraceExec.
std::vector<std::string> DescribeAll(const Trace& trace, size_t max_data = 64);

// Relative path -> contents ("<dir>" for directories) of every entry under dir.
std::map<std::string, std::string> TreeContents(const std::string& dir);

}  // namespace powercut::shim::testing
