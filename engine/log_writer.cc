// LogWriter: fragmentation of logical records into physical records (see
// log_format.h). The write path has three decision points, each in its own
// small function so each can be read (and later switched into a named mutant)
// on its own:
//   - AddRecord: how a record is cut into fragments and where blocks end;
//   - ComputeChecksum: what the header's checksum covers;
//   - WriteFully: what counts as a successful append (every byte written).
#include "log_writer.h"

#include <algorithm>
#include <cassert>

#include "coding.h"
#include "crc32c.h"

namespace powercut::engine {

using log::kBlockSize;
using log::kHeaderSize;

LogWriter::LogWriter(faultfs::FileSystem* fs, faultfs::FileHandle file, std::string path,
                     uint64_t initial_size, Mutant mutant)
    : fs_(fs),
      file_(file),
      path_(std::move(path)),
      size_(initial_size),
      block_offset_(static_cast<size_t>(initial_size % kBlockSize)),
      mutant_(mutant) {
  assert(fs_ != nullptr);
  assert(file_.valid());
}

Status LogWriter::AddRecord(std::string_view payload) {
  // Once an append failed, the tail of the file is unknown: appending after it
  // could leave a valid record behind garbage, which a reader takes for
  // mid-log corruption. Refuse, with the original error.
  if (!sticky_error_.ok()) return sticky_error_;

  bool first_fragment = true;
  // A do/while so that an empty payload still emits one zero-length FULL record.
  do {
    const size_t leftover = kBlockSize - block_offset_;
    if (leftover < kHeaderSize) {
      // Too little room for a header: fill the block's trailer with zeros
      // (the reader skips it) and start the next block.
      static constexpr char kZeros[kHeaderSize] = {};
      POWERCUT_RETURN_IF_ERROR(WriteFully(std::string_view(kZeros, leftover)));
      block_offset_ = 0;
    }
    assert(kBlockSize - block_offset_ >= kHeaderSize);

    const size_t available = kBlockSize - block_offset_ - kHeaderSize;
    const size_t fragment_length = std::min(payload.size(), available);
    const bool last_fragment = fragment_length == payload.size();
    log::RecordType type;
    if (first_fragment && last_fragment) {
      type = log::kFullType;
    } else if (first_fragment) {
      type = log::kFirstType;
    } else if (last_fragment) {
      type = log::kLastType;
    } else {
      type = log::kMiddleType;
    }
    POWERCUT_RETURN_IF_ERROR(EmitPhysicalRecord(type, payload.substr(0, fragment_length)));
    payload.remove_prefix(fragment_length);
    first_fragment = false;
  } while (!payload.empty());
  return Status::OK();
}

Status LogWriter::EmitPhysicalRecord(log::RecordType type, std::string_view fragment) {
  // REQUIRES: the fragment and its header fit in the current block.
  assert(fragment.size() <= 0xffff);
  assert(block_offset_ + kHeaderSize + fragment.size() <= kBlockSize);

  // Header and payload go out in one append, so a single write carries the
  // whole physical record (fewer syscalls; a tear still lands anywhere).
  std::string physical;
  physical.reserve(kHeaderSize + fragment.size());
  PutFixed32(&physical, ComputeChecksum(type, fragment));
  physical.push_back(static_cast<char>(fragment.size() & 0xff));
  physical.push_back(static_cast<char>(fragment.size() >> 8));
  physical.push_back(static_cast<char>(type));
  physical.append(fragment);
  assert(physical.size() == kHeaderSize + fragment.size());

  Status status = WriteFully(physical);
  // continue-append-after-write-error (C17): the failed record still moves
  // the writer's idea of where the file ends.
  if (status.ok() || mutant_ == Mutant::kContinueAppendAfterWriteError) {
    block_offset_ += physical.size();
  }
  return status;
}

uint32_t LogWriter::ComputeChecksum(log::RecordType type, std::string_view fragment) {
  // The checksum covers the type byte and the payload (not the length: a
  // wrong length makes the covered bytes wrong, which the CRC then catches).
  const char type_byte = static_cast<char>(type);
  uint32_t crc = crc32c::Value(&type_byte, 1);
  crc = crc32c::Extend(crc, fragment.data(), fragment.size());
  return crc32c::Mask(crc);
}

Status LogWriter::WriteFully(std::string_view data) {
  while (!data.empty()) {
    // recycle-wal-no-log-number (C07): the recycled file is overwritten at
    // the writer's offset (from 0), not appended to.
    Result<size_t> written = mutant_ == Mutant::kRecycleWalNoLogNumber
                                 ? fs_->Write(file_, size_, data)
                                 : fs_->Append(file_, data);
    if (!written.ok()) {
      if (mutant_ == Mutant::kContinueAppendAfterWriteError) {
        // C17: the bytes are counted as written and the error is not sticky:
        // the next record is appended after whatever part of this one landed.
        size_ += data.size();
        return written.status();
      }
      // Returned as-is (the file system's message names the file and errno,
      // and an injected fault stays tagged as injected).
      sticky_error_ = written.status();
      return sticky_error_;
    }
    // short-write-as-success (C17): a short count is taken for all of it.
    if (mutant_ == Mutant::kShortWriteAsSuccess && *written > 0) {
      size_ += data.size();
      return Status::OK();
    }
    // A short count is not success: the rest of the bytes are still to be
    // written. A zero count would loop forever, so it is an error.
    if (*written == 0 || *written > data.size()) {
      sticky_error_ = Status::IOError(
          "append to log " + path_ + " at offset " + std::to_string(size_) + ": wrote " +
          std::to_string(*written) + " of " + std::to_string(data.size()) + " bytes");
      return sticky_error_;
    }
    size_ += *written;
    data.remove_prefix(*written);
  }
  return Status::OK();
}

}  // namespace powercut::engine
