// CowPtr<T>: a reference-counted pointer for copy-on-write sharing between
// SimFs images, which may live on different threads (the explorer recovers
// crash states in parallel while the source SimFs goes on).
//
// Why not std::shared_ptr: copy-on-write needs "am I the only holder?" before
// writing in place, and shared_ptr::use_count() is a relaxed load. If another
// thread has just dropped the last other reference after reading the bytes,
// a relaxed load does not order that read before our write: a data race (and
// a ThreadSanitizer report). unique() here is an acquire load that pairs with
// the release of the other holder's decrement, so their reads happen before
// our writes.
//
// The count can only rise through a copy of a CowPtr the caller holds, and
// SimFs copies only under its own mutex, so unique() == true cannot turn false
// behind the caller's back. Private to faultfs.
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <utility>

namespace powercut::faultfs {

template <typename T>
class CowPtr {
 public:
  CowPtr() = default;
  template <typename... Args>
  static CowPtr Make(Args&&... args) {
    CowPtr ptr;
    ptr.box_ = new Box{{1}, T(std::forward<Args>(args)...)};
    return ptr;
  }

  CowPtr(const CowPtr& other) : box_(other.box_) {
    if (box_ != nullptr) box_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  CowPtr(CowPtr&& other) noexcept : box_(std::exchange(other.box_, nullptr)) {}
  CowPtr& operator=(CowPtr other) noexcept {
    std::swap(box_, other.box_);
    return *this;
  }
  ~CowPtr() {
    if (box_ != nullptr && box_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete box_;
  }

  explicit operator bool() const { return box_ != nullptr; }
  const T* get() const { return box_ == nullptr ? nullptr : &box_->value; }
  const T& operator*() const { return box_->value; }
  const T* operator->() const { return &box_->value; }
  friend bool operator==(const CowPtr& a, const CowPtr& b) { return a.box_ == b.box_; }

  // True if no other CowPtr shares the value: the caller may write it.
  bool unique() const {
    assert(box_ != nullptr);
    return box_->refs.load(std::memory_order_acquire) == 1;
  }
  // The value for writing.  REQUIRES: unique()
  T& mutable_value() {
    assert(unique());
    return box_->value;
  }
  // Makes the value private to this pointer (copying it if shared) and
  // returns it for writing. Sets *copied when it had to copy.
  T& MakeUnique(bool* copied = nullptr) {
    bool shared = !unique();
    if (shared) *this = Make(box_->value);
    if (copied != nullptr) *copied = shared;
    return box_->value;
  }

 private:
  struct Box {
    std::atomic<uint32_t> refs;
    T value;
  };
  Box* box_ = nullptr;
};

}  // namespace powercut::faultfs
