// The FileSystem interface: the one seam between a storage engine and the
// disk. The engine performs every file operation, and asks for every
// durability barrier out loud (Sync, DataSync, SyncDir), through this
// interface; tests substitute SimFs, which keeps durable and pending state
// apart and can cut the power under a chosen crash model, while production
// uses PosixFs. Faults are injected only here, never by hooks in the engine.
//
// Paths are virtual and absolute: '/'-separated, starting with '/', with no
// empty, "." or ".." components ("/db/000001.log"). Anything else is rejected
// with InvalidArgument. PosixFs maps them under its root directory.
//
// Thread-safety: every implementation is safe for concurrent calls on
// different handles and paths; concurrent writes to the same handle are
// serialised but their relative order is unspecified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::faultfs {

// An open file. Handles are never reused within one FileSystem instance, so a
// closed or unknown handle is always detected (InvalidArgument).
struct FileHandle {
  uint64_t id = 0;
  bool valid() const { return id != 0; }
  friend bool operator==(FileHandle a, FileHandle b) { return a.id == b.id; }
};

// A held advisory lock on a path (see FileSystem::Lock).
struct FileLock {
  uint64_t id = 0;
  bool valid() const { return id != 0; }
};

// Synchronous writes (open(2) O_DSYNC / O_SYNC, pwritev2(2) RWF_DSYNC /
// RWF_SYNC): a write or truncate through such a handle is durable when it
// returns. kData is O_DSYNC: the bytes written and the metadata needed to read
// them back (the size); kFull is O_SYNC: that and the rest of the file's
// metadata, as fsync would. Neither makes the file's *name* durable (that
// still needs SyncDir, exactly as after fsync). On Linux the flush is limited
// to the range written (generic_write_sync -> vfs_fsync_range in fs/sync.c):
// other dirty pages of the file stay dirty. A truncate (ftruncate(2)) is
// never synchronous, whatever the descriptor's flags: ext4_setattr and
// xfs_setattr_size sync only for an inode marked S_SYNC (chattr +S, mount -o
// sync), not for an O_SYNC descriptor; it stays pending until fsync.
enum class SyncMode : uint8_t { kNone, kData, kFull };

struct OpenOptions {
  bool read = true;
  bool write = false;
  bool create = false;              // create the file if absent (O_CREAT)
  bool exclusive = false;           // with create: fail if it exists (O_EXCL)
  bool truncate = false;            // truncate to 0 on open (O_TRUNC)
  SyncMode sync = SyncMode::kNone;  // O_DSYNC / O_SYNC: see SyncMode

  static OpenOptions ReadOnly() { return OpenOptions{}; }
  // Read-write; creates the file if it does not exist; keeps its contents.
  static OpenOptions ReadWriteCreate() {
    return OpenOptions{.read = true, .write = true, .create = true};
  }
  // Read-write; creates the file, failing if it already exists.
  static OpenOptions CreateNew() {
    return OpenOptions{.read = true, .write = true, .create = true, .exclusive = true};
  }
};

struct FileInfo {
  bool is_directory = false;
  uint64_t size = 0;  // bytes; 0 for directories
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens (or creates, per `options`) a regular file. Opening a directory is
  // InvalidArgument; a missing file without `create` is NotFound.
  virtual Result<FileHandle> Open(std::string_view path, const OpenOptions& options) = 0;
  // Closes the handle. Closing never makes anything durable.
  virtual Status Close(FileHandle file) = 0;

  // Reads up to buffer.size() bytes at `offset`; returns the count read, which
  // is smaller than requested only at end of file (0 at or past the end).
  virtual Result<size_t> Read(FileHandle file, uint64_t offset, std::span<char> buffer) = 0;
  // Writes `data` at `offset`, extending the file (with zeros) if needed.
  // Returns the number of bytes written: PosixFs loops until all are written,
  // SimFs may return a short count when a short-write fault is injected.
  // REQUIRES: the handle was opened with write access.
  virtual Result<size_t> Write(FileHandle file, uint64_t offset, std::string_view data) = 0;
  // Writes `data` at the current end of file. Returns the count as Write does.
  virtual Result<size_t> Append(FileHandle file, std::string_view data) = 0;
  // Sets the file's size, cutting or zero-extending it.
  virtual Status Truncate(FileHandle file, uint64_t size) = 0;
  // fsync(2): makes the file's data and metadata durable. Not its name.
  virtual Status Sync(FileHandle file) = 0;
  // fdatasync(2): makes the data durable, and the size if a write changed it.
  virtual Status DataSync(FileHandle file) = 0;
  virtual Result<uint64_t> Size(FileHandle file) = 0;

  // fsync(2) of a directory: makes the creates, links, unlinks and renames of
  // its entries durable.
  virtual Status SyncDir(std::string_view dir) = 0;
  // sync(2): makes everything durable.
  virtual Status SyncAll() = 0;

  // Atomically replaces `to` (a file) with `from`. Renaming onto a directory,
  // or a directory onto anything, is InvalidArgument.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;
  // Adds the name `new_path` for the file `existing` (a hard link).
  virtual Status Link(std::string_view existing, std::string_view new_path) = 0;
  // Removes a file name. The data lives on while a handle is open.
  virtual Status Unlink(std::string_view path) = 0;
  virtual Status MkDir(std::string_view path) = 0;
  // Removes an empty directory.
  virtual Status RmDir(std::string_view path) = 0;
  // The names in `dir` (files and directories), sorted bytewise.
  virtual Result<std::vector<std::string>> List(std::string_view dir) = 0;
  // NotFound if `path` does not exist.
  virtual Result<FileInfo> Stat(std::string_view path) = 0;

  // Takes an exclusive advisory lock on `path`, creating the file if absent.
  // A second Lock of a held path fails with IOError (EAGAIN). A crash
  // releases every lock.
  virtual Result<FileLock> Lock(std::string_view path) = 0;
  virtual Status Unlock(FileLock lock) = 0;
};

// Forwards every call to a target FileSystem; decorators derive from it and
// override only what they change.
class FileSystemWrapper : public FileSystem {
 public:
  // `target` must outlive the wrapper.
  explicit FileSystemWrapper(FileSystem* target) : target_(target) {}
  FileSystem* target() const { return target_; }

  Result<FileHandle> Open(std::string_view path, const OpenOptions& options) override {
    return target_->Open(path, options);
  }
  Status Close(FileHandle file) override { return target_->Close(file); }
  Result<size_t> Read(FileHandle file, uint64_t offset, std::span<char> buffer) override {
    return target_->Read(file, offset, buffer);
  }
  Result<size_t> Write(FileHandle file, uint64_t offset, std::string_view data) override {
    return target_->Write(file, offset, data);
  }
  Result<size_t> Append(FileHandle file, std::string_view data) override {
    return target_->Append(file, data);
  }
  Status Truncate(FileHandle file, uint64_t size) override { return target_->Truncate(file, size); }
  Status Sync(FileHandle file) override { return target_->Sync(file); }
  Status DataSync(FileHandle file) override { return target_->DataSync(file); }
  Result<uint64_t> Size(FileHandle file) override { return target_->Size(file); }
  Status SyncDir(std::string_view dir) override { return target_->SyncDir(dir); }
  Status SyncAll() override { return target_->SyncAll(); }
  Status Rename(std::string_view from, std::string_view to) override {
    return target_->Rename(from, to);
  }
  Status Link(std::string_view existing, std::string_view new_path) override {
    return target_->Link(existing, new_path);
  }
  Status Unlink(std::string_view path) override { return target_->Unlink(path); }
  Status MkDir(std::string_view path) override { return target_->MkDir(path); }
  Status RmDir(std::string_view path) override { return target_->RmDir(path); }
  Result<std::vector<std::string>> List(std::string_view dir) override {
    return target_->List(dir);
  }
  Result<FileInfo> Stat(std::string_view path) override { return target_->Stat(path); }
  Result<FileLock> Lock(std::string_view path) override { return target_->Lock(path); }
  Status Unlock(FileLock lock) override { return target_->Unlock(lock); }

 private:
  FileSystem* target_;
};

// Path helpers shared by the implementations and their users.

// OK if `path` is a valid virtual path (see the top of this file).
Status ValidatePath(std::string_view path);
// "/a/b/c" -> "/a/b"; "/a" -> "/".  REQUIRES: ValidatePath(path).ok()
std::string ParentPath(std::string_view path);
// "/a/b/c" -> "c".  REQUIRES: ValidatePath(path).ok() and path != "/"
std::string BaseName(std::string_view path);
// JoinPath("/a", "b") -> "/a/b"; JoinPath("/", "b") -> "/b".
std::string JoinPath(std::string_view dir, std::string_view name);

// Reads a whole file. Convenience for tools and tests.
Result<std::string> ReadFileToString(FileSystem& fs, std::string_view path);

}  // namespace powercut::faultfs
