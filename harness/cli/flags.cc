// The CLI's flag parser (see flags.h).
#include "flags.h"

#include <cassert>
#include <charconv>
#include <optional>

namespace powercut::cli {

Result<uint64_t> ParseUint(std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a non-negative integer");
  }
  if (value < min || value > max) {
    return Status::InvalidArgument(std::to_string(value) + " is out of range (" +
                                   std::to_string(min) + " to " + std::to_string(max) + ")");
  }
  return value;
}

FlagParser::FlagParser(std::string usage_line, std::string summary)
    : usage_line_(std::move(usage_line)), summary_(std::move(summary)) {}

void FlagParser::AddValue(std::string name, std::string value_name, std::string help,
                          std::function<Status(std::string_view)> set, bool repeatable) {
  assert(Find(name) == nullptr && "flag names are unique");
  assert(!value_name.empty() && "a value flag names its value");
  flags_.push_back(
      {std::move(name), std::move(value_name), std::move(help), std::move(set), repeatable});
}

void FlagParser::AddString(std::string name, std::string value_name, std::string help,
                           std::string* out) {
  AddValue(std::move(name), std::move(value_name), std::move(help), [out](std::string_view v) {
    *out = std::string(v);
    return Status::OK();
  });
}

void FlagParser::AddStrings(std::string name, std::string value_name, std::string help,
                            std::vector<std::string>* out) {
  AddValue(
      std::move(name), std::move(value_name), std::move(help),
      [out](std::string_view v) {
        out->emplace_back(v);
        return Status::OK();
      },
      /*repeatable=*/true);
}

void FlagParser::AddUint(std::string name, std::string value_name, std::string help, uint64_t* out,
                         uint64_t min, uint64_t max) {
  AddValue(std::move(name), std::move(value_name), std::move(help),
           [out, min, max](std::string_view v) -> Status {
             POWERCUT_ASSIGN_OR_RETURN(*out, ParseUint(v, min, max));
             return Status::OK();
           });
}

void FlagParser::AddSwitch(std::string name, std::string help, bool* out) {
  assert(Find(name) == nullptr && "flag names are unique");
  flags_.push_back({std::move(name), "", std::move(help), [out](std::string_view) {
                      *out = true;
                      return Status::OK();
                    }});
}

void FlagParser::AddAlias(char letter, std::string name) {
  Flag* flag = Find(name);
  assert(flag != nullptr && "the aliased flag exists");
  flag->alias = letter;
}

void FlagParser::SetPositionals(std::string names, size_t min, size_t max,
                                std::vector<std::string>* out) {
  positional_names_ = std::move(names);
  positionals_min_ = min;
  positionals_max_ = max;
  positionals_ = out;
}

FlagParser::Flag* FlagParser::Find(std::string_view name) {
  for (Flag& flag : flags_) {
    if (flag.name == name || (name.size() == 1 && flag.alias == name[0])) return &flag;
  }
  return nullptr;
}

Status FlagParser::Apply(Flag& flag, std::string_view value) {
  if (flag.seen && !flag.repeatable) {
    return Status::InvalidArgument("--" + flag.name + " given twice");
  }
  flag.seen = true;
  Status status = flag.set(value);
  if (!status.ok()) return Status::InvalidArgument("--" + flag.name + ": " + status.message());
  return Status::OK();
}

// Parses the flag at args[*index] (with its value, if it takes one) and
// advances *index past what it used.
Status FlagParser::ParseFlag(const std::vector<std::string>& args, size_t* index) {
  const std::string& arg = args[*index];
  std::string_view name;
  std::optional<std::string_view> inline_value;
  if (arg.rfind("--", 0) == 0) {
    name = std::string_view(arg).substr(2);
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
  } else {  // "-j", "-j4"
    name = std::string_view(arg).substr(1, 1);
    if (arg.size() > 2) inline_value = std::string_view(arg).substr(2);
  }
  Flag* flag = Find(name);
  if (flag == nullptr) return Status::InvalidArgument("unknown flag '" + arg + "'");
  ++*index;
  if (flag->value_name.empty()) {
    if (inline_value) return Status::InvalidArgument("--" + flag->name + " takes no value");
    return Apply(*flag, "");
  }
  if (inline_value) return Apply(*flag, *inline_value);
  if (*index >= args.size()) {
    return Status::InvalidArgument("--" + flag->name + " needs a value (" + flag->value_name + ")");
  }
  return Apply(*flag, args[(*index)++]);
}

Status FlagParser::Parse(const std::vector<std::string>& args) {
  std::vector<std::string> positionals;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size();) {
    const std::string& arg = args[i];
    if (!flags_ended && (arg == "--help" || arg == "-h")) {
      help_requested_ = true;
      return Status::OK();
    }
    if (!flags_ended && arg == "--") {
      flags_ended = true;
      ++i;
    } else if (!flags_ended && arg.size() > 1 && arg[0] == '-') {
      POWERCUT_RETURN_IF_ERROR(ParseFlag(args, &i));
    } else {
      positionals.push_back(arg);
      ++i;
    }
  }
  if (positionals.size() < positionals_min_ || positionals.size() > positionals_max_) {
    if (positionals_max_ == 0) {
      return Status::InvalidArgument("unexpected argument '" + positionals.front() + "'");
    }
    return Status::InvalidArgument("expected " + positional_names_ + ", got " +
                                   std::to_string(positionals.size()) + " argument(s)");
  }
  if (positionals_ != nullptr) *positionals_ = std::move(positionals);
  return Status::OK();
}

std::string FlagParser::Usage() const {
  std::string text = "usage: " + usage_line_ + "\n\n" + summary_ + "\n";
  if (!flags_.empty()) text += "\nflags:\n";
  for (const Flag& flag : flags_) {
    std::string left = "  ";
    if (flag.alias != 0) left += std::string("-") + flag.alias + ", ";
    left += "--" + flag.name;
    if (!flag.value_name.empty()) left += " " + flag.value_name;
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "\n" + std::string(28, ' ');
    std::string help = flag.help;  // continuation lines line up under the first
    for (size_t at = help.find('\n'); at != std::string::npos; at = help.find('\n', at + 1)) {
      help.insert(at + 1, std::string(28, ' '));
    }
    text += left + help + "\n";
  }
  text += "  -h, --help                show this help\n";
  return text;
}

}  // namespace powercut::cli
