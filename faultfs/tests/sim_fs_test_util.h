// Small helpers shared by the SimFs tests (sim_fs_*_test.cc): write a file in
// one call, read one back, crash under a named model, collect every crash
// state an enumerator yields. Kept tiny so each test still reads as
// "load -> sync -> cut power -> reopen -> verify".
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/faultfs/sim_fs.h"

namespace powercut::faultfs::testing {

inline ::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}
template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

// Opens (creating if needed), writes `contents` at offset 0, optionally
// fsyncs, closes.
inline void WriteFile(SimFs& fs, std::string_view path, std::string_view contents,
                      bool sync = false) {
  Result<FileHandle> file = fs.Open(path, OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file)) << path;
  Result<size_t> written = fs.Write(*file, 0, contents);
  ASSERT_TRUE(IsOk(written)) << path;
  ASSERT_EQ(*written, contents.size());
  if (sync) {
    ASSERT_TRUE(IsOk(fs.Sync(*file))) << path;
  }
  ASSERT_TRUE(IsOk(fs.Close(*file))) << path;
}

// Appends `contents`, optionally fsyncs.
inline void AppendFile(SimFs& fs, std::string_view path, std::string_view contents,
                       bool sync = false) {
  Result<FileHandle> file = fs.Open(path, OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file)) << path;
  ASSERT_TRUE(IsOk(fs.Append(*file, contents))) << path;
  if (sync) {
    ASSERT_TRUE(IsOk(fs.Sync(*file))) << path;
  }
  ASSERT_TRUE(IsOk(fs.Close(*file))) << path;
}

inline void SyncFile(SimFs& fs, std::string_view path) {
  Result<FileHandle> file = fs.Open(path, OpenOptions::ReadOnly());
  ASSERT_TRUE(IsOk(file)) << path;
  ASSERT_TRUE(IsOk(fs.Sync(*file))) << path;
  ASSERT_TRUE(IsOk(fs.Close(*file))) << path;
}

// The contents of `path`, or "<missing>" if it does not exist.
inline std::string Contents(SimFs& fs, std::string_view path) {
  Result<std::string> contents = ReadFileToString(fs, path);
  if (contents.status().IsNotFound()) return "<missing>";
  EXPECT_TRUE(IsOk(contents)) << path;
  return contents.ok() ? *contents : "<error>";
}

inline CrashModel Model(std::string_view name) {
  Result<CrashModel> model = CrashModel::Parse(name);
  EXPECT_TRUE(IsOk(model)) << name;
  return model.ok() ? *model : CrashModel{};
}

// The one state of a single-state model (or the id with no choices).
inline std::unique_ptr<SimFs> CrashUnder(const SimFs& fs, std::string_view model_name) {
  CrashStateId id{Model(model_name), fs.position(), {}};
  Result<std::unique_ptr<SimFs>> crashed = fs.Crash(id);
  EXPECT_TRUE(IsOk(crashed)) << model_name;
  return crashed.ok() ? std::move(crashed).value() : nullptr;
}

inline std::vector<CrashStateId> AllIds(const SimFs& fs, const CrashModel& model,
                                        EnumerationBudget budget = {.max_states = 1 << 16,
                                                                    .seed = 0}) {
  std::vector<CrashStateId> ids;
  auto enumerator = fs.EnumerateCrashStates(model, budget);
  EXPECT_TRUE(IsOk(enumerator));
  if (!enumerator.ok()) return ids;
  while (auto id = (*enumerator)->Next()) ids.push_back(*id);
  return ids;
}

// The visible tree of every crash state of `model`.
inline std::vector<std::map<std::string, std::string>> AllStates(const SimFs& fs,
                                                                 std::string_view model_name) {
  std::vector<std::map<std::string, std::string>> states;
  for (const CrashStateId& id : AllIds(fs, Model(model_name))) {
    Result<std::unique_ptr<SimFs>> crashed = fs.Crash(id);
    EXPECT_TRUE(IsOk(crashed)) << id.ToString();
    if (crashed.ok()) states.push_back((*crashed)->DumpVisible());
  }
  return states;
}

}  // namespace powercut::faultfs::testing
