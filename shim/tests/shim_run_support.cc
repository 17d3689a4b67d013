// Running the shim's test programs (see shim_run_support.h). Programs start
// with only descriptors 0-2 (and the ack descriptor), so descriptor numbers
// in their traces are deterministic.
#include "shim_run_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern "C" {
#include "trace_format.h"
}

namespace powercut::shim::testing {
namespace fs = std::filesystem;

Sandbox::Sandbox(const std::string& name) {
  dir_ = ::testing::TempDir() + "/shim_" + name + "_" + std::to_string(getpid());
  fs::remove_all(dir_);
  fs::create_directories(root());
  fs::create_directories(outside());
  dir_ = fs::canonical(dir_).string();
}

Sandbox::~Sandbox() {
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "shim test sandbox kept for inspection: %s\n", dir_.c_str());
    return;
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string ShimLibrary() { return POWERCUT_SHIM_LIBRARY; }
std::string ProgramPath(const std::string& name) {
  return std::string(POWERCUT_SHIM_PROGRAMS) + "/" + name;
}

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> ChildEnvironment(const Sandbox& sandbox, const RunOptions& options) {
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
  if (!options.preload) return env;
  env.push_back("LD_PRELOAD=" + ShimLibrary());
  env.push_back("POWERCUT_ROOT=" + sandbox.root());
  env.push_back("POWERCUT_TRACE=" + sandbox.trace_file());
  if (options.ack) env.push_back("POWERCUT_ACK_FD=" + std::to_string(kAckFd));
  if (!options.faults.empty()) env.push_back("POWERCUT_FAULTS=" + options.faults);
  return env;
}

[[noreturn]] void ExecChild(const Sandbox& sandbox, const std::vector<std::string>& argv,
                            const std::vector<std::string>& env, const RunOptions& options) {
  int out = open((sandbox.dir() + "/stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = open((sandbox.dir() + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int null = open("/dev/null", O_RDONLY);
  if (out < 0 || err < 0 || null < 0) _exit(120);
  dup2(null, 0);
  dup2(out, 1);
  dup2(err, 2);
  int first_free = 3;
  if (options.ack) {
    int ack = open(sandbox.ack_file().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (ack < 0 || dup2(ack, kAckFd) < 0) _exit(121);
    for (int fd = 3; fd < kAckFd; ++fd) close(fd);
    first_free = kAckFd + 1;
  }
  close_range(first_free, ~0U, 0);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execve(args[0], args.data(), envp.data());
  _exit(122);
}

}  // namespace

RunResult RunProgram(const Sandbox& sandbox, const std::string& name,
                     const std::vector<std::string>& args, const RunOptions& options) {
  std::vector<std::string> argv = {ProgramPath(name)};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = ChildEnvironment(sandbox, options);
  pid_t pid = fork();
  if (pid == 0) ExecChild(sandbox, argv, env, options);
  RunResult result;
  auto start = std::chrono::steady_clock::now();
  int status = 0;
  bool killed = false;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    if (!killed && options.kill_after_ms >= 0 && elapsed >= options.kill_after_ms) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (!killed && elapsed >= options.timeout_seconds * 1000L) {
      kill(pid, SIGKILL);
      killed = true;
      result.timed_out = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = ReadFile(sandbox.dir() + "/stdout");
  result.err = ReadFile(sandbox.dir() + "/stderr");
  return result;
}

Trace LoadTrace(const Sandbox& sandbox) {
  auto trace = ReadTrace(sandbox.trace_file());
  EXPECT_TRUE(trace.ok()) << trace.status().ToString();
  if (!trace.ok()) return Trace{};
  EXPECT_EQ(trace->root, sandbox.root());
  EXPECT_EQ(trace->dropped, 0u);
  return std::move(trace).value();
}

RunResult RunWithRootAndOutside(const Sandbox& sandbox, const std::string& name, bool traced) {
  RunOptions options;
  options.preload = traced;
  return RunProgram(sandbox, name, {sandbox.root(), sandbox.outside()}, options);
}

std::string Describe(const TraceEntry& entry, const std::string& root, size_t max_data) {
  std::string text = FormatTraceEntry(entry, max_data);
  // Drop "seq=N pid=N tid=N ".
  for (int field = 0; field < 3; ++field) text.erase(0, text.find(' ') + 1);
  for (size_t at = text.find(root); at != std::string::npos; at = text.find(root, at)) {
    text.replace(at, root.size(), "$R");
  }
  return text;
}

std::vector<std::string> DescribeAll(const Trace& trace, size_t max_data) {
  std::vector<std::string> lines;
  for (const TraceEntry& entry : trace.entries) {
    if (entry.kind != kTraceExec) lines.push_back(Describe(entry, trace.root, max_data));
  }
  return lines;
}

std::map<std::string, std::string> TreeContents(const std::string& dir) {
  std::map<std::string, std::string> tree;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    std::string name = fs::relative(entry.path(), dir).string();
    tree[name] = entry.is_directory() ? "<dir>" : ReadFile(entry.path().string());
  }
  return tree;
}

}  // namespace powercut::shim::testing
