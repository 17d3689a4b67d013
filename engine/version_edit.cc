// VersionEdit encoding and decoding (grammar in version_edit.h). The decoder
// is strict: a manifest record already passed its checksum, so a malformed
// edit is real damage and must fail loudly rather than be half-applied.
#include "version_edit.h"

#include "coding.h"

namespace powercut::engine {
namespace {

void PutTag(std::string* dst, EditTag tag) { PutVarint32(dst, static_cast<uint32_t>(tag)); }

Status Malformed(std::string_view what) {
  return Status::Corruption("malformed version edit: " + std::string(what));
}

// Reads a singleton varint64 field into *field; Corruption if the field was
// already set or the varint is bad.
Status GetSingleton(std::string_view* input, std::optional<uint64_t>* field,
                    std::string_view name) {
  if (field->has_value()) return Malformed(std::string(name) + " appears twice");
  uint64_t value = 0;
  if (!GetVarint64(input, &value)) return Malformed("bad " + std::string(name));
  *field = value;
  return Status::OK();
}

Status GetNewTable(std::string_view* input, TableMeta* table) {
  std::string_view smallest;
  std::string_view largest;
  if (!GetVarint64(input, &table->number) || !GetVarint64(input, &table->file_size) ||
      !GetLengthPrefixed(input, &smallest) || !GetLengthPrefixed(input, &largest)) {
    return Malformed("bad new-table entry");
  }
  table->smallest = std::string(smallest);
  table->largest = std::string(largest);
  return Status::OK();
}

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (log_number) {
    PutTag(dst, EditTag::kLogNumber);
    PutVarint64(dst, *log_number);
  }
  if (next_file_number) {
    PutTag(dst, EditTag::kNextFileNumber);
    PutVarint64(dst, *next_file_number);
  }
  if (last_sequence) {
    PutTag(dst, EditTag::kLastSequence);
    PutVarint64(dst, *last_sequence);
  }
  for (uint64_t number : deleted_tables) {
    PutTag(dst, EditTag::kDeletedTable);
    PutVarint64(dst, number);
  }
  for (const TableMeta& table : new_tables) {
    PutTag(dst, EditTag::kNewTable);
    PutVarint64(dst, table.number);
    PutVarint64(dst, table.file_size);
    PutLengthPrefixed(dst, table.smallest);
    PutLengthPrefixed(dst, table.largest);
  }
}

Result<VersionEdit> VersionEdit::Decode(std::string_view src) {
  VersionEdit edit;
  std::string_view input = src;
  while (!input.empty()) {
    uint32_t tag = 0;
    if (!GetVarint32(&input, &tag)) return Malformed("bad tag");
    switch (static_cast<EditTag>(tag)) {
      case EditTag::kLogNumber:
        POWERCUT_RETURN_IF_ERROR(GetSingleton(&input, &edit.log_number, "log number"));
        break;
      case EditTag::kNextFileNumber:
        POWERCUT_RETURN_IF_ERROR(GetSingleton(&input, &edit.next_file_number, "next file number"));
        break;
      case EditTag::kLastSequence:
        POWERCUT_RETURN_IF_ERROR(GetSingleton(&input, &edit.last_sequence, "last sequence"));
        break;
      case EditTag::kNewTable: {
        TableMeta table;
        POWERCUT_RETURN_IF_ERROR(GetNewTable(&input, &table));
        edit.new_tables.push_back(std::move(table));
        break;
      }
      case EditTag::kDeletedTable: {
        uint64_t number = 0;
        if (!GetVarint64(&input, &number)) return Malformed("bad deleted-table number");
        edit.deleted_tables.push_back(number);
        break;
      }
      default:
        return Malformed("unknown tag " + std::to_string(tag));
    }
  }
  return edit;
}

}  // namespace powercut::engine
