// PosixFs: the FileSystem over the real operating system (see posix_fs.h).
// This file is the only place in powercut that makes file system calls for
// the engine; the harness never sees them, SimFs stands in for it in tests.
//
// Method: virtual paths are validated and mapped under the root; open files
// live in a handle table that hands out ids that are never reused, so a
// closed or unknown handle is an InvalidArgument and never someone else's
// file. Table entries are shared pointers: a Close while another thread still
// reads through the same handle defers the close(2) until that read is done,
// so a descriptor number is never reused under a running call. Every system
// call retries EINTR; reads and writes loop over short counts; every error
// names the call, the real path and errno's text. Locks are flock(2) on a
// descriptor kept open for the lock's life, plus a set of held paths, so a
// second Lock of the same path in this process fails (flock alone would
// allow it through a second open only on some systems).
#include "powercut/faultfs/posix_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

namespace powercut::faultfs {
namespace {

// Runs a system call again while it fails with EINTR.
template <typename Call>
auto RetryOnEintr(Call call) {
  while (true) {
    auto result = call();
    if (result != -1 || errno != EINTR) return result;
  }
}

// The Status for a failed call: NotFound for a missing path, InvalidArgument
// where the caller used a directory as a file or the reverse, IOError (with
// errno) otherwise. The message is always "<call> <real path>: <strerror>".
Status ErrnoStatus(std::string_view call, std::string_view real_path, int sys_errno) {
  Status status = Status::FromErrno(call, real_path, sys_errno);
  switch (sys_errno) {
    case ENOENT:
      return Status::NotFound(status.message());
    case EISDIR:
    case ENOTDIR:
      return Status::InvalidArgument(status.message());
    default:
      return status;
  }
}

constexpr uint64_t kMaxOffset = static_cast<uint64_t>(std::numeric_limits<off_t>::max());

Status CheckRange(std::string_view call, std::string_view path, uint64_t offset, size_t length) {
  if (offset > kMaxOffset || length > kMaxOffset - offset) {
    return Status::InvalidArgument(std::string(call) + " " + std::string(path) + " @" +
                                   std::to_string(offset) + ": offset past the largest file size");
  }
  return Status::OK();
}

// One open file. The descriptor is closed by Close() or, if a call still
// holds the entry when the handle is closed, when the last holder lets go.
struct OpenFile {
  OpenFile(int fd_in, std::string real_path_in, bool writable_in)
      : fd(fd_in), real_path(std::move(real_path_in)), writable(writable_in) {}
  ~OpenFile() {
    if (fd >= 0) ::close(fd);  // only reached when a racing call held the entry; nothing to report
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;

  int fd;
  const std::string real_path;
  const bool writable;
  std::mutex write_mutex;  // serialises Write/Append/Truncate on this handle
};

struct HeldLock {
  int fd;
  std::string real_path;
};

}  // namespace

// The open files and held locks of one PosixFs, behind one mutex.
class PosixFs::HandleTable {
 public:
  ~HandleTable() {
    for (auto& [id, lock] : locks_) ::close(lock.fd);  // dropping the fd releases the flock
  }

  FileHandle Add(std::shared_ptr<OpenFile> file) {
    std::lock_guard<std::mutex> guard(mutex_);
    uint64_t id = next_id_++;
    files_.emplace(id, std::move(file));
    return FileHandle{id};
  }
  Result<std::shared_ptr<OpenFile>> Find(FileHandle handle, std::string_view call) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = files_.find(handle.id);
    if (it == files_.end()) return UnknownHandle(call, handle.id);
    return it->second;
  }
  Result<std::shared_ptr<OpenFile>> Remove(FileHandle handle) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = files_.find(handle.id);
    if (it == files_.end()) return UnknownHandle("close", handle.id);
    std::shared_ptr<OpenFile> file = std::move(it->second);
    files_.erase(it);
    return file;
  }

  // Reserves `real_path` for a lock; false if this process already holds it.
  bool ReservePath(const std::string& real_path) {
    std::lock_guard<std::mutex> guard(mutex_);
    return held_paths_.insert(real_path).second;
  }
  void ReleasePath(const std::string& real_path) {
    std::lock_guard<std::mutex> guard(mutex_);
    held_paths_.erase(real_path);
  }
  FileLock AddLock(HeldLock lock) {
    std::lock_guard<std::mutex> guard(mutex_);
    uint64_t id = next_id_++;
    locks_.emplace(id, std::move(lock));
    return FileLock{id};
  }
  Result<HeldLock> RemoveLock(FileLock lock) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = locks_.find(lock.id);
    if (it == locks_.end()) {
      return Status::InvalidArgument("unlock: unknown or released lock " + std::to_string(lock.id));
    }
    HeldLock held = std::move(it->second);
    locks_.erase(it);
    return held;
  }

 private:
  static Status UnknownHandle(std::string_view call, uint64_t id) {
    return Status::InvalidArgument(std::string(call) + ": unknown or closed file handle " +
                                   std::to_string(id));
  }

  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;  // shared by files and locks; never reused
  std::map<uint64_t, std::shared_ptr<OpenFile>> files_;
  std::map<uint64_t, HeldLock> locks_;
  std::set<std::string> held_paths_;
};

PosixFs::PosixFs(std::string root)
    : root_(std::move(root)), handles_(std::make_unique<HandleTable>()) {
  while (!root_.empty() && root_.back() == '/') root_.pop_back();
}

PosixFs::~PosixFs() = default;

std::string PosixFs::RealPath(std::string_view path) const {
  if (path == "/") return root_.empty() ? "/" : root_;
  return root_ + std::string(path);
}

Result<FileHandle> PosixFs::Open(std::string_view path, const OpenOptions& options) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(path));
  const std::string real = RealPath(path);
  if (!options.read && !options.write) {
    return Status::InvalidArgument("open " + real + ": neither read nor write access asked for");
  }
  if ((options.create || options.truncate) && !options.write) {
    return Status::InvalidArgument("open " + real + ": create and truncate need write access");
  }
  int flags = O_CLOEXEC;
  flags |= options.read && options.write ? O_RDWR : (options.write ? O_WRONLY : O_RDONLY);
  if (options.create) flags |= O_CREAT;
  if (options.create && options.exclusive) flags |= O_EXCL;
  if (options.truncate) flags |= O_TRUNC;
  if (options.sync == SyncMode::kData) flags |= O_DSYNC;
  if (options.sync == SyncMode::kFull) flags |= O_SYNC;
  int fd = RetryOnEintr([&] { return ::open(real.c_str(), flags, 0644); });
  if (fd < 0) return ErrnoStatus("open", real, errno);
  struct stat info;
  if (RetryOnEintr([&] { return ::fstat(fd, &info); }) != 0) {
    int saved_errno = errno;
    ::close(fd);  // the open is abandoned; the fstat error is the one to report
    return ErrnoStatus("fstat", real, saved_errno);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);  // opened read-only, nothing written: nothing to report
    return Status::InvalidArgument("open " + real + ": not a regular file (" +
                                   (S_ISDIR(info.st_mode) ? "a directory" : "a special file") +
                                   ")");
  }
  return handles_->Add(std::make_shared<OpenFile>(fd, real, options.write));
}

Status PosixFs::Close(FileHandle file) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Remove(file));
  std::lock_guard<std::mutex> guard(open_file->write_mutex);
  if (open_file.use_count() > 1) return Status::OK();  // the last holder closes the fd
  int fd = std::exchange(open_file->fd, -1);
  // close(2) is not retried on EINTR: on Linux the descriptor is gone either way.
  if (::close(fd) != 0) return ErrnoStatus("close", open_file->real_path, errno);
  return Status::OK();
}

Result<size_t> PosixFs::Read(FileHandle file, uint64_t offset, std::span<char> buffer) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Find(file, "read"));
  POWERCUT_RETURN_IF_ERROR(CheckRange("read", open_file->real_path, offset, buffer.size()));
  size_t done = 0;
  while (done < buffer.size()) {
    ssize_t n = RetryOnEintr([&] {
      return ::pread(open_file->fd, buffer.data() + done, buffer.size() - done,
                     static_cast<off_t>(offset + done));
    });
    if (n < 0) {
      return ErrnoStatus("read", open_file->real_path + " @" + std::to_string(offset + done),
                         errno);
    }
    if (n == 0) break;  // end of file
    done += static_cast<size_t>(n);
  }
  return done;
}

namespace {

// pwrite(2) until all of `data` is written at `offset`.
// REQUIRES: the caller holds file.write_mutex.
Result<size_t> WriteFully(OpenFile& file, uint64_t offset, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = RetryOnEintr([&] {
      return ::pwrite(file.fd, data.data() + done, data.size() - done,
                      static_cast<off_t>(offset + done));
    });
    if (n < 0) {
      return ErrnoStatus("write", file.real_path + " @" + std::to_string(offset + done), errno);
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

Status CheckWritable(const OpenFile& file, std::string_view call) {
  if (file.writable) return Status::OK();
  return Status::InvalidArgument(std::string(call) + " " + file.real_path +
                                 ": the handle was opened without write access");
}

Result<uint64_t> FileSize(const OpenFile& file) {
  struct stat info;
  if (RetryOnEintr([&] { return ::fstat(file.fd, &info); }) != 0) {
    return ErrnoStatus("fstat", file.real_path, errno);
  }
  return static_cast<uint64_t>(info.st_size);
}

}  // namespace

Result<size_t> PosixFs::Write(FileHandle file, uint64_t offset, std::string_view data) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Find(file, "write"));
  POWERCUT_RETURN_IF_ERROR(CheckWritable(*open_file, "write"));
  POWERCUT_RETURN_IF_ERROR(CheckRange("write", open_file->real_path, offset, data.size()));
  std::lock_guard<std::mutex> guard(open_file->write_mutex);
  return WriteFully(*open_file, offset, data);
}

Result<size_t> PosixFs::Append(FileHandle file, std::string_view data) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Find(file, "append"));
  POWERCUT_RETURN_IF_ERROR(CheckWritable(*open_file, "append"));
  std::lock_guard<std::mutex> guard(open_file->write_mutex);
  POWERCUT_ASSIGN_OR_RETURN(uint64_t end, FileSize(*open_file));
  POWERCUT_RETURN_IF_ERROR(CheckRange("append", open_file->real_path, end, data.size()));
  return WriteFully(*open_file, end, data);
}

Status PosixFs::Truncate(FileHandle file, uint64_t size) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Find(file, "truncate"));
  POWERCUT_RETURN_IF_ERROR(CheckWritable(*open_file, "truncate"));
  POWERCUT_RETURN_IF_ERROR(CheckRange("truncate", open_file->real_path, size, 0));
  std::lock_guard<std::mutex> guard(open_file->write_mutex);
  if (RetryOnEintr([&] { return ::ftruncate(open_file->fd, static_cast<off_t>(size)); }) != 0) {
    return ErrnoStatus("truncate", open_file->real_path + " to " + std::to_string(size), errno);
  }
  return Status::OK();
}

Status PosixFs::Sync(FileHandle file) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Find(file, "fsync"));
  if (RetryOnEintr([&] { return ::fsync(open_file->fd); }) != 0) {
    return ErrnoStatus("fsync", open_file->real_path, errno);
  }
  return Status::OK();
}

Status PosixFs::DataSync(FileHandle file) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Find(file, "fdatasync"));
  if (RetryOnEintr([&] { return ::fdatasync(open_file->fd); }) != 0) {
    return ErrnoStatus("fdatasync", open_file->real_path, errno);
  }
  return Status::OK();
}

Result<uint64_t> PosixFs::Size(FileHandle file) {
  POWERCUT_ASSIGN_OR_RETURN(std::shared_ptr<OpenFile> open_file, handles_->Find(file, "size"));
  return FileSize(*open_file);
}

Status PosixFs::SyncDir(std::string_view dir) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(dir));
  const std::string real = RealPath(dir);
  int fd = RetryOnEintr([&] { return ::open(real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return ErrnoStatus("open directory", real, errno);
  Status status;
  if (RetryOnEintr([&] { return ::fsync(fd); }) != 0) status = ErrnoStatus("fsync", real, errno);
  ::close(fd);  // read-only directory descriptor: the fsync result is what matters
  return status;
}

Status PosixFs::SyncAll() {
  ::sync();  // sync(2) cannot fail
  return Status::OK();
}

namespace {

// The type of `real_path`: nullopt if it does not exist, else whether it is a
// directory.
Result<std::optional<bool>> IsDirectory(std::string_view call, const std::string& real_path) {
  struct stat info;
  if (RetryOnEintr([&] { return ::lstat(real_path.c_str(), &info); }) == 0) {
    return std::optional<bool>(S_ISDIR(info.st_mode));
  }
  if (errno == ENOENT) return std::optional<bool>();
  return ErrnoStatus(call, real_path, errno);
}

}  // namespace

Status PosixFs::Rename(std::string_view from, std::string_view to) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(from));
  POWERCUT_RETURN_IF_ERROR(ValidatePath(to));
  const std::string real_from = RealPath(from);
  const std::string real_to = RealPath(to);
  POWERCUT_ASSIGN_OR_RETURN(std::optional<bool> from_is_dir, IsDirectory("rename", real_from));
  if (!from_is_dir.has_value()) {
    return Status::NotFound("rename " + real_from + ": No such file or directory");
  }
  if (*from_is_dir) {
    return Status::InvalidArgument("rename " + real_from + ": renaming a directory is refused");
  }
  POWERCUT_ASSIGN_OR_RETURN(std::optional<bool> to_is_dir, IsDirectory("rename", real_to));
  if (to_is_dir.value_or(false)) {
    return Status::InvalidArgument("rename " + real_from + " onto " + real_to +
                                   ": the target is a directory");
  }
  if (RetryOnEintr([&] { return ::rename(real_from.c_str(), real_to.c_str()); }) != 0) {
    return ErrnoStatus("rename", real_from + " -> " + real_to, errno);
  }
  return Status::OK();
}

Status PosixFs::Link(std::string_view existing, std::string_view new_path) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(existing));
  POWERCUT_RETURN_IF_ERROR(ValidatePath(new_path));
  const std::string real_existing = RealPath(existing);
  const std::string real_new = RealPath(new_path);
  POWERCUT_ASSIGN_OR_RETURN(std::optional<bool> is_dir, IsDirectory("link", real_existing));
  if (is_dir.value_or(false)) {
    return Status::InvalidArgument("link " + real_existing + ": cannot link a directory");
  }
  if (RetryOnEintr([&] { return ::link(real_existing.c_str(), real_new.c_str()); }) != 0) {
    return ErrnoStatus("link", real_existing + " -> " + real_new, errno);
  }
  return Status::OK();
}

Status PosixFs::Unlink(std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(path));
  const std::string real = RealPath(path);
  POWERCUT_ASSIGN_OR_RETURN(std::optional<bool> is_dir, IsDirectory("unlink", real));
  if (is_dir.value_or(false)) {
    return Status::InvalidArgument("unlink " + real + ": is a directory (use RmDir)");
  }
  if (RetryOnEintr([&] { return ::unlink(real.c_str()); }) != 0) {
    return ErrnoStatus("unlink", real, errno);
  }
  return Status::OK();
}

Status PosixFs::MkDir(std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(path));
  const std::string real = RealPath(path);
  if (RetryOnEintr([&] { return ::mkdir(real.c_str(), 0755); }) != 0) {
    return ErrnoStatus("mkdir", real, errno);
  }
  return Status::OK();
}

Status PosixFs::RmDir(std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(path));
  const std::string real = RealPath(path);
  if (path == "/") return Status::InvalidArgument("rmdir " + real + ": cannot remove the root");
  if (RetryOnEintr([&] { return ::rmdir(real.c_str()); }) != 0) {
    return ErrnoStatus("rmdir", real, errno);
  }
  return Status::OK();
}

Result<std::vector<std::string>> PosixFs::List(std::string_view dir) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(dir));
  const std::string real = RealPath(dir);
  DIR* stream = ::opendir(real.c_str());
  if (stream == nullptr) return ErrnoStatus("opendir", real, errno);
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    struct dirent* entry = ::readdir(stream);
    if (entry == nullptr) break;
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int saved_errno = errno;
  ::closedir(stream);  // a read-only stream: the readdir result is what matters
  if (saved_errno != 0) return ErrnoStatus("readdir", real, saved_errno);
  std::sort(names.begin(), names.end());
  return names;
}

Result<FileInfo> PosixFs::Stat(std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(path));
  const std::string real = RealPath(path);
  struct stat info;
  if (RetryOnEintr([&] { return ::stat(real.c_str(), &info); }) != 0) {
    return ErrnoStatus("stat", real, errno);
  }
  bool is_dir = S_ISDIR(info.st_mode);
  return FileInfo{.is_directory = is_dir, .size = is_dir ? 0 : static_cast<uint64_t>(info.st_size)};
}

Result<FileLock> PosixFs::Lock(std::string_view path) {
  POWERCUT_RETURN_IF_ERROR(ValidatePath(path));
  const std::string real = RealPath(path);
  if (!handles_->ReservePath(real)) {
    return Status::IOError("lock " + real + ": already held by this process", EAGAIN);
  }
  int fd = RetryOnEintr([&] { return ::open(real.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644); });
  if (fd < 0) {
    int saved_errno = errno;
    handles_->ReleasePath(real);
    return ErrnoStatus("open lock file", real, saved_errno);
  }
  if (RetryOnEintr([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) != 0) {
    int saved_errno = errno == EWOULDBLOCK ? EAGAIN : errno;
    ::close(fd);  // the lock was not taken; its error is the one to report
    handles_->ReleasePath(real);
    Status status = Status::FromErrno("lock", real, saved_errno);
    if (saved_errno != EAGAIN) return status;
    return Status::IOError(status.message() + " (held by another process)", EAGAIN);
  }
  return handles_->AddLock(HeldLock{.fd = fd, .real_path = real});
}

Status PosixFs::Unlock(FileLock lock) {
  POWERCUT_ASSIGN_OR_RETURN(HeldLock held, handles_->RemoveLock(lock));
  Status status;
  if (RetryOnEintr([&] { return ::flock(held.fd, LOCK_UN); }) != 0) {
    status = ErrnoStatus("unlock", held.real_path, errno);
  }
  ::close(held.fd);  // closing also drops the flock, so the unlock happened either way
  handles_->ReleasePath(held.real_path);
  return status;
}

}  // namespace powercut::faultfs
