// ChoiceSpace and TornLayout: the digits of crash-state ids (see
// crash_space.h).
#include "crash_space.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

namespace powercut::faultfs {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

TornLayout TornLayout::For(const PendingOp& write, uint32_t sector_bytes) {
  assert(write.is_write() && write.data != nullptr && !write.data->empty());
  return ForRange(write.record.offset, write.data->size(), sector_bytes);
}

TornLayout TornLayout::ForCrash(const PendingOp& write, const CrashModel& model,
                                const Image& durable) {
  TornLayout layout = For(write, model.sector_bytes);
  const FileData* file = durable.file(write.inode);
  const uint64_t durable_size = file == nullptr ? 0 : file->size();
  layout.size_bit = model.tear == TearContent::kOld && layout.unit_count < kMaxTornUnits &&
                    write.write_end() > durable_size;
  return layout;
}

TornLayout TornLayout::ForRange(uint64_t offset, uint64_t length, uint32_t sector_bytes) {
  assert(length > 0 && sector_bytes > 0);
  TornLayout layout;
  layout.first_sector = offset / sector_bytes;
  uint64_t last_sector = (offset + length - 1) / sector_bytes;
  layout.sector_count = last_sector - layout.first_sector + 1;
  layout.sectors_per_unit = (layout.sector_count + kMaxTornUnits - 1) / kMaxTornUnits;
  layout.unit_count = (layout.sector_count + layout.sectors_per_unit - 1) / layout.sectors_per_unit;
  assert(layout.unit_count >= 1 && layout.unit_count <= kMaxTornUnits);
  return layout;
}

uint64_t TornLayout::UnitBegin(uint64_t unit, uint32_t sector_bytes, uint64_t write_offset) const {
  uint64_t sector = first_sector + unit * sectors_per_unit;
  return std::max(sector * sector_bytes, write_offset);
}

uint64_t TornLayout::UnitEnd(uint64_t unit, uint32_t sector_bytes, uint64_t write_end) const {
  uint64_t sector_end = first_sector + std::min((unit + 1) * sectors_per_unit, sector_count);
  return std::min(sector_end * sector_bytes, write_end);
}

void ChoiceSpace::AddDigit(uint64_t radix, bool skips_value_one) {
  assert(radix >= 1);
  radices_.push_back(radix);
  skips_value_one_.push_back(skips_value_one);
  if (state_space_ != UINT64_MAX) {
    state_space_ = state_space_ > UINT64_MAX / radix ? UINT64_MAX : state_space_ * radix;
  }
}

namespace {

// Assigns every pending op to its per-file-prefix stream, streams numbered by
// their oldest op. Returns the length of each stream.
std::vector<uint64_t> AssignStreams(const std::vector<PendingOp>& pending,
                                    std::vector<size_t>& stream_of_op,
                                    std::vector<size_t>& index_in_stream) {
  std::map<std::pair<bool, uint64_t>, size_t> stream_ids;  // (is entry stream, inode)
  std::vector<uint64_t> lengths;
  for (const PendingOp& op : pending) {
    auto key =
        op.is_data_op() ? std::make_pair(false, op.inode) : std::make_pair(true, op.stream_dir());
    auto [it, inserted] = stream_ids.emplace(key, lengths.size());
    if (inserted) lengths.push_back(0);
    stream_of_op.push_back(it->second);
    index_in_stream.push_back(lengths[it->second]++);
  }
  return lengths;
}

}  // namespace

ChoiceSpace ChoiceSpace::For(const CrashModel& model, const std::vector<PendingOp>& pending,
                             const Image& durable) {
  ChoiceSpace space;
  switch (model.kind) {
    case CrashModelKind::kProcessKill:
    case CrashModelKind::kPowerLoss:
    case CrashModelKind::kZeroTail:
      break;
    case CrashModelKind::kPrefix:
      space.AddDigit(pending.size() + 1, false);
      break;
    case CrashModelKind::kPerFilePrefix:
      for (uint64_t length : AssignStreams(pending, space.stream_of_op_, space.index_in_stream_)) {
        space.AddDigit(length + 1, false);
      }
      break;
    case CrashModelKind::kReorder:
      for (size_t i = 0; i < pending.size(); ++i) space.AddDigit(2, false);
      break;
    case CrashModelKind::kTorn:
      for (const PendingOp& op : pending) {
        if (!op.is_write()) {
          space.AddDigit(2, false);
          continue;
        }
        uint64_t masks = uint64_t{1} << TornLayout::ForCrash(op, model, durable).mask_bits();
        bool old = model.tear == TearContent::kOld;  // nothing landed == dropped
        space.AddDigit(old ? masks : masks + 1, old);
      }
      break;
  }
  return space;
}

uint64_t ChoiceSpace::DigitForValue(size_t digit, uint64_t value) const {
  assert(value < radices_[digit]);
  return skips_value_one_[digit] && value >= 1 ? value + 1 : value;
}

bool ChoiceSpace::DigitFits(size_t digit, uint64_t digit_value) const {
  if (skips_value_one_[digit]) {
    if (digit_value == 1) return false;
    return digit_value == 0 || digit_value - 1 < radices_[digit];
  }
  return digit_value < radices_[digit];
}

}  // namespace powercut::faultfs
