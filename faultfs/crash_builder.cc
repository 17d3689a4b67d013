// The crash builder (see crash_builder.h).
//
// Method. Every model but process-kill is a *power-loss-family* crash: start
// from a copy of the durable image (cheap: copy-on-write) and apply, in issue
// order, the pending ops the id chooses to persist — whole, torn (some sector
// units land, the rest hold the tear content) or, for zero-tail, as a size
// change only. The result is both the new durable and the new visible image,
// with nothing pending: after a power cut the page cache is empty. Inodes no
// name reaches any more (files whose create was lost) are dropped.
// Process-kill loses nothing: the new state is the old one (visible, durable
// and pending alike) without its handles and locks.
// Every crash state keeps the source's position, fault rules (with their
// counters) and fired-fault log: recovery on it continues the same trace, so
// a crash inside recovery is named by a later position.
// Bytes outside a torn write are never touched, even inside a sector it
// shares (the power-safe-overwrite property SQLite calls
// SQLITE_IOCAP_POWERSAFE_OVERWRITE): a crash damages only unsynced data.
#include "crash_builder.h"

#include <cassert>
#include <string>

namespace powercut::faultfs {
namespace {

Status CheckIdFits(const SimCore& core, const CrashStateId& id, const ChoiceSpace& space) {
  std::string name = id.ToString();
  if (id.position != core.position) {
    return Status::InvalidArgument(
        "crash state " + name + " is for position " + std::to_string(id.position) +
        ", but this SimFs is at position " + std::to_string(core.position));
  }
  if (id.choices.size() != space.digit_count()) {
    return Status::InvalidArgument(
        "crash state " + name + " has " + std::to_string(id.choices.size()) + " choices, but " +
        id.model.Name() + " over the " + std::to_string(core.pending.size()) +
        " pending operations at position " + std::to_string(core.position) + " needs " +
        std::to_string(space.digit_count()));
  }
  for (size_t digit = 0; digit < id.choices.size(); ++digit) {
    if (!space.DigitFits(digit, id.choices[digit])) {
      return Status::InvalidArgument("crash state " + name + ": choice #" + std::to_string(digit) +
                                     " = " + std::to_string(id.choices[digit]) +
                                     " is out of range for its pending operation or stream");
    }
  }
  return Status::OK();
}

std::vector<OpChoice> ChoicesFor(const CrashStateId& id, const ChoiceSpace& space,
                                 const std::vector<PendingOp>& pending) {
  using Fate = PendingOpFate::Fate;
  std::vector<OpChoice> choices(pending.size());
  for (size_t i = 0; i < pending.size(); ++i) {
    bool persisted = false;
    switch (id.model.kind) {
      case CrashModelKind::kPrefix:
        persisted = i < id.choices[0];
        break;
      case CrashModelKind::kPerFilePrefix:
        persisted = space.index_in_stream(i) < id.choices[space.stream_of(i)];
        break;
      case CrashModelKind::kReorder:
      case CrashModelKind::kTorn:
        persisted = id.choices[i] != 0;
        break;
      default:  // power-loss persists nothing; zero-tail is applied on its own
        break;
    }
    if (!persisted) continue;
    choices[i].fate = Fate::kPersisted;
    if (id.model.kind == CrashModelKind::kTorn && pending[i].is_write()) {
      choices[i].fate = Fate::kTorn;
      choices[i].landed_mask = id.choices[i] - 1;
    }
  }
  return choices;
}

std::string_view TearName(TearContent tear) {
  switch (tear) {
    case TearContent::kOld:
      return "old bytes";
    case TearContent::kNew:
      return "torn inside (first half new, second half old)";
    case TearContent::kZeros:
      return "zeros";
    case TearContent::kJunk:
      return "junk";
  }
  return "?";
}

// "sectors 0,2 of 8 landed; rest zeros" (sectors counted from the write's
// first one).
std::string DescribeLanded(const TornLayout& layout, uint64_t mask, TearContent tear) {
  if (mask == layout.full_mask()) {
    return "all " + std::to_string(layout.sector_count) + " sectors landed";
  }
  std::string size;
  if (layout.size_bit) {
    size = layout.size_landed(mask) ? "; the new size persisted: sectors past the old end that "
                                      "did not land read as zeros"
                                    : "; the new size did not persist past the landed sectors";
  }
  std::string list;
  for (uint64_t unit = 0; unit < layout.unit_count; ++unit) {
    if ((mask >> unit & 1) == 0) continue;
    uint64_t first = unit * layout.sectors_per_unit;
    uint64_t last = std::min((unit + 1) * layout.sectors_per_unit, layout.sector_count) - 1;
    if (!list.empty()) list += ",";
    list += std::to_string(first);
    if (last != first) list += "-" + std::to_string(last);
  }
  std::string of = " of " + std::to_string(layout.sector_count);
  std::string units =
      layout.sectors_per_unit == 1
          ? ""
          : " (in units of " + std::to_string(layout.sectors_per_unit) + " sectors)";
  if (list.empty())
    return "no sector" + of + " landed" + units + "; all " + std::string(TearName(tear)) + size;
  return "sectors " + list + of + " landed" + units + "; rest " + std::string(TearName(tear)) +
         size;
}

// Deterministic garbage for the bytes at [offset, offset+length).
std::string JunkBytes(uint64_t seed, uint64_t offset, uint64_t length) {
  std::string junk(length, '\0');
  for (uint64_t i = 0; i < length; ++i) {
    uint64_t at = offset + i;
    uint64_t word = SplitMix64(seed ^ SplitMix64(at / 8));
    junk[i] = static_cast<char>(word >> (8 * (at % 8)));
  }
  return junk;
}

// Fills the part [begin, end) of a write that did not land with the tear.
void ApplyTear(FileData& file, const PendingOp& op, uint64_t begin, uint64_t end,
               const CrashModel& model, uint64_t junk_seed) {
  switch (model.tear) {
    case TearContent::kOld:
      break;  // the bytes that were there stay (zeros past the old end)
    case TearContent::kZeros:
      file.WriteZeros(begin, end - begin);
      break;
    case TearContent::kJunk:
      file.Write(begin, JunkBytes(junk_seed, begin, end - begin));
      break;
    case TearContent::kNew:
      // Each sector is torn inside: the first half of its part of the write
      // holds the new bytes, the rest the old ones.
      for (uint64_t at = begin; at < end;) {
        uint64_t sector_end = std::min(end, (at / model.sector_bytes + 1) * model.sector_bytes);
        uint64_t half = (sector_end - at) / 2;
        file.Write(at, std::string_view(*op.data).substr(at - op.record.offset, half));
        at = sector_end;
      }
      break;
  }
}

// The file's size after a torn write. Under the in-sector and zeros tears the
// size lands with the write. Under `old` (sector-atomic, the default) the
// size covers what landed and no more: a sector past the durable end that did
// not land is a hole of zeros when a later sector of the write landed, and is
// absent (the file ends sooner) when none did. Zeros past the end with the
// size persisted and no data is zero-tail's state, not a tear.
uint64_t SizeAfterTear(const TornLayout& layout, const PendingOp& op, uint64_t mask,
                       const CrashModel& model) {
  if (model.tear != TearContent::kOld || layout.size_landed(mask)) return op.write_end();
  uint64_t end = 0;
  for (uint64_t unit = 0; unit < layout.unit_count; ++unit) {
    if ((mask >> unit & 1) != 0) end = layout.UnitEnd(unit, model.sector_bytes, op.write_end());
  }
  return end;
}

std::string ApplyTornWrite(Image& image, const TornLayout& layout, const PendingOp& op,
                           uint64_t mask, const CrashModel& model, uint64_t junk_seed) {
  FileData& file = image.MutableFile(op.inode);
  uint64_t offset = op.record.offset;
  uint64_t size = SizeAfterTear(layout, op, mask, model);
  if (size > file.size()) file.Resize(size);
  for (uint64_t unit = 0; unit < layout.unit_count; ++unit) {
    uint64_t begin = layout.UnitBegin(unit, model.sector_bytes, offset);
    uint64_t end = layout.UnitEnd(unit, model.sector_bytes, op.write_end());
    if ((mask >> unit & 1) != 0) {
      file.Write(begin, std::string_view(*op.data).substr(begin - offset, end - begin));
    } else if (begin < file.size()) {
      ApplyTear(file, op, begin, std::min(end, file.size()), model, junk_seed);
    }
  }
  return DescribeLanded(layout, mask, model.tear);
}

// zero-tail: names and sizes persist, written bytes do not. Under a profile
// that orders data before the size (ext4-ordered) no size persists ahead of
// its data: an append is lost whole.
PendingOpFate ApplyZeroTail(Image& image, const PendingOp& op, PersistenceProfile profile) {
  using Fate = PendingOpFate::Fate;
  if (!op.is_write()) {
    ApplyOp(image, op);
    return PendingOpFate{op.record, Fate::kPersisted, ""};
  }
  FileData& file = image.MutableFile(op.inode);
  if (op.write_end() <= file.size()) {
    return PendingOpFate{op.record, Fate::kDropped, "overwrite lost: the old bytes remain"};
  }
  if (OrdersDataBeforeMetadata(profile)) {
    return PendingOpFate{op.record, Fate::kDropped,
                         "append lost whole: ext4-ordered never persists a size ahead of its "
                         "data"};
  }
  std::string detail = "size " + std::to_string(file.size()) + " -> " +
                       std::to_string(op.write_end()) + " persisted; data lost: zeros read back";
  file.Resize(op.write_end());
  return PendingOpFate{op.record, Fate::kTorn, detail};
}

uint64_t JunkSeed(const CrashStateId& id) {
  uint64_t seed = SplitMix64(id.position ^ 0x6a756e6b);  // "junk"
  seed = SplitMix64(seed ^ (uint64_t{id.model.sector_bytes} << 8 | uint8_t(id.model.tear)));
  for (uint64_t choice : id.choices) seed = SplitMix64(seed ^ choice);
  return seed;
}

}  // namespace

Status ValidateCrashModel(const CrashModel& model) {
  if (model.kind == CrashModelKind::kTorn && model.sector_bytes != 512 &&
      model.sector_bytes != 4096) {
    return Status::InvalidArgument("torn crash model needs 512- or 4096-byte sectors, not " +
                                   std::to_string(model.sector_bytes));
  }
  return Status::OK();
}

Result<CrashOutcome> BuildCrashState(const SimCore& core, const CrashStateId& id) {
  POWERCUT_RETURN_IF_ERROR(ValidateCrashModel(id.model));
  ChoiceSpace space = ChoiceSpace::For(id.model, core.pending, core.durable);
  POWERCUT_RETURN_IF_ERROR(CheckIdFits(core, id, space));
  CrashOutcome outcome;
  if (id.model.kind == CrashModelKind::kProcessKill) {
    outcome.core = core.CopyWithoutHandles();
    for (const PendingOp& op : core.pending) {
      outcome.fates.push_back({op.record, PendingOpFate::Fate::kPersisted,
                               "survives in the page cache; still pending"});
    }
    return outcome;
  }
  std::vector<OpChoice> choices = ChoicesFor(id, space, core.pending);
  ApplyProfileOrder(core.options.profile, core.pending, core.durable, id.model, choices);
  uint64_t junk_seed = JunkSeed(id);
  Image image = core.durable;
  for (size_t i = 0; i < core.pending.size(); ++i) {
    const PendingOp& op = core.pending[i];
    PendingOpFate fate{op.record, choices[i].fate, ""};
    if (id.model.kind == CrashModelKind::kZeroTail) {
      fate = ApplyZeroTail(image, op, core.options.profile);
    } else if (fate.fate == PendingOpFate::Fate::kPersisted) {
      ApplyOp(image, op);
    } else if (fate.fate == PendingOpFate::Fate::kTorn) {
      const TornLayout layout = TornLayout::ForCrash(op, id.model, core.durable);
      const uint64_t mask = choices[i].landed_mask;  // closed by ApplyProfileOrder
      fate.detail = ApplyTornWrite(image, layout, op, mask, id.model, SplitMix64(junk_seed ^ i));
      if (mask == layout.full_mask()) {
        fate.fate = PendingOpFate::Fate::kPersisted;  // every sector landed
      }
    }
    if (!choices[i].forced_by.empty()) {
      fate.detail += (fate.detail.empty() ? "" : "; ") + std::string("forced by the profile (") +
                     choices[i].forced_by + ")";
    }
    outcome.fates.push_back(std::move(fate));
  }
  image.CollectGarbage({});
  SimCore& next = outcome.core;
  next.options = core.options;
  next.durable = image;
  next.visible = std::move(image);
  next.faults = core.faults;
  next.position = core.position;
  next.next_inode = core.next_inode;
  next.next_handle = core.next_handle;
  next.next_lock = core.next_lock;
  return outcome;
}

}  // namespace powercut::faultfs
