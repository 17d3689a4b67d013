// DBIter: from internal entries (every version, tombstones, entries newer
// than the snapshot) to user entries. Method, after LevelDB's
// FindNextUserEntry: walk forward; skip entries newer than the snapshot; the
// first visible entry of a user key is its newest visible version — if it
// is a tombstone, remember the key and skip every older version of it; if it
// is a value, stop there. Next() skips the remaining versions of the current
// key the same way.
#include "db_iter.h"

#include <cassert>
#include <string>

namespace powercut::engine {

namespace {

class DBIter final : public Iterator {
 public:
  DBIter(std::unique_ptr<InternalIterator> internal, SequenceNumber snapshot,
         std::vector<std::shared_ptr<const void>> pinned)
      : pinned_(std::move(pinned)), internal_(std::move(internal)), snapshot_(snapshot) {
    assert(internal_ != nullptr);
    assert(snapshot_ <= kMaxSequenceNumber);
  }

  bool Valid() const override { return valid_; }
  Status status() const override {
    if (!status_.ok()) return status_;
    return internal_->status();
  }
  std::string_view key() const override {
    assert(valid_);
    return current_user_key_;
  }
  std::string_view value() const override {
    assert(valid_);
    return internal_->value();
  }

  void SeekToFirst() override {
    internal_->SeekToFirst();
    FindNextUserEntry(/*skip_user_key=*/nullptr);
  }
  void Seek(std::string_view target) override {
    // Sorts before every version of `target` visible at the snapshot.
    const std::string internal_target = MakeInternalKey(target, snapshot_, kValueTypeForSeek);
    internal_->Seek(internal_target);
    FindNextUserEntry(nullptr);
  }
  void Next() override {
    assert(valid_);
    skip_key_ = current_user_key_;
    internal_->Next();
    FindNextUserEntry(&skip_key_);
  }

 private:
  // Advances internal_ to the newest visible value of a user key that is not
  // deleted at the snapshot and sorts after *skip_user_key (if given).
  void FindNextUserEntry(const std::string* skip_user_key);

  // Keeps the sources under internal_ alive; destroyed after internal_.
  const std::vector<std::shared_ptr<const void>> pinned_;
  const std::unique_ptr<InternalIterator> internal_;
  const SequenceNumber snapshot_;
  bool valid_ = false;
  std::string_view current_user_key_;  // into internal_->key(), while valid_
  std::string skip_key_;
  Status status_;  // a malformed internal key; sticky
};

void DBIter::FindNextUserEntry(const std::string* skip_user_key) {
  valid_ = false;
  if (!status_.ok()) return;
  std::string deleted_key;  // a user key whose newest visible entry is a tombstone
  const std::string* skip = skip_user_key;
  for (; internal_->Valid(); internal_->Next()) {
    ParsedInternalKey parsed;
    if (!ParseInternalKey(internal_->key(), &parsed)) {
      status_ = Status::Corruption("malformed internal key (" +
                                   std::to_string(internal_->key().size()) + " bytes) in iterator");
      return;
    }
    if (parsed.sequence > snapshot_) continue;  // written after the snapshot
    if (skip != nullptr && parsed.user_key <= std::string_view(*skip)) continue;  // older version
    if (parsed.type == kTypeDeletion) {
      deleted_key.assign(parsed.user_key);
      skip = &deleted_key;
      continue;
    }
    current_user_key_ = parsed.user_key;
    valid_ = true;
    return;
  }
}

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        SequenceNumber snapshot,
                                        std::vector<std::shared_ptr<const void>> pinned) {
  return std::make_unique<DBIter>(std::move(internal), snapshot, std::move(pinned));
}

}  // namespace powercut::engine
