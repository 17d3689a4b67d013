// FileData: the bytes of one simulated file, stored as fixed-size chunks that
// are shared copy-on-write between SimFs images (durable, visible, crash
// states, clones). Copying a FileData copies one pointer per chunk; a write
// copies only the chunks it touches, and only if another image still shares
// them. A missing chunk (nullptr) reads as zeros, so zero-extending a file is
// free. Private to faultfs: SimFs and its crash builder are the only users.
//
// Invariant: bytes of the last chunk past size() are zero, so growing the
// file (Resize, or a Write past the end) exposes zeros without touching them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cow_ptr.h"

namespace powercut::faultfs {

class FileData {
 public:
  static constexpr size_t kChunkBytes = 4096;
  static_assert(kChunkBytes >= 4096 && (kChunkBytes & (kChunkBytes - 1)) == 0,
                "chunks are a power of two of at least 4 KiB (cost model of crash states)");

  FileData() = default;
  // Copies the chunk pointers (the bytes stay shared).
  FileData(const FileData& other);
  FileData& operator=(const FileData&) = delete;

  uint64_t size() const { return size_bytes_; }
  // Copies up to out.size() bytes from `offset`; returns the count (0 at or
  // past the end).
  size_t Read(uint64_t offset, std::span<char> out) const;
  std::string ReadAll() const;
  // Calls `visit(bytes)` for consecutive pieces covering the whole file, in
  // order, without copying (holes are visited as zero bytes).
  template <typename Visit>
  void VisitBytes(Visit visit) const;
  // Writes `data` at `offset`, zero-extending the file first if needed.
  void Write(uint64_t offset, std::string_view data);
  // Writes `length` zero bytes at `offset` (extending as Write does).
  void WriteZeros(uint64_t offset, uint64_t length);
  // Cuts or zero-extends the file to `size_bytes`.
  void Resize(uint64_t size_bytes);
  // Flips bit `bit` of the byte at `offset`.  REQUIRES: offset < size(), bit < 8
  void FlipBit(uint64_t offset, uint32_t bit);

  // Structural introspection for tests: the number of chunk slots, and whether
  // chunk `index` is the very same memory in `other` (shared, not copied).
  size_t chunk_count() const { return chunks_.size(); }
  bool SharesChunkWith(const FileData& other, size_t index) const;

  // Bytes copied into private chunks so far, process-wide (copy-on-write
  // breaks). Monotonic; a test reads it before and after an operation to show
  // that the operation did not copy file data it did not change.
  static uint64_t copied_bytes_total();
  // Chunk pointers copied so far by FileData copies, process-wide. Monotonic.
  static uint64_t copied_chunk_slots_total();

 private:
  using Chunk = std::array<char, kChunkBytes>;
  // The chunk at `index`, private to this FileData (copied or allocated if
  // shared or missing).
  Chunk& MutableChunk(size_t index);
  // Applies `fill(chunk, begin_in_chunk, span_offset, count)` over a range.
  template <typename Fill>
  void ForEachChunkSpan(uint64_t offset, uint64_t length, Fill fill);

  std::vector<CowPtr<Chunk>> chunks_;  // empty pointer: all zeros
  uint64_t size_bytes_ = 0;
};

template <typename Visit>
void FileData::VisitBytes(Visit visit) const {
  static const Chunk kZeros{};
  uint64_t remaining = size_bytes_;
  for (size_t i = 0; remaining > 0; ++i) {
    const Chunk* chunk = i < chunks_.size() && chunks_[i] ? chunks_[i].get() : &kZeros;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining, kChunkBytes));
    visit(std::string_view(chunk->data(), n));
    remaining -= n;
  }
}

}  // namespace powercut::faultfs
