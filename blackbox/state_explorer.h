// The black-box explorer: for each crash point of a loaded trace and each
// crash model, builds the crash states (SimFs enumeration within a budget),
// materialises each distinct image once (identical images, by
// SimFs::Digest, get one checker run) and runs the checker on it, on
// `jobs` threads; then judges every state against the acknowledgements in
// state order, so the result does not depend on the thread count.
//
// Threads: the main thread replays the trace and materialises images into a
// bounded queue; worker threads only run checker processes. No SimFs is
// touched off the main thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "judge.h"
#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"
#include "trace_loader.h"

namespace powercut::blackbox {

struct ExploreOptions {
  std::string check_command;
  std::vector<faultfs::CrashModel> models;
  uint64_t seed = 1;
  uint64_t max_states = 16;       // per crash point and model
  bool all_crash_points = false;  // false: the persistence points and around them
  unsigned jobs = 1;
  double timeout_seconds = 60;  // per checker run; 0: none
  std::string work_dir;         // existing scratch directory (images, outputs)
  std::string keep_images_dir;  // non-empty: keep every image here (image-N)
  // The file system the trace is replayed on (faultfs/profile.h).
  faultfs::PersistenceProfile profile = faultfs::PersistenceProfile::kStrictPosix;
};

// The crash points (SimFs positions, ascending) to explore. All: 1..N.
// Sync: every persistence point, the operation before each, every position
// where an ack line was stamped, and the last operation.
std::vector<uint64_t> ChooseCrashPoints(const LoadedTrace& loaded, bool all);

// One distinct crash image and its checker run.
struct ImageRun {
  faultfs::ContentDigest digest;
  CheckerRun run;
  double checker_seconds = 0;
  std::string kept_path;  // where it was kept (--keep-images), else ""
};

struct StateResult {
  faultfs::CrashStateId id;
  size_t image = 0;  // index into ExploreResult::images
  Verdict verdict;
};

struct ExploreResult {
  std::vector<uint64_t> crash_points;
  std::vector<StateResult> states;  // by crash point, then model, then enumeration order
  std::vector<ImageRun> images;
  bool exhaustive = true;          // every (point, model) state space was fully visited
  double materialise_seconds = 0;  // replay, crash, digest, writing images
  double checker_seconds = 0;      // summed over checker runs (threads overlap)
  double wall_seconds = 0;
};

// Explores `trace` (loaded from `image`) and judges each state with `acks`
// and `initial` (the baseline). IOError if an image cannot be written.
Result<ExploreResult> Explore(const InitialImage& image, const shim::Trace& trace,
                              const LoadedTrace& loaded, const KeyValues& initial,
                              const ExploreOptions& options);

// Runs the checker on `dir` (POWERCUT_IMAGE=dir, cwd dir), capturing its
// output in `scratch_dir`. Thread-safe.
CheckerRun RunChecker(const std::string& check_command, const std::string& dir,
                      const std::string& scratch_dir, const std::string& tag,
                      double timeout_seconds);

// For each failing state, what became of each pending operation, with the
// trace entry that issued it: "dropped: write /db/log @0 +5 (trace seq 7, pid 3)".
Result<std::vector<std::string>> DescribeStates(const InitialImage& image, const shim::Trace& trace,
                                                const LoadedTrace& loaded,
                                                const std::vector<faultfs::CrashStateId>& ids,
                                                faultfs::PersistenceProfile profile);

// One crash state rebuilt from scratch (for --replay): its image (a SimFs
// dump, see image.h) and what became of each pending operation.
struct RebuiltState {
  std::map<std::string, std::string> dump;
  std::string fates;  // as DescribeStates
  std::vector<AckEvent> acks;
  std::string crash_op;  // "op 5 (trace seq 9): fsync /a"
};
Result<RebuiltState> RebuildState(const InitialImage& image, const shim::Trace& trace,
                                  const faultfs::CrashStateId& id,
                                  faultfs::PersistenceProfile profile);

// "op 5 (trace seq 9, pid 12): sync /a": the operation a crash point follows.
std::string DescribeCrashPoint(const LoadedTrace& loaded, uint64_t position);

}  // namespace powercut::blackbox
