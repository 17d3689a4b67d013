// DB: the reference engine's public interface. A small LSM key-value store
// (WAL with group commit, memtable, sorted tables, manifest) that runs on any
// faultfs::FileSystem: PosixFs for real data, SimFs for crash testing.
//
// Durability contract: a write acknowledged with sync=true survives any crash;
// an unsynced write may be lost, but only together with every later write (a
// suffix, never a hole); a batch is all in or all out; Open makes everything
// it recovered durable before it returns. After a failed WAL write or fsync
// the database turns read-only and every later write returns that error.
//
// Thread-safety: all methods may be called concurrently, except Close.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "powercut/engine/iterator.h"
#include "powercut/engine/options.h"
#include "powercut/engine/write_batch.h"
#include "powercut/faultfs/file_system.h"
#include "powercut/status.h"

namespace powercut::engine {

class DB {
 public:
  // Opens (or creates, per options) the database in directory `path` of
  // `fs`, recovering from any crash. `fs` must outlive the DB.
  // InvalidArgument if `path` holds something that is not a database;
  // Corruption (with file and offset) if its files are damaged beyond what a
  // crash can do.
  static Result<std::unique_ptr<DB>> Open(const Options& options, std::string_view path,
                                          faultfs::FileSystem* fs);

  virtual ~DB() = default;

  // Keys must be non-empty (InvalidArgument otherwise).
  virtual Status Put(const WriteOptions& options, std::string_view key,
                     std::string_view value) = 0;
  virtual Status Delete(const WriteOptions& options, std::string_view key) = 0;
  virtual Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;

  // NotFound if the key is absent.
  virtual Result<std::string> Get(const ReadOptions& options, std::string_view key) = 0;
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  // Writes the memtable to a sorted table, makes it durable, and drops the
  // WAL it replaces.
  virtual Status Flush() = 0;
  // Stops background work and closes every file. Nothing is made durable
  // that a sync did not already make durable. Further calls fail.
  virtual Status Close() = 0;
};

}  // namespace powercut::engine
