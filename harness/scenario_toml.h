// Private to the scenario parser: typed, position-reporting access to a
// toml++ table. Every error is an InvalidArgument whose message starts with
// "file:line:column: " and says what was expected there: the unknown key, the
// value of the wrong type, or the table a required key is missing from.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"
#include "workload.h"

namespace powercut::harness::scenario_internal {

class TomlReader {
 public:
  explicit TomlReader(std::string source) : source_(std::move(source)) {}

  const std::string& source() const { return source_; }

  // "file:line:column: what".
  Status ErrorAt(const toml::source_region& where, std::string_view what) const;
  Status ErrorAt(const toml::node& node, std::string_view what) const {
    return ErrorAt(node.source(), what);
  }

  // InvalidArgument at the first key of `table` not in `allowed`.
  // `context` names the table in the message ("[engine]", "op 3").
  Status CheckKeys(const toml::table& table, std::string_view context,
                   std::initializer_list<std::string_view> allowed) const;

  // Optional typed values: nullopt when absent, an error at the node when it
  // has another type (integers are accepted where a float is expected).
  Result<std::optional<std::string>> String(const toml::table& table, std::string_view key,
                                            std::string_view context) const;
  Result<std::optional<bool>> Bool(const toml::table& table, std::string_view key,
                                   std::string_view context) const;
  // Also checks min <= value <= max.
  Result<std::optional<int64_t>> Integer(const toml::table& table, std::string_view key,
                                         std::string_view context, int64_t min, int64_t max) const;
  // A float in [0, 1].
  Result<std::optional<double>> Ratio(const toml::table& table, std::string_view key,
                                      std::string_view context) const;
  // An integer, or an array [min, max] of two integers, each in [min, max].
  Result<std::optional<std::pair<int64_t, int64_t>>> Range(const toml::table& table,
                                                           std::string_view key,
                                                           std::string_view context, int64_t min,
                                                           int64_t max) const;

  // Error at `table` (its header) for a missing required key.
  Status Missing(const toml::table& table, std::string_view key, std::string_view context) const;

 private:
  std::string source_;
};

// The [[op]] array of a scenario as a workload (scenario_ops.cc).
Result<Workload> ParseOps(const TomlReader& reader, const toml::node& ops);

// "string", "integer", "table", ...: for "must be a boolean, not a string".
std::string_view TypeName(toml::node_type type);

}  // namespace powercut::harness::scenario_internal
