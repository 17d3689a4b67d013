// The black-box explorer (see state_explorer.h): crash states of each crash point
// and model, one checker run per distinct image, judged in state order.
#include "state_explorer.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "image.h"
#include "process.h"

namespace powercut::blackbox {
namespace {

using faultfs::CrashStateId;
using faultfs::SimFs;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs checker jobs on worker threads. Submit blocks while the queue is full,
// so at most 2 x jobs images wait on disk.
class CheckerPool {
 public:
  CheckerPool(const ExploreOptions& options) : options_(options) {
    for (unsigned i = 0; i < std::max(1u, options.jobs); ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }
  ~CheckerPool() { Finish(); }

  // REQUIRES: `out` outlives Finish().
  void Submit(ImageRun* out, std::string dir, size_t index) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return queue_.size() < 2 * workers_.size(); });
    queue_.push_back(Job{out, std::move(dir), index});
    ready_.notify_one();
  }

  void Finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    for (std::thread& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
  }

 private:
  struct Job {
    ImageRun* out;
    std::string dir;
    size_t index;
  };

  void Work() {
    while (true) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
      }
      const auto start = std::chrono::steady_clock::now();
      job.out->run = RunChecker(options_.check_command, job.dir, options_.work_dir,
                                "image-" + std::to_string(job.index), options_.timeout_seconds);
      job.out->checker_seconds = SecondsSince(start);
      if (options_.keep_images_dir.empty()) {
        (void)RemoveTree(job.dir);  // best effort: the scratch directory goes later anyway
      } else {
        job.out->kept_path = job.dir;
      }
    }
  }

  const ExploreOptions& options_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<Job> queue_;
  bool done_ = false;
  std::vector<std::thread> workers_;
};

// The main thread's half: at each crash point, crash, digest, materialise.
class StateBuilder {
 public:
  StateBuilder(const ExploreOptions& options, ExploreResult& result, CheckerPool& pool)
      : options_(options), result_(result), pool_(pool) {
    images_dir_ = options.keep_images_dir.empty() ? options.work_dir : options.keep_images_dir;
  }

  void AtCrashPoint(const SimFs& fs, uint64_t position) {
    if (!status_.ok()) return;
    for (const faultfs::CrashModel& model : options_.models) {
      status_ = AddStates(fs, model, position);
      if (!status_.ok()) return;
    }
  }

  const Status& status() const { return status_; }
  // The image runs, in index order. REQUIRES: the pool has finished.
  std::vector<ImageRun> TakeImages() {
    std::vector<ImageRun> images;
    for (auto& image : images_) images.push_back(std::move(*image));
    return images;
  }

 private:
  Status AddStates(const SimFs& fs, const faultfs::CrashModel& model, uint64_t position) {
    POWERCUT_ASSIGN_OR_RETURN(
        auto enumerator, fs.EnumerateCrashStates(model, faultfs::EnumerationBudget{
                                                            options_.max_states, options_.seed}));
    result_.exhaustive = result_.exhaustive && enumerator->exhaustive();
    while (std::optional<CrashStateId> id = enumerator->Next()) {
      assert(id->position == position);
      POWERCUT_ASSIGN_OR_RETURN(size_t image, ImageOf(fs, *id));
      result_.states.push_back(StateResult{*id, image, {}});
    }
    return Status::OK();
  }

  // The index of the image of state `id`, materialised and queued if new.
  Result<size_t> ImageOf(const SimFs& fs, const CrashStateId& id) {
    const auto start = std::chrono::steady_clock::now();
    POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<SimFs> crashed, fs.Crash(id));
    const faultfs::ContentDigest digest = crashed->Digest();
    const auto key = std::make_pair(digest.a, digest.b);
    if (auto it = by_digest_.find(key); it != by_digest_.end()) {
      result_.materialise_seconds += SecondsSince(start);
      return it->second;
    }
    const size_t index = images_.size();
    const std::string dir = images_dir_ + "/image-" + std::to_string(index);
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) return Status::IOError("cannot create " + dir + ": " + error.message());
    POWERCUT_RETURN_IF_ERROR(MaterialiseImage(crashed->DumpVisible(), dir));
    images_.push_back(std::make_unique<ImageRun>());
    images_.back()->digest = digest;
    by_digest_.emplace(key, index);
    result_.materialise_seconds += SecondsSince(start);
    pool_.Submit(images_.back().get(), dir, index);
    return index;
  }

  const ExploreOptions& options_;
  ExploreResult& result_;
  CheckerPool& pool_;
  std::string images_dir_;
  Status status_;
  std::map<std::pair<uint64_t, uint64_t>, size_t> by_digest_;
  std::vector<std::unique_ptr<ImageRun>> images_;
};

}  // namespace

std::vector<uint64_t> ChooseCrashPoints(const LoadedTrace& loaded, bool all) {
  const uint64_t last = loaded.ops.size();
  std::set<uint64_t> points;
  if (all) {
    for (uint64_t p = 1; p <= last; ++p) points.insert(p);
  } else {
    for (const OpOrigin& origin : loaded.ops) {
      if (!faultfs::IsPersistencePoint(origin.op.kind)) continue;
      points.insert(origin.op.position);
      if (origin.op.position > 1) points.insert(origin.op.position - 1);
    }
    for (const AckEvent& ack : loaded.acks) {
      if (ack.position >= 1) points.insert(ack.position);
    }
    if (last > 0) points.insert(last);
  }
  return {points.begin(), points.end()};
}

CheckerRun RunChecker(const std::string& check_command, const std::string& dir,
                      const std::string& scratch_dir, const std::string& tag,
                      double timeout_seconds) {
  CommandSpec spec;
  spec.command = check_command;
  spec.cwd = dir;
  spec.env = {{"POWERCUT_IMAGE", dir}};
  spec.out_file = scratch_dir + "/" + tag + ".out";
  spec.err_file = scratch_dir + "/" + tag + ".err";
  spec.timeout_seconds = timeout_seconds;
  CheckerRun run = RunCommand(spec);
  std::error_code ignored;
  std::filesystem::remove(spec.out_file, ignored);
  std::filesystem::remove(spec.err_file, ignored);
  return run;
}

Result<ExploreResult> Explore(const InitialImage& image, const shim::Trace& trace,
                              const LoadedTrace& loaded, const KeyValues& initial,
                              const ExploreOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ExploreResult result;
  result.crash_points = ChooseCrashPoints(loaded, options.all_crash_points);
  const std::set<uint64_t> points(result.crash_points.begin(), result.crash_points.end());
  CheckerPool pool(options);
  StateBuilder builder(options, result, pool);
  Result<LoadedTrace> replay = LoadTrace(
      image, trace,
      [&](const SimFs& fs, uint64_t position) {
        if (points.contains(position)) builder.AtCrashPoint(fs, position);
      },
      options.profile);
  pool.Finish();
  POWERCUT_RETURN_IF_ERROR(replay.status());
  POWERCUT_RETURN_IF_ERROR(builder.status());
  result.images = builder.TakeImages();
  for (StateResult& state : result.states) {
    const ImageRun& run = result.images[state.image];
    state.verdict = JudgeRun(run.run, loaded.acks, initial, state.id.position);
  }
  for (const ImageRun& run : result.images) result.checker_seconds += run.checker_seconds;
  result.wall_seconds = SecondsSince(start);
  return result;
}

Result<std::vector<std::string>> DescribeStates(const InitialImage& image, const shim::Trace& trace,
                                                const LoadedTrace& loaded,
                                                const std::vector<CrashStateId>& ids,
                                                faultfs::PersistenceProfile profile) {
  std::vector<std::string> descriptions(ids.size());
  Status status;
  Result<LoadedTrace> replay = LoadTrace(
      image, trace,
      [&](const SimFs& fs, uint64_t position) {
        for (size_t i = 0; i < ids.size() && status.ok(); ++i) {
          if (ids[i].position != position) continue;
          Result<std::vector<faultfs::PendingOpFate>> fates = fs.DescribeCrash(ids[i]);
          if (!fates.ok()) {
            status = fates.status();
            return;
          }
          size_t persisted = 0;
          for (const faultfs::PendingOpFate& fate : *fates) {
            if (fate.fate == faultfs::PendingOpFate::Fate::kPersisted) {
              ++persisted;
              continue;
            }
            const OpOrigin& origin = loaded.Origin(fate.op.position);
            descriptions[i] +=
                std::string(fate.fate == faultfs::PendingOpFate::Fate::kTorn ? "torn: "
                                                                             : "dropped: ") +
                fate.op.ToString() + " (op " + std::to_string(fate.op.position) + ", trace seq " +
                std::to_string(origin.seq) + ", pid " + std::to_string(origin.pid) + ")" +
                (fate.detail.empty() ? "" : " " + fate.detail) + "\n";
          }
          descriptions[i] += std::to_string(persisted) + " of " + std::to_string(fates->size()) +
                             " pending operations persisted\n";
        }
      },
      profile);
  POWERCUT_RETURN_IF_ERROR(replay.status());
  POWERCUT_RETURN_IF_ERROR(status);
  return descriptions;
}

}  // namespace powercut::blackbox

namespace powercut::blackbox {

std::string DescribeCrashPoint(const LoadedTrace& loaded, uint64_t position) {
  if (position == 0 || position > loaded.ops.size()) return "op " + std::to_string(position);
  const OpOrigin& origin = loaded.Origin(position);
  return "op " + std::to_string(position) + " (trace seq " + std::to_string(origin.seq) + ", pid " +
         std::to_string(origin.pid) + "): " + origin.op.ToString();
}

Result<RebuiltState> RebuildState(const InitialImage& image, const shim::Trace& trace,
                                  const faultfs::CrashStateId& id,
                                  faultfs::PersistenceProfile profile) {
  RebuiltState state;
  Status status = Status::NotFound("the trace has no operation " + std::to_string(id.position) +
                                   " (crash state " + id.ToString() + ")");
  POWERCUT_ASSIGN_OR_RETURN(LoadedTrace loaded,
                            LoadTrace(
                                image, trace,
                                [&](const faultfs::SimFs& fs, uint64_t position) {
                                  if (position != id.position) return;
                                  Result<std::unique_ptr<faultfs::SimFs>> crashed = fs.Crash(id);
                                  status = crashed.status();
                                  if (crashed.ok()) state.dump = (*crashed)->DumpVisible();
                                },
                                profile));
  POWERCUT_RETURN_IF_ERROR(status);
  POWERCUT_ASSIGN_OR_RETURN(std::vector<std::string> fates,
                            DescribeStates(image, trace, loaded, {id}, profile));
  state.fates = fates.front();
  state.acks = loaded.acks;
  state.crash_op = DescribeCrashPoint(loaded, id.position);
  return state;
}

}  // namespace powercut::blackbox
