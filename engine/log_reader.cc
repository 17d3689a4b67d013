// LogReader: reassembles logical records and classifies everything else as
// mid-log damage or a torn tail.
//
// Method. The reader keeps a position `pos_`: the end of the last record it
// returned (or of the last damaged region it reported). Next() tries to
// assemble a logical record at pos_ (after skipping a block trailer):
//
//   1. It parses the physical record there. A fragment is valid only if its
//      type is FULL/FIRST/MIDDLE/LAST, its length stays inside both the block
//      and the file, a FIRST or MIDDLE ends exactly at the block boundary (the
//      writer only cuts a record where a block ends), and its checksum
//      matches. A FULL fragment is a record; a FIRST must be followed, block
//      after block, by valid MIDDLEs and one valid LAST.
//   2. If that fails, the reader searches forward for the next valid complete
//      logical record: first where the failed fragment's own header says the
//      next one begins (when that header was well-formed and only the
//      checksum failed: the usual case of damaged payload), then at every
//      byte offset, skipping over fragments that are valid (their bytes are
//      genuine, so no record starts inside them).
//   3. A record found after the failure makes the bytes in between a damaged
//      region (kCorruption); the next call returns that record. None found
//      makes everything from the failure to the end of the file a torn tail
//      (kEnd with torn_tail()).
//
// Block trailers (the < kHeaderSize bytes the writer pads at a block's end)
// are skipped without looking at them: they never hold record bytes.
//
// Cost: the forward search checks the type byte and the length bounds before
// computing a checksum, so zero-filled space and most junk cost one header
// look per byte; only plausible headers pay for a CRC of their payload.
#include "log_reader.h"

#include <cassert>
#include <optional>

#include "coding.h"
#include "crc32c.h"

namespace powercut::engine {

using log::kBlockSize;
using log::kHeaderSize;

struct LogReader::Fragment {
  // What is wrong with the bytes at `offset`. Kept as a code plus a number,
  // not a string, because the forward search parses a fragment at every byte.
  enum class Problem : uint8_t {
    kNone,
    kEndOfFile,           // nothing left to parse
    kTruncatedHeader,     // detail: bytes left in the file
    kZeroFilled,          // an all-zero header
    kBadType,             // detail: the type byte
    kPastBlock,           // detail: the length
    kPastFile,            // detail: the length
    kEndsBeforeBoundary,  // a FIRST or MIDDLE that does not fill its block
    kChecksumMismatch,
  };

  bool valid() const { return problem == Problem::kNone; }
  bool at_eof() const { return problem == Problem::kEndOfFile; }
  std::string Reason() const;

  Problem problem = Problem::kNone;
  uint64_t detail = 0;
  log::RecordType type = log::kZeroType;
  uint64_t offset = 0;         // of the header (after skipping a trailer)
  uint64_t end = 0;            // just past the payload, when the length is plausible
  bool plausible_end = false;  // type and length well-formed; `end` is meaningful
  std::string_view payload;    // when valid()
};

struct LogReader::Found {
  bool ok = false;
  uint64_t offset = 0;  // first fragment
  uint64_t end = 0;     // past the last fragment (when ok)
  std::string record;
  // On failure: why, the first offset where a record may still start, and
  // where the failing fragment's header says the next fragment begins.
  std::string reason;
  uint64_t resume = 0;
  std::optional<uint64_t> claimed_next;
};

namespace {

// The first offset at or after `offset` where a header may start: a block
// tail shorter than a header is a trailer and is skipped.
uint64_t SkipTrailer(uint64_t offset) {
  const uint64_t remaining_in_block = kBlockSize - offset % kBlockSize;
  return remaining_in_block < kHeaderSize ? offset + remaining_in_block : offset;
}

bool IsAllZero(std::string_view bytes) {
  for (char c : bytes) {
    if (c != 0) return false;
  }
  return true;
}

const char* TypeName(log::RecordType type) {
  switch (type) {
    case log::kFullType:
      return "FULL";
    case log::kFirstType:
      return "FIRST";
    case log::kMiddleType:
      return "MIDDLE";
    case log::kLastType:
      return "LAST";
    default:
      return "ZERO";
  }
}

}  // namespace

std::string LogReader::Fragment::Reason() const {
  switch (problem) {
    case Problem::kNone:
      return "valid";
    case Problem::kEndOfFile:
      return "end of file";
    case Problem::kTruncatedHeader:
      return "truncated header: " + std::to_string(detail) + " bytes at the end of the file";
    case Problem::kZeroFilled:
      return "zero-filled region";
    case Problem::kBadType:
      return "bad record type " + std::to_string(detail);
    case Problem::kPastBlock:
      return "record length " + std::to_string(detail) + " runs past the block";
    case Problem::kPastFile:
      return "record length " + std::to_string(detail) + " runs past the end of the file";
    case Problem::kEndsBeforeBoundary:
      return std::string(TypeName(type)) + " fragment ends before the block boundary";
    case Problem::kChecksumMismatch:
      return "checksum mismatch";
  }
  return "unknown problem";
}

LogReader::LogReader(faultfs::FileSystem* fs, std::string path, Mutant mutant)
    : fs_(fs), path_(std::move(path)), mutant_(mutant) {
  assert(fs_ != nullptr);
}

Status LogReader::Load() {
  POWERCUT_ASSIGN_OR_RETURN(contents_, faultfs::ReadFileToString(*fs_, path_));
  loaded_ = true;
  return Status::OK();
}

LogReader::Fragment LogReader::ParseFragment(uint64_t offset) const {
  using Problem = Fragment::Problem;
  Fragment f;
  f.offset = SkipTrailer(offset);
  const uint64_t file_size = contents_.size();
  if (mutant_ == Mutant::kTrustZeroTail) {
    // C08: zero bytes are taken for padding and skipped, not for the end.
    while (f.offset < file_size && contents_[f.offset] == 0) f.offset = SkipTrailer(f.offset + 1);
  }
  if (f.offset >= file_size) {
    f.problem = Problem::kEndOfFile;
    return f;
  }
  if (file_size - f.offset < kHeaderSize) {
    f.problem = Problem::kTruncatedHeader;
    f.detail = file_size - f.offset;
    return f;
  }
  const char* header = contents_.data() + f.offset;
  const auto length_low = static_cast<unsigned char>(header[log::kLengthOffset]);
  const auto length_high = static_cast<unsigned char>(header[log::kLengthOffset + 1]);
  const uint32_t length = length_low | (static_cast<uint32_t>(length_high) << 8);
  const auto type = static_cast<uint8_t>(header[log::kTypeOffset]);
  if (type == log::kZeroType || type > log::kMaxRecordType) {
    const bool zeros = IsAllZero(std::string_view(header, kHeaderSize));
    f.problem = zeros ? Problem::kZeroFilled : Problem::kBadType;
    f.detail = type;
    return f;
  }
  f.type = static_cast<log::RecordType>(type);
  const uint64_t block_end = f.offset - f.offset % kBlockSize + kBlockSize;
  const uint64_t end = f.offset + kHeaderSize + length;
  if (end > block_end || end > file_size) {
    f.problem = end > block_end ? Problem::kPastBlock : Problem::kPastFile;
    f.detail = length;
    return f;
  }
  f.end = end;
  f.plausible_end = true;
  if ((f.type == log::kFirstType || f.type == log::kMiddleType) && end != block_end) {
    f.problem = Problem::kEndsBeforeBoundary;
    return f;
  }
  const char* payload = header + kHeaderSize;
  const uint32_t expected = crc32c::Unmask(DecodeFixed32(header + log::kChecksumOffset));
  const uint32_t actual =
      crc32c::Extend(crc32c::Value(header + log::kTypeOffset, 1), payload, length);
  // wal-no-checksum (C04): length-only framing, the checksum is not compared.
  if (actual != expected && mutant_ != Mutant::kWalNoChecksum) {
    f.problem = Problem::kChecksumMismatch;
    return f;
  }
  f.payload = std::string_view(payload, length);
  return f;
}

LogReader::Found LogReader::AssembleAt(uint64_t offset) const {
  Fragment fragment = ParseFragment(offset);
  Found found;
  found.offset = fragment.offset;
  found.resume = fragment.offset + 1;
  if (!fragment.valid()) {
    found.reason = fragment.Reason();
    if (fragment.plausible_end) found.claimed_next = fragment.end;
    return found;
  }
  if (fragment.type == log::kMiddleType || fragment.type == log::kLastType) {
    found.reason = std::string("missing start of fragmented record (") + TypeName(fragment.type) +
                   " fragment without FIRST)";
    found.resume = fragment.end;  // a valid fragment: no record starts inside it
    return found;
  }
  found.record.assign(fragment.payload);
  // Follow a FIRST through its MIDDLEs to its LAST; a FULL skips the loop.
  while (fragment.type != log::kFullType && fragment.type != log::kLastType) {
    const Fragment next = ParseFragment(fragment.end);
    if (!next.valid() || next.type == log::kFullType || next.type == log::kFirstType) {
      found.record.clear();
      found.resume = next.offset;  // every fragment before `next` was valid
      if (next.at_eof()) {
        found.reason = "fragmented record has no LAST fragment before the end of the file";
      } else if (!next.valid()) {
        found.reason = next.Reason() + " in fragment at offset " + std::to_string(next.offset);
        if (next.plausible_end) found.claimed_next = next.end;
      } else {
        found.reason = std::string("fragmented record interrupted by a ") + TypeName(next.type) +
                       " fragment at offset " + std::to_string(next.offset);
      }
      return found;
    }
    found.record.append(next.payload);
    fragment = next;
  }
  found.ok = true;
  found.end = fragment.end;
  return found;
}

LogReader::Found LogReader::FindNextRecord(const Found& failed) const {
  assert(!failed.ok);
  // Where the damaged fragment's header says the next fragment begins.
  if (failed.claimed_next.has_value() && *failed.claimed_next > failed.offset) {
    Found candidate = AssembleAt(*failed.claimed_next);
    if (candidate.ok) return candidate;
  }
  // Otherwise every byte offset, hopping over valid fragments.
  uint64_t position = failed.resume;
  while (true) {
    const Fragment fragment = ParseFragment(position);
    if (fragment.at_eof()) break;
    if (!fragment.valid()) {
      position = fragment.offset + 1;
      continue;
    }
    if (fragment.type == log::kMiddleType || fragment.type == log::kLastType) {
      position = fragment.end;
      continue;
    }
    Found candidate = AssembleAt(fragment.offset);
    if (candidate.ok) return candidate;
    assert(candidate.resume > fragment.offset);
    position = candidate.resume;
  }
  Found none;
  return none;
}

Result<LogReader::Event> LogReader::Next(std::string* record) {
  assert(record != nullptr);
  if (!loaded_) POWERCUT_RETURN_IF_ERROR(Load());
  if (ended_) return Event::kEnd;

  Found found = AssembleAt(pos_);
  if (found.ok) {
    *record = std::move(found.record);
    record_offset_ = found.offset;
    record_end_ = found.end;
    valid_end_ = found.end;
    pos_ = found.end;
    return Event::kRecord;
  }
  ended_ = found.offset >= contents_.size();  // clean end: only a trailer (or nothing) left
  if (ended_) return Event::kEnd;

  const Found next = FindNextRecord(found);
  if (next.ok) {
    assert(next.offset > found.offset);
    damage_offset_ = found.offset;
    damage_bytes_ = next.offset - found.offset;
    damage_reason_ = found.reason;
    pos_ = next.offset;
    return Event::kCorruption;
  }
  torn_tail_offset_ = found.offset;
  torn_tail_bytes_ = contents_.size() - found.offset;
  torn_tail_reason_ = found.reason;
  pos_ = contents_.size();
  ended_ = true;
  return Event::kEnd;
}

}  // namespace powercut::engine
