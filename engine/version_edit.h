// VersionEdit: one change to the set of live tables and the counters that go
// with it, as recorded in the manifest. A manifest is a log (log_format.h) of
// encoded edits: its first record is a full snapshot (every field set, every
// live table added), each later record a delta appended by a flush.
//
// Encoding: a sequence of (tag varint32, fields) pairs, in any order, each tag
// at most once except the table tags. Unknown tags, truncated fields and
// repeated singleton tags are Corruption: a manifest record passed its
// checksum, so anything malformed in it is real damage, not a crash artefact.
//
//   kLogNumber       varint64  WALs numbered below this are obsolete (their
//                              data is in tables); recovery replays the rest
//   kNextFileNumber  varint64  the next unused file number
//   kLastSequence    varint64  the last sequence number the tables cover
//   kNewTable        varint64 number, varint64 file_size,
//                    varstring smallest internal key, varstring largest
//   kDeletedTable    varint64 number
//
// Written to disk: tag values never change (see docs/engine.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::engine {

// Tags of the VersionEdit encoding. Written to disk: never change.
enum class EditTag : uint32_t {
  kLogNumber = 1,
  kNextFileNumber = 2,
  kLastSequence = 3,
  kNewTable = 4,
  kDeletedTable = 5,
};
static_assert(static_cast<uint32_t>(EditTag::kLogNumber) == 1 &&
                  static_cast<uint32_t>(EditTag::kNextFileNumber) == 2 &&
                  static_cast<uint32_t>(EditTag::kLastSequence) == 3 &&
                  static_cast<uint32_t>(EditTag::kNewTable) == 4 &&
                  static_cast<uint32_t>(EditTag::kDeletedTable) == 5,
              "written to disk: never change");

// What the manifest knows about one table file.
struct TableMeta {
  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;  // internal key
  std::string largest;   // internal key

  friend bool operator==(const TableMeta&, const TableMeta&) = default;
};

struct VersionEdit {
  std::optional<uint64_t> log_number;
  std::optional<uint64_t> next_file_number;
  std::optional<uint64_t> last_sequence;
  std::vector<TableMeta> new_tables;
  std::vector<uint64_t> deleted_tables;

  void EncodeTo(std::string* dst) const;
  // Decodes `src` (one manifest record). Corruption (prefixed by nothing: the
  // caller adds the file and offset) on anything malformed.
  static Result<VersionEdit> Decode(std::string_view src);

  friend bool operator==(const VersionEdit&, const VersionEdit&) = default;
};

}  // namespace powercut::engine
