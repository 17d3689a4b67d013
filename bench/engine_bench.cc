// The reference engine beside the engines a user would reach for instead
// (LevelDB, RocksDB, SQLite), on the real file system (PosixFs), with the
// same loop for each:
//   BM_EngineFill/<engine>/nosync  random 16-byte keys, 100-byte values,
//                                  unsynced writes (items = writes)
//   BM_EngineFill/<engine>/sync    the same, each write fsynced before OK
//   BM_EngineRead/<engine>         random point reads of 20k loaded keys
// Directories are created under $TMPDIR (default /tmp) and removed after.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_registry.h"
#include "kv_peers.h"

namespace powercut::bench {
namespace {

constexpr size_t kValueBytes = 100;
constexpr uint64_t kReadKeys = 20000;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Key(uint64_t n) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(n));
  return std::string(buffer, 16);
}

std::string FreshDir(const std::string& engine) {
  const char* tmp = std::getenv("TMPDIR");
  std::filesystem::path base = tmp != nullptr ? tmp : "/tmp";
  static uint64_t counter = 0;
  std::filesystem::path dir = base / ("powercut-bench-" + engine + "-" +
                                      std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  return dir.string();
}

void Fill(benchmark::State& state, const std::string& engine, bool sync) {
  const std::string dir = FreshDir(engine);
  {
    std::unique_ptr<KvStore> store = OpenKvStore(engine, dir);
    if (store == nullptr) {
      state.SkipWithError("could not open the store");
      return;
    }
    const std::string value(kValueBytes, 'v');
    uint64_t n = 0;
    for (auto _ : state) {
      if (!store->Put(Key(SplitMix64(n++)), value, sync)) {
        state.SkipWithError("put failed");
        break;
      }
    }
    state.SetItemsProcessed(static_cast<int64_t>(n));
    state.SetBytesProcessed(static_cast<int64_t>(n * (16 + kValueBytes)));
  }
  std::filesystem::remove_all(dir);
}

void Read(benchmark::State& state, const std::string& engine) {
  const std::string dir = FreshDir(engine);
  {
    std::unique_ptr<KvStore> store = OpenKvStore(engine, dir);
    if (store == nullptr) {
      state.SkipWithError("could not open the store");
      return;
    }
    const std::string value(kValueBytes, 'v');
    for (uint64_t n = 0; n < kReadKeys; ++n) {
      if (!store->Put(Key(n), value, false)) {
        state.SkipWithError("load failed");
        return;
      }
    }
    std::string found;
    uint64_t n = 0;
    for (auto _ : state) {
      if (!store->Get(Key(SplitMix64(n++) % kReadKeys), &found)) {
        state.SkipWithError("get failed");
        break;
      }
    }
    state.SetItemsProcessed(static_cast<int64_t>(n));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

void RegisterEngineBenchmarks() {
  for (const std::string& engine : KvStoreNames()) {
    benchmark::RegisterBenchmark(("BM_EngineFill/" + engine + "/nosync").c_str(),
                                 [engine](benchmark::State& s) { Fill(s, engine, false); });
    // fsync per write: a few thousand iterations are plenty.
    benchmark::RegisterBenchmark(("BM_EngineFill/" + engine + "/sync").c_str(),
                                 [engine](benchmark::State& s) { Fill(s, engine, true); })
        ->Iterations(2000);
    benchmark::RegisterBenchmark(("BM_EngineRead/" + engine).c_str(),
                                 [engine](benchmark::State& s) { Read(s, engine); });
  }
}

}  // namespace powercut::bench
