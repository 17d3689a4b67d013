// powercut-bench's main: registers the benchmarks that are built per engine
// at run time (one per engine found), then hands over to google-benchmark,
// so `powercut-bench --benchmark_filter=CrashStates` and the other standard
// flags work as usual.
#include <benchmark/benchmark.h>

#include "bench_registry.h"

int main(int argc, char** argv) {
  powercut::bench::RegisterEngineBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
