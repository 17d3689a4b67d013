// DBImpl construction, reads and Close (see db_impl.h for the split and the
// concurrency model). Reads never block on I/O of the write path: they copy
// the memtable and version pointers under mu_ and read without it, at the
// sequence number that was current when they started, so a batch applied
// half-way is invisible. Get skips every table whose [smallest, largest]
// user-key range (from the manifest) does not hold the key, without opening
// or reading it; a table is opened (footer and index verified) the first time
// a Get or an iterator needs it (LazyTable), so damage found then is returned
// as Corruption naming the table.
#include "db_impl.h"

#include <cassert>

#include "db_iter.h"
#include "filename.h"
#include "merging_iterator.h"

namespace powercut::engine {

DBImpl::DBImpl(const Options& options, std::string dbpath, faultfs::FileSystem* fs)
    : options_(options),
      dbpath_(std::move(dbpath)),
      fs_(fs),
      versions_(std::make_unique<VersionSet>(fs, dbpath_, options.mutant)),
      mem_(std::make_shared<MemTable>()),
      version_(std::make_shared<Version>()) {}

DBImpl::~DBImpl() {
  if (!closed_) {
    Close().IgnoreError();  // a destructor cannot report; callers wanting the error call Close()
  }
}

Status DBImpl::CheckOpen() const {
  if (closed_) return Status::InvalidArgument("database " + dbpath_ + " is closed");
  return Status::OK();
}

DBImpl::ReadView DBImpl::GetReadView() {
  std::lock_guard lock(mu_);
  return ReadView{last_sequence_, mem_, imm_, version_};
}

Result<std::string> DBImpl::Get(const ReadOptions& options, std::string_view key) {
  {
    std::lock_guard lock(mu_);
    POWERCUT_RETURN_IF_ERROR(CheckOpen());
  }
  ReadView view = GetReadView();
  std::string value;
  for (const MemTable* mem : {view.mem.get(), view.imm.get()}) {
    if (mem == nullptr) continue;
    LookupResult found = mem->Get(key, view.snapshot, &value);
    if (found == LookupResult::kFound) return value;
    if (found == LookupResult::kDeleted) return Status::NotFound(std::string(key));
  }
  for (const LiveTable& table : view.version->tables) {  // newest first
    if (InternalKeyComparator::CompareUserKeys(key, ExtractUserKey(table.meta.smallest)) < 0 ||
        InternalKeyComparator::CompareUserKeys(key, ExtractUserKey(table.meta.largest)) > 0) {
      continue;  // outside the table's key range
    }
    POWERCUT_ASSIGN_OR_RETURN(const Table* opened, table.table->Open());  // first use: verify
    POWERCUT_ASSIGN_OR_RETURN(LookupResult found, opened->Get(key, view.snapshot, &value));
    if (found == LookupResult::kFound) return value;
    if (found == LookupResult::kDeleted) break;
  }
  return Status::NotFound(std::string(key));
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  ReadView view = GetReadView();
  bool closed;
  {
    std::lock_guard lock(mu_);
    closed = closed_;
  }
  if (closed) {
    return NewDBIterator(
        NewEmptyIterator(Status::InvalidArgument("database " + dbpath_ + " is closed")), 0);
  }
  std::vector<std::unique_ptr<InternalIterator>> children;
  std::vector<std::shared_ptr<const void>> pinned;
  for (const std::shared_ptr<MemTable>& mem : {view.mem, view.imm}) {
    if (mem == nullptr) continue;
    children.push_back(mem->NewIterator());
    pinned.push_back(mem);
  }
  for (const LiveTable& table : view.version->tables) {
    // A table that fails to open on first use makes the iterator report its
    // Corruption (naming the file) instead of skipping its keys.
    Result<const Table*> opened = table.table->Open();
    children.push_back(opened.ok() ? (*opened)->NewIterator() : NewEmptyIterator(opened.status()));
  }
  pinned.push_back(view.version);
  return NewDBIterator(NewMergingIterator(std::move(children)), view.snapshot, std::move(pinned));
}

// Close: stop the background thread, close every handle, release the lock.
// Nothing is synced: what a sync did not make durable stays as it was.
Status DBImpl::Close() {
  {
    std::lock_guard lock(mu_);
    POWERCUT_RETURN_IF_ERROR(CheckOpen());
    assert(writers_.empty() && "Close must not run concurrently with writes");
    shutting_down_ = true;
  }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
  Status status;
  if (wal_ != nullptr) status = DrainWalBuffer();  // wal-userspace-buffer only
  if (status.ok()) WriteCloseMarker();
  wal_.reset();
  if (wal_file_.valid()) status = fs_->Close(wal_file_);
  wal_file_ = {};
  Status manifest_status = versions_->Close();
  if (status.ok()) status = manifest_status;
  if (db_lock_.valid()) {
    Status unlock_status = fs_->Unlock(db_lock_);
    if (status.ok()) status = unlock_status;
    db_lock_ = {};
  }
  std::lock_guard lock(mu_);
  closed_ = true;
  mem_.reset();
  imm_.reset();
  version_ = std::make_shared<Version>();
  return status;
}

}  // namespace powercut::engine
