// ChoiceSpace: the crash states of one crash model over one list of pending
// operations, as a mixed-radix number — one digit per choice the model makes
// (see CrashStateId in crash_model.h):
//   prefix           1 digit: how many pending ops persist, 0..n
//   per-file-prefix  1 digit per stream: how long a prefix of it persists
//   reorder          1 digit per op: 0 dropped, 1 persisted
//   torn             1 digit per op: 0 dropped; a write 1 + landed-unit mask
//                    (and, see TornLayout::size_bit, the size bit), any
//                    other op 1 = persisted
//   the single-state models: no digits
// The enumerator counts through (or samples) the digit *values* 0..radix-1;
// DigitForValue maps a value to the digit written into the id (they differ
// only for torn writes under tear=old, where "no sector landed" would equal
// "dropped" and is left out).
//
// Streams (per-file-prefix): one per file inode with pending data ops (its
// writes and truncates) and one per directory with pending entry ops (a
// rename belongs to its destination directory's stream, so every op is in
// exactly one stream and distinct digits give distinct choices). Streams are
// ordered by their oldest pending op.
//
// Torn units: a write covers the sectors [offset/S, (end-1)/S]. A digit holds
// at most 63 mask bits, so a write over more than 63 sectors lands in units of
// ceil(sectors/63) consecutive sectors; up to 63 sectors a unit is a sector.
// Private to faultfs.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "sim_ops.h"

namespace powercut::faultfs {

inline constexpr uint64_t kMaxTornUnits = 63;

// The sector units one write lands in.
struct TornLayout {
  uint64_t first_sector = 0;      // index of the first sector the write covers
  uint64_t sector_count = 0;      // sectors the write covers (>= 1)
  uint64_t sectors_per_unit = 1;  // > 1 only beyond kMaxTornUnits sectors
  uint64_t unit_count = 0;        // <= kMaxTornUnits
  // torn-*-old, a write reaching past its file's durable size, and at most
  // kMaxTornUnits - 1 units: one more mask bit, above the units, says whether
  // the new size persisted (set: unlanded sectors past the old end read as
  // zeros) or not (clear: the file ends with the last landed sector).
  bool size_bit = false;

  // The mask bits of a torn digit: the units, and the size bit if any.
  uint64_t mask_bits() const { return unit_count + (size_bit ? 1 : 0); }
  uint64_t full_mask() const { return (uint64_t{1} << mask_bits()) - 1; }
  bool size_landed(uint64_t mask) const { return size_bit && (mask >> unit_count & 1) != 0; }

  static TornLayout For(const PendingOp& write, uint32_t sector_bytes);
  // The layout of `write` in a crash under `model`, whose durable image
  // before the crash is `durable` (it decides the size bit).
  static TornLayout ForCrash(const PendingOp& write, const CrashModel& model, const Image& durable);
  // The same for a write of `length` bytes at `offset`.  REQUIRES: length > 0
  static TornLayout ForRange(uint64_t offset, uint64_t length, uint32_t sector_bytes);
  // [begin, end) byte range of unit `unit` intersected with the write.
  uint64_t UnitBegin(uint64_t unit, uint32_t sector_bytes, uint64_t write_offset) const;
  uint64_t UnitEnd(uint64_t unit, uint32_t sector_bytes, uint64_t write_end) const;
};

class ChoiceSpace {
 public:
  // REQUIRES: for torn, model.sector_bytes > 0
  static ChoiceSpace For(const CrashModel& model, const std::vector<PendingOp>& pending,
                         const Image& durable);

  size_t digit_count() const { return radices_.size(); }
  uint64_t radix(size_t digit) const { return radices_[digit]; }
  // The number of states (product of the radices), UINT64_MAX if it does not
  // fit.
  uint64_t state_space() const { return state_space_; }
  uint64_t DigitForValue(size_t digit, uint64_t value) const;
  // True if `digit_value` is a digit the id may hold at position `digit`.
  bool DigitFits(size_t digit, uint64_t digit_value) const;
  // per-file-prefix: the stream of pending op `op_index`, and its index in it.
  size_t stream_of(size_t op_index) const { return stream_of_op_[op_index]; }
  size_t index_in_stream(size_t op_index) const { return index_in_stream_[op_index]; }

 private:
  void AddDigit(uint64_t radix, bool skips_value_one);
  std::vector<uint64_t> radices_;
  std::vector<bool> skips_value_one_;  // torn write under tear=old
  std::vector<size_t> stream_of_op_;
  std::vector<size_t> index_in_stream_;
  uint64_t state_space_ = 1;
};

// Enumerates (or samples) the ids of `space`; see CrashStateEnumerator.
// REQUIRES: budget.max_states >= 1
std::unique_ptr<CrashStateEnumerator> MakeCrashStateEnumerator(const CrashModel& model,
                                                               uint64_t position, ChoiceSpace space,
                                                               const EnumerationBudget& budget);

// SplitMix64 (Steele et al.): the one mixing function of crash-state
// sampling and junk bytes. Specified exactly, so ids are the same everywhere.
uint64_t SplitMix64(uint64_t x);

}  // namespace powercut::faultfs
