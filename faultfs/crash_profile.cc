// The crash-time rules of file-system profiles (see profile.h and
// ApplyProfileOrder in crash_builder.h). Method: the crash-state id chooses
// freely, as the crash model allows; these rules then *close* the choice
// under what the profile promises, by persisting more, never less. So every
// state is one the model allows and the profile can leave, ids stay one digit
// layout for every profile, and two ids may name one state (the explorers
// judge each distinct image once, by digest).
#include <cassert>

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
  if (!JournalsMetadataInOrder(profile) || model.kind == CrashModelKind::kProcessKill) return;
  CloseJournalPrefix(pending, durable, model, choices);
  if (!OrdersDataBeforeMetadata(profile)) return;
  CloseReplacingRenames(pending, durable, model, choices);
  CloseJournalPrefix(pending, durable, model, choices);  // the data brought may hold truncates
}

}  // namespace powercut::faultfs
