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
  SimFs fs;
  CrashSnapshot snapshot = CrashSomewhereIn(
      fs, Oracle(), [&](CrashRun& run) { return RunWorkload(run, workload, settings); },
      CrashModel::All());
  RC_TAG(faultfs::OpKindName(snapshot.op.kind));

  for (const CrashImage& image : snapshot.images) {
    Result<KvState> state = Recover(*image.fs, settings);
    if (!state.ok()) FailRecovery(state.status(), DescribeImage(image, snapshot.op));
    const bool lossless = image.id.model.kind == CrashModelKind::kProcessKill;
    AssertAccepted(snapshot.oracle.Check(*state, {.lossless = lossless}),
                   DescribeImage(image, snapshot.op));
  }
}

// The same property on the shape where a hole would show: a run of unsynced
// writes over a few keys, sometimes closed by one synced write (which pins
// every write before it).
RC_GTEST_PROP(AcknowledgedWritesProperty, UnsyncedWritesAreLostOnlyAsASuffix, ()) {
  const uint64_t unsynced = *rc::gen::inRange<uint64_t>(1, 12);
  harness::WorkloadBuilder builder;
  for (uint64_t i = 0; i < unsynced; ++i) {
    builder.Put(harness::KeyName(i % 4), *rc::gen::element<uint64_t>(0, 200, 5000));
  }
  if (*rc::gen::arbitrary<bool>()) builder.Put(harness::KeyName(5), 0, /*sync=*/true);
  const Workload workload = std::move(builder).Build();
  const EngineSettings settings;
  SimFs fs;
  CrashSnapshot snapshot = CrashSomewhereIn(
      fs, Oracle(), [&](CrashRun& run) { return RunWorkload(run, workload, settings); },
      CrashModel::All());
  for (const CrashImage& image : snapshot.images) {
    Result<KvState> state = Recover(*image.fs, settings);
    if (!state.ok()) FailRecovery(state.status(), DescribeImage(image, snapshot.op));
    AssertAccepted(snapshot.oracle.Check(*state), DescribeImage(image, snapshot.op));
  }
}

}  // namespace
}  // namespace powercut::property
