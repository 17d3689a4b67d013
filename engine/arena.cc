// Arena block management (see arena.h): small requests share the current
// block; a large one gets a dedicated block so the shared block's free tail
// is not thrown away.
#include "arena.h"

#include <cstdint>

namespace powercut::engine {

namespace {
// Alignment of AllocateAligned: enough for pointers and 64-bit integers.
constexpr size_t kAlignment = alignof(std::max_align_t) > 8 ? alignof(std::max_align_t) : 8;
static_assert((kAlignment & (kAlignment - 1)) == 0, "alignment must be a power of two");
}  // namespace

Arena::Arena(size_t block_bytes) : block_bytes_(block_bytes) { assert(block_bytes_ >= 64); }

char* Arena::AllocateAligned(size_t bytes) {
  assert(bytes > 0);
  const size_t misalignment = reinterpret_cast<uintptr_t>(alloc_ptr_) & (kAlignment - 1);
  const size_t padding = misalignment == 0 ? 0 : kAlignment - misalignment;
  const size_t needed = bytes + padding;
  char* result;
  if (needed <= alloc_bytes_remaining_) {
    result = alloc_ptr_ + padding;
    alloc_ptr_ += needed;
    alloc_bytes_remaining_ -= needed;
    free_tail_bytes_.store(alloc_bytes_remaining_, std::memory_order_relaxed);
  } else {
    // Fresh blocks come from operator new[], aligned for max_align_t.
    result = AllocateFallback(bytes);
  }
  assert((reinterpret_cast<uintptr_t>(result) & (kAlignment - 1)) == 0);
  return result;
}

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > block_bytes_ / 4) {
    // A big object gets its own block; the current block keeps its free tail.
    return AllocateNewBlock(bytes);
  }
  // Start a new shared block; the old block's remainder is wasted.
  alloc_ptr_ = AllocateNewBlock(block_bytes_);
  alloc_bytes_remaining_ = block_bytes_;
  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_bytes_remaining_ -= bytes;
  free_tail_bytes_.store(alloc_bytes_remaining_, std::memory_order_relaxed);
  return result;
}

char* Arena::AllocateNewBlock(size_t block_bytes) {
  blocks_.push_back(std::unique_ptr<char[]>(new char[block_bytes]));  // uninitialised
  memory_usage_.fetch_add(block_bytes + sizeof(blocks_.back()), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace powercut::engine
