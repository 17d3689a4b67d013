// Recording a black-box workload (session.h).
#include "session.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "image.h"
#include "process.h"
#include "trace_format.h"

namespace powercut::blackbox {
namespace fs = std::filesystem;

namespace {

std::string Tail(const std::string& text, size_t max_bytes = 2000) {
  return text.size() <= max_bytes ? text : "..." + text.substr(text.size() - max_bytes);
}

Status RunInit(const RecordOptions& options) {
  CommandSpec spec;
  spec.command = options.init_command;
  spec.env = {{"POWERCUT_ROOT", options.root}};
  spec.out_file = options.work_dir + "/init.out";
  spec.err_file = options.work_dir + "/init.err";
  const CheckerRun run = RunCommand(spec);
  if (run.spawn_error.empty() && !run.timed_out && run.signal == 0 && run.exit_code == 0) {
    return Status::OK();
  }
  return Status::InvalidArgument("--init '" + options.init_command + "' failed (" +
                                 DescribeExit(run) + "); its stderr:\n" + Tail(run.err));
}

CheckerRun RunWorkload(const RecordOptions& options, const std::string& trace_file) {
  CommandSpec spec;
  spec.command = options.workload_command;
  std::string preload = options.shim_path;
  if (const char* existing = getenv("LD_PRELOAD"); existing != nullptr && *existing != '\0') {
    preload += std::string(":") + existing;
  }
  spec.env = {{"POWERCUT_ROOT", options.root},
              {"POWERCUT_TRACE", trace_file},
              {"POWERCUT_ACK_FD", std::to_string(kAckFd)},
              {"LD_PRELOAD", preload}};
  spec.extra_fd = std::make_pair(kAckFd, options.work_dir + "/acks.log");
  spec.out_file = options.work_dir + "/workload.out";
  spec.err_file = options.work_dir + "/workload.err";
  return RunCommand(spec);
}

// Bytes of a tmpfs trace allocated before the workload starts, so that the
// traced program does not pay for fresh pages (docs/performance.md): 32 MiB,
// or POWERCUT_TRACE_PREALLOCATE. The shim takes a file of zeros for a new
// trace; a longer trace grows past it as usual.
uint64_t TracePreallocationBytes() {
  const char* text = getenv("POWERCUT_TRACE_PREALLOCATE");
  if (text == nullptr || *text == '\0') return uint64_t{32} << 20;
  return strtoull(text, nullptr, 10);
}

void PreallocateTrace(const std::string& path) {
  const uint64_t bytes = TracePreallocationBytes();
  if (bytes == 0) return;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;  // the shim creates the file itself then
  (void)posix_fallocate(fd, 0, static_cast<off_t>(bytes));
  close(fd);
}

// Whether the shim ever initialised `path`: it exists and starts with the
// trace magic (a preallocated file the shim never opened is all zeros).
bool ShimWroteTrace(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[8] = {};
  const bool read = pread(fd, magic, sizeof magic, 0) == static_cast<ssize_t>(sizeof magic);
  close(fd);
  return read && memcmp(magic, POWERCUT_TRACE_MAGIC, sizeof magic) == 0;
}

// Where the workload's trace goes: on /dev/shm when that is a writable tmpfs
// (recording into tmpfs pages is cheaper than into a disk file system's:
// docs/performance.md), preallocated there; else in the scratch directory.
// The /dev/shm file is named after this process and removed once read
// (TraceFile's destructor).
class TraceFile {
 public:
  explicit TraceFile(const std::string& work_dir) {
    struct statfs shm;
    if (statfs("/dev/shm", &shm) == 0 && shm.f_type == TMPFS_MAGIC &&
        access("/dev/shm", W_OK | X_OK) == 0) {
      static std::atomic<int> next{0};
      path_ = "/dev/shm/powercut-trace-" + std::to_string(getpid()) + "-" + std::to_string(next++);
      owned_ = true;
      std::error_code ignored;
      fs::remove(path_, ignored);  // a stale file of a dead process with our pid
      PreallocateTrace(path_);
    } else {
      path_ = work_dir + "/trace";
    }
  }
  ~TraceFile() {
    std::error_code ignored;
    if (owned_) fs::remove(path_, ignored);
  }
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool owned_ = false;
};

}  // namespace

Result<std::string> FindShim() {
  if (const char* path = getenv("POWERCUT_SHIM"); path != nullptr && *path != '\0') {
    if (access(path, R_OK) != 0) {
      return Status::NotFound(std::string("POWERCUT_SHIM=") + path + " cannot be read");
    }
    return fs::absolute(path).lexically_normal().string();
  }
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  std::vector<fs::path> candidates;
  if (!error) {
    candidates = {exe.parent_path() / "libpowercut_shim.so",
                  exe.parent_path() / ".." / "lib" / "libpowercut_shim.so"};
  }
  std::string tried;
  for (const fs::path& candidate : candidates) {
    if (access(candidate.c_str(), R_OK) == 0) return candidate.lexically_normal().string();
    tried += " " + candidate.lexically_normal().string();
  }
  return Status::NotFound("libpowercut_shim.so not found (tried:" + tried +
                          "); build it (target powercut_shim) or set POWERCUT_SHIM");
}

Result<std::string> PrepareRoot(const std::string& root) {
  const fs::path path = fs::absolute(root).lexically_normal();
  std::string text = path.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  std::error_code error;
  if (!fs::exists(path, error)) {
    fs::create_directories(path, error);
    if (error)
      return Status::InvalidArgument("--root " + root + ": cannot create: " + error.message());
    return text;
  }
  if (!fs::is_directory(path, error)) {
    return Status::InvalidArgument("--root " + root + " exists and is not a directory");
  }
  if (!fs::is_empty(path, error)) {
    return Status::InvalidArgument("--root " + root +
                                   " is not empty: powercut starts from an empty root (then "
                                   "--init fills it) and never deletes files; empty it (rm -rf " +
                                   text + ") or name a new directory");
  }
  return text;
}

Result<Recording> Record(const RecordOptions& options) {
  Recording recording;
  if (!options.init_command.empty()) POWERCUT_RETURN_IF_ERROR(RunInit(options));
  POWERCUT_ASSIGN_OR_RETURN(recording.image, SnapshotDirectory(options.root, &recording.notes));
  const TraceFile trace_place(options.work_dir);
  const std::string& trace_file = trace_place.path();
  recording.workload = RunWorkload(options, trace_file);
  if (!recording.workload.spawn_error.empty()) {
    return Status::InvalidArgument("--workload could not start: " + recording.workload.spawn_error);
  }
  if (!ShimWroteTrace(trace_file)) {
    return Status::InvalidArgument(
        "--workload left no trace: the shim was not loaded (a static binary, or "
        "LD_PRELOAD cleared by the workload?); its stderr:\n" +
        Tail(recording.workload.err));
  }
  POWERCUT_ASSIGN_OR_RETURN(recording.trace, shim::ReadTrace(trace_file));
  if (recording.trace.dropped > 0) {
    return Status::InvalidArgument("the trace lost " + std::to_string(recording.trace.dropped) +
                                   " records (full): raise POWERCUT_TRACE_CAPACITY");
  }
  if (recording.trace.root != options.root) {
    recording.notes.push_back("the trace's root is " + recording.trace.root);
  }
  if (recording.trace.skipped_uncommitted > 0) {
    recording.notes.push_back(std::to_string(recording.trace.skipped_uncommitted) +
                              " trace records were left unfinished by killed processes");
  }
  return recording;
}

}  // namespace powercut::blackbox
