// RunCommand: posix_spawn of /bin/sh -c with captured output (process.h).
#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

extern char** environ;

namespace powercut::blackbox {
namespace {

// environ with `extra` set on top, as "NAME=value" strings.
std::vector<std::string> BuildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const size_t eq = text.find('=');
    if (eq != std::string::npos) vars[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [name, value] : extra) vars[name] = value;
  std::vector<std::string> env;
  for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
  return env;
}

std::string ReadCapped(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text(max_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(max_bytes));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.peek() != std::ifstream::traits_type::eof())
    text += "\n[... output cut at " + std::to_string(max_bytes) + " bytes]\n";
  return text;
}

double Now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Waits for `pid`; kills its process group after `timeout_seconds` (if > 0).
void WaitFor(pid_t pid, double timeout_seconds, CheckerRun& run) {
  const double deadline = Now() + timeout_seconds;
  long sleep_ns = 100'000;  // grows to 10 ms: short commands return fast
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, timeout_seconds > 0 ? WNOHANG : 0);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      run.spawn_error = std::string("waitpid: ") + std::strerror(errno);
      return;
    }
    if (done == 0 && Now() > deadline) {
      kill(-pid, SIGKILL);
      (void)waitpid(pid, &status, 0);
      run.timed_out = true;
      return;
    }
    const timespec pause{0, sleep_ns};
    nanosleep(&pause, nullptr);
    sleep_ns = std::min(sleep_ns * 2, 10'000'000L);
  }
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
}

}  // namespace

CheckerRun RunCommand(const CommandSpec& spec) {
  CheckerRun run;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, spec.out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, spec.err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  if (spec.extra_fd) {
    posix_spawn_file_actions_addopen(&actions, spec.extra_fd->first, spec.extra_fd->second.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  const std::vector<std::string> env = BuildEnvironment(spec.env);
  std::vector<char*> envp;
  for (const std::string& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", spec.command.c_str(), nullptr};
  pid_t pid = 0;
  const int error =
      posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char**>(argv), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) {
    run.spawn_error = std::string("/bin/sh: ") + std::strerror(error);
    return run;
  }
  WaitFor(pid, spec.timeout_seconds, run);
  run.out = ReadCapped(spec.out_file, spec.max_captured_bytes);
  run.err = ReadCapped(spec.err_file, spec.max_captured_bytes);
  return run;
}

}  // namespace powercut::blackbox
