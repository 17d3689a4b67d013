// Repro files (see repro.h): writing, parsing and replaying them.
#include "repro.h"

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include "broken_adapters.h"
#include "workload_spec.h"

namespace powercut::harness {

using faultfs::CrashModel;
using faultfs::CrashStateId;

std::optional<Guarantee> ParseGuarantee(std::string_view name) {
  for (int g = 0; g <= static_cast<int>(Guarantee::kRecovers); ++g) {
    if (GuaranteeName(static_cast<Guarantee>(g)) == name) return static_cast<Guarantee>(g);
  }
  return std::nullopt;
}

bool MatchesExpected(const Repro& repro, const Violation& violation) {
  if (violation.guarantee != repro.expected_guarantee) return false;
  if (repro.expected_underlying && violation.underlying != repro.expected_underlying) return false;
  return violation.key == repro.expected_key;
}

namespace {

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string PathText(const std::vector<CrashStateId>& path) {
  std::string text;
  for (const CrashStateId& id : path) text += (text.empty() ? "" : " > ") + id.ToString();
  return text;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Splits on `separator`, trimming each part; "" gives no parts.
std::vector<std::string_view> SplitList(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  if (Trim(text).empty()) return parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(Trim(text.substr(start, end - start)));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Result<uint64_t> ParseNumber(std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a number");
  }
  return value;
}

Result<bool> ParseBool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return Status::InvalidArgument("'" + std::string(text) + "' is not true or false");
}

}  // namespace

std::string Repro::ToText() const {
  std::ostringstream out;
  out << "# powercut repro: replay with `powercut replay <this file>`\n";
  out << "format = " << kReproFormat << "\n";
  out << "engine = " << engine << "\n";
  out << "scenario = " << scenario << "\n";
  out << "seed = " << seed << "\n";
  std::string model_names;
  for (const CrashModel& model : models)
    model_names += (model_names.empty() ? "" : ", ") + model.Name();
  out << "models = " << model_names << "\n";
  out << "profile = " << faultfs::ProfileName(profile) << "\n";
  out << "check_durable_recovery = " << (check_durable_recovery ? "true" : "false") << "\n";
  out << "crash_points = " << (crash_points == CrashPoints::kSync ? "sync" : "all") << "\n";
  out << "crash_path = " << PathText(crash_path) << "\n";
  out << "crash_after_ack = " << (crash_after_ack ? "true" : "false") << "\n";
  out << "expect.guarantee = " << GuaranteeName(expected_guarantee) << "\n";
  if (expected_underlying)
    out << "expect.underlying = " << GuaranteeName(*expected_underlying) << "\n";
  out << "expect.key = " << expected_key << "\n";
  if (!expected_text.empty()) out << "expect.text = " << FirstLine(expected_text) << "\n";
  if (settings.write_buffer_bytes)
    out << "engine.write_buffer_bytes = " << *settings.write_buffer_bytes << "\n";
  if (settings.block_bytes) out << "engine.block_bytes = " << *settings.block_bytes << "\n";
  if (settings.wal_recovery_mode)
    out << "engine.wal_recovery_mode = " << *settings.wal_recovery_mode << "\n";
  if (settings.mutant) out << "engine.mutant = " << *settings.mutant << "\n";
  for (const OpSpec& spec : SpecFromWorkload(workload))
    out << "op = " << OpSpecToLine(spec) << "\n";
  return out.str();
}

namespace {

// Applies one `key = value` setting (not `op`, not `format`) to `repro`.
Status ApplySetting(std::string_view key, std::string_view value, Repro* repro) {
  if (key == "engine") {
    repro->engine = value;
  } else if (key == "scenario") {
    repro->scenario = value;
  } else if (key == "seed") {
    POWERCUT_ASSIGN_OR_RETURN(repro->seed, ParseNumber(value));
  } else if (key == "models") {
    repro->models.clear();
    for (std::string_view name : SplitList(value, ',')) {
      POWERCUT_ASSIGN_OR_RETURN(CrashModel model, CrashModel::Parse(name));
      repro->models.push_back(model);
    }
  } else if (key == "profile") {
    POWERCUT_ASSIGN_OR_RETURN(repro->profile, faultfs::ParseProfile(value));
  } else if (key == "check_durable_recovery") {
    POWERCUT_ASSIGN_OR_RETURN(repro->check_durable_recovery, ParseBool(value));
  } else if (key == "crash_points") {
    if (value != "all" && value != "sync") {
      return Status::InvalidArgument("crash_points must be all or sync, not '" +
                                     std::string(value) + "'");
    }
    repro->crash_points = value == "sync" ? CrashPoints::kSync : CrashPoints::kAll;
  } else if (key == "crash_after_ack") {
    POWERCUT_ASSIGN_OR_RETURN(repro->crash_after_ack, ParseBool(value));
  } else if (key == "crash_path") {
    repro->crash_path.clear();
    for (std::string_view id_text : SplitList(value, '>')) {
      POWERCUT_ASSIGN_OR_RETURN(CrashStateId id, CrashStateId::Parse(id_text));
      repro->crash_path.push_back(std::move(id));
    }
  } else if (key == "expect.guarantee" || key == "expect.underlying") {
    std::optional<Guarantee> guarantee = ParseGuarantee(value);
    if (!guarantee)
      return Status::InvalidArgument("unknown guarantee '" + std::string(value) + "'");
    if (key == "expect.guarantee")
      repro->expected_guarantee = *guarantee;
    else
      repro->expected_underlying = *guarantee;
  } else if (key == "expect.key") {
    repro->expected_key = value;
  } else if (key == "expect.text") {
    repro->expected_text = value;
  } else if (key == "engine.write_buffer_bytes") {
    POWERCUT_ASSIGN_OR_RETURN(repro->settings.write_buffer_bytes, ParseNumber(value));
  } else if (key == "engine.block_bytes") {
    POWERCUT_ASSIGN_OR_RETURN(repro->settings.block_bytes, ParseNumber(value));
  } else if (key == "engine.wal_recovery_mode") {
    repro->settings.wal_recovery_mode = std::string(value);
  } else if (key == "engine.mutant") {
    repro->settings.mutant = std::string(value);
  } else {
    return Status::InvalidArgument("unknown setting '" + std::string(key) + "'");
  }
  return Status::OK();
}

}  // namespace

Result<Repro> Repro::Parse(std::string_view text, std::string_view source) {
  Repro repro;
  std::vector<OpSpec> specs;
  bool seen_format = false, seen_engine = false;
  size_t line_number = 0;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t newline = rest.find('\n');
    std::string_view line = Trim(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    auto error = [&](const Status& status) {
      return Status::InvalidArgument(std::string(source) + ":" + std::to_string(line_number) +
                                     ": " + status.message());
    };
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos)
      return error(Status::InvalidArgument("expected key = value"));
    const std::string_view key = Trim(line.substr(0, equals));
    const std::string_view value = Trim(line.substr(equals + 1));
    if (!seen_format) {
      if (key != "format" || value != kReproFormat) {
        return error(
            Status::InvalidArgument("expected `format = " + std::string(kReproFormat) + "` first"));
      }
      seen_format = true;
      continue;
    }
    if (key == "op") {
      Result<OpSpec> spec = ParseOpSpecLine(value);
      if (!spec.ok()) return error(spec.status());
      specs.push_back(std::move(spec).value());
      continue;
    }
    seen_engine = seen_engine || key == "engine";
    Status status = ApplySetting(key, value, &repro);
    if (!status.ok()) return error(status);
  }
  if (!seen_format || !seen_engine) {
    return Status::InvalidArgument(std::string(source) + ": a repro needs `format` and `engine`");
  }
  repro.workload = BuildWorkload(specs);
  return repro;
}

Repro MakeRepro(const Failure& failure, std::string_view engine, const Scenario& scenario,
                const Workload& workload, const ExploreOptions& options) {
  Repro repro;
  repro.engine = engine;
  repro.scenario = scenario.name;
  repro.settings = scenario.engine;
  repro.seed = failure.seed;
  repro.models = !options.models.empty()    ? options.models
                 : !scenario.models.empty() ? scenario.models
                                            : CrashModel::All();
  repro.check_durable_recovery =
      options.check_durable_recovery || scenario.multi_crash.double_recovery;
  repro.crash_points = options.crash_points.value_or(scenario.crash_points);
  repro.profile = options.profile;
  repro.crash_path = failure.crash_path;
  repro.crash_after_ack = failure.after_ack;
  repro.expected_guarantee = failure.violation.guarantee;
  repro.expected_underlying = failure.violation.underlying;
  repro.expected_key = failure.violation.key;
  repro.expected_text = FirstLine(failure.violation.ToString());
  repro.workload = workload;
  return repro;
}

Status WriteReproFile(const std::string& path, const Repro& repro) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::FromErrno("create repro file", path, errno);
  out << repro.ToText();
  out.close();
  if (!out) return Status::IOError("write repro file " + path + ": failed");
  return Status::OK();
}

Result<Repro> LoadReproFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::NotFound("repro file " + path + " does not exist");
    return Status::FromErrno("open repro file", path, errno);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("read repro file " + path + ": failed");
  return Repro::Parse(text.str(), path);
}

Result<ReplayReport> ReplayRepro(const Repro& repro, const EngineRegistry& registry) {
  const bool canaries_linked = BrokenEnginesRegistered();  // repros of canaries replay too
  (void)canaries_linked;
  // Fail early, naming the known engines, if the name is unknown.
  POWERCUT_ASSIGN_OR_RETURN(auto probe, registry.Create(repro.engine, repro.settings));
  probe.reset();
  EngineFactory factory = [&registry, name = repro.engine](const EngineSettings& settings) {
    return registry.Create(name, settings);
  };
  POWERCUT_ASSIGN_OR_RETURN(
      ReplayVerdict verdict,
      ReplayCrashPath(repro.workload, factory, repro.settings, repro.crash_path,
                      {.seed = repro.seed,
                       .crash_points = repro.crash_points,
                       .after_ack = repro.crash_after_ack,
                       .check_durable_recovery = repro.check_durable_recovery,
                       .profile = repro.profile}));
  ReplayReport report;
  report.reached = verdict.reached;
  for (const Violation& violation : verdict.violations) {
    report.reproduced = report.reproduced || MatchesExpected(repro, violation);
  }
  report.reproduced = report.reproduced && verdict.reached;
  report.violations = std::move(verdict.violations);
  report.fates = std::move(verdict.fates);
  report.ops_around = std::move(verdict.ops_around);
  return report;
}

Result<ReplayReport> ReplayReproFile(const std::string& path) {
  POWERCUT_ASSIGN_OR_RETURN(Repro repro, LoadReproFile(path));
  return ReplayRepro(repro);
}

}  // namespace powercut::harness
