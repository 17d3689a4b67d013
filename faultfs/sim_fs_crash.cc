// SimFs beyond the FileSystem interface: the trace (position, pending ops,
// observer), crashes and clones, fault rules, and setup/inspection of the
// durable and visible trees. Crash states are built by crash_builder.cc and
// enumerated by crash_enumerator.cc; this file only locks and forwards.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "crash_builder.h"
#include "crash_space.h"
#include "powercut/faultfs/sim_fs.h"
#include "sim_calls.h"

namespace powercut::faultfs {

uint64_t SimFs::position() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->core.position;
}

std::vector<OpRecord> SimFs::PendingOps() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<OpRecord> records;
  for (const PendingOp& op : state_->core.pending) records.push_back(op.record);
  return records;
}

void SimFs::SetObserver(Observer observer) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->observer = std::make_shared<const Observer>(std::move(observer));
}

Result<std::unique_ptr<CrashStateEnumerator>> SimFs::EnumerateCrashStates(
    const CrashModel& model, const EnumerationBudget& budget) const {
  if (budget.max_states == 0) {
    return Status::InvalidArgument("crash-state budget max_states must be at least 1");
  }
  POWERCUT_RETURN_IF_ERROR(ValidateCrashModel(model));
  std::lock_guard<std::mutex> lock(state_->mu);
  const SimCore& core = state_->core;
  return MakeCrashStateEnumerator(model, core.position,
                                  ChoiceSpace::For(model, core.pending, core.durable), budget);
}

Result<std::unique_ptr<SimFs>> SimFs::Crash(const CrashStateId& id) const {
  std::optional<Result<CrashOutcome>> outcome;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    outcome.emplace(BuildCrashState(state_->core, id));
  }
  if (!outcome->ok()) return outcome->status();
  return std::unique_ptr<SimFs>(new SimFs(std::make_unique<State>(std::move(**outcome).core)));
}

Result<std::vector<PendingOpFate>> SimFs::DescribeCrash(const CrashStateId& id) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  POWERCUT_ASSIGN_OR_RETURN(CrashOutcome outcome, BuildCrashState(state_->core, id));
  return std::move(outcome.fates);
}

std::unique_ptr<SimFs> SimFs::Clone() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  // The observer is not copied: it watches this SimFs, not its copies.
  return std::unique_ptr<SimFs>(
      new SimFs(std::make_unique<State>(state_->core.CopyWithoutHandles())));
}

namespace {

// The file at `path` in `image`, or nullptr.
FileData* MutableFileIn(Image& image, const std::string& path) {
  std::optional<DirEntry> entry = image.Lookup(path);
  if (!entry.has_value() || entry->is_directory || image.file(entry->inode) == nullptr) {
    return nullptr;
  }
  return &image.MutableFile(entry->inode);
}

// Applies one media-damage rule to `file`, if it has the bytes the rule
// names (see fault_rules.h for what each kind does).
bool DamageFile(FileData* file, const FaultRule& rule) {
  if (file == nullptr || rule.offset >= file->size()) return false;
  switch (rule.kind) {
    case FaultKind::kBitFlip:
      file->FlipBit(rule.offset, rule.bit);
      return true;
    case FaultKind::kZeroSector: {
      const uint64_t begin = rule.offset - rule.offset % rule.length;
      file->WriteZeros(begin, std::min(rule.length, file->size() - begin));
      return true;
    }
    case FaultKind::kMisdirect: {
      if (rule.offset + rule.length > file->size() || rule.target + rule.length > file->size()) {
        return false;
      }
      std::string moved(rule.length, '\0');
      file->Read(rule.offset, moved);
      file->WriteZeros(rule.offset, rule.length);
      file->Write(rule.target, moved);
      return true;
    }
    default:
      return false;
  }
}

Status ApplyMediaDamage(SimCore& core, const FaultRule& rule) {
  const std::string kind = rule.ToString().substr(0, rule.ToString().find(':'));
  POWERCUT_RETURN_IF_ERROR(CheckPath(kind, rule.path_glob));
  if (rule.kind == FaultKind::kBitFlip && rule.bit > 7) {
    return Status::InvalidArgument("bitflip: BIT must be 0-7, not " + std::to_string(rule.bit));
  }
  bool damaged_durable = DamageFile(MutableFileIn(core.durable, rule.path_glob), rule);
  bool damaged_visible = DamageFile(MutableFileIn(core.visible, rule.path_glob), rule);
  if (!damaged_durable && !damaged_visible) {
    return Status::InvalidArgument(kind + ": " + rule.path_glob + " has no bytes at offset " +
                                   std::to_string(rule.offset) + " (" + rule.ToString() + ")");
  }
  core.faults.Record(rule, kind, rule.path_glob, core.position);
  return Status::OK();
}

// Adds `name` under directory `parent` in both images, as a durable entry.
void AddDurableEntry(SimCore& core, uint64_t parent, const std::string& name, DirEntry entry) {
  if (entry.is_directory) {
    core.durable.EnsureDir(entry.inode);
    core.visible.EnsureDir(entry.inode);
  }
  core.durable.MutableDir(parent)[name] = entry;
  core.visible.MutableDir(parent)[name] = entry;
}

// mkdir -p of `path` in both images. Returns the directory's inode.
Result<uint64_t> AddDurableDirectories(SimCore& core, std::string_view path) {
  uint64_t current = kRootInode;
  size_t start = 1;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string name(path.substr(start, slash - start));
    const DirEntries* entries = core.visible.dir(current);
    auto it = entries->find(name);
    if (it == entries->end()) {
      DirEntry entry{core.next_inode++, true};
      AddDurableEntry(core, current, name, entry);
      current = entry.inode;
    } else if (it->second.is_directory) {
      current = it->second.inode;
    } else {
      return Status::InvalidArgument(std::string(path.substr(0, slash)) +
                                     " is a file, not a directory");
    }
    start = slash + 1;
  }
  return current;
}

}  // namespace

Status SimFs::AddFaultRule(const FaultRule& rule) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (IsMediaDamage(rule.kind)) return ApplyMediaDamage(state_->core, rule);
  return state_->core.faults.Add(rule);
}

void SimFs::ClearFaultRules() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->core.faults.Clear();
}

std::vector<FiredFault> SimFs::FiredFaults() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->core.faults.fired();
}

Status SimFs::AddDurableFile(std::string_view path, std::string_view contents) {
  std::lock_guard<std::mutex> lock(state_->mu);
  SimCore& core = state_->core;
  POWERCUT_RETURN_IF_ERROR(CheckPath("add durable file", path));
  if (path == "/") return Status::InvalidArgument("add durable file: / is a directory");
  POWERCUT_ASSIGN_OR_RETURN(uint64_t parent, AddDurableDirectories(core, ParentPath(path)));
  std::string name = BaseName(path);
  if (core.visible.dir(parent)->count(name) != 0) {
    return Status::FromErrno("add durable file", path, EEXIST);
  }
  uint64_t inode = core.next_inode++;
  core.durable.MutableFile(inode).Write(0, contents);
  core.visible.ShareFileFrom(core.durable, inode);
  AddDurableEntry(core, parent, name, DirEntry{inode, false});
  return Status::OK();
}

Status SimFs::AddDurableDirectory(std::string_view path) {
  std::lock_guard<std::mutex> lock(state_->mu);
  POWERCUT_RETURN_IF_ERROR(CheckPath("add durable directory", path));
  return AddDurableDirectories(state_->core, path).status();
}

std::map<std::string, std::string> SimFs::DumpVisible() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->core.visible.Dump();
}

std::map<std::string, std::string> SimFs::DumpDurable() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->core.durable.Dump();
}

ContentDigest SimFs::Digest() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  const SimCore& core = state_->core;
  DigestBuilder digest;
  core.durable.AddToDigest(digest);
  // Pending operations survive a process-kill: what the engine reads (the
  // visible tree) then differs from what a power cut would leave.
  digest.AddNumber(core.pending.empty() ? 0 : 1);
  if (!core.pending.empty()) core.visible.AddToDigest(digest);
  return digest.digest();
}

void DigestBuilder::AddBytes(std::string_view bytes) {
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    AddNumber(word);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  AddNumber(tail);
  AddNumber(bytes.size());  // keeps ("ab", "c") apart from ("a", "bc")
}

void DigestBuilder::AddNumber(uint64_t n) {
  a_ = (a_ ^ n) * 0x9e3779b97f4a7c15ULL;
  a_ ^= a_ >> 29;
  b_ = (b_ + n) * 0xc2b2ae3d27d4eb4fULL;
  b_ = (b_ << 31) | (b_ >> 33);
}

}  // namespace powercut::faultfs
