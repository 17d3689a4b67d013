// Helpers for the mutant wiring tests (mutant_test.cc, mutant_recovery_test.cc):
// open a database on SimFs with one mutant, look at its pending operations and
// files, record the file operations of one step, cut the power. The tests
// only show that each switch is wired (the mutant's file operations or
// recovery differ from the correct engine's in the one way it names);
// catching the bug is the crash-test matrix's job.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::engine::testing {

inline constexpr std::string_view kMutantDbPath = "/db";

inline Result<std::unique_ptr<DB>> OpenWithMutant(faultfs::SimFs& fs, Mutant mutant,
                                                  size_t write_buffer_bytes = 4 << 20) {
  Options options;
  options.mutant = mutant;
  options.write_buffer_bytes = write_buffer_bytes;
  return DB::Open(options, kMutantDbPath, &fs);
}

inline bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The visible files whose path ends in `suffix` (".log", ".sst", "CURRENT"), sorted.
inline std::vector<std::string> FilesEndingIn(const faultfs::SimFs& fs, std::string_view suffix) {
  std::vector<std::string> paths;
  for (const auto& [path, contents] : fs.DumpVisible()) {
    if (EndsWith(path, suffix)) paths.push_back(path);
  }
  return paths;
}

// The visible contents of the only file ending in `suffix` ("" and a test
// failure if there is not exactly one).
inline std::string OnlyFileEndingIn(const faultfs::SimFs& fs, std::string_view suffix) {
  const std::vector<std::string> paths = FilesEndingIn(fs, suffix);
  EXPECT_EQ(paths.size(), 1u) << "files ending in " << suffix;
  return paths.size() == 1 ? fs.DumpVisible().at(paths[0]) : std::string();
}

// Whether an operation of `kind` on a path ending in `suffix` is pending.
inline bool HasPending(const faultfs::SimFs& fs, faultfs::OpKind kind, std::string_view suffix) {
  for (const faultfs::OpRecord& op : fs.PendingOps()) {
    if (op.kind == kind && (EndsWith(op.path, suffix) || EndsWith(op.path2, suffix))) return true;
  }
  return false;
}

// The operations SimFs performs while `step` runs.
inline std::vector<faultfs::OpRecord> RecordOps(faultfs::SimFs& fs,
                                                const std::function<void()>& step) {
  std::vector<faultfs::OpRecord> ops;
  fs.SetObserver([&ops](const faultfs::OpRecord& op) { ops.push_back(op); });
  step();
  fs.SetObserver(nullptr);
  return ops;
}

// Index of the first op at or after `from` of `kind` whose path (or rename
// target) ends in `suffix`, or ops.size() if none.
inline size_t FirstOp(const std::vector<faultfs::OpRecord>& ops, faultfs::OpKind kind,
                      std::string_view suffix, size_t from = 0) {
  for (size_t i = from; i < ops.size(); ++i) {
    if (ops[i].kind == kind && (EndsWith(ops[i].path, suffix) || EndsWith(ops[i].path2, suffix))) {
      return i;
    }
  }
  return ops.size();
}

// One kind of operation on paths ending in `suffix`.
struct OpMatch {
  faultfs::OpKind kind;
  std::string_view suffix;
};

// Whether the first `first` op comes before the first `second` op at or
// after `from` (both must occur).
inline bool ComesBefore(const std::vector<faultfs::OpRecord>& ops, OpMatch first, OpMatch second,
                        size_t from = 0) {
  const size_t a = FirstOp(ops, first.kind, first.suffix, from);
  const size_t b = FirstOp(ops, second.kind, second.suffix, from);
  EXPECT_LT(a, ops.size()) << "no " << faultfs::OpKindName(first.kind) << " of *" << first.suffix;
  EXPECT_LT(b, ops.size()) << "no " << faultfs::OpKindName(second.kind) << " of *" << second.suffix;
  return a < b;
}

// The file system after a power cut now: no pending operation persists.
inline std::unique_ptr<faultfs::SimFs> PowerCut(const faultfs::SimFs& fs) {
  auto model = faultfs::CrashModel::Parse("power-loss");
  EXPECT_TRUE(model.ok());
  auto states = fs.EnumerateCrashStates(*model, faultfs::EnumerationBudget{});
  EXPECT_TRUE(states.ok());
  std::optional<faultfs::CrashStateId> id = (*states)->Next();
  EXPECT_TRUE(id.has_value());
  auto crashed = fs.Crash(*id);
  EXPECT_TRUE(crashed.ok()) << crashed.status().ToString();
  return std::move(*crashed);
}

inline void AddRule(faultfs::SimFs& fs, std::string_view text) {
  auto rule = faultfs::FaultRule::Parse(text);
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  ASSERT_TRUE(fs.AddFaultRule(*rule).ok());
}

}  // namespace powercut::engine::testing
