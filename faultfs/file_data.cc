// FileData: chunked copy-on-write file bytes (see file_data.h).
#include "file_data.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstring>

namespace powercut::faultfs {
namespace {

std::atomic<uint64_t> copied_bytes{0};
std::atomic<uint64_t> copied_chunk_slots{0};

}  // namespace

uint64_t FileData::copied_bytes_total() { return copied_bytes.load(std::memory_order_relaxed); }
uint64_t FileData::copied_chunk_slots_total() {
  return copied_chunk_slots.load(std::memory_order_relaxed);
}

FileData::FileData(const FileData& other) : chunks_(other.chunks_), size_bytes_(other.size_bytes_) {
  copied_chunk_slots.fetch_add(chunks_.size(), std::memory_order_relaxed);
}

FileData::Chunk& FileData::MutableChunk(size_t index) {
  assert(index < chunks_.size());
  CowPtr<Chunk>& slot = chunks_[index];
  if (!slot) {
    slot = CowPtr<Chunk>::Make();  // value-initialised: zeros
    return slot.mutable_value();
  }
  bool copied = false;
  Chunk& chunk = slot.MakeUnique(&copied);  // another image shares it: copy for this one only
  if (copied) copied_bytes.fetch_add(kChunkBytes, std::memory_order_relaxed);
  return chunk;
}

template <typename Fill>
void FileData::ForEachChunkSpan(uint64_t offset, uint64_t length, Fill fill) {
  uint64_t done = 0;
  while (done < length) {
    uint64_t at = offset + done;
    size_t index = static_cast<size_t>(at / kChunkBytes);
    size_t begin = static_cast<size_t>(at % kChunkBytes);
    size_t count = static_cast<size_t>(std::min<uint64_t>(kChunkBytes - begin, length - done));
    fill(MutableChunk(index), begin, done, count);
    done += count;
  }
}

size_t FileData::Read(uint64_t offset, std::span<char> out) const {
  if (offset >= size_bytes_) return 0;
  uint64_t length = std::min<uint64_t>(out.size(), size_bytes_ - offset);
  uint64_t done = 0;
  while (done < length) {
    uint64_t at = offset + done;
    size_t index = static_cast<size_t>(at / kChunkBytes);
    size_t begin = static_cast<size_t>(at % kChunkBytes);
    size_t count = static_cast<size_t>(std::min<uint64_t>(kChunkBytes - begin, length - done));
    const CowPtr<Chunk>& chunk = chunks_[index];
    if (!chunk) {
      std::memset(out.data() + done, 0, count);
    } else {
      std::memcpy(out.data() + done, chunk->data() + begin, count);
    }
    done += count;
  }
  return static_cast<size_t>(length);
}

std::string FileData::ReadAll() const {
  std::string bytes(static_cast<size_t>(size_bytes_), '\0');
  size_t n = Read(0, std::span<char>(bytes.data(), bytes.size()));
  assert(n == bytes.size());
  (void)n;
  return bytes;
}

void FileData::Write(uint64_t offset, std::string_view data) {
  if (data.empty()) return;
  if (offset + data.size() > size_bytes_) Resize(offset + data.size());
  ForEachChunkSpan(offset, data.size(), [&](Chunk& chunk, size_t begin, uint64_t from, size_t n) {
    std::memcpy(chunk.data() + begin, data.data() + from, n);
  });
}

void FileData::WriteZeros(uint64_t offset, uint64_t length) {
  if (length == 0) return;
  if (offset + length > size_bytes_) Resize(offset + length);
  ForEachChunkSpan(offset, length, [&](Chunk& chunk, size_t begin, uint64_t, size_t n) {
    std::memset(chunk.data() + begin, 0, n);
  });
}

void FileData::Resize(uint64_t size_bytes) {
  size_t chunk_count = static_cast<size_t>((size_bytes + kChunkBytes - 1) / kChunkBytes);
  if (size_bytes < size_bytes_) {
    chunks_.resize(chunk_count);
    size_t tail = static_cast<size_t>(size_bytes % kChunkBytes);
    if (tail != 0 && chunks_.back()) {
      // Keep the invariant: bytes past the end of the last chunk are zero.
      Chunk& last = MutableChunk(chunk_count - 1);
      std::memset(last.data() + tail, 0, kChunkBytes - tail);
    }
  } else {
    chunks_.resize(chunk_count);  // new slots are empty: zeros
  }
  size_bytes_ = size_bytes;
}

void FileData::FlipBit(uint64_t offset, uint32_t bit) {
  assert(offset < size_bytes_ && bit < 8);
  Chunk& chunk = MutableChunk(static_cast<size_t>(offset / kChunkBytes));
  chunk[offset % kChunkBytes] = static_cast<char>(chunk[offset % kChunkBytes] ^ (1u << bit));
}

bool FileData::SharesChunkWith(const FileData& other, size_t index) const {
  if (index >= chunks_.size() || index >= other.chunks_.size()) return false;
  return chunks_[index] && chunks_[index] == other.chunks_[index];
}

}  // namespace powercut::faultfs
