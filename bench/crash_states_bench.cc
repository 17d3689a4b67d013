// Crash states checked per second: the harness's throughput, one thread.
//   BM_CrashStates/small           a generated workload of 80 operations (<= 64
//                                  KiB of data), every crash model, a crash point
//                                  at every file operation, up to 64 states per
//                                  point and model; each state: crash image,
//                                  recovery, full scan, oracle check, and the
//                                  power-cut-after-recovery check (guarantee 4)
//   BM_CrashStates/small_no_reuse  the same without reusing the verdict of a
//                                  byte-identical image: every state recovered
//   BM_CrashStates/large           10,000 operations, crash points at the
//                                  persistence points, 4 states per point and model
//   BM_CrashStates/db_mib:N        a database already holding N MiB (1..64) in
//                                  tables, then 16 small synced writes; at every
//                                  file operation, 16 reorder states, each
//                                  recovered and the written keys read back.
//                                  The per-state cost should not grow with N.
// Items are crash states, so `--benchmark_filter=CrashStates` prints states/s.
#include <benchmark/benchmark.h>

#ifdef POWERCUT_HAVE_HARNESS

#include <memory>
#include <string>

#include "explorer.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"
#include "scenario.h"
#include "workload.h"

namespace powercut::bench {
namespace {

using faultfs::CrashModel;
using faultfs::SimFs;

harness::Scenario GeneratedScenario(uint32_t op_count, uint64_t value_bytes_max) {
  harness::Scenario scenario;
  scenario.name = "bench-" + std::to_string(op_count);
  harness::GeneratorOptions gen;
  gen.op_count = op_count;
  gen.key_count = 32;
  gen.value_bytes_min = 16;
  gen.value_bytes_max = value_bytes_max;
  gen.sync_ratio = 0.3;
  gen.batch_ratio = 0.15;
  gen.flush_every = op_count / 3;
  scenario.generator = gen;
  scenario.seeds = {1};
  return scenario;
}

void RunExplore(benchmark::State& state, const harness::Scenario& scenario,
                harness::ExploreOptions options) {
  Result<harness::Workload> workload = scenario.WorkloadForSeed(1);
  if (!workload.ok()) {
    state.SkipWithError(workload.status().ToString().c_str());
    return;
  }
  uint64_t states = 0;
  for (auto _ : state) {
    Result<harness::ExploreResult> result =
        harness::Explore(scenario, *workload, "reference", options);
    if (!result.ok() || result->violations != 0) {
      state.SkipWithError(result.ok() ? "violations found" : result.status().ToString().c_str());
      return;
    }
    states += result->states_checked + result->inner_states_checked;
  }
  state.SetItemsProcessed(static_cast<int64_t>(states));
  state.counters["states_per_run"] =
      benchmark::Counter(static_cast<double>(states) / static_cast<double>(state.iterations()));
}

void BM_CrashStatesSmall(benchmark::State& state, bool reuse) {
  harness::ExploreOptions options;
  options.models = CrashModel::All();
  options.max_states = 64;
  options.seed = 1;
  options.max_crash_depth = 1;
  options.reuse_identical_images = reuse;
  RunExplore(state, GeneratedScenario(80, 400), options);
}

void BM_CrashStatesLarge(benchmark::State& state) {
  harness::ExploreOptions options;
  options.models = CrashModel::All();
  options.max_states = 4;
  options.seed = 1;
  options.max_crash_depth = 1;
  options.crash_points = harness::CrashPoints::kSync;
  RunExplore(state, GeneratedScenario(10000, 200), options);
}

// A SimFs whose durable image holds a database of about `mib` MiB in tables.
std::unique_ptr<SimFs> PreloadedDatabase(uint64_t mib) {
  SimFs fs;
  {
    auto db = engine::DB::Open(engine::Options{}, "/db", &fs);
    if (!db.ok()) return nullptr;
    const std::string value(1000, 'p');
    for (uint64_t i = 0; i < mib * 1024; ++i) {
      if (!(*db)->Put(engine::WriteOptions{}, "preload" + std::to_string(i), value).ok()) {
        return nullptr;
      }
    }
    if (!(*db)->Flush().ok() || !(*db)->Close().ok()) return nullptr;
  }
  auto durable = fs.Crash(faultfs::CrashStateId{CrashModel{}, fs.position(), {}});
  return durable.ok() ? std::move(durable).value() : nullptr;
}

// Recovers `crashed` and reads back the written keys; false on any error.
bool RecoverAndRead(SimFs* crashed, int written) {
  auto db = engine::DB::Open(engine::Options{}, "/db", crashed);
  if (!db.ok()) return false;
  for (int i = 0; i < written; ++i) {
    Result<std::string> value = (*db)->Get(engine::ReadOptions{}, "new" + std::to_string(i));
    if (!value.ok() && !value.status().IsNotFound()) return false;
  }
  return true;
}

void BM_CrashStatesDbSize(benchmark::State& state) {
  std::unique_ptr<SimFs> base = PreloadedDatabase(static_cast<uint64_t>(state.range(0)));
  if (base == nullptr) {
    state.SkipWithError("could not preload the database");
    return;
  }
  const CrashModel reorder{.kind = faultfs::CrashModelKind::kReorder};
  uint64_t states = 0;
  bool failed = false;
  for (auto _ : state) {
    std::unique_ptr<SimFs> fs = base->Clone();
    auto db = engine::DB::Open(engine::Options{}, "/db", fs.get());
    if (!db.ok()) {
      state.SkipWithError("open failed");
      return;
    }
    int written = 0;
    fs->SetObserver([&](const faultfs::OpRecord&) {
      auto states_here = fs->EnumerateCrashStates(reorder, {.max_states = 16, .seed = 1});
      if (!states_here.ok()) return;
      while (auto id = (*states_here)->Next()) {
        auto crashed = fs->Crash(*id);
        failed |= !crashed.ok() || !RecoverAndRead(crashed->get(), written + 1);
        ++states;
      }
    });
    for (written = 0; written < 16; ++written) {
      failed |= !(*db)->Put(engine::WriteOptions{.sync = true}, "new" + std::to_string(written),
                            "value").ok();
    }
    fs->SetObserver(nullptr);
  }
  if (failed) state.SkipWithError("a crash state failed to recover");
  state.SetItemsProcessed(static_cast<int64_t>(states));
}

}  // namespace

BENCHMARK_CAPTURE(BM_CrashStatesSmall, small, true)
    ->Name("BM_CrashStates/small")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CrashStatesSmall, small_no_reuse, false)
    ->Name("BM_CrashStates/small_no_reuse")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CrashStatesLarge)
    ->Name("BM_CrashStates/large")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_CrashStatesDbSize)
    ->Name("BM_CrashStates")
    ->ArgName("db_mib")
    ->Arg(1)
    ->Arg(4)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond);

}  // namespace powercut::bench

#endif  // POWERCUT_HAVE_HARNESS
