// The two modes of `powercut blackbox` (cli_blackbox.h): a run (record the
// workload, judge its crash states, report, save replay files) and a replay
// of one saved failure. The work itself is blackbox/'s; this file turns its
// results into the report and the printed output.
#include <cstdio>
#include <filesystem>

#include "cli.h"
#include "cli_blackbox.h"
#include "image.h"
#include "replay_file.h"
#include "session.h"
#include "state_explorer.h"

namespace powercut::cli {
namespace {

namespace bb = powercut::blackbox;
using bb::ExploreResult;
constexpr std::string_view kVerb = "blackbox";
constexpr size_t kFailuresKeptMax = 20;    // detailed, with a replay file
constexpr size_t kFailuresPrintedMax = 5;  // printed in full on stdout

// A scratch directory removed when the run ends.
class Workspace {
 public:
  ~Workspace() {
    if (!dir_.empty()) (void)bb::RemoveTree(dir_);
  }
  Status Create() {
    POWERCUT_ASSIGN_OR_RETURN(dir_, bb::MakeTempDirectory());
    return Status::OK();
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// The checker's output on the starting image: the initial state.
Result<bb::KeyValues> RunBaseline(const BlackboxConfig& config, const bb::InitialImage& image,
                                  const std::string& work_dir) {
  const std::string dir =
      config.keep_images.empty() ? work_dir + "/baseline" : config.keep_images + "/baseline";
  std::filesystem::create_directories(dir);
  POWERCUT_RETURN_IF_ERROR(bb::MaterialiseImage(bb::DumpOf(image), dir));
  const bb::CheckerRun run = bb::RunChecker(config.check, dir, work_dir, "baseline",
                                            static_cast<double>(config.timeout_seconds));
  const std::string what =
      "the checker fails on the starting image (the root after --init, before the workload; "
      "it must recover it and exit 0): ";
  if (bb::DescribeExit(run) != "exit 0") {
    return Status::InvalidArgument(what + bb::DescribeExit(run) + "; its stderr:\n" + run.err);
  }
  Result<bb::KeyValues> state = bb::ParseCheckerOutput(run.out);
  if (!state.ok()) return Status::InvalidArgument(what + state.status().message());
  return state;
}

std::string ReplayFileName(const BlackboxConfig& config, const faultfs::CrashStateId& id,
                           size_t index) {
  std::string name = id.ToString().substr(0, 80);
  for (char& c : name) {
    if (c == '/' || c == ':' || c == '*') c = '_';
  }
  const std::filesystem::path path =
      std::filesystem::path(config.replay_dir) /
      ("blackbox-" + std::to_string(index + 1) + "-" + name + ".replay");
  return std::filesystem::absolute(path).lexically_normal().string();
}

BlackboxFailure MakeFailure(const bb::StateResult& state, const ExploreResult& result,
                            const bb::LoadedTrace& loaded, faultfs::PersistenceProfile profile) {
  BlackboxFailure failure;
  const bb::ImageRun& image = result.images[state.image];
  failure.state = state.id.ToString();
  failure.model = MatrixColumn(profile, state.id.model.Name());
  failure.crash_point = state.id.position;
  failure.crash_op = bb::DescribeCrashPoint(loaded, state.id.position);
  failure.verdict = std::string(bb::VerdictKindName(state.verdict.kind));
  for (const bb::Finding& finding : state.verdict.findings) {
    failure.findings.push_back(finding.ToString());
  }
  failure.detail = state.verdict.detail;
  failure.checker_exit = bb::DescribeExit(image.run);
  failure.checker_stderr = image.run.err;
  failure.image = image.kept_path;
  return failure;
}

// Counts every state into its model's row and details the first failures.
Status FillReport(const BlackboxConfig& config, const bb::Recording& recording,
                  const bb::LoadedTrace& loaded, const bb::KeyValues& initial,
                  const ExploreResult& result, faultfs::PersistenceProfile profile,
                  BlackboxReport& report) {
  std::vector<const bb::StateResult*> kept;
  for (const bb::StateResult& state : result.states) {
    BlackboxModelRow& row = report.Row(MatrixColumn(profile, state.id.model.Name()));
    ++row.states;
    if (!state.verdict.failed()) continue;
    ++row.failures;
    ++report.failures;
    if (report.failures_kept.size() + kept.size() < kFailuresKeptMax) kept.push_back(&state);
  }
  std::vector<faultfs::CrashStateId> ids;
  for (const bb::StateResult* state : kept) ids.push_back(state->id);
  POWERCUT_ASSIGN_OR_RETURN(
      std::vector<std::string> pending,
      bb::DescribeStates(recording.image, recording.trace, loaded, ids, profile));
  for (size_t i = 0; i < kept.size(); ++i) {
    BlackboxFailure failure = MakeFailure(*kept[i], result, loaded, profile);
    failure.pending = pending[i];
    bb::ReplayCase replay{
        config.root,     config.check, static_cast<double>(config.timeout_seconds),
        kept[i]->id,     initial,      recording.image,
        recording.trace, profile};
    const std::string file = ReplayFileName(config, kept[i]->id, report.failures_kept.size());
    if (Status written = bb::WriteReplayFile(file, replay); written.ok()) {
      failure.replay_file = file;
      failure.replay_command = ProgramName() + " blackbox --replay " + file;
    } else {
      report.notes.push_back(written.message());
    }
    report.failures_kept.push_back(std::move(failure));
  }
  return Status::OK();
}

void FillTotals(const BlackboxConfig& config, const bb::Recording& recording,
                const bb::LoadedTrace& loaded, const ExploreResult& result,
                BlackboxReport& report) {
  report.root = config.root;
  report.init = config.init;
  report.workload = config.workload;
  report.check = config.check;
  report.seed = config.seed;
  report.max_states = config.max_states;
  report.crash_points_mode = config.all_crash_points ? "all" : "sync";
  report.jobs = config.jobs;
  report.trace_entries = recording.trace.entries.size();
  report.file_operations = loaded.ops.size();
  report.ack_lines = loaded.acks.size();
  report.crash_points = result.crash_points.size();
  report.workload_exit = bb::DescribeExit(recording.workload);
  report.notes = recording.notes;
  report.notes.insert(report.notes.end(), loaded.notes.begin(), loaded.notes.end());
}

// Adds one profile's exploration to the totals (every profile has its row per model).
void AddTotals(const BlackboxConfig& config, faultfs::PersistenceProfile profile,
               const ExploreResult& result, BlackboxReport& report) {
  report.states += result.states.size();
  report.distinct_images += result.images.size();
  report.exhaustive = report.exhaustive && result.exhaustive;
  report.materialise_seconds += result.materialise_seconds;
  report.checker_seconds += result.checker_seconds;
  report.wall_seconds += result.wall_seconds;
  for (const faultfs::CrashModel& model : config.models) {
    report.Row(MatrixColumn(profile, model.Name()));
  }
}

// Prints the report, writes the report files; returns the exit code.
int Finish(const BlackboxReport& report, const BlackboxConfig& config) {
  std::string text = "\n" + FormatBlackboxSummary(report);
  for (size_t i = 0; i < report.failures_kept.size() && i < kFailuresPrintedMax; ++i) {
    text += "\n" + FormatBlackboxFailure(report.failures_kept[i]);
  }
  if (report.failures > std::min(report.failures_kept.size(), kFailuresPrintedMax)) {
    text += "\n(" +
            std::to_string(report.failures -
                           std::min(report.failures_kept.size(), kFailuresPrintedMax)) +
            " more failing states; the --report files detail the first " +
            std::to_string(kFailuresKeptMax) + ")\n";
  }
  std::fputs(text.c_str(), stdout);
  int exit_code = report.failures > 0 ? kExitViolation : kExitOk;
  for (const auto& [format, path] : config.reports) {
    const std::string body = format == ReportFormat::kJson    ? FormatBlackboxJson(report)
                             : format == ReportFormat::kJunit ? FormatBlackboxJunit(report)
                                                              : FormatBlackboxText(report);
    if (Status status = WriteTextFile(path, body); !status.ok()) {
      std::fprintf(stderr, "powercut blackbox: %s\n", status.message().c_str());
      exit_code = kExitUsage;
    }
  }
  std::printf("%s (seed %llu)\n", report.failures > 0 ? "FAILED" : "passed",
              static_cast<unsigned long long>(config.seed));
  return exit_code;
}

}  // namespace

int RunBlackbox(const BlackboxConfig& given) {
  BlackboxConfig config = given;
  Result<std::string> shim = bb::FindShim();
  if (!shim.ok()) return InputError(kVerb, shim.status());
  Result<std::string> root = bb::PrepareRoot(config.root);
  if (!root.ok()) return InputError(kVerb, root.status());
  config.root = *root;
  Workspace work;
  if (Status status = work.Create(); !status.ok()) return InputError(kVerb, status);
  if (!config.keep_images.empty()) std::filesystem::create_directories(config.keep_images);
  std::printf("powercut blackbox: seed %llu, root %s, %zu models, crash points %s, -j %llu\n",
              static_cast<unsigned long long>(config.seed), config.root.c_str(),
              config.models.size(), config.all_crash_points ? "all" : "sync",
              static_cast<unsigned long long>(config.jobs));
  std::fflush(stdout);
  Result<bb::Recording> recording =
      bb::Record(bb::RecordOptions{config.root, config.init, config.workload, *shim, work.dir()});
  if (!recording.ok()) return InputError(kVerb, recording.status());
  if (bb::DescribeExit(recording->workload) != "exit 0") {
    std::printf("note: the workload ended with %s (judged all the same); its stderr:\n%s",
                bb::DescribeExit(recording->workload).c_str(), recording->workload.err.c_str());
  }
  Result<bb::KeyValues> initial = RunBaseline(config, recording->image, work.dir());
  if (!initial.ok()) return InputError(kVerb, initial.status());
  BlackboxReport report;
  report.initial_keys = initial->size();
  for (faultfs::PersistenceProfile profile : config.profiles) {
    Result<bb::LoadedTrace> loaded = bb::LoadTrace(recording->image, recording->trace, {}, profile);
    if (!loaded.ok()) return InputError(kVerb, loaded.status());
    if (profile == config.profiles.front()) {
      std::printf(
          "recorded %zu trace entries: %zu file operations, %zu ack lines; %zu keys at start\n",
          recording->trace.entries.size(), loaded->ops.size(), loaded->acks.size(),
          initial->size());
    }
    if (config.profiles.size() > 1) std::printf("profile %s\n", ProfileName(profile).data());
    std::fflush(stdout);
    bb::ExploreOptions options{config.check,
                               config.models,
                               config.seed,
                               config.max_states,
                               config.all_crash_points,
                               static_cast<unsigned>(config.jobs),
                               static_cast<double>(config.timeout_seconds),
                               work.dir(),
                               config.keep_images,
                               profile};
    Result<ExploreResult> result =
        bb::Explore(recording->image, recording->trace, *loaded, *initial, options);
    if (!result.ok()) return InputError(kVerb, result.status());
    if (profile == config.profiles.front())
      FillTotals(config, *recording, *loaded, *result, report);
    AddTotals(config, profile, *result, report);
    if (Status status = FillReport(config, *recording, *loaded, *initial, *result, profile, report);
        !status.ok()) {
      return InputError(kVerb, status);
    }
  }
  for (const std::string& note : report.notes) std::printf("note: %s\n", note.c_str());
  return Finish(report, config);
}

int ReplayBlackbox(const BlackboxConfig& config) {
  Result<bb::ReplayCase> replay = bb::ReadReplayFile(config.replay);
  if (!replay.ok()) return InputError(kVerb, replay.status());
  if (!config.check.empty()) replay->check_command = config.check;
  Result<bb::RebuiltState> state =
      bb::RebuildState(replay->image, replay->trace, replay->id, replay->profile);
  if (!state.ok()) return InputError(kVerb, state.status());
  Result<std::string> image_dir =
      config.image_dir.empty() ? bb::MakeTempDirectory() : bb::PrepareRoot(config.image_dir);
  if (!image_dir.ok()) return InputError(kVerb, image_dir.status());
  Workspace work;
  Status status = work.Create();
  if (status.ok()) status = bb::MaterialiseImage(state->dump, *image_dir);
  const std::string check_dir = work.dir() + "/image";
  std::filesystem::create_directories(check_dir);
  if (status.ok()) status = bb::MaterialiseImage(state->dump, check_dir);
  if (!status.ok()) return InputError(kVerb, status);
  std::printf(
      "replay %s (profile %s) of root %s: crash after %s\nimage rebuilt in %s (the checker runs "
      "on a copy)\npending operations at the crash:\n%s",
      replay->id.ToString().c_str(), faultfs::ProfileName(replay->profile).data(),
      replay->root.c_str(), state->crash_op.c_str(), image_dir->c_str(), state->fates.c_str());
  const bb::CheckerRun run = bb::RunChecker(replay->check_command, check_dir, work.dir(), "check",
                                            replay->timeout_seconds);
  const bb::Verdict verdict = bb::JudgeRun(run, state->acks, replay->initial, replay->id.position);
  std::printf("checker '%s': %s\nstdout:\n%sstderr:\n%s", replay->check_command.c_str(),
              bb::DescribeExit(run).c_str(), run.out.c_str(), run.err.c_str());
  std::printf("verdict: %s\n", std::string(bb::VerdictKindName(verdict.kind)).c_str());
  for (const bb::Finding& finding : verdict.findings) {
    std::printf("  %s\n", finding.ToString().c_str());
  }
  if (!verdict.detail.empty()) std::printf("  %s\n", verdict.detail.c_str());
  std::printf("%s\n",
              verdict.failed() ? "the failure reproduces" : "the failure does not reproduce");
  return verdict.failed() ? kExitViolation : kExitOk;
}

}  // namespace powercut::cli
