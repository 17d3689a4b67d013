// `powercut mutants`: the mutant matrix (harness/mutant_matrix.h). Runs the
// ordinary crash-test matrix on the correct reference engine (it must be
// clean) and once per mutant (each must be caught), shrinks each catch,
// asks culprit analysis for the bug class, and prints the table: mutant,
// class, caught, first catching scenario and model, states until caught,
// shrunk repro size, guarantee violated, suggested class, match; then the
// confusion of true and suggested classes and the match rate. --markdown
// writes the same table and, per mutant, the shrunk repro as the harness
// prints it (for docs/bugs.md); --report json:FILE writes it for tools.
// Exit 0: the baseline is clean, every mutant caught with a repro of at most
// 12 operations; 1 otherwise; 2 on bad usage or input.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "mutant_matrix.h"
#include "powercut/engine/mutant.h"
#include "reports.h"

namespace powercut::cli {

namespace {

using harness::MutantMatrixOptions;
using harness::MutantMatrixResult;
using harness::MutantRow;

struct MutantsConfig {
  MutantMatrixOptions matrix;
  std::string scenarios_dir = DefaultScenariosDir();
  std::vector<std::string> scenarios;
  std::string json_path;
  std::string markdown_path;
  uint64_t threads = 1;
  bool quiet = false;
};

void AddMutantsFlags(FlagParser& parser, MutantsConfig& config) {
  parser.AddStrings("mutant", "NAME", "a mutant to run (repeatable; default: every mutant)",
                    &config.matrix.mutants);
  parser.AddStrings("scenario", "NAME|PATH", "a scenario (repeatable; default: every scenario)",
                    &config.scenarios);
  parser.AddString("scenarios-dir", "DIR", "where scenario names are looked up",
                   &config.scenarios_dir);
  parser.AddUint("seed", "N", "the first seed (default 1)", &config.matrix.first_seed, 0,
                 UINT64_MAX);
  parser.AddUint("seeds", "K", "seeds per scenario (default 1)", &config.matrix.seed_count, 1,
                 1000000);
  parser.AddUint("max-states", "N", "crash states per crash point and model (default 16)",
                 &config.matrix.max_states, 1, UINT64_MAX);
  parser.AddUint("jobs", "N", "threads checking crash states (default 1)", &config.threads, 1,
                 1024);
  parser.AddAlias('j', "jobs");
  parser.AddUint("shrink-runs", "N", "explorations spent shrinking each catch (default 100)",
                 &config.matrix.shrink_runs, 0, UINT64_MAX);
  parser.AddValue(
      "report", "json:FILE", "also write the result as JSON to FILE",
      [&config](std::string_view v) -> Status {
        if (v.substr(0, 5) != "json:" || v.size() == 5) {
          return Status::InvalidArgument("expected json:FILE, got '" + std::string(v) + "'");
        }
        config.json_path = std::string(v.substr(5));
        return Status::OK();
      });
  parser.AddString("markdown", "FILE",
                   "write the table and every shrunk repro as Markdown (for docs/bugs.md)",
                   &config.markdown_path);
  parser.AddSwitch("quiet", "no progress lines", &config.quiet);
}

std::string Cell(const std::string& text) { return text.empty() ? "-" : text; }

std::string YesNo(bool yes) { return yes ? "yes" : "no"; }

// The table's rows as cells, for both the text and the Markdown table.
std::vector<std::vector<std::string>> TableCells(const MutantMatrixResult& result) {
  std::vector<std::vector<std::string>> cells = {{"mutant", "class", "caught", "scenario", "model",
                                                  "states", "repro ops", "guarantee", "suggested",
                                                  "match"}};
  for (const MutantRow& row : result.rows) {
    cells.push_back({row.mutant, row.bug_class, YesNo(row.caught), Cell(row.scenario),
                     row.caught ? Cell(row.model.empty() ? "main line" : row.model) : "-",
                     std::to_string(row.states_until_caught),
                     row.caught ? std::to_string(row.repro_ops) : "-", Cell(row.guarantee),
                     Cell(row.suggested_class), YesNo(row.class_match)});
  }
  return cells;
}

std::string TextTable(const std::vector<std::vector<std::string>>& cells) {
  std::vector<size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  std::string text;
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      text +=
          line[i] + (i + 1 < line.size() ? std::string(widths[i] - line[i].size() + 2, ' ') : "");
    }
    text += "\n";
  }
  return text;
}

std::string MarkdownTable(const std::vector<std::vector<std::string>>& cells) {
  std::string text;
  for (size_t r = 0; r < cells.size(); ++r) {
    text += "|";
    for (const std::string& cell : cells[r]) text += " " + cell + " |";
    text += "\n";
    if (r == 0) {
      text += "|";
      for (size_t i = 0; i < cells[r].size(); ++i) text += "---|";
      text += "\n";
    }
  }
  return text;
}

// "C01 -> C01: 2, C12 -> (none): 1" as lines, and the match rate.
std::string ConfusionText(const MutantMatrixResult& result) {
  std::string text = "confusion (true class -> suggested class: mutants):\n";
  for (const auto& [truth, suggested] : result.Confusion()) {
    for (const auto& [guess, count] : suggested) {
      text += "  " + truth + " -> " + (guess.empty() ? "(none)" : guess) + ": " +
              std::to_string(count) + (guess == truth ? "" : "  (mismatch)") + "\n";
    }
  }
  const uint64_t total = result.rows.size();
  char rate[128];
  std::snprintf(
      rate, sizeof(rate), "class match rate: %llu/%llu (%.0f%%); caught: %llu/%llu\n",
      static_cast<unsigned long long>(result.matched()), static_cast<unsigned long long>(total),
      total ? 100.0 * static_cast<double>(result.matched()) / total : 0.0,
      static_cast<unsigned long long>(result.caught()), static_cast<unsigned long long>(total));
  return text + rate;
}

std::string BaselineText(const harness::BaselineResult& baseline) {
  std::string text = "baseline (correct engine): " + std::to_string(baseline.runs) + " runs, " +
                     std::to_string(baseline.states_checked) + " states checked, " +
                     std::to_string(baseline.violations) + " violations\n";
  for (const std::string& failure : baseline.failures) text += "  " + failure + "\n";
  for (const std::string& error : baseline.errors) text += "  error: " + error + "\n";
  return text;
}

std::string RowMarkdown(const MutantRow& row) {
  std::optional<engine::Mutant> mutant = engine::ParseMutant(row.mutant);
  std::string text = "### " + row.mutant + " (" + row.bug_class + " " + row.class_name + ")\n\n";
  if (mutant) text += std::string(engine::DescribeMutant(*mutant).behaviour) + "\n\n";
  if (!row.caught) return text + "**Not caught.** " + row.error + "\n\n";
  text += "Caught by scenario `" + row.scenario + "`, seed " + std::to_string(row.seed) +
          ", model `" + (row.model.empty() ? "main line" : row.model) + "` after " +
          std::to_string(row.states_until_caught) + " crash states; shrunk to " +
          std::to_string(row.repro_ops) + " operations.\n\n```\n" + row.violation + "\n";
  text += "crash path: " + JoinCrashPath(row.repro.crash_path) + "\n";
  text += "pending operations at the crash:\n" + DescribeFates(row.fates);
  text += row.culprit_text + "```\n\nThe repro file:\n\n```\n" + row.repro.ToText() + "```\n\n";
  return text;
}

std::string Markdown(const MutantMatrixResult& result) {
  std::string text =
      MarkdownTable(TableCells(result)) + "\n```\n" + ConfusionText(result) + "```\n\n";
  for (const MutantRow& row : result.rows) text += RowMarkdown(row);
  return text;
}

std::string Json(const MutantMatrixResult& result) {
  nlohmann::json rows = nlohmann::json::array();
  for (const MutantRow& row : result.rows) {
    rows.push_back({{"mutant", row.mutant},
                    {"class", row.bug_class},
                    {"class_name", row.class_name},
                    {"caught", row.caught},
                    {"scenario", row.scenario},
                    {"seed", row.seed},
                    {"model", row.model},
                    {"states_until_caught", row.states_until_caught},
                    {"repro_ops", row.repro_ops},
                    {"correct_engine_passes", row.correct_engine_passes},
                    {"guarantee", row.guarantee},
                    {"violation", row.violation},
                    {"repro", row.caught ? row.repro.ToText() : ""},
                    {"suggested_class", row.suggested_class},
                    {"suggested_class_name", row.suggested_class_name},
                    {"match", row.class_match},
                    {"error", row.error}});
  }
  nlohmann::json json = {{"baseline",
                          {{"runs", result.baseline.runs},
                           {"states_checked", result.baseline.states_checked},
                           {"violations", result.baseline.violations},
                           {"errors", result.baseline.errors}}},
                         {"mutants", rows},
                         {"caught", result.caught()},
                         {"matched", result.matched()},
                         {"ok", result.ok()}};
  return json.dump(2) + "\n";
}

int Report(const MutantMatrixResult& result, const MutantsConfig& config) {
  std::printf("\n%s\n%s\n%s", BaselineText(result.baseline).c_str(),
              TextTable(TableCells(result)).c_str(), ConfusionText(result).c_str());
  if (!config.json_path.empty()) {
    if (Status s = WriteTextFile(config.json_path, Json(result)); !s.ok()) {
      return InputError("mutants", s);
    }
  }
  if (!config.markdown_path.empty()) {
    if (Status s = WriteTextFile(config.markdown_path, Markdown(result)); !s.ok()) {
      return InputError("mutants", s);
    }
  }
  if (result.ok()) {
    std::printf("mutant matrix: ok\n");
    return kExitOk;
  }
  std::printf("mutant matrix: FAILED\n%s", result.Problems().c_str());
  return kExitViolation;
}

}  // namespace

int MutantsMain(const std::vector<std::string>& args) {
  MutantsConfig config;
  FlagParser parser(
      "powercut mutants [flags]",
      "Runs the crash-test matrix on the correct reference engine (it must be clean)\n"
      "and on each mutant (each must be caught), shrinks each catch and names its\n"
      "bug class. Exit 0: all caught, baseline clean, repros of at most 12 ops;\n"
      "1: otherwise; 2: bad usage or input.");
  AddMutantsFlags(parser, config);
  if (Status status = parser.Parse(args); !status.ok())
    return UsageError("mutants", parser, status);
  if (parser.help_requested()) {
    std::fputs(parser.Usage().c_str(), stdout);
    return kExitOk;
  }
  config.matrix.threads = static_cast<int>(config.threads);
  if (!config.quiet) {
    config.matrix.on_progress = [](const std::string& line) {
      std::fprintf(stderr, "powercut mutants: %s\n", line.c_str());
    };
  }
  Result<std::vector<harness::Scenario>> scenarios =
      LoadScenarios(config.scenarios_dir, config.scenarios);
  if (!scenarios.ok()) return InputError("mutants", scenarios.status());
  Result<MutantMatrixResult> result = harness::RunMutantMatrix(*scenarios, config.matrix);
  if (!result.ok()) return UsageError("mutants", parser, result.status());
  return Report(*result, config);
}

}  // namespace powercut::cli
