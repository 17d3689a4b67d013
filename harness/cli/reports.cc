// The matrix report's formatters (see reports.h): text, JSON, JUnit XML.
#include "reports.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace powercut::cli {

namespace {

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

std::string PadLeft(const std::string& text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

// The first line of a multi-line text.
std::string FirstLine(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

std::string Indent(std::string_view text, std::string_view prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out += std::string(prefix) + std::string(text.substr(start, end - start)) + "\n";
    start = end + 1;
  }
  return out;
}

// One failure in full: the violation (with its crash state and the
// operations around it), what the crash did to each pending operation, and
// how to replay it.
std::string FormatFailure(const FailureRecord& f) {
  std::string text = "FAIL " + f.scenario + " seed " + std::to_string(f.seed);
  if (!f.model.empty()) text += " model " + f.model;
  text += "\n" + Indent(f.violation, "  ");
  if (f.crash_path.find(" > ") != std::string::npos) {
    text += "  crash path (outer crash first): " + f.crash_path + "\n";
  }
  if (!f.fates.empty()) text += "  pending operations at the crash:\n" + Indent(f.fates, "    ");
  if (f.culprits.analyzed) text += f.culprits.text;
  if (!f.culprits.error.empty()) text += "  culprits: not analysed: " + f.culprits.error + "\n";
  text += "  repro: " + f.replay_command + "\n";
  return text;
}

}  // namespace

uint64_t MatrixReport::states_checked() const {
  uint64_t total = 0;
  for (const MatrixCell& cell : cells) total += cell.states_checked;
  return total;
}

uint64_t MatrixReport::violations() const {
  uint64_t total = 0;
  for (const MatrixCell& cell : cells) total += cell.violations;
  return total;
}

std::string MatrixColumn(faultfs::PersistenceProfile profile, std::string_view model) {
  if (profile == faultfs::PersistenceProfile::kStrictPosix) return std::string(model);
  return std::string(faultfs::ProfileName(profile)) + "/" + std::string(model);
}

MatrixCell& MatrixReport::Cell(std::string_view scenario, std::string_view model) {
  for (MatrixCell& cell : cells) {
    if (cell.scenario == scenario && cell.model == model) return cell;
  }
  cells.push_back(MatrixCell{std::string(scenario), std::string(model)});
  return cells.back();
}

Result<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "text") return ReportFormat::kText;
  if (name == "json") return ReportFormat::kJson;
  if (name == "junit") return ReportFormat::kJunit;
  return Status::InvalidArgument("unknown report format '" + std::string(name) +
                                 "' (valid: text, json, junit)");
}

Result<std::pair<ReportFormat, std::string>> ParseReportFlag(std::string_view text) {
  const size_t colon = text.find(':');
  const std::string_view prefix = text.substr(0, colon);
  // "xml:out.xml" is a mistyped FORMAT, "./a:b.json" a file name.
  if (colon != std::string_view::npos && prefix.find_first_of("./") == std::string_view::npos &&
      colon + 1 < text.size()) {
    POWERCUT_ASSIGN_OR_RETURN(ReportFormat format, ParseReportFormat(prefix));
    return std::make_pair(format, std::string(text.substr(colon + 1)));
  }
  if (text.empty() || text.back() == ':') {
    return Status::InvalidArgument(
        "expected FORMAT:FILE (FORMAT one of text, json, junit, e.g. json:report.json) or a "
        "FILE ending in .json, .xml (junit) or anything else (text); got '" +
        std::string(text) + "'");
  }
  const bool json = text.ends_with(".json"), xml = text.ends_with(".xml");
  return std::make_pair(json  ? ReportFormat::kJson
                        : xml ? ReportFormat::kJunit
                              : ReportFormat::kText,
                        std::string(text));
}

std::string FormatSummaryTable(const MatrixReport& report) {
  size_t scenario_width = 8, model_width = 5;
  for (const MatrixCell& cell : report.cells) {
    scenario_width = std::max(scenario_width, cell.scenario.size());
    model_width = std::max(model_width, cell.model.size());
  }
  std::string text = Pad("scenario", scenario_width + 2) + Pad("model", model_width + 2) +
                     PadLeft("states checked", 15) + PadLeft("in recovery", 13) +
                     PadLeft("violations", 12) + "\n";
  for (const MatrixCell& cell : report.cells) {
    text += Pad(cell.scenario, scenario_width + 2) + Pad(cell.model, model_width + 2) +
            PadLeft(std::to_string(cell.states_checked) + (cell.exhaustive ? " " : "~"), 15) +
            PadLeft(std::to_string(cell.inner_states_checked), 13) +
            PadLeft(std::to_string(cell.violations), 12) + "\n";
  }
  text += Pad("total", scenario_width + model_width + 4) +
          PadLeft(std::to_string(report.states_checked()) + " ", 15) + PadLeft("", 13) +
          PadLeft(std::to_string(report.violations()), 12) + "\n";
  text += "(~: sampled, not every crash state of every point; engine " + report.engine +
          ", seeds " + report.seeds + ", shard " + report.shard + ", max-states " +
          std::to_string(report.max_states) + ", " + std::to_string(report.runs) + " runs)\n";
  return text;
}

std::string FormatText(const MatrixReport& report, size_t failures_shown_max) {
  std::string text = FormatSummaryTable(report);
  const size_t shown = std::min(failures_shown_max, report.failures.size());
  for (size_t i = 0; i < shown; ++i) text += "\n" + FormatFailure(report.failures[i]);
  const uint64_t not_shown = report.failures.size() - shown + report.failures_not_kept;
  if (not_shown > 0) {
    text += "\n(" + std::to_string(not_shown) + " more failing crash states";
    text += shown < report.failures.size() ? ": see the text or JSON report)\n" : ")\n";
  }
  for (const RunError& error : report.errors) {
    text += "\nERROR " + error.scenario + " seed " + std::to_string(error.seed) + ": " +
            error.message + "\n";
  }
  return text;
}

namespace {

// The "culprits" object of a failure in the JSON report.
nlohmann::json CulpritsJson(const CulpritSummary& c) {
  return {{"found", c.found},
          {"by_dropping", c.by_dropping},
          {"ops", c.ops},
          {"explanation", c.explanation},
          {"suggested_class", c.bug_class},
          {"suggested_class_name", c.class_name},
          {"reason", c.reason},
          {"passing_state", c.passing_state},
          {"states_tried", c.states_tried}};
}

}  // namespace

std::string FormatJson(const MatrixReport& report) {
  using nlohmann::json;
  json root = {{"engine", report.engine},
               {"seeds", report.seeds},
               {"shard", report.shard},
               {"crash_points", report.crash_points},
               {"max_states", report.max_states},
               {"runs", report.runs},
               {"states_checked", report.states_checked()},
               {"violations", report.violations()},
               {"failures_not_kept", report.failures_not_kept}};
  json cells = json::array();
  for (const MatrixCell& c : report.cells) {
    cells.push_back({{"scenario", c.scenario},
                     {"model", c.model},
                     {"crash_points", c.crash_points},
                     {"states_checked", c.states_checked},
                     {"inner_states_checked", c.inner_states_checked},
                     {"violations", c.violations},
                     {"exhaustive", c.exhaustive}});
  }
  root["cells"] = std::move(cells);
  json failures = json::array();
  for (const FailureRecord& f : report.failures) {
    failures.push_back({{"scenario", f.scenario},
                        {"seed", f.seed},
                        {"model", f.model},
                        {"guarantee", f.guarantee},
                        {"violation", f.violation},
                        {"crash_path", f.crash_path},
                        {"fates", f.fates},
                        {"ops_around", f.ops_around},
                        {"repro", f.repro_path},
                        {"replay_command", f.replay_command}});
    if (f.culprits.analyzed) failures.back()["culprits"] = CulpritsJson(f.culprits);
  }
  root["failures"] = std::move(failures);
  json errors = json::array();
  for (const RunError& e : report.errors) {
    errors.push_back({{"scenario", e.scenario}, {"seed", e.seed}, {"message", e.message}});
  }
  root["errors"] = std::move(errors);
  // Values the engine invented may hold any bytes: never throw on bad UTF-8.
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (byte < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += "\xEF\xBF\xBD";  // U+FFFD: XML 1.0 cannot carry control characters
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string FormatJunit(const MatrixReport& report) {
  std::map<std::string, std::vector<const MatrixCell*>> by_scenario;
  std::vector<std::string> order;
  for (const MatrixCell& cell : report.cells) {
    if (!by_scenario.count(cell.scenario)) order.push_back(cell.scenario);
    by_scenario[cell.scenario].push_back(&cell);
  }
  for (const RunError& error : report.errors) {
    if (by_scenario.try_emplace(error.scenario).second) order.push_back(error.scenario);
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  uint64_t failed_cells = 0;
  for (const MatrixCell& cell : report.cells) failed_cells += cell.violations > 0 ? 1 : 0;
  xml += "<testsuites name=\"powercut\" tests=\"" +
         std::to_string(report.cells.size() + report.errors.size()) + "\" failures=\"" +
         std::to_string(failed_cells) + "\" errors=\"" + std::to_string(report.errors.size()) +
         "\">\n";
  for (const std::string& scenario : order) {
    std::string cases;
    uint64_t failure_count = 0, error_count = 0;
    for (const MatrixCell* cell : by_scenario[scenario]) {
      cases += "    <testcase classname=\"powercut." + XmlEscape(scenario) + "\" name=\"" +
               XmlEscape(cell->model) + "\">\n";
      uint64_t detailed = 0;
      for (const FailureRecord& f : report.failures) {
        if (f.scenario != scenario || f.model != cell->model) continue;
        ++detailed;
        cases += "      <failure type=\"" + XmlEscape(f.guarantee) + "\" message=\"" +
                 XmlEscape(FirstLine(f.violation)) + "\">" + XmlEscape(FormatFailure(f)) +
                 "</failure>\n";
      }
      if (cell->violations > 0 && detailed == 0) {
        cases += "      <failure type=\"violation\" message=\"" + std::to_string(cell->violations) +
                 " violations (not detailed)\"/>\n";
      }
      failure_count += cell->violations > 0 ? 1 : 0;
      cases += "      <system-out>states checked: " + std::to_string(cell->states_checked) +
               ", violations: " + std::to_string(cell->violations) + "</system-out>\n";
      cases += "    </testcase>\n";
    }
    for (const RunError& e : report.errors) {
      if (e.scenario != scenario) continue;
      ++error_count;
      cases += "    <testcase classname=\"powercut." + XmlEscape(scenario) + "\" name=\"seed " +
               std::to_string(e.seed) + "\">\n      <error message=\"" + XmlEscape(e.message) +
               "\"/>\n    </testcase>\n";
    }
    xml += "  <testsuite name=\"" + XmlEscape(scenario) + "\" tests=\"" +
           std::to_string(by_scenario[scenario].size() + error_count) + "\" failures=\"" +
           std::to_string(failure_count) + "\" errors=\"" + std::to_string(error_count) + "\">\n" +
           cases + "  </testsuite>\n";
  }
  return xml + "</testsuites>\n";
}

std::string FormatReport(const MatrixReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kText:
      return FormatText(report, report.failures.size());
    case ReportFormat::kJson:
      return FormatJson(report);
    case ReportFormat::kJunit:
      return FormatJunit(report);
  }
  return "";
}

Status WriteTextFile(const std::string& path, std::string_view text) {
  const std::filesystem::path file(path);
  std::error_code error;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), error);
  if (error) return Status::IOError(path + ": cannot create its directory: " + error.message());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Status::IOError(path + ": cannot write");
  return Status::OK();
}

}  // namespace powercut::cli
