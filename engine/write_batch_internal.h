// WriteBatchInternal: the engine's access to a WriteBatch's encoding (the
// public header keeps it private). The DB core stamps the sequence number,
// writes Contents() as one WAL record, and on recovery rebuilds a batch from a
// record with SetContents() before replaying it through Iterate().
//
// Encoding (write_batch.h; written to disk: never change):
//   sequence fixed64 | count fixed32 | entries
//   entry := kTypeValue(1) varstring key varstring value | kTypeDeletion(0) varstring key
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "powercut/engine/write_batch.h"
#include "powercut/status.h"

namespace powercut::engine {

// Entry tags inside a batch. Written to disk: never change.
enum class BatchEntryType : uint8_t { kTypeDeletion = 0, kTypeValue = 1 };

// sequence (fixed64) + count (fixed32). Written to disk: never change.
inline constexpr size_t kWriteBatchHeaderSize = 12;

class WriteBatchInternal {
 public:
  // The sequence number of the batch's first entry.
  static uint64_t Sequence(const WriteBatch& batch);
  static void SetSequence(WriteBatch* batch, uint64_t sequence);
  // The count field as stored (Iterate() checks it against the entries).
  static uint32_t Count(const WriteBatch& batch);
  static void SetCount(WriteBatch* batch, uint32_t count);

  // The encoded batch: the payload of its WAL record.
  static std::string_view Contents(const WriteBatch& batch);
  // Replaces the batch's encoding with `contents` (e.g. a WAL record).
  // Corruption if shorter than the 12-byte header; the entries are validated
  // later, by Iterate().
  static Status SetContents(WriteBatch* batch, std::string_view contents);
  static size_t ByteSize(const WriteBatch& batch);
};

}  // namespace powercut::engine
