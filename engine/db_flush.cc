// Flush: a full memtable becomes a sorted table, in an order where every
// step is durable before the next one relies on it (docs/engine.md has the
// table of steps, barriers and the crashes they guard against):
//
//   1. DataSync the current WAL: a WAL that is not the newest one must be
//      durable in full, or a crash could lose its unsynced tail while a newer
//      WAL survives (a hole; also what lets recovery call any damage in a
//      non-last WAL corruption).
//   2. Create the new WAL and SyncDir, so its name is durable before any
//      acknowledged write lands in it (C02).
//   3. Freeze the memtable (imm_); new writes go to a fresh one.
//   4. Write the table, Sync it, SyncDir (its name) (C03, C11). It is then
//      read back once (footer, index) and kept open: a LazyTable that starts
//      open (table_cache.h), so only tables found at recovery open lazily.
//   5. Append {add table, log_number = the new WAL} to the manifest and
//      DataSync it: only now is the old WAL's data covered elsewhere (C15).
//   6. Unlink the old WAL. Its unlink need not be durable: a resurrected
//      WAL is below log_number and is ignored, then deleted, by recovery (C09).
//
// In deterministic mode (the default) steps 1-6 all run on the writing
// thread. In background mode the leader does steps 1-3 and a single
// background thread does 4-6; a second roll waits until the first is done.
#include <cassert>

#include "db_impl.h"
#include "filename.h"
#include "table_builder.h"

namespace powercut::engine {

Status DBImpl::Flush() {
  POWERCUT_RETURN_IF_ERROR(WriteQueued(nullptr, /*sync=*/false));
  std::unique_lock lock(mu_);
  while (imm_ != nullptr && bg_error_.ok() && !shutting_down_) bg_cv_.wait(lock);
  return bg_error_;
}

Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force) {
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    // An empty memtable is never flushed (even if a tiny write buffer says
    // it is full); Flush() waits for imm_ itself.
    if (mem_->entries() == 0) return Status::OK();
    if (!force && mem_->ApproximateMemoryUsage() < options_.write_buffer_bytes) {
      return Status::OK();
    }
    if (imm_ != nullptr) {  // background mode: the previous flush is still running
      bg_cv_.wait(lock);
      continue;
    }
    POWERCUT_RETURN_IF_ERROR(SwitchMemTable(lock));
    force = false;
    if (!options_.background_flush) {
      POWERCUT_RETURN_IF_ERROR(FlushImmutable(lock));
    } else {
      bg_cv_.notify_all();
    }
  }
}

Status DBImpl::CreateWal(uint64_t number) {
  const std::string path = LogFileName(dbpath_, number);
  const bool recycle = IsMutant(Mutant::kRecycleWalNoLogNumber) && recyclable_wal_ != 0;
  POWERCUT_ASSIGN_OR_RETURN(
      faultfs::FileHandle file,
      recycle ? RecycleWal(path) : fs_->Open(path, faultfs::OpenOptions::CreateNew()));
  Status status;
  // no-dir-fsync-on-create (C02): the new name is left pending.
  if (!IsMutant(Mutant::kNoDirFsyncOnCreate)) {
    status = NameFile(fs_->SyncDir(dbpath_), dbpath_);  // the new name is durable
  }
  if (!status.ok()) {
    fs_->Close(file).IgnoreError();  // the SyncDir error is the one to report
    return status;
  }
  if (wal_file_.valid()) {
    wal_.reset();
    // Closing never syncs; the old WAL was DataSynced (step 1) before this.
    fs_->Close(wal_file_).IgnoreError();
  }
  wal_file_ = file;
  wal_ = std::make_unique<LogWriter>(fs_, file, path, 0, options_.mutant);
  wal_number_ = number;
  wal_synced_bytes_ = 0;
  wal_vouched_bytes_ = 0;
  return Status::OK();
}

// recycle-wal-no-log-number (C07): the retired WAL becomes the new one by a
// rename, and is opened WITHOUT truncation; the writer overwrites it from
// offset 0 (LogWriter), so its old records stay after the new ones.
Result<faultfs::FileHandle> DBImpl::RecycleWal(const std::string& path) {
  const std::string old_path = LogFileName(dbpath_, recyclable_wal_);
  recyclable_wal_ = 0;
  POWERCUT_RETURN_IF_ERROR(NameFile(fs_->Rename(old_path, path), path));
  return fs_->Open(path, faultfs::OpenOptions{.read = true, .write = true});
}

void DBImpl::RetireWal(uint64_t number) {
  if (IsMutant(Mutant::kRecycleWalNoLogNumber)) {
    recyclable_wal_ = number;  // C07: kept for the next CreateWal
    return;
  }
  // An unlink failure leaves garbage that the next Open deletes.
  fs_->Unlink(LogFileName(dbpath_, number)).IgnoreError();
}

Status DBImpl::SwitchMemTable(std::unique_lock<std::mutex>& lock) {
  assert(imm_ == nullptr);
  const uint64_t old_wal_number = wal_number_;
  lock.unlock();
  Status status = DrainWalBuffer();  // wal-userspace-buffer only; else a no-op
  // Step 1: the WAL being retired is durable in full before a newer one exists.
  if (status.ok()) status = NameFile(fs_->DataSync(wal_file_), wal_->path());
  // Step 2: the new WAL and its name.
  if (status.ok()) status = CreateWal(versions_->NewFileNumber());
  lock.lock();
  if (!status.ok()) {
    if (bg_error_.ok()) bg_error_ = status;
    return status;
  }
  // Step 3: freeze.
  imm_ = mem_;
  imm_wal_number_ = old_wal_number;
  imm_next_log_number_ = wal_number_;
  imm_last_sequence_ = last_sequence_;
  mem_ = std::make_shared<MemTable>();
  return Status::OK();
}

Status DBImpl::WriteTable(const MemTable& mem, LiveTable* table, bool sync_table) {
  table->meta.number = versions_->NewFileNumber();
  const std::string path = TableFileName(dbpath_, table->meta.number);
  faultfs::OpenOptions options{.read = true, .write = true, .create = true, .truncate = true};
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file, fs_->Open(path, options));
  TableBuilder builder(fs_, file, path, options_.block_bytes);
  std::unique_ptr<InternalIterator> it = mem.NewIterator();
  Status status;
  for (it->SeekToFirst(); status.ok() && it->Valid(); it->Next()) {
    status = builder.Add(it->key(), it->value());
  }
  if (status.ok()) status = it->status();
  if (status.ok()) status = builder.Finish();
  if (status.ok() && sync_table) status = fs_->Sync(file);  // step 4: the table's bytes
  Status close_status = fs_->Close(file);
  if (status.ok()) status = close_status;
  // no-dir-fsync-on-create (C02): the table's name is left pending.
  if (status.ok() && !IsMutant(Mutant::kNoDirFsyncOnCreate)) {
    status = fs_->SyncDir(dbpath_);  // ... and its name
  }
  POWERCUT_RETURN_IF_ERROR(NameFile(status, path));
  table->meta.file_size = builder.FileSize();
  table->meta.smallest = builder.smallest_key();
  table->meta.largest = builder.largest_key();
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<Table> opened,
                            Table::Open(fs_, path, table->meta.file_size));
  table->table = std::make_shared<LazyTable>(std::move(opened));
  return Status::OK();
}

Status DBImpl::SyncFileAt(const std::string& path) {
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file,
                            fs_->Open(path, faultfs::OpenOptions{.read = true, .write = true}));
  Status status = fs_->Sync(file);
  Status close_status = fs_->Close(file);
  return NameFile(status.ok() ? close_status : status, path);
}

Status DBImpl::FlushImmutable(std::unique_lock<std::mutex>& lock) {
  assert(imm_ != nullptr);
  std::shared_ptr<MemTable> imm = imm_;
  const uint64_t log_number = imm_next_log_number_;
  const uint64_t old_wal = imm_wal_number_;
  const SequenceNumber last_sequence = imm_last_sequence_;
  lock.unlock();
  // delete-wal-before-table-durable (C09): the old WAL goes first.
  if (IsMutant(Mutant::kDeleteWalBeforeTableDurable)) RetireWal(old_wal);
  Status status;
  if (IsMutant(Mutant::kLogNumberBeforeTableSync)) {
    // C15: the replay start marker moves past the old WAL before the table
    // that holds its data exists.
    VersionEdit marker;
    marker.log_number = log_number;
    status = versions_->LogAndApply(std::move(marker), {});
  }
  // manifest-before-table-sync (C11): the table's fsync comes after the edit.
  const bool late_table_sync = IsMutant(Mutant::kManifestBeforeTableSync);
  std::vector<LiveTable> tables(1);
  if (status.ok()) status = WriteTable(*imm, &tables[0], !late_table_sync);  // step 4
  const uint64_t table_number = tables[0].meta.number;
  if (status.ok()) {
    VersionEdit edit;
    edit.log_number = log_number;
    edit.last_sequence = last_sequence;
    status = versions_->LogAndApply(std::move(edit), std::move(tables));  // step 5
  }
  if (status.ok() && late_table_sync) status = SyncFileAt(TableFileName(dbpath_, table_number));
  if (status.ok() && !IsMutant(Mutant::kDeleteWalBeforeTableDurable)) {
    RetireWal(old_wal);  // step 6: the old WAL is covered by a durable table and manifest
  }
  lock.lock();
  if (status.ok()) {
    version_ = versions_->current();
    imm_.reset();
  } else if (bg_error_.ok()) {
    bg_error_ = status;
  }
  bg_cv_.notify_all();
  return status;
}

void DBImpl::BackgroundLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    bg_cv_.wait(lock, [this] { return shutting_down_ || (imm_ != nullptr && bg_error_.ok()); });
    if (shutting_down_) return;          // imm_'s WAL is durable: the next Open replays it
    FlushImmutable(lock).IgnoreError();  // the error is sticky in bg_error_
  }
}

}  // namespace powercut::engine
