// PosixFs: the FileSystem over the real operating system, for production use
// of the engine, for benchmarks, and as the second implementation the shared
// interface test suite runs against. Virtual paths ("/db/x") are mapped under
// a root directory given at construction ("" maps them onto the real root).
// EINTR is retried, short reads and writes are looped, and every error
// carries the errno and the path in its message.
#pragma once

#include <memory>
#include <string>

#include "powercut/faultfs/file_system.h"

namespace powercut::faultfs {

class PosixFs final : public FileSystem {
 public:
  // `root`: an existing directory, or "" for the real root.
  explicit PosixFs(std::string root = "");
  ~PosixFs() override;
  PosixFs(const PosixFs&) = delete;
  PosixFs& operator=(const PosixFs&) = delete;

  const std::string& root() const { return root_; }
  // The real path a virtual path maps to.
  std::string RealPath(std::string_view path) const;

  Result<FileHandle> Open(std::string_view path, const OpenOptions& options) override;
  Status Close(FileHandle file) override;
  Result<size_t> Read(FileHandle file, uint64_t offset, std::span<char> buffer) override;
  Result<size_t> Write(FileHandle file, uint64_t offset, std::string_view data) override;
  Result<size_t> Append(FileHandle file, std::string_view data) override;
  Status Truncate(FileHandle file, uint64_t size) override;
  Status Sync(FileHandle file) override;
  Status DataSync(FileHandle file) override;
  Result<uint64_t> Size(FileHandle file) override;
  Status SyncDir(std::string_view dir) override;
  Status SyncAll() override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Link(std::string_view existing, std::string_view new_path) override;
  Status Unlink(std::string_view path) override;
  Status MkDir(std::string_view path) override;
  Status RmDir(std::string_view path) override;
  Result<std::vector<std::string>> List(std::string_view dir) override;
  Result<FileInfo> Stat(std::string_view path) override;
  Result<FileLock> Lock(std::string_view path) override;
  Status Unlock(FileLock lock) override;

 private:
  class HandleTable;
  std::string root_;
  std::unique_ptr<HandleTable> handles_;
};

}  // namespace powercut::faultfs
