// The crash-test matrix report: what `powercut run` found, in the three forms
// DESIGN.md promises — a text summary for people (the scenario x model table
// and one paragraph per failure), JSON for tools, and JUnit XML for CI
// systems (one testsuite per scenario, one testcase per scenario x model,
// one <failure> per violation). The run fills a MatrixReport as it goes; the
// formatters are pure functions of it, so the same run gives the same files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/faultfs/profile.h"
#include "powercut/status.h"

namespace powercut::cli {

// One cell of the matrix: a scenario under one crash model, summed over the
// seeds it ran with.
// A matrix column: the crash model's name, prefixed by the file-system
// profile unless it is strict-posix ("ext4-ordered/reorder").
std::string MatrixColumn(faultfs::PersistenceProfile profile, std::string_view model);

struct MatrixCell {
  std::string scenario;
  std::string model;
  uint64_t crash_points = 0;
  uint64_t states_checked = 0;
  uint64_t inner_states_checked = 0;  // crash states inside recoveries
  uint64_t violations = 0;
  bool exhaustive = true;  // every crash point's states were all visited
};

// Culprit analysis of a failure's saved repro (harness/culprit.h), in words.
struct CulpritSummary {
  bool analyzed = false;         // false: not run (no repro file) or it failed
  bool found = false;            // a culprit set was found
  bool by_dropping = false;      // the culprits landed and must be lost (else: lost, must land)
  std::vector<std::string> ops;  // "lost: write /db/000004.log @0 +37"
  std::string explanation;
  std::string bug_class;   // "C02", empty if none suggested
  std::string class_name;  // "missing directory fsync"
  std::string reason;
  std::string passing_state;  // the counterfactual crash state that passes
  uint64_t states_tried = 0;
  std::string text;   // the "culprits:" lines (harness::FormatCulpritReport)
  std::string error;  // why the analysis could not run, if it could not
};

// One kept failure, ready to print.
struct FailureRecord {
  std::string scenario;
  uint64_t seed = 0;
  std::string model;       // of the outer crash state; empty for a main-line failure
  std::string guarantee;   // GuaranteeName, e.g. "acknowledged-durable"
  std::string violation;   // Violation::ToString(), several lines
  std::string crash_path;  // the crash-state ids, outer first, joined by " > "
  std::string fates;       // what became of each pending operation, one per line
  std::string ops_around;
  std::string repro_path;      // empty if no repro file was written
  std::string replay_command;  // "powercut replay FILE", or how to rerun
  CulpritSummary culprits;     // of the saved repro
};

// A (scenario, seed) run that could not be made (bad options, the engine
// could not open a new database, ...).
struct RunError {
  std::string scenario;
  uint64_t seed = 0;
  std::string message;
};

struct MatrixReport {
  std::string engine;
  std::string seeds;         // "1..3", or "scenario seeds"
  std::string shard;         // "1/1"
  std::string crash_points;  // "scenario default", "all" or "sync"
  uint64_t max_states = 0;
  uint64_t runs = 0;              // (scenario, seed) runs made
  std::vector<MatrixCell> cells;  // in scenario order, then model order
  std::vector<FailureRecord> failures;
  uint64_t failures_not_kept = 0;  // violations counted but not detailed
  std::vector<RunError> errors;

  uint64_t states_checked() const;
  uint64_t violations() const;
  // The cell for (scenario, model), added at the end if new.
  MatrixCell& Cell(std::string_view scenario, std::string_view model);
};

enum class ReportFormat { kText, kJson, kJunit };
// "text", "json", "junit".
Result<ReportFormat> ParseReportFormat(std::string_view name);
// A --report flag: "FORMAT:FILE" (json:out.json), or a plain FILE whose
// format follows its name (*.json: json, *.xml: junit, else text), the
// `--report FILE` of DESIGN.md's black-box protocol. InvalidArgument for an
// empty file name, or an unknown FORMAT (a ':' after a prefix with no '.' or
// '/' in it is taken as FORMAT:FILE).
Result<std::pair<ReportFormat, std::string>> ParseReportFlag(std::string_view text);

// The summary table: one row per cell, totals at the end.
std::string FormatSummaryTable(const MatrixReport& report);
// The table, then the first `failures_shown_max` failures and every error in
// full, and how many failing states are not shown.
std::string FormatText(const MatrixReport& report, size_t failures_shown_max);
std::string FormatJson(const MatrixReport& report);
std::string FormatJunit(const MatrixReport& report);
std::string FormatReport(const MatrixReport& report, ReportFormat format);

// Writes `text` to `path` (creating its directory); IOError naming the path.
Status WriteTextFile(const std::string& path, std::string_view text);

// XML-escapes text for an attribute or element: & < > " ' and control
// characters (which XML 1.0 cannot carry: they become U+FFFD).
std::string XmlEscape(std::string_view text);

}  // namespace powercut::cli
