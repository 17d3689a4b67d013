// Parses a scenario's [[op]] steps into a Workload (see scenario.h for the
// format). Each op table is checked against the keys its kind accepts, so a
// key that does not apply ("sync" on a flush) is an error at that key, not
// silently ignored. `repeat` unrolls an op; "{i}" in a key becomes the repeat
// index (modulo `key_cycle` when given), so "many small syncs" stays short.
#include <set>

#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/fault_rules.h"
#include "scenario_toml.h"

namespace powercut::harness::scenario_internal {

namespace {

constexpr int64_t kValueBytesMax = 16 << 20;
constexpr int64_t kRepeatMax = 100000;

std::string SubstituteIndex(std::string_view pattern, uint64_t index) {
  std::string out(pattern);
  const std::string number = std::to_string(index);
  for (size_t at = out.find("{i}"); at != std::string::npos; at = out.find("{i}", at)) {
    out.replace(at, 3, number);
    at += number.size();
  }
  return out;
}

// Parsing state shared by all ops of one scenario.
struct OpsParser {
  explicit OpsParser(const TomlReader& r) : reader(r) {}

  const TomlReader& reader;
  WorkloadBuilder builder;
  std::set<std::string> explicit_values;

  Status ParseOp(const toml::table& table, const std::string& context);
  Status CheckKeysFor(OpType type, const toml::table& table, const std::string& context) const;
  Result<std::optional<std::string>> ExplicitValue(const toml::table& table,
                                                   const std::string& context, int64_t repeat);
  Result<std::vector<WorkloadBuilder::Entry>> ParseMutations(const toml::table& op,
                                                             const std::string& context,
                                                             uint64_t index);
};

Status OpsParser::CheckKeysFor(OpType type, const toml::table& table,
                               const std::string& context) const {
  const std::string where = context + " (" + std::string(OpTypeName(type)) + ")";
  switch (type) {
    case OpType::kPut:
      return reader.CheckKeys(
          table, where, {"kind", "key", "value", "value_bytes", "sync", "repeat", "key_cycle"});
    case OpType::kDelete:
      return reader.CheckKeys(table, where, {"kind", "key", "sync", "repeat", "key_cycle"});
    case OpType::kBatch:
      return reader.CheckKeys(table, where, {"kind", "mutations", "sync", "repeat", "key_cycle"});
    case OpType::kRead:
      return reader.CheckKeys(table, where, {"kind", "key", "repeat", "key_cycle"});
    case OpType::kCrash:
      return reader.CheckKeys(table, where, {"kind", "model"});
    case OpType::kFault:
      return reader.CheckKeys(table, where, {"kind", "rule"});
    case OpType::kFlush:
    case OpType::kScan:
    case OpType::kReopen:
      return reader.CheckKeys(table, where, {"kind", "repeat"});
  }
  return Status::OK();
}

Result<std::optional<std::string>> OpsParser::ExplicitValue(const toml::table& table,
                                                            const std::string& context,
                                                            int64_t repeat) {
  POWERCUT_ASSIGN_OR_RETURN(std::optional<std::string> value,
                            reader.String(table, "value", context));
  if (!value) return value;
  const toml::node& node = *table.get("value");
  if (repeat > 1) {
    return reader.ErrorAt(node, "an explicit 'value' in " + context +
                                    " cannot be repeated: values must be unique per write");
  }
  if (!explicit_values.insert(*value).second) {
    return reader.ErrorAt(node, "value '" + *value + "' in " + context +
                                    " is written twice: values must be unique per write, so "
                                    "the oracle can tell writes apart");
  }
  return value;
}

Result<std::vector<WorkloadBuilder::Entry>> OpsParser::ParseMutations(const toml::table& op,
                                                                      const std::string& context,
                                                                      uint64_t index) {
  const toml::node* node = op.get("mutations");
  if (node == nullptr) return reader.Missing(op, "mutations", context + " (batch)");
  const toml::array* array = node->as_array();
  if (array == nullptr || array->empty() || !array->is_array_of_tables()) {
    return reader.ErrorAt(*node, "'mutations' in " + context +
                                     " must be a non-empty array of tables such as "
                                     "{ put = \"k1\" } or { delete = \"k2\" }");
  }
  std::vector<WorkloadBuilder::Entry> entries;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::table& table = *array->get(i)->as_table();
    const std::string where = context + " mutation " + std::to_string(i + 1);
    POWERCUT_RETURN_IF_ERROR(
        reader.CheckKeys(table, where, {"put", "delete", "value", "value_bytes"}));
    POWERCUT_ASSIGN_OR_RETURN(auto put, reader.String(table, "put", where));
    POWERCUT_ASSIGN_OR_RETURN(auto del, reader.String(table, "delete", where));
    if (put.has_value() == del.has_value() || (put ? *put : *del).empty()) {
      return reader.ErrorAt(table, where +
                                       " must have exactly one of put = \"key\" or "
                                       "delete = \"key\" (a non-empty key)");
    }
    WorkloadBuilder::Entry entry;
    entry.put = put.has_value();
    entry.key = SubstituteIndex(put ? *put : *del, index);
    POWERCUT_ASSIGN_OR_RETURN(auto bytes,
                              reader.Integer(table, "value_bytes", where, 0, kValueBytesMax));
    POWERCUT_ASSIGN_OR_RETURN(entry.value, ExplicitValue(table, where, 1));
    if (!entry.put && (bytes || entry.value)) {
      return reader.ErrorAt(table, where + ": a delete takes no value or value_bytes");
    }
    entry.value_bytes = bytes.value_or(0);
    entries.push_back(std::move(entry));
  }
  return entries;
}

Status OpsParser::ParseOp(const toml::table& table, const std::string& context) {
  POWERCUT_ASSIGN_OR_RETURN(std::optional<std::string> kind, reader.String(table, "kind", context));
  if (!kind) return reader.Missing(table, "kind", context);
  std::optional<OpType> type = ParseOpType(*kind);
  if (!type) {
    return reader.ErrorAt(
        *table.get("kind"),
        "unknown op kind '" + *kind + "' in " + context +
            " (expected put, delete, batch, flush, read, scan, reopen, crash or fault)");
  }
  POWERCUT_RETURN_IF_ERROR(CheckKeysFor(*type, table, context));
  POWERCUT_ASSIGN_OR_RETURN(auto repeat, reader.Integer(table, "repeat", context, 1, kRepeatMax));
  POWERCUT_ASSIGN_OR_RETURN(auto cycle, reader.Integer(table, "key_cycle", context, 1, kRepeatMax));
  POWERCUT_ASSIGN_OR_RETURN(auto sync, reader.Bool(table, "sync", context));
  POWERCUT_ASSIGN_OR_RETURN(auto key, reader.String(table, "key", context));
  POWERCUT_ASSIGN_OR_RETURN(auto bytes,
                            reader.Integer(table, "value_bytes", context, 0, kValueBytesMax));
  POWERCUT_ASSIGN_OR_RETURN(auto value, ExplicitValue(table, context, repeat.value_or(1)));
  POWERCUT_ASSIGN_OR_RETURN(auto model, reader.String(table, "model", context));
  POWERCUT_ASSIGN_OR_RETURN(auto rule, reader.String(table, "rule", context));
  const bool needs_key =
      *type == OpType::kPut || *type == OpType::kDelete || *type == OpType::kRead;
  if (needs_key && !key) return reader.Missing(table, "key", context);
  if (needs_key && key->empty())
    return reader.ErrorAt(*table.get("key"), "empty key in " + context);
  if (model) {
    Result<faultfs::CrashModel> parsed = faultfs::CrashModel::Parse(*model);
    if (!parsed.ok()) return reader.ErrorAt(*table.get("model"), parsed.status().message());
  }
  if (*type == OpType::kFault) {
    if (!rule) return reader.Missing(table, "rule", context + " (fault)");
    Result<faultfs::FaultRule> parsed = faultfs::FaultRule::Parse(*rule);
    if (!parsed.ok()) return reader.ErrorAt(*table.get("rule"), parsed.status().message());
    rule = parsed->ToString();
  }
  for (int64_t r = 0; r < repeat.value_or(1); ++r) {
    const uint64_t index = cycle ? r % *cycle : r;
    const std::string k = key ? SubstituteIndex(*key, index) : "";
    switch (*type) {
      case OpType::kPut:
        builder.Put(k, bytes.value_or(0), sync.value_or(false), value);
        break;
      case OpType::kDelete:
        builder.Delete(k, sync.value_or(false));
        break;
      case OpType::kRead:
        builder.Read(k);
        break;
      case OpType::kFlush:
        builder.Flush();
        break;
      case OpType::kScan:
        builder.Scan();
        break;
      case OpType::kReopen:
        builder.Reopen();
        break;
      case OpType::kCrash:
        builder.Crash(model.value_or("power-loss"));
        break;
      case OpType::kFault:
        builder.Fault(*rule);
        break;
      case OpType::kBatch: {
        POWERCUT_ASSIGN_OR_RETURN(auto entries, ParseMutations(table, context, index));
        builder.Batch(entries, sync.value_or(false));
        break;
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<Workload> ParseOps(const TomlReader& reader, const toml::node& ops) {
  const toml::array* array = ops.as_array();
  if (array == nullptr || array->empty() || !array->is_array_of_tables()) {
    return reader.ErrorAt(ops, "'op' must be a non-empty array of tables, written [[op]]");
  }
  OpsParser parser(reader);
  for (size_t i = 0; i < array->size(); ++i) {
    POWERCUT_RETURN_IF_ERROR(
        parser.ParseOp(*array->get(i)->as_table(), "op " + std::to_string(i + 1)));
  }
  return std::move(parser.builder).Build();
}

}  // namespace powercut::harness::scenario_internal
