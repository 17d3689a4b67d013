// Encoding and checking of the table format's handles, footer and block
// trailers (layout in table_format.h).
#include "table_format.h"

#include <cassert>

#include "coding.h"
#include "crc32c.h"

namespace powercut::engine::table_format {

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset);
  PutVarint64(dst, size);
}

bool BlockHandle::DecodeFrom(std::string_view* input) {
  return GetVarint64(input, &offset) && GetVarint64(input, &size);
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  index_handle.EncodeTo(dst);
  dst->resize(start + kMaxBlockHandleBytes, '\0');  // pad the handle to its slot
  PutFixed64(dst, entry_count);
  PutFixed64(dst, kTableMagic);
  const uint32_t crc = crc32c::Value(dst->data() + start, dst->size() - start);
  PutFixed32(dst, crc32c::Mask(crc));
  assert(dst->size() == start + kFooterBytes);
}

bool Footer::DecodeFrom(std::string_view input, std::string* why) {
  if (input.size() != kFooterBytes) {
    *why =
        "footer is " + std::to_string(input.size()) + " bytes, not " + std::to_string(kFooterBytes);
    return false;
  }
  const size_t crc_offset = kFooterBytes - 4;
  const size_t magic_offset = crc_offset - 8;
  // Magic first: a wrong magic says "not a table", a more useful diagnosis
  // than a checksum mismatch.
  if (DecodeFixed64(input.data() + magic_offset) != kTableMagic) {
    *why = "bad magic number in footer";
    return false;
  }
  const uint32_t expected = crc32c::Unmask(DecodeFixed32(input.data() + crc_offset));
  if (crc32c::Value(input.data(), crc_offset) != expected) {
    *why = "footer checksum mismatch";
    return false;
  }
  std::string_view handle_bytes = input.substr(0, kMaxBlockHandleBytes);
  if (!index_handle.DecodeFrom(&handle_bytes)) {
    *why = "malformed index block handle in footer";
    return false;
  }
  entry_count = DecodeFixed64(input.data() + kMaxBlockHandleBytes);
  return true;
}

std::string MakeBlockTrailer(std::string_view contents) {
  std::string trailer(1, static_cast<char>(kNoCompression));
  uint32_t crc = crc32c::Value(contents.data(), contents.size());
  crc = crc32c::Extend(crc, trailer.data(), 1);
  PutFixed32(&trailer, crc32c::Mask(crc));
  assert(trailer.size() == kBlockTrailerBytes);
  return trailer;
}

bool CheckBlockTrailer(std::string_view contents, std::string_view trailer, std::string* why) {
  if (trailer.size() != kBlockTrailerBytes) {
    *why = "truncated block trailer";
    return false;
  }
  const uint32_t expected = crc32c::Unmask(DecodeFixed32(trailer.data() + 1));
  uint32_t actual = crc32c::Value(contents.data(), contents.size());
  actual = crc32c::Extend(actual, trailer.data(), 1);
  if (actual != expected) {
    *why = "checksum mismatch";
    return false;
  }
  // The type byte is covered by the checksum, so a bad type here was written
  // that way: still not something this reader understands.
  if (static_cast<uint8_t>(trailer[0]) != kNoCompression) {
    *why = "unknown compression type " + std::to_string(static_cast<uint8_t>(trailer[0]));
    return false;
  }
  return true;
}

}  // namespace powercut::engine::table_format
