// `powercut blackbox`: the black-box protocol's command (DESIGN.md, "The
// black-box protocol (v1)"; the runner itself is blackbox/). This header
// holds the verb's entry point and the report it produces: a summary for
// people, JSON for tools and JUnit XML for CI (cli_blackbox_report.cc), in
// the spirit of reports.h, formatted by pure functions of the report.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/profile.h"
#include "reports.h"

namespace powercut::cli {

// `powercut blackbox ...` and `powercut blackbox --replay FILE`.
int BlackboxMain(const std::vector<std::string>& args);

// The verb's flags (see AddFlags in cli_blackbox.cc for their meaning).
struct BlackboxConfig {
  std::string root, init, workload, check;
  std::vector<faultfs::CrashModel> models;
  // --profile: each explored on its own (empty: strict-posix).
  std::vector<faultfs::PersistenceProfile> profiles;
  uint64_t seed = 1;
  uint64_t max_states = 16;
  bool all_crash_points = false;
  uint64_t jobs = 1;
  uint64_t timeout_seconds = 60;
  std::vector<std::pair<ReportFormat, std::string>> reports;
  std::string keep_images;
  std::string replay_dir = "powercut-replays";
  std::string replay;     // --replay FILE
  std::string image_dir;  // with --replay
};

// The two modes (cli_blackbox_run.cc); each returns the exit code.
int RunBlackbox(const BlackboxConfig& config);
int ReplayBlackbox(const BlackboxConfig& config);

// One failing crash state, ready to print.
struct BlackboxFailure {
  std::string state;                  // the crash-state id, "reorder@5:3"
  std::string model;                  // MatrixColumn: "ext4-ordered/reorder"
  uint64_t crash_point = 0;           // SimFs position
  std::string crash_op;               // "op 5 (trace seq 9, pid 12): sync /a"
  std::string verdict;                // VerdictKindName
  std::vector<std::string> findings;  // Finding::ToString, for lost-or-invented
  std::string detail;                 // checker-error detail
  std::string checker_exit;           // "exit 1", "timed out", ...
  std::string checker_stderr;
  std::string pending;      // dropped/torn pending operations, one per line
  std::string image;        // where the image was kept (--keep-images), or ""
  std::string replay_file;  // "" if none was written
  std::string replay_command;
};

struct BlackboxModelRow {
  std::string model;
  uint64_t states = 0;
  uint64_t failures = 0;
};

struct BlackboxReport {
  std::string root, init, workload, check;
  uint64_t seed = 0;
  uint64_t max_states = 0;
  std::string crash_points_mode;  // "all" or "sync"
  uint64_t jobs = 1;
  uint64_t trace_entries = 0;
  uint64_t file_operations = 0;  // SimFs operations (crash-point candidates)
  uint64_t ack_lines = 0;
  uint64_t crash_points = 0;
  uint64_t states = 0;
  uint64_t distinct_images = 0;
  uint64_t failures = 0;
  bool exhaustive = true;
  uint64_t initial_keys = 0;
  std::string workload_exit;
  double materialise_seconds = 0, checker_seconds = 0, wall_seconds = 0;
  std::vector<BlackboxModelRow> models;
  std::vector<BlackboxFailure> failures_kept;  // the first few in state order
  std::vector<std::string> notes;

  // The row of `model`, added at the end if new.
  BlackboxModelRow& Row(const std::string& model);
};

// The summary (settings, per-model table, totals, time split).
std::string FormatBlackboxSummary(const BlackboxReport& report);
// One failure paragraph.
std::string FormatBlackboxFailure(const BlackboxFailure& failure);
// The summary, then every kept failure.
std::string FormatBlackboxText(const BlackboxReport& report);
std::string FormatBlackboxJson(const BlackboxReport& report);
// One testsuite, one testcase per model, one <failure> per kept failure.
std::string FormatBlackboxJunit(const BlackboxReport& report);

}  // namespace powercut::cli
