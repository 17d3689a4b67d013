// MemoryFs: a minimal in-memory FileSystem for engine unit tests. It keeps one
// state per file (no durable/pending split, no crash models: that is SimFs's
// job) and adds a few direct hooks tests need: read or replace a file's bytes,
// and make Append return short counts or fail. Linked into every engine test
// (tests/*_support.cc), so log, table and DB tests can share it.
//
// Paths follow the FileSystem rules; the root "/" always exists. Open handles
// refer to the file's data, so an unlinked file stays readable through them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/faultfs/file_system.h"

namespace powercut::engine::testing {

class MemoryFs : public faultfs::FileSystem {
 public:
  MemoryFs();

  // --- Hooks for tests ---
  // The bytes of the file at `path` ("" if absent).
  std::string Contents(std::string_view path) const;
  // Creates or replaces the file at `path` with `data` (its parent must exist).
  void SetContents(std::string_view path, std::string_view data);
  // Each Append writes at most `bytes` bytes (0: no limit), returning a short count.
  void SetAppendLimit(size_t bytes);
  // After `appends` more successful Append calls, every Append fails with
  // IOError (injected). A negative value turns the failure off.
  void FailAppendsAfter(int appends);
  // Number of Append calls so far (successful or not).
  int append_calls() const;

  // --- FileSystem ---
  Result<faultfs::FileHandle> Open(std::string_view path,
                                   const faultfs::OpenOptions& options) override;
  Status Close(faultfs::FileHandle file) override;
  Result<size_t> Read(faultfs::FileHandle file, uint64_t offset, std::span<char> buffer) override;
  Result<size_t> Write(faultfs::FileHandle file, uint64_t offset, std::string_view data) override;
  Result<size_t> Append(faultfs::FileHandle file, std::string_view data) override;
  Status Truncate(faultfs::FileHandle file, uint64_t size) override;
  Status Sync(faultfs::FileHandle file) override;
  Status DataSync(faultfs::FileHandle file) override;
  Result<uint64_t> Size(faultfs::FileHandle file) override;
  Status SyncDir(std::string_view dir) override;
  Status SyncAll() override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Link(std::string_view existing, std::string_view new_path) override;
  Status Unlink(std::string_view path) override;
  Status MkDir(std::string_view path) override;
  Status RmDir(std::string_view path) override;
  Result<std::vector<std::string>> List(std::string_view dir) override;
  Result<faultfs::FileInfo> Stat(std::string_view path) override;
  Result<faultfs::FileLock> Lock(std::string_view path) override;
  Status Unlock(faultfs::FileLock lock) override;

 private:
  using Data = std::shared_ptr<std::string>;
  struct Handle {
    std::string path;
    Data data;
    bool writable = false;
  };

  // REQUIRES: mu_ held.
  Result<Handle*> FindHandle(faultfs::FileHandle file);
  Status CheckParentExists(std::string_view path) const;
  bool HasChildren(const std::string& dir) const;

  mutable std::mutex mu_;
  std::map<std::string, Data> files_;
  std::set<std::string> dirs_;
  std::map<uint64_t, Handle> handles_;
  std::map<uint64_t, std::string> locks_;
  uint64_t next_id_ = 1;
  size_t append_limit_ = 0;
  int appends_before_failure_ = -1;
  int append_calls_ = 0;
};

}  // namespace powercut::engine::testing
