// The empty internal iterator: what a source with nothing to show (or one
// that failed before it could start) returns.
#include "internal_iterator.h"

#include <cassert>

namespace powercut::engine {

namespace {

class EmptyIterator final : public InternalIterator {
 public:
  explicit EmptyIterator(Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void Seek(std::string_view) override {}
  void Next() override { assert(false && "REQUIRES: Valid()"); }
  std::string_view key() const override {
    assert(false && "REQUIRES: Valid()");
    return {};
  }
  std::string_view value() const override {
    assert(false && "REQUIRES: Valid()");
    return {};
  }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewEmptyIterator(Status status) {
  return std::make_unique<EmptyIterator>(std::move(status));
}

}  // namespace powercut::engine
