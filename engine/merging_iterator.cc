// MergingIterator: a forward k-way merge. With a handful of children (the
// memtables and the tables of a small LSM) a linear scan for the smallest
// key is as fast as a heap and simpler to read. Children are newest first,
// and the scan keeps the first of equal keys, so the newest source wins a
// (theoretically impossible) tie.
#include "merging_iterator.h"

#include <cassert>

#include "dbformat.h"

namespace powercut::engine {

namespace {

class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {
    for ([[maybe_unused]] const auto& child : children_) assert(child != nullptr);
  }

  bool Valid() const override { return status_.ok() && current_ != nullptr; }
  Status status() const override { return status_; }
  std::string_view key() const override {
    assert(Valid());
    return current_->key();
  }
  std::string_view value() const override {
    assert(Valid());
    return current_->value();
  }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    for (auto& child : children_) child->SeekToFirst();
    FindSmallest();
  }
  void Seek(std::string_view target) override {
    if (!status_.ok()) return;
    for (auto& child : children_) child->Seek(target);
    FindSmallest();
  }
  void Next() override {
    assert(Valid());
    // Every other child is already positioned past current_'s key (keys are
    // unique across children), so only current_ moves.
    current_->Next();
    FindSmallest();
  }

 private:
  // Points current_ at the child with the smallest key, or ends the merge
  // (current_ = null) when all are exhausted or one has failed.
  void FindSmallest();

  std::vector<std::unique_ptr<InternalIterator>> children_;
  InternalIterator* current_ = nullptr;
  Status status_;  // first child error; sticky
};

void MergingIterator::FindSmallest() {
  const InternalKeyComparator compare;
  current_ = nullptr;
  for (auto& child : children_) {
    if (!child->Valid()) {
      Status child_status = child->status();
      if (!child_status.ok()) {
        // A failed source could hide newer versions: stop rather than merge
        // around the hole.
        status_ = std::move(child_status);
        current_ = nullptr;
        return;
      }
      continue;
    }
    if (current_ == nullptr || compare.Compare(child->key(), current_->key()) < 0) {
      current_ = child.get();
    }
  }
}

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children.front());
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace powercut::engine
