// Property 3 of the crash-test suite: recovery is crash-safe (DESIGN.md
// guarantee 6, bug class C16). Crash a random workload at a random point
// under a random model; start recovering, and crash again at a random file
// operation of that recovery under every model; recover once more. The state
// must still be one the history allows for the first crash (the oracle's
// check at crash depth 2, whose violations read crash-safe-recovery).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "crash_property_support.h"

namespace powercut::property {
namespace {

using faultfs::CrashModelKind;

RC_GTEST_PROP(CrashSafeRecoveryProperty, ACrashInsideRecoveryStillRecoversToAnAllowedState, ()) {
  const Workload workload = *GenWorkload(32);
  const EngineSettings settings = *GenEngineSettings();
  const bool open_in_window = *GenOpenInCrashWindow();
  const CrashModel first_model = *GenCrashModel();
  SimFs fs;
  CrashSnapshot first = CrashSomewhereIn(
      fs, Oracle(),
      [&](CrashRun& run) { return RunWorkload(run, workload, settings, open_in_window); },
      {first_model});
  CrashImage& image = first.images.front();

  // The recovery is the crash window; it records nothing in the history.
  CrashSnapshot during = CrashSomewhereIn(
      *image.fs, first.oracle, [&](CrashRun& run) { return Recover(run.fs, settings).status(); },
      CrashModel::All());
  RC_TAG(during.point_kind);
  for (const CrashImage& nested : during.images) {
    const std::string what =
        DescribeImage(image, first) + ", then during recovery " + DescribeImage(nested, during);
    Result<KvState> state = Recover(*nested.fs, settings);
    if (!state.ok()) FailRecovery(state.status(), what);
    const bool lossless = first_model.kind == CrashModelKind::kProcessKill &&
                          nested.id.model.kind == CrashModelKind::kProcessKill;
    AssertAccepted(first.oracle.Check(*state, {.lossless = lossless, .crash_depth = 2}), what);
  }
}

}  // namespace
}  // namespace powercut::property
