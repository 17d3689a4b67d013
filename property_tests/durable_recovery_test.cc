// Property 2 of the crash-test suite: log replay makes what it replays
// durable before it serves reads (DESIGN.md guarantees 4 and 5, seed 004).
//  - Recover a random crash state, cut the power at once, recover again:
//    the second recovery serves exactly what the first one served.
//  - Recover, read every recovered key, write some more, crash anywhere in
//    those writes: every value the reads saw is still there unless a later
//    write replaced it (the oracle's reads-stay-true and durable-recovery).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "crash_property_support.h"

namespace powercut::property {
namespace {

using faultfs::CrashModelKind;

RC_GTEST_PROP(DurableRecoveryProperty, APowerCutRightAfterRecoveryChangesNothing, ()) {
  const Workload workload = *GenWorkload(32);
  const EngineSettings settings = *GenEngineSettings();
  const bool open_in_window = *GenOpenInCrashWindow();
  SimFs fs;
  CrashSnapshot snapshot = CrashSomewhereIn(
      fs, Oracle(),
      [&](CrashRun& run) { return RunWorkload(run, workload, settings, open_in_window); },
      CrashModel::All());

  for (const CrashImage& image : snapshot.images) {
    const std::string what = DescribeImage(image, snapshot);
    std::unique_ptr<EngineAdapter> engine;  // kept open: the cut comes before Close
    Result<KvState> first = Recover(*image.fs, settings, &engine);
    if (!first.ok()) FailRecovery(first.status(), what);
    AssertAccepted(snapshot.oracle.Check(*first), what);

    const CrashStateId cut_id{
        CrashModel{.kind = CrashModelKind::kPowerLoss}, image.fs->position(), {}};
    Result<std::unique_ptr<SimFs>> cut = image.fs->Crash(cut_id);
    RC_ASSERT(cut.ok());
    Result<KvState> second = Recover(**cut, settings);
    if (!second.ok()) FailRecovery(second.status(), what + ", then a power cut after recovery");
    AssertAccepted(Oracle::CheckDurableRecovery(*first, *second),
                   what + ", then a power cut after recovery");
  }
}

// Recovery, a read of every recovered key, then the second half of the
// workload; the crash window covers only that second half.
Status RecoverReadAndContinue(CrashRun& run, const Workload& second,
                              const EngineSettings& settings) {
  std::unique_ptr<EngineAdapter> engine;
  POWERCUT_ASSIGN_OR_RETURN(KvState recovered, Recover(run.fs, settings, &engine));
  harness::CheckResult check = run.oracle.Check(recovered);
  if (!check.ok()) return Status::Corruption(check.violations.front().ToString());
  run.oracle.RecordRecovery(recovered);
  for (const auto& [key, value] : recovered) {
    POWERCUT_ASSIGN_OR_RETURN(std::optional<std::string> seen, engine->Read(key));
    if (auto violation = run.oracle.RecordRead(key, seen)) {
      return Status::Corruption(violation->ToString());
    }
  }
  run.StartCrashWindow();
  POWERCUT_RETURN_IF_ERROR(PlayOps(second, *engine, run));
  return engine->Close();
}

RC_GTEST_PROP(DurableRecoveryProperty, AValueReadAfterRecoverySurvivesALaterCrash, ()) {
  const TwoPhaseWorkload workload = *GenTwoPhaseWorkload(12);
  const EngineSettings settings = *GenEngineSettings();
  const bool open_in_window = *GenOpenInCrashWindow();
  const CrashModel first_model = *GenCrashModel();
  SimFs fs;
  CrashSnapshot first = CrashSomewhereIn(
      fs, Oracle(),
      [&](CrashRun& run) { return RunWorkload(run, workload.first, settings, open_in_window); },
      {first_model});
  CrashImage& image = first.images.front();

  CrashSnapshot later = CrashSomewhereIn(
      *image.fs, first.oracle,
      [&](CrashRun& run) { return RecoverReadAndContinue(run, workload.second, settings); },
      CrashModel::All());
  RC_TAG(later.oracle.recoveries() > 0 ? "crash after a recovery" : "no recovery recorded");
  for (const CrashImage& second_image : later.images) {
    const std::string what = DescribeImage(image, first) + ", recovery, reads, then " +
                             DescribeImage(second_image, later);
    Result<KvState> state = Recover(*second_image.fs, settings);
    if (!state.ok()) FailRecovery(state.status(), what);
    const bool lossless = second_image.id.model.kind == CrashModelKind::kProcessKill;
    AssertAccepted(later.oracle.Check(*state, {.lossless = lossless}), what);
  }
}

}  // namespace
}  // namespace powercut::property
