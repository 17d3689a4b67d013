// The sorted-table file format (".sst"): what a flush writes and every read
// of old data verifies. Written to disk: every constant here is frozen.
//
//   table    := data_block* index_block footer
//   block    := contents trailer            (contents addressed by a BlockHandle)
//   trailer  := compression_type:uint8      (always kNoCompression = 0)
//               crc:fixed32                 (masked crc32c of contents + type byte)
//
// Block contents (data and index blocks share the layout):
//
//   contents := entry* restart:fixed32*  num_restarts:fixed32
//   entry    := shared:varint32          bytes shared with the previous key
//               non_shared:varint32      bytes of key that follow
//               value_size:varint32
//               key_delta:byte[non_shared]
//               value:byte[value_size]
//
// Keys are prefix-compressed against the previous entry's key, except at a
// restart point (every kBlockRestartInterval entries, the first included),
// where shared = 0 and the full key is stored; restart[i] is the offset of
// the i-th restart entry, so a reader binary-searches the restarts and scans
// at most kBlockRestartInterval entries. An empty block has no restarts.
//
// Data blocks hold (internal key, value) pairs in InternalKeyComparator
// order. The index block holds, for each data block in file order, (the
// last internal key of that block, its encoded BlockHandle).
//
//   block_handle := offset:varint64 size:varint64     (size excludes the trailer)
//   footer       := index_handle:block_handle padded with zeros to 20 bytes
//                   entry_count:fixed64               (number of data entries)
//                   magic:fixed64                     (kTableMagic)
//                   footer_crc:fixed32                (masked crc32c of the 36 bytes before)
//
// Every integer is little-endian (coding.h); the footer is the last
// kFooterBytes of the file, so a reader finds it from the file size alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace powercut::engine::table_format {

// Written to disk: never change.
inline constexpr uint64_t kTableMagic = 0x7063757474626c31ull;  // "pcuttbl1"
inline constexpr uint8_t kNoCompression = 0;
inline constexpr int kBlockRestartInterval = 16;
inline constexpr size_t kBlockTrailerBytes = 1 + 4;      // type + masked crc32c
inline constexpr size_t kMaxBlockHandleBytes = 10 + 10;  // two varint64s
inline constexpr size_t kFooterBytes = kMaxBlockHandleBytes + 8 + 8 + 4;

static_assert(kTableMagic == 0x7063757474626c31ull, "written to disk: never change");
static_assert(kNoCompression == 0, "written to disk: never change");
static_assert(kBlockRestartInterval == 16, "written to disk: never change");
static_assert(kBlockTrailerBytes == 5, "written to disk: never change");
static_assert(kFooterBytes == 40, "written to disk: never change");

// Where a block's contents sit in the file (the trailer follows them).
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;  // contents only, without the trailer

  void EncodeTo(std::string* dst) const;
  // Reads a handle from the front of *input and advances it; false if malformed.
  [[nodiscard]] bool DecodeFrom(std::string_view* input);
};

struct Footer {
  BlockHandle index_handle;
  uint64_t entry_count = 0;

  // Appends exactly kFooterBytes.
  void EncodeTo(std::string* dst) const;
  // Decodes kFooterBytes; on failure returns false and sets *why to a short
  // reason ("bad magic", "checksum mismatch", "bad index handle").
  [[nodiscard]] bool DecodeFrom(std::string_view input, std::string* why);
};

// The trailer for `contents`: type byte + masked crc32c(contents + type).
std::string MakeBlockTrailer(std::string_view contents);
// Checks a trailer against its contents; on failure sets *why.
[[nodiscard]] bool CheckBlockTrailer(std::string_view contents, std::string_view trailer,
                                     std::string* why);

}  // namespace powercut::engine::table_format
