// Arena: the memtable's bump allocator. Entries are never freed one by one;
// the whole arena dies with its memtable, so allocation is a pointer bump in
// the current block (4 KiB by default). A request larger than a quarter of a
// block gets a block of its own, so a big value wastes no space in the
// shared block. MemoryUsage() is what the DB compares against
// write_buffer_bytes to decide when to freeze the memtable.
//
// Thread-safety: one allocating thread; MemoryUsage() may be read from any
// thread (it is atomic).
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <memory>
#include <vector>

namespace powercut::engine {

class Arena {
 public:
  static constexpr size_t kDefaultBlockBytes = 4096;

  explicit Arena(size_t block_bytes = kDefaultBlockBytes);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() = default;

  // Returns `bytes` bytes of uninitialised memory, valid until the arena dies.
  // REQUIRES: bytes > 0
  char* Allocate(size_t bytes);
  // As Allocate, aligned for any pointer or 64-bit integer
  // (alignof(std::max_align_t) at most).
  char* AllocateAligned(size_t bytes);

  // Bytes in use: obtained from the heap, including block bookkeeping, less
  // the still-free tail of the current shared block (so a small memtable is
  // not "full" as soon as its first block is allocated).
  size_t MemoryUsage() const {
    return memory_usage_.load(std::memory_order_relaxed) -
           free_tail_bytes_.load(std::memory_order_relaxed);
  }

 private:
  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  const size_t block_bytes_;
  char* alloc_ptr_ = nullptr;         // next free byte of the current block
  size_t alloc_bytes_remaining_ = 0;  // free bytes left in the current block
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
  // Mirrors alloc_bytes_remaining_ for MemoryUsage() readers on other threads.
  std::atomic<size_t> free_tail_bytes_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  assert(bytes > 0);
  if (bytes <= alloc_bytes_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_bytes_remaining_ -= bytes;
    free_tail_bytes_.store(alloc_bytes_remaining_, std::memory_order_relaxed);
    return result;
  }
  return AllocateFallback(bytes);
}

}  // namespace powercut::engine
