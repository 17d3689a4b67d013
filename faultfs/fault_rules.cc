// Error-injection rule text: parsing and printing of the rules SimFs and the
// LD_PRELOAD shim understand (the grammar is in fault_rules.h). Parsing is
// strict — every field is checked and an error names the field, the text it
// got and what it accepts — because a typo in a CI matrix must not silently
// turn a fault off. ToString prints the canonical text, which Parse reads
// back to the same rule.
#include "powercut/faultfs/fault_rules.h"

#include <array>
#include <charconv>
#include <limits>

#include "powercut/faultfs/file_system.h"

namespace powercut::faultfs {
namespace {

constexpr std::string_view kRuleSyntax =
    "fsync-eio:GLOB:N[:drop|keep|clean-but-visible], enospc:BYTES[:GLOB], "
    "short-write:GLOB:N[:BYTES], read-eio:GLOB:OFFSET:LENGTH, bitflip:PATH:OFFSET:BIT, "
    "zero-sector:PATH:OFFSET[:SECTOR], misdirect:PATH:FROM:TO:LENGTH";

struct ProfileName {
  FsyncFailureProfile profile;
  std::string_view name;
};
constexpr std::array<ProfileName, 3> kProfileNames = {{
    {FsyncFailureProfile::kDrop, "drop"},
    {FsyncFailureProfile::kKeep, "keep"},
    {FsyncFailureProfile::kCleanButVisible, "clean-but-visible"},
}};

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) {
      fields.push_back(text.substr(start));
      return fields;
    }
    fields.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
}

// Builds the errors; every one quotes the whole rule.
class RuleParser {
 public:
  explicit RuleParser(std::string_view text) : text_(text), fields_(SplitFields(text)) {}

  const std::vector<std::string_view>& fields() const { return fields_; }

  Status Error(std::string_view why) const {
    return Status::InvalidArgument("bad fault rule '" + std::string(text_) +
                                   "': " + std::string(why));
  }
  // OK if the rule has between `min` and `max` fields (the kind included).
  Status CheckFieldCount(size_t min, size_t max, std::string_view syntax) const {
    if (fields_.size() >= min && fields_.size() <= max) return Status::OK();
    return Error("expected " + std::string(syntax));
  }
  Status Number(size_t index, std::string_view field, uint64_t& value) const {
    std::string_view digits = fields_[index];
    const char* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, value, 10);
    if (!digits.empty() && ec == std::errc() && ptr == end) return Status::OK();
    return Error(std::string(field) + " must be a decimal number, not '" + std::string(digits) +
                 "'");
  }
  Status Glob(size_t index, std::string& glob) const {
    if (fields_[index].empty()) return Error("GLOB must not be empty (use '*' for every path)");
    glob = fields_[index];
    return Status::OK();
  }

  // The PATH field of a media-damage rule: one absolute file path, no glob.
  Status FilePath(size_t index, std::string& path) const {
    std::string_view text = fields_[index];
    if (!ValidatePath(text).ok() || text == "/") {
      return Error("PATH must be an absolute file path such as /db/000001.log, not '" +
                   std::string(text) + "'");
    }
    path = text;
    return Status::OK();
  }

 private:
  std::string_view text_;
  std::vector<std::string_view> fields_;
};

Result<FaultRule> ParseFsyncEio(const RuleParser& parser) {
  FaultRule rule{.kind = FaultKind::kFsyncEio};
  POWERCUT_RETURN_IF_ERROR(
      parser.CheckFieldCount(3, 4, "fsync-eio:GLOB:N[:drop|keep|clean-but-visible]"));
  POWERCUT_RETURN_IF_ERROR(parser.Glob(1, rule.path_glob));
  POWERCUT_RETURN_IF_ERROR(parser.Number(2, "N (the Nth fsync, 0 = every one)", rule.nth));
  if (parser.fields().size() == 3) return rule;
  std::string_view profile = parser.fields()[3];
  for (const ProfileName& entry : kProfileNames) {
    if (profile == entry.name) {
      rule.after_failure = entry.profile;
      return rule;
    }
  }
  return parser.Error("the after-failure profile must be drop, keep or clean-but-visible, not '" +
                      std::string(profile) + "'");
}

Result<FaultRule> ParseEnospc(const RuleParser& parser) {
  FaultRule rule{.kind = FaultKind::kEnospc};
  POWERCUT_RETURN_IF_ERROR(parser.CheckFieldCount(2, 3, "enospc:BYTES[:GLOB]"));
  POWERCUT_RETURN_IF_ERROR(parser.Number(1, "BYTES (the space budget)", rule.bytes));
  if (parser.fields().size() == 3) POWERCUT_RETURN_IF_ERROR(parser.Glob(2, rule.path_glob));
  return rule;
}

Result<FaultRule> ParseShortWrite(const RuleParser& parser) {
  FaultRule rule{.kind = FaultKind::kShortWrite};
  POWERCUT_RETURN_IF_ERROR(parser.CheckFieldCount(3, 4, "short-write:GLOB:N[:BYTES]"));
  POWERCUT_RETURN_IF_ERROR(parser.Glob(1, rule.path_glob));
  POWERCUT_RETURN_IF_ERROR(parser.Number(2, "N (the Nth write, 0 = every one)", rule.nth));
  if (parser.fields().size() == 4) {
    POWERCUT_RETURN_IF_ERROR(parser.Number(3, "BYTES (bytes written, 0 = half)", rule.bytes));
  }
  return rule;
}

Result<FaultRule> ParseReadEio(const RuleParser& parser) {
  FaultRule rule{.kind = FaultKind::kReadEio};
  POWERCUT_RETURN_IF_ERROR(parser.CheckFieldCount(4, 4, "read-eio:GLOB:OFFSET:LENGTH"));
  POWERCUT_RETURN_IF_ERROR(parser.Glob(1, rule.path_glob));
  POWERCUT_RETURN_IF_ERROR(parser.Number(2, "OFFSET", rule.offset));
  POWERCUT_RETURN_IF_ERROR(parser.Number(3, "LENGTH", rule.length));
  if (rule.length == 0) return parser.Error("LENGTH must be at least 1");
  if (rule.offset + rule.length < rule.offset) return parser.Error("OFFSET+LENGTH overflows");
  return rule;
}

Result<FaultRule> ParseBitFlip(const RuleParser& parser) {
  FaultRule rule{.kind = FaultKind::kBitFlip};
  POWERCUT_RETURN_IF_ERROR(parser.CheckFieldCount(4, 4, "bitflip:PATH:OFFSET:BIT"));
  POWERCUT_RETURN_IF_ERROR(parser.FilePath(1, rule.path_glob));
  POWERCUT_RETURN_IF_ERROR(parser.Number(2, "OFFSET", rule.offset));
  uint64_t bit = 0;
  POWERCUT_RETURN_IF_ERROR(parser.Number(3, "BIT", bit));
  if (bit > 7) return parser.Error("BIT must be 0-7, not " + std::to_string(bit));
  rule.bit = static_cast<uint32_t>(bit);
  return rule;
}

Result<FaultRule> ParseZeroSector(const RuleParser& parser) {
  FaultRule rule{.kind = FaultKind::kZeroSector, .length = 512};
  POWERCUT_RETURN_IF_ERROR(parser.CheckFieldCount(3, 4, "zero-sector:PATH:OFFSET[:SECTOR]"));
  POWERCUT_RETURN_IF_ERROR(parser.FilePath(1, rule.path_glob));
  POWERCUT_RETURN_IF_ERROR(parser.Number(2, "OFFSET", rule.offset));
  if (parser.fields().size() == 4) {
    POWERCUT_RETURN_IF_ERROR(parser.Number(3, "SECTOR", rule.length));
  }
  if (rule.length < 512 || rule.length > 65536 || (rule.length & (rule.length - 1)) != 0) {
    return parser.Error("SECTOR must be a power of two from 512 to 65536, not " +
                        std::to_string(rule.length));
  }
  return rule;
}

Result<FaultRule> ParseMisdirect(const RuleParser& parser) {
  FaultRule rule{.kind = FaultKind::kMisdirect};
  POWERCUT_RETURN_IF_ERROR(parser.CheckFieldCount(5, 5, "misdirect:PATH:FROM:TO:LENGTH"));
  POWERCUT_RETURN_IF_ERROR(parser.FilePath(1, rule.path_glob));
  POWERCUT_RETURN_IF_ERROR(parser.Number(2, "FROM", rule.offset));
  POWERCUT_RETURN_IF_ERROR(parser.Number(3, "TO", rule.target));
  POWERCUT_RETURN_IF_ERROR(parser.Number(4, "LENGTH", rule.length));
  if (rule.length == 0) return parser.Error("LENGTH must be at least 1");
  if (rule.offset == rule.target) return parser.Error("FROM and TO must differ");
  const uint64_t limit = std::numeric_limits<uint64_t>::max() - rule.length;
  if (rule.offset > limit || rule.target > limit) return parser.Error("OFFSET+LENGTH overflows");
  return rule;
}

}  // namespace

bool IsMediaDamage(FaultKind kind) {
  return kind == FaultKind::kBitFlip || kind == FaultKind::kZeroSector ||
         kind == FaultKind::kMisdirect;
}

std::string_view FsyncFailureProfileName(FsyncFailureProfile profile) {
  for (const ProfileName& entry : kProfileNames) {
    if (entry.profile == profile) return entry.name;
  }
  return "unknown";
}

Result<FaultRule> FaultRule::Parse(std::string_view text) {
  RuleParser parser(text);
  std::string_view kind = parser.fields()[0];
  if (kind == "fsync-eio") return ParseFsyncEio(parser);
  if (kind == "enospc") return ParseEnospc(parser);
  if (kind == "short-write") return ParseShortWrite(parser);
  if (kind == "read-eio") return ParseReadEio(parser);
  if (kind == "bitflip") return ParseBitFlip(parser);
  if (kind == "zero-sector") return ParseZeroSector(parser);
  if (kind == "misdirect") return ParseMisdirect(parser);
  return parser.Error("unknown kind '" + std::string(kind) +
                      "'; valid rules: " + std::string(kRuleSyntax));
}

// Blanks around each rule are ignored too, so "a; b" reads like "a;b".
Result<std::vector<FaultRule>> FaultRule::ParseList(std::string_view text) {
  std::vector<FaultRule> rules;
  size_t start = 0;
  while (start <= text.size()) {
    size_t semicolon = text.find(';', start);
    if (semicolon == std::string_view::npos) semicolon = text.size();
    std::string_view part = text.substr(start, semicolon - start);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (!part.empty()) {
      POWERCUT_ASSIGN_OR_RETURN(FaultRule rule, Parse(part));
      rules.push_back(std::move(rule));
    }
    start = semicolon + 1;
  }
  return rules;
}

std::string FaultRule::ToString() const {
  auto n = [](uint64_t value) { return std::to_string(value); };
  switch (kind) {
    case FaultKind::kFsyncEio:
      return "fsync-eio:" + path_glob + ':' + n(nth) + ':' +
             std::string(FsyncFailureProfileName(after_failure));
    case FaultKind::kEnospc:
      return "enospc:" + n(bytes) + ':' + path_glob;
    case FaultKind::kShortWrite:
      return "short-write:" + path_glob + ':' + n(nth) + (bytes == 0 ? "" : ':' + n(bytes));
    case FaultKind::kReadEio:
      return "read-eio:" + path_glob + ':' + n(offset) + ':' + n(length);
    case FaultKind::kBitFlip:
      return "bitflip:" + path_glob + ':' + n(offset) + ':' + n(bit);
    case FaultKind::kZeroSector:
      return "zero-sector:" + path_glob + ':' + n(offset) + ':' + n(length);
    case FaultKind::kMisdirect:
      return "misdirect:" + path_glob + ':' + n(offset) + ':' + n(target) + ':' + n(length);
  }
  assert(false && "every FaultKind has a spelling");
  return "unknown";
}

}  // namespace powercut::faultfs
