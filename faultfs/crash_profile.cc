// The crash-time rules of file-system profiles (see profile.h and
// ApplyProfileOrder in crash_builder.h). Method: the crash-state id chooses
// freely, as the crash model allows; these rules then *close* the choice
// under what the profile promises, by persisting more, never less. So every
// state is one the model allows and the profile can leave, ids stay one digit
// layout for every profile, and two ids may name one state (the explorers
// judge each distinct image once, by digest).
#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

#include "crash_builder.h"

namespace powercut::faultfs {
namespace {

using Fate = PendingOpFate::Fate;

bool IsMetadataOp(const PendingOp& op) { return !op.is_write(); }

void Force(const PendingOp& op, const Image& durable, const CrashModel& model, OpChoice& choice,
           const char* why) {
  if (choice.fate == Fate::kPersisted) return;
  if (choice.fate == Fate::kTorn) {
    // A torn write forced whole: every unit lands.
    const uint64_t full = TornLayout::ForCrash(op, model, durable).full_mask();
    if (choice.landed_mask == full) return;
    choice.landed_mask = full;
  } else if (op.is_write() && model.kind == CrashModelKind::kTorn) {
    choice.fate = Fate::kTorn;
    choice.landed_mask = TornLayout::ForCrash(op, model, durable).full_mask();
    choice.forced_by = why;
    return;
  }
  choice.fate = Fate::kPersisted;
  choice.forced_by = why;
}

// The journal: metadata persists in issue order, so everything before the
// latest persisted metadata op persisted too.
void CloseJournalPrefix(const std::vector<PendingOp>& pending, const Image& durable,
                        const CrashModel& model, std::vector<OpChoice>& choices) {
  size_t last = pending.size();
  for (size_t i = pending.size(); i-- > 0;) {
    if (IsMetadataOp(pending[i]) && choices[i].fate != Fate::kDropped) {
      last = i;
      break;
    }
  }
  if (last == pending.size()) return;
  for (size_t j = 0; j < last; ++j) {
    if (IsMetadataOp(pending[j])) {
      Force(pending[j], durable, model, choices[j],
            "journalled: metadata persists in issue order, and a later metadata op persisted");
    }
  }
}

// auto_da_alloc: a persisted rename that replaced a file brings the renamed
// file's earlier data ops.
void CloseReplacingRenames(const std::vector<PendingOp>& pending, const Image& durable,
                           const CrashModel& model, std::vector<OpChoice>& choices) {
  for (size_t i = pending.size(); i-- > 0;) {
    if (choices[i].fate == Fate::kDropped || !pending[i].replaces_file) continue;
    for (size_t j = 0; j < i; ++j) {
      if (pending[j].is_data_op() && pending[j].inode == pending[i].inode) {
        Force(pending[j], durable, model, choices[j],
              "ext4-ordered: a replacing rename commits after the new file's data "
              "(auto_da_alloc)");
      }
    }
  }
}

// [first, last] sector ranges of `write` that land under `choice`.
std::vector<std::pair<uint64_t, uint64_t>> LandedSectors(const PendingOp& write,
                                                         const TornLayout& layout,
                                                         const OpChoice& choice, bool torn) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  if (choice.fate == Fate::kDropped) return ranges;
  for (uint64_t unit = 0; unit < layout.unit_count; ++unit) {
    if (torn && choice.fate == Fate::kTorn && (choice.landed_mask >> unit & 1) == 0) continue;
    const uint64_t first = layout.first_sector + unit * layout.sectors_per_unit;
    const uint64_t last = layout.first_sector +
                          std::min((unit + 1) * layout.sectors_per_unit, layout.sector_count) - 1;
    ranges.emplace_back(first, last);
  }
  return ranges;
}

// Lands the units of `earlier` that share a sector with `landed`.
void LandSharedSectors(const PendingOp& earlier, const TornLayout& layout,
                       const std::vector<std::pair<uint64_t, uint64_t>>& landed,
                       const Image& durable, const CrashModel& model, OpChoice& choice) {
  constexpr const char* kWhy =
      "write-back writes a sector as it is: a later write's sector that landed holds this "
      "earlier write's bytes in it too";
  const bool torn = model.kind == CrashModelKind::kTorn;
  for (uint64_t unit = 0; unit < layout.unit_count; ++unit) {
    const uint64_t first = layout.first_sector + unit * layout.sectors_per_unit;
    const uint64_t last = layout.first_sector +
                          std::min((unit + 1) * layout.sectors_per_unit, layout.sector_count) - 1;
    bool shared = false;
    for (const auto& [a, b] : landed) shared = shared || (first <= b && a <= last);
    if (!shared) continue;
    if (!torn) {
      Force(earlier, durable, model, choice, kWhy);
      return;
    }
    if (choice.fate == Fate::kPersisted || (choice.landed_mask >> unit & 1) != 0) continue;
    if (choice.fate == Fate::kDropped) choice.fate = Fate::kTorn;
    choice.landed_mask |= uint64_t{1} << unit;
    choice.forced_by = kWhy;
  }
}

// Reorder and torn, every profile: within one sector, what persists is the
// sector as it was after some prefix (in time) of its writes — the page
// cache writes a page back with its contents at write-back time, the device
// a sector whole — never a later write without an earlier one. Not across a
// truncate of the file, which removed the earlier bytes from the page.
// Returns whether it changed a choice.
bool CloseSectorOrder(const std::vector<PendingOp>& pending, const Image& durable,
                      const CrashModel& model, std::vector<OpChoice>& choices) {
  const bool torn = model.kind == CrashModelKind::kTorn;
  if (!torn && model.kind != CrashModelKind::kReorder) return false;
  bool changed = false;
  const CrashModel sectors = torn ? model : CrashModel{.kind = CrashModelKind::kTorn};
  for (size_t i = pending.size(); i-- > 0;) {
    if (!pending[i].is_write() || choices[i].fate == Fate::kDropped) continue;
    const auto landed = LandedSectors(
        pending[i], TornLayout::ForCrash(pending[i], sectors, durable), choices[i], torn);
    if (landed.empty()) continue;
    for (size_t j = i; j-- > 0;) {
      if (!pending[j].is_data_op() || pending[j].inode != pending[i].inode) continue;
      if (!pending[j].is_write()) break;  // a truncate: the earlier bytes left the page
      const PendingOp& earlier = pending[j];
      if (earlier.record.offset / sectors.sector_bytes > landed.back().second ||
          (earlier.write_end() - 1) / sectors.sector_bytes < landed.front().first) {
        continue;  // shares no sector with what landed: skip the layout
      }
      const Fate fate = choices[j].fate;  // scalars, not the choice: no string copy per pair
      const uint64_t mask = choices[j].landed_mask;
      LandSharedSectors(earlier, TornLayout::ForCrash(earlier, sectors, durable), landed, durable,
                        model, choices[j]);
      changed = changed || fate != choices[j].fate || mask != choices[j].landed_mask;
    }
  }
  return changed;
}

// ext4-ordered under torn-*-old: walks the ops in order with each file's size
// as the choices leave it, and closes each torn write with
// CloseOrderedAppend. Returns whether it changed a choice.
bool CloseOrderedAppends(const std::vector<PendingOp>& pending, const Image& durable,
                         const CrashModel& model, std::vector<OpChoice>& choices) {
  std::map<uint64_t, uint64_t> sizes;  // inode -> size so far in the crash image
  auto size_of = [&](uint64_t inode) -> uint64_t& {
    auto [it, inserted] = sizes.emplace(inode, 0);
    if (inserted) {
      const FileData* file = durable.file(inode);
      it->second = file == nullptr ? 0 : file->size();
    }
    return it->second;
  };
  bool changed = false;
  for (size_t i = 0; i < pending.size(); ++i) {
    const PendingOp& op = pending[i];
    OpChoice& choice = choices[i];
    if (choice.fate == Fate::kDropped || !op.is_data_op()) continue;
    uint64_t& size = size_of(op.inode);
    if (!op.is_write()) {
      size = op.size;
      continue;
    }
    const TornLayout layout = TornLayout::ForCrash(op, model, durable);
    uint64_t end = op.write_end();
    if (choice.fate == Fate::kTorn) {
      const uint64_t mask =
          CloseOrderedAppend(layout, op, model.sector_bytes, choice.landed_mask, size);
      if (mask != choice.landed_mask) {
        choice.landed_mask = mask;
        choice.forced_by = "ext4-ordered: an append's size never persists ahead of its data";
        changed = true;
      }
      if (!layout.size_landed(mask) && mask != layout.full_mask()) {
        end = 0;
        for (uint64_t unit = 0; unit < layout.unit_count; ++unit) {
          if ((mask >> unit & 1) != 0)
            end = layout.UnitEnd(unit, model.sector_bytes, op.write_end());
        }
      }
    }
    size = std::max(size, end);
  }
  return changed;
}

}  // namespace

uint64_t CloseOrderedAppend(const TornLayout& layout, const PendingOp& write, uint32_t sector_bytes,
                            uint64_t mask, uint64_t size_before) {
  if (layout.size_landed(mask)) return layout.full_mask();  // data before the size
  uint64_t highest = layout.unit_count;
  for (uint64_t unit = 0; unit < layout.unit_count; ++unit) {
    if ((mask >> unit & 1) != 0) highest = unit;
  }
  if (highest == layout.unit_count) return mask;
  for (uint64_t unit = 0; unit < highest; ++unit) {
    if (layout.UnitEnd(unit, sector_bytes, write.write_end()) > size_before) {
      mask |= uint64_t{1} << unit;
    }
  }
  return mask;
}

void ApplyProfileOrder(PersistenceProfile profile, const std::vector<PendingOp>& pending,
                       const Image& durable, const CrashModel& model,
                       std::vector<OpChoice>& choices) {
  assert(choices.size() == pending.size());
  if (model.kind == CrashModelKind::kProcessKill) return;
  if (JournalsMetadataInOrder(profile)) {
    CloseJournalPrefix(pending, durable, model, choices);
    if (OrdersDataBeforeMetadata(profile)) {
      CloseReplacingRenames(pending, durable, model, choices);
      CloseJournalPrefix(pending, durable, model, choices);  // the data brought may hold truncates
    }
  }
  // Data rules, to a fixpoint: each only lands more sectors, so it ends.
  const bool ordered_tears = model.kind == CrashModelKind::kTorn &&
                             model.tear == TearContent::kOld && OrdersDataBeforeMetadata(profile);
  bool changed = true;
  while (changed) {
    changed = ordered_tears && CloseOrderedAppends(pending, durable, model, choices);
    changed = CloseSectorOrder(pending, durable, model, choices) || changed;
  }
}

}  // namespace powercut::faultfs
