// The write path: a queue of writers and group commit (LevelDB's
// DBImpl::Write / BuildBatchGroup, seed 000's WriteThread).
//
// Every writer enqueues itself; the writer at the front is the leader. The
// leader merges the batches queued behind it into one group, stamps its
// sequence numbers, and with mu_ released appends the group to the WAL as ONE
// record (so the group is atomic), DataSyncs once if any member asked for
// sync, and applies the group to the memtable. Then it hands the SAME status
// to every member and wakes the next leader. A sync writer is acknowledged
// only after the DataSync that covers its record succeeded; a non-sync writer
// folded into a synced group simply gets more than it asked for.
//
// WAL record payload (written to disk: never change; docs/engine.md):
//   wal_synced_bytes  fixed64  bytes of this WAL covered by a successful
//                              DataSync when the record was written
//   batch             the WriteBatch encoding (write_batch.h)
// Recovery uses wal_synced_bytes to tell damage in durable bytes (real
// corruption) from an unsynced tail a crash tore (recovery_rules.h).
#include <cassert>

#include "coding.h"
#include "db_impl.h"
#include "write_batch_internal.h"

namespace powercut::engine {

// Size of the wal_synced_bytes prefix of every WAL record payload.
// Written to disk: never change.
inline constexpr size_t kWalRecordPrefixBytes = 8;
static_assert(kWalRecordPrefixBytes == sizeof(uint64_t), "written to disk: never change");

// A group never grows past this many bytes (unless its first batch does).
inline constexpr size_t kMaxGroupBytes = 1 << 20;

// wal-userspace-buffer: the user-space buffer is written out at this size.
inline constexpr size_t kWalBufferBytes = 4096;

struct DBImpl::Writer {
  const WriteBatch* batch = nullptr;  // nullptr: a flush request
  bool sync = false;
  bool done = false;
  Status status;
  std::condition_variable cv;
};

Status DBImpl::Put(const WriteOptions& options, std::string_view key, std::string_view value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(options, batch);
}

Status DBImpl::Delete(const WriteOptions& options, std::string_view key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, batch);
}

namespace {
// Rejects empty keys before anything is written.
class KeyChecker : public WriteBatch::Handler {
 public:
  void Put(std::string_view key, std::string_view) override { empty_key_ |= key.empty(); }
  void Delete(std::string_view key) override { empty_key_ |= key.empty(); }
  bool empty_key() const { return empty_key_; }

 private:
  bool empty_key_ = false;
};

// Replays a batch's entries into a memtable at consecutive sequence numbers.
class MemTableInserter : public WriteBatch::Handler {
 public:
  MemTableInserter(SequenceNumber first, MemTable* mem) : sequence_(first), mem_(mem) {}
  void Put(std::string_view key, std::string_view value) override {
    mem_->Add(sequence_++, kTypeValue, key, value);
  }
  void Delete(std::string_view key) override { mem_->Add(sequence_++, kTypeDeletion, key, {}); }

 private:
  SequenceNumber sequence_;
  MemTable* mem_;
};
}  // namespace

Status DBImpl::Write(const WriteOptions& options, const WriteBatch& batch) {
  KeyChecker checker;
  POWERCUT_RETURN_IF_ERROR(batch.Iterate(&checker));
  if (checker.empty_key()) return Status::InvalidArgument("empty keys are not allowed");
  if (batch.Count() == 0) return Status::OK();
  return WriteQueued(&batch, options.sync);
}

Status DBImpl::InsertInto(const WriteBatch& batch, MemTable* mem) {
  MemTableInserter inserter(WriteBatchInternal::Sequence(batch), mem);
  return batch.Iterate(&inserter);
}

namespace {
// The mutants under which a failed WAL append or sync does not make the DB
// read-only: later writes are appended after the unknown tail (C12, C13, C17).
bool WalErrorStaysLocal(Mutant mutant) {
  return mutant == Mutant::kGroupCommitErrorToLeaderOnly ||
         mutant == Mutant::kKeepServingAfterFailedWrite ||
         mutant == Mutant::kContinueAppendAfterWriteError;
}
}  // namespace

Status DBImpl::WriteQueued(const WriteBatch* batch, bool sync) {
  Writer self;
  self.batch = batch;
  self.sync = sync;
  std::unique_lock lock(mu_);
  POWERCUT_RETURN_IF_ERROR(CheckOpen());
  writers_.push_back(&self);
  while (!self.done && &self != writers_.front()) self.cv.wait(lock);
  if (self.done) return self.status;  // a leader wrote our batch

  Status status = MakeRoomForWrite(lock, /*force=*/batch == nullptr);
  Writer* last_writer = &self;
  if (status.ok() && batch != nullptr) {
    bool group_sync = false;
    const WriteBatch* group = BuildBatchGroup(&last_writer, &group_sync);
    std::shared_ptr<MemTable> mem = mem_;
    const SequenceNumber first = last_sequence_ + 1;
    const uint32_t count = group->Count();
    WriteBatchInternal::SetSequence(&group_batch_, first);
    lock.unlock();
    status = AppendToWal(*group, group_sync);
    // Applied only once the WAL (and its sync, if asked) succeeded.
    // keep-serving-after-failed-write (C13): applied and served anyway.
    const bool apply = status.ok() || IsMutant(Mutant::kKeepServingAfterFailedWrite);
    bool applied = false;
    if (apply) {
      Status inserted = InsertInto(*group, mem.get());
      applied = inserted.ok();
      if (status.ok()) status = inserted;
    }
    lock.lock();
    if (applied) {
      last_sequence_ = first + count - 1;  // readers see the whole group at once
    }
    if (!status.ok() && bg_error_.ok() && !WalErrorStaysLocal(options_.mutant)) {
      bg_error_ = status;  // sticky: the WAL tail is unknown, stop writing
    }
  }
  // group-commit-error-to-leader-only (C12): the followers are told OK.
  const Status follower_status =
      IsMutant(Mutant::kGroupCommitErrorToLeaderOnly) ? Status::OK() : status;
  while (true) {  // hand the shared status to every member of the group
    Writer* ready = writers_.front();
    writers_.pop_front();
    if (ready != &self) {
      ready->status = follower_status;
      ready->done = true;
      ready->cv.notify_one();
    }
    if (ready == last_writer) break;
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return status;
}

const WriteBatch* DBImpl::BuildBatchGroup(Writer** last_writer, bool* sync) {
  assert(!writers_.empty());
  Writer* first = writers_.front();
  assert(first->batch != nullptr);
  // The group is always a copy: the callers' batches are const and stay so.
  group_batch_.Clear();
  group_batch_.Append(*first->batch);
  size_t size = first->batch->ApproximateSize();
  *sync = first->sync;
  *last_writer = first;
  for (auto it = writers_.begin() + 1; it != writers_.end(); ++it) {
    Writer* w = *it;
    if (w->batch == nullptr) break;  // a flush request waits for its own turn
    size += w->batch->ApproximateSize();
    if (size > kMaxGroupBytes) break;
    group_batch_.Append(*w->batch);
    // A sync member makes the whole group synced: it is never acknowledged
    // by a group that skipped the DataSync.
    *sync = *sync || w->sync;
    *last_writer = w;
  }
  return &group_batch_;
}

Status DBImpl::AppendToWal(const WriteBatch& batch, bool sync) {
  std::string payload;
  std::string_view contents = WriteBatchInternal::Contents(batch);
  payload.reserve(kWalRecordPrefixBytes + contents.size());
  PutFixed64(&payload, wal_synced_bytes_);
  wal_vouched_bytes_ = wal_synced_bytes_;
  payload.append(contents);
  if (IsMutant(Mutant::kWalUserspaceBuffer)) {
    // C01: the record waits in user space; write() sees it only when the
    // buffer is full (or at a roll or Close). A sync below syncs the file
    // without it.
    wal_buffer_bytes_ += payload.size();
    wal_buffer_.push_back(std::move(payload));
    if (wal_buffer_bytes_ >= kWalBufferBytes) POWERCUT_RETURN_IF_ERROR(DrainWalBuffer());
  } else {
    POWERCUT_RETURN_IF_ERROR(NameFile(wal_->AddRecord(payload), wal_->path()));
  }
  if (sync) return SyncWal();
  return Status::OK();
}

Status DBImpl::SyncWal() {
  // ack-before-wal-fsync (C01): the sync write is acknowledged unsynced.
  if (IsMutant(Mutant::kAckBeforeWalFsync)) return Status::OK();
  Status status = fs_->DataSync(wal_file_);
  if (!status.ok() && IsMutant(Mutant::kFsyncRetryOnEio)) {
    // C12 (fsyncgate): the retry "succeeds" although the failed fsync may
    // have dropped the dirty pages it was to write.
    status = fs_->DataSync(wal_file_);
  }
  // ignore-fsync-error (C12): the fsync's result is thrown away.
  if (IsMutant(Mutant::kIgnoreFsyncError)) status = Status::OK();
  POWERCUT_RETURN_IF_ERROR(NameFile(status, wal_->path()));
  wal_synced_bytes_ = wal_->size();
  return Status::OK();
}

void DBImpl::WriteCloseMarker() {
  WriteBatch marker;  // no entries: replay applies nothing
  {
    std::lock_guard lock(mu_);
    if (!bg_error_.ok() || wal_ == nullptr || wal_synced_bytes_ <= wal_vouched_bytes_) return;
    WriteBatchInternal::SetSequence(&marker, last_sequence_ + 1);
  }
  // The last marker starts in a sector after the one holding the last synced
  // byte (markers fill the gap), so no single lost sector takes both the
  // acknowledged records and the marker vouching for them.
  const uint64_t boundary = (wal_synced_bytes_ + kCloseMarkerSectorBytes - 1) /
                            kCloseMarkerSectorBytes * kCloseMarkerSectorBytes;
  Status status;
  while (status.ok() && wal_->size() < boundary) status = AppendToWal(marker, /*sync=*/false);
  // Ignored on failure, deliberately: every acknowledged byte is already
  // durable (that is what wal_synced_bytes_ says), so a marker that does
  // not reach the disk only leaves that record unvouched, as after a crash;
  // and a DB that failed to write it is being closed, so nothing is appended
  // after it.
  if (status.ok()) AppendToWal(marker, /*sync=*/true).IgnoreError();
}

Status DBImpl::DrainWalBuffer() {
  assert(IsMutant(Mutant::kWalUserspaceBuffer) || wal_buffer_.empty());
  Status status;
  for (const std::string& record : wal_buffer_) {
    status = NameFile(wal_->AddRecord(record), wal_->path());
    if (!status.ok()) break;
  }
  wal_buffer_.clear();
  wal_buffer_bytes_ = 0;
  return status;
}

}  // namespace powercut::engine
