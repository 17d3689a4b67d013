// The physical format of the write-ahead log and of the manifest (the LevelDB
// log format, seed 003). Both files are a sequence of fixed-size blocks; each
// logical record (a WriteBatch, a version edit) is stored as one or more
// physical records ("fragments") that never cross a block boundary, so a
// reader can resynchronise at the next block after damage.
//
// Grammar (see docs/log_format.md for the byte diagram and the reader's
// outcomes):
//   log       := block* partial_block?
//   block     := physical* trailer?            -- exactly kBlockSize bytes
//   trailer   := 0x00{0..kHeaderSize-1}        -- a block tail too short for a header
//   physical  := checksum:fixed32 length:fixed16 type:uint8 payload:byte[length]
//   logical   := FULL | FIRST MIDDLE* LAST      -- fragments in consecutive blocks
//
//   checksum = crc32c::Mask(CRC32C(type byte ++ payload))
//   A zero-length FULL record is a valid, empty logical record.
//
// Written to disk: every constant below is frozen. Never change.
#pragma once

#include <cstddef>
#include <cstdint>

namespace powercut::engine::log {

// Size of a block. A physical record never crosses a block boundary.
// Written to disk: never change.
inline constexpr size_t kBlockSize = 32768;

// Header of a physical record, in order:
//   checksum  fixed32  masked CRC32C of the type byte followed by the payload
//   length    fixed16  payload bytes of this fragment (little-endian)
//   type      uint8    a RecordType
// Written to disk: never change.
inline constexpr size_t kChecksumOffset = 0;
inline constexpr size_t kLengthOffset = 4;
inline constexpr size_t kTypeOffset = 6;
inline constexpr size_t kHeaderSize = 7;

// The type byte of a physical record. Written to disk: never change.
enum RecordType : uint8_t {
  // Never written: reserved for preallocated / zero-filled space, which the
  // reader treats as the end of valid data in the block.
  kZeroType = 0,
  // A whole logical record in one fragment.
  kFullType = 1,
  // Fragments of a logical record that spans blocks.
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};
inline constexpr uint8_t kMaxRecordType = kLastType;

static_assert(kBlockSize == 32768, "written to disk: never change");
static_assert(kHeaderSize == 7, "written to disk: never change");
static_assert(kChecksumOffset + 4 == kLengthOffset && kLengthOffset + 2 == kTypeOffset &&
                  kTypeOffset + 1 == kHeaderSize,
              "header fields are contiguous: checksum(4) length(2) type(1)");
static_assert(kBlockSize - kHeaderSize <= 0xffff, "a fragment length must fit the fixed16 field");
static_assert(kZeroType == 0 && kFullType == 1 && kFirstType == 2 && kMiddleType == 3 &&
                  kLastType == 4 && kMaxRecordType == 4,
              "written to disk: never change");

}  // namespace powercut::engine::log
