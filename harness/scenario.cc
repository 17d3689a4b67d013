// Scenario files (see scenario.h): the top-level keys, [engine],
// [multi_crash] and [generate] tables, and loading from disk. The [[op]]
// steps are parsed by scenario_ops.cc.
#include "scenario.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "scenario_toml.h"

namespace powercut::harness {

namespace {

using scenario_internal::TomlReader;

constexpr int64_t kBytesMax = int64_t{1} << 40;
constexpr int64_t kCountMax = 10'000'000;

const toml::table* TableOrNull(const toml::node* node) { return node ? node->as_table() : nullptr; }

Status RequireTable(const TomlReader& reader, const toml::node* node, std::string_view name) {
  if (node == nullptr || node->is_table()) return Status::OK();
  return reader.ErrorAt(*node, "'" + std::string(name) + "' must be a table, not " +
                                   std::string(scenario_internal::TypeName(node->type())));
}

Status ParseEngine(const TomlReader& reader, const toml::table& table, EngineSettings* engine) {
  const std::string context = "[engine]";
  POWERCUT_RETURN_IF_ERROR(reader.CheckKeys(
      table, context, {"write_buffer_bytes", "block_bytes", "wal_recovery_mode", "mutant"}));
  POWERCUT_ASSIGN_OR_RETURN(auto buffer,
                            reader.Integer(table, "write_buffer_bytes", context, 1, kBytesMax));
  POWERCUT_ASSIGN_OR_RETURN(auto block,
                            reader.Integer(table, "block_bytes", context, 1, kBytesMax));
  POWERCUT_ASSIGN_OR_RETURN(engine->wal_recovery_mode,
                            reader.String(table, "wal_recovery_mode", context));
  // The adapter checks the name when it is created (only it knows the list).
  POWERCUT_ASSIGN_OR_RETURN(engine->mutant, reader.String(table, "mutant", context));
  if (engine->wal_recovery_mode && *engine->wal_recovery_mode != "tolerate-torn-tail" &&
      *engine->wal_recovery_mode != "point-in-time" &&
      *engine->wal_recovery_mode != "skip-corrupted") {
    return reader.ErrorAt(*table.get("wal_recovery_mode"),
                          "'wal_recovery_mode' in [engine] must be \"tolerate-torn-tail\", "
                          "\"point-in-time\" or \"skip-corrupted\"");
  }
  if (buffer) engine->write_buffer_bytes = static_cast<uint64_t>(*buffer);
  if (block) engine->block_bytes = static_cast<uint64_t>(*block);
  return Status::OK();
}

Status ParseMultiCrash(const TomlReader& reader, const toml::table& table, MultiCrash* multi) {
  const std::string context = "[multi_crash]";
  POWERCUT_RETURN_IF_ERROR(reader.CheckKeys(table, context, {"depth", "double_recovery"}));
  POWERCUT_ASSIGN_OR_RETURN(auto depth, reader.Integer(table, "depth", context, 1, 3));
  POWERCUT_ASSIGN_OR_RETURN(auto twice, reader.Bool(table, "double_recovery", context));
  multi->depth = static_cast<uint32_t>(depth.value_or(1));
  multi->double_recovery = twice.value_or(false);
  return Status::OK();
}

Result<std::vector<uint64_t>> ParseSeeds(const TomlReader& reader, const toml::table& table) {
  const toml::node* node = table.get("seeds");
  if (node == nullptr) return reader.Missing(table, "seeds", "[generate]");
  const toml::array* array = node->as_array();
  if (array == nullptr || array->empty()) {
    return reader.ErrorAt(*node, "'seeds' in [generate] must be a non-empty array of integers");
  }
  std::vector<uint64_t> seeds;
  for (const toml::node& item : *array) {
    if (!item.is_integer() || item.as_integer()->get() < 0) {
      return reader.ErrorAt(item, "'seeds' in [generate] must hold non-negative integers, not " +
                                      std::string(scenario_internal::TypeName(item.type())));
    }
    seeds.push_back(static_cast<uint64_t>(item.as_integer()->get()));
  }
  return seeds;
}

// Sets `*field` from an optional TOML integer, when present.
template <typename T>
Status SetCount(const TomlReader& reader, const toml::table& table, std::string_view key,
                int64_t min, T* field) {
  POWERCUT_ASSIGN_OR_RETURN(auto value, reader.Integer(table, key, "[generate]", min, kCountMax));
  if (value) *field = static_cast<T>(*value);
  return Status::OK();
}

Status SetRatio(const TomlReader& reader, const toml::table& table, std::string_view key,
                double* field) {
  POWERCUT_ASSIGN_OR_RETURN(auto value, reader.Ratio(table, key, "[generate]"));
  if (value) *field = *value;
  return Status::OK();
}

Status ParseGenerate(const TomlReader& reader, const toml::table& table, Scenario* scenario) {
  const std::string context = "[generate]";
  POWERCUT_RETURN_IF_ERROR(reader.CheckKeys(
      table, context,
      {"op_count", "key_count", "key_skew", "hot_key_fraction", "hot_op_fraction", "value_bytes",
       "overwrite_ratio", "delete_ratio", "batch_ratio", "batch_size", "sync_ratio", "read_ratio",
       "scan_ratio", "flush_every", "reopen_every", "crash_every", "crash_model", "seeds"}));
  GeneratorOptions o;
  POWERCUT_RETURN_IF_ERROR(SetCount(reader, table, "op_count", 1, &o.op_count));
  POWERCUT_RETURN_IF_ERROR(SetCount(reader, table, "key_count", 1, &o.key_count));
  POWERCUT_RETURN_IF_ERROR(SetCount(reader, table, "flush_every", 0, &o.flush_every));
  POWERCUT_RETURN_IF_ERROR(SetCount(reader, table, "reopen_every", 0, &o.reopen_every));
  POWERCUT_RETURN_IF_ERROR(SetCount(reader, table, "crash_every", 0, &o.crash_every));
  for (auto [key, field] : {std::pair{"hot_key_fraction", &o.hot_key_fraction},
                            {"hot_op_fraction", &o.hot_op_fraction},
                            {"overwrite_ratio", &o.overwrite_ratio},
                            {"delete_ratio", &o.delete_ratio},
                            {"batch_ratio", &o.batch_ratio},
                            {"sync_ratio", &o.sync_ratio},
                            {"read_ratio", &o.read_ratio},
                            {"scan_ratio", &o.scan_ratio}}) {
    POWERCUT_RETURN_IF_ERROR(SetRatio(reader, table, key, field));
  }
  POWERCUT_ASSIGN_OR_RETURN(auto skew, reader.String(table, "key_skew", context));
  if (skew && *skew != "uniform" && *skew != "hot-set") {
    return reader.ErrorAt(*table.get("key_skew"),
                          "'key_skew' in [generate] must be \"uniform\" or \"hot-set\"");
  }
  if (skew) o.key_skew = *skew == "uniform" ? KeySkew::kUniform : KeySkew::kHotSet;
  POWERCUT_ASSIGN_OR_RETURN(auto bytes, reader.Range(table, "value_bytes", context, 0, 16 << 20));
  if (bytes) std::tie(o.value_bytes_min, o.value_bytes_max) = *bytes;
  POWERCUT_ASSIGN_OR_RETURN(auto batch, reader.Range(table, "batch_size", context, 1, 1000));
  if (batch) std::tie(o.batch_size_min, o.batch_size_max) = *batch;
  POWERCUT_ASSIGN_OR_RETURN(auto model, reader.String(table, "crash_model", context));
  if (model) o.crash_model = *model;
  if (Status valid = o.Validate(); !valid.ok()) return reader.ErrorAt(table, valid.message());
  POWERCUT_ASSIGN_OR_RETURN(scenario->seeds, ParseSeeds(reader, table));
  scenario->generator = o;
  return Status::OK();
}

Status ParseModels(const TomlReader& reader, const toml::node& node, Scenario* scenario) {
  const toml::array* array = node.as_array();
  if (array == nullptr || array->empty()) {
    return reader.ErrorAt(node, "'models' must be a non-empty array of crash-model names");
  }
  for (const toml::node& item : *array) {
    if (!item.is_string()) return reader.ErrorAt(item, "'models' must hold crash-model names");
    Result<faultfs::CrashModel> model = faultfs::CrashModel::Parse(item.as_string()->get());
    if (!model.ok()) return reader.ErrorAt(item, model.status().message());
    scenario->models.push_back(*model);
  }
  return Status::OK();
}

Status ParseHeader(const TomlReader& reader, const toml::table& root, Scenario* scenario) {
  const std::string context = "the scenario";
  POWERCUT_RETURN_IF_ERROR(reader.CheckKeys(root, context,
                                            {"name", "description", "crash_points", "models",
                                             "engine", "multi_crash", "op", "generate"}));
  POWERCUT_ASSIGN_OR_RETURN(auto name, reader.String(root, "name", context));
  if (!name) return reader.Missing(root, "name", context);
  if (name->empty()) return reader.ErrorAt(*root.get("name"), "'name' must not be empty");
  POWERCUT_ASSIGN_OR_RETURN(auto description, reader.String(root, "description", context));
  if (!description) return reader.Missing(root, "description", context);
  scenario->name = *name;
  scenario->description = *description;
  POWERCUT_ASSIGN_OR_RETURN(auto points, reader.String(root, "crash_points", context));
  if (points && *points != "all" && *points != "sync") {
    return reader.ErrorAt(*root.get("crash_points"),
                          "'crash_points' must be \"all\" or \"sync\", not \"" + *points + "\"");
  }
  scenario->crash_points = points == "sync" ? CrashPoints::kSync : CrashPoints::kAll;
  if (const toml::node* models = root.get("models")) {
    POWERCUT_RETURN_IF_ERROR(ParseModels(reader, *models, scenario));
  }
  return Status::OK();
}

Status ParseBody(const TomlReader& reader, const toml::table& root, Scenario* scenario) {
  for (std::string_view table : {"engine", "multi_crash", "generate"}) {
    POWERCUT_RETURN_IF_ERROR(RequireTable(reader, root.get(table), table));
  }
  if (const toml::table* engine = TableOrNull(root.get("engine"))) {
    POWERCUT_RETURN_IF_ERROR(ParseEngine(reader, *engine, &scenario->engine));
  }
  if (const toml::table* multi = TableOrNull(root.get("multi_crash"))) {
    POWERCUT_RETURN_IF_ERROR(ParseMultiCrash(reader, *multi, &scenario->multi_crash));
  }
  const toml::node* ops = root.get("op");
  const toml::table* generate = TableOrNull(root.get("generate"));
  if (ops && generate) {
    return reader.ErrorAt(*generate,
                          "a scenario has either [[op]] steps or a [generate] "
                          "table, not both");
  }
  if (!ops && !generate) {
    return reader.Missing(root, "op", "the scenario (give [[op]] steps or a [generate] table)");
  }
  if (generate) return ParseGenerate(reader, *generate, scenario);
  POWERCUT_ASSIGN_OR_RETURN(scenario->workload, scenario_internal::ParseOps(reader, *ops));
  return Status::OK();
}

}  // namespace

std::vector<uint64_t> Scenario::RunSeeds() const {
  return generator ? seeds : std::vector<uint64_t>{0};
}

Result<Workload> Scenario::WorkloadForSeed(uint64_t seed) const {
  if (workload) return *workload;
  if (!generator) return Status::InvalidArgument("scenario " + name + " has no workload");
  return Generate(*generator, seed);
}

Result<Scenario> ParseScenario(std::string_view text, std::string_view source) {
  TomlReader reader{std::string(source)};
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& error) {  // toml++ reports syntax errors by exception
    return reader.ErrorAt(error.source(), error.description());
  }
  Scenario scenario;
  scenario.source = std::string(source);
  POWERCUT_RETURN_IF_ERROR(ParseHeader(reader, root, &scenario));
  POWERCUT_RETURN_IF_ERROR(ParseBody(reader, root, &scenario));
  return scenario;
}

Result<Scenario> LoadScenarioFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::FromErrno("open scenario", path, errno);
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::FromErrno("read scenario", path, errno);
  return ParseScenario(text.str(), path);
}

Result<std::vector<Scenario>> LoadScenarioDir(const std::string& dir) {
  std::error_code error;
  std::vector<std::string> paths;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == ".toml") paths.push_back(it->path().string());
  }
  if (error) return Status::IOError("list scenarios " + dir + ": " + error.message());
  std::sort(paths.begin(), paths.end());
  std::vector<Scenario> scenarios;
  std::map<std::string, std::string> source_by_name;
  for (const std::string& path : paths) {
    POWERCUT_ASSIGN_OR_RETURN(Scenario scenario, LoadScenarioFile(path));
    auto [it, fresh] = source_by_name.emplace(scenario.name, path);
    if (!fresh) {
      return Status::InvalidArgument(path + ": scenario name '" + scenario.name +
                                     "' is also used by " + it->second);
    }
    scenarios.push_back(std::move(scenario));
  }
  return scenarios;
}

}  // namespace powercut::harness
