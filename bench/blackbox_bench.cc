// Where a black-box crash state's time goes. `powercut blackbox` judges each
// crash state in three steps: SimFs builds the state (cheap, in memory), the
// runner materialises it as a real directory, and the user's checker runs
// there as a new process. These benchmarks time the last two on their own:
//   BM_BlackboxMaterialise/files:F/kib:K/with_rm:R
//                                          write a dump of F files holding K
//                                          KiB in all into a fresh directory
//                                          (one state's filesystem work); with
//                                          R = 1 the removal of the directory
//                                          is timed too
//   BM_BlackboxChecker/true                spawn `/bin/sh -c true` with
//                                          captured stdout/stderr: the floor
//                                          of any checker
//   BM_BlackboxChecker/sqlite3             the sqlite3 example's check.sh on
//                                          a small database (4 keys)
// Items are crash states; times are wall-clock (UseRealTime), since the
// work is in the kernel and in child processes. The end-to-end rate (`powercut blackbox` with -j 2)
// comes from bench/blackbox_bench.sh; docs/performance.md puts them together.
#include <benchmark/benchmark.h>

#ifdef POWERCUT_HAVE_BLACKBOX

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "image.h"
#include "powercut/status.h"
#include "process.h"

namespace powercut::bench {
namespace {

using blackbox::CheckerRun;
using blackbox::CommandSpec;

// F files of equal size under one subdirectory, K KiB in all.
std::map<std::string, std::string> SyntheticDump(int files, int kib) {
  std::map<std::string, std::string> dump;
  dump["/db/"] = "";
  const size_t each = static_cast<size_t>(kib) * 1024 / static_cast<size_t>(files);
  for (int i = 0; i < files; ++i) {
    dump["/db/file" + std::to_string(i)] = std::string(each, static_cast<char>('a' + i % 26));
  }
  return dump;
}

std::string FreshDirectory(benchmark::State& state) {
  Result<std::string> dir = blackbox::MakeTempDirectory();
  if (!dir.ok()) state.SkipWithError(dir.status().ToString().c_str());
  return dir.ok() ? *dir : std::string();
}

// range(2): 1 times the removal of the image too, 0 only its writing.
void BM_BlackboxMaterialise(benchmark::State& state) {
  const bool remove_in_timing = state.range(2) != 0;
  const std::map<std::string, std::string> dump =
      SyntheticDump(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const std::string parent = FreshDirectory(state);
  int64_t states = 0;
  for (auto _ : state) {
    const std::string image = parent + "/image";
    std::filesystem::create_directory(image);
    Status status = blackbox::MaterialiseImage(dump, image);
    if (!remove_in_timing) state.PauseTiming();
    if (status.ok()) status = blackbox::RemoveTree(image);
    if (!remove_in_timing) state.ResumeTiming();
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    ++states;
  }
  state.SetItemsProcessed(states);
  (void)blackbox::RemoveTree(parent);
}

// Runs `command` in `dir` with POWERCUT_IMAGE=dir, as the runner runs a checker.
void RunCheckerLoop(benchmark::State& state, const std::string& command, const std::string& dir) {
  CommandSpec spec;
  spec.command = command;
  spec.cwd = dir;
  spec.env = {{"POWERCUT_IMAGE", dir}};
  spec.out_file = dir + "/../checker.out";
  spec.err_file = dir + "/../checker.err";
  int64_t states = 0;
  for (auto _ : state) {
    CheckerRun run = blackbox::RunCommand(spec);
    if (!run.spawn_error.empty() || run.exit_code != 0 || run.signal != 0) {
      state.SkipWithError(
          ("checker failed: " + blackbox::DescribeExit(run) + " " + run.err).c_str());
      break;
    }
    ++states;
  }
  state.SetItemsProcessed(states);
}

void BM_BlackboxCheckerTrue(benchmark::State& state) {
  const std::string parent = FreshDirectory(state);
  std::filesystem::create_directory(parent + "/image");
  RunCheckerLoop(state, "true", parent + "/image");
  (void)blackbox::RemoveTree(parent);
}

// A real (untraced) run of the sqlite3 example's init and workload builds the
// database the checker reads, unchanged, at every iteration.
void BM_BlackboxCheckerSqlite3(benchmark::State& state) {
  const std::string parent = FreshDirectory(state);
  const std::string image = parent + "/image";
  std::filesystem::create_directory(image);
  const std::string example = std::string(POWERCUT_SOURCE_DIR) + "/scenarios/blackbox/sqlite3";
  const std::string setup = "POWERCUT_ROOT='" + image + "' sh '" + example + "/init.sh' && " +
                            "POWERCUT_ROOT='" + image + "' sh '" + example + "/workload.sh' 4";
  if (std::system(setup.c_str()) != 0) {
    state.SkipWithError("sqlite3 example setup failed (is sqlite3 installed? ci/setup)");
  } else {
    RunCheckerLoop(state, "sh '" + example + "/check.sh'", image);
  }
  (void)blackbox::RemoveTree(parent);
}

}  // namespace

BENCHMARK(BM_BlackboxMaterialise)
    ->ArgNames({"files", "kib", "with_rm"})
    ->Args({4, 16, 0})
    ->Args({4, 16, 1})
    ->Args({16, 256, 0})
    ->Args({16, 256, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BlackboxCheckerTrue)
    ->Name("BM_BlackboxChecker/true")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BlackboxCheckerSqlite3)
    ->Name("BM_BlackboxChecker/sqlite3")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace powercut::bench

#endif  // POWERCUT_HAVE_BLACKBOX
