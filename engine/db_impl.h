// DBImpl: the reference engine behind the DB interface. The implementation is
// split by responsibility:
//   db_impl.cc      construction, reads (Get, iterators), Close
//   db_write.cc     the write path: the writer queue, group commit, the WAL
//   db_flush.cc     memtable -> table: the WAL roll, the table write, the
//                   manifest edit, the background thread
//   db_recovery.cc  Open: create or recover, replay WALs, make it durable
//
// Concurrency model (LevelDB's). One mutex `mu_` guards the shared state.
// Writers queue in `writers_`; the writer at the front is the *leader*: it
// alone touches the WAL, adds to the active memtable and rolls the memtable,
// and it does its I/O with `mu_` released (the queue position is the
// exclusion). Readers take `mu_` only to copy the shared pointers of the
// memtables and the version and the sequence number they read at. In
// background mode one thread writes frozen memtables to tables; it is the only
// other caller of the manifest, and never at the same time as a roll.
//
// Sticky error: the first failed WAL append, WAL sync, or flush step is kept
// in `bg_error_`; from then on every write and flush returns it (the DB is
// read-only). A failed fsync is never retried into a success (bug class C12).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "dbformat.h"
#include "log_writer.h"
#include "memtable.h"
#include "powercut/engine/db.h"
#include "version.h"

namespace powercut::engine {

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, std::string dbpath, faultfs::FileSystem* fs);
  ~DBImpl() override;

  Status Put(const WriteOptions& options, std::string_view key, std::string_view value) override;
  Status Delete(const WriteOptions& options, std::string_view key) override;
  Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  Result<std::string> Get(const ReadOptions& options, std::string_view key) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  Status Flush() override;
  Status Close() override;

  // Open's work (db_recovery.cc): lock, create or recover, make the recovered
  // state durable, start a new WAL. On error the DB must be destroyed.
  Status Recover();

 private:
  struct Writer;
  // What the readers copy under mu_.
  struct ReadView {
    SequenceNumber snapshot = 0;
    std::shared_ptr<MemTable> mem;
    std::shared_ptr<MemTable> imm;
    std::shared_ptr<const Version> version;
  };
  // One WAL's scan at recovery (db_recovery.cc).
  struct WalScan;
  enum class ReplayNext { kNextWal, kStop };

  // --- db_impl.cc ---
  ReadView GetReadView();
  Status CheckOpen() const;

  // --- db_write.cc ---
  // The queue: `batch` == nullptr is a flush request.
  Status WriteQueued(const WriteBatch* batch, bool sync);
  // Merges the batches queued behind the leader into one; sets *last_writer.
  // REQUIRES: mu_ held; writers_ not empty.
  const WriteBatch* BuildBatchGroup(Writer** last_writer, bool* sync);
  // Appends one WAL record (wal_synced_bytes + batch) and DataSyncs if `sync`.
  // REQUIRES: the caller is the leader; mu_ not held.
  Status AppendToWal(const WriteBatch& batch, bool sync);
  // DataSyncs the WAL and advances wal_synced_bytes_. REQUIRES: as AppendToWal.
  Status SyncWal();
  // At Close: if the last synced record is vouched for by no later record,
  // appends a close marker (an empty batch whose wal_synced_bytes covers it)
  // and DataSyncs it, so damage to that record reads as Corruption.
  void WriteCloseMarker();
  static constexpr uint64_t kCloseMarkerSectorBytes = 4096;
  // wal-userspace-buffer only: writes the buffered records to the WAL file.
  Status DrainWalBuffer();
  // Applies a batch (already sequenced) to `mem`.
  static Status InsertInto(const WriteBatch& batch, MemTable* mem);

  // --- db_flush.cc ---
  // Makes room in the memtable (or, with `force`, flushes it). REQUIRES: mu_
  // held by `lock`; the caller is the leader.
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force);
  // Flush steps 1-3: sync the WAL, create and SyncDir a new one, freeze.
  Status SwitchMemTable(std::unique_lock<std::mutex>& lock);
  // Flush steps 4-6 for imm_: table, manifest edit, old WAL unlink.
  Status FlushImmutable(std::unique_lock<std::mutex>& lock);
  // Writes `mem` to a new table file: TableBuilder, Sync, SyncDir, reopen.
  // *table.table stays null for an empty memtable.
  Status WriteTable(const MemTable& mem, LiveTable* table, bool sync_table = true);
  // Opens the file at `path` and Syncs it (the mutants that sync a table late).
  Status SyncFileAt(const std::string& path);
  // Flush step 6, or (recycle-wal-no-log-number) keeping the WAL for reuse.
  void RetireWal(uint64_t number);
  Status CreateWal(uint64_t number);
  // recycle-wal-no-log-number only: the retired WAL renamed to `path` and
  // opened without truncation.
  Result<faultfs::FileHandle> RecycleWal(const std::string& path);
  void BackgroundLoop();

  // --- db_recovery.cc ---
  Status EnsureDatabase();
  Status CheckNotDatabase(const std::vector<std::string>& names);
  Status ReplayWals(MemTable* mem, SequenceNumber* last_sequence);
  Status ScanWal(const std::string& path, WalScan* scan);
  Result<ReplayNext> ReplayWal(const std::string& path, bool last_wal, MemTable* mem,
                               SequenceNumber* last_sequence);
  // The parts of Recover after the replay (steps 4-6), in the correct order
  // or in a mutant's.
  Status InstallRecovered(const MemTable& replayed, SequenceNumber last_sequence);
  // append-after-torn-tail only: the newest WAL, reopened for appending at its end.
  uint64_t NewestWal();
  Status ReuseWal(uint64_t number);
  void DeleteObsoleteFiles();
  // Renames `name` to NAME.corrupt (best effort), keeping the evidence.
  void Quarantine(const std::string& name);
  bool IsMutant(Mutant mutant) const { return options_.mutant == mutant; }

  const Options options_;
  const std::string dbpath_;
  faultfs::FileSystem* const fs_;
  std::unique_ptr<VersionSet> versions_;
  faultfs::FileLock db_lock_;

  std::mutex mu_;
  std::condition_variable bg_cv_;  // imm_ flushed, bg_error_ set, or shutting down
  std::deque<Writer*> writers_;
  std::shared_ptr<MemTable> mem_;
  std::shared_ptr<MemTable> imm_;         // frozen, being flushed (null if none)
  uint64_t imm_next_log_number_ = 0;      // the WAL that replaced imm_'s
  uint64_t imm_wal_number_ = 0;           // imm_'s own WAL, unlinked once flushed
  SequenceNumber imm_last_sequence_ = 0;  // the last sequence imm_ holds
  std::shared_ptr<const Version> version_;
  SequenceNumber last_sequence_ = 0;
  Status bg_error_;
  bool closed_ = false;
  bool shutting_down_ = false;
  std::thread bg_thread_;

  // The WAL: touched only by the leader (and by Open / Close).
  faultfs::FileHandle wal_file_;
  std::unique_ptr<LogWriter> wal_;
  uint64_t wal_number_ = 0;
  uint64_t wal_synced_bytes_ = 0;   // bytes of wal_ covered by a successful DataSync
  uint64_t wal_vouched_bytes_ = 0;  // the wal_synced_bytes the last record written carries
  // Recovery: WAL and manifest base names it cut or skipped bytes of, or
  // did not replay; step 7 renames them to NAME.corrupt instead of deleting.
  std::set<std::string> quarantine_;
  WriteBatch group_batch_;  // the merged batch of a group
  // Mutant state (always empty/zero in the correct engine).
  std::vector<std::string> wal_buffer_;  // wal-userspace-buffer: records not yet written
  size_t wal_buffer_bytes_ = 0;
  uint64_t recyclable_wal_ = 0;  // recycle-wal-no-log-number: a retired WAL kept for reuse
};

}  // namespace powercut::engine
