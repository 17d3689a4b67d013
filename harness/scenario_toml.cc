// Typed, position-reporting access to toml++ tables for the scenario parser
// (see scenario_toml.h).
#include "scenario_toml.h"

namespace powercut::harness::scenario_internal {

std::string_view TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
  }
  return "an unknown type";
}

Status TomlReader::ErrorAt(const toml::source_region& where, std::string_view what) const {
  return Status::InvalidArgument(source_ + ":" + std::to_string(where.begin.line) + ":" +
                                 std::to_string(where.begin.column) + ": " + std::string(what));
}

Status TomlReader::CheckKeys(const toml::table& table, std::string_view context,
                             std::initializer_list<std::string_view> allowed) const {
  for (auto&& [key, node] : table) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key.str() == name;
    if (known) continue;
    std::string expected;
    for (std::string_view name : allowed) {
      expected += (expected.empty() ? "" : ", ") + std::string(name);
    }
    return ErrorAt(key.source(), "unknown key '" + std::string(key.str()) + "' in " +
                                     std::string(context) + " (expected one of: " + expected + ")");
  }
  return Status::OK();
}

namespace {

std::string MustBe(std::string_view key, std::string_view context, std::string_view expected,
                   const toml::node& node) {
  return "'" + std::string(key) + "' in " + std::string(context) + " must be " +
         std::string(expected) + ", not " + std::string(TypeName(node.type()));
}

}  // namespace

Result<std::optional<std::string>> TomlReader::String(const toml::table& table,
                                                      std::string_view key,
                                                      std::string_view context) const {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::string>();
  if (!node->is_string()) return ErrorAt(*node, MustBe(key, context, "a string", *node));
  return std::optional<std::string>(node->as_string()->get());
}

Result<std::optional<bool>> TomlReader::Bool(const toml::table& table, std::string_view key,
                                             std::string_view context) const {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<bool>();
  if (!node->is_boolean()) return ErrorAt(*node, MustBe(key, context, "a boolean", *node));
  return std::optional<bool>(node->as_boolean()->get());
}

Result<std::optional<int64_t>> TomlReader::Integer(const toml::table& table, std::string_view key,
                                                   std::string_view context, int64_t min,
                                                   int64_t max) const {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<int64_t>();
  if (!node->is_integer()) return ErrorAt(*node, MustBe(key, context, "an integer", *node));
  const int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    return ErrorAt(*node, "'" + std::string(key) + "' in " + std::string(context) +
                              " must be between " + std::to_string(min) + " and " +
                              std::to_string(max) + ", not " + std::to_string(value));
  }
  return std::optional<int64_t>(value);
}

Result<std::optional<double>> TomlReader::Ratio(const toml::table& table, std::string_view key,
                                                std::string_view context) const {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<double>();
  double value = 0;
  if (node->is_floating_point()) {
    value = node->as_floating_point()->get();
  } else if (node->is_integer()) {
    value = static_cast<double>(node->as_integer()->get());
  } else {
    return ErrorAt(*node, MustBe(key, context, "a number in [0, 1]", *node));
  }
  if (!(value >= 0.0 && value <= 1.0)) {
    return ErrorAt(*node, "'" + std::string(key) + "' in " + std::string(context) +
                              " must be in [0, 1], not " + std::to_string(value));
  }
  return std::optional<double>(value);
}

Result<std::optional<std::pair<int64_t, int64_t>>> TomlReader::Range(const toml::table& table,
                                                                     std::string_view key,
                                                                     std::string_view context,
                                                                     int64_t min,
                                                                     int64_t max) const {
  using Pair = std::pair<int64_t, int64_t>;
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<Pair>();
  const std::string expected = "an integer or an array [min, max] of two integers";
  std::vector<const toml::node*> items;
  if (node->is_integer()) {
    items = {node, node};
  } else if (const toml::array* array = node->as_array(); array && array->size() == 2) {
    items = {array->get(0), array->get(1)};
  } else {
    return ErrorAt(*node, MustBe(key, context, expected, *node));
  }
  int64_t bounds[2];
  for (int i = 0; i < 2; ++i) {
    if (!items[i]->is_integer())
      return ErrorAt(*items[i], MustBe(key, context, expected, *items[i]));
    bounds[i] = items[i]->as_integer()->get();
    if (bounds[i] < min || bounds[i] > max) {
      return ErrorAt(*items[i], "'" + std::string(key) + "' in " + std::string(context) +
                                    " must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    }
  }
  if (bounds[0] > bounds[1]) {
    return ErrorAt(*node, "'" + std::string(key) + "' in " + std::string(context) +
                              ": min is larger than max");
  }
  return std::optional<Pair>(Pair{bounds[0], bounds[1]});
}

Status TomlReader::Missing(const toml::table& table, std::string_view key,
                           std::string_view context) const {
  toml::source_region where = table.source();
  if (where.begin.line == 0) where.begin = {1, 1};  // the root table has no header
  return ErrorAt(where,
                 "missing required key '" + std::string(key) + "' in " + std::string(context));
}

}  // namespace powercut::harness::scenario_internal
