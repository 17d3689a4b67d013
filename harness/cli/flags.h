// A small command-line flag parser for the powercut CLI's verbs. Each verb
// declares its flags (name, value name, help, where the value goes and how it
// is checked) and its positional arguments; Parse() fills them in or says
// precisely what was wrong, and Usage() prints every flag with its help, so
// a bad flag can always be answered with what is valid. Accepted forms:
// `--name VALUE`, `--name=VALUE`, `-j N` / `-jN` for single-letter aliases,
// bare `--name` for switches, and `--` to end the flags.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::cli {

// Exit codes of every verb.
inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;  // a guarantee was broken (or a replay reproduced one)
inline constexpr int kExitUsage = 2;      // bad usage or bad input (flags, scenario files)

class FlagParser {
 public:
  // `usage_line`: "powercut run [flags]"; `summary`: one paragraph on the verb.
  FlagParser(std::string usage_line, std::string summary);

  // A flag taking a value. `set` checks and stores it; its error message is
  // shown after "--name: ". `repeatable`: may be given more than once.
  void AddValue(std::string name, std::string value_name, std::string help,
                std::function<Status(std::string_view value)> set, bool repeatable = false);
  // Shorthands for the common kinds.
  void AddString(std::string name, std::string value_name, std::string help, std::string* out);
  void AddStrings(std::string name, std::string value_name, std::string help,
                  std::vector<std::string>* out);  // repeatable
  // An unsigned integer in [min, max].
  void AddUint(std::string name, std::string value_name, std::string help, uint64_t* out,
               uint64_t min, uint64_t max);
  // A switch without a value.
  void AddSwitch(std::string name, std::string help, bool* out);
  // A one-letter alias ('j' for "-j") of a flag already added.
  void AddAlias(char letter, std::string name);
  // Positional arguments: between min and max of them, named in the usage.
  void SetPositionals(std::string names, size_t min, size_t max, std::vector<std::string>* out);

  // Parses `args` (without the program and verb names). --help / -h sets
  // help_requested() and stops. InvalidArgument names the bad argument.
  Status Parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_requested_; }
  // The full help text: usage line, summary, and every flag.
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;        // without the dashes
    std::string value_name;  // empty for a switch
    std::string help;
    std::function<Status(std::string_view)> set;
    bool repeatable = false;
    bool seen = false;
    char alias = 0;
  };
  Flag* Find(std::string_view name);
  Status ParseFlag(const std::vector<std::string>& args, size_t* index);
  Status Apply(Flag& flag, std::string_view value);

  std::string usage_line_;
  std::string summary_;
  std::vector<Flag> flags_;
  std::string positional_names_;
  size_t positionals_min_ = 0;
  size_t positionals_max_ = 0;
  std::vector<std::string>* positionals_ = nullptr;
  bool help_requested_ = false;
};

// Parses a decimal unsigned integer; InvalidArgument unless it is one, in
// [min, max].
Result<uint64_t> ParseUint(std::string_view text, uint64_t min, uint64_t max);

}  // namespace powercut::cli
