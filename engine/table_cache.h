// LazyTable: one live table file, opened on first use and kept open (the
// engine's table cache, one entry per table the current Version names).
//
// Why lazy: recovery used to open every table (footer + whole index, each
// checksummed) on every Open, so the cost of an Open, and of checking crash
// states, grew with the size of the database. Now VersionSet::Recover only
// Stats each table (it must exist with the manifest's size; otherwise Open
// fails with Corruption naming it), and the footer and index are read and
// verified the first time a Get or an iterator needs the table.
//
// Why that is still safe: a table's bytes and name are synced before any
// manifest names it (flush step 4, recovery step 4), so a crash never leaves a
// named table half-written; damage found later (a bad disk, a hand edit) is
// returned by that first read as Corruption naming the table file, and a
// table never serves bytes it could not verify (table.h). A failed open is
// not remembered: the next use tries again (a transient IOError heals, a
// damaged file keeps failing).
//
// Thread-safety: Open may be called from several threads at once; the first
// successful open wins under a mutex, and later calls take a lock-free path.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "powercut/faultfs/file_system.h"
#include "powercut/status.h"
#include "table.h"

namespace powercut::engine {

class LazyTable {
 public:
  // Not opened yet: the first Open() opens `path`, whose size the manifest
  // records as `file_size`. `fs` must outlive this object.
  LazyTable(faultfs::FileSystem* fs, std::string path, uint64_t file_size);
  // Already open (a table just written and read back by the flush).
  explicit LazyTable(std::unique_ptr<Table> table);
  LazyTable(const LazyTable&) = delete;
  LazyTable& operator=(const LazyTable&) = delete;

  // The open table, opening (and verifying) it on the first call. The
  // pointer lives as long as this object. An error names the table file.
  Result<const Table*> Open() const;

  const std::string& path() const { return path_; }
  // True once Open succeeded (for tests and diagnostics).
  bool is_open() const { return opened_.load(std::memory_order_acquire) != nullptr; }

 private:
  faultfs::FileSystem* const fs_;
  const std::string path_;
  const uint64_t file_size_;
  mutable std::mutex mu_;                              // serializes the first open
  mutable std::unique_ptr<Table> table_;               // guarded by mu_ until published
  mutable std::atomic<const Table*> opened_{nullptr};  // table_.get() once open
};

}  // namespace powercut::engine
