// The reports of `powercut blackbox` (cli_blackbox.h): text, JSON, JUnit.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_blackbox.h"
#include "reports.h"

namespace powercut::cli {
namespace {

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f s", seconds);
  return text;
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

BlackboxModelRow& BlackboxReport::Row(const std::string& model) {
  for (BlackboxModelRow& row : models) {
    if (row.model == model) return row;
  }
  models.push_back(BlackboxModelRow{model, 0, 0});
  return models.back();
}

std::string FormatBlackboxSummary(const BlackboxReport& r) {
  std::ostringstream out;
  char line[160];
  out << "model                 states  failures\n";
  for (const BlackboxModelRow& row : r.models) {
    std::snprintf(line, sizeof(line), "%-20s %7llu %9llu\n", row.model.c_str(),
                  static_cast<unsigned long long>(row.states),
                  static_cast<unsigned long long>(row.failures));
    out << line;
  }
  out << r.states << " crash states judged at " << r.crash_points << " crash points ("
      << r.crash_points_mode << ", of " << r.file_operations << " file operations; "
      << (r.exhaustive ? "every state visited"
                       : "sampled: --max-states " + std::to_string(r.max_states))
      << "), " << r.distinct_images << " distinct images checked, " << r.failures
      << " failing states\n";
  out << "time: " << Seconds(r.materialise_seconds) << " building images, "
      << Seconds(r.checker_seconds) << " in the checker (summed over -j " << r.jobs << "), "
      << Seconds(r.wall_seconds) << " wall\n";
  return out.str();
}

std::string FormatBlackboxFailure(const BlackboxFailure& f) {
  std::string out = "FAIL " + f.state + " (" + f.verdict + "): crash after " + f.crash_op + "\n";
  for (const std::string& finding : f.findings) out += "  " + finding + "\n";
  if (!f.detail.empty()) out += "  " + f.detail + "\n";
  out += "  checker: " + f.checker_exit + "\n";
  if (!f.checker_stderr.empty()) out += "  checker stderr:\n" + Indent(f.checker_stderr, "    ");
  if (!f.pending.empty()) out += "  pending operations at the crash:\n" + Indent(f.pending, "    ");
  if (!f.image.empty()) out += "  image: " + f.image + "\n";
  if (!f.replay_command.empty()) out += "  replay: " + f.replay_command + "\n";
  return out;
}

std::string FormatBlackboxText(const BlackboxReport& r) {
  std::string out = "powercut blackbox: root " + r.root + ", seed " + std::to_string(r.seed) +
                    "\n" + FormatBlackboxSummary(r);
  for (const BlackboxFailure& f : r.failures_kept) out += "\n" + FormatBlackboxFailure(f);
  if (r.failures > r.failures_kept.size()) {
    out += "\n(" + std::to_string(r.failures - r.failures_kept.size()) +
           " more failing states not shown)\n";
  }
  return out;
}

std::string FormatBlackboxJson(const BlackboxReport& r) {
  nlohmann::ordered_json json;
  json["root"] = r.root;
  json["init"] = r.init;
  json["workload"] = r.workload;
  json["check"] = r.check;
  json["seed"] = r.seed;
  json["max_states"] = r.max_states;
  json["crash_points_mode"] = r.crash_points_mode;
  json["jobs"] = r.jobs;
  json["workload_exit"] = r.workload_exit;
  json["trace_entries"] = r.trace_entries;
  json["file_operations"] = r.file_operations;
  json["ack_lines"] = r.ack_lines;
  json["initial_keys"] = r.initial_keys;
  json["crash_points"] = r.crash_points;
  json["states"] = r.states;
  json["distinct_images"] = r.distinct_images;
  json["failures"] = r.failures;
  json["exhaustive"] = r.exhaustive;
  json["seconds"] = {{"materialise", r.materialise_seconds},
                     {"checker", r.checker_seconds},
                     {"wall", r.wall_seconds}};
  json["models"] = nlohmann::ordered_json::array();
  for (const BlackboxModelRow& row : r.models) {
    json["models"].push_back(
        {{"model", row.model}, {"states", row.states}, {"failures", row.failures}});
  }
  json["failing_states"] = nlohmann::ordered_json::array();
  for (const BlackboxFailure& f : r.failures_kept) {
    json["failing_states"].push_back({{"state", f.state},
                                      {"model", f.model},
                                      {"crash_point", f.crash_point},
                                      {"crash_op", f.crash_op},
                                      {"verdict", f.verdict},
                                      {"findings", f.findings},
                                      {"detail", f.detail},
                                      {"checker_exit", f.checker_exit},
                                      {"checker_stderr", f.checker_stderr},
                                      {"pending", f.pending},
                                      {"image", f.image},
                                      {"replay_file", f.replay_file},
                                      {"replay_command", f.replay_command}});
  }
  json["notes"] = r.notes;
  return json.dump(2) + "\n";
}

std::string FormatBlackboxJunit(const BlackboxReport& r) {
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"powercut blackbox\" tests=\"" << r.models.size() << "\" failures=\""
      << r.failures << "\">\n";
  out << "  <testsuite name=\"" << XmlEscape(r.workload) << "\" tests=\"" << r.models.size()
      << "\" failures=\"" << r.failures << "\" time=\"" << r.wall_seconds << "\">\n";
  for (const BlackboxModelRow& row : r.models) {
    out << "    <testcase classname=\"blackbox\" name=\"" << XmlEscape(row.model) << "\">\n";
    uint64_t shown = 0;
    for (const BlackboxFailure& f : r.failures_kept) {
      if (f.model != row.model) continue;
      ++shown;
      out << "      <failure message=\"" << XmlEscape(f.state + ": " + f.verdict) << "\">"
          << XmlEscape(FormatBlackboxFailure(f)) << "</failure>\n";
    }
    if (row.failures > shown) {
      out << "      <failure message=\"" << row.failures - shown
          << " more failing states (not detailed)\"/>\n";
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace powercut::cli
