// Open and recovery. Every step is ordered so that a crash at any file
// operation inside Open leaves a state from which the next Open recovers the
// same data (docs/engine.md has the table of steps and barriers):
//
//   1. Lock LOCK. Create the database if CURRENT is missing and the directory
//      holds nothing but leftovers of an earlier, interrupted creation.
//   2. Read CURRENT, the manifest, and Stat every table it names: each must
//      exist with the recorded size (VersionSet::Recover). Tables are not
//      read here; each is opened and verified on its first Get or iterator
//      (LazyTable, table_cache.h): its bytes were synced before the manifest
//      named it, and damage found then is Corruption naming the table.
//   3. Replay every WAL numbered >= the manifest's log_number into a fresh
//      memtable, deciding on damage with the decision table
//      (recovery_rules.h).
//   4. If anything was replayed: write it to a table, Sync, SyncDir. Reads
//      must never be served from bytes a power cut could still take away
//      (seed 004, bug class C14).
//   5. Write a NEW manifest (a full snapshot with the new table and
//      log_number = the new WAL's number), Sync, SyncDir, then switch CURRENT
//      (temp -> Sync -> Rename -> SyncDir). This is the commit point: before
//      it the old manifest and WALs still describe everything (C15, C16).
//   6. Create the new WAL, SyncDir. Writes never go after a possibly torn
//      tail (C10).
//   7. Only now delete obsolete files (replayed WALs, old manifests, temp
//      files, unreferenced tables): the state that replaces them is durable
//      (C09). Their unlinks need no SyncDir: a resurrected file is obsolete
//      again at the next Open.
#include <algorithm>
#include <set>

#include "coding.h"
#include "db_impl.h"
#include "filename.h"
#include "log_reader.h"
#include "recovery_rules.h"
#include "write_batch_internal.h"

namespace powercut::engine {

// The bytes of every WAL record payload before the batch: wal_synced_bytes.
inline constexpr size_t kWalSyncedPrefixBytes = 8;

struct DBImpl::WalScan {
  struct Event {
    WalDamage damage = WalDamage::kNone;  // kNone: a valid record
    uint64_t offset = 0;
    std::string batch;   // a record: its WriteBatch contents
    std::string reason;  // damage: why the bytes were rejected
  };
  std::vector<Event> events;
  uint64_t max_synced = 0;  // the largest wal_synced_bytes of any valid record
};

Result<std::unique_ptr<DB>> DB::Open(const Options& options, std::string_view path,
                                     faultfs::FileSystem* fs) {
  POWERCUT_RETURN_IF_ERROR(faultfs::ValidatePath(path));
  if (path == "/") return Status::InvalidArgument("the root directory cannot be a database");
  auto db = std::make_unique<DBImpl>(options, std::string(path), fs);
  POWERCUT_RETURN_IF_ERROR(db->Recover());
  return std::unique_ptr<DB>(std::move(db));
}

Status DBImpl::Recover() {
  POWERCUT_RETURN_IF_ERROR(EnsureDatabase());      // step 1
  POWERCUT_RETURN_IF_ERROR(versions_->Recover());  // step 2
  POWERCUT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->List(dbpath_));
  for (const std::string& name : names) {
    FileType type;
    uint64_t number = 0;
    if (ParseFileName(name, &type, &number)) versions_->MarkFileNumberUsed(number);
  }
  auto replayed = std::make_shared<MemTable>();
  SequenceNumber last_sequence = versions_->last_sequence();
  POWERCUT_RETURN_IF_ERROR(ReplayWals(replayed.get(), &last_sequence));  // step 3
  // A manifest whose torn last edit was cut is kept, not deleted (step 7).
  if (versions_->manifest_cut()) {
    quarantine_.insert(std::string(ManifestBaseName(versions_->manifest_number())));
  }
  if (IsMutant(Mutant::kServeUnsyncedRecoveredTail)) {
    // C14: the replayed WALs stay the only copy (log_number unchanged) and
    // their unsynced bytes are served from the memtable.
    std::lock_guard lock(mu_);
    mem_ = replayed;
  }
  POWERCUT_RETURN_IF_ERROR(InstallRecovered(*replayed, last_sequence));  // steps 4-6
  {
    std::lock_guard lock(mu_);
    version_ = versions_->current();
    last_sequence_ = last_sequence;
  }
  DeleteObsoleteFiles();  // step 7
  quarantine_.clear();
  if (options_.background_flush) bg_thread_ = std::thread(&DBImpl::BackgroundLoop, this);
  return Status::OK();
}

Status DBImpl::InstallRecovered(const MemTable& replayed, SequenceNumber last_sequence) {
  // recovery-nonatomic (C16): the replay table is fsynced only after the
  // manifest names it and the replayed WALs are deleted.
  const bool late_table_sync = IsMutant(Mutant::kRecoveryNonAtomic);
  std::vector<LiveTable> new_tables;
  if (replayed.entries() > 0 && !IsMutant(Mutant::kServeUnsyncedRecoveredTail)) {  // step 4
    new_tables.emplace_back();
    POWERCUT_RETURN_IF_ERROR(WriteTable(replayed, &new_tables.back(), !late_table_sync));
  }
  const uint64_t table_number = new_tables.empty() ? 0 : new_tables.back().meta.number;
  // append-after-torn-tail (C10): Open keeps writing into the newest WAL.
  const uint64_t reused_wal = IsMutant(Mutant::kAppendAfterTornTail) ? NewestWal() : 0;
  const uint64_t wal_number = reused_wal != 0 ? reused_wal : versions_->NewFileNumber();
  const uint64_t manifest_number = versions_->NewFileNumber();
  // serve-unsynced-recovered-tail (C14): the replayed WALs stay live.
  const uint64_t log_number =
      IsMutant(Mutant::kServeUnsyncedRecoveredTail) ? versions_->log_number() : wal_number;
  // no-dir-fsync-after-rename (C02): the new WAL comes first (LevelDB's
  // order), so no SyncDir follows the CURRENT rename.
  const bool wal_first = IsMutant(Mutant::kNoDirFsyncAfterRename);
  if (wal_first) POWERCUT_RETURN_IF_ERROR(CreateWal(wal_number));
  POWERCUT_RETURN_IF_ERROR(versions_->WriteNewManifest(manifest_number, log_number, last_sequence,
                                                       std::move(new_tables)));
  if (reused_wal != 0) {
    POWERCUT_RETURN_IF_ERROR(ReuseWal(reused_wal));
  } else if (!wal_first) {
    POWERCUT_RETURN_IF_ERROR(CreateWal(wal_number));  // step 6
  }
  if (late_table_sync && table_number != 0) {
    DeleteObsoleteFiles();
    POWERCUT_RETURN_IF_ERROR(SyncFileAt(TableFileName(dbpath_, table_number)));
  }
  return Status::OK();
}

// The highest-numbered WAL recovery replayed, or 0 if there is none.
uint64_t DBImpl::NewestWal() {
  Result<std::vector<std::string>> names = fs_->List(dbpath_);
  uint64_t newest = 0;
  if (!names.ok()) return 0;
  for (const std::string& name : *names) {
    FileType type;
    uint64_t number = 0;
    if (ParseFileName(name, &type, &number) && type == FileType::kLogFile &&
        number >= versions_->log_number()) {
      newest = std::max(newest, number);
    }
  }
  return newest;
}

// append-after-torn-tail (C10): opens WAL `number` for appending at its
// physical end, after whatever torn tail the crash left, without truncating.
Status DBImpl::ReuseWal(uint64_t number) {
  const std::string path = LogFileName(dbpath_, number);
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file,
                            fs_->Open(path, faultfs::OpenOptions{.read = true, .write = true}));
  Result<uint64_t> size = fs_->Size(file);
  if (!size.ok()) {
    fs_->Close(file).IgnoreError();
    return NameFile(size.status(), path);
  }
  wal_file_ = file;
  wal_ = std::make_unique<LogWriter>(fs_, file, path, *size, options_.mutant);
  wal_number_ = number;
  wal_synced_bytes_ = 0;
  wal_vouched_bytes_ = 0;
  return Status::OK();
}

Status DBImpl::EnsureDatabase() {
  Result<faultfs::FileInfo> dir = fs_->Stat(dbpath_);
  if (!dir.ok() && dir.status().IsNotFound()) {
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(dbpath_ + " does not exist (create_if_missing is false)");
    }
    POWERCUT_RETURN_IF_ERROR(NameFile(fs_->MkDir(dbpath_), dbpath_));
  } else if (!dir.ok()) {
    return NameFile(dir.status(), dbpath_);
  } else if (!dir->is_directory) {
    return Status::InvalidArgument(dbpath_ + " is not a directory");
  }
  const std::string lock_path = LockFileName(dbpath_);
  Result<faultfs::FileLock> lock = fs_->Lock(lock_path);
  if (!lock.ok()) return NameFile(lock.status(), lock_path);
  db_lock_ = *lock;

  Result<faultfs::FileInfo> current = fs_->Stat(CurrentFileName(dbpath_));
  if (current.ok()) {
    if (options_.error_if_exists) {
      return Status::InvalidArgument(dbpath_ + " exists (error_if_exists is true)");
    }
    return Status::OK();
  }
  if (!current.status().IsNotFound()) return current.status();
  POWERCUT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->List(dbpath_));
  POWERCUT_RETURN_IF_ERROR(CheckNotDatabase(names));
  if (!options_.create_if_missing) {
    return Status::InvalidArgument(dbpath_ + " holds no database (create_if_missing is false)");
  }
  // The directory's own name must be durable before anything in it is
  // acknowledged, whoever made it: an earlier Open that crashed right after
  // its MkDir leaves a directory that is visible but whose entry a power cut
  // can still take away (bug class C02; found by the durable-recovery
  // property: process-kill after the mkdir, recover, sync writes, power cut).
  const std::string parent = faultfs::ParentPath(dbpath_);
  POWERCUT_RETURN_IF_ERROR(NameFile(fs_->SyncDir(parent), parent));
  return VersionSet::CreateNew(fs_, dbpath_);
}

// CURRENT is missing. OK if the directory holds nothing, or only what an
// interrupted creation leaves (LOCK, a manifest, a temp file): no write was
// ever acknowledged there, since the first WAL is created after CURRENT.
Status DBImpl::CheckNotDatabase(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    FileType type;
    uint64_t number = 0;
    if (!ParseFileName(name, &type, &number)) {
      return Status::InvalidArgument(dbpath_ + " is not a powercut database (it holds '" + name +
                                     "' and no CURRENT)");
    }
    if (type == FileType::kLogFile || type == FileType::kTableFile) {
      return Status::Corruption(CurrentFileName(dbpath_) + " is missing but " + dbpath_ +
                                " holds " + name);
    }
  }
  return Status::OK();
}

Status DBImpl::ReplayWals(MemTable* mem, SequenceNumber* last_sequence) {
  POWERCUT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->List(dbpath_));
  std::vector<uint64_t> wals;
  for (const std::string& name : names) {
    FileType type;
    uint64_t number = 0;
    if (ParseFileName(name, &type, &number) && type == FileType::kLogFile &&
        number >= versions_->log_number()) {
      wals.push_back(number);
    }
  }
  std::sort(wals.begin(), wals.end());
  for (size_t i = 0; i < wals.size(); ++i) {
    POWERCUT_ASSIGN_OR_RETURN(ReplayNext next, ReplayWal(LogFileName(dbpath_, wals[i]),
                                                         i + 1 == wals.size(), mem, last_sequence));
    if (next != ReplayNext::kStop) continue;
    // Point-in-time: the later WALs are not replayed. They are not proven
    // obsolete (only the user's choice of mode drops them): keep them.
    for (size_t j = i + 1; j < wals.size(); ++j) {
      quarantine_.insert(faultfs::BaseName(LogFileName(dbpath_, wals[j])));
    }
    break;
  }
  return Status::OK();
}

// Reads a whole WAL into events, and max_synced over every valid record.
Status DBImpl::ScanWal(const std::string& path, WalScan* scan) {
  LogReader reader(fs_, path, options_.mutant);
  std::string record;
  while (true) {
    POWERCUT_ASSIGN_OR_RETURN(LogReader::Event event, reader.Next(&record));
    if (event == LogReader::Event::kEnd) {
      if (reader.torn_tail()) {
        scan->events.push_back(
            {WalDamage::kTornTail, reader.torn_tail_offset(), "", reader.torn_tail_reason()});
      }
      return Status::OK();
    }
    if (event == LogReader::Event::kCorruption) {
      scan->events.push_back(
          {WalDamage::kMidLog, reader.damage_offset(), "", reader.damage_reason()});
      continue;
    }
    // A record passed its checksum: anything malformed in it is real damage.
    const uint64_t offset = reader.record_offset();
    if (record.size() < kWalSyncedPrefixBytes + kWriteBatchHeaderSize) {
      return Status::Corruption("WAL " + path + " record at offset " + std::to_string(offset) +
                                " is too short (" + std::to_string(record.size()) + " bytes)");
    }
    const uint64_t synced = DecodeFixed64(record.data());
    if (synced > offset) {
      return Status::Corruption("WAL " + path + " record at offset " + std::to_string(offset) +
                                " claims " + std::to_string(synced) + " synced bytes before it");
    }
    scan->max_synced = std::max(scan->max_synced, synced);
    scan->events.push_back({WalDamage::kNone, offset, record.substr(kWalSyncedPrefixBytes), ""});
  }
}

namespace {
// The decision table's action, or a recovery mutant's (C05, C06).
WalAction DecideWalDamageOf(const WalDamageInput& input, Mutant mutant) {
  if (mutant == Mutant::kStrictTailFailOpen && input.damage == WalDamage::kTornTail) {
    return WalAction::kFailCorruption;  // C05: a benign torn tail refuses Open
  }
  if (mutant == Mutant::kMidlogCorruptionAsEof && input.damage == WalDamage::kMidLog) {
    return WalAction::kCutAndStopReplay;  // C06: silent truncation, later WALs dropped
  }
  if (mutant == Mutant::kMidlogCorruptionSkip && input.damage == WalDamage::kMidLog) {
    return WalAction::kSkipAndContinue;  // C06: the hole is skipped, OK reported
  }
  return DecideWalDamage(input);
}
}  // namespace

Result<DBImpl::ReplayNext> DBImpl::ReplayWal(const std::string& path, bool last_wal, MemTable* mem,
                                             SequenceNumber* last_sequence) {
  WalScan scan;
  POWERCUT_RETURN_IF_ERROR(ScanWal(path, &scan));
  WriteBatch batch;
  for (const WalScan::Event& event : scan.events) {
    const std::string where = "WAL " + path + " at offset " + std::to_string(event.offset);
    if (event.damage == WalDamage::kNone) {
      Status status = WriteBatchInternal::SetContents(&batch, event.batch);
      if (status.ok()) status = InsertInto(batch, mem);
      if (!status.ok()) return Status::Corruption(where + ": " + status.message());
      if (batch.Count() > 0) {
        *last_sequence =
            std::max(*last_sequence, WriteBatchInternal::Sequence(batch) + batch.Count() - 1);
      }
      continue;
    }
    const WalDamageInput input{event.damage, event.offset < scan.max_synced, last_wal,
                               options_.wal_recovery_mode};
    const WalAction action = DecideWalDamageOf(input, options_.mutant);
    // Bytes recovery drops are evidence: the WAL is kept as NAME.corrupt.
    if (action != WalAction::kReplayAll && action != WalAction::kFailCorruption) {
      quarantine_.insert(faultfs::BaseName(path));
    }
    switch (action) {
      case WalAction::kReplayAll:
      case WalAction::kSkipAndContinue:
        continue;
      case WalAction::kCutHere:
        return ReplayNext::kNextWal;
      case WalAction::kCutAndStopReplay:
        return ReplayNext::kStop;
      case WalAction::kFailCorruption:
        return Status::Corruption(where + ": " + std::string(WalDamageName(event.damage)) +
                                  " damage (" + event.reason + "); " +
                                  std::to_string(scan.max_synced) + " bytes were synced" +
                                  (last_wal ? "" : ", and a newer WAL exists"));
    }
  }
  return ReplayNext::kNextWal;
}

void DBImpl::DeleteObsoleteFiles() {
  Result<std::vector<std::string>> names = fs_->List(dbpath_);
  if (!names.ok()) return;  // garbage stays until the next Open; nothing depends on it
  std::set<uint64_t> live_tables;
  for (const LiveTable& table : versions_->current()->tables) live_tables.insert(table.meta.number);
  bool quarantined = false;
  for (const std::string& name : *names) {
    FileType type;
    uint64_t number = 0;
    if (!ParseFileName(name, &type, &number)) continue;
    // An unreferenced table is a flush's or a recovery's whose manifest edit
    // never became durable (or was cut as torn): its data is still in the
    // WALs this recovery replayed into a durable table.
    const bool obsolete =
        (type == FileType::kLogFile && number < versions_->log_number()) ||
        (type == FileType::kManifestFile && number != versions_->manifest_number()) ||
        type == FileType::kTempFile ||
        (type == FileType::kTableFile && !live_tables.contains(number));
    if (!obsolete) continue;
    if (quarantine_.contains(name)) {
      Quarantine(name);
      quarantined = true;
    } else {
      // Best effort: an obsolete file left behind is deleted by the next Open.
      fs_->Unlink(faultfs::JoinPath(dbpath_, name)).IgnoreError();
    }
  }
  // A quarantine rename lost to a power cut would bring the old name back,
  // below log_number, and the next Open would delete it: make it durable.
  if (quarantined) fs_->SyncDir(dbpath_).IgnoreError();
}

void DBImpl::Quarantine(const std::string& name) {
  const std::string path = faultfs::JoinPath(dbpath_, name);
  // Best effort, like the unlinks: a file left under its name is obsolete
  // (below log_number or not CURRENT's manifest) and never read again.
  fs_->Rename(path, path + ".corrupt").IgnoreError();
}

}  // namespace powercut::engine
