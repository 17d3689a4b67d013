// Property 1 of the crash-test suite: for a random small workload, a random
// crash point (any file operation of the run, database creation included)
// and every crash model, the state recovery brings back is one the history
// oracle accepts: every acknowledged-durable write is there, batches are
// atomic, nothing is invented, and unsynced writes are lost only as a
// suffix. The workload, the crash point and the crash-state seed all come
// from rapidcheck, so a failure prints a reproduce string and shrinks.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "crash_property_support.h"

namespace powercut::property {
namespace {

using faultfs::CrashModelKind;

RC_GTEST_PROP(AcknowledgedWritesProperty, SurviveARandomCrashOfEveryModel, ()) {
  const Workload workload = *GenWorkload(32);
  const EngineSettings settings = *GenEngineSettings();
  const bool open_in_window = *GenOpenInCrashWindow();
  SimFs fs;
  CrashSnapshot snapshot = CrashSomewhereIn(
      fs, Oracle(),
      [&](CrashRun& run) { return RunWorkload(run, workload, settings, open_in_window); },
      CrashModel::All());
  RC_TAG(snapshot.point_kind);

  for (const CrashImage& image : snapshot.images) {
    Result<KvState> state = Recover(*image.fs, settings);
    if (!state.ok()) FailRecovery(state.status(), DescribeImage(image, snapshot));
    const bool lossless = image.id.model.kind == CrashModelKind::kProcessKill;
    AssertAccepted(snapshot.oracle.Check(*state, {.lossless = lossless}),
                   DescribeImage(image, snapshot));
  }
}

// The same property on the shape where a hole would show: a run of unsynced
// writes over a few keys, sometimes closed by one synced write (which pins
// every write before it).
// Up to a dozen unsynced puts over four keys, then (three times in four) one
// synced put.
rc::Gen<Workload> GenUnsyncedThenSync() {
  return rc::gen::exec([] {
    harness::WorkloadBuilder builder;
    const uint64_t unsynced = *rc::gen::inRange<uint64_t>(1, 13);
    for (uint64_t i = 0; i < unsynced; ++i) {
      builder.Put(harness::KeyName(i % 4), *rc::gen::element<uint64_t>(0, 200, 5000));
    }
    if (*rc::gen::weightedElement<bool>({{1, false}, {3, true}})) {
      builder.Put(harness::KeyName(5), 0, /*sync=*/true);
    }
    return std::move(builder).Build();
  });
}

RC_GTEST_PROP(AcknowledgedWritesProperty, UnsyncedWritesAreLostOnlyAsASuffix, ()) {
  const Workload workload = *GenUnsyncedThenSync();
  const EngineSettings settings;
  const bool open_in_window = *GenOpenInCrashWindow();
  SimFs fs;
  CrashSnapshot snapshot = CrashSomewhereIn(
      fs, Oracle(),
      [&](CrashRun& run) { return RunWorkload(run, workload, settings, open_in_window); },
      CrashModel::All());
  for (const CrashImage& image : snapshot.images) {
    Result<KvState> state = Recover(*image.fs, settings);
    if (!state.ok()) FailRecovery(state.status(), DescribeImage(image, snapshot));
    AssertAccepted(snapshot.oracle.Check(*state), DescribeImage(image, snapshot));
  }
}

}  // namespace
}  // namespace powercut::property
