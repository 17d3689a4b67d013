// The shrinker: before a failure is written as a repro, make its workload as
// small as it can be while it still fails the same way (the same guarantee,
// and the same underlying rule for crash-safe-recovery), so that the person
// reading the repro sees the bug and little else.
//
// Method. Each candidate workload is explored again from scratch with the
// original models and seed (Explore, stopping at the first failure that
// breaks the same guarantee); the crash-state ids change with the workload,
// so the shrunk failure carries its own crash path. The passes, in order,
// repeated while one of them made progress and the budget lasts:
//   1. delta debugging over operations (Zeller's ddmin, complements only):
//      drop chunks of n ops, n = 2, 4, ... up to single operations;
//   2. per operation: drop entries of batches (a batch of one becomes a put
//      or delete), shrink values (to the bare tag, else halve the size),
//      turn sync off;
//   3. rename the keys to k0, k1, ... in order of first use.
// Every candidate costs one exploration; `max_runs` bounds them.
#pragma once

#include <cstdint>

#include "engine_adapter.h"
#include "explorer.h"
#include "scenario.h"
#include "workload.h"

namespace powercut::harness {

struct ShrinkOptions {
  // The options of the run that found the failure (models, seed, depth,
  // crash points...); the shrinker sets the failure filter and stops each
  // exploration at the first matching failure.
  ExploreOptions explore;
  uint64_t max_runs = 300;  // explorations at most
};

struct ShrinkResult {
  Workload workload;  // the smallest workload found that still fails
  Failure failure;    // its failure (the original one if nothing shrank)
  uint64_t runs = 0;  // explorations spent
  bool budget_exhausted = false;
};

// Shrinks `workload`, on which exploring found `failure`. Errors only for
// runs that cannot be made at all (see Explore); a candidate that errors
// counts as not failing.
Result<ShrinkResult> Shrink(const Scenario& scenario, const Workload& workload,
                            const EngineFactory& engine, const Failure& failure,
                            const ShrinkOptions& options);

}  // namespace powercut::harness
