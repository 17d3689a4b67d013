// SimFs properties (rapidcheck): for random sequences of writes, truncates,
// syncs, unlinks and renames over a small tree,
//   - what SimFs shows equals a plain reference model (path -> inode ->
//     bytes);
//   - process-kill yields exactly the visible state (and keeps it pending);
//   - power-loss yields exactly the state at the last syncs, which the model
//     tracks with the persistence rules in their simplest form (a synced
//     file's bytes, a synced directory's names);
//   - every crash state rebuilt from its id (or its printed id) is
//     byte-identical, and enumeration never yields an id twice.
// A failing case shrinks to a short op list printed by showValue.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <ostream>
#include <set>

#include "powercut/faultfs/sim_fs.h"

namespace powercut::faultfs {
namespace {

constexpr std::array<const char*, 4> kPaths = {"/a", "/b", "/d/x", "/d/y"};
// Renames stay inside one directory: a <-> b, x <-> y.
int Sibling(int path) { return path ^ 1; }
const char* DirOf(int path) { return path < 2 ? "/" : "/d"; }

struct OpSpec {
  int kind = 0;  // 0-2 write, 3 truncate, 4 sync, 5 syncdir, 6 syncall, 7 unlink, 8 rename
  int path = 0;
  int offset = 0;
  std::string data;
};

void showValue(const OpSpec& op, std::ostream& os) {
  static constexpr const char* kNames[] = {"write",   "write",   "write",  "truncate", "sync",
                                           "syncdir", "syncall", "unlink", "rename"};
  os << kNames[op.kind] << " " << kPaths[op.path];
  if (op.kind <= 2) os << " @" << op.offset << " \"" << op.data << "\"";
  if (op.kind == 3) os << " to " << op.offset;
  if (op.kind == 5) os << " (dir " << DirOf(op.path) << ")";
  if (op.kind == 8) os << " -> " << kPaths[Sibling(op.path)];
}

// The reference: names map to inodes, inodes to bytes; durable copies of both.
struct ReferenceModel {
  std::map<std::string, int> visible_names, durable_names;
  std::map<int, std::string> visible_data, durable_data;
  int next_inode = 1;

  std::map<std::string, std::string> Tree(const std::map<std::string, int>& names,
                                          const std::map<int, std::string>& data) const {
    std::map<std::string, std::string> tree{{"/d/", ""}};
    for (const auto& [path, inode] : names) {
      auto it = data.find(inode);
      tree[path] = it == data.end() ? "" : it->second;
    }
    return tree;
  }
  std::map<std::string, std::string> Visible() const { return Tree(visible_names, visible_data); }
  std::map<std::string, std::string> Durable() const { return Tree(durable_names, durable_data); }
};

// Applies `op` to both; returns false (and RC-fails) if SimFs refused it.
void Apply(const OpSpec& op, SimFs& fs, ReferenceModel& model) {
  std::string path = kPaths[op.path];
  bool exists = model.visible_names.count(path) != 0;
  if (op.kind <= 3) {
    if (op.kind == 3 && !exists) return;
    auto file = fs.Open(path, OpenOptions::ReadWriteCreate());
    RC_ASSERT(file.ok());
    if (!exists) {
      model.visible_names[path] = model.next_inode;
      model.visible_data[model.next_inode++] = "";
    }
    std::string& bytes = model.visible_data[model.visible_names[path]];
    if (op.kind <= 2) {
      RC_ASSERT(fs.Write(*file, op.offset, op.data).value_or(0) == op.data.size());
      if (!op.data.empty()) {
        bytes.resize(std::max(bytes.size(), op.offset + op.data.size()), '\0');
        bytes.replace(op.offset, op.data.size(), op.data);
      }
    } else {
      RC_ASSERT(fs.Truncate(*file, op.offset).ok());
      bytes.resize(op.offset, '\0');
    }
    RC_ASSERT(fs.Close(*file).ok());
  } else if (op.kind == 4 && exists) {
    auto file = fs.Open(path, OpenOptions::ReadOnly());
    RC_ASSERT(file.ok() && fs.Sync(*file).ok() && fs.Close(*file).ok());
    int inode = model.visible_names[path];
    model.durable_data[inode] = model.visible_data[inode];
  } else if (op.kind == 5) {
    RC_ASSERT(fs.SyncDir(DirOf(op.path)).ok());
    for (int i = 0; i < 4; ++i) {
      if (std::string(DirOf(i)) != DirOf(op.path)) continue;
      auto it = model.visible_names.find(kPaths[i]);
      if (it == model.visible_names.end()) {
        model.durable_names.erase(kPaths[i]);
      } else {
        model.durable_names[kPaths[i]] = it->second;
      }
    }
  } else if (op.kind == 6) {
    RC_ASSERT(fs.SyncAll().ok());
    model.durable_names = model.visible_names;
    for (const auto& [inode, bytes] : model.visible_data) model.durable_data[inode] = bytes;
  } else if (op.kind == 7 && exists) {
    RC_ASSERT(fs.Unlink(path).ok());
    model.visible_names.erase(path);
  } else if (op.kind == 8 && exists) {
    RC_ASSERT(fs.Rename(path, kPaths[Sibling(op.path)]).ok());
    model.visible_names[kPaths[Sibling(op.path)]] = model.visible_names[path];
    model.visible_names.erase(path);
  }
}

rc::Gen<std::vector<OpSpec>> GenOps() {
  return rc::gen::container<std::vector<OpSpec>>(rc::gen::build<OpSpec>(
      rc::gen::set(&OpSpec::kind, rc::gen::inRange(0, 9)),
      rc::gen::set(&OpSpec::path, rc::gen::inRange(0, 4)),
      rc::gen::set(&OpSpec::offset, rc::gen::inRange(0, 12)),
      rc::gen::set(&OpSpec::data, rc::gen::resize(8, rc::gen::container<std::string>(
                                                         rc::gen::inRange('a', 'f'))))));
}

// A SimFs (with a durable /d) after `ops`, and the model beside it.
std::unique_ptr<SimFs> Run(const std::vector<OpSpec>& ops, ReferenceModel& model) {
  auto fs = std::make_unique<SimFs>();
  RC_ASSERT(fs->AddDurableDirectory("/d").ok());
  for (const OpSpec& op : ops) Apply(op, *fs, model);
  return fs;
}

std::unique_ptr<SimFs> CrashOrFail(const SimFs& fs, const CrashStateId& id) {
  auto crashed = fs.Crash(id);
  RC_ASSERT(crashed.ok());
  return std::move(crashed).value();
}

RC_GTEST_PROP(SimFsProperty, VisibleContentsEqualTheReferenceModel, ()) {
  ReferenceModel model;
  auto fs = Run(*GenOps(), model);
  RC_ASSERT(fs->DumpVisible() == model.Visible());
}

RC_GTEST_PROP(SimFsProperty, ProcessKillYieldsTheVisibleStateStillPending, ()) {
  ReferenceModel model;
  auto fs = Run(*GenOps(), model);
  auto killed = CrashOrFail(*fs, {CrashModel{CrashModelKind::kProcessKill}, fs->position(), {}});
  RC_ASSERT(killed->DumpVisible() == fs->DumpVisible());
  RC_ASSERT(killed->DumpDurable() == fs->DumpDurable());
  RC_ASSERT(killed->PendingOps().size() == fs->PendingOps().size());
}

RC_GTEST_PROP(SimFsProperty, PowerLossYieldsExactlyTheStateAtTheLastSyncs, ()) {
  ReferenceModel model;
  auto fs = Run(*GenOps(), model);
  RC_ASSERT(fs->DumpDurable() == model.Durable());
  auto crashed = CrashOrFail(*fs, {CrashModel{CrashModelKind::kPowerLoss}, fs->position(), {}});
  RC_ASSERT(crashed->DumpVisible() == model.Durable());
  RC_ASSERT(crashed->DumpDurable() == model.Durable());
  RC_ASSERT(crashed->PendingOps().empty());
}

const std::vector<CrashModel>& ModelsWithChoices() {
  static const std::vector<CrashModel> models = {{CrashModelKind::kPrefix},
                                                 {CrashModelKind::kPerFilePrefix},
                                                 {CrashModelKind::kReorder},
                                                 {CrashModelKind::kTorn, 512, TearContent::kJunk},
                                                 {CrashModelKind::kTorn, 4096, TearContent::kOld},
                                                 {CrashModelKind::kZeroTail}};
  return models;
}

RC_GTEST_PROP(SimFsProperty, EveryCrashStateRebuildsByteIdenticallyFromItsId, ()) {
  ReferenceModel model;
  auto fs = Run(*GenOps(), model);
  CrashModel crash_model = *rc::gen::elementOf(ModelsWithChoices());
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  auto enumerator = fs->EnumerateCrashStates(crash_model, {.max_states = 8, .seed = seed});
  RC_ASSERT(enumerator.ok());
  while (auto id = (*enumerator)->Next()) {
    auto first = CrashOrFail(*fs, *id);
    auto parsed = CrashStateId::Parse(id->ToString());
    RC_ASSERT(parsed.ok());
    auto again = CrashOrFail(*fs, *parsed);
    RC_ASSERT(first->DumpVisible() == again->DumpVisible());
    RC_ASSERT(first->DumpVisible() == first->DumpDurable());
  }
}

RC_GTEST_PROP(SimFsProperty, EnumerationNeverYieldsAnIdTwice, ()) {
  ReferenceModel model;
  auto fs = Run(*GenOps(), model);
  CrashModel crash_model = *rc::gen::elementOf(ModelsWithChoices());
  uint64_t max_states = *rc::gen::inRange<uint64_t>(1, 64);
  auto enumerator = fs->EnumerateCrashStates(crash_model, {.max_states = max_states, .seed = 1});
  RC_ASSERT(enumerator.ok());
  std::set<std::vector<uint64_t>> seen;
  while (auto id = (*enumerator)->Next()) RC_ASSERT(seen.insert(id->choices).second);
  uint64_t space = (*enumerator)->state_space();
  RC_ASSERT(seen.size() == std::min(space, max_states));
  RC_ASSERT((*enumerator)->exhaustive() == (space <= max_states));
}

}  // namespace
}  // namespace powercut::faultfs
